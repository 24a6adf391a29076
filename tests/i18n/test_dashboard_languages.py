"""The dashboard (`/admin`) is wholly in the admin's language: a Russian admin meets no
English word, an English admin no Russian — in menus, column headers, list cells (statuses,
roles, priorities, transaction types), filter options and every custom page.

The pages are found from the URL map (list, detail and custom pages), so a new dashboard
page is checked without editing this test; the seeded content is digits and symbols only,
so whatever letters a page shows are the dashboard's own words. What a page shows verbatim
— stored data (an audit entry's JSON, a person's answers) or code (Telegram's HTML tags,
a field name) — is marked so in the markup: the contents of `<code>`, `<pre>` and of any
element with a `data-verbatim` attribute are not read; everything else is.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, url_for
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import select

from tests.admin.conftest import cheap_hash, sign_in
from tests.fixtures.users import headers_for
from tests.i18n.test_page_languages import TEXT_ATTRIBUTES, foreign_in, post_order, seed
from webapp.admin.broadcasts import services as broadcasts
from webapp.core import choices
from webapp.extensions import db
from webapp.market.models import BalanceTransaction, Order
from webapp.market.reviews import complain, review_executor
from webapp.outbox import queue_message
from webapp.tickets import services as tickets
from webapp.users.models import User

PASSWORD = "1234-5678-90"
# Not pages: Flask-Admin's own forms (off in every view), lookups and file downloads.
NOT_PAGES = {"ajax_lookup", "create_view", "edit_view", "export", "export_csv", "static"}
NOT_PAGES |= {"svg", "csv"}  # the analytics charts and their data
# Names that are the same in both languages on the dashboard ("UTC": the zone of an admin
# who has none, named in the navigation bar, and of the analytics' days).
SAME_HERE = {"UTC", "ID", "CSV", "JSON", "API", "HTML", "URL", "Redis", "REDIS", "Premium"}
# Elements whose contents are shown as they are stored or typed (data, code).
VERBATIM_TAGS = {"code", "pre", "kbd", "samp"}
VERBATIM_ATTRIBUTE = "data-verbatim"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
SHOWN_VALUES = {"submit", "button", "reset"}  # an <input> of these types shows its value
FILTERS = re.compile(r'<div id="filter-groups-data"[^>]*>(.*?)</div>', re.S)


class _DashboardText(HTMLParser):
    """What an admin reads: text nodes and the attributes said aloud, less the contents of
    verbatim elements (`VERBATIM_TAGS`, `data-verbatim`) — their own attributes still count.
    A `<button>`'s value is what the form sends, never shown; an `<input type=submit>`'s is."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0  # inside <script>/<style>
        self._verbatim = 0  # open elements inside (and including) a verbatim one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._verbatim:
            self._verbatim += tag not in VOID_TAGS
            return
        named = dict(attrs)
        for name, value in attrs:
            shown = name == "value" and tag == "input" and named.get("type") in SHOWN_VALUES
            if value and (name in TEXT_ATTRIBUTES or shown):
                self.parts.append(value)
        if tag in {"script", "style"}:
            self._hidden += 1
        elif (tag in VERBATIM_TAGS or VERBATIM_ATTRIBUTE in named) and tag not in VOID_TAGS:
            self._verbatim = 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if self._verbatim:
            self._verbatim -= 1
        elif tag in {"script", "style"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and not self._verbatim and data.strip():
            self.parts.append(data.strip())


def dashboard_words(html: str, language: str) -> set[str]:
    """Words of the other language an admin reads on a dashboard page."""
    parser = _DashboardText()
    parser.feed(html)
    return foreign_in(parser.parts, language)


def test_only_verbatim_markup_is_skipped():
    """Is a word skipped only inside `<code>`, `<pre>` or a `data-verbatim` element, so an
    English word anywhere else on a Russian page is still found?"""
    html = (
        '<p>Разметка: <code>&lt;b&gt; <i>href</i></code> Bold <pre>{"text": null}</pre>'
        '<span data-verbatim title="Title">a<br>b <b>c</b></span> after'
        '<button name="action" value="send">Отправить</button><input type="submit" value="Go">'
        '<td data-verbatim="">x</td><td>cell</td><script>var hidden;</script></p>'
    )
    assert dashboard_words(html, "ru") == {"Bold", "Title", "after", "Go", "cell"}
    assert dashboard_words("<p><code>Код</code> Слово</p>", "en") == {"Слово"}


def _seed_dashboard(app: Flask, client: Any, language: str) -> dict[str, Any]:
    """The Mini App pages' seed (a row in every module), plus a dashboard password for the
    admin, an order taken, reviewed and complained about, a broadcast (outbox messages and
    an audit entry) and a message of our own in the outbox."""
    ids = seed(app, language)
    viewer, other = ids["viewer"], ids["other"]
    ids["order_id"] = post_order(client, other)
    assert (
        client.post(f"/orders/{ids['order_id']}/take", headers=headers_for(viewer)).status_code
        == 200
    )
    with app.app_context():
        admin = db.session.get(User, viewer.id)
        admin.login, admin.password_hash = "1234", cheap_hash(PASSWORD)
        client_user, executor = db.session.get(User, other.id), admin
        review_executor(client_user, ids["order_id"], executor.id, 5, "1")
        complain(executor, ids["order_id"], "fraud", "2")
        sent = broadcasts.create_broadcast(admin, "1 2 3", broadcasts.Audience(all=True))
        queue_message(chat_id=1, text="4 5 6", dedupe_key="dashboard-languages")
        ids["broadcast_id"] = sent.id
        ids["questionnaire_id"] = tickets.default_questionnaire().id
        for kind in ("category", "ticket_type"):  # the catalogues' pages list them
            choices.seed_choices(kind)
        db.session.commit()
        # Generated keys shown as they are (data, not words): order ids, payment references.
        ids["data"] = [str(o) for o in db.session.scalars(select(Order.id))]
        ids["data"] += [
            str(r) for r in db.session.scalars(select(BalanceTransaction.reference)) if r
        ]
    ids.update(user_id=viewer.id, form_id=_first(app, "ticket_forms"), index="0")
    return ids


def _model_views(app: Flask) -> dict[str, ModelView]:
    admin = app.extensions["admin"][0]
    return {v.endpoint: v for v in admin._views if isinstance(v, ModelView)}


def _first(app: Flask, endpoint: str) -> Any:
    """The primary key of the first row a model view lists (None when it lists none)."""
    view = _model_views(app)[endpoint]
    with app.test_request_context():
        row = view.get_query().first()
        return view.get_pk_value(row) if row is not None else None


def dashboard_paths(app: Flask, ids: dict[str, Any]) -> dict[str, str]:
    """Every GET page of the dashboard, its parameters filled from the seeded ids; the
    detail page of each model view opens its first row."""
    views = _model_views(app)
    paths = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view_endpoint, _, method = rule.endpoint.rpartition(".")
            if not rule.rule.startswith("/admin/") or method in NOT_PAGES:
                continue
            if "GET" not in (rule.methods or set()) or view_endpoint == "admin_auth":
                continue
            values = {name: ids[name] for name in rule.arguments}
            if method == "details_view" and not views[view_endpoint].can_view_details:
                continue
            if method == "details_view":
                values["id"] = _first(app, view_endpoint)
                assert values["id"] is not None, f"seed a row for {view_endpoint}"
            paths[rule.endpoint] = url_for(rule.endpoint, **values)
    assert {f"{e}.index_view" for e in views} <= set(paths)
    return paths


def filter_labels(html: str) -> list[str]:
    """The filter names, operations and options Flask-Admin shows when a filter is added
    (embedded as JSON in a hidden element, so not in the page's visible text)."""
    found = FILTERS.search(html)
    if not found:
        return []
    from html import unescape

    groups = json.loads(unescape(found.group(1)))
    labels = []
    for name, filters in groups.items():
        labels.append(name)
        for flt in filters:
            labels.append(flt["operation"])
            labels += [label for _value, label in flt.get("options") or ()]
    return labels


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_dashboard_page_speaks_one_language(app, client, language):
    """Does every dashboard page — menus, headers, cells, filter options, custom pages —
    speak only the admin's language, and say so in `<html lang>`? (About 40 pages in one
    test: a few seconds.)"""
    ids = _seed_dashboard(app, client, language)
    dashboard = app.test_client()
    headers = {"Accept-Language": language}
    login = dashboard.get("/admin/login", headers=headers)
    found = {"login": dashboard_words(login.get_data(as_text=True), language)}
    assert f'<html lang="{language}">' in login.get_data(as_text=True)
    dashboard.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert sign_in(dashboard, "1234", PASSWORD).status_code == 302
    pages = dashboard_paths(app, ids)
    assert len(pages) >= 25  # the URL map was read
    for name, path in pages.items():
        answer = dashboard.get(path)
        assert answer.status_code == 200, (name, path, answer.status_code)
        html = answer.get_data(as_text=True)
        assert f'<html lang="{language}">' in html, name
        for data in ids["data"]:
            html = html.replace(data, "")
        found[name] = dashboard_words(FILTERS.sub("", html), language)
        found[name] |= foreign_in(filter_labels(html), language)
    for name in found:
        found[name] -= SAME_HERE
    problems = {name: sorted(words) for name, words in found.items() if words}
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.login == "1234")) == ids["user_id"]
