"""Health, version, metrics, OpenAPI, errors and the shell page."""

from __future__ import annotations

import re

from tests.fixtures.app import build_app
from tests.fixtures.users import tma_headers


def test_health_reports_database(client):
    """Does /health answer 200 with the database checked?"""
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["database"] == "ok"


def test_health_is_503_when_database_is_down():
    """Does /health answer 503 when the database cannot be reached?"""
    app = build_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    answer = app.test_client().get("/health")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"] == "down"


def test_version(client):
    """Does /version name the version and environment?"""
    body = client.get("/version").get_json()
    assert body["version"]
    assert body["environment"] == "testing"


def test_metrics_count_requests(client):
    """Does /metrics expose request counts in Prometheus format?"""
    client.get("/health")
    text = client.get("/metrics").get_data(as_text=True)
    assert "hub_http_requests_total" in text


def test_openapi_documents_every_api_route(app, client):
    """Does /openapi.json describe every /api route the app serves?"""
    doc = client.get("/openapi.json").get_json()
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
            assert path in documented, f"{rule.rule} is not in the OpenAPI document"
    assert set(doc["components"]["securitySchemes"]) == {"tma", "bearer"}


def test_docs_pages_are_served_locally(client):
    """Do /docs and /redoc serve their UI from the app itself (no CDN)?"""
    for path in ("/docs", "/redoc"):
        page = client.get(path, follow_redirects=True)
        assert page.status_code == 200
        assert "cdn." not in page.get_data(as_text=True)
    with client.get("/openapi/swagger/js/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200


def test_api_404_and_405_are_problems(client):
    """Are unknown API paths and wrong methods problem+json?"""
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    wrong = client.delete("/api/auth/login")
    assert wrong.status_code == 405
    assert wrong.mimetype == "application/problem+json"
    assert "POST" in wrong.headers["Allow"]


def test_request_size_limit_is_413(client):
    """Is a body over the size limit a 413 problem?"""
    answer = client.post(
        "/api/auth/telegram", data=b"x" * (2 * 1024 * 1024), content_type="application/json"
    )
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"


def test_malformed_json_is_422(client):
    """Is a body that is not JSON a 422 problem, never a 500?"""
    answer = client.post("/api/auth/telegram", data=b"{nope", content_type="application/json")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"


def test_html_404_page(client):
    """Is an unknown page an HTML 404 with a way back?"""
    answer = client.get("/no-such-page")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert 'href="/"' in answer.get_data(as_text=True)


def test_request_id_is_echoed(client):
    """Is a safe X-Request-ID echoed, and a new one made otherwise?"""
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    )
    assert (
        len(client.get("/health", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"])
        == 32
    )


def test_shell_page_loads_telegram_and_htmx(client):
    """Does the shell load telegram-web-app.js and vendored HTMX, and allow Telegram framing?"""
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "telegram.org/js/telegram-web-app.js" in html
    assert re.search(r"/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js", html)
    # Telegram's script first in <head>, as its docs ask; nothing else blocks the first paint.
    scripts = re.findall(r"<script[^>]*>", html)
    assert "telegram-web-app.js" in scripts[0] and "defer" not in scripts[0]
    assert all(" defer" in tag for tag in scripts[1:])
    assert (
        "frame-ancestors 'self' https://web.telegram.org" in page.headers["Content-Security-Policy"]
    )
    assert "HX-Request" in page.headers["Vary"]


def test_shell_fragment_for_htmx(client):
    """Does an HTMX request get the fragment without the document around it?"""
    html = client.get("/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html
    assert "cell tile" in html


def test_session_exchange_signs_in_pages(client):
    """Does POST /auth/session trade initData for a session cookie the pages accept?"""
    headers = tma_headers(31337, first_name="Shell")
    answer = client.post(
        "/auth/session", headers={"X-Telegram-Init-Data": headers["Authorization"][4:]}
    )
    assert answer.status_code == 200
    assert "Shell" in answer.get_data(as_text=True)
    assert "Shell" in client.get("/").get_data(as_text=True)
    # The API never accepts the cookie.
    assert client.get("/api/users/me").status_code == 401


def test_session_exchange_routes_start_param(client):
    """Does a start parameter for an unknown module leave the shell as is?"""
    from tests.fixtures.app import TEST_BOT_TOKEN
    from webapp.auth import init_data

    raw = init_data.build(TEST_BOT_TOKEN, {"id": 9, "first_name": "S"}, start_param="nothing_1")
    answer = client.post("/auth/session", headers={"X-Telegram-Init-Data": raw})
    assert answer.status_code == 200
    assert "HX-Location" not in answer.headers


def test_session_exchange_refuses_bad_init_data(client):
    """Is a bad initData on the page sign-in a 401 (HTML), never a 500?"""
    answer = client.post("/auth/session", headers={"X-Telegram-Init-Data": "auth_date=1&hash=0"})
    assert answer.status_code == 401


def test_russian_for_russian_users(client):
    """Does a Russian-speaking user get Russian pages?"""
    html = client.get("/?lang=ru").get_data(as_text=True)
    assert 'lang="ru"' in html


def test_russian_greeting_for_russian_telegram_user(client):
    """Does a user whose Telegram language is Russian get the Russian greeting?"""
    raw = tma_headers(4242, first_name="Иван", language_code="ru")["Authorization"][4:]
    html = client.post("/auth/session", headers={"X-Telegram-Init-Data": raw}).get_data(
        as_text=True
    )
    assert "Привет, Иван!" in html


def test_start_params_lead_to_their_pages_or_nowhere(app):
    """Does each start parameter open its page, and a malformed id lead nowhere (not a 500)?"""
    from webapp.core.start_param import start_param_url

    with app.test_request_context():
        assert start_param_url("order_AbC123xyz789") == "/orders/AbC123xyz789"
        assert start_param_url("event_abc") is None
        assert start_param_url("problem_1-2") is None
        assert start_param_url("nothing_1") is None
