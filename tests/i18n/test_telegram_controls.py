"""The server's half of Telegram's own controls: confirmations go through htmx's
`hx-confirm` (which the page script answers with Telegram's showConfirm), never a
hand-written browser `confirm()`; the screen's one primary action is both the in-page
button and the MainButton source, and the page hides the in-page one inside Telegram; the
shell signs in behind a wordless skeleton."""

from __future__ import annotations

import re
from pathlib import Path

from tests.fixtures.users import headers_for
from tests.i18n.test_page_languages import page_paths, post_order, seed

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
MINI_APP_TEMPLATES = [p for p in (WEBAPP / "templates").rglob("*.html") if "admin" not in p.parts]


def test_no_browser_confirm_in_the_mini_app():
    """Is there no browser `confirm(` left in the Mini App's templates and script (the
    dashboard is a plain browser page and may keep it)?"""
    sources = [*MINI_APP_TEMPLATES, *(WEBAPP / "static" / "js").glob("*.js")]
    comments = re.compile(r"/\*.*?\*/|(?<!:)//[^\n]*|\{#.*?#\}", re.S)  # prose may name it
    found = [
        str(path.relative_to(WEBAPP))
        for path in sources
        if re.search(
            r"(?<![\w.])confirm\(|window\.confirm",
            comments.sub("", path.read_text(encoding="utf-8")),
        )
    ]
    assert found == []


def test_confirmations_are_telegrams_own():
    """Does the page script answer every `hx-confirm` with Telegram's showConfirm (htmx's
    own browser confirm is prevented), so each delete asks inside Telegram?"""
    script = (WEBAPP / "static" / "js" / "app.js").read_text(encoding="utf-8")
    handler = script[script.index('"htmx:confirm"') :][:600]
    assert "preventDefault()" in handler and "showConfirm(" in handler
    assert "issueRequest(true)" in handler


def test_deletes_ask_first(app, client):
    """Does every delete on the pages (task, event, order) carry its question in
    `hx-confirm`?"""
    ids = seed(app, "en")
    viewer = ids["viewer"]
    own_order = post_order(client, viewer)
    pages = {
        f"/tasks/{ids['task_id']}/edit": "Delete this task?",
        f"/events/{ids['event_id']}/edit": "Delete this event?",
        f"/orders/{own_order}": "Delete this order?",
    }
    for path, question in pages.items():
        html = client.get(path, headers=headers_for(viewer)).get_data(as_text=True)
        assert f'hx-confirm="{question}"' in html, path


def test_one_primary_action_hidden_inside_telegram(app, client):
    """Does each page have at most one MainButton source, always marked `main-action`,
    which the stylesheet hides inside Telegram (so a form never shows both)?"""
    ids = seed(app, "en")
    viewer = ids["viewer"]
    ids["order_id"] = post_order(client, ids["other"])
    css = (WEBAPP / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"html\[data-telegram\]\s+\.main-action\s*\{\s*display:\s*none", css)
    for name, path in page_paths(app, ids).items():
        html = client.get(path, headers=headers_for(viewer)).get_data(as_text=True)
        tags = re.findall(r"<[^>]*data-main-button=[^>]*>", html)
        assert len(tags) <= 1, name
        for tag in tags:
            assert re.search(r'class="[^"]*\bmain-action\b', tag), (name, tag)


def test_shell_signs_in_behind_a_wordless_skeleton(client):
    """Before sign-in, does the shell show a placeholder instead of a greeting, with the
    "open from Telegram" hint hidden (the script shows it only outside Telegram)?"""
    html = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert re.search(r'class="greeting skeleton"[^>]*aria-busy="true"', html)
    hint = re.search(r"<p[^>]*data-outside-telegram[^>]*>", html)
    assert hint and "hidden" in hint.group(0)
    assert '<html lang="ru"' in html and "Welcome to Hub" not in html
