"""Broadcasts: compose, count the audience, send a test to yourself, send; follow and cancel.

One form with three buttons (count, test, send). The form is checked by the API's own
schema (`BroadcastIn`) and the rules are `webapp.admin.broadcasts.services` (which also
writes the audit entry), so the page and `/api/admin/broadcasts` cannot disagree. The
report page reloads itself every few seconds while the broadcast is still preparing (a job
queues its messages) or sending.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: WTForms 3.3
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from webapp.admin.access import SecureBaseView, require_dashboard_user
from webapp.admin.broadcasts import services
from webapp.admin.broadcasts.schemas import BroadcastIn
from webapp.admin.changes import domain_message
from webapp.admin.forms import ROLE_CHOICES, ConfirmForm
from webapp.errors import DomainError, pydantic_errors
from webapp.extensions import db
from webapp.i18n import choice_name
from webapp.market.config import settings as market_settings

AUDIENCE_CHOICES = [
    SelectChoice("all", _l("Everyone")),
    SelectChoice("role", _l("A role")),
    SelectChoice("event", _l("An event's participants")),
    SelectChoice("market", _l("Executors of a category in a city")),
    SelectChoice("language", _l("Users of a language")),
]
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ru", "Русский")]
REFRESH_SECONDS = 5
STATE_NAMES = {
    "preparing": _l("Preparing"),
    "sending": _l("Sending"),
    "done": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}


class BroadcastForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[Length(max=20000)])
    audience = SelectField(_l("Audience"), choices=AUDIENCE_CHOICES, default="all")
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="teacher")
    event_id = StringField(_l("Event number"), validators=[Optional(), Length(max=10)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    city = SelectField(_l("City"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="ru")
    button_path = StringField(_l("Button opens"), validators=[Optional(), Length(max=200)])
    button_text = StringField(_l("Button label"), validators=[Optional(), Length(max=64)])


def _form() -> BroadcastForm:
    form = BroadcastForm()
    config = market_settings()
    form.category.choices = [SelectChoice(k, choice_name("category", k)) for k in config.categories]
    form.city.choices = [SelectChoice(k, choice_name("city", k)) for k in config.cities]
    return form


def _payload(form: BroadcastForm) -> dict[str, Any]:
    kind = form.audience.data
    audience: dict[str, Any] = {
        "all": {"all": True},
        "role": {"role": form.role.data},
        "event": {"event_id": form.event_id.data or None},
        "market": {"category": form.category.data, "city": form.city.data},
        "language": {"language": form.language.data},
    }.get(kind, {})
    payload: dict[str, Any] = {"text": form.text.data or "", "audience": audience}
    if form.button_path.data:
        payload["button"] = {"path": form.button_path.data, "text": form.button_text.data or None}
    return payload


def _flash_refusal(exc: DomainError) -> None:
    """A rule's refusal: each field's message when it names fields, else its detail."""
    db.session.rollback()
    if exc.errors:
        for error in exc.errors:
            flash(f"{error['field']}: {error['message']}", "error")
    else:
        flash(domain_message(exc), "error")


class BroadcastsView(SecureBaseView):
    @expose("/", methods=["GET", "POST"])
    def index(self) -> Any:
        """The composer (and what its buttons did) above the latest broadcasts."""
        actor = require_dashboard_user()
        form = _form()
        reach: int | None = None
        if request.method == "POST" and form.validate_on_submit():
            try:
                body = BroadcastIn.model_validate(_payload(form))
            except ValidationError as exc:
                for error in pydantic_errors(exc):
                    flash(f"{error['field']}: {error['message']}", "error")
            else:
                action = request.form.get("action", "count")
                button = body.button.button() if body.button else None
                try:
                    if action == "send":
                        broadcast = services.create_broadcast(
                            actor, body.text, body.audience.audience(), button
                        )
                        db.session.commit()
                        flash(_("The broadcast is on its way."), "success")
                        return redirect(url_for(".report", broadcast_id=broadcast.id))
                    if action == "test":
                        services.send_test(actor, body.text, button)
                        db.session.commit()
                        flash(_("A test was sent to your Telegram chat."), "success")
                    reach = services.count_recipients(actor, body.audience.audience())
                except DomainError as exc:
                    _flash_refusal(exc)
        elif request.method == "POST":
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "error")
        recent = services.list_broadcasts(actor, limit=20).items
        reports = [services.report(actor, b.id) for b in recent]
        reach_text = (
            ngettext("It will reach %(num)d person.", "It will reach %(num)d people.", reach)
            if reach is not None
            else None
        )
        return self.render(
            "admin/hub/broadcasts.html",
            form=form,
            reach_text=reach_text,
            reports=reports,
            state_names=STATE_NAMES,
        )

    @expose("/<int:broadcast_id>")
    def report(self, broadcast_id: int) -> Any:
        """One broadcast's delivery so far (reloads itself while sending)."""
        actor = require_dashboard_user()
        try:
            found = services.report(actor, broadcast_id)
        except DomainError as exc:
            flash(domain_message(exc), "error")
            return redirect(url_for(".index"))
        refresh = REFRESH_SECONDS if found.state in ("preparing", "sending") else None
        return self.render(
            "admin/hub/broadcast_report.html", report=found, refresh=refresh, form=ConfirmForm()
        )

    @expose("/<int:broadcast_id>/cancel", methods=["POST"])
    def cancel(self, broadcast_id: int) -> Any:
        actor = require_dashboard_user()
        if ConfirmForm().validate_on_submit():
            try:
                services.cancel(actor, broadcast_id)
                db.session.commit()
                flash(_("The broadcast was cancelled."), "success")
            except DomainError as exc:
                _flash_refusal(exc)
        return redirect(url_for(".report", broadcast_id=broadcast_id))


def register(admin: Admin) -> None:
    admin.add_view(BroadcastsView(name=_l("Broadcasts"), endpoint="broadcasts"))
