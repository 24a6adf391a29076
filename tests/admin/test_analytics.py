"""Analytics: every chart renders as a script-free SVG and a CSV, on an empty database and a
seeded one, with the seeded numbers on the right days; daily active users are recorded once
per user per day."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.fixtures.users import headers_for
from webapp.admin.analytics import services
from webapp.database import utcnow
from webapp.events.models import Event, Participant
from webapp.extensions import db
from webapp.market.models import BalanceTransaction, Order, Take, TransactionType
from webapp.problems.models import Attempt, Problem
from webapp.tasks.models import Task
from webapp.users.models import ActiveDay, Role, User

PAGE = "/admin/analytics/"


def svg_of(admin_client, key: str, days: int = 30) -> ET.Element:
    answer = admin_client.get(f"{PAGE}{key}.svg?days={days}")
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    body = answer.get_data()
    assert b"<script" not in body  # pygal's config script is cut out
    return ET.fromstring(body)


def csv_of(admin_client, key: str, days: int = 30) -> list[list[str]]:
    answer = admin_client.get(f"{PAGE}{key}.csv?days={days}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True))))


@pytest.mark.parametrize("days", services.PERIODS)
def test_every_chart_renders_on_an_empty_database(admin_client, days):
    """Does each chart, over 7, 30 and 90 days, render as an SVG without script and a CSV of
    zeros (but the admin who signed in), one row per day, when nothing has happened yet?"""
    page = admin_client.get(f"{PAGE}?days={days}").get_data(as_text=True)
    for key in services.CHARTS:
        assert f'data-chart="{key}"' in page
        root = svg_of(admin_client, key, days)
        assert root.tag.endswith("svg")
        rows = csv_of(admin_client, key, days)
        assert len(rows) == days + 1
        signed_in = 1 if key in ("active", "signups") else 0  # the admin, today
        for column in range(1, len(rows[0])):
            assert sum(float(row[column]) for row in rows[1:]) == signed_in, key


def seed(app, dashboard_admin) -> dict[str, int]:
    """A few of everything, today and three days ago (and one 100 days ago, out of range)."""
    now = utcnow()
    earlier = now - timedelta(days=3)
    old = now - timedelta(days=100)
    with app.app_context():
        people = [User(telegram_id=900 + n, first_name=f"P{n}", created_at=now) for n in range(3)]
        people.append(User(telegram_id=950, first_name="Old", created_at=old))
        db.session.add_all(people)
        db.session.flush()
        owner = people[0].id
        db.session.add_all(
            [ActiveDay(day=now.date(), user_id=p.id) for p in people[:2]]
            + [ActiveDay(day=earlier.date(), user_id=people[0].id)]
        )
        db.session.add_all(
            [
                Task(owner_id=owner, title="a", created_at=now, done_at=now),
                Task(owner_id=owner, title="b", created_at=earlier),
            ]
        )
        event = Event(title="E", starts_at=now, creator_id=owner)
        db.session.add(event)
        db.session.flush()
        db.session.add(Participant(event_id=event.id, user_id=owner, joined_at=earlier))
        problem = Problem(title="p", statement="s", answer="1", topic="algebra", author_id=owner)
        db.session.add(problem)
        db.session.flush()
        for correct in (True, False):
            db.session.add(
                Attempt(
                    user_id=owner,
                    problem_id=problem.id,
                    answer="1",
                    is_correct=correct,
                    predicted_success=0.5,
                    rated=False,
                    created_at=now,
                )
            )
        order = Order(
            id="o1",
            client_id=owner,
            category="courier",
            city="Moscow",
            description="d",
            contact="c",
            created_at=now,
            expires_at=now,
        )
        db.session.add(order)
        db.session.flush()
        db.session.add(Take(order_id="o1", executor_id=people[1].id, price=200, taken_at=now))
        ledger = [
            (TransactionType.STARS_TOPUP, 50_000, now),
            (TransactionType.ORDER_TAKE, -200, now),
            (TransactionType.REFUND, 200, earlier),
        ]
        for n, (kind, amount, at) in enumerate(ledger):
            db.session.add(
                BalanceTransaction(
                    user_id=people[1].id,
                    type=kind,
                    amount=amount,
                    balance_after=0,
                    reference=f"r{n}",
                    created_at=at,
                )
            )
        db.session.commit()
    return {"today": now.date().isoformat(), "earlier": earlier.date().isoformat()}


def test_charts_count_the_seeded_rows_on_their_days(app, admin_client, dashboard_admin):
    """Does each chart's CSV hold the seeded numbers on the right UTC days (and nothing
    older than the period), and does each SVG draw every line?"""
    days = seed(app, dashboard_admin)

    def on(key: str) -> dict[str, list[str]]:
        rows = csv_of(admin_client, key)
        return {row[0]: row[1:] for row in rows[1:]}

    assert on("active")[days["today"]] == ["3"]  # 2 seeded + the admin who signed in
    assert on("active")[days["earlier"]] == ["1"]
    assert on("signups")[days["today"]] == ["4"]  # 3 seeded + the dashboard admin
    assert sum(int(v[0]) for v in on("signups").values()) == 4  # the 100-day-old one is out
    assert on("tasks")[days["today"]] == ["1", "1"] and on("tasks")[days["earlier"]] == ["1", "0"]
    assert on("joins")[days["earlier"]] == ["1"]
    assert on("solved")[days["today"]] == ["1"]  # the wrong answer is not counted
    assert on("orders")[days["today"]] == ["1", "1"]
    assert on("money")[days["today"]] == ["500.0", "2.0", "0.0"]  # rubles: in, takes, refunds
    assert on("money")[days["earlier"]] == ["0.0", "0.0", "2.0"]
    for key, (_title, _unit, lines) in services.CHARTS.items():
        root = svg_of(admin_client, key)
        text = "".join(root.itertext())
        for label, _query in lines:
            assert str(label) in text, (key, label)


def test_the_csv_is_safe_to_open_in_a_spreadsheet():
    """Is a cell that a spreadsheet would run as a formula written as text?"""
    assert services.safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert services.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert services.safe_cell("-2+3") == "'-2+3"
    assert services.safe_cell(-2) == "-2"  # a number stays a number
    assert services.safe_cell("Date") == "Date"


def test_an_unknown_chart_is_404_and_strangers_get_nothing(app, admin_client, client):
    """Is an unknown chart a 404, and is every analytics URL closed to someone not signed
    in to the dashboard?"""
    assert admin_client.get(f"{PAGE}nope.svg").status_code == 404
    assert admin_client.get(f"{PAGE}nope.csv").status_code == 404
    for url in (PAGE, f"{PAGE}active.svg", f"{PAGE}active.csv"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


def test_a_period_other_than_7_30_or_90_shows_30_days(admin_client):
    """Is a made-up period (`days=100000`) shown as 30 days, never a huge query?"""
    assert len(csv_of(admin_client, "signups", 100_000)) == 31


def test_a_user_is_active_once_a_day(app, client, make_user):
    """Does using the Mini App mark the user active for today once, however often they
    come back, and again on another day?"""
    user = make_user(Role.STUDENT)
    for _ in range(3):
        assert client.get("/api/users/me", headers=headers_for(user)).status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ActiveDay.user_id)).all() == [user.id]
        stored = db.session.get(User, user.id)
        stored.last_seen_at = datetime.now(UTC) - timedelta(days=1)
        db.session.add(ActiveDay(day=(utcnow() - timedelta(days=1)).date(), user_id=user.id))
        db.session.execute(ActiveDay.__table__.delete().where(ActiveDay.day == utcnow().date()))
        db.session.commit()
    client.get("/api/users/me", headers=headers_for(user))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActiveDay)) == 2


def test_pygal_leaves_the_import_system_as_it_was():
    """Does importing the charts leave no legacy finder (pygal's map-plugin finder) on
    `sys.meta_path`, which would make every later failed import warn?"""
    import sys

    import webapp.admin.analytics.charts  # noqa: F401

    assert all(hasattr(finder, "find_spec") for finder in sys.meta_path)


def test_count_charts_have_whole_number_ticks(app, admin_client):
    """Does a count chart label its axis with whole numbers only (one user is 0 and 1, not
    0.2, 0.4 …)?"""
    root = svg_of(admin_client, "signups")
    axis = next(
        node
        for node in root.iter()
        if node.tag.endswith("}g") and "axis y" in (node.get("class") or "")
    )
    ticks = ["".join(t.itertext()).strip() for t in axis.iter() if t.tag.endswith("}text")]
    assert ticks and all(tick.isdigit() for tick in ticks), ticks
    assert len(set(ticks)) == len(ticks), ticks  # fractional ticks would print 0, 0, … 1
