"""The users view: search; role, ban and unban through the user services; the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.admin.conftest import audit_entries, filter_arg
from webapp.admin.models import AuditEntry
from webapp.database import utcnow
from webapp.extensions import db
from webapp.users.models import Role, User


def entries(app, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        found = list(db.session.scalars(query).unique().all())
        for entry in found:
            db.session.expunge(entry)
        return found


def stored(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_users_list_shows_users(admin_client, make_user):
    """Does the users list show every live user?"""
    make_user(username="alice_tg", first_name="Alice")
    page = admin_client.get("/admin/users/").get_data(as_text=True)
    assert "alice_tg" in page and "Alice" in page


@pytest.mark.parametrize("search", ["777123", "findme", "Zebedee", "zeb", "staffer"])
def test_users_search(admin_client, make_user, search):
    """Can the admin find a user by Telegram id, username, name or login?"""
    make_user(telegram_id=777123, username="findme", first_name="Zebedee", login="staffer")
    make_user(username="someone_else", first_name="Other")
    text = admin_client.get("/admin/users/", query_string={"search": search}).get_data(as_text=True)
    assert "findme" in text and "someone_else" not in text


def test_deleted_users_are_not_listed(admin_client, make_user):
    """Are erased (deleted) accounts left out of the list?"""
    make_user(username="gone_user", deleted_at=utcnow())
    make_user(username="here_user")
    text = admin_client.get("/admin/users/").get_data(as_text=True)
    assert "here_user" in text and "gone_user" not in text


def test_list_filters_by_role(app, admin_client, make_user):
    """Does the role filter narrow the list?"""
    make_user(Role.TEACHER, username="teach_one")
    make_user(Role.STUDENT, username="stud_one")
    arg = filter_arg(app, "users", "Role", "equals")
    text = admin_client.get("/admin/users/", query_string={arg: "teacher"}).get_data(as_text=True)
    assert "teach_one" in text and "stud_one" not in text
    listed = filter_arg(app, "users", "Role", "in list")
    text = admin_client.get("/admin/users/", query_string={listed: "teacher,student"}).get_data(
        as_text=True
    )
    assert "teach_one" in text and "stud_one" in text


def test_unknown_filter_value_is_not_a_500(app, admin_client, make_user):
    """Is a role filter with a made-up role a message, not a server error?"""
    arg = filter_arg(app, "users", "Role", "equals")
    answer = admin_client.get("/admin/users/", query_string={arg: "king"})
    assert answer.status_code == 200
    assert "Invalid Filter Value" in answer.get_data(as_text=True)


@pytest.mark.parametrize(("operation", "listed"), [("greater than", False), ("smaller than", True)])
def test_list_filters_by_date_in_utc(app, admin_client, make_user, operation, listed):
    """Do the date filters work on our UTC columns (aware datetimes, no 500)?"""
    make_user(username="dated_one")
    arg = filter_arg(app, "users", "Created", operation)
    answer = admin_client.get("/admin/users/", query_string={arg: "2999-01-01 00:00:00"})
    assert answer.status_code == 200
    assert ("dated_one" in answer.get_data(as_text=True)) is listed


def test_change_role_is_applied_and_audited(app, admin_client, dashboard_admin, make_user):
    """Does a role change reach the user and the audit log (who, what, before, after)?"""
    target = make_user()
    answer = admin_client.post(f"/admin/users/manage/{target.id}/role", data={"role": "teacher"})
    assert answer.status_code == 302
    assert stored(app, target.id).role == Role.TEACHER
    [entry] = entries(app, "user.role")
    assert entry.actor_id == dashboard_admin.id
    assert (entry.target_type, entry.target_id) == ("users", str(target.id))
    assert entry.before["role"] == "student" and entry.after["role"] == "teacher"
    assert entry.at is not None
    log = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert "user.role" in log and "teacher" in log


def test_ban_and_unban_are_applied_and_audited(app, admin_client, make_user):
    """Can the admin ban with a reason and unban, each in the audit log?"""
    target = make_user()
    url = f"/admin/users/manage/{target.id}"
    admin_client.post(f"{url}/ban", data={"reason": "spam links"})
    banned = stored(app, target.id)
    assert banned.is_banned and banned.ban_reason == "spam links"
    assert "spam links" in admin_client.get(url).get_data(as_text=True)
    admin_client.post(f"{url}/unban")
    unbanned = stored(app, target.id)
    assert not unbanned.is_banned and unbanned.ban_reason is None
    ban, unban = entries(app)
    assert (ban.action, ban.before["is_banned"], ban.after) == (
        "user.ban",
        False,
        {"role": "student", "is_banned": True, "ban_reason": "spam links"},
    )
    assert (unban.action, unban.before["ban_reason"], unban.after["is_banned"]) == (
        "user.unban",
        "spam links",
        False,
    )


def test_banned_user_is_refused_by_the_api(app, admin_client, client, make_user):
    """Does a dashboard ban take effect in the API (the same rule, not a copy)?"""
    from tests.fixtures.users import headers_for

    target = make_user()
    admin_client.post(f"/admin/users/manage/{target.id}/ban", data={"reason": "x"})
    assert client.get("/api/users/me", headers=headers_for(target)).status_code == 200
    answer = client.get("/api/users?limit=1", headers=headers_for(target))
    assert answer.status_code == 403


@pytest.mark.parametrize("change", ["role", "ban"])
def test_the_service_rules_hold_in_the_dashboard(app, admin_client, dashboard_admin, change):
    """Can an admin demote or ban themselves from the dashboard? (No: the service refuses.)"""
    url = f"/admin/users/manage/{dashboard_admin.id}/{change}"
    data = {"role": "student"} if change == "role" else {"reason": "oops"}
    answer = admin_client.post(url, data=data, follow_redirects=True)
    assert answer.status_code == 200
    assert "cannot" in answer.get_data(as_text=True)
    me = stored(app, dashboard_admin.id)
    assert me.role == Role.ADMIN and not me.is_banned
    assert entries(app) == []


def test_unknown_role_is_refused(app, admin_client, make_user):
    """Is a role that does not exist refused without a change or an entry?"""
    target = make_user()
    admin_client.post(f"/admin/users/manage/{target.id}/role", data={"role": "king"})
    assert stored(app, target.id).role == Role.STUDENT
    assert entries(app) == []


def test_unknown_user_is_404(admin_client):
    """Is a missing user a 404 page, for the page and for a change?"""
    assert admin_client.get("/admin/users/manage/999999").status_code == 404
    answer = admin_client.post(
        "/admin/users/manage/999999/role", data={"role": "teacher"}, follow_redirects=False
    )
    assert answer.status_code == 302  # refused with a message, never a 500


def test_create_a_staff_account(app, admin_client):
    """Can an admin create a teacher's password account, in the audit log, that signs in?"""
    form = {"login": "new.teacher", "password": "a long password", "role": "teacher"}
    answer = admin_client.post("/admin/users/new-account", data=form)
    assert answer.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).where(User.login == "new.teacher")).one()
        assert user.role == Role.TEACHER and user.check_password("a long password")
    [entry] = entries(app, "user.create")
    assert entry.before is None and entry.after["login"] == "new.teacher"
    again = admin_client.post("/admin/users/new-account", data=form, follow_redirects=True)
    assert "This username is taken." in again.get_data(as_text=True)
    assert len(entries(app, "user.create")) == 1


@pytest.mark.parametrize(
    "form",
    [
        {"login": "x", "password": "a long password", "role": "teacher"},
        {"login": "bad login!", "password": "a long password", "role": "teacher"},
        {"login": "shortpass", "password": "short", "role": "teacher"},
    ],
)
def test_bad_account_forms_are_refused(app, admin_client, form):
    """Are too-short logins, odd characters and short passwords refused with the form?"""
    answer = admin_client.post("/admin/users/new-account", data=form)
    assert answer.status_code == 200
    assert "invalid-feedback" in answer.get_data(as_text=True)
    assert entries(app) == []


def test_dashboard_home_shows_latest_changes(admin_client, make_user):
    """Does the dashboard home list the latest audited change?"""
    target = make_user()
    admin_client.post(f"/admin/users/manage/{target.id}/role", data={"role": "moderator"})
    home = admin_client.get("/admin/").get_data(as_text=True)
    assert "user.role" in home and "moderator" in home


def test_dashboard_speaks_the_admins_language(app, admin_client, dashboard_admin):
    """Is the dashboard in Russian for an admin who chose Russian (ours and Flask-Admin's)?"""
    assert "Sign out" in admin_client.get("/admin/users/").get_data(as_text=True)
    with app.app_context():
        db.session.get(User, dashboard_admin.id).locale = "ru"
        db.session.commit()
    page = admin_client.get("/admin/users/").get_data(as_text=True)
    assert "Выйти" in page and "Пользователи" in page  # our catalog
    assert "Список" in page  # Flask-Admin's own ("List")


def test_an_admin_changes_a_users_names(app, admin_client, make_user):
    """Do the user page's name fields change the names through the users service, with the
    before/after in the audit log, and is an empty first name refused?"""
    user = make_user(first_name="Old", last_name="Name")
    page = f"/admin/users/manage/{user.id}"
    html = admin_client.post(
        f"{page}/names", data={"first_name": " Vera ", "last_name": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Names changed." in html
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert (stored.first_name, stored.last_name) == ("Vera", "")
    [entry] = audit_entries(app, "user.names")
    assert entry.before == {"first_name": "Old", "last_name": "Name"}
    assert entry.after == {"first_name": "Vera", "last_name": ""}
    admin_client.post(f"{page}/names", data={"first_name": "", "last_name": "x"})
    with app.app_context():
        assert db.session.get(User, user.id).first_name == "Vera"


# --- adding a Telegram user by hand ----------------------------------------------------------

NEW_USER = {
    "telegram_id": "555000111",
    "first_name": "Анна",
    "last_name": "Петрова",
    "username": "@anna_p",
    "role": "teacher",
    "language": "ru",
}


def test_add_a_telegram_user_by_hand(app, admin_client, client):
    """Does the form add a Telegram user with their names, role and language (through the
    service), audit it, and do they then sign in to the Mini App as that same user?"""
    from tests.fixtures.users import tma_headers

    page = admin_client.get("/admin/users/new-telegram-user")
    assert page.status_code == 200 and 'data-testid="telegram-user-form"' in page.get_data(
        as_text=True
    )
    answer = admin_client.post("/admin/users/new-telegram-user", data=NEW_USER)
    assert answer.status_code == 302 and "/admin/users/manage/" in answer.location
    with app.app_context():
        user = db.session.scalars(select(User).where(User.telegram_id == 555000111)).one()
        assert (user.first_name, user.last_name, user.username) == ("Анна", "Петрова", "anna_p")
        assert (user.role, user.language_code) == (Role.TEACHER, "ru")
        user_id = user.id
    [entry] = audit_entries(app, "user.create_telegram")
    assert entry.before is None and entry.after["telegram_id"] == 555000111
    assert entry.after["role"] == "teacher" and entry.target_id == str(user_id)
    me = client.get("/api/users/me", headers=tma_headers(555000111))
    assert me.status_code == 200 and me.get_json()["id"] == user_id


def test_a_taken_telegram_id_is_an_error_on_its_field(app, admin_client, make_user):
    """Is a Telegram id another user has refused with a message under that field (the
    form kept, nothing written, nothing audited)?"""
    make_user(telegram_id=555000222, first_name="Taken")
    answer = admin_client.post(
        "/admin/users/new-telegram-user",
        data={**NEW_USER, "telegram_id": "555000222"},
        headers={"Accept-Language": "en"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'data-testid="error-telegram_id"' in html
    assert "A user with this Telegram id exists already." in html
    assert 'value="Анна"' in html  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(User.first_name).where(User.telegram_id == 555000222)) == (
            "Taken"
        )
    assert audit_entries(app, "user.create_telegram") == []


@pytest.mark.parametrize(
    "field, value",
    [("username", "not a name!"), ("first_name", " "), ("telegram_id", "0")],
)
def test_bad_telegram_user_forms_are_refused(app, admin_client, field, value):
    """Are a bad username, a blank name and a non-positive id refused, nothing added?"""
    answer = admin_client.post("/admin/users/new-telegram-user", data={**NEW_USER, field: value})
    assert answer.status_code == 200 and "is-invalid" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.first_name == "Анна")) is None


def test_only_admins_add_telegram_users(app, make_user):
    """Does the service itself refuse a moderator?"""
    from webapp.errors import Forbidden
    from webapp.users import services as users

    moderator = make_user(Role.MODERATOR)
    data = users.TelegramUserData(telegram_id=555000333, first_name="X")
    with app.app_context(), pytest.raises(Forbidden):
        users.create_telegram_user(moderator, data, ("en", "ru"))
