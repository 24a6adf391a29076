"""Users and roles over HTTP: who may list, edit, change roles, ban and delete."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for

STAFF_ONLY = [("get", "/api/users")]
ADMIN_ONLY = [
    ("patch", "/api/users/{id}/role", {"role": "teacher"}),
    ("patch", "/api/users/{id}/ban", {"banned": True, "reason": "spam"}),
    ("delete", "/api/users/{id}", None),
]


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_list_is_staff_only(client, make_user, role):
    """Can a student or teacher list users? (No.)"""
    assert client.get("/api/users", headers=headers_for(make_user(role))).status_code == 403


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_list_and_search(client, make_user, role):
    """Can moderators and admins list and search users by name, username or Telegram id?"""
    target = make_user(username="findme", first_name="Zed", telegram_id=555_001)
    headers = headers_for(make_user(role))
    for search in ("findme", "zed", "555001"):
        body = client.get(f"/api/users?search={search}", headers=headers).get_json()
        assert [u["id"] for u in body["items"]] == [target.id]
        assert body["total"] == 1
    page = client.get("/api/users?limit=1&skip=1", headers=headers).get_json()
    assert page["limit"] == 1 and page["skip"] == 1 and page["total"] == 2
    assert len(page["items"]) == 1


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "skip=-1", "role=king"])
def test_list_rejects_bad_paging(client, admin, query):
    """Are out-of-range skip/limit and unknown roles 422?"""
    assert client.get(f"/api/users?{query}", headers=headers_for(admin)).status_code == 422


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
@pytest.mark.parametrize("role", ["student", "teacher", "moderator"])
def test_admin_only_endpoints_refuse_others(client, make_user, role, method, path, body):
    """Are role changes, bans and deletions refused to non-admins?"""
    target = make_user()
    kwargs = {"json": body} if body is not None else {}
    answer = getattr(client, method)(
        path.format(id=target.id), headers=headers_for(make_user(role)), **kwargs
    )
    assert answer.status_code == 403


def test_search_treats_wildcards_literally(client, make_user, admin):
    """Are `%` and `_` in a user search matched literally, not as LIKE wildcards?"""
    underscore = make_user(username="snake_case")
    make_user(username="snakeXcase")

    def ids(term):
        body = client.get("/api/users", query_string={"search": term}, headers=headers_for(admin))
        return {u["id"] for u in body.get_json()["items"]}

    assert ids("e_c") == {underscore.id}
    assert ids("%") == set()


def test_admin_changes_role_bans_and_deletes(client, admin, make_user):
    """Can an admin promote, ban, unban and delete a user?"""
    headers = headers_for(admin)
    target = make_user()
    promoted = client.patch(
        f"/api/users/{target.id}/role", json={"role": "teacher"}, headers=headers
    )
    assert promoted.get_json()["role"] == "teacher"
    banned = client.patch(
        f"/api/users/{target.id}/ban", json={"banned": True, "reason": "x"}, headers=headers
    ).get_json()
    assert banned["is_banned"] is True and banned["ban_reason"] == "x"
    unbanned = client.patch(
        f"/api/users/{target.id}/ban", json={"banned": False}, headers=headers
    ).get_json()
    assert unbanned["is_banned"] is False and unbanned["ban_reason"] is None
    assert client.delete(f"/api/users/{target.id}", headers=headers).status_code == 204
    assert client.get(f"/api/users/{target.id}", headers=headers).status_code == 404


def test_admin_cannot_demote_ban_or_delete_self(client, admin):
    """Can an admin lock themselves out? (No: 409.)"""
    headers = headers_for(admin)
    assert (
        client.patch(
            f"/api/users/{admin.id}/role", json={"role": "student"}, headers=headers
        ).status_code
        == 409
    )
    assert (
        client.patch(
            f"/api/users/{admin.id}/ban", json={"banned": True}, headers=headers
        ).status_code
        == 409
    )
    assert client.delete(f"/api/users/{admin.id}", headers=headers).status_code == 409


def test_users_read_and_edit_themselves_only(client, make_user):
    """Can a student read and edit their own profile but not someone else's?"""
    me, other = make_user(), make_user()
    headers = headers_for(me)
    assert client.get(f"/api/users/{me.id}", headers=headers).status_code == 200
    assert client.get(f"/api/users/{other.id}", headers=headers).status_code == 403
    edited = client.put(f"/api/users/{me.id}", json={"locale": "ru"}, headers=headers)
    assert edited.status_code == 200 and edited.get_json()["locale"] == "ru"
    assert (
        client.put(f"/api/users/{other.id}", json={"locale": "ru"}, headers=headers).status_code
        == 403
    )
    assert (
        client.put(f"/api/users/{me.id}", json={"locale": "xx"}, headers=headers).status_code == 422
    )


def test_unknown_user_is_404(client, admin):
    """Is a missing user a 404 problem?"""
    answer = client.get("/api/users/999999", headers=headers_for(admin))
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


def test_role_cli(runner, make_user, app):
    """Does `flask users role` set a role by Telegram id and by username?"""
    from webapp.extensions import db
    from webapp.users.models import User

    user = make_user(username="cli_user")
    assert runner.invoke(args=["users", "role", str(user.telegram_id), "teacher"]).exit_code == 0
    assert runner.invoke(args=["users", "role", "@cli_user", "moderator"]).exit_code == 0
    with app.app_context():
        assert db.session.get(User, user.id).role == "moderator"
    missing = runner.invoke(args=["users", "role", "nobody", "admin"])
    assert missing.exit_code != 0
