"""My reviews page (`/reviews/mine`): the reviews I wrote and, `?about=me`, the ones about
me, each with its author, its order's category and city and its date in my zone, paged."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.market.models import ClientReview

WRITTEN_AT = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 2 December in Moscow, 1st in LA


def text(answer) -> str:
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def reviewed(client, post_order, fund, author, executor, rating, **order) -> str:
    """`author` posts an order, `executor` takes it, `author` rates them; the order's id."""
    fund(executor, 1000)
    posted = post_order(author, **order)
    taken = client.post(f"/api/orders/{posted['id']}/take", headers=headers_for(executor))
    assert taken.status_code == 201
    body = {"order_id": posted["id"], "executor_id": executor.id, "rating": rating, "text": ""}
    written = client.post("/api/reviews/client", json=body, headers=headers_for(author))
    assert written.status_code == 201
    return posted["id"]


def test_written_and_about_me(app, client, make_user, post_order, fund):
    """Does the page list the reviews I wrote (linking to each executor) and, about me, the
    ones clients wrote about me — author, category, city, rating, date in my own zone — and
    nobody else's?"""
    kate = make_user(first_name="Kate", time_zone="Europe/Moscow")
    max_ = make_user(first_name="Max", time_zone="America/Los_Angeles")
    stranger, other_client = make_user(first_name="Stan"), make_user(first_name="Olga")
    reviewed(client, post_order, fund, kate, max_, 4, category="repair", city="Kazan")
    reviewed(client, post_order, fund, other_client, stranger, 2)
    with app.app_context():
        db.session.execute(update(ClientReview).values(created_at=WRITTEN_AT))
        db.session.commit()

    written = text(client.get("/reviews/mine", headers=headers_for(kate)))
    assert "Kate · Repair · Kazan · Dec 2, 2026" in written
    assert "★★★★☆" in written and f'href="/executors/{max_.id}"' in written
    assert "Olga" not in written and "★★☆☆☆" not in written

    about = text(client.get("/reviews/mine?about=me", headers=headers_for(max_)))
    assert "Kate · Repair · Kazan · Dec 1, 2026" in about and "★★★★☆" in about
    assert "Olga" not in about

    assert "Kate" not in text(client.get("/reviews/mine", headers=headers_for(max_)))
    nothing = text(client.get("/reviews/mine?about=me", headers=headers_for(kate)))
    assert "No reviews about you yet." in nothing


def test_pages_by_skip(app, client, make_user, post_order, fund, monkeypatch):
    """With more reviews than a page holds, does the page offer More, and does the next
    page list the older ones (newest first)?"""
    monkeypatch.setattr("webapp.market.views.PAGE_SIZE", 1)
    client_user, first, second = make_user(), make_user(), make_user()
    reviewed(client, post_order, fund, client_user, first, 3)
    reviewed(client, post_order, fund, client_user, second, 5)
    page = text(client.get("/reviews/mine", headers=headers_for(client_user)))
    assert "★★★★★" in page and "★★★☆☆" not in page
    assert 'href="/reviews/mine?skip=1"' in page
    older = text(client.get("/reviews/mine?skip=1", headers=headers_for(client_user)))
    assert "★★★☆☆" in older and "★★★★★" not in older and "?skip=2" not in older


def test_reachable_from_the_market_and_me_and_needs_sign_in(client, make_user):
    """Do the feed and /me link to my reviews, and is the page refused signed out (401)?"""
    user = make_user()
    for path in ("/orders", "/me"):
        assert 'href="/reviews/mine"' in text(client.get(path, headers=headers_for(user)))
    assert client.get("/reviews/mine").status_code == 401
