"""The `tcma` command's subcommands: init, demo, users create, serve."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from tcma import db, migrate
from tcma.accounts import rules, services
from tcma.accounts.rules import AccountError
from tcma.api.cli import tokens_group
from tcma.cobrand.cli import render_command
from tcma.demo import DEMO_PASSWORD, load_demo
from tcma.jobs.cli import jobs_group, worker_command
from tcma.kits.cli import kits_group
from tcma.mailings.cli import mail_inbound_command
from tcma.mdf import budget_services as mdf_services
from tcma.storage import StorageError, get_storage


def register_commands(app: Flask) -> None:
    """Add tcma's commands to the Flask CLI."""
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_group)
    app.cli.add_command(serve_command)
    app.cli.add_command(kits_group)
    app.cli.add_command(tokens_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_group)
    app.cli.add_command(mail_inbound_command)
    kits_group.add_command(render_command)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema and the local storage folder."""
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    migrate.upgrade(current_app.config["DATABASE_URL"])
    session = db.session()
    # Created here once, so two first requests can never race to create it.
    mdf_services.get_settings(session)
    session.commit()
    try:
        get_storage().check()
    except StorageError as exc:
        raise click.ClickException(f"storage is not usable: {exc}") from exc
    click.echo(f"Database ready: {db.get_engine().url.render_as_string(hide_password=True)}")
    click.echo(f"Storage ready: {current_app.config['STORAGE_URL']}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo partners, users and the sample kits (safe to run again)."""
    session = db.session()
    logins = load_demo(session, current_app)
    session.commit()
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for label, email in logins:
        click.echo(f"  {label:<36} {email}")


@click.group("users")
def users_group() -> None:
    """Manage users."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(rules.ALL_ROLES), required=True)
@click.option("--partner", "partner_name", help="Partner company name (partner roles only).")
@click.option("--name", default="")
@click.password_option()
@with_appcontext
def create_user_command(
    email: str, role: str, partner_name: str | None, name: str, password: str
) -> None:
    """Create an active user with a password."""
    session = db.session()
    partner_id = None
    if partner_name:
        partner = services.find_partner_by_name(session, partner_name)
        if partner is None:
            raise click.ClickException(f"no partner named {partner_name!r}")
        partner_id = partner.id
    try:
        user = services.create_active_user(session, email, password, role, partner_id, name)
    except AccountError as exc:
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(f"Created {user.email} ({user.role_label}).")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Defaults to $PORT or 5000.")
@with_appcontext
def serve_command(host: str, port: int | None) -> None:
    """Serve the app for development and demos (use gunicorn in production)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    port = port or app.config["PORT"]
    if not app.config["BASE_URL_IS_SET"]:
        app.config["BASE_URL"] = f"http://{_link_host(host)}:{port}"
    click.echo(f"tcma is running on http://{host}:{port}/  (Ctrl+C to stop)")
    source = "TCMA_BASE_URL" if app.config["BASE_URL_IS_SET"] else "the served port"
    click.echo(
        f"Links in emails, landing pages and tracking use {app.config['BASE_URL']} "
        f"(from {source}; set TCMA_BASE_URL to the public address)"
    )
    # app.run() refuses to block inside a Flask CLI command, so serve with werkzeug directly.
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


def _link_host(host: str) -> str:
    # Listening on every interface: links still need one address that reaches this machine.
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
