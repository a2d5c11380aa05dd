"""Helpers of the API tests: a token per role and a client that sends it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.accounts.models import User
from tcma.api import rules, services
from tcma.campaigns.models import Campaign
from tcma.mdf.models import FundRequest
from tcma.storage.base import EXTENSION_KEY
from tests.mailings.support import add_contact
from tests.mdf.support import PDF_BYTES, TODAY, Funds, _reload
from tests.mdf.support import matrix_objects as mdf_objects
from tests.pipeline.support import add_lead, matrix_objects


def make_token(
    session: Session,
    user: User,
    scopes: list[str] | None = None,
    kind: str = rules.PERSONAL,
    partner_id: int | None = None,
    days: int = 30,
) -> str:
    """A committed token for ``user`` with every scope their role may hold (or ``scopes``)."""
    role = user.role
    if kind == rules.SERVICE:
        role = "partner_admin" if partner_id else "admin"
    new = services.create_token(
        session,
        user,
        name=f"test {user.email}",
        scopes=scopes or list(rules.scopes_for_role(role)),
        days=days,
        kind=kind,
        partner_id=partner_id,
    )
    session.commit()
    return new.secret


class ApiClient:
    """A test client that sends ``Authorization: Bearer`` and JSON."""

    def __init__(self, app: Flask, token: str | None) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, url: str, **kwargs: Any):
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any):
        headers = self._headers(kwargs.pop("headers", None))
        return self.client.post(url, json=json, headers=headers, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any):
        headers = self._headers(kwargs.pop("headers", None))
        return self.client.patch(url, json=json, headers=headers, **kwargs)

    def delete(self, url: str, **kwargs: Any):
        return self.client.delete(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


def matrix_token_id(ctx: Any) -> int:
    """A personal token of partner A's user, for the access matrix of the token pages."""
    if not hasattr(ctx, "api_token_id"):
        app, world = ctx.app, ctx.world
        session = app.extensions["tcma.sessionmaker"]()
        user = session.get(User, world.users["a_user"].id)
        new = services.create_token(session, user, name="matrix", scopes=["pipeline:read"])
        session.commit()
        ctx.api_token_id = new.token.id
        session.close()
    return ctx.api_token_id


def matrix_lead(ctx: Any) -> int:
    """A new lead of partner A's matrix campaign (each call another one)."""
    campaign_id = matrix_objects(ctx).campaign_id
    session = ctx.app.extensions["tcma.sessionmaker"]()
    with ctx.app.app_context():
        lead = add_lead(session, session.get(Campaign, campaign_id))
        session.commit()
        lead_id = lead.id
    session.close()
    return lead_id


def matrix_kit_version(ctx: Any) -> int:
    """The kit version of partner A's matrix campaign (published, in every partner's catalog)."""
    campaign_id = matrix_objects(ctx).campaign_id
    session = ctx.app.extensions["tcma.sessionmaker"]()
    version_id = session.get(Campaign, campaign_id).kit_version_id
    session.close()
    return version_id


def matrix_payment(ctx: Any) -> int:
    """A payment of a claim on partner A's approved matrix fund request."""
    if not hasattr(ctx, "api_payment_id"):
        approved_id = mdf_objects(ctx).approved_id
        app = ctx.app
        session = app.extensions["tcma.sessionmaker"]()
        with app.app_context():
            funds = Funds(session, _reload(session, ctx.world), app.extensions[EXTENSION_KEY])
            claim = funds.paid_claim(session.get(FundRequest, approved_id), "100")
            session.commit()
            ctx.api_payment_id = claim.payment.id
        session.close()
    return ctx.api_payment_id


def new_fund_request(ctx: Any) -> dict[str, Any]:
    """A valid fund request body on partner A's matrix allocation."""
    return {
        "allocation_id": mdf_objects(ctx).allocation_id,
        "activity_type": "webinar",
        "title": "Matrix webinar",
        "start_date": (TODAY - dt.timedelta(days=5)).isoformat(),
        "end_date": TODAY.isoformat(),
        "currency": "EUR",
        "total_cost": "1000.00",
        "requested_amount": "400.00",
    }


def matrix_contact(ctx: Any) -> int:
    """A new contact of partner A (each call another one: erasing is for good)."""
    session = ctx.app.extensions["tcma.sessionmaker"]()
    count = getattr(ctx, "contacts_made", 0) + 1
    ctx.contacts_made = count
    contact = add_contact(session, ctx.world.partner_a.id, f"erase{count}@matrix.example")
    session.commit()
    contact_id = contact.id
    session.close()
    return contact_id


def proof_form(ctx: Any) -> dict[str, Any]:
    """A multipart proof upload: an invoice PDF."""
    return {"kind": "invoice", "file": (io.BytesIO(PDF_BYTES), "invoice.pdf")}
