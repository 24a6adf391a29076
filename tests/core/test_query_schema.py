"""The list endpoints' query models generate their JSON schema once, not on every request."""

from __future__ import annotations

from pydantic import BaseModel

from tests.fixtures.users import tma_headers
from webapp import api
from webapp.api import Pagination


class _Query(Pagination):
    search: str | None = None


def test_query_schema_is_generated_once_per_model(monkeypatch):
    """Does asking a query model for its JSON schema again (as flask-openapi3 does on every
    request) reuse the first one instead of generating it anew?"""
    generated = []
    original = BaseModel.model_json_schema.__func__

    def counting(cls, *args, **kwargs):
        generated.append(cls)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(api, "_QUERY_SCHEMAS", {})
    monkeypatch.setattr(BaseModel, "model_json_schema", classmethod(counting))
    first = _Query.model_json_schema()
    second = _Query.model_json_schema()
    assert generated == [_Query]
    assert first == second
    assert set(first["properties"]) == {"skip", "limit", "search"}


def test_a_caller_editing_the_schema_does_not_change_the_next_one(monkeypatch):
    """Is each caller handed its own copy, so editing it cannot leak into later requests?"""
    monkeypatch.setattr(api, "_QUERY_SCHEMAS", {})
    _Query.model_json_schema()["properties"].clear()
    assert set(_Query.model_json_schema()["properties"]) == {"skip", "limit", "search"}


def test_a_list_endpoint_still_validates_its_query(client):
    """Does a list endpoint still reject a bad query (422) and accept a good one?"""
    headers = tma_headers(7100)
    assert client.get("/api/tasks?limit=5", headers=headers).status_code == 200
    assert client.get("/api/tasks?limit=0", headers=headers).status_code == 422
