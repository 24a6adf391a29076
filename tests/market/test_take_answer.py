"""A take's answer is read before its commit: nothing is selected again after it (the
commit expires every object, and reading the take and the charge afterwards cost two
more round trips: 14 statements a take instead of 12)."""

from __future__ import annotations

from sqlalchemy import event as sa_event

from tests.fixtures.users import headers_for
from webapp.extensions import db


def test_a_take_runs_no_statement_after_its_commit(app, client, make_user, post_order, fund):
    """Does a take answer 201 with its price, balance and contact, and run no SQL after it
    commits?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    with app.app_context():
        engine = db.engine
    after_commit: list[str] = []  # the statements since the last commit
    committed = []

    def on_commit(session):
        committed.append(True)
        after_commit.clear()

    def record(conn, cursor, statement, parameters, context, executemany):
        after_commit.append(statement)

    sa_event.listen(db.session, "after_commit", on_commit)
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
        sa_event.remove(db.session, "after_commit", on_commit)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["order_id"] == order["id"]
    assert body["contact"] and body["price"] and body["balance_after"]
    assert committed
    assert after_commit == []


def test_a_take_reads_nothing_it_already_has(app, client, make_user, post_order, fund):
    """Does a take run only what it needs — lock the order, insert the take, count it on the
    order, charge, record the charge, read the executor's rating, the client, the client's
    notification setting, the category's name and queue the message: 10 statements (9 when
    the choices are remembered) — without reading the take, the order or an earlier take
    again, and does a repeat still answer the first take without a second charge?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 201, answer.get_json()
    # From the order's lock on (what came before is the sign-in's, cached in production).
    locked = next(i for i, s in enumerate(statements) if s.startswith("SELECT orders."))
    take = statements[locked:]
    user_reads = [s for s in take if s.startswith("SELECT users.")]
    take_reads = [s for s in take if s.startswith("SELECT") and "FROM order_takes" in s]
    order_reads = [s for s in take if s.startswith("SELECT orders.")]
    assert (len(user_reads), take_reads, len(order_reads)) == (2, [], 1), take
    assert len(take) == 10, take
    repeat = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    assert repeat.status_code == 200 and repeat.get_json()["balance_after"] == {
        "amount": 800, "currency": "RUB",
    }  # fmt: skip
