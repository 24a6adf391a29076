"""Every Mini App page is wholly in the user's language: a Russian user meets no English
phrase (nor an untranslated message id), an English user no Russian; and no page names
"UTC" (times are the user's local times).

The pages are found from the URL map, so a new page is checked without editing this test;
the seeded content is digits and symbols only, so whatever letters a page shows are the
app's own words.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask

from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER, fund_user, new_contact
from webapp.database import utcnow
from webapp.events.models import Event, Participant
from webapp.extensions import db
from webapp.problems import services as problems
from webapp.problems.models import ProblemStatus
from webapp.tasks.models import Task
from webapp.tickets import services as tickets
from webapp.tickets.models import FormStatus, TicketForm
from webapp.training.models import TrainingEntry
from webapp.users.models import Role, User

PAGE_BLUEPRINTS = {"core", "tasks_pages", "events_pages", "tickets_pages", "problems_pages"}
PAGE_BLUEPRINTS |= {"market_pages", "users_pages", "events_calendar_pages", "training_pages"}
NOT_PAGES = {"core.health", "core.version", "core.openapi_document", "core.swagger_ui"}
NOT_PAGES |= {"core.redoc", "core.metrics"}
# Words that are the same in both languages: names of things (and each language's own
# name in the language picker).
SAME_IN_BOTH = {"Hub", "Telegram", "IT", "VIP", "English", "Русский"}
TEXT_ATTRIBUTES = {
    "placeholder",
    "aria-label",
    "title",
    "alt",
    "data-main-button",
    "data-confirm",
    "data-paid",
    "data-outside",
    "data-failed",
}


class _Text(HTMLParser):
    """What a person reads on the page: text nodes and the attributes that are said aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if value and (name in TEXT_ATTRIBUTES or (name == "value" and tag == "button")):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def foreign_words(html: str, language: str) -> set[str]:
    """Words of the other language on the page."""
    return foreign_in(visible_text(html), language)


def foreign_in(parts: list[str], language: str) -> set[str]:
    """Words of the other language in `parts` (pieces of a page's text)."""
    found: set[str] = set()
    for part in parts:
        if language == "ru":
            found |= {w for w in re.findall(r"[A-Za-z][A-Za-z']+", part) if w not in SAME_IN_BOTH}
        else:
            words = set(re.findall(r"\w*[\u0400-\u04ff]+\w*", part))
            found |= {w for w in words if w not in SAME_IN_BOTH}
    return found


def seed(app: Flask, language: str) -> dict[str, object]:
    """A viewer (admin, so every page opens) with something on every page; all content
    typed by people is digits and symbols."""
    with app.app_context():
        viewer = User(telegram_id=70_001, first_name="1", language_code=language, role=Role.ADMIN)
        other = User(telegram_id=70_002, first_name="2", language_code=language)
        student = User(telegram_id=70_003, first_name="3", language_code=language)
        db.session.add_all([viewer, other, student])
        db.session.flush()
        task = Task(owner_id=viewer.id, title="1", due_at=utcnow() + timedelta(days=1))
        db.session.add_all([task, Task(owner_id=viewer.id, title="2", done=True)])
        starts = utcnow() + timedelta(days=2)
        event = Event(creator_id=viewer.id, title="42", starts_at=starts, participants_count=1)
        event.location, event.capacity = "7", 10
        db.session.add(event)
        db.session.flush()
        db.session.add(Participant(event_id=event.id, user_id=other.id, joined_at=utcnow()))
        for days, grams in ((3, 60_000), (1, 62_500)):
            done_at = utcnow() - timedelta(days=days)
            entry = TrainingEntry(user_id=viewer.id, exercise="1", exercise_key="1")
            entry.weight_g, entry.reps, entry.sets, entry.done_at = grams, 8, 3, done_at
            db.session.add(entry)
        for status in (FormStatus.DRAFT, FormStatus.SUBMITTED, FormStatus.APPROVED):
            answers = {
                "name": "1",
                "email": "1@1.ru",
                "phone": "+79123456789",
                "ticket_type": "standard",
                "quantity": 1,
            }
            version = tickets.current_version(tickets.default_questionnaire())
            form = TicketForm(
                user_id=viewer.id,
                status=status,
                answers=answers,
                questionnaire_version_id=version.id,
            )
            form.submitted_at = None if status == FormStatus.DRAFT else utcnow()
            db.session.add(form)
        data = problems.ProblemData(
            title="2 + 2", statement="2 + 2 = ?", answer="4", topic="1", difficulty=2
        )
        problem = problems.create_problem(viewer, data)
        problem.status = ProblemStatus.APPROVED
        pending = problems.create_problem(viewer, data)
        pending.status = ProblemStatus.PENDING
        db.session.commit()
        problems.submit_attempt(db.session.get(User, other.id), problem.id, "5")
        problems.submit_attempt(db.session.get(User, viewer.id), problem.id, "4")
        db.session.commit()
        ids = {
            "viewer": db.session.get(User, viewer.id),
            "other": db.session.get(User, other.id),
            "student": db.session.get(User, student.id),
            "task_id": task.id,
            "event_id": event.id,
            "entry_id": entry.id,
            "problem_id": problem.id,
            "executor_id": other.id,
        }
        for user in ("viewer", "other", "student"):
            db.session.expunge(ids[user])
        fund_user(app, viewer.id, 10_000)
    return ids


def post_order(client, user: User) -> str:
    body = {**ORDER, "description": "123 456", "contact": new_contact()}
    answer = client.post("/api/orders", json=body, headers=headers_for(user))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def page_paths(app: Flask, ids: dict[str, object]) -> dict[str, str]:
    """Every GET page route, its parameters filled from the seeded ids."""
    paths = {}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.split(".")[0]
            if blueprint not in PAGE_BLUEPRINTS or rule.endpoint in NOT_PAGES:
                continue
            if "GET" not in (rule.methods or set()):
                continue
            values = {name: ids[name] for name in rule.arguments}
            paths[rule.endpoint] = url_for(rule.endpoint, **values)
    return paths


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_page_speaks_one_language(app, client, language):
    """Does every page, its forms' errors and its error pages speak only the user's
    language?"""
    ids = seed(app, language)
    viewer, other = ids["viewer"], ids["other"]
    ids["order_id"] = post_order(client, other)
    taken = client.post(f"/orders/{ids['order_id']}/take", headers=headers_for(viewer))
    assert taken.status_code == 200
    own_order = post_order(client, viewer)
    fund_user(app, other.id, 1_000)
    took = client.post(f"/orders/{own_order}/take", headers=headers_for(other))
    assert took.status_code == 200
    for author, order_id, executor in (
        (viewer, own_order, other),
        (other, ids["order_id"], viewer),
    ):
        body = {"order_id": order_id, "executor_id": executor.id, "rating": 4, "text": "1"}
        written = client.post("/api/reviews/client", json=body, headers=headers_for(author))
        assert written.status_code == 201  # my reviews list one each way
    pages = page_paths(app, ids)
    assert len(pages) >= 20  # the URL map was read
    answers = {name: client.get(path, headers=headers_for(viewer)) for name, path in pages.items()}
    answers["own order"] = client.get(f"/orders/{own_order}", headers=headers_for(viewer))
    answers["reviews about me"] = client.get("/reviews/mine?about=me", headers=headers_for(viewer))
    fragment = {**headers_for(viewer), "HX-Request": "true"}
    answers["tasks fragment"] = client.get("/tasks", headers=fragment)
    student = headers_for(ids["student"])
    answers["403 page"] = client.get("/problems/moderation", headers=student)
    answers["404 page"] = client.get("/tasks/999999/edit", headers=headers_for(viewer))
    answers["signed out"] = client.get("/tasks", headers={"Accept-Language": language})
    invalid_posts = {
        "/tasks": {"title": "", "priority": "urgent", "due_at": "x"},
        "/events/new": {"title": "", "starts_at": "x", "capacity": "0"},
        "/problems/new": {"title": "", "difficulty": "9"},
        "/orders/new": {"category": "", "city": "", "description": "", "contact": ""},
        f"/orders/{own_order}/review": {"executor_id": str(other.id), "rating": "9"},
        f"/orders/{ids['order_id']}/complain": {"reason": "x", "text": "1"},
        "/tickets/draft": {"email": "1", "quantity": "99", "name": "x" * 201},
        "/me/profile": {"city": "123", "level": "9", "sports": "9"},
        "/training": {"exercise": "", "weight_kg": "1.0001", "reps": "0", "done_at": "x"},
    }
    for path, data in invalid_posts.items():
        answers[f"POST {path}"] = client.post(path, data=data, headers=fragment)
    problems_found = {}
    for name, answer in answers.items():
        assert answer.status_code < 500, name
        html = answer.get_data(as_text=True)
        words = foreign_words(html, language)
        if re.search(r"\bUTC\b", " ".join(visible_text(html))):
            words.add("UTC")  # times are local: the zone is the user's, never named
        if words:
            problems_found[name] = sorted(words)
        if answer.mimetype == "text/html" and "<html" in html:
            assert f'<html lang="{language}"' in html, name
    assert problems_found == {}, "\n".join(f"{k}: {v}" for k, v in problems_found.items())
