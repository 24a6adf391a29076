"""The dashboard's editor of a kind of choice the admin keeps (`webapp.core.choices`):
market categories (registered by the market's views) and ticket types (by the tickets').

Like the sports catalogue: a form above the list adds a choice or renames one (and may
move it); each row moves up or down, and is deactivated (nothing new may take it; what
has it keeps it and shows its name) or made active again. Nothing is deleted. Every change
goes through the service inside `audited_change`, so the audit log has before and after.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from webapp.admin.access import SecureModelView
from webapp.admin.changes import audited_change
from webapp.admin.formatters import code_column, verbatim
from webapp.admin.forms import ConfirmForm, flash_form_errors
from webapp.core import choices
from webapp.core.choices import Choice
from webapp.extensions import db
from webapp.i18n import choice_name


class ChoiceForm(FlaskForm):
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Regexp(choices.KEY.pattern)],
    )
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=64)])
    name_ru = StringField(_l("Russian name"), validators=[DataRequired(), Length(max=64)])
    position = IntegerField(
        _l("Position"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )


def _name(_view: Any, _context: Any, row: Choice, _name: str) -> str:
    return choice_name(row.kind, row.key)


class ChoiceView(SecureModelView):
    """One kind's choices, in list order: the name in the admin's language, both names
    and whether it may be chosen."""

    kind = ""  # set by each registration
    list_template = "admin/hub/choices_list.html"
    can_view_details = False
    can_set_page_size = False
    page_size = 200
    column_list = ("name", "key", "name_en", "name_ru", "position", "active")
    column_sortable_list = ()
    column_default_sort = [("position", False), ("key", False)]
    column_labels = {
        "name": _l("Display name"),
        "key": _l("Key"),
        "name_en": _l("English name"),
        "name_ru": _l("Russian name"),
        "position": _l("Position"),
        "active": _l("Can be chosen"),
    }
    # The key and each language's name are shown as stored (the editor shows both names).
    column_formatters = {
        "name": _name,
        "key": code_column,
        "name_en": lambda _v, _c, row, _n: verbatim(row.name_en),
        "name_ru": lambda _v, _c, row, _n: verbatim(row.name_ru),
    }

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(Choice, db, *args, **kwargs)

    def get_query(self) -> Any:
        return super().get_query().filter(Choice.kind == self.kind)

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(Choice.kind == self.kind)

    def get_pk_value(self, model: Any) -> Any:
        return model.key

    def render(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("choice_form", ChoiceForm())
        kwargs.setdefault("confirm", ConfirmForm())
        return super().render(template, **kwargs)

    def _back(self) -> Any:
        return redirect(url_for(".index_view"))

    @expose("/save", methods=["POST"])
    def save(self) -> Any:
        """Add a choice, or rename (and move) the one with this key."""
        form = ChoiceForm()
        if not form.validate_on_submit():
            flash_form_errors(form)
            return self._back()
        key = (form.key.data or "").strip()

        def existing() -> Choice | None:
            choices.seed_choices(self.kind)
            return db.session.get(Choice, (self.kind, key))

        audited_change(
            "choice.save",
            load=existing,
            change=lambda actor: choices.save_choice(
                actor,
                self.kind,
                key,
                form.name_en.data or "",
                form.name_ru.data or "",
                form.position.data,
            ),
            describe=choices.describe,
        )
        return self._back()

    def _change(self, action: str, key: str, change: Any) -> Any:
        if ConfirmForm().validate_on_submit():
            audited_change(
                action,
                load=lambda: choices.get_choice(self.kind, key),
                change=change,
                describe=choices.describe,
            )
        return self._back()

    @expose("/<key>/deactivate", methods=["POST"])
    def deactivate(self, key: str) -> Any:
        """No longer offered for new orders (or forms); what has it keeps it."""
        return self._change(
            "choice.deactivate",
            key,
            lambda actor: choices.set_active(actor, self.kind, key, False),
        )

    @expose("/<key>/activate", methods=["POST"])
    def activate(self, key: str) -> Any:
        return self._change(
            "choice.activate", key, lambda actor: choices.set_active(actor, self.kind, key, True)
        )

    @expose("/<key>/up", methods=["POST"])
    def up(self, key: str) -> Any:
        return self._change(
            "choice.move", key, lambda actor: choices.move_choice(actor, self.kind, key, -1)
        )

    @expose("/<key>/down", methods=["POST"])
    def down(self, key: str) -> Any:
        return self._change(
            "choice.move", key, lambda actor: choices.move_choice(actor, self.kind, key, 1)
        )
