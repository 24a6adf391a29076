"""`flask demo seed`: every feature gets lively content, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from webapp.database import utcnow
from webapp.demo import FEATURE_SEEDERS
from webapp.events.models import Event
from webapp.extensions import db
from webapp.market import money
from webapp.market.models import Order, OrderStatus, Preferences, Take
from webapp.problems import services as problems
from webapp.problems.models import Attempt, Problem, ProblemStatus
from webapp.tasks.models import Task
from webapp.tickets.models import FormStatus, TicketForm
from webapp.users.models import User


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _seed(runner) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert f"{len(FEATURE_SEEDERS)} features" in result.output


def test_seeding_twice_adds_nothing(app, runner):
    """Does a second `flask demo seed` leave every table exactly as the first one did?"""
    _seed(runner)
    with app.app_context():
        first = _row_counts()
    _seed(runner)
    with app.app_context():
        assert _row_counts() == first
        assert first["users"] == 4


def test_every_feature_has_content_after_seeding(app, runner):
    """After seeding, does each module have what the demo needs to look alive?"""
    _seed(runner)
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        anna, oleg = people["anna_demo"], people["oleg_demo"]

        assert db.session.scalar(sa.select(sa.func.count(Task.id)).where(Task.owner_id == anna.id))

        events = db.session.scalars(sa.select(Event)).all()
        soon = [e for e in events if e.starts_at <= utcnow() + timedelta(days=1)]
        assert len(events) >= 3 and len(soon) == 1
        assert soon[0].participants_count >= 2

        statuses = {f.status for f in db.session.scalars(sa.select(TicketForm))}
        assert statuses == {FormStatus.DRAFT, FormStatus.SUBMITTED}

        approved = db.session.scalars(
            sa.select(Problem).where(Problem.status == ProblemStatus.APPROVED)
        ).all()
        assert len({p.topic for p in approved}) >= 3
        pending = db.session.scalars(
            sa.select(Problem).where(Problem.status == ProblemStatus.PENDING)
        ).all()
        assert len(pending) == 1
        assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) >= 10
        assert problems.predict(anna, approved[0].id).user_attempts > 0
        assert problems.recommend(anna, limit=3)

        active = db.session.scalars(
            sa.select(Order).where(Order.status == OrderStatus.ACTIVE, Order.client_id == oleg.id)
        ).all()
        assert len(active) >= 3
        takes = db.session.scalars(sa.select(Take)).all()
        assert [t.executor_id for t in takes] == [anna.id]
        assert money.balance_of(anna.id) == 1_000_00 - takes[0].price
        assert money.balance_of(people["mira_demo"].id) == 1_000_00
        prefs = db.session.get(Preferences, anna.id)
        assert prefs is not None and prefs.categories and prefs.cities
