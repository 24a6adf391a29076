"""`flask dev …`: development helpers (a correctly signed initData, no auth bypass)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.auth import init_data

dev_cli = AppGroup("dev", help="Development helpers.")


@dev_cli.command("init-data")
@click.option("--user-id", type=int, default=1, show_default=True)
@click.option("--first-name", default="Dev", show_default=True)
@click.option("--last-name", default=None)
@click.option("--username", default=None)
@click.option("--language", "language_code", default="en", show_default=True)
@click.option("--start-param", default=None, help="e.g. event_5")
@click.option("--age", type=int, default=0, help="seconds in the past for auth_date")
def make_init_data(
    user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language_code: str,
    start_param: str | None,
    age: int,
) -> None:
    """Print an initData signed with TELEGRAM_BOT_TOKEN, as Telegram would send it."""
    token = current_app.config.get("TELEGRAM_BOT_TOKEN")
    if not token:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is not set")
    user = {"id": user_id, "first_name": first_name, "language_code": language_code}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    click.echo(
        init_data.build(token, user, auth_date=int(time.time()) - age, start_param=start_param)
    )
