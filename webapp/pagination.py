"""Paging of every list: a bounded `total`, offset pages (`skip`) and keyset pages (`after`).

Every list service builds its filtered `select(...)` and hands it to `paginate`, which runs
two statements whatever the table's size (one when the page is the last one reached by
offset: then the page itself says how many there are):

* **the count**, bounded: `SELECT count(*) FROM (… LIMIT 1001)`. `total` is exact up to
  `TOTAL_LIMIT` (1000); when more rows match, `total` is 1000 and `total_capped` is true
  (pages show "1000+"). Counting a million matches to print one number would cost the
  whole table on every request; counting 1001 costs at most 1001 index entries.
* **the page**, one row more than asked (`limit + 1`), so `has_more` is known without the
  count. With `keyset=True` the page also carries `next`: an opaque cursor (the last
  row's sort key) that the client sends back as `after` to get the rows that follow — a
  "load more" that costs the same on page 1 and page 1,000 (an index range instead of
  skipping `skip` rows), and that neither repeats nor skips a row when new ones arrive.

Services return a `Page`; `webapp.api.page_of` and the page templates read it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.engine import Result
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from webapp.errors import ValidationFailed, field_error
from webapp.extensions import db

T = TypeVar("T")
U = TypeVar("U")

TOTAL_LIMIT = 1000
"""`total` is exact up to this many matches; beyond it, `total_capped` says "more"."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, as a service returns it."""

    items: list[T]
    total: int
    total_capped: bool = False
    has_more: bool = False
    next: str | None = None
    """The cursor of the following page (keyset lists only; None on the last page)."""
    keyset: bool = False

    def with_items(self, items: list[U]) -> Page[U]:
        """The same page holding `items` (its rows turned into what a list shows)."""
        return Page(items, self.total, self.total_capped, self.has_more, self.next, self.keyset)

    @property
    def total_text(self) -> str:
        """`total` as people read it: "1000+" when capped."""
        return f"{self.total}+" if self.total_capped else str(self.total)


# An `ORDER BY` term: a mapped attribute (`Task.id`) or an expression (`Task.due.desc()`).
OrderKey = ColumnElement[Any] | QueryableAttribute[Any]


def count_bounded(
    query: Select, order: Sequence[OrderKey] = (), limit: int | None = None
) -> tuple[int, bool]:
    """(matches counted up to `limit` (`TOTAL_LIMIT`), whether there are more) — one
    statement that reads at most `limit + 1` rows, so its cost does not grow with the table.

    The count keeps the list's `order`: then PostgreSQL walks the same index as the page
    and stops after `limit + 1` entries. Without it, `LIMIT` invites a sequential scan that
    stops early only when matches are common — a filter that matches nothing reads the
    whole table."""
    limit = TOTAL_LIMIT if limit is None else limit
    inner = query.order_by(None).order_by(*order).limit(limit + 1).subquery()
    counted = db.session.scalar(select(func.count()).select_from(inner)) or 0
    return _bounded(counted, limit)


def _bounded(counted: int, limit: int | None = None) -> tuple[int, bool]:
    """(`total`, `total_capped`) of `counted` matches: at most `limit` (`TOTAL_LIMIT`)."""
    limit = TOTAL_LIMIT if limit is None else limit
    return min(counted, limit), counted > limit


def scalars(result: Result[Any]) -> list[Any]:
    """Rows of one entity (the default shape of a page)."""
    return list(result.scalars().all())


def core_rows(result: Result[Any]) -> list[Any]:
    """Core rows as they come (attribute access by column name; no ORM instances)."""
    return list(result.all())


def unique_scalars(result: Result[Any]) -> list[Any]:
    """Rows of one entity with joined-eager collections (SQLAlchemy asks for `unique()`)."""
    return list(result.scalars().unique().all())


def paginate(
    query: Select,
    order: Sequence[OrderKey],
    *,
    skip: int = 0,
    limit: int = 20,
    after: str | None = None,
    keyset: bool = False,
    shape: Callable[[Result[Any]], list[Any]] = scalars,
    count_with_page: bool = False,
) -> Page[Any]:
    """The page of `query` in `order` (the last key must make the order total, e.g. `id`).

    `after` (a `next` cursor of an earlier page) starts after that row instead of skipping
    `skip` rows; `keyset=True` makes the page carry its own `next`. `shape` turns the
    executed page into items (default: the entity of a one-entity select); the sort keys are
    read back from each item by column name, so keyset lists return models or rows that
    carry those columns.

    `count_with_page=True` (a one-entity select whose matches cannot be counted from an
    index alone, such as a text search that rechecks every row it finds) counts the first
    page's matches in the page's own statement: one search of the table instead of two."""
    keys = [_sort_key(expression) for expression in order]
    if count_with_page and not skip and after is None:
        rows, counted = _first_page_counted(query, order, keys, limit)
        total, capped = _bounded(counted)
        has_more, items = len(rows) > limit, rows[:limit]
    else:
        page_query = query.order_by(*order)
        if after is not None:
            page_query = page_query.where(_after(keys, _decode(after, len(keys))))
        else:
            page_query = page_query.offset(skip)
        rows = shape(db.session.execute(page_query.limit(limit + 1)))
        has_more = len(rows) > limit
        items = rows[:limit]
        if not has_more and after is None and (items or not skip):
            # The last page from an offset says how many there are: no count needed.
            total, capped = _bounded(skip + len(items))
        else:
            total, capped = count_bounded(query, order)
    cursor = None
    if keyset and has_more and items:
        cursor = _encode([getattr(items[-1], column.key) for column, _ in keys])
    return Page(
        items=items,
        total=total,
        total_capped=capped,
        has_more=has_more,
        next=cursor,
        keyset=keyset,
    )


def _first_page_counted(
    query: Select, order: Sequence[OrderKey], keys: list[tuple[Any, bool]], limit: int
) -> tuple[list[Any], int]:
    """(the first `limit + 1` entities of `query`, its matches counted up to
    `TOTAL_LIMIT + 1`) in one statement: the bounded matches in `order`, each row carrying
    their count (a window over them), the page taken from them in the same order (`keys`)."""
    entity = query.column_descriptions[0]["entity"]
    bounded = query.order_by(*order).limit(TOTAL_LIMIT + 1).subquery()
    row = aliased(entity, bounded)
    outer = [
        getattr(row, column.key).desc() if descending else getattr(row, column.key).asc()
        for column, descending in keys
    ]
    counted = select(row, func.count().over()).order_by(*outer).limit(limit + 1)
    found = db.session.execute(counted).all()
    return [item for item, _total in found], (found[0][1] if found else 0)


# --- keyset cursors ------------------------------------------------------------------------


def _sort_key(expression: OrderKey) -> tuple[Any, bool]:
    """(column, descending) of an `ORDER BY` term."""
    if isinstance(expression, UnaryExpression) and expression.modifier in (
        operators.desc_op,
        operators.asc_op,
    ):
        return expression.element, expression.modifier is operators.desc_op
    return expression, False


def _after(keys: list[tuple[Any, bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys`: (a, b) after (x, y) is
    `a > x OR (a = x AND b > y)` per direction. The leading `a >= x` is implied, but said
    alone it gives the planner an index range to start from."""
    alternatives = []
    for index, (column, descending) in enumerate(keys):
        equal = [keys[i][0] == values[i] for i in range(index)]
        beyond = column < values[index] if descending else column > values[index]
        alternatives.append(and_(*equal, beyond))
    first, descending = keys[0]
    start = first <= values[0] if descending else first >= values[0]
    return and_(start, or_(*alternatives))


def _encode(values: list[Any]) -> str:
    wire = [{"t": value.isoformat()} if isinstance(value, datetime) else value for value in values]
    raw = json.dumps(wire, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any]:
    """The values of a cursor, or a 422 naming `after` (a cursor is only ever ours)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        wire = json.loads(raw)
        if not isinstance(wire, list) or len(wire) != size:
            raise ValueError("wrong size")
        values = [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in wire]
        if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
            raise ValueError("naive datetime")
        if not all(isinstance(v, str | int | float | datetime) for v in values):
            raise ValueError("not a key")
        return values
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as exc:
        message = _l("This cursor is not one this list gave out; start from the first page.")
        raise ValidationFailed(message, errors=[field_error("after", message)]) from exc
