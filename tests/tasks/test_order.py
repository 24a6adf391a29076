"""Sorting and the manual order: `sort=…`, `POST /api/tasks/<id>/move` writing one row,
rebalancing when a gap is used up, and two devices moving at once."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, insert, select

from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task
from webapp.extensions import db
from webapp.tasks import services
from webapp.tasks.models import POSITION_GAP, Task
from webapp.users.models import User


def add(client, headers, **fields):
    return add_task(client, headers, **fields)["id"]


def listed(client, headers, sort="position", **query):
    answer = client.get("/api/tasks", query_string={"sort": sort, **query}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [item["id"] for item in answer.get_json()["items"]]


def move(client, headers, task_id, **where):
    return client.post(f"/api/tasks/{task_id}/move", json=where, headers=headers)


def test_sorts(client, me):
    """Does each sort order the list, `-` reversing it, undated tasks last by due date,
    priority by rank (not alphabetically)?"""
    a = add(client, me, title="b", priority="high", due_at="2030-01-02T00:00:00Z")
    b = add(client, me, title="c", priority="low")
    c = add(client, me, title="a", priority="normal", due_at="2030-01-01T00:00:00Z")
    assert listed(client, me, "-created") == [c, b, a] == listed(client, me, None)
    assert listed(client, me, "created") == [a, b, c]
    assert listed(client, me, "position") == [c, b, a]
    assert listed(client, me, "-position") == [a, b, c]
    assert listed(client, me, "due") == [c, a, b]
    assert listed(client, me, "-due") == [a, c, b]
    assert listed(client, me, "priority") == [b, c, a]
    assert listed(client, me, "-priority") == [a, c, b]
    assert listed(client, me, "title") == [c, a, b]
    assert listed(client, me, "-title") == [b, a, c]


def test_keyset_follows_the_sort(client, me):
    """Does the `next` cursor continue in `sort=position` and `sort=title` order, and is a
    cursor refused (422) for sorts that page by skip?"""
    made = [add(client, me, title=f"t{i}") for i in range(5)]
    for sort, expected in (("position", made[::-1]), ("title", made), ("-title", made[::-1])):
        first = client.get(f"/api/tasks?sort={sort}&limit=2", headers=me).get_json()
        seen = [item["id"] for item in first["items"]]
        after = first["next"]
        while after:
            page = client.get(
                "/api/tasks", query_string={"sort": sort, "limit": 2, "after": after}, headers=me
            ).get_json()
            seen += [item["id"] for item in page["items"]]
            after = page["next"]
        assert seen == expected, sort
    first = client.get("/api/tasks?sort=due&limit=2", headers=me).get_json()
    assert first["next"] is None and first["has_more"] is True
    cursor = client.get("/api/tasks?sort=position&limit=2", headers=me).get_json()["next"]
    refused = client.get("/api/tasks", query_string={"sort": "due", "after": cursor}, headers=me)
    assert refused.status_code == 422


@pytest.mark.parametrize("sort", ["name", "--due", "position,title", ""])
def test_unknown_sort_is_422(client, me, sort):
    """Is a sort that is not one of the five (with an optional `-`) refused?"""
    assert client.get("/api/tasks", query_string={"sort": sort}, headers=me).status_code == 422


def test_move_before_and_after(client, me):
    """Does a move put the task right before or right after the one named, at the ends as
    well as in the middle?"""
    d, c, b, a = (add(client, me, title=name) for name in "dcba")  # new tasks go on top
    assert listed(client, me) == [a, b, c, d]
    assert move(client, me, a, after_id=c).status_code == 200
    assert listed(client, me) == [b, c, a, d]
    move(client, me, d, before_id=b)
    assert listed(client, me) == [d, b, c, a]
    move(client, me, d, after_id=a)
    assert listed(client, me) == [b, c, a, d]
    body = move(client, me, c, before_id=b).get_json()
    assert body["id"] == c and listed(client, me) == [c, b, a, d]


def test_new_task_goes_on_top_of_the_manual_order(client, me):
    """Does a task added after some moves appear first in `sort=position`?"""
    first, second = add(client, me), add(client, me)
    move(client, me, second, after_id=first)
    newest = add(client, me)
    assert listed(client, me) == [newest, first, second]


def test_bad_moves(client, me, make_user):
    """Are a move with neither or both anchors, next to itself or to someone else's task
    422, and a move of someone else's task 404?"""
    mine, other_mine = add(client, me), add(client, me)
    theirs = add(client, headers_for(make_user()))
    assert move(client, me, mine).status_code == 422
    assert move(client, me, mine, before_id=other_mine, after_id=other_mine).status_code == 422
    assert move(client, me, mine, before_id=mine).status_code == 422
    assert move(client, me, mine, after_id=theirs).status_code == 422
    assert move(client, me, theirs, after_id=mine).status_code == 404
    assert move(client, me, mine, after_id=other_mine, extra=1).status_code == 422


def test_many_moves_into_one_gap_rebalance_and_keep_the_order(app, client, me, student):
    """When moves into the same gap use it up, is the list renumbered and is every move
    still where it was asked to go?"""
    a, b = add(client, me), add(client, me)
    expected = [b, a]
    for _ in range(40):  # each new task goes right before `a`: the gap halves each time
        new = add(client, me)
        assert move(client, me, new, before_id=a).status_code == 200
        expected.insert(expected.index(a), new)
        assert listed(client, me, limit=100) == expected
    with app.app_context():
        positions = db.session.scalars(
            select(Task.position).where(Task.owner_id == student.id).order_by(Task.position)
        ).all()
    assert len(set(positions)) == len(positions)


def test_a_move_runs_the_same_statements_however_long_the_list(app, student):
    """Does moving a task in a 1,000-task list run as many statements as in a 10-task
    list, and change only the moved task's row?"""

    def positions(owner_id: int) -> dict[int, int]:
        rows = db.session.execute(
            select(Task.id, Task.position).where(Task.owner_id == owner_id)
        ).all()
        return dict(rows)

    def statements_of_a_move(size: int) -> int:
        with app.app_context():
            owner = db.session.get(User, student.id)
            db.session.execute(Task.__table__.delete().where(Task.owner_id == owner.id))
            db.session.execute(
                insert(Task),
                [
                    {"owner_id": owner.id, "title": f"t{i}", "position": i * POSITION_GAP}
                    for i in range(size)
                ],
            )
            db.session.commit()
            ids = db.session.scalars(
                select(Task.id).where(Task.owner_id == owner.id).order_by(Task.position)
            ).all()
            before = positions(owner.id)
            seen: list[str] = []

            def count(conn, cursor, statement, parameters, context, executemany):
                seen.append(statement)

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                services.move_task(owner, ids[-1], after_id=ids[size // 2])
                db.session.commit()
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            after = positions(owner.id)
            changed = {task_id for task_id in before if before[task_id] != after[task_id]}
            assert changed == {ids[-1]}
            return len(seen)

    assert statements_of_a_move(1000) == statements_of_a_move(10)


# --- two devices at once (PostgreSQL row locks; SQLite's single writer) ----------------------


def test_two_devices_moving_into_the_same_gap(shared_app):
    """When two devices move tasks at once (C right before B, then D right before B), does
    the second wait for the first and see its move, giving A, C, D, B — not a tie both
    computed from the old list (which ids would order A, D, C, B)?"""
    app = shared_app
    with app.app_context():
        owner = User(telegram_id=4_400_001, first_name="Two devices")
        db.session.add(owner)
        db.session.flush()
        made = [services.create_task(owner, {"title": name}).id for name in "DCBA"]
        db.session.commit()
        owner_id = owner.id
    d, c, b, a = made
    first_moved = threading.Event()
    results: list[BaseException | None] = []

    def device(task_id: int, hold: bool) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, owner_id)
                if not hold:
                    first_moved.wait(10)
                services.move_task(user, task_id, before_id=b)
                if hold:
                    first_moved.set()
                    time.sleep(0.5)  # the other device reads now, unless it must wait
                db.session.commit()
                results.append(None)
        except BaseException as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=device, args=(c, True)),
        threading.Thread(target=device, args=(d, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [None, None]
    with app.app_context():
        order = db.session.scalars(
            select(Task.id).where(Task.owner_id == owner_id).order_by(Task.position, Task.id)
        ).all()
    assert order == [a, c, d, b]
