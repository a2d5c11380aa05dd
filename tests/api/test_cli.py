"""`tcma tokens create` prints a working token and nothing else on standard output."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.api.support import ApiClient
from tests.conftest import World


def test_tokens_create_prints_a_usable_token(app: Flask, world: World, live_a) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tokens", "create", "--user", "ANNA@brightpath.example", "--scope", "pipeline:write"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("tcma_") and "\n" not in secret
    api = ApiClient(app, secret)
    assert api.get("/api/v1/leads").status_code == 200


def test_service_token_for_a_partner_from_the_cli(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "tokens",
            "create",
            "--user",
            "admin@vendor.example",
            "--partner",
            "Cobalt Systems Group",
            "--scope",
            "pipeline:read",
            "--days",
            "7",
        ]
    )
    assert result.exit_code == 0, result.output
    api = ApiClient(app, result.stdout.strip())
    # Limited to Cobalt: partner A's campaign is not there to filter by, nor its leads.
    assert api.get(f"/api/v1/leads?campaign_id={live_a.id}").status_code == 404
    assert api.get("/api/v1/leads").get_json()["items"] == []


def test_tokens_create_refuses_what_the_user_may_not_hold(app: Flask, world: World) -> None:
    runner = app.test_cli_runner()
    beyond = runner.invoke(
        args=["tokens", "create", "--user", "finance@vendor.example", "--scope", "pipeline:write"]
    )
    assert beyond.exit_code != 0 and "cannot hold" in beyond.output
    partner = runner.invoke(
        args=["tokens", "create", "--user", "ben@brightpath.example", "--partner", "Brightpath IT"]
    )
    assert partner.exit_code != 0 and "vendor admins" in partner.output
    nobody = runner.invoke(args=["tokens", "create", "--user", "nobody@example.com"])
    assert nobody.exit_code != 0 and "no active user" in nobody.output
