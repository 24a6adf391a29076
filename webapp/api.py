"""How a JSON endpoint is declared — the one pattern every feature follows.

* `api_blueprint("tasks", __name__, "/api/tasks")` makes a flask-openapi3 `APIBlueprint`
  with the security schemes and the common problem responses documented.
* A view declares `path: …`, `query: …` and `body: …` pydantic models as annotated
  parameters; flask-openapi3 validates them (422 problem on failure) and documents them.
* A view answers with `respond(Model, status)`; lists with `page_of(...)`.

Pydantic models for the wire live in each feature's `schemas.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from webapp.pagination import Page as ServicePage

SECURITY_SCHEMES = {
    "tma": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`tma <initData>` — the raw Telegram Mini App initData "
        "(or send it as `X-Telegram-Init-Data`).",
    },
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
}
SIGNED_IN = [{"tma": []}, {"bearer": []}]

T = TypeVar("T")
S = TypeVar("S", bound=BaseModel)


class Schema(BaseModel):
    """Base of every wire schema: reads attributes from models.

    Datetimes are timezone-aware UTC and serialize as ISO 8601 with the offset (`…Z`).
    """

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class Problem(BaseModel):
    """`application/problem+json` (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


_QUERY_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


class Pagination(BaseModel):
    """`skip` and `limit` of every list endpoint."""

    skip: int = Field(0, ge=0)
    limit: int = Field(20, ge=1, le=100)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Generated once per class: flask-openapi3 (4.3) asks for the query model's JSON
        schema on every request just to read its field types, and generating it costs
        2-4 ms a request on the list endpoints (`bench/RESULTS.md`). A copy is returned, so
        a caller that edits it cannot change the next one's."""
        key = (cls, args, tuple(sorted(kwargs.items())))
        schema = _QUERY_SCHEMAS.get(key)
        if schema is None:
            schema = _QUERY_SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return copy.deepcopy(schema)


TOTAL_DESCRIPTION = (
    "Matching items, counted up to 1000: exact when `total_capped` is false; when more "
    'than 1000 match, `total` is 1000 and `total_capped` is true (show it as "1000+").'
)


class Page(BaseModel, Generic[T]):
    """A list answer. `total` is bounded (counting a million rows on every request would
    cost the whole table); `has_more` says whether a next page exists."""

    items: list[T]
    total: int = Field(..., description=TOTAL_DESCRIPTION)
    total_capped: bool = Field(False, description="More than 1000 items match.")
    has_more: bool = Field(False, description="Rows follow this page.")
    skip: int
    limit: int


class KeysetPage(Page[T], Generic[T]):
    """A list that also pages by cursor ("load more")."""

    next: str | None = Field(
        None,
        description="Send it back as `after` to get the rows that follow (null on the last "
        "page). Unlike `skip`, it neither repeats nor skips a row when new ones arrive, and "
        "page 1,000 costs what page 1 does.",
    )


class KeysetPagination(Pagination):
    """`skip`/`limit`, or `after` (the `next` of the previous page) instead of `skip`."""

    after: str | None = Field(
        None, max_length=500, description="The `next` cursor of the previous page."
    )


class Money(BaseModel):
    """Money on the wire: integer kopecks and a currency, never a float."""

    amount: int
    currency: str = "RUB"


COMMON_RESPONSES: dict[Any, Any] = {
    401: Problem,
    403: Problem,
    422: Problem,
}


def api_blueprint(
    name: str, import_name: str, url_prefix: str, *, tag: str, description: str = ""
) -> APIBlueprint:
    """A JSON blueprint: documented tag, signed-in security, problem responses."""
    return APIBlueprint(
        name,
        import_name,
        url_prefix=url_prefix,
        abp_tags=[Tag(name=tag, description=description)],
        abp_security=SIGNED_IN,
        abp_responses=COMMON_RESPONSES,
    )


def respond(schema: type[BaseModel], obj: Any, status: int = 200) -> tuple[Response, int]:
    """Serialize a model (or mapping) through its wire schema."""
    payload = obj if isinstance(obj, BaseModel) else schema.model_validate(obj)
    return jsonify(payload.model_dump(mode="json")), status


def page_of(
    schema: type[S],
    page: ServicePage[Any],
    pagination: Pagination,
    *,
    serialize: Callable[[Any], S] | None = None,
    to_json: Callable[[Any], dict[str, Any]] | None = None,
) -> tuple[Response, int]:
    """A list answer (`Page`): `{"items": [...], "total": N, "total_capped": false,
    "has_more": …, "skip": S, "limit": L}`, plus `next` for keyset lists.

    Items go through `schema` (or `serialize`), or through `to_json` when the list hands
    over Core rows (its test checks `to_json` agrees with `schema`)."""
    if to_json is not None:  # rows straight to JSON, no model in between (hot lists)
        items = [to_json(item) for item in page.items]
    else:
        convert = serialize or schema.model_validate
        items = [convert(item).model_dump(mode="json") for item in page.items]
    body: dict[str, Any] = {
        "items": items,
        "total": page.total,
        "total_capped": page.total_capped,
        "has_more": page.has_more,
        "skip": pagination.skip,
        "limit": pagination.limit,
    }
    if page.keyset:
        body["next"] = page.next
    return jsonify(body), 200


def no_content() -> tuple[str, int]:
    return "", 204
