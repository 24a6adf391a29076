"""Who may open the dashboard, and the base views that check it.

Access needs all of: a Flask-Login session, a user who may use the dashboard
(`services.may_use_dashboard`), and a session marked by `/admin/login` for that user.
So a Mini App session of an admin (signed in with `initData`) does not open the dashboard.
Every view — the index too, which Flask-Admin would otherwise leave open — checks it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, cast

from flask import abort, g, redirect, request, session, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.model import typefmt
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from webapp.admin.filters import HubFilterConverter
from webapp.admin.labels import enum_label
from webapp.admin.services import may_use_dashboard
from webapp.extensions import db
from webapp.i18n import local_datetime, select_timezone
from webapp.users.models import User
from webapp.users.time_zones import zone_label

ADMIN_URL = "/admin"  # where the dashboard lives; every view and the sign-in sit under it

SESSION_KEY = "admin_auth"


def mark_session(user: User) -> None:
    """Remember that `user` signed in through the dashboard's own password form."""
    session[SESSION_KEY] = user.id


def clear_session() -> None:
    session.pop(SESSION_KEY, None)


def dashboard_user() -> User | None:
    """The signed-in dashboard user of this request, or None."""
    if not current_user.is_authenticated:
        return None
    user = cast(User, current_user._get_current_object())
    if session.get(SESSION_KEY) != user.id or not may_use_dashboard(user):
        return None
    g.user = user  # the locale follows the admin's language
    return user


def require_dashboard_user() -> User:
    user = dashboard_user()
    if user is None:  # pragma: no cover - every view checks access before it runs
        abort(403)
    return user


class AccessMixin:
    """`is_accessible` for every dashboard view; strangers go to the sign-in form."""

    def is_accessible(self) -> bool:
        return dashboard_user() is not None

    def inaccessible_callback(self, name: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and session.get(SESSION_KEY) == current_user.id:
            abort(403)  # signed in here once, but no longer an admin (demoted or banned)
        # Back to the page after signing in; a POST cannot be replayed, so it has no `next`.
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin_auth.login", next=back))


class SecureIndexView(AccessMixin, AdminIndexView):
    """The dashboard home: a few counts and the latest audit entries."""

    @expose("/")
    def index(self) -> Any:
        from webapp.admin.models import AuditEntry

        counts = {
            "users": db.session.scalar(
                select(func.count()).select_from(User).where(User.deleted_at.is_(None))
            ),
            "banned": db.session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.is_banned.is_(True), User.deleted_at.is_(None))
            ),
        }
        recent = db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)
        ).all()
        return self.render(self._template, counts=counts, recent=recent)


def dashboard_zone() -> str:
    """The time zone the dashboard's times are in, as the navigation bar names it: the
    admin's own ("Владивосток (+10:00)"), or UTC for an admin without one."""
    name = select_timezone()
    return zone_label(name) if name != "UTC" else "UTC"


def _local(_view: Any, value: datetime, _name: str) -> str:
    """A time in the admin's zone, as every page writes one (the zone is named in the
    navigation bar)."""
    return local_datetime(value)


def _enum(_view: Any, value: enum.Enum, _name: str) -> str:
    return enum_label(value)


def _bool(_view: Any, value: bool, _name: str) -> Markup:
    """Flask-Admin's check or minus icon, its title in the admin's language."""
    icon, title = ("fa-check-circle", _("Yes")) if value else ("fa-minus-circle", _("No"))
    return Markup('<span class="fa {}" title="{}"></span>').format(icon, title)


# Columns many models share, named once (a view's own `column_labels` come first).
COMMON_LABELS = {
    "id": _l("ID"),
    "created_at": _l("Created"),
    "updated_at": _l("Updated"),
    "deleted_at": _l("Deleted"),
    "version": _l("Version"),
}


# Columns no dashboard view shows, lists, exports, filters, sorts or searches, whatever a
# view configures: a password's hash, the calendar feed's secret (its URL is the key to
# someone's schedule) and the session version (part of every session id).
SECRET_COLUMNS = frozenset({"password_hash", "calendar_secret", "session_version"})


class SecureModelView(AccessMixin, ModelView):
    """Base of every model view: read-only unless a view adds audited actions.

    Flask-Admin's own create/edit/delete forms would write rows past the services, so
    they stay off; changes are `@expose`d endpoints that call a service and `audited()`.
    """

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    list_template = "admin/hub/model_list.html"  # rows fold into cards on a phone
    can_set_page_size = True
    page_size = 50
    filter_converter = HubFilterConverter()
    column_type_formatters = {
        **typefmt.BASE_FORMATTERS,
        bool: _bool,
        datetime: _local,
        enum.Enum: _enum,
    }
    column_type_formatters_detail = {
        **typefmt.DETAIL_FORMATTERS,
        bool: _bool,
        datetime: _local,
        enum.Enum: _enum,
    }

    # A download keeps the stored value (what imports and scripts read).
    column_type_formatters_export = {
        **typefmt.EXPORT_FORMATTERS,
        enum.Enum: lambda _view, value, _name: value.value,
    }

    def get_column_name(self, field: str) -> Any:
        """The view's label, else a shared one, else Flask-Admin's prettified name (lazy:
        the names are read once, when the view is built, and shown in each admin's language)."""
        if self.column_labels and field in self.column_labels:
            return self.column_labels[field]
        if field in COMMON_LABELS:
            return COMMON_LABELS[field]
        return super().get_column_name(field)

    def get_column_names(self, only_columns: Any, excluded_columns: Any) -> Any:
        """Flask-Admin's columns of a list, a details page or an export, less the secrets."""
        names = super().get_column_names(only_columns, excluded_columns)
        return [(name, label) for name, label in names if name not in SECRET_COLUMNS]

    def get_sortable_columns(self) -> Any:
        sortable = super().get_sortable_columns()
        return {name: column for name, column in sortable.items() if name not in SECRET_COLUMNS}

    def scaffold_filters(self, name: Any) -> Any:
        if isinstance(name, str) and name in SECRET_COLUMNS:
            raise ValueError(f"{name} is a secret: no dashboard filter may read it")
        return super().scaffold_filters(name)

    def init_search(self) -> bool:
        searchable = {str(column) for column in self.column_searchable_list or ()}
        if searchable & SECRET_COLUMNS:
            raise ValueError(f"{searchable & SECRET_COLUMNS} are secrets: no search may read them")
        return super().init_search()

    def scaffold_form(self) -> Any:
        """Create and edit are off, so there is no model form to build (every app start,
        and so every test, would pay for it)."""
        if self.can_create or self.can_edit:
            return super().scaffold_form()
        return self.form_base_class


class SecureBaseView(AccessMixin, BaseView):
    """Base of every custom (non-model) dashboard page."""
