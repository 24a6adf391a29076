"""Hostile input gets a clear 4xx, never a 500: unknown fields, ids past the database's
integer range, NUL characters, JSON nested thousands deep, absurd initData user ids and
payment amounts (issue 10)."""

from __future__ import annotations

import inspect
import time
import typing
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask_openapi3.utils import parse_parameters
from pydantic import BaseModel

from tests.fixtures.app import TEST_BOT_TOKEN
from tests.fixtures.fake_telegram import bot_overrides, message_update, webhook_headers
from tests.fixtures.users import headers_for, tma_headers
from webapp.api import DB_INT_MAX
from webapp.auth import init_data

DEEP = '{"description": ' + "[" * 5000


def request_models(app: Flask) -> dict[str, dict[str, type[BaseModel]]]:
    """Every registered API operation's request models: `{endpoint: {"body": M, ...}}`."""
    found: dict[str, dict[str, type[BaseModel]]] = {}
    for endpoint, view in app.view_functions.items():
        func = inspect.unwrap(view)
        if not getattr(func, "__module__", "").startswith("webapp."):
            continue
        _header, _cookie, path, query, _form, body, _raw = parse_parameters(func, doc_ui=False)
        models = {"path": path, "query": query, "body": body}
        models = {kind: model for kind, model in models.items() if model is not None}
        if models:
            found[endpoint] = models
    return found


def nested_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    """The model and every model its fields contain (lists, unions, optionals)."""
    seen: set[type[BaseModel]] = set()
    stack = [model]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for field in current.model_fields.values():
            kinds = [field.annotation]
            while kinds:
                kind = kinds.pop()
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    stack.append(kind)
                kinds.extend(typing.get_args(kind))
    return seen


def test_the_walk_finds_the_bodies_of_every_module(app):
    """Does the walk below see request bodies of every feature (or would it pass vacuously)?"""
    modules = {
        model.__module__
        for models in request_models(app).values()
        if (model := models.get("body")) is not None
    }
    for feature in ("auth", "users", "tasks", "events", "tickets", "problems", "market"):
        assert f"webapp.{feature}.schemas" in modules


def test_every_request_body_refuses_unknown_fields(app):
    """Does every JSON body of every operation (and every model nested in it) forbid extras?"""
    lenient = sorted(
        f"{endpoint}: {model.__name__}"
        for endpoint, models in request_models(app).items()
        if "body" in models
        for model in nested_models(models["body"])
        if model.model_config.get("extra") != "forbid"
    )
    assert lenient == []


def test_every_integer_a_client_sends_fits_the_database(app):
    """Is every integer in a path, query or body bounded to the database's integer range?"""
    unbounded = []
    for endpoint, models in request_models(app).items():
        for model in {nested for m in models.values() for nested in nested_models(m)}:
            schema = model.model_json_schema()
            for name, prop in schema.get("properties", {}).items():
                variants = prop.get("anyOf", [prop])
                for variant in variants:
                    if variant.get("type") != "integer":
                        continue
                    top = variant.get("maximum", variant.get("exclusiveMaximum"))
                    low = variant.get("minimum", variant.get("exclusiveMinimum"))
                    if top is None or top > DB_INT_MAX or low is None or low < -DB_INT_MAX:
                        unbounded.append(f"{endpoint}: {model.__name__}.{name}")
    assert sorted(set(unbounded)) == []


UNKNOWN_FIELDS = [
    ("post", "/api/forms", {"data": {"name": "Ivan"}}, "data"),
    ("post", "/api/forms", {"answers": {}, "preferences": {"diet": "vegan"}}, "preferences"),
    ("post", "/api/tasks", {"title": "t", "colour": "red"}, "colour"),
    ("patch", "/api/tasks/1", {"titel": "t"}, "titel"),
    (
        "post",
        "/api/events",
        {"title": "e", "starts_at": "2099-01-01T10:00:00Z", "room": "1"},
        "room",
    ),
    (
        "post",
        "/api/problems",
        {"title": "p", "statement": "s", "answer": "a", "topic": "t", "hint": "h"},
        "hint",
    ),
    (
        "post",
        "/api/orders",
        {"category": "c", "city": "x", "description": "d", "contact": "c", "price": 5},
        "price",
    ),
    ("put", "/api/users/me/preferences", {"categories": [], "towns": []}, "towns"),
    ("post", "/api/auth/telegram", {"init_data": "x", "remember": True}, "remember"),
    ("post", "/api/attempts", {"problem_id": 1, "answer": "4", "time": 3}, "time"),
    ("patch", "/api/users/1/role", {"role": "admin", "why": "x"}, "why"),
    ("put", "/api/users/1", {"first_name": "A", "nickname": "a"}, "nickname"),
    ("patch", "/api/admin/forms/1/decision", {"decision": "approved", "note": "x"}, "note"),
    ("post", "/api/balance/stars/invoice", {"stars": 5, "currency": "USD"}, "currency"),
]


@pytest.mark.parametrize(("method", "url", "body", "field"), UNKNOWN_FIELDS)
def test_unknown_fields_are_refused_by_name(client, student, method, url, body, field):
    """Is a body with a field the API does not know a 422 naming it, not a silent drop?"""
    response = getattr(client, method)(url, json=body, headers=headers_for(student))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    named = {error["field"] for error in response.get_json()["errors"]}
    assert any(name.endswith(field) for name in named), named


def test_a_form_with_unknown_data_creates_no_draft(client, student):
    """Does `POST /api/forms {"data": ...}` leave no empty draft behind?"""
    client.post("/api/forms", json={"data": {"name": "Ivan"}}, headers=headers_for(student))
    assert client.get("/api/forms", headers=headers_for(student)).get_json()["total"] == 0


@pytest.mark.parametrize(
    ("url", "signed_in"),
    [
        (f"/api/tasks/{DB_INT_MAX + 1}", True),
        ("/api/tasks/99999999999999999999999", True),
        ("/api/events/2147483648/participants", True),
        ("/api/orders?skip=9223372036854775808", False),
        ("/api/tasks?skip=2147483648", True),
        ("/api/reviews?executor_id=9223372036854775808", False),
    ],
)
def test_numbers_past_the_database_range_are_4xx(client, student, url, signed_in):
    """Is an id or offset the database cannot hold a 404/422 problem instead of a 500?"""
    response = client.get(url, headers=headers_for(student) if signed_in else {})
    assert response.status_code in (404, 422)
    assert response.mimetype == "application/problem+json"


def test_nul_in_a_body_is_422(client, student):
    """Is a NUL character in a JSON string a 422 naming the field (PostgreSQL refuses it)?"""
    response = client.post("/api/tasks", json={"title": "a\u0000b"}, headers=headers_for(student))
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["title"]


@pytest.mark.parametrize(
    ("url", "signed_in"),
    [("/api/tasks?search=a%00b", True), ("/api/orders?category=%00", False)],
)
def test_nul_in_a_query_string_is_422(client, student, url, signed_in):
    """Is a NUL character in a query parameter a 422 problem?"""
    response = client.get(url, headers=headers_for(student) if signed_in else {})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/tasks", {"title": "t", "done": 0}, "done"),
        ("/api/tasks", {"title": "t", "done": "yes"}, "done"),
        ("/api/forms", {"answers": {"quantity": "2"}}, "answers.quantity"),
        ("/api/forms", {"answers": {"quantity": True}}, "answers.quantity"),
        ("/api/forms", {"questionnaire_id": "1"}, "questionnaire_id"),
        ("/api/tasks", {"title": 5}, "title"),
    ],
)
def test_json_values_have_their_documented_types(client, student, url, body, field):
    """Is `done: 0` or `quantity: "2"` a 422 naming the field, not silently converted?"""
    response = client.post(url, json=body, headers=headers_for(student))
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/tasks", {"title": "t", "due_at": 0}),
        ("post", "/api/tasks", {"title": "t", "due_at": "1700000000"}),
        ("post", "/api/events", {"title": "e", "starts_at": 4102444800.5}),
        ("get", "/api/attempts/my/range?to=0.5", None),
    ],
)
def test_a_time_is_iso_text_not_a_number(client, student, method, url, body):
    """Is a number where a date and time belongs a 422 (pydantic read `due_at: 0` as 1970)?"""
    response = getattr(client, method)(url, json=body, headers=headers_for(student))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_deeply_nested_json_on_the_api_is_4xx(client, student):
    """Is a body of 5,000 nested arrays a 400/422 problem instead of a RecursionError 500?"""
    response = client.post(
        "/api/tasks",
        data=DEEP + "]" * 5000 + "}",
        content_type="application/json",
        headers=headers_for(student),
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("user_id", [0, -5, 10**30])
def test_absurd_telegram_user_ids_are_401_with_a_reason(client, user_id):
    """Is a correctly signed initData whose user id no Telegram user can have refused?"""
    response = client.get("/api/users/me", headers=tma_headers(user_id))
    assert response.status_code == 401
    assert response.get_json()["reason"] == "bad-user-id"


def test_a_nul_in_the_initdata_user_is_401(client):
    """Is a signed initData whose name carries a NUL refused (PostgreSQL would refuse to
    store the user: a 500)?"""
    response = client.get("/api/users/me", headers=tma_headers(4242, first_name="A\u0000n"))
    assert response.status_code == 401
    assert response.get_json()["reason"] == "malformed"


def test_an_infinite_user_id_is_malformed():
    """Is `"id": Infinity` (Python's JSON parser takes it) a refusal, not an overflow?"""
    fields = {"auth_date": str(int(time.time())), "user": '{"id": Infinity}'}
    fields["hash"] = init_data.sign(fields, TEST_BOT_TOKEN)
    with pytest.raises(init_data.InitDataError) as refused:
        init_data.validate(urlencode(fields), TEST_BOT_TOKEN)
    assert refused.value.reason == "malformed"


class TestWebhook:
    @pytest.fixture
    def app_overrides(self, fake_telegram) -> dict[str, Any]:
        return bot_overrides(fake_telegram)

    def test_deeply_nested_json_is_422(self, app, client):
        """Is an update nested 5,000 deep refused like any other non-update?"""
        response = client.post(
            "/telegram/webhook",
            data='{"update_id": 1, "message": ' + "[" * 5000,
            content_type="application/json",
            headers=webhook_headers(app),
        )
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"

    def test_a_nul_anywhere_in_an_update_is_422(self, app, client):
        """Is an update whose sender's name carries a NUL refused like any other bad update
        (storing the user failed on PostgreSQL: a 500 Telegram would redeliver forever)?"""
        update = message_update(501, "/start")
        update["message"]["from"]["first_name"] = "A\u0000n"
        response = client.post("/telegram/webhook", json=update, headers=webhook_headers(app))
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"

    @pytest.mark.parametrize("amount", [10**17, 0, -1, "100"])
    def test_an_absurd_payment_amount_is_not_a_500(self, app, client, student, amount):
        """Is a `successful_payment` of 10^17 stars refused as a bad update, not a 500 that
        Telegram would redeliver forever?"""
        update = {
            "update_id": 4242,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": student.telegram_id, "type": "private"},
                "from": {"id": student.telegram_id, "is_bot": False, "first_name": "T"},
                "successful_payment": {
                    "currency": "XTR",
                    "total_amount": amount,
                    "invoice_payload": "stars:1:abc",
                    "telegram_payment_charge_id": "charge-1",
                    "provider_payment_charge_id": "",
                },
            },
        }
        response = client.post("/telegram/webhook", json=update, headers=webhook_headers(app))
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
