"""`tcma tokens create`: a new API token printed for automation (shown this once)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tcma import db
from tcma.accounts import services as account_services
from tcma.accounts.models import User
from tcma.api import rules, services
from tcma.api.rules import TokenRuleError


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.option("--user", "email", required=True, help="Whose token it is (their email).")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(rules.ALL_SCOPES),
    help="Repeat for several; default: every read scope the role may hold.",
)
@click.option("--partner", "partner_name", help="A service token limited to this partner.")
@click.option("--service", is_flag=True, help="A vendor admin's service token.")
@click.option("--days", type=int, default=rules.DEFAULT_DAYS, show_default=True)
@click.option("--name", default="", help="What uses it (default: 'cli').")
@with_appcontext
def create_token_command(
    email: str,
    scopes: tuple[str, ...],
    partner_name: str | None,
    service: bool,
    days: int,
    name: str,
) -> None:
    """Print a new token on standard output (nothing else goes there)."""
    session = db.session()
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active:
        raise click.ClickException(f"no active user {email!r}")
    partner_id = None
    if partner_name:
        partner = account_services.find_partner_by_name(session, partner_name)
        if partner is None:
            raise click.ClickException(f"no partner named {partner_name!r}")
        partner_id = partner.id
    kind = rules.SERVICE if service or partner_id else rules.PERSONAL
    role = user.role
    if kind == rules.SERVICE:
        role = "partner_admin" if partner_id else "admin"
    wanted = list(scopes) or [s for s in rules.scopes_for_role(role) if s in rules.READ_SCOPES]
    try:
        new = services.create_token(
            session,
            user,
            name=name or "cli",
            scopes=wanted,
            days=days,
            kind=kind,
            partner_id=partner_id,
        )
    except TokenRuleError as exc:
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(
        f"{kind} token for {user.email}: {', '.join(new.token.scopes)}; "
        f"expires {new.token.expires_at:%Y-%m-%d}",
        err=True,
    )
    click.echo(new.secret)
