"""`flask demo seed` and `flask demo links`: demo data and signed launch links.

`seed` is idempotent: it creates the demo people once, then each feature's demo content
(`FEATURE_SEEDERS`) through the features' own services. `links` prints short local links,
`/dev/launch/<person>?theme=dark`: in development, and only to a browser on this machine,
they redirect to the Mini App exactly as Telegram launches it (a freshly signed
`tgWebAppData` and the theme in the URL hash), so nobody needs an authentication bypass.
Anywhere else the route is not found.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from urllib.parse import quote, urlencode

import click
from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.auth import init_data
from webapp.events import demo as events_demo
from webapp.extensions import db
from webapp.market import demo as market_demo
from webapp.problems import demo as problems_demo
from webapp.tasks import demo as tasks_demo
from webapp.tickets import demo as tickets_demo
from webapp.users.models import Role, User

demo_cli = AppGroup("demo", help="Demo data for local runs.")

DEMO_PEOPLE = (
    {
        "telegram_id": 100001,
        "first_name": "Anna",
        "username": "anna_demo",
        "language_code": "en",
        "role": Role.STUDENT,
    },
    {
        "telegram_id": 100002,
        "first_name": "Борис",
        "username": "boris_demo",
        "language_code": "ru",
        "role": Role.TEACHER,
    },
    {
        "telegram_id": 100003,
        "first_name": "Mira",
        "username": "mira_demo",
        "language_code": "en",
        "role": Role.MODERATOR,
    },
    {
        "telegram_id": 100004,
        "first_name": "Oleg",
        "username": "oleg_demo",
        "language_code": "ru",
        "role": Role.STUDENT,
    },
)
THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#1c1c1e",
        "hint_color": "#8e8e93",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f1f1f4",
    },
    "dark": {
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c",
    },
}

# Each feature adds `seed(people: dict[str, User]) -> None`; it must be idempotent. Order
# matters: tickets name an event.
FEATURE_SEEDERS: list[Callable[[dict[str, User]], None]] = [
    tasks_demo.seed,
    events_demo.seed,
    tickets_demo.seed,
    problems_demo.seed,
    market_demo.seed,
]


def demo_people() -> dict[str, User]:
    people: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        user = db.session.scalars(
            select(User).where(User.telegram_id == person["telegram_id"])
        ).first()
        if user is None:
            user = User(**person)
            db.session.add(user)
        people[str(person["username"])] = user
    db.session.flush()
    return people


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo people and each feature's demo content (idempotent)."""
    people = demo_people()
    for seeder in FEATURE_SEEDERS:
        seeder(people)
    db.session.commit()
    click.echo(f"demo data ready: {len(people)} people, {len(FEATURE_SEEDERS)} features")


def launch_url(
    base_url: str, user: User, start_param: str | None = None, theme: str = "light"
) -> str:
    """The URL Telegram would open: the Mini App with a signed tgWebAppData hash."""
    token = current_app.config["TELEGRAM_BOT_TOKEN"]
    fields = {
        "id": user.telegram_id,
        "first_name": user.first_name,
        "username": user.username,
        "language_code": user.language_code,
    }
    raw = init_data.build(
        token, {k: v for k, v in fields.items() if v is not None}, start_param=start_param
    )
    hash_params = urlencode(
        {
            "tgWebAppData": raw,
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "web",
            "tgWebAppThemeParams": json.dumps(THEMES[theme]),
        },
        quote_via=quote,
    )
    return f"{base_url.rstrip('/')}/#{hash_params}"


def person_key(user: User) -> str:
    """The short name in a demo person's launch link: `anna` for @anna_demo."""
    return (user.username or str(user.telegram_id)).removesuffix("_demo")


@demo_cli.command("links")
@click.option("--base-url", default="http://localhost:5000/", show_default=True)
def links(base_url: str) -> None:
    """Print a short local launch link per demo person (light and dark theme)."""
    base = base_url.rstrip("/")
    for user in demo_people().values():
        link = f"{base}/dev/launch/{person_key(user)}"
        click.echo(f"{user.display_name} ({user.role}): {link}  (dark: {link}?theme=dark)")
    db.session.commit()


dev_bp = Blueprint("dev", __name__, url_prefix="/dev")


@dev_bp.before_request
def only_here_in_development() -> None:
    """Not found unless the app runs in development and the browser is on this machine."""
    if current_app.config["APP_ENV"] != "development" or not _is_loopback(request.remote_addr):
        abort(404)


@dev_bp.get("/launch/<person>")
def launch(person: str) -> Response:
    """Open the Mini App as a demo person (`?theme=dark`, `?start=event_5`), signed now."""
    user = db.session.scalars(
        select(User).where(User.username.in_([person, f"{person}_demo"]))
    ).first()
    theme = request.args.get("theme", "light")
    if user is None or theme not in THEMES or not current_app.config.get("TELEGRAM_BOT_TOKEN"):
        abort(404)
    start_param = request.args.get("start") or None
    home = url_for("home.shell", _external=True)
    return redirect(launch_url(home, user, start_param=start_param, theme=theme))


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False
