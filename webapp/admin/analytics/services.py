"""The numbers per day: one set-based query per line of a chart.

Each line is `SELECT day(t), count(*) | sum(x) FROM table WHERE t >= :start [AND …] GROUP BY
day(t)` over an indexed time column (`analytics.models`): the database reads only the rows
of the days shown and returns at most 90 rows, so a chart costs the same at a thousand rows
or a million (`bench/analytics.py`, figures in `bench/RESULTS.md`). Days are UTC days; a day
without rows is a zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Date, Select, cast, func, select

from webapp.database import utcnow
from webapp.errors import NotFound
from webapp.events.models import Participant
from webapp.extensions import db
from webapp.market.models import BalanceTransaction, Order, Take, TransactionType
from webapp.problems.models import Attempt
from webapp.tasks.models import Task
from webapp.users.models import ActiveDay, User
from webapp.users.roles import require_admin

PERIODS = (7, 30, 90)
NOT_ALLOWED = _l("Only admins see the analytics.")


@dataclass(frozen=True)
class Line:
    label: Any  # a lazy string
    values: list[int | float]


@dataclass(frozen=True)
class Chart:
    key: str
    title: Any  # a lazy string
    days: list[date]
    lines: list[Line]
    unit: Any = None  # "₽" for money, None for counts


def day_of(column: Any) -> ColumnElement[Any]:
    """The UTC day of a timestamp column, in SQL (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _start(days: int, today: date) -> datetime:
    first = today - timedelta(days=days - 1)
    return datetime.combine(first, time.min, tzinfo=utcnow().tzinfo)


def per_day(column: Any, *where: Any, total: Any = None) -> Callable[[datetime], Select[Any]]:
    """A query of `count(*)` (or `sum(total)`) per UTC day of `column` since a start."""

    def query(start: datetime) -> Select[Any]:
        day = day_of(column)
        measure = func.count() if total is None else func.coalesce(func.sum(total), 0)
        return select(day, measure).where(column >= start, *where).group_by(day)

    return query


def active_days(start: datetime) -> Select[Any]:
    return (
        select(ActiveDay.day, func.count())
        .where(ActiveDay.day >= start.date())
        .group_by(ActiveDay.day)
    )


def _money(kind: TransactionType, sign: int = 1) -> Callable[[datetime], Select[Any]]:
    return per_day(
        BalanceTransaction.created_at,
        BalanceTransaction.type == kind,
        total=BalanceTransaction.amount * sign,
    )


# key -> (title, unit, [(line label, query)])
CHARTS: dict[str, tuple[Any, Any, list[tuple[Any, Callable[[datetime], Select[Any]]]]]] = {
    "active": (_l("Daily active users"), None, [(_l("Active users"), active_days)]),
    "signups": (_l("Sign-ups"), None, [(_l("New users"), per_day(User.created_at))]),
    "tasks": (
        _l("Tasks"),
        None,
        [
            (_l("Tasks created"), per_day(Task.created_at)),
            (_l("Tasks done"), per_day(Task.done_at)),
        ],
    ),
    "joins": (_l("Event joins"), None, [(_l("Joins"), per_day(Participant.joined_at))]),
    "solved": (
        _l("Problems solved"),
        None,
        [(_l("Correct answers"), per_day(Attempt.created_at, Attempt.is_correct.is_(True)))],
    ),
    "orders": (
        _l("Orders"),
        None,
        [
            (_l("Orders posted"), per_day(Order.created_at)),
            (_l("Orders taken"), per_day(Take.taken_at)),
        ],
    ),
    "money": (
        _l("Money, ₽"),
        "₽",
        [
            (_l("In: Stars top-ups"), _money(TransactionType.STARS_TOPUP)),
            (_l("Out: takes"), _money(TransactionType.ORDER_TAKE, -1)),
            (_l("Out: refunds"), _money(TransactionType.REFUND)),
        ],
    ),
}


def check_period(days: int) -> int:
    return days if days in PERIODS else 30


def chart(actor: User, key: str, days: int, today: date | None = None) -> Chart:
    """One chart's lines over the last `days` UTC days (today included)."""
    require_admin(actor, NOT_ALLOWED)
    if key not in CHARTS:
        raise NotFound(_l("No such chart."))
    days = check_period(days)
    today = today or utcnow().date()
    start = _start(days, today)
    calendar = [start.date() + timedelta(days=n) for n in range(days)]
    title, unit, specs = CHARTS[key]
    lines = []
    for label, query in specs:
        found = {_as_date(day): value for day, value in db.session.execute(query(start))}
        values: list[int | float] = [
            round(int(found.get(day) or 0) / 100, 2) if unit else int(found.get(day) or 0)
            for day in calendar
        ]
        lines.append(Line(label=label, values=values))
    return Chart(key=key, title=title, days=calendar, lines=lines, unit=unit)


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ or a control
    character gets a leading apostrophe (numbers are written as numbers)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
        return "'" + text
    return text


def chart_csv(found: Chart) -> Iterator[str]:
    """The chart as CSV: a date column and a column per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(_l("Date")), *(safe_cell(line.label) for line in found.lines)])
    for index, day in enumerate(found.days):
        writer.writerow([day.isoformat(), *(safe_cell(line.values[index]) for line in found.lines)])
    yield buffer.getvalue()
