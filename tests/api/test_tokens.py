"""API tokens: hashed, scoped, expiring, revocable; the API takes no session cookie."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.api import rules, services
from tcma.api.models import ApiToken
from tcma.api.rules import TokenRuleError
from tests.api.support import ApiClient, make_token
from tests.conftest import World, login


def test_token_is_stored_only_as_its_hash(db_session: Session, world: World) -> None:
    secret = make_token(db_session, world.users["a_user"])
    row = db_session.scalars(select(ApiToken)).one()
    assert secret.startswith("tcma_") and len(secret) > 40
    assert row.token_hash == rules.token_hash(secret) and secret not in (row.shown, row.token_hash)
    assert row.shown == secret[:12]


def test_api_answers_with_a_token_and_records_last_use(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    secret = make_token(db_session, world.users["a_user"])
    response = ApiClient(app, secret).get("/api/v1/leads")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"items": [], "next_cursor": None}
    db_session.expire_all()
    assert db_session.scalars(select(ApiToken)).one().last_used_at is not None


def test_session_cookie_is_not_accepted(app: Flask, world: World) -> None:
    client = login(app.test_client(), world.users["admin"])
    response = client.get("/api/v1/leads")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer tcma_nottherealone_xxxxxxxxxxxxx", "Basic x"]
)
def test_missing_or_wrong_token_is_401(app: Flask, world: World, header: str) -> None:
    response = app.test_client().get("/api/v1/leads", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["title"] == "Unauthorized"


def test_revoked_and_expired_tokens_stop_working(
    app: Flask, db_session: Session, world: World
) -> None:
    user = world.users["marketer"]
    revoked, expired = make_token(db_session, user), make_token(db_session, user)
    rows = {t.token_hash: t for t in db_session.scalars(select(ApiToken))}
    services.revoke_token(db_session, user, rows[rules.token_hash(revoked)])
    rows[rules.token_hash(expired)].expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db_session.commit()
    for secret in (revoked, expired):
        assert ApiClient(app, secret).get("/api/v1/leads").status_code == 401


def test_deactivated_user_token_stops_working(
    app: Flask, db_session: Session, world: World
) -> None:
    secret = make_token(db_session, world.users["a_user"])
    world.users["a_user"].status = "deactivated"
    db_session.commit()
    assert ApiClient(app, secret).get("/api/v1/leads").status_code == 401


def test_personal_token_cannot_carry_more_than_its_owner(db_session: Session, world: World) -> None:
    with pytest.raises(TokenRuleError, match="cannot hold"):
        services.create_token(
            db_session, world.users["finance"], name="x", scopes=["pipeline:write"]
        )
    with pytest.raises(TokenRuleError, match="vendor admins"):
        services.create_token(
            db_session, world.users["a_admin"], name="x", scopes=["pipeline:read"], kind="service"
        )


def test_read_scope_cannot_write(app: Flask, db_session: Session, world: World, live_a) -> None:
    secret = make_token(db_session, world.users["a_user"], scopes=["pipeline:read"])
    response = ApiClient(app, secret).post(
        "/api/v1/opportunities", json={"name": "X", "amount": "1.00", "currency": "EUR"}
    )
    assert response.status_code == 403


def test_service_token_limited_to_a_partner_sees_only_that_partner(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    from tests.pipeline.support import add_lead

    lead = add_lead(db_session, live_a)
    db_session.commit()
    a_token = make_token(
        db_session, world.users["admin"], kind="service", partner_id=world.partner_a.id
    )
    b_token = make_token(
        db_session, world.users["admin"], kind="service", partner_id=world.partner_b.id
    )
    assert ApiClient(app, a_token).get(f"/api/v1/leads/{lead.id}").status_code == 200
    assert ApiClient(app, b_token).get(f"/api/v1/leads/{lead.id}").status_code == 404
    assert ApiClient(app, b_token).get("/api/v1/leads").get_json()["items"] == []


def test_token_page_shows_the_secret_once_and_revokes_after_confirming(
    app: Flask, db_session: Session, world: World
) -> None:
    client = login(app.test_client(), world.users["a_user"])
    page = client.post(
        "/account/tokens/",
        data={"name": "HubSpot sync", "scopes": ["pipeline:read", "pipeline:write"], "days": "30"},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    token = db_session.scalars(select(ApiToken)).one()
    secret = text.split('id="secret" readonly value="')[1].split('"')[0]
    assert rules.token_hash(secret) == token.token_hash
    assert ApiClient(app, secret).get("/api/v1/leads").status_code == 200
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "HubSpot sync" in listing and secret not in listing
    # The scope checkboxes are a group named by its legend: no label points at the list,
    # and no single box is required (one of them is).
    assert "<legend>Scopes" in listing and 'for="scopes"' not in listing
    assert not re.search(r'<input[^>]*name="scopes"[^>]*required', listing)
    confirm = client.get(f"/account/tokens/{token.id}/revoke")
    assert "stops working at once" in confirm.get_data(as_text=True)
    assert ApiClient(app, secret).get("/api/v1/leads").status_code == 200
    client.post(f"/account/tokens/{token.id}/revoke")
    assert ApiClient(app, secret).get("/api/v1/leads").status_code == 401


def test_token_page_refuses_scopes_beyond_the_role(
    app: Flask, db_session: Session, world: World
) -> None:
    client = login(app.test_client(), world.users["finance"])
    page = client.post(
        "/account/tokens/", data={"name": "x", "scopes": ["pipeline:write"], "days": "30"}
    )
    assert page.status_code == 200
    assert db_session.scalars(select(ApiToken)).all() == []


def test_someone_elses_token_cannot_be_revoked(
    app: Flask, db_session: Session, world: World
) -> None:
    make_token(db_session, world.users["a_user"])
    token = db_session.scalars(select(ApiToken)).one()
    client = login(app.test_client(), world.users["b_user"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).revoked_at is None
