"""The training log (issue 11): log an exercise, list your entries (by exercise), delete
one, and the page with progress per exercise drawn as an SVG on the server."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.extensions import db
from webapp.training import services
from webapp.training.models import TrainingEntry
from webapp.users.models import User

URL = "/api/training-log"


def log(client, user, **fields):
    body = {"exercise": "Bench press", "weight_kg": 60, "reps": 8, "sets": 3, **fields}
    return client.post(URL, json=body, headers=headers_for(user))


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_log_an_exercise(client, student):
    """Is a logged exercise stored with its weight (kg, to the gram), reps, sets and time,
    and read back?"""
    done_at = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    answer = log(client, student, weight_kg=62.5, done_at=iso(done_at))
    assert answer.status_code == 201, answer.get_json()
    entry = answer.get_json()
    assert (entry["exercise"], entry["weight_kg"], entry["reps"], entry["sets"]) == (
        "Bench press",
        62.5,
        8,
        3,
    )
    assert entry["done_at"] == "2026-11-30T07:30:00Z"
    listed = client.get(URL, headers=headers_for(student)).get_json()
    assert [e["id"] for e in listed["items"]] == [entry["id"]] and listed["total"] == 1


def test_done_at_defaults_to_now_and_sets_to_one(client, student):
    """Without `done_at` and `sets`, is the entry done now, as one set?"""
    before = utcnow()
    entry = client.post(
        URL, json={"exercise": "Pull-up", "weight_kg": 0, "reps": 10}, headers=headers_for(student)
    ).get_json()
    done_at = datetime.fromisoformat(entry["done_at"])
    assert before - timedelta(seconds=1) <= done_at <= utcnow() and entry["sets"] == 1


def test_a_training_in_the_future_is_refused(client, student):
    """Is an entry more than a few minutes in the future a 422 on `done_at` (a phone's
    clock a minute ahead is fine)?"""
    soon = log(client, student, done_at=iso(utcnow() + timedelta(minutes=1)))
    assert soon.status_code == 201
    later = log(client, student, done_at=iso(utcnow() + timedelta(hours=1)))
    assert later.status_code == 422
    assert [e["field"] for e in later.get_json()["errors"]] == ["done_at"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"exercise": ""}, "exercise"),
        ({"exercise": "   "}, "exercise"),
        ({"exercise": "x" * 101}, "exercise"),
        ({"weight_kg": -1}, "weight_kg"),
        ({"weight_kg": 1000.5}, "weight_kg"),
        ({"weight_kg": 60.0001}, "weight_kg"),
        ({"weight_kg": "60"}, "weight_kg"),
        ({"reps": 0}, "reps"),
        ({"reps": 2.5}, "reps"),
        ({"sets": 0}, "sets"),
        ({"sets": 101}, "sets"),
        ({"done_at": "2026-11-30T07:30:00"}, "done_at"),
        ({"done_at": 1700000000}, "done_at"),
        ({"rpe": 8}, "rpe"),
    ],
)
def test_bad_entries_are_422_naming_the_field(client, student, fields, field):
    """Is a blank or long exercise, a weight outside 0 to 1000 kg or finer than a gram, a
    non-positive reps or sets, a naive or numeric time, or an unknown field a 422 naming
    that field, with nothing stored?"""
    answer = log(client, student, **fields)
    assert answer.status_code == 422, answer.get_json()
    assert field in {e["field"].split(".")[0] for e in answer.get_json()["errors"]}
    assert client.get(URL, headers=headers_for(student)).get_json()["total"] == 0


def test_list_is_latest_first_and_paged(client, student):
    """Are entries listed latest first (by when they were done), a page at a time?"""
    base = utcnow() - timedelta(days=10)
    for day in (3, 1, 2):
        log(client, student, reps=day, done_at=iso(base + timedelta(days=day)))
    page = client.get(f"{URL}?limit=2", headers=headers_for(student)).get_json()
    assert [e["reps"] for e in page["items"]] == [3, 2]
    assert page["has_more"] is True and page["total"] == 3
    rest = client.get(f"{URL}?limit=2&skip=2", headers=headers_for(student)).get_json()
    assert [e["reps"] for e in rest["items"]] == [1]


def test_filter_by_exercise_ignores_case_and_spacing(client, student):
    """Does `?exercise=` list one exercise, however its name was cased or spaced?"""
    log(client, student, exercise="Bench press")
    log(client, student, exercise="bench  PRESS")
    log(client, student, exercise="Squat")
    page = client.get(f"{URL}?exercise=BENCH press", headers=headers_for(student)).get_json()
    assert sorted(e["exercise"] for e in page["items"]) == ["Bench press", "bench PRESS"]


def test_you_see_only_your_own_entries(client, student, teacher):
    """Does each person's list hold only their own entries?"""
    log(client, student, exercise="Mine")
    log(client, teacher, exercise="Theirs")
    items = client.get(URL, headers=headers_for(student)).get_json()["items"]
    assert [e["exercise"] for e in items] == ["Mine"]


def test_delete_your_entry(client, student):
    """Does deleting your entry remove it (204), and a second delete say 404?"""
    entry_id = log(client, student).get_json()["id"]
    assert client.delete(f"{URL}/{entry_id}", headers=headers_for(student)).status_code == 204
    assert client.get(URL, headers=headers_for(student)).get_json()["total"] == 0
    assert client.delete(f"{URL}/{entry_id}", headers=headers_for(student)).status_code == 404


def test_someone_elses_entry_is_404_and_stays(client, student, teacher):
    """Is deleting someone else's entry a 404 that leaves it in place?"""
    entry_id = log(client, teacher).get_json()["id"]
    assert client.delete(f"{URL}/{entry_id}", headers=headers_for(student)).status_code == 404
    assert client.get(URL, headers=headers_for(teacher)).get_json()["total"] == 1
    page = client.get(f"/training/{entry_id}", headers=headers_for(student))
    assert page.status_code == 404


def test_progress_is_the_heaviest_weight_per_day(app, make_user):
    """Does progress give, per exercise, the heaviest weight of each training day (in the
    user's time zone) oldest first, with the best and the last weights?"""
    user = make_user(time_zone="Europe/Moscow")
    day = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    with app.app_context():
        owner = db.session.get(User, user.id)
        rows = [
            ("Squat", 100, day),
            ("Squat", 110, day + timedelta(hours=2)),
            ("Squat", 105, day + timedelta(days=2)),
            # 22:30 UTC on the 22nd is 01:30 on the 23rd in Moscow: a day of its own.
            ("squat", 90, day + timedelta(days=2, hours=16, minutes=30)),
            ("Bench", 50, day - timedelta(days=5)),
        ]
        for name, kg, done_at in rows:
            fields = {"exercise": name, "weight_kg": kg, "reps": 5, "done_at": done_at}
            services.add_entry(owner, fields, now=day + timedelta(days=10))
        db.session.commit()
        from zoneinfo import ZoneInfo

        found = services.progress(owner, ZoneInfo("Europe/Moscow"))
    squat, bench = found
    assert squat.key == "squat" and squat.entries == 4
    assert [(d.isoformat(), kg) for d, kg in squat.days] == [
        ("2026-11-20", 110.0),
        ("2026-11-22", 105.0),
        ("2026-11-23", 90.0),
    ]
    assert (squat.best_kg, squat.last_kg, squat.name) == (110.0, 90.0, "squat")
    assert bench.days == [(datetime(2026, 11, 15).date(), 50.0)]


def test_chart_keeps_the_last_thirty_training_days(app, make_user):
    """Does an exercise's chart keep only its last 30 training days?"""
    user = make_user()
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with app.app_context():
        owner = db.session.get(User, user.id)
        for i in range(35):
            fields = {"exercise": "Row", "weight_kg": 40 + i, "reps": 5}
            services.add_entry(owner, {**fields, "done_at": start + timedelta(days=i)})
        db.session.commit()
        [row] = services.progress(owner)
    assert len(row.days) == services.CHART_DAYS
    assert row.days[0] == ((start + timedelta(days=5)).date(), 45.0)
    assert row.best_kg == 74.0


def test_page_draws_progress_as_svg(client, student):
    """Does the page show each exercise's progress as an inline SVG, one point per day with
    its weight, and no chart script?"""
    base = utcnow() - timedelta(days=5)
    for day, kg in ((0, 60), (2, 62.5), (4, 65)):
        log(
            client,
            student,
            exercise="Bench press",
            weight_kg=kg,
            done_at=iso(base + timedelta(days=day)),
        )
    log(client, student, exercise="Squat", weight_kg=100)
    html = client.get("/training", headers=headers_for(student)).get_data(as_text=True)
    charts = re.findall(r'<svg class="training-chart".*?</svg>', html, re.S)
    assert len(charts) == 2
    bench = next(c for c in charts if "Bench press" in c)
    assert re.findall(r'data-kg="([\d.]+)"', bench) == ["60.0", "62.5", "65.0"]
    assert "<polyline" in bench
    assert "chart.js" not in html.lower() and "<script>" not in html


def test_page_filters_by_exercise(client, student):
    """Does `/training?exercise=` show that exercise's chart and entries only?"""
    log(client, student, exercise="Bench press")
    log(client, student, exercise="Squat")
    html = client.get("/training?exercise=squat", headers=headers_for(student)).get_data(True)
    assert html.count('class="training-chart"') == 1 and 'data-exercise="squat"' in html
    assert html.count("data-entry=") == 1


def test_log_from_the_page(client, student):
    """Does the page form log an entry (a comma decimal accepted, the time read in the
    user's zone), and a bad one come back as 422 with the field's error and what was typed?"""
    fragment = {**headers_for(student), "HX-Request": "true"}
    form = {"exercise": "Deadlift", "weight_kg": "120,5", "reps": "5", "sets": "2", "done_at": ""}
    answer = client.post("/training", data=form, headers=fragment)
    assert answer.status_code == 204 and "HX-Location" in answer.headers
    [entry] = client.get(URL, headers=headers_for(student)).get_json()["items"]
    assert (entry["exercise"], entry["weight_kg"], entry["sets"]) == ("Deadlift", 120.5, 2)
    bad = client.post("/training", data={**form, "reps": "0"}, headers=fragment)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="error-reps"' in html and 'value="Deadlift"' in html


def test_delete_from_the_entry_page(client, student):
    """Does the entry page's Delete remove the entry?"""
    entry_id = log(client, student).get_json()["id"]
    page = client.get(f"/training/{entry_id}", headers=headers_for(student))
    assert page.status_code == 200 and "Bench press" in page.get_data(as_text=True)
    fragment = {**headers_for(student), "HX-Request": "true"}
    assert client.post(f"/training/{entry_id}/delete", headers=fragment).status_code == 204
    assert client.get(URL, headers=headers_for(student)).get_json()["total"] == 0


def test_home_screen_links_the_training_log(client, student):
    """Is the training log a tile on the home screen?"""
    html = client.get("/", headers=headers_for(student)).get_data(as_text=True)
    assert 'href="/training"' in html and "Training log" in html


def test_weights_are_stored_in_grams(app, client, student):
    """Is 62.5 kg stored as exactly 62500 g?"""
    entry_id = log(client, student, weight_kg=62.5).get_json()["id"]
    with app.app_context():
        assert db.session.get(TrainingEntry, entry_id).weight_g == 62_500


def test_progress_over_the_api(client, make_user):
    """Does `GET /api/training-log/progress` give each exercise's heaviest weight per day
    of the user's zone, with the best and the last, most recently trained first?"""
    user = make_user(time_zone="Europe/Moscow")
    day = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 01:30 on the 21st in Moscow
    for name, kg, at in [("Squat", 100, day), ("Squat", 90, day + timedelta(hours=1))]:
        log(client, user, exercise=name, weight_kg=kg, done_at=iso(at))
    log(client, user, exercise="Row", weight_kg=40, done_at=iso(day + timedelta(days=1)))
    body = client.get(f"{URL}/progress", headers=headers_for(user)).get_json()
    row, squat = body["items"]
    assert (row["exercise"], squat["exercise"]) == ("Row", "Squat")
    assert squat["days"] == [{"date": "2026-11-21", "max_kg": 100.0}]
    assert (squat["best_kg"], squat["last_kg"], squat["entries"]) == (100.0, 90.0, 2)
