"""`flask market map-cities`: place the orders and subscriptions older than the city
directory that the migration could not (a deployment's own `MARKET_CITIES`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.market.legacy import map_legacy_cities

market_cli = AppGroup("market", help="The urgent-jobs market.")


@market_cli.command("map-cities")
def map_cities_command() -> None:
    """Give each order and subscription that names its city only by text a directory id."""
    orders, subscriptions = map_legacy_cities()
    db.session.commit()
    click.echo(f"{orders} orders, {subscriptions} subscriptions placed")
