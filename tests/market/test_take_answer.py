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
