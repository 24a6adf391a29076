"""Templates translate through `webapp.i18n.template_translations`: the catalog is found
once per request and locale (not once per phrase), and `force_locale` inside a request
still switches the language of what is rendered under it, and back."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

import webapp.i18n

PHRASES = "{{ _('Done') }}|{{ _('Back') }}|{{ _('Show more') }}"


def test_a_template_finds_the_catalog_once_per_request(app, monkeypatch):
    """Does a template of three phrases look the catalog up once, not three times?"""
    calls = []
    real = webapp.i18n.get_translations

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(webapp.i18n, "get_translations", counted)
    with app.test_request_context("/?lang=ru"):
        first = render_template_string(PHRASES)
        again = render_template_string(PHRASES)
    assert first == again
    assert len(calls) == 1


def test_force_locale_inside_a_request_switches_templates_and_back(app):
    """Does a Russian request render English under `force_locale("en")` and Russian again
    after it (the catalog kept for the request is the one of the locale in force)?"""
    with app.test_request_context("/?lang=ru"):
        russian = render_template_string(PHRASES)
        with force_locale("en"):
            english = render_template_string(PHRASES)
        after = render_template_string(PHRASES)
    assert english == "Done|Back|Show more"
    assert russian != english
    assert "Назад" in russian
    assert after == russian


def test_newstyle_gettext_still_escapes_and_formats(app):
    """Are a phrase's `%(name)s` values still filled in and HTML-escaped?"""
    with app.test_request_context("/?lang=en"):
        out = render_template_string("{{ _('%(name)s', name='<b>') }}")
    assert out == "&lt;b&gt;"
