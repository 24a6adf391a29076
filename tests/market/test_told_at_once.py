"""Told at once: the client hears the moment an executor takes their order (once per take,
with the executor's name and rating), each executor hears when the client responds; both
obey the recipient's notification settings, go through the outbox and the rate-limited
sender (the fake Bot API here), and stay once-only under concurrency."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from bot.sender import deliver
from tests.fixtures.app import app_with_tables
from tests.fixtures.fake_telegram import bot_overrides
from tests.fixtures.services import concurrent_engine_options
from tests.fixtures.users import headers_for
from tests.market.test_concurrency import all_at_once, make_order, make_users, take_over_http
from webapp.extensions import db
from webapp.market.models import Take
from webapp.outbox.models import OutgoingMessage


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)  # delivered at commit, to the fake Bot API


def take(client, user, order_id):
    return client.post(f"/api/orders/{order_id}/take", headers=headers_for(user))


def set_frequency(client, user, frequency):
    body = {"frequency": frequency}
    answer = client.put("/api/users/me/notification-settings", json=body, headers=headers_for(user))
    assert answer.status_code == 200


def texts(fake_telegram, user):
    return [m["text"] for m in fake_telegram.messages(user.telegram_id)]


def test_the_client_hears_of_each_take_once(client, make_user, post_order, fund, fake_telegram):
    """Does the client get one message per take, naming the executor (without reviews yet)
    and the time to respond, and nothing more for a repeated take?"""
    owner = make_user()
    first, second = make_user(first_name="Ivan"), make_user(first_name="Olga")
    for executor in (first, second):
        fund(executor, 1000)
    order = post_order(owner)

    assert take(client, first, order["id"]).status_code == 201
    assert take(client, first, order["id"]).status_code == 200  # a repeat: no message
    assert take(client, second, order["id"]).status_code == 201

    said = texts(fake_telegram, owner)
    assert len(said) == 2
    assert said[0].startswith("Ivan (no reviews yet) took your order «Courier · Moscow».")
    assert "Respond within 15 minutes" in said[0]
    assert said[1].startswith("Olga (no reviews yet)")
    assert fake_telegram.violations == 0


def test_the_rating_is_named(app, client, make_user, post_order, fund, fake_telegram):
    """Does the message give a rated executor's rating, in the client's language?"""
    executor = make_user(first_name="Ivan")
    fund(executor, 2000)
    first_client = make_user()
    earlier = post_order(first_client)
    assert take(client, executor, earlier["id"]).status_code == 201
    review = {"order_id": earlier["id"], "executor_id": executor.id, "rating": 4, "text": ""}
    answer = client.post("/api/reviews/client", json=review, headers=headers_for(first_client))
    assert answer.status_code == 201
    owner = make_user(language_code="ru")
    order = post_order(owner)

    assert take(client, executor, order["id"]).status_code == 201

    (said,) = texts(fake_telegram, owner)
    assert said.startswith("Ivan (рейтинг 4.0) взял(а) ваш заказ «Курьер · Москва».")  # noqa: RUF001


def test_off_silences_the_take_message(client, make_user, post_order, fund, fake_telegram):
    """Does a client whose notifications are off hear nothing of a take?"""
    owner, executor = make_user(), make_user()
    set_frequency(client, owner, "off")
    fund(executor, 1000)
    order = post_order(owner)
    assert take(client, executor, order["id"]).status_code == 201
    assert texts(fake_telegram, owner) == []


def test_executors_hear_the_response_once(client, make_user, post_order, fund, fake_telegram):
    """When the client responds, does each executor hear it once (not one who turned
    notifications off), and a second response tell nobody again?"""
    owner = make_user()
    listening, silent = make_user(), make_user()
    set_frequency(client, silent, "off")
    for executor in (listening, silent):
        fund(executor, 1000)
    order = post_order(owner)
    for executor in (listening, silent):
        assert take(client, executor, order["id"]).status_code == 201
    respond = f"/api/orders/{order['id']}/respond"

    assert client.post(respond, headers=headers_for(owner)).status_code == 200
    assert client.post(respond, headers=headers_for(owner)).status_code == 200

    assert texts(fake_telegram, listening) == [
        "The client responded to your take of the order «Courier · Moscow». Get in touch."
    ]
    assert texts(fake_telegram, silent) == []


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def told_app(request, tmp_path, fake_telegram):
    """An app on real connections (PostgreSQL, or an SQLite file) whose outbox waits for an
    explicit delivery run to the fake Bot API."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        engine = concurrent_engine_options()
    else:
        url = f"sqlite:///{tmp_path / 'told.db'}"
        engine = {"pool_size": 30, "max_overflow": 0, "connect_args": {"timeout": 30}}
    overrides = bot_overrides(fake_telegram, BOT_DELIVERY="off")
    with app_with_tables(url, {"SQLALCHEMY_ENGINE_OPTIONS": engine, **overrides}) as app:
        yield app


def test_200_takes_at_once_tell_the_client_once_per_take(told_app, fake_telegram):
    """Do 200 executors taking one order at once queue exactly one message per successful
    take, and do two delivery workers running at once send each of them exactly once? (Slow
    by need, ~10-15 s: 200 real threads and connections, as test_200_executors_one_order,
    and the three messages to one chat go a second apart in real time.)"""
    (owner,) = make_users(told_app, 1)
    executors = make_users(told_app, 200, funds=1000)
    order_id = make_order(told_app, owner)

    codes = all_at_once(200, lambda i: take_over_http(told_app, executors[i], order_id))

    assert Counter(codes) == {201: 3, 409: 197}
    with told_app.app_context():
        takes = db.session.scalars(select(Take.id).where(Take.order_id == order_id)).all()
        keys = db.session.scalars(
            select(OutgoingMessage.dedupe_key).where(OutgoingMessage.chat_id == owner.telegram_id)
        ).all()
    assert sorted(keys) == sorted(f"market:taken:{take_id}" for take_id in takes)

    sent: list[int] = []
    workers = [threading.Thread(target=lambda: sent.append(deliver(told_app))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(sent) == 3
    assert len(fake_telegram.messages(owner.telegram_id)) == 3
    assert fake_telegram.violations == 0
