"""Users: list and search; change role, ban and unban, create staff accounts and add
Telegram users by hand.

Every change calls `webapp.users.services` (which holds the rules: admins only, never
oneself) through `audited_change`, so it is also in the audit log.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app, flash, redirect, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from webapp.admin.access import SecureModelView, require_dashboard_user
from webapp.admin.audit import snapshot
from webapp.admin.broadcasts import services as broadcasts
from webapp.admin.changes import audited_change, domain_message
from webapp.admin.formatters import code
from webapp.admin.forms import (
    AccountForm,
    BanForm,
    ConfirmForm,
    MessageForm,
    NamesForm,
    RoleForm,
    TelegramUserForm,
    flash_form_errors,
)
from webapp.admin.labels import MESSAGE_STATUS_NAMES
from webapp.admin.models import AuditEntry
from webapp.admin.services import create_staff_account
from webapp.cities import get_city
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.users import services as users
from webapp.users.models import Role, User
from webapp.users.profile import level_name, sport_choices
from webapp.users.time_zones import zone_label

AUDITED_FIELDS = ("role", "is_banned", "ban_reason")


def describe(user: User) -> dict[str, Any]:
    return snapshot(user, AUDITED_FIELDS)


def describe_telegram_user(user: User) -> dict[str, Any]:
    fields = ("telegram_id", "first_name", "last_name", "username", "language_code")
    return {**snapshot(user, fields), **describe(user)}


def language_name(code_: str | None) -> str | Markup:
    """ "ru" → «Русский» / "Russian", in the admin's language (a code Babel does not know
    is shown as the code it is)."""
    if not code_:
        return ""
    try:
        name = Locale.parse(code_.replace("-", "_")).get_display_name(get_locale())
    except (UnknownLocaleError, ValueError):
        return code(code_)
    return name[:1].upper() + name[1:] if name else code(code_)


def _language(_view: Any, _context: Any, user: User, name: str) -> str | Markup:
    return language_name(getattr(user, name))


def _time_zone(_view: Any, _context: Any, user: User, _name: str) -> str:
    return zone_label(user.time_zone) if user.time_zone else ""


def _level(_view: Any, _context: Any, user: User, _name: str) -> str:
    return level_name(user.level)


def _city(_view: Any, _context: Any, user: User, _name: str) -> str:
    if user.city_id is None:
        return ""
    city = get_city(user.city_id)
    return city.name(str(get_locale())) if city is not None else f"#{user.city_id}"


def _sports(_view: Any, _context: Any, user: User, _name: str) -> str:
    names = sport_choices()
    return ", ".join(names.get(key, key) for key in user.sports or ())


class UserView(SecureModelView):
    column_list = (
        "id",
        "telegram_id",
        "username",
        "login",
        "first_name",
        "last_name",
        "role",
        "is_banned",
        "last_seen_at",
        "created_at",
    )
    # A profile's keys and codes, shown by their names in the admin's language.
    column_formatters = {
        "language_code": _language,
        "locale": _language,
        "time_zone": _time_zone,
        "level": _level,
        "city_id": _city,
        "sports": _sports,
    }
    column_searchable_list = ("telegram_id", "username", "first_name", "last_name", "login")
    column_filters = ("role", "is_banned", "created_at", "last_seen_at")
    column_default_sort = ("id", True)
    column_labels = {
        "language_code": _l("Language"),
        "locale": _l("Interface language"),
        "time_zone": _l("Time zone"),
        "time_zone_chosen": _l("Time zone chosen"),
        "photo_url": _l("Photo"),
        "is_premium": _l("Telegram Premium"),
        "city_id": _l("City"),
        "sports": _l("Sports"),
        "level": _l("Level"),
        "about": _l("About"),
        "telegram_id": _l("Telegram id"),
        "username": _l("Username"),
        "login": _l("Login"),
        "first_name": _l("First name"),
        "last_name": _l("Last name"),
        "role": _l("Role"),
        "is_banned": _l("Banned"),
        "ban_reason": _l("Ban reason"),
        "last_seen_at": _l("Last seen"),
        "created_at": _l("Created"),
    }
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-cog", ".manage", title=_l("Role and ban"), id_arg="user_id")
    ]
    list_template = "admin/hub/users_list.html"

    def get_query(self) -> Any:
        return super().get_query().filter(User.deleted_at.is_(None))

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(User.deleted_at.is_(None))

    @expose("/manage/<int:user_id>")
    def manage(self, user_id: int) -> Any:
        """One user: role and ban forms, and what the audit log says about them."""
        user = users.get_user(user_id)
        history = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == User.__tablename__)
            .where(AuditEntry.target_id == str(user.id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(50)
        ).all()
        return self.render(
            "admin/hub/user_manage.html",
            user=user,
            role_form=RoleForm(role=user.role.value),
            ban_form=BanForm(reason=user.ban_reason),
            message_form=MessageForm(),
            names_form=NamesForm(first_name=user.first_name, last_name=user.last_name),
            messages=broadcasts.messages_to(require_dashboard_user(), user),
            status_names=MESSAGE_STATUS_NAMES,
            history=history,
        )

    @expose("/manage/<int:user_id>/names", methods=["POST"])
    def change_names(self, user_id: int) -> Any:
        """First and last name, through the users service (admins may edit anyone's)."""
        form = NamesForm()
        if form.validate_on_submit():
            changes = users.ProfileChanges(
                first_name=(form.first_name.data or "").strip(),
                last_name=(form.last_name.data or "").strip(),
            )
            audited_change(
                "user.names",
                load=lambda: users.get_user(user_id),
                change=lambda actor: users.update_profile(actor, user_id, changes),
                describe=lambda user: snapshot(user, ("first_name", "last_name")),
                done=_("Names changed."),
            )
        else:
            flash_form_errors(form)
        return redirect(url_for(".manage", user_id=user_id))

    @expose("/manage/<int:user_id>/message", methods=["POST"])
    def message(self, user_id: int) -> Any:
        """A personal message (Telegram HTML) through the bot's outbox, in the audit log."""
        form = MessageForm()
        if form.validate_on_submit():
            text = form.text.data or ""
            audited_change(
                "user.message",
                load=None,
                change=lambda actor: broadcasts.message_user(actor, user_id, text),
                describe=lambda _user: {"text": text},
                done=_("Message queued."),
            )
        else:
            flash_form_errors(form)
        return redirect(url_for(".manage", user_id=user_id))

    @expose("/manage/<int:user_id>/role", methods=["POST"])
    def change_role(self, user_id: int) -> Any:
        form = RoleForm()
        if form.validate_on_submit():
            audited_change(
                "user.role",
                load=lambda: users.get_user(user_id),
                change=lambda actor: users.set_role(actor, user_id, Role(form.role.data)),
                describe=describe,
                done=_("Role changed."),
            )
        else:
            flash_form_errors(form)
        return redirect(url_for(".manage", user_id=user_id))

    @expose("/manage/<int:user_id>/ban", methods=["POST"])
    def ban(self, user_id: int) -> Any:
        form = BanForm()
        if form.validate_on_submit():
            audited_change(
                "user.ban",
                load=lambda: users.get_user(user_id),
                change=lambda actor: users.set_ban(actor, user_id, True, form.reason.data),
                describe=describe,
                done=_("User banned."),
            )
        else:
            flash_form_errors(form)
        return redirect(url_for(".manage", user_id=user_id))

    @expose("/manage/<int:user_id>/unban", methods=["POST"])
    def unban(self, user_id: int) -> Any:
        if ConfirmForm().validate_on_submit():
            audited_change(
                "user.unban",
                load=lambda: users.get_user(user_id),
                change=lambda actor: users.set_ban(actor, user_id, False, None),
                describe=describe,
                done=_("User unbanned."),
            )
        return redirect(url_for(".manage", user_id=user_id))

    @expose("/new-account", methods=["GET", "POST"])
    def new_account(self) -> Any:
        """Create a password account (an admin or a teacher who works from a browser)."""
        form = AccountForm()
        if form.validate_on_submit():
            created = audited_change(
                "user.create",
                load=None,
                change=lambda actor: create_staff_account(
                    actor,
                    form.login.data or "",
                    form.password.data or "",
                    first_name=form.first_name.data or "",
                    role=Role(form.role.data),
                ),
                describe=lambda user: {"login": user.login, **describe(user)},
                done=_("Account created."),
            )
            if created is not None:
                return redirect(url_for(".manage", user_id=created.id))
        return self.render("admin/hub/new_account.html", form=form)

    @expose("/new-telegram-user", methods=["GET", "POST"])
    def new_telegram_user(self) -> Any:
        """Add a Telegram user by hand (their Telegram id, names, role and language); a
        Telegram id another user has is an error on its field."""
        form = TelegramUserForm()
        if form.validate_on_submit():

            def show_on_fields(exc: DomainError) -> None:
                for error in exc.errors or []:
                    field = getattr(form, str(error.get("field")), None)
                    if field is not None:
                        field.errors = [*field.errors, str(error.get("message", ""))]
                if not exc.errors:
                    flash(domain_message(exc), "error")

            data = users.TelegramUserData(
                telegram_id=int(form.telegram_id.data or 0),
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or None,
                username=form.username.data or None,
                role=Role(form.role.data),
                language=form.language.data,
            )
            created = audited_change(
                "user.create_telegram",
                load=None,
                change=lambda actor: users.create_telegram_user(
                    actor, data, current_app.config["LANGUAGES"]
                ),
                describe=describe_telegram_user,
                done=_("User added."),
                refused=show_on_fields,
            )
            if created is not None:
                return redirect(url_for(".manage", user_id=created.id))
        return self.render("admin/hub/new_telegram_user.html", form=form)


def register(admin: Admin) -> None:
    admin.add_view(UserView(User, db, name=_l("Users"), endpoint="users"))
