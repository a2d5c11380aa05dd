"""`tcma mail-inbound`: an MTA pipes bounces, complaints and mailto unsubscribes into tcma."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tcma import db
from tcma.mailings.inbound import MAX_MESSAGE_BYTES, handle_message


@click.command("mail-inbound")
@click.option(
    "--recipient",
    envvar="ORIGINAL_RECIPIENT",
    default=None,
    help="The envelope recipient (Postfix pipe sets $ORIGINAL_RECIPIENT).",
)
@with_appcontext
def mail_inbound_command(recipient: str | None) -> None:
    """Read one message on stdin and act on it (always exits 0: the MTA must not bounce it)."""
    data = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
    session = db.session()
    outcome = handle_message(session, data, recipient)
    session.commit()
    click.echo(outcome)
