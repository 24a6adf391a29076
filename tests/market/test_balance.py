"""Balance endpoints, the development recharge switch and Telegram Stars top-ups."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fixtures.app import build_app
from tests.fixtures.users import headers_for
from tests.market.conftest import balance
from webapp.extensions import db
from webapp.market import money
from webapp.market.models import IssuedStarsInvoice, StarsPayment
from webapp.users.models import User


def test_balance_and_history(client, student, fund):
    """Does GET /api/balance give Money and the history list newest first?"""
    fund(student, 1234)
    fund(student, 100)
    headers = headers_for(student)
    assert client.get("/api/balance", headers=headers).get_json() == {
        "balance": {"amount": 1334, "currency": "RUB"}
    }
    history = client.get("/api/balance/transactions?limit=1", headers=headers).get_json()
    assert history["total"] == 2 and history["limit"] == 1
    assert history["items"][0]["balance_after"] == {"amount": 1334, "currency": "RUB"}
    assert client.get("/api/balance").status_code == 401


def test_recharge_is_refused_without_the_switch(app, client, student):
    """Is POST /api/balance/recharge a 403 unless DEV_RECHARGE is on?"""
    answer = client.post(
        "/api/balance/recharge", json={"amount": 500}, headers=headers_for(student)
    )
    assert answer.status_code == 403
    assert balance(app, student) == 0


def test_recharge_with_the_switch(schema, make_user):
    """With DEV_RECHARGE=1, does a recharge credit the balance with a `recharge` entry?"""
    app = build_app(schema, environ={"DEV_RECHARGE": "1"})
    assert app.config["DEV_RECHARGE"] is True
    client = app.test_client()
    user = make_user()
    answer = client.post("/api/balance/recharge", json={"amount": 500}, headers=headers_for(user))
    assert answer.status_code == 201
    assert answer.get_json()["type"] == "recharge"
    assert (
        client.post(
            "/api/balance/recharge", json={"amount": 0}, headers=headers_for(user)
        ).status_code
        == 422
    )
    assert (
        client.get("/api/balance", headers=headers_for(user)).get_json()["balance"]["amount"] == 500
    )
    with app.app_context():
        db.engine.dispose()


class FakeBot:
    """Stands in for telebot's `create_invoice_link` (the webhook test with the fake Bot API
    server comes with the bot package)."""

    def __init__(self, fail: bool = False):
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def create_invoice_link(self, **kwargs: Any) -> str:
        if self.fail:
            raise ConnectionError("Bot API down")
        self.calls.append(kwargs)
        return "https://t.me/$invoice-abc"


def test_stars_invoice_link(app, client, student):
    """Does the invoice endpoint ask for an XTR invoice of one price with no provider token?"""
    bot = FakeBot()
    app.extensions["telebot"] = bot
    answer = client.post(
        "/api/balance/stars/invoice", json={"stars": 50}, headers=headers_for(student)
    )
    assert answer.status_code == 201
    assert answer.get_json() == {
        "invoice_link": "https://t.me/$invoice-abc",
        "stars": 50,
        "amount": {"amount": 5000, "currency": "RUB"},
    }
    (call,) = bot.calls
    assert call["currency"] == "XTR" and call["provider_token"] == ""
    assert [p.amount for p in call["prices"]] == [50]
    # The payload is a random id to look up (never the user's id or the amount to trust).
    assert re.fullmatch(r"topup:[A-Za-z0-9_-]{32}", call["payload"])
    with app.app_context():
        stored = db.session.get(IssuedStarsInvoice, call["payload"])
        assert (stored.user_id, stored.stars, stored.amount) == (student.id, 50, 5000)
    assert len(call["payload"].encode()) <= 128 and 1 <= len(call["title"]) <= 32
    bad = client.post("/api/balance/stars/invoice", json={"stars": 0}, headers=headers_for(student))
    assert bad.status_code == 422


def test_stars_invoice_without_bot_is_503(app, client, student):
    """Is a missing or failing bot a 503 problem, never a 500?"""
    path, body = "/api/balance/stars/invoice", {"stars": 5}
    app.extensions.pop("telebot", None)
    assert client.post(path, json=body, headers=headers_for(student)).status_code == 503
    app.extensions["telebot"] = FakeBot(fail=True)
    answer = client.post(path, json=body, headers=headers_for(student))
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"


def payload_for(app, user, stars: int) -> str:
    """The payload of an invoice this server issued (and stored) for `user`."""
    with app.app_context():
        payload = money.stars_invoice(db.session.get(User, user.id), stars).payload
        db.session.commit()
        return payload


def test_pre_checkout_rule(app, student, make_user):
    """Does pre-checkout accept the payer's own stored invoice and refuse mismatches?"""
    other = make_user()
    payload = payload_for(app, student, 10)
    with app.app_context():
        assert money.check_stars_checkout(student.telegram_id, payload, "XTR", 10) is None
        for args in [
            (other.telegram_id, payload, "XTR", 10),  # someone else's invoice
            (student.telegram_id, payload, "XTR", 11),  # amount changed
            (student.telegram_id, payload, "RUB", 10),  # not Stars
            (student.telegram_id, f"topup:{student.id}:10:abcd", "XTR", 10),  # never issued
            (student.telegram_id, "garbage", "XTR", 10),
        ]:
            assert isinstance(money.check_stars_checkout(*args), str)


def test_successful_payment_credits_once_per_charge(app, student):
    """Is a successful payment credited once per telegram_payment_charge_id, and a second
    charge on the same invoice refused (to be refunded)?"""
    payload = payload_for(app, student, 10)
    with app.app_context():
        first = money.credit_stars_payment(student.telegram_id, payload, "XTR", 10, "charge-1")
        again = money.credit_stars_payment(student.telegram_id, payload, "XTR", 10, "charge-1")
        with pytest.raises(money.UnexpectedPayment):
            money.credit_stars_payment(student.telegram_id, payload, "XTR", 10, "charge-2")
        db.session.commit()
        assert first is not None and first.type == "stars_topup" and first.amount == 1000
        assert again is None
        assert db.session.query(StarsPayment).count() == 1
    assert balance(app, student) == 1000


def test_payment_for_someone_else_is_not_credited(app, student, make_user):
    """Is a payment on an invoice issued to another account refused (to be refunded)?"""
    other = make_user()
    payload = payload_for(app, student, 10)
    with app.app_context():
        with pytest.raises(money.UnexpectedPayment):
            money.credit_stars_payment(other.telegram_id, payload, "XTR", 10, "charge-x")
        db.session.commit()
    assert balance(app, student) == 0 and balance(app, other) == 0


@pytest.mark.parametrize(
    ("locale", "kopecks", "signed", "shown"),
    [
        ("ru", 123450, False, "1\xa0234,50\xa0₽"),
        ("ru", -200, False, "-2,00\xa0₽"),
        ("ru", 1000, True, "+10,00\xa0₽"),
        ("en", 123450, False, "RUB1,234.50"),
        ("en", -200, True, "-RUB2.00"),
    ],
)
def test_amounts_read_as_the_readers_language_writes_roubles(app, locale, kopecks, signed, shown):
    """Does an amount in kopecks read as Flask-Babel's `format_currency` writes it in the
    reader's language (Russian grouping with no-break spaces, the ₽ sign after the number),
    with a plus only where asked for a credit?"""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        assert money.format_rubles(kopecks, signed=signed) == shown
