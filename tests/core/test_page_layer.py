"""The page layer: one HTMX helper for the headers, and validation messages in the user's
language on pages and in problem+json."""

from __future__ import annotations

import re
from pathlib import Path

from tests.fixtures.users import headers_for

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


def test_htmx_headers_are_named_in_one_module():
    """Does every page route read and write HTMX headers through `webapp.htmx` (no raw
    `HX-Request` checks, toast or `HX-Location` headers built elsewhere)?"""
    raw = re.compile(r"""["'](HX-[A-Za-z-]+)["']|hub:toast""")
    found = {
        f"{path.relative_to(WEBAPP)}: {match.group(0)}"
        for path in WEBAPP.rglob("*.py")
        if path.name not in {"htmx.py", "observability.py"}  # observability: only `Vary`
        for match in raw.finditer(path.read_text(encoding="utf-8"))
    }
    assert found == set()


def test_problem_json_field_errors_speak_the_users_language(client, make_user):
    """Does a Russian user get the 422's field messages in Russian (pydantic's included),
    and an English user in English?"""
    russian, english = make_user(language_code="ru"), make_user(language_code="en")
    body = {"title": "", "priority": "urgent"}
    ru = client.post("/api/tasks", json=body, headers=headers_for(russian)).get_json()
    en = client.post("/api/tasks", json=body, headers=headers_for(english)).get_json()
    assert {e["field"]: e["message"] for e in ru["errors"]} == {
        "title": "Обязательное поле.",
        "priority": "Выберите один из вариантов.",
    }
    assert {e["field"]: e["message"] for e in en["errors"]} == {
        "title": "This field is required.",
        "priority": "Pick one of the options.",
    }


def test_plural_length_messages(client, make_user):
    """Are length limits said with the right Russian plural form?"""
    russian = make_user(language_code="ru")
    body = {"title": "x" * 501}  # titles hold up to 500 characters
    answer = client.post("/api/tasks", json=body, headers=headers_for(russian)).get_json()
    assert answer["errors"][0]["message"] == "Не длиннее 500 символов."  # noqa: RUF001
