"""Telegram Stars top-up end to end: the invoice link from the fake Bot API, then
`pre_checkout_query` and `successful_payment` updates through the real webhook."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.factory import use_api_url
from tests.fixtures.fake_telegram import bot_overrides, webhook_headers
from tests.fixtures.users import headers_for
from tests.market.conftest import balance

URL = "/telegram/webhook"


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)


def post_update(app, client, update: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(URL, json=update, headers=webhook_headers(app))
    assert answer.status_code == 200
    return answer.get_json()


def invoice_payload(client, fake_telegram, user, stars: int) -> str:
    answer = client.post(
        "/api/balance/stars/invoice", json={"stars": stars}, headers=headers_for(user)
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["invoice_link"].startswith("https://t.me/$invoice-")
    [call] = fake_telegram.calls("createInvoiceLink")
    assert call.params["currency"] == "XTR"
    prices = call.params["prices"]
    prices = json.loads(prices) if isinstance(prices, str) else prices
    assert [p["amount"] for p in prices] == [stars]
    return call.params["payload"]


def pre_checkout(update_id: int, user, payload: str, total: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "pre_checkout_query": {
            "id": f"q{update_id}",
            "currency": "XTR",
            "total_amount": total,
            "invoice_payload": payload,
            "from": {"id": user.telegram_id, "is_bot": False, "first_name": "T"},
        },
    }


def successful_payment(update_id: int, user, payload: str, total: int, charge: str):
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user.telegram_id, "type": "private"},
            "from": {"id": user.telegram_id, "is_bot": False, "first_name": "T"},
            "successful_payment": {
                "currency": "XTR",
                "total_amount": total,
                "invoice_payload": payload,
                "telegram_payment_charge_id": charge,
                "provider_payment_charge_id": "",
            },
        },
    }


def test_pre_checkout_is_answered_through_the_webhook(app, client, fake_telegram, student):
    """Does the bot accept the payer's own invoice and refuse a changed amount or payer?"""
    payload = invoice_payload(client, fake_telegram, student, 20)
    post_update(app, client, pre_checkout(9001, student, payload, 20))
    post_update(app, client, pre_checkout(9002, student, payload, 21))
    answers = fake_telegram.calls("answerPreCheckoutQuery")
    assert [str(a.params["ok"]).lower() for a in answers] == ["true", "false"]
    assert answers[1].params.get("error_message")


def test_successful_payment_is_credited_once(app, client, fake_telegram, student):
    """Is a payment credited once, even when Telegram delivers it again (new update id)?"""
    payload = invoice_payload(client, fake_telegram, student, 20)
    post_update(app, client, successful_payment(9101, student, payload, 20, "tg-charge-1"))
    assert post_update(
        app, client, successful_payment(9101, student, payload, 20, "tg-charge-1")
    ).get("duplicate")
    post_update(app, client, successful_payment(9102, student, payload, 20, "tg-charge-1"))
    assert balance(app, student) == 20 * 100


def test_the_app_callback_is_not_proof_of_payment(app, client, fake_telegram, student):
    """Does creating an invoice (and the page's 'paid' callback) credit nothing by itself?"""
    invoice_payload(client, fake_telegram, student, 50)
    assert balance(app, student) == 0


def refunds(fake_telegram) -> list[tuple[str, str]]:
    return [
        (str(c.params["user_id"]), c.params["telegram_payment_charge_id"])
        for c in fake_telegram.calls("refundStarPayment")
    ]


def test_a_payload_this_server_never_issued_is_refunded(app, client, fake_telegram, student):
    """Is a successful payment whose payload nobody created credited nothing and refunded?"""
    forged = f"topup:{student.id}:500:deadbeef"
    post_update(app, client, successful_payment(9201, student, forged, 500, "tg-forged"))
    assert balance(app, student) == 0
    assert refunds(fake_telegram) == [(str(student.telegram_id), "tg-forged")]


def test_more_stars_than_the_invoice_asked_are_refunded(app, client, fake_telegram, student):
    """Are 500 stars paid on a 1-star invoice refunded instead of credited as 50,000 kopecks?"""
    payload = invoice_payload(client, fake_telegram, student, 1)
    post_update(app, client, successful_payment(9301, student, payload, 500, "tg-over"))
    assert balance(app, student) == 0
    assert refunds(fake_telegram) == [(str(student.telegram_id), "tg-over")]


def test_an_invoice_is_credited_for_its_stored_amount_once(
    app, client, fake_telegram, student, make_user
):
    """Is a paid invoice credited at the amount it asked, a second charge on it refunded, and
    someone else's payment on it refunded too?"""
    payload = invoice_payload(client, fake_telegram, student, 3)
    post_update(app, client, successful_payment(9401, student, payload, 3, "tg-first"))
    post_update(app, client, successful_payment(9402, student, payload, 3, "tg-second"))
    other = make_user()
    post_update(app, client, successful_payment(9403, other, payload, 3, "tg-other"))
    assert balance(app, student) == 300 and balance(app, other) == 0
    assert refunds(fake_telegram) == [
        (str(student.telegram_id), "tg-second"),
        (str(other.telegram_id), "tg-other"),
    ]


def test_a_failed_invoice_link_does_not_log_the_bot_token(
    app, client, fake_telegram, student, caplog
):
    """When createInvoiceLink fails, does the warning leave the bot token out?"""
    # Nothing listens there: the connection error names /bot<token>/createInvoiceLink.
    app.config["TELEGRAM_API_URL"] = "http://127.0.0.1:9"
    use_api_url(app)
    with caplog.at_level("WARNING"):
        answer = client.post(
            "/api/balance/stars/invoice", json={"stars": 2}, headers=headers_for(student)
        )
    assert answer.status_code == 503
    [record] = [r for r in caplog.records if "createInvoiceLink failed" in r.getMessage()]
    assert "createInvoiceLink?" in record.getMessage()  # the URL is there, the token not
    assert app.config["TELEGRAM_BOT_TOKEN"] not in record.getMessage()
