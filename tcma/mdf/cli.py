"""`tcma mdf ...` commands; each one is a unit of work that commits once at the end."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from tcma import db
from tcma.mdf import payment_services
from tcma.mdf.money import format_money


@click.command("release-expired")
@click.option(
    "--today",
    "on_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (YYYY-MM-DD); defaults to today in UTC.",
)
@with_appcontext
def release_expired_command(on_day: dt.datetime | None) -> None:
    """Give unclaimed approved money back to allocations whose claim window has closed."""
    session = db.session()
    day = on_day.date() if on_day else db.utcnow().date()
    released = payment_services.release_expired(session, day)
    session.commit()
    for item in released:
        click.echo(
            f"fund request {item.fund_request_id}: released "
            f"{format_money(item.amount, item.currency)}"
        )
    click.echo(f"{len(released)} fund request(s) had unclaimed money released.")
