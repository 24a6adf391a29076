"""`row_url` (the page layer's `url_for` for URLs a list repeats per row) gives exactly
`url_for`'s URL for every route, builds each endpoint's URL once per request, and leaves
values that URL quoting would change to `url_for`."""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

import webapp.htmx
from webapp.htmx import row_url

INTS = (0, 7, 12, 123_456_789_012)
TEXTS = ("o00000000001", "a.b_c~d-1", "7")
QUOTED = ("a b", "ёлка", "a/b", "a?b=1&c", "{0}", "%41")


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments:
            yield rule


def test_every_route_gets_url_fors_url(app):
    """For every route with arguments, do integer, plain-text and to-be-quoted values (and an
    extra query value) give the same URL as `url_for`, row after row in one request?"""
    checked = 0
    with app.test_request_context("/"):
        for rule in _routes(app):
            ints = all(isinstance(c, IntegerConverter) for c in rule._converters.values())
            samples = [*INTS] if ints else [*INTS, *TEXTS, *QUOTED]
            for value in samples:
                values = {name: value for name in rule.arguments}
                try:
                    expected = url_for(rule.endpoint, **values)
                except Exception:
                    continue  # a value this route's converter refuses (url_for's own error)
                assert row_url(rule.endpoint, **values) == expected, (rule.rule, value)
                with_query = {**values, "page": value}
                assert row_url(rule.endpoint, **with_query) == url_for(rule.endpoint, **with_query)
                checked += 1
    assert checked > 50


def test_an_endpoints_url_is_built_once_per_request(app, monkeypatch):
    """Do 50 rows of one endpoint call `url_for` once (then only fill in their ids), and
    does the next request build it again?"""
    calls = []
    real = webapp.htmx.url_for

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(webapp.htmx, "url_for", counted)
    with app.test_request_context("/"):
        urls = [row_url("tasks_pages.toggle_task", task_id=i) for i in range(1, 51)]
    assert urls == [f"/tasks/{i}/done" for i in range(1, 51)]
    assert len(calls) == 1
    with app.test_request_context("/"):
        row_url("tasks_pages.toggle_task", task_id=1)
    assert len(calls) == 2


@pytest.mark.parametrize("value", ["a b", "ёлка", True, 1.5, None])
def test_values_quoting_would_change_go_through_url_for(app, monkeypatch, value):
    """Is a value that is not an integer or unreserved text left to `url_for`?"""
    calls = []
    real = webapp.htmx.url_for

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(webapp.htmx, "url_for", counted)
    with app.test_request_context("/"):
        for _ in range(3):
            row_url("tasks_pages.tasks_page", search=value)
    assert len(calls) == 3
