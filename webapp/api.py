"""How a JSON endpoint is declared — the one pattern every feature follows.

* `api_blueprint("tasks", __name__, "/api/tasks")` makes a flask-openapi3 `APIBlueprint`
  with the security schemes documented; `HubOpenAPI` documents the error answers (401, 403,
  404, 422 as `application/problem+json`) by rule, so a route declares only its own
  (`responses={409: Problem}`).
* A view declares `path: …`, `query: …` and `body: …` pydantic models as annotated
  parameters; flask-openapi3 validates them (422 problem on failure) and documents them.
* A view answers with `respond(Model, status)`; lists with `page_of(...)`.

Pydantic models for the wire live in each feature's `schemas.py`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

from flask import Request, Response, has_request_context, jsonify, request
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, OpenAPI, Tag
from flask_openapi3.utils import get_model_schema
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    FutureDate,
    FutureDatetime,
    NaiveDatetime,
    PastDate,
    PastDatetime,
    ValidationInfo,
    field_validator,
)

from webapp.errors import PROBLEM_JSON, ValidationFailed, field_error, problem
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
SIGNED_IN: list[dict[str, list[str]]] = [{"tma": []}, {"bearer": []}]

T = TypeVar("T")
S = TypeVar("S", bound=BaseModel)


class Schema(BaseModel):
    """Base of every wire schema: reads attributes from models.

    Datetimes are timezone-aware UTC and serialize as ISO 8601 with the offset (`…Z`).
    """

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


# The largest id and offset the database takes: ids are 32-bit integer columns, and a larger
# number would reach the driver as an overflow (a 500) instead of a plain "no such thing".
DB_INT_MAX = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def _refuse_nul(value: Any) -> Any:
    """PostgreSQL refuses NUL characters in text: refuse them at the door, in any string."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _refuse_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    return value


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


# pydantic's constrained times are classes of their own, not subclasses of `datetime`.
_TIME_TYPES = (AwareDatetime, NaiveDatetime, PastDatetime, FutureDatetime, PastDate, FutureDate)


def _takes_a_time(annotation: Any) -> bool:
    if annotation in _TIME_TYPES:
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, date)
    return any(_takes_a_time(arg) for arg in get_args(annotation))


class Params(BaseModel):
    """Base of every query and path schema: no string may carry a NUL character, and a
    date or time is ISO 8601 text — pydantic would read `0` or `"0.5"` as a Unix time
    (`due_at: 0` was 1970), which the documented `format: date-time` does not allow.

    Unknown query parameters are ignored (a cache-buster must not break a list)."""

    _no_nul = field_validator("*")(_refuse_nul)

    @field_validator("*", mode="before")
    @classmethod
    def _times_are_text(cls, value: Any, info: ValidationInfo) -> Any:
        number = isinstance(value, (int, float)) or (
            isinstance(value, str) and _NUMBER.fullmatch(value) is not None
        )
        field = cls.model_fields.get(info.field_name or "")
        if number and field is not None and _takes_a_time(field.annotation):
            raise ValueError("a date and time is ISO 8601 text, not a number")
        return value


def _json_kinds(annotation: Any) -> set[str]:
    """What a field takes in JSON: "bool", "number", "text", or "any" (not checked here)."""
    if annotation is type(None):
        return set()
    if annotation is bool:
        return {"bool"}
    if annotation in _TIME_TYPES:
        return {"text"}
    if get_origin(annotation) is Literal:
        return {_json_kind(value) or "any" for value in get_args(annotation)}
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return {_json_kind(member.value) or "any" for member in annotation}
        if issubclass(annotation, (int, float)):
            return {"number"}
        if issubclass(annotation, (str, date)):
            return {"text"}
        return {"any"}
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) or get_origin(annotation) is Annotated:
        kinds: set[str] = set()
        for arg in args[:1] if get_origin(annotation) is Annotated else args:
            kinds |= _json_kinds(arg)
        return kinds
    return {"any"}


def _json_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text" if isinstance(value, str) else None


class Input(Params):
    """Base of every JSON request body: unknown fields are refused with a 422 naming them,
    so a client never believes a field was saved that was silently dropped.

    In a JSON body a value has the JSON type its schema documents: `true`, not `0` or
    `"yes"`; `5`, not `"5"` (pydantic would convert them). A page form sends text and the
    same model converts it as before."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _exact_json_types(cls, value: Any, info: ValidationInfo) -> Any:
        kind = _json_kind(value)
        field = cls.model_fields.get(info.field_name or "")
        if kind is None or field is None or not (has_request_context() and request.is_json):
            return value
        kinds = _json_kinds(field.annotation)
        if kinds and "any" not in kinds and kind not in kinds:
            expected = " or ".join(sorted(kinds))
            raise ValueError(f"expected JSON {expected}, got {kind}")
        return value


class Problem(BaseModel):
    """`application/problem+json` (RFC 9457); more members (`reason`, `request_id`) may follow."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


_QUERY_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


class Pagination(Params):
    """`skip` and `limit` of every list endpoint."""

    skip: int = Field(0, ge=0, le=DB_INT_MAX)
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


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


class HubOpenAPI(OpenAPI):
    """The app, with an OpenAPI document that tells the truth.

    flask-openapi3 (4.3) replaces a path's operations when a second blueprint documents
    the same path (`GET /api/orders` vanished behind `POST /api/orders`) and lets a schema
    silently replace another of the same name; here operations merge and a clash of names
    refuses to build. Every error answer is documented once, by rule, in
    `document_problems`: no route copies the list."""

    def register_api(self, api: APIBlueprint, **options: Any) -> None:
        for name, schema in api.components_schemas.items():
            known = self.components_schemas.get(name)
            if known is not None and _dump(known) != _dump(schema):
                raise ValueError(f"two different schemas are named {name!r}: rename one")
        known = {uri: self.paths[uri] for uri in api.paths if uri in self.paths}
        super().register_api(api, **options)
        for uri, before in known.items():
            added, merged = self.paths[uri], before.model_copy()  # blueprints are shared
            for method in HTTP_METHODS:
                operation = getattr(added, method)
                if operation is None:
                    continue
                if getattr(before, method) is not None:
                    raise ValueError(f"{method.upper()} {uri} is documented twice")
                setattr(merged, method, operation)
            self.paths[uri] = merged

    def generate_spec_json(self) -> None:
        super().generate_spec_json()
        document_problems(self.spec_json)
        document_optional_bodies(self.spec_json)


def document_optional_bodies(spec: dict[str, Any]) -> None:
    """A JSON body whose fields are all optional may be left out (`POST …/join` with no
    body joins), so it is documented as not required."""
    schemas = spec.get("components", {}).get("schemas", {})
    for item in spec.get("paths", {}).values():
        for method, operation in item.items():
            body = operation.get("requestBody") if method in HTTP_METHODS else None
            if not isinstance(body, dict):
                continue
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            if not schema:
                continue
            ref = schema.get("$ref", "")
            resolved = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
            if resolved.get("type") == "object" and not resolved.get("required"):
                body["required"] = False


def _dump(schema: Any) -> Any:
    return schema.model_dump(mode="json", by_alias=True, exclude_unset=True)


def document_problems(spec: dict[str, Any]) -> None:
    """Document the errors each operation can answer, all as `application/problem+json`.

    By rule: 401 where a credential is read (sign-in required or optional), 403 where it is
    required (a banned account, a missing role), 404 where the path names a resource, 422
    where there is any parameter or body to validate. A route declares the rest itself
    (402, 409, 429, 503, or a 404 of its own) with `{status: Problem}`."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = get_model_schema(Problem, mode="serialization")
    schemas.pop("ValidationErrorModel", None)  # flask-openapi3's 422 body; ours is a Problem
    for item in spec.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            default_422 = responses.get("422", {}).get("content", {}).get("application/json")
            if default_422 and default_422.get("schema", {}).get("type") == "array":
                del responses["422"]  # added by flask-openapi3 to every operation
            security = operation.get("security", spec.get("security", []))
            parameters = operation.get("parameters", [])
            possible = set()
            if security:
                possible.add(401)
                if {} not in security:
                    possible.add(403)
            if any(parameter.get("in") == "path" for parameter in parameters):
                possible.add(404)
            if parameters or "requestBody" in operation:
                possible.add(422)
            for status in possible:
                responses.setdefault(str(status), {"description": _STATUS_TEXT[status]})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {
                        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
                    response.setdefault("description", _STATUS_TEXT.get(int(status), ""))


def api_blueprint(
    name: str,
    import_name: str,
    url_prefix: str,
    *,
    tag: str,
    description: str = "",
    security: list[dict[str, list[str]]] = SIGNED_IN,
) -> APIBlueprint:
    """A JSON blueprint: documented tag and security (signed in unless `security=[]`; a
    route of a public blueprint then names its own, flask-openapi3 adds the two up)."""
    return APIBlueprint(
        name,
        import_name,
        url_prefix=url_prefix,
        abp_tags=[Tag(name=tag, description=description)],
        abp_security=security,
    )


class JSONRequest(Request):
    """The app's request: a JSON body nested deeper than the parser's recursion limit (a few
    kilobytes of `[`) is a malformed body like any other — 400, or `None` when `silent` —
    instead of a `RecursionError` escaping as a 500."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            return self.on_json_loading_failed(ValueError("JSON nested too deeply"))


def refuse_null_body() -> Response | None:
    """A JSON body that is `null` or unreadable is not a body left out: an API route refuses
    it (422), so a route whose body is optional never takes it for "nothing sent"."""
    if not (request.is_json and request.path.startswith("/api/")):
        return None
    sent = request.get_data().strip()
    if sent and request.get_json(silent=True) is None:  # `null`, or not JSON at all
        message = _("The body must be a JSON object.")
        return problem(
            422,
            ValidationFailed.title,
            message,
            code=ValidationFailed.code,
            errors=[field_error("body", message, "model_type")],
        )
    return None


def json_instant(value: datetime | None) -> str | None:
    """A UTC datetime as pydantic writes it (`…Z`): for lists built straight to JSON."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


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
