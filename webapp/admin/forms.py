"""Dashboard forms (Flask-WTF: each carries a `csrf_token` field) and how a refused form is
reported (`flash_form_errors`)."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice (WTForms 3.3) is not in the stubs yet
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from webapp.users.models import Role

ROLE_CHOICES = [
    SelectChoice(Role.STUDENT.value, _l("student")),
    SelectChoice(Role.TEACHER.value, _l("teacher")),
    SelectChoice(Role.MODERATOR.value, _l("moderator")),
    SelectChoice(Role.ADMIN.value, _l("admin")),
]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])


class BanForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class AccountForm(FlaskForm):
    login = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, '.', '_' and '-' only.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=256)])
    first_name = StringField(_l("Name"), validators=[Optional(), Length(max=128)])
    role = SelectField(
        _l("Role"), choices=ROLE_CHOICES, default=Role.TEACHER.value, validators=[DataRequired()]
    )


class TelegramUserForm(FlaskForm):
    """A Telegram user added by hand (`users.services.create_telegram_user`)."""

    telegram_id = IntegerField(
        _l("Telegram id"), validators=[DataRequired(), NumberRange(min=1, max=2**53 - 1)]
    )
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=128)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=128)])
    username = StringField(_l("Telegram username"), validators=[Optional(), Length(max=65)])
    role = SelectField(
        _l("Role"), choices=ROLE_CHOICES, default=Role.STUDENT.value, validators=[DataRequired()]
    )
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("ru", "Русский"), SelectChoice("en", "English")],
        default="ru",
        validators=[DataRequired()],
    )


class NamesForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=128)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=128)])


class MessageForm(FlaskForm):
    """A personal message to one user (Telegram HTML, checked by the service)."""

    text = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=4096)])


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: the target is in the URL (unban, retry a job…)."""


class ReasonForm(FlaskForm):
    """A refusal with the reason the user is told (reject a ticket form or a problem)."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


def flash_form_errors(form: FlaskForm) -> None:
    """Flash each of the form's errors as "Label: message" (the field's name if unlabelled)."""
    for field, errors in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        for error in errors:
            flash(f"{label.text if label else field}: {error}", "error")
