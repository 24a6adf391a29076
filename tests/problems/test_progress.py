"""Progress a student can see: rating over time, solved per topic, the streak of days in
their time zone, the SVG page, and the opt-in leaderboard of display names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.problems import services
from webapp.problems.models import Attempt
from webapp.users.models import User


def _attempt_at(app, user, problem_id, moment, correct, rating_after):
    with app.app_context():
        db.session.add(
            Attempt(
                user_id=user.id,
                problem_id=problem_id,
                answer="x",
                is_correct=correct,
                predicted_success=0.5,
                rated=True,
                rating_after=rating_after,
                created_at=moment,
            )
        )
        db.session.commit()


def test_streak_counts_days_up_to_today_or_yesterday():
    """Is the streak the run of days ending today, or yesterday while today is not over?"""
    today = date(2026, 12, 2)
    assert (
        services.streak_of({date(2026, 12, d) for d in (2, 1)} | {date(2026, 11, 30)}, today) == 3
    )
    assert services.streak_of({date(2026, 12, 1), date(2026, 11, 30)}, today) == 2
    assert services.streak_of({date(2026, 11, 30)}, today) == 0


def test_progress_by_local_day_and_topic(app, make_user, teacher, make_problem):
    """Are rating points and streak days counted in the user's time zone (01:00 in
    Vladivostok is already the next day there), and problems solved and tried per topic?"""
    student = make_user("student", time_zone="Asia/Vladivostok")
    algebra = make_problem(teacher, topic="algebra")
    algebra_2 = make_problem(teacher, topic="algebra")
    geometry = make_problem(teacher, topic="geometry")
    _attempt_at(app, student, algebra, datetime(2026, 11, 30, 12, tzinfo=UTC), True, 0.3)
    _attempt_at(app, student, algebra_2, datetime(2026, 12, 1, 2, tzinfo=UTC), False, 0.2)
    _attempt_at(app, student, geometry, datetime(2026, 12, 1, 15, tzinfo=UTC), True, 0.5)
    with app.app_context():
        actor = db.session.get(User, student.id)
        progress = services.progress(actor, today=date(2026, 12, 2))
    assert [(p.day, p.rating) for p in progress.history] == [
        (date(2026, 11, 30), 0.3),
        (date(2026, 12, 1), 0.2),
        (date(2026, 12, 2), 0.5),
    ]
    assert [(t.topic, t.solved, t.attempted) for t in progress.topics] == [
        ("algebra", 1, 2),
        ("geometry", 1, 1),
    ]
    assert progress.streak == 1  # Nov 30 and Dec 2 (local) solved, Dec 1 not
    assert progress.solved == 2


def test_progress_api_and_page(client, student, teacher, make_problem):
    """Does answering record the rating for the chart, `GET /api/progress` report it, and the
    page draw the chart and the bars as server-side SVG with no script?"""
    problem_id = make_problem(teacher, topic="fractions")
    client.post(
        "/api/attempts",
        json={"problem_id": problem_id, "answer": "3.5"},
        headers=headers_for(student),
    )
    body = client.get("/api/progress", headers=headers_for(student)).get_json()
    assert len(body["history"]) == 1 and body["history"][0]["rating"] == body["rating"] > 0
    assert body["topics"] == [{"topic": "fractions", "solved": 1, "attempted": 1}]
    assert body["streak"] == 1 and body["on_leaderboard"] is False
    html = client.get("/problems/progress", headers=headers_for(student)).get_data(as_text=True)
    assert 'data-chart="rating"' in html and "<polyline" in html
    assert (
        'data-topic="fractions" data-solved="1"' in html
        and "<script>" not in html.split("</svg>")[0]
    )


def test_leaderboard_is_opt_in_and_shows_display_names_only(
    client, make_user, teacher, make_problem
):
    """Does a topic's leaderboard list only users who opted in, best first, by display name
    (never a username), and drop a user who opts out?"""
    problems = [make_problem(teacher, topic="logic") for _ in range(2)]
    ann = make_user("student", first_name="Ann", username="ann_secret")
    bob = make_user("student", first_name="Bob", username="bob_secret")
    hidden = make_user("student", first_name="Hidden")
    for user, count in ((ann, 1), (bob, 2), (hidden, 2)):
        for problem_id in problems[:count]:
            client.post(
                "/api/attempts",
                json={"problem_id": problem_id, "answer": "3.5"},
                headers=headers_for(user),
            )
    for user in (ann, bob):
        joined = client.put(
            "/api/progress/leaderboard", json={"joined": True}, headers=headers_for(user)
        )
        assert joined.status_code == 200 and joined.get_json()["on_leaderboard"] is True
    board = client.get("/api/progress/leaderboard?topic=Logic", headers=headers_for(ann)).get_json()
    assert [(r["display_name"], r["solved"], r["is_you"]) for r in board["items"]] == [
        ("Bob", 2, False),
        ("Ann", 1, True),
    ]
    page = client.get("/problems/leaderboard?topic=logic", headers=headers_for(ann)).get_data(
        as_text=True
    )
    assert "Bob" in page and "Hidden" not in page and "secret" not in page
    client.put("/api/progress/leaderboard", json={"joined": False}, headers=headers_for(bob))
    board = client.get("/api/progress/leaderboard?topic=logic", headers=headers_for(ann)).get_json()
    assert [r["display_name"] for r in board["items"]] == ["Ann"]
