"""The OpenAPI document tells the truth: every operation, pages for lists, one schema per
name, and the error answers each operation can give (issue 10)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from typing import Any

import pytest
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel

import webapp
from webapp.api import PROBLEM_JSON, HubOpenAPI

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def doc(client) -> dict[str, Any]:
    return client.get("/openapi.json").get_json()


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def operations(doc: dict[str, Any]):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_api_operation_is_documented(app, doc):
    """Is every method of every /api route in the document (GET /api/orders was lost behind
    POST /api/orders when two blueprints shared the path)?"""
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) & METHODS):
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
    assert "get" in doc["paths"]["/api/orders"]
    assert "get" in doc["paths"]["/api/orders/{order_id}"]


def test_list_operations_document_a_page(doc):
    """Does every operation taking `skip` and `limit` document a page as its 200 answer?"""
    lists = [
        (path, operation)
        for path, method, operation in operations(doc)
        if {"skip", "limit"} <= {p["name"] for p in operation.get("parameters", [])}
    ]
    assert len(lists) >= 15
    not_pages = []
    for path, operation in lists:
        content = operation["responses"]["200"]["content"]
        if "application/json" not in content:  # the CSV export
            continue
        schema = resolve(doc, content["application/json"]["schema"])
        if not {"items", "total", "skip", "limit"} <= set(schema.get("properties", {})):
            not_pages.append(path)
    assert not_pages == []


def wire_models() -> dict[str, set[type[BaseModel]]]:
    """Every pydantic model defined in the `webapp` package, by its name."""
    for module in pkgutil.walk_packages(webapp.__path__, "webapp."):
        importlib.import_module(module.name)
    by_name: dict[str, set[type[BaseModel]]] = defaultdict(set)
    stack = [BaseModel]
    while stack:
        for model in stack.pop().__subclasses__():
            stack.append(model)
            if model.__module__.startswith("webapp."):
                by_name[model.__name__].add(model)
    return by_name


def test_every_schema_name_is_unique():
    """Is there one wire model per name (two `PreferencesOut` made `FormOut.preferences`
    point at the market's subscriptions)?"""
    shared = {name: models for name, models in wire_models().items() if len(models) > 1}
    assert shared == {}


def test_a_form_documents_its_answers_and_never_the_admins_notes(doc):
    """Does `FormOut` document the answers (an object keyed by the design's questions) and
    the questionnaire version they follow, and leave out the admins' internal notes?"""
    form = doc["components"]["schemas"]["FormOut"]["properties"]
    assert form["answers"]["type"] == "object"
    assert {"questionnaire_id", "questionnaire_version", "notes"} <= set(form)
    assert not [name for name in form if "admin" in name]


def test_a_second_schema_with_a_taken_name_refuses_to_build():
    """Does registering a different schema under a name already taken fail loudly instead
    of replacing the first one?"""

    def blueprint(name: str, model: type[BaseModel]) -> APIBlueprint:
        bp = APIBlueprint(name, __name__, url_prefix=f"/{name}")

        @bp.get("", responses={200: model})
        def view():  # pragma: no cover - never called
            return {}

        return bp

    first = type("Thing", (BaseModel,), {"__annotations__": {"a": int}})
    second = type("Thing", (BaseModel,), {"__annotations__": {"b": str}})
    app = HubOpenAPI(__name__)
    app.register_api(blueprint("one", first))
    with pytest.raises(ValueError, match="Thing"):
        app.register_api(blueprint("two", second))


def test_errors_are_documented_as_problems_where_they_can_occur(doc):
    """Does each operation document 401 where it reads a credential, 403 where one is
    required, 404 where the path names a thing, 422 where it takes input — all as
    problem+json — and never a plain JSON error?"""
    wrong = []
    for path, method, operation in operations(doc):
        responses = operation["responses"]
        security = operation.get("security", [])
        expected = set()
        if security:
            expected.add("401")
            if {} not in security:
                expected.add("403")
        if "{" in path:
            expected.add("404")
        if operation.get("parameters") or "requestBody" in operation:
            expected.add("422")
        if not expected <= set(responses):
            wrong.append(f"{method} {path}: lacks {sorted(expected - set(responses))}")
        for status, response in responses.items():
            if int(status) >= 400 and set(response.get("content", {})) != {PROBLEM_JSON}:
                wrong.append(f"{method} {path}: {status} is not problem+json")
    assert wrong == []


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/auth/login", {"401", "429"}),
        ("post", "/api/orders", {"429"}),
        ("post", "/api/orders/{order_id}/take", {"402", "409"}),
        ("get", "/api/orders", {"401"}),
        ("post", "/api/reviews/client", {"404", "409"}),
        ("post", "/api/reviews/executor", {"404", "409"}),
    ],
)
def test_route_specific_errors_are_documented(doc, method, path, statuses):
    """Are the errors only a route knows about (limits, balance, conflicts) documented?"""
    assert statuses <= set(doc["paths"][path][method]["responses"])


def test_sign_in_routes_need_no_credentials(doc):
    """Are the sign-in routes documented as public (a fuzzer would otherwise expect a 401
    from them without a credential)?"""
    for path in ("/api/auth/telegram", "/api/auth/login", "/api/auth/register"):
        assert not doc["paths"][path]["post"].get("security")
    assert doc["paths"]["/api/auth/logout"]["post"]["security"]


def test_one_problem_is_documented_for_every_reader(doc):
    """Does `GET /api/problems/{id}` document both what a solver sees (no answer) and what
    its author and staff see?"""
    content = doc["paths"]["/api/problems/{problem_id}"]["get"]["responses"]["200"]["content"]
    schema = resolve(doc, content["application/json"]["schema"])
    names = {option["$ref"].rsplit("/", 1)[-1] for option in schema["anyOf"]}
    assert names == {"ProblemOut", "ProblemFullOut"}
    assert "answer" not in doc["components"]["schemas"]["ProblemOut"]["required"]


def test_a_body_of_optional_fields_may_be_left_out(doc, client, make_user):
    """Is a body whose fields are all optional documented as not required (joining an
    event with no body works), and one with a required field as required?"""
    from tests.fixtures.users import headers_for

    join = doc["paths"]["/api/events/{event_id}/join"]["post"]["requestBody"]
    assert join["required"] is False
    assert doc["paths"]["/api/tasks"]["post"]["requestBody"]["required"] is True
    organiser = make_user()
    created = client.post(
        "/api/events",
        json={"title": "1", "starts_at": "2099-01-01T10:00:00Z"},
        headers=headers_for(organiser),
    )
    assert created.status_code == 201, created.get_json()
    event_id = created.get_json()["id"]
    joined = client.post(f"/api/events/{event_id}/join", headers=headers_for(make_user()))
    assert joined.status_code == 201


def test_a_null_body_is_refused_even_where_a_body_may_be_left_out(client, make_user):
    """Is `null` as a JSON body a 422 naming the body (found by the fuzzer: joining took it
    for "nothing sent")?"""
    from tests.fixtures.users import headers_for

    organiser = make_user()
    created = client.post(
        "/api/events",
        json={"title": "1", "starts_at": "2099-01-01T10:00:00Z"},
        headers=headers_for(organiser),
    )
    event_id = created.get_json()["id"]
    answer = client.post(
        f"/api/events/{event_id}/join",
        data="null",
        content_type="application/json",
        headers=headers_for(make_user()),
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == ["body"]


def test_an_unreadable_body_is_refused_where_a_body_may_be_left_out(client, make_user):
    """Are random bytes sent as JSON a 422, not taken for "nothing sent" (the fuzzer's)?"""
    from tests.fixtures.users import headers_for

    created = client.post(
        "/api/events",
        json={"title": "1", "starts_at": "2099-01-01T10:00:00Z"},
        headers=headers_for(make_user()),
    )
    answer = client.post(
        f"/api/events/{created.get_json()['id']}/join",
        data=b"B\x8fR\xd1",
        content_type="application/json",
        headers=headers_for(make_user()),
    )
    assert answer.status_code == 422
