"""Short local launch links: `/dev/launch/<person>` signs a demo person in, in development only,
for a browser on this machine only."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.fixtures.app import TEST_BOT_TOKEN, build_app
from webapp.auth import init_data
from webapp.demo import THEMES
from webapp.extensions import db


@pytest.fixture
def app_overrides():
    return {"APP_ENV": "development"}


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def launch_hash(response) -> dict[str, str]:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "localhost", "/")
    return dict(parse_qsl(location.fragment))


def test_a_launch_link_signs_the_person_in_with_the_theme_asked_for(client, seeded):
    """Does `/dev/launch/anna?theme=dark` redirect to the Mini App with a freshly signed
    initData for Anna and the dark theme's parameters?"""
    params = launch_hash(client.get("/dev/launch/anna?theme=dark&start=event_5"))
    signed = init_data.validate(params["tgWebAppData"], TEST_BOT_TOKEN, max_age=60)
    assert signed.user is not None and signed.user.username == "anna_demo"
    assert signed.start_param == "event_5"
    assert json.loads(params["tgWebAppThemeParams"]) == THEMES["dark"]

    light = launch_hash(client.get("/dev/launch/boris_demo"))
    assert json.loads(light["tgWebAppThemeParams"]) == THEMES["light"]
    assert init_data.validate(light["tgWebAppData"], TEST_BOT_TOKEN).user.first_name == "Борис"


@pytest.mark.parametrize(
    "path", ["/dev/launch/nobody", "/dev/launch/anna?theme=sepia"], ids=["person", "theme"]
)
def test_an_unknown_person_or_theme_is_not_found(client, seeded, path):
    """Is a launch link for nobody we know, or a theme we do not have, not found?"""
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("address", ["10.0.0.7", "192.168.1.20", "2001:db8::1", ""])
def test_a_browser_on_another_machine_is_refused(client, seeded, address):
    """Is the launch link not found for a request that does not come from this machine?"""
    response = client.get("/dev/launch/anna", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 404
    assert client.get("/dev/launch/anna", environ_base={"REMOTE_ADDR": "::1"}).status_code == 302


def test_the_route_checks_the_environment_itself(app, client, seeded):
    """If the app's environment stops being development, is the link refused at once?"""
    assert client.get("/dev/launch/anna").status_code == 302
    app.config["APP_ENV"] = "production"
    assert client.get("/dev/launch/anna").status_code == 404


@pytest.mark.parametrize("app_env", ["testing", "production"])
def test_outside_development_there_is_no_launch_link(schema, app_env):
    """Is `/dev/launch/…` not found outside development, even from this machine?"""
    app = build_app(schema, {"APP_ENV": app_env})
    try:
        assert app.test_client().get("/dev/launch/anna").status_code == 404
        assert "dev" not in app.blueprints
    finally:
        with app.app_context():
            db.engine.dispose()


def test_demo_links_prints_short_links(runner, seeded):
    """Does `flask demo links` print one short local link per demo person, with a dark one?"""
    result = runner.invoke(args=["demo", "links", "--base-url", "http://localhost:5000/"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4
    assert (
        "Anna (student): http://localhost:5000/dev/launch/anna"
        "  (dark: http://localhost:5000/dev/launch/anna?theme=dark)"
    ) in lines
    assert max(len(line) for line in lines) < 120
