"""Market page forms are checked by the API's schemas: an invalid value is a 422 with the
API's field message on the page, never silently replaced (issue 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.fixtures.users import headers_for
from tests.market.conftest import balance
from webapp.extensions import db
from webapp.market.models import ClientReview, ExecutorComplaint

HX = {"HX-Request": "true"}


@pytest.fixture
def taken_order(client, make_user, post_order, fund):
    """An order posted by `owner` and taken by `executor`: (owner, executor, path)."""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    path = f"/orders/{order['id']}"
    assert client.post(f"{path}/take", headers=headers_for(executor)).status_code == 200
    return owner, executor, path


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("rating", "text", "message"),
    [
        ("9", "Fine", "Enter a number of at most 5."),
        ("0", "Fine", "Enter a number of at least 1."),
        ("five", "Fine", "Enter a whole number."),
        ("4", "x" * 2001, "Use at most 2000 characters."),
    ],
)
def test_invalid_review_is_refused_on_the_page(app, client, taken_order, rating, text, message):
    """Is an invalid rating (or a text over 2,000 characters) refused with the API's message,
    instead of becoming 5 stars (or a cut text)?"""
    owner, executor, path = taken_order
    data = {"executor_id": executor.id, "rating": rating, "text": text}
    answer = client.post(f"{path}/review", data=data, headers={**headers_for(owner), **HX})
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert "HX-Trigger" not in answer.headers  # no "Thank you" toast
    assert count(app, ClientReview) == 0
    if rating.isdigit():  # the API says the same of the same value (JSON sends a number)
        body = {"order_id": path.rsplit("/", 1)[1], **data, "rating": int(rating)}
        api = client.post("/api/reviews/client", json=body, headers=headers_for(owner))
        assert api.status_code == 422
        assert message in [error["message"] for error in api.get_json()["errors"]]


def test_unknown_complaint_reason_is_refused_on_the_page(app, client, taken_order):
    """Is an unknown complaint reason refused (422), not filed as "other"?"""
    _owner, executor, path = taken_order
    data = {"reason": "boredom", "text": "?"}
    answer = client.post(f"{path}/complain", data=data, headers={**headers_for(executor), **HX})
    assert answer.status_code == 422
    assert "Pick one of the options." in answer.get_data(as_text=True)
    assert count(app, ExecutorComplaint) == 0


@pytest.mark.parametrize("app_overrides", [{"DEV_RECHARGE": True}])
@pytest.mark.parametrize("rubles", ["", "-5", "0", "1.5", "abc", "100001"])
def test_invalid_recharge_changes_nothing_and_says_so(app, client, student, rubles):
    """Does an invalid development recharge answer 422 with the reason, instead of
    "Balance updated" while doing nothing?"""
    answer = client.post(
        "/me/recharge", data={"rubles": rubles}, headers={**headers_for(student), **HX}
    )
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "Enter a whole number of rubles from 1 to 100000." in body
    assert "HX-Trigger" not in answer.headers
    assert balance(app, student) == 0


@pytest.mark.parametrize("app_overrides", [{"DEV_RECHARGE": True}])
def test_valid_recharge_updates_the_balance(app, client, student):
    """Does a valid development recharge credit the balance with a toast?"""
    answer = client.post(
        "/me/recharge", data={"rubles": "100"}, headers={**headers_for(student), **HX}
    )
    assert answer.status_code == 200 and "hub:toast" in answer.headers["HX-Trigger"]
    assert balance(app, student) == 10_000


def test_order_panel_follows_the_services_flags(client, make_user, post_order, fund):
    """Does the panel offer exactly what the services allow: delete before a take, respond
    and complete after it, take to strangers until the order is full?"""
    owner, executor, other = make_user(), make_user(), make_user()
    order = post_order(owner)
    path = f"/orders/{order['id']}"
    fresh = client.get(path, headers=headers_for(owner)).get_data(as_text=True)
    assert "Delete the order" in fresh and "I am responding" not in fresh
    fund(executor, 1000)
    client.post(f"{path}/take", headers=headers_for(executor))
    taken = client.get(path, headers=headers_for(owner)).get_data(as_text=True)
    assert "Delete the order" not in taken  # the service would refuse it now
    assert "I am responding" in taken and "Done by this executor" in taken
    stranger = client.get(path, headers=headers_for(other)).get_data(as_text=True)
    assert "data-main-button" in stranger  # still open for more executors
    mine = client.get(path, headers=headers_for(executor)).get_data(as_text=True)
    assert "Complain about this order" in mine and "data-main-button" not in mine
