"""Preferences: reading them back (`GET /api/users/me/preferences` and
`/notification-settings`), and the instant-mode cooldown between two announcements to one
executor (`MARKET_INSTANT_COOLDOWN_MINUTES`, 5 to 15, default 5), tested with explicit
times, never by waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures.users import headers_for
from tests.market.conftest import order_fields
from tests.market.test_concurrency import all_at_once, make_users, pg_app
from tests.market.test_notifications import subscribe
from webapp.config import ConfigError
from webapp.database import utcnow
from webapp.extensions import db
from webapp.market import services
from webapp.market.cities import resolve_city
from webapp.market.config import market_config
from webapp.market.models import Preferences
from webapp.outbox import queued_for
from webapp.users.models import User

__all__ = ["pg_app"]  # the PostgreSQL/SQLite app fixture of the concurrency tests


def test_preferences_read_back(client, make_user):
    """Does GET /api/users/me/preferences answer the defaults before any choice (storing
    nothing) and what PUT stored after?"""
    user = make_user()
    headers = headers_for(user)
    body = client.get("/api/users/me/preferences", headers=headers).get_json()
    assert body["categories"] == [] and body["cities"] == [] and body["frequency"] == "instant"
    chosen = {"categories": ["repair", "courier"], "cities": ["Kazan"]}
    assert client.put("/api/users/me/preferences", json=chosen, headers=headers).status_code == 200
    body = client.get("/api/users/me/preferences", headers=headers).get_json()
    assert body["categories"] == ["courier", "repair"] and body["cities"] == ["Kazan"]


def test_reading_preferences_stores_nothing(app, client, make_user):
    """Does a GET leave no preferences row behind (reading writes nothing)?"""
    user = make_user()
    client.get("/api/users/me/preferences", headers=headers_for(user))
    client.get("/api/users/me/notification-settings", headers=headers_for(user))
    with app.app_context():
        assert db.session.get(Preferences, user.id) is None


def test_notification_settings_read_back(app, client, make_user):
    """Does GET /api/users/me/notification-settings answer the frequency and the cooldown,
    and does PUT answer the same shape?"""
    user = make_user()
    headers = headers_for(user)
    body = client.get("/api/users/me/notification-settings", headers=headers).get_json()
    assert body["frequency"] == "instant" and body["instant_cooldown_minutes"] == 5
    app.config["MARKET_INSTANT_COOLDOWN_MINUTES"] = 12
    put = client.put(
        "/api/users/me/notification-settings", json={"frequency": "daily"}, headers=headers
    )
    assert put.status_code == 200
    assert (
        put.get_json()["frequency"] == "daily" and put.get_json()["instant_cooldown_minutes"] == 12
    )
    body = client.get("/api/users/me/notification-settings", headers=headers).get_json()
    assert body["frequency"] == "daily"


@pytest.mark.parametrize("what", ["preferences", "notification-settings"])
def test_reading_needs_sign_in(client, what):
    """Is reading someone's preferences without sign-in a 401?"""
    assert client.get(f"/api/users/me/{what}").status_code == 401


def test_cooldown_setting_is_5_to_15_minutes():
    """Is the cooldown 5 minutes by default, and a value outside 5 to 15 refused at start?"""
    assert market_config({})["MARKET_INSTANT_COOLDOWN_MINUTES"] == 5
    assert (
        market_config({"MARKET_INSTANT_COOLDOWN_MINUTES": "15"})["MARKET_INSTANT_COOLDOWN_MINUTES"]
        == 15
    )
    for wrong in ("4", "16", "x"):
        with pytest.raises(ConfigError):
            market_config({"MARKET_INSTANT_COOLDOWN_MINUTES": wrong})


def post_at(app, client_user: User, when, **fields) -> str:
    """Post an order as if at `when` (the service takes the clock)."""
    with app.app_context():
        user = db.session.get(User, client_user.id)
        draft = services.OrderDraft(**order_fields(**fields))
        order = services.create_order(user, draft, now=when)
        db.session.commit()
        return order.id


def announced(app, user: User) -> int:
    with app.app_context():
        return sum(m.text.startswith("New urgent job") for m in queued_for(user.telegram_id))


def test_instant_cooldown_between_two_announcements(app, client, make_user):
    """After an announcement, is the next order within the cooldown (5 minutes) not sent to
    that executor, the first one at 5 minutes sent, and another executor unaffected?"""
    executor, fresh = make_user(), make_user()
    subscribe(client, executor, ["courier", "repair"], ["Moscow"])
    clients = [make_user() for _ in range(3)]
    start = utcnow()

    post_at(app, clients[0], start)
    assert announced(app, executor) == 1
    post_at(app, clients[1], start + timedelta(minutes=4, seconds=59))
    assert announced(app, executor) == 1  # within the cooldown
    subscribe(client, fresh, ["courier"], ["Moscow"])
    post_at(app, clients[2], start + timedelta(minutes=5))
    assert announced(app, executor) == 2  # the cooldown has passed
    assert announced(app, fresh) == 1  # its own cooldown, not the other executor's


def test_cooldown_follows_the_setting(app, client, make_user):
    """With the cooldown set to 10 minutes, is an order 6 minutes after an announcement not
    sent, and one 10 minutes after sent?"""
    app.config["MARKET_INSTANT_COOLDOWN_MINUTES"] = 10
    executor = make_user()
    subscribe(client, executor, ["courier"], ["Moscow"])
    owner = make_user()
    start = utcnow()
    post_at(app, owner, start)
    post_at(app, owner, start + timedelta(minutes=6))
    assert announced(app, executor) == 1
    post_at(app, owner, start + timedelta(minutes=10))
    assert announced(app, executor) == 2


def test_an_order_nobody_matches_does_not_start_a_cooldown(app, client, make_user):
    """Does an order in another city leave the executor's cooldown untouched?"""
    executor = make_user()
    subscribe(client, executor, ["courier"], ["Moscow"])
    owner = make_user()
    start = utcnow()
    post_at(app, owner, start, city="Kazan")
    post_at(app, owner, start + timedelta(minutes=1))
    assert announced(app, executor) == 1


def test_orders_posted_at_once_announce_once_per_cooldown(pg_app):
    """When ten clients post matching orders at the same moment, does each instant
    subscriber get exactly one announcement (PostgreSQL row locks; SQLite's guard)?"""
    clients = make_users(pg_app, 10)
    subscribers = make_users(pg_app, 3)
    with pg_app.app_context():
        moscow = resolve_city("Moscow")
        assert moscow is not None
        for user in subscribers:
            prefs = Preferences(user_id=user.id, categories=["courier"], city_ids=[moscow.id])
            db.session.add(prefs)
        db.session.commit()

    def post(i: int) -> int:
        return (
            pg_app.test_client()
            .post("/api/orders", json=order_fields(), headers=headers_for(clients[i]))
            .status_code
        )

    assert all_at_once(10, post) == [201] * 10
    with pg_app.app_context():
        for user in subscribers:
            texts = [m.text for m in queued_for(user.telegram_id)]
            assert len(texts) == 1, texts


def test_own_cooldown_is_read_back_and_checked(client, make_user):
    """May a user choose their own cooldown of 5 to 15 minutes (a 422 naming the field
    outside it), kept when a PUT leaves it out, and back to the deployment's with null?"""
    headers = headers_for(make_user())
    path = "/api/users/me/notification-settings"

    def put(body):
        return client.put(path, json=body, headers=headers)

    chosen = put({"frequency": "instant", "instant_cooldown_minutes": 12})
    assert chosen.status_code == 200
    assert chosen.get_json()["instant_cooldown_minutes"] == 12
    assert chosen.get_json()["own_instant_cooldown"] is True
    for wrong in (4, 16, "10", 7.5):
        refused = put({"frequency": "instant", "instant_cooldown_minutes": wrong})
        assert refused.status_code == 422, wrong
        assert refused.get_json()["errors"][0]["field"].endswith("instant_cooldown_minutes")
    assert put({"frequency": "daily"}).get_json()["instant_cooldown_minutes"] == 12
    body = client.get(path, headers=headers).get_json()
    assert (body["frequency"], body["instant_cooldown_minutes"]) == ("daily", 12)
    reset = put({"frequency": "instant", "instant_cooldown_minutes": None}).get_json()
    assert (reset["instant_cooldown_minutes"], reset["own_instant_cooldown"]) == (5, False)


def test_the_service_refuses_a_cooldown_outside_5_to_15(app, make_user):
    """Does the service itself (whatever calls it) refuse 4 and 16 minutes with a 422?"""
    from webapp.errors import ValidationFailed
    from webapp.market import preferences
    from webapp.market.models import Frequency

    user = make_user()
    with app.app_context():
        for wrong in (4, 16):
            with pytest.raises(ValidationFailed):
                preferences.set_frequency(db.session.get(User, user.id), Frequency.INSTANT, wrong)
        db.session.rollback()


def test_each_executor_hears_after_their_own_cooldown(app, client, make_user):
    """With one executor on the deployment's 5 minutes and another on their own 15, is an
    order 5 minutes after the first sent only to the first, and one at 15 to both?"""
    default, patient = make_user(), make_user()
    for executor in (default, patient):
        subscribe(client, executor, ["courier"], ["Moscow"])
    own = {"frequency": "instant", "instant_cooldown_minutes": 15}
    path = "/api/users/me/notification-settings"
    assert client.put(path, json=own, headers=headers_for(patient)).status_code == 200
    owner = make_user()
    start = utcnow()
    post_at(app, owner, start)
    post_at(app, owner, start + timedelta(minutes=5))
    assert (announced(app, default), announced(app, patient)) == (2, 1)
    post_at(app, owner, start + timedelta(minutes=14, seconds=59))
    assert announced(app, patient) == 1
    post_at(app, owner, start + timedelta(minutes=15))
    assert (announced(app, default), announced(app, patient)) == (3, 2)


def test_the_me_page_chooses_the_cooldown(client, make_user):
    """Does /me offer the cooldown (the deployment's or 5 to 15 minutes), save a choice, and
    refuse one outside the range with a 422 and the reason, changing nothing?"""
    user = make_user()
    headers = {**headers_for(user), "HX-Request": "true"}
    page = client.get("/me", headers=headers_for(user)).get_data(as_text=True)
    assert 'name="instant_cooldown_minutes"' in page and '<option value="15"' in page
    fields = {"categories": ["courier"], "cities": ["Moscow"], "frequency": "instant"}
    saved = client.post(
        "/me/subscriptions", data={**fields, "instant_cooldown_minutes": "10"}, headers=headers
    )
    assert saved.status_code == 200 and '<option value="10" selected' in saved.get_data(
        as_text=True
    )
    refused = client.post(
        "/me/subscriptions", data={**fields, "instant_cooldown_minutes": "30"}, headers=headers
    )
    assert refused.status_code == 422 and "at most 15" in refused.get_data(as_text=True)
    settings = client.get("/api/users/me/notification-settings", headers=headers_for(user))
    assert settings.get_json()["instant_cooldown_minutes"] == 10
