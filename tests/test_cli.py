"""The tcma command: init, demo (twice changes nothing), users create."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from tcma.accounts.models import Partner, User
from tcma.demo import DEMO_PASSWORD
from tests.conftest import make_test_app


def fresh_app(tmp_path) -> Flask:
    return make_test_app(f"sqlite:///{tmp_path / 'cli.sqlite3'}", tmp_path)


def counts(app: Flask) -> tuple[int, int]:
    session = app.extensions["tcma.sessionmaker"]()
    try:
        return (
            session.scalar(select(func.count(User.id))),
            session.scalar(select(func.count(Partner.id))),
        )
    finally:
        session.close()


def test_init_then_demo_twice_creates_everything_once(tmp_path) -> None:
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@northbeam.example" in first.output and DEMO_PASSWORD in first.output
    after_first = counts(app)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts(app) == after_first == (7, 2)


def test_demo_users_can_sign_in(tmp_path) -> None:
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    runner.invoke(args=["init"])
    runner.invoke(args=["demo"])
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "carla@cobalt-systems.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_users_create_makes_an_active_user(tmp_path) -> None:
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    runner.invoke(args=["init"])
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ops@northbeam.example",
            "--role",
            "finance",
            "--password",
            "silver-compass-meadow-8",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created ops@northbeam.example (Finance)" in result.output
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "weak@northbeam.example",
            "--role",
            "finance",
            "--password",
            "password1234",
        ]
    )
    assert weak.exit_code != 0 and "too common" in weak.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "p@x.example",
            "--role",
            "partner_user",
            "--partner",
            "Nope Inc",
            "--password",
            "silver-compass-meadow-8",
        ]
    )
    assert unknown.exit_code != 0 and "no partner named" in unknown.output
