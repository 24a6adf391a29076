"""Logs: one line per request, readable in development, JSON in production."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from tests.fixtures.app import build_app
from webapp.extensions import db
from webapp.observability import configure_logging


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the app's log handler writes during the test, at INFO."""
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "_hub", False))
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    stream, formatter, level = handler.setStream(output), handler.formatter, root.level
    root.setLevel(logging.INFO)
    yield output
    root.setLevel(level)
    handler.setFormatter(formatter)
    handler.setStream(stream)


def serve_one_request(app: Flask, path: str) -> int:
    """Answer one request on the development server (`flask run`'s), over real HTTP."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        return requests.get(f"http://127.0.0.1:{server.server_port}{path}", timeout=10).status_code
    finally:
        thread.join(10)
        server.server_close()


@pytest.fixture
def production_app(schema: str) -> Iterator[Flask]:
    app = build_app(schema, {"APP_ENV": "production"})
    yield app
    with app.app_context():
        db.engine.dispose()


def development(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared test app as in development at INFO, for this test only (the fixture
    puts its config back after)."""
    monkeypatch.setitem(app.config, "APP_ENV", "development")
    monkeypatch.setitem(app.config, "LOG_LEVEL", "INFO")
    configure_logging(app)


def test_development_logs_one_readable_line_per_request(app, log_lines, monkeypatch):
    """On the development server, is a request logged once, as a plain line with its
    request id and no colour codes (a 404 is the one the server would colour)?"""
    development(app, monkeypatch)
    assert serve_one_request(app, "/api/no-such-thing") == 404
    lines = [line for line in log_lines.getvalue().splitlines() if "no-such-thing" in line]
    assert len(lines) == 1, log_lines.getvalue()
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d INFO hub\.access GET /api/no-such-thing 404 \d+ ms \[[0-9a-f]{32}\]",
        lines[0],
    ), lines[0]


def test_production_logs_one_json_line_per_request(production_app, log_lines):
    """In production, is a request logged once as JSON with its fields and request id?"""
    answer = production_app.test_client().get("/api/no-such-thing", headers={"X-Request-ID": "r-1"})
    assert answer.status_code == 404
    [line] = [line for line in log_lines.getvalue().splitlines() if "no-such-thing" in line]
    record = json.loads(line)
    assert record["logger"] == "hub.access" and record["level"] == "INFO"
    assert (record["method"], record["status"]) == ("GET", 404)
    assert record["path"] == "/api/no-such-thing"
    assert record["request_id"] == "r-1"
    assert "\x1b" not in line


def test_the_development_server_still_says_where_it_listens(app, log_lines, monkeypatch):
    """Does dropping the server's request lines keep its other messages (the banner)? (At
    the test app's WARNING it passed only in a process where werkzeug's server had logged
    before: werkzeug sets its logger to INFO then.)"""
    development(app, monkeypatch)
    logging.getLogger("werkzeug").info(" * Running on %s", "http://127.0.0.1:5000")
    assert "Running on http://127.0.0.1:5000" in log_lines.getvalue()


def test_readable_lines_leave_the_bot_token_out(app, log_lines):
    """Does a development log line that names the bot token (a Bot API URL) read
    <redacted> instead?"""
    app.config.update(APP_ENV="development")
    configure_logging(app)
    token = app.config["TELEGRAM_BOT_TOKEN"]
    logging.getLogger("bot").warning("POST https://api.telegram.org/bot%s/sendMessage", token)
    assert "/bot<redacted>/sendMessage" in log_lines.getvalue()
    assert token not in log_lines.getvalue()
