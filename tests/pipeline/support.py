"""Test data for launch, landing and pipeline tests: live campaigns, leads, opportunities."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tcma.accounts.models import Partner
from tcma.campaigns import launch
from tcma.campaigns.models import Campaign
from tcma.kits.models import KitVersion
from tcma.pipeline import rules, services
from tcma.pipeline.models import Lead, Opportunity
from tests.campaigns.support import import_kit, start_campaign

CONSENT = "I agree that Brightpath IT may contact me about this offer."
VISITOR = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@navy.example",
    "company": "US Navy",
    "title": "Rear Admiral",
    "phone": "+1 555 0100",
    "country": "United States",
}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def live_campaign(
    app: Flask,
    session: Session,
    partner: Partner,
    version: KitVersion | None = None,
    name: str = "Restore drills",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Campaign:
    """A campaign of ``partner`` made from the fixture kit (with a landing asset), launched."""
    version = version or import_kit(app, session)
    campaign = start_campaign(app, session, partner, version, name=name)
    launch.launch_campaign(
        session,
        None,
        campaign,
        starts_on=starts_on or today(),
        ends_on=ends_on or today() + dt.timedelta(days=30),
        consent_text=CONSENT,
    )
    session.commit()
    return campaign


def add_lead(session: Session, campaign: Campaign, status: str = rules.NEW, **values: str) -> Lead:
    """A lead as the landing page stores it, then moved to ``status`` (no commit)."""
    form = services.LeadInput(**{**VISITOR, **values})
    # Each call is a new lead, also with the same email (no repeat window): test data.
    lead, _ = services.capture_lead(
        session,
        campaign,
        form,
        consent_text=CONSENT,
        submit_token=secrets.token_urlsafe(16),
        repeat_window=dt.timedelta(0),
    )
    assert lead is not None
    if status != rules.NEW:
        lead.status = status
    session.flush()
    return lead


def add_opportunity(
    session: Session,
    partner_id: int,
    campaign_id: int | None,
    amount: str,
    stage: str = rules.PROSPECTING,
    currency: str = "USD",
    **extra: Any,
) -> Opportunity:
    """A registered opportunity (no commit)."""
    values = services.OpportunityInput(
        account=extra.pop("account", "Acme Corp"),
        name=extra.pop("name", "Acme renewal"),
        amount=Decimal(amount),
        currency=currency,
        stage=stage,
        campaign_id=campaign_id,
        **extra,
    )
    return services.create_opportunity(session, None, partner_id, values)


def matrix_objects(ctx: SimpleNamespace) -> SimpleNamespace:
    """Partner A's live campaign with a lead and an opportunity, for the access matrix."""
    if not hasattr(ctx, "pipeline_objects"):
        app, world = ctx.app, ctx.world
        session = app.extensions["tcma.sessionmaker"]()
        with app.app_context():
            partner = session.get(Partner, world.partner_a.id)
            campaign = live_campaign(app, session, partner, name="Matrix campaign")
            draft = start_campaign(app, session, partner, campaign.kit_version, name="Draft")
            lead = add_lead(session, campaign)
            opportunity = add_opportunity(session, partner.id, campaign.id, "1000.00")
            session.commit()
        ctx.pipeline_objects = SimpleNamespace(
            campaign_id=campaign.id,
            code=campaign.code,
            draft_id=draft.id,
            lead_id=lead.id,
            opportunity_id=opportunity.id,
        )
        session.close()
    return ctx.pipeline_objects
