"""The Mini App pages' Content-Security-Policy, and templates it can hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.users import headers_for

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"
# What a strict policy refuses: inline scripts, style attributes and <style> blocks, inline
# event handlers (htmx's hx-on too, which needs eval).
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|\shx-on[:-]",
    re.IGNORECASE,
)
ORDER = {"category": "courier", "city": "Moscow", "description": "A parcel", "contact": "@me"}


@pytest.fixture
def pages(client, student, teacher, moderator) -> list[tuple[dict, str]]:
    """Every Mini App page, with something in it, and who opens it."""
    you, author, staff = headers_for(student), headers_for(teacher), headers_for(moderator)
    task = client.post("/api/tasks", json={"title": "Milk"}, headers=you).get_json()
    starts = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    event = client.post(
        "/api/events", json={"title": "Party", "starts_at": starts}, headers=you
    ).get_json()
    problem = client.post(
        "/api/problems",
        json={"title": "Sum", "statement": "2+2?", "answer": "4", "topic": "math", "difficulty": 1},
        headers=author,
    ).get_json()
    client.post(f"/api/problems/{problem['id']}/approve", headers=staff)
    order = client.post("/api/orders", json=ORDER, headers=author).get_json()
    return [
        (you, "/"),
        (you, "/tasks"),
        (you, f"/tasks/{task['id']}/edit"),
        (you, "/events"),
        (you, "/events/new"),
        (you, f"/events/{event['id']}"),
        (you, f"/events/{event['id']}/edit"),
        (you, "/tickets"),
        (you, "/problems"),
        (you, f"/problems/{problem['id']}"),
        (you, "/problems/history"),
        (you, "/problems/recommended"),
        (author, "/problems/mine"),
        (author, "/problems/new"),
        (staff, "/problems/moderation"),
        (you, "/orders"),
        (you, "/orders/new"),
        (you, "/orders/mine"),
        (you, f"/orders/{order['id']}"),
        (author, f"/orders/{order['id']}"),
        (you, "/me"),
        (you, "/no-such-page"),
    ]


def test_every_page_is_under_the_policy_and_holds_nothing_inline(client, pages):
    """Does every page answer with the strict policy and contain no inline script, style or
    handler it would refuse?"""
    for headers, path in pages:
        for extra in ({}, {"HX-Request": "true"}):
            answer = client.get(path, headers={**headers, **extra})
            assert answer.mimetype == "text/html", path
            policy = answer.headers["Content-Security-Policy"]
            assert "default-src 'self'" in policy and "style-src 'self'" in policy, path
            assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, path
            found = INLINE.findall(answer.get_data(as_text=True))
            assert found == [], (path, found)


def test_policy_names_telegram_and_its_web_clients(app):
    """Does the policy allow Telegram's script origin and framing by Telegram only?"""
    from webapp.content_policy import page_policy

    app.config["TELEGRAM_WEBAPP_JS_URL"] = "https://telegram.org/js/telegram-web-app.js?56"
    policy = page_policy(app)
    assert "script-src 'self' https://telegram.org;" in policy
    assert "frame-ancestors 'self' https://web.telegram.org" in policy


def test_no_template_of_the_mini_app_holds_inline_code():
    """Does any Mini App template (the dashboard's are Flask-Admin's) hold inline code?"""
    offenders = {
        str(path.relative_to(TEMPLATES)): INLINE.findall(path.read_text())
        for path in TEMPLATES.rglob("*.html")
        if "admin" not in path.parts
    }
    assert {name: found for name, found in offenders.items() if found} == {}
