"""Announcements of new orders: instant to matching subscribers, hourly/daily digests once
per period, nothing for `off`, for non-matching preferences or for the client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs import market as market_jobs
from tests.fixtures.users import headers_for
from tests.market.conftest import shift_order
from webapp.extensions import db
from webapp.market import notifications
from webapp.market.models import Frequency
from webapp.outbox import queued_for


def subscribe(client, user, categories, cities, frequency="instant"):
    headers = headers_for(user)
    prefs = {"categories": categories, "cities": cities}
    assert client.put("/api/users/me/preferences", json=prefs, headers=headers).status_code == 200
    settings = {"frequency": frequency}
    answer = client.put("/api/users/me/notification-settings", json=settings, headers=headers)
    assert answer.status_code == 200


def messages(app, user):
    with app.app_context():
        return [(m.text, m.reply_markup) for m in queued_for(user.telegram_id)]


def test_instant_announcement_reaches_matching_subscribers(app, client, make_user, post_order):
    """Does a new order reach instant subscribers of its category AND city, and nobody else?"""
    owner = make_user()
    match, wrong_city, wrong_category, silent, hourly = (make_user() for _ in range(5))
    subscribe(client, match, ["courier", "repair"], ["Moscow"])
    subscribe(client, wrong_city, ["courier"], ["Kazan"])
    subscribe(client, wrong_category, ["repair"], ["Moscow"])
    subscribe(client, silent, ["courier"], ["Moscow"], "off")
    subscribe(client, hourly, ["courier"], ["Moscow"], "hourly")
    subscribe(client, owner, ["courier"], ["Moscow"])

    order = post_order(owner)

    sent = messages(app, match)
    assert len(sent) == 1
    text, markup = sent[0]
    assert "Courier" in text and "Moscow" in text  # the category's display name
    assert "+7" not in text  # never the contact
    button = markup["inline_keyboard"][0][0]
    assert button["web_app"]["url"].endswith(f"/orders/{order['id']}")
    for user in (wrong_city, wrong_category, silent, hourly, owner):
        assert messages(app, user) == []


def test_announcement_speaks_the_subscribers_language(app, client, make_user, post_order):
    """Is a Russian-speaking subscriber told in Russian?"""
    russian = make_user(language_code="ru")
    subscribe(client, russian, ["courier"], ["Moscow"])
    post_order(make_user())
    ((text, _),) = messages(app, russian)
    assert text.startswith("Новая срочная работа")


def test_empty_preferences_subscribe_to_nothing(app, client, make_user, post_order):
    """Does a user who never chose categories and cities get no announcements?"""
    newcomer = make_user()
    client.get("/api/users/me", headers=headers_for(newcomer))
    post_order(make_user())
    assert messages(app, newcomer) == []


@pytest.mark.parametrize(("frequency", "age"), [("hourly", 1), ("daily", 24)])
def test_digest_once_per_period(app, client, make_user, post_order, frequency, age):
    """Does an hourly/daily subscriber get one digest of the period's matching orders, once,
    however often the job runs?"""
    reader, instant = make_user(), make_user()
    subscribe(client, reader, ["courier"], ["Moscow"], frequency)
    subscribe(client, instant, ["courier"], ["Moscow"])
    owner = make_user()
    first, second = post_order(owner), post_order(owner)
    post_order(owner, city="Kazan")
    now = datetime.now(UTC)
    start = notifications.period_start(Frequency(frequency), now)
    for order in (first, second):
        # Posted inside the last complete period and still open now.
        shift_order(
            app,
            order["id"],
            created_at=start + timedelta(minutes=1),
            expires_at=now + timedelta(minutes=5),
        )

    with app.app_context():
        assert notifications.send_digests(Frequency(frequency), now) == 1
        assert notifications.send_digests(Frequency(frequency), now) == 0
        db.session.commit()
        job = (
            market_jobs.send_hourly_digests
            if frequency == "hourly"
            else market_jobs.send_daily_digests
        )
        assert job() == 0  # the job's own run finds it already sent (or another period)

    sent = messages(app, reader)
    assert len(sent) == 1
    assert "2" in sent[0][0]
    # instant subscribers are not digested (of two orders posted at once, the cooldown
    # let the first through)
    assert len(messages(app, instant)) == 1


def test_digest_skips_empty_periods(app, client, make_user):
    """Is no digest queued when nothing was posted in the period?"""
    reader = make_user()
    subscribe(client, reader, ["courier"], ["Moscow"], "hourly")
    with app.app_context():
        assert notifications.send_digests(Frequency.HOURLY) == 0
    assert messages(app, reader) == []
