"""`flask users …`: manage accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.users.models import Role, User

users_cli = AppGroup("users", help="Manage users.")


@users_cli.command("role")
@click.argument("who")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role(who: str, role: str) -> None:
    """Give WHO (a Telegram id, @username or login) the ROLE."""
    name = who.removeprefix("@")
    if who.isdigit():
        query = select(User).where(User.telegram_id == int(who))
    else:
        query = select(User).where((User.username == name) | (User.login == name))
    user = db.session.scalars(query.where(User.deleted_at.is_(None))).first()
    if user is None:
        raise click.ClickException(f"no user {who!r}")
    user.role = Role(role)
    db.session.commit()
    click.echo(f"{user.display_name} (id {user.id}) is now {role}")
