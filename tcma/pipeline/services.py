"""Pipeline use cases: capture, work, convert and erase leads; register and move opportunities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tcma import audit, db
from tcma.accounts.models import User
from tcma.campaigns.models import Campaign
from tcma.db import utcnow
from tcma.pipeline import events, rules
from tcma.pipeline.models import Lead, Opportunity, StageChange
from tcma.pipeline.rules import PipelineError


@dataclass(frozen=True)
class LeadInput:
    """What a visitor typed into a landing page's lead form (already length-checked)."""

    first_name: str
    last_name: str
    email: str
    company: str
    title: str
    phone: str
    country: str


@dataclass(frozen=True)
class OpportunityInput:
    """The editable facts of an opportunity."""

    account: str
    name: str
    amount: Decimal
    currency: str
    stage: str
    expected_close_on: dt.date | None = None
    owner_id: int | None = None
    campaign_id: int | None = None
    # A CRM's own id for the deal (set when it is created; unique per partner and source).
    external_source: str | None = None
    external_id: str | None = None


def _history(
    session: Session,
    subject: Lead | Opportunity,
    before: str | None,
    after: str,
    actor_id: int | None,
) -> None:
    change = StageChange(
        partner_id=subject.partner_id, from_stage=before, to_stage=after, actor_id=actor_id
    )
    if isinstance(subject, Lead):
        change.lead_id = subject.id
    else:
        change.opportunity_id = subject.id
    session.add(change)


def capture_lead(
    session: Session,
    campaign: Campaign,
    form: LeadInput,
    *,
    consent_text: str,
    submit_token: str,
    utm: dict[str, str] | None = None,
    repeat_window: dt.timedelta = rules.LEAD_REPEAT_WINDOW,
) -> tuple[Lead | None, bool]:
    """Store a landing-page lead once per submit token: (lead, True), or (None, False) again.

    The same email on the same campaign within ``repeat_window`` of its first submission is
    the same lead: it counts one more submission and answers (that lead, False), inserting
    nothing, so the roll-ups (which count inserted leads) and cost per lead stay true.
    """
    utm = utm or {}
    now = utcnow()
    email = rules.clean_email(form.email)
    # Two tabs sending at once must not both find no lead and insert one each.
    db.lock_for_transaction(session, lead_lock_name(campaign.code, email))
    if (earlier := _recent_lead(session, campaign.id, email, now - repeat_window)) is not None:
        earlier.submissions += 1
        earlier.last_submitted_at = now
        session.flush()
        return earlier, False
    values = {
        "partner_id": campaign.partner_id,
        "campaign_id": campaign.id,
        "first_name": form.first_name,
        "last_name": form.last_name,
        "email": email,
        "company": form.company,
        "title": form.title,
        "phone": form.phone,
        "country": form.country,
        "consent": True,
        "consent_text": consent_text,
        "status": rules.NEW,
        "source": rules.SOURCE_LANDING,
        "submit_token": submit_token,
        "last_submitted_at": now,
        "utm_source": utm.get("utm_source"),
        "utm_medium": utm.get("utm_medium"),
        "utm_content": utm.get("utm_content"),
    }
    # A form already taken inserts nothing (ON CONFLICT on its token): one statement, where a
    # savepoint around a plain INSERT costs two more round trips per lead.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(Lead)
        .values(values)
        .on_conflict_do_nothing(index_elements=[Lead.submit_token])
        .returning(Lead)
    )
    lead = session.scalars(stmt).first()
    if lead is None:
        return None, False
    _history(session, lead, None, rules.NEW, None)
    session.flush()
    events.lead_event(session, "lead.created", lead)
    return lead, True


def lead_lock_name(campaign_code: str, email: str) -> str:
    """The name capture_lead locks for a person on a campaign (a landing POST may take it
    earlier, with the campaign's read; see landing.find_visit_and_campaign)."""
    return f"lead:{campaign_code}:{email.lower()}"


def _recent_lead(session: Session, campaign_id: int, email: str, since: dt.datetime) -> Lead | None:
    stmt = (
        select(Lead)
        .where(
            Lead.campaign_id == campaign_id,
            Lead.created_at >= since,
            func.lower(Lead.email) == email.lower(),
            Lead.erased_at.is_(None),
        )
        .order_by(Lead.id.desc())
        .limit(1)
        .with_for_update()
    )
    return session.scalar(stmt)


def owners(session: Session, partner_id: int) -> list[User]:
    """The people of a partner who can own its leads and opportunities."""
    stmt = select(User).where(User.partner_id == partner_id, User.status == "active")
    return list(session.scalars(stmt.order_by(User.name, User.email)))


def _check_owner(session: Session, partner_id: int, owner_id: int | None) -> None:
    if owner_id is None:
        return
    owner = session.get(User, owner_id)
    if owner is None or owner.partner_id != partner_id:
        raise PipelineError("Choose an owner from your own company.", "owner_id")


def _check_campaign(session: Session, partner_id: int, campaign_id: int | None) -> None:
    if campaign_id is None:
        return
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.partner_id != partner_id:
        raise PipelineError("Choose one of your own campaigns.", "campaign_id")


def update_lead(
    session: Session,
    actor_id: int | None,
    lead: Lead,
    *,
    status: str,
    owner_id: int | None,
    notes: str,
) -> None:
    """Work a lead: its status (kept in the history), owner and notes."""
    rules.check_lead_status(lead.status, status)
    _check_owner(session, lead.partner_id, owner_id)
    if len(notes) > rules.LIMITS["notes"]:
        raise PipelineError(f"Keep notes under {rules.LIMITS['notes']} characters.", "notes")
    if status != lead.status:
        _history(session, lead, lead.status, status, actor_id)
        lead.status = status
    lead.owner_id = owner_id
    lead.notes = notes or None
    session.flush()
    events.lead_event(session, "lead.updated", lead)


def convert_lead(
    session: Session, actor_id: int | None, lead: Lead, values: OpportunityInput
) -> Opportunity:
    """Turn a lead into an opportunity of the same partner and campaign; the lead is converted."""
    rules.check_convertible(lead.status)
    values = OpportunityInput(**{**values.__dict__, "campaign_id": lead.campaign_id})
    opportunity = create_opportunity(
        session, actor_id, lead.partner_id, values, lead=lead, source=rules.SOURCE_LEAD
    )
    _history(session, lead, lead.status, rules.CONVERTED, actor_id)
    lead.status = rules.CONVERTED
    session.flush()
    return opportunity


def erase_lead(session: Session, actor_id: int | None, lead: Lead) -> None:
    """Right to erasure: every personal value goes; the anonymous row keeps the counts."""
    for name in rules.PERSONAL_FIELDS:
        setattr(lead, name, None)
    lead.consent = False
    lead.erased_at = utcnow()
    # The audit event names the row only: no personal value may outlive the erasure.
    audit.record(
        session,
        actor_id=actor_id,
        action="lead.erased",
        object_type="lead",
        object_id=lead.id,
        partner_id=lead.partner_id,
    )
    session.flush()


def create_opportunity(
    session: Session,
    actor_id: int | None,
    partner_id: int,
    values: OpportunityInput,
    *,
    lead: Lead | None = None,
    source: str = rules.SOURCE_MANUAL,
) -> Opportunity:
    """Register an opportunity for a partner (from a lead, by hand or from an import)."""
    name, account = values.name.strip(), values.account.strip()
    if not name:
        raise PipelineError("Give the opportunity a name.", "name")
    amount = rules.check_amount(values.amount, values.currency)
    rules.check_stage_change(rules.PROSPECTING, values.stage)
    _check_owner(session, partner_id, values.owner_id)
    _check_campaign(session, partner_id, values.campaign_id)
    opportunity = Opportunity(
        partner_id=partner_id,
        campaign_id=values.campaign_id,
        lead_id=lead.id if lead else None,
        account=account,
        name=name,
        amount=amount,
        currency=values.currency,
        stage=values.stage,
        expected_close_on=values.expected_close_on,
        closed_on=utcnow().date() if values.stage in rules.CLOSED_STAGES else None,
        owner_id=values.owner_id,
        created_by_id=actor_id,
        source=source,
        external_source=values.external_source,
        external_id=values.external_id,
    )
    session.add(opportunity)
    session.flush()
    _history(session, opportunity, None, values.stage, actor_id)
    session.flush()
    events.opportunity_created(session, opportunity)
    return opportunity


def update_opportunity(
    session: Session, actor_id: int | None, opportunity: Opportunity, values: OpportunityInput
) -> None:
    """Change an opportunity; a new stage is kept in its history with who and when."""
    name = values.name.strip()
    if not name:
        raise PipelineError("Give the opportunity a name.", "name")
    rules.check_stage_change(opportunity.stage, values.stage)
    amount = rules.check_amount(values.amount, values.currency)
    _check_owner(session, opportunity.partner_id, values.owner_id)
    before = opportunity.stage
    if values.stage != opportunity.stage:
        _history(session, opportunity, opportunity.stage, values.stage, actor_id)
        opportunity.closed_on = utcnow().date() if values.stage in rules.CLOSED_STAGES else None
        opportunity.stage = values.stage
    opportunity.name, opportunity.account = name, values.account.strip()
    opportunity.amount, opportunity.currency = amount, values.currency
    opportunity.expected_close_on = values.expected_close_on
    opportunity.owner_id = values.owner_id
    session.flush()
    if opportunity.stage != before:
        events.opportunity_moved(session, opportunity, before)


def import_rows(
    session: Session,
    actor_id: int | None,
    partner_id: int,
    kind: str,
    rows: list[dict[str, Any]],
    campaign_id: int | None,
) -> int:
    """Write every checked row of an import (the caller checked them all first)."""
    _check_campaign(session, partner_id, campaign_id)
    if kind == "leads":
        leads = [
            Lead(
                partner_id=partner_id,
                campaign_id=campaign_id,
                source=rules.SOURCE_IMPORT,
                **{key: value or None for key, value in row.items() if key != "status"},
                status=row["status"],
            )
            for row in rows
        ]
        session.add_all(leads)
        session.flush()
        for lead in leads:
            _history(session, lead, None, lead.status, actor_id)
    else:
        for row in rows:
            create_opportunity(
                session,
                actor_id,
                partner_id,
                OpportunityInput(**row, campaign_id=campaign_id),
                source=rules.SOURCE_IMPORT,
            )
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action=f"{kind}.imported",
        object_type="partner",
        object_id=partner_id,
        partner_id=partner_id,
        data={"rows": len(rows), "campaign_id": campaign_id},
    )
    return len(rows)


def history(session: Session, subject: Lead | Opportunity) -> list[StageChange]:
    """A lead's or an opportunity's stage changes, oldest first."""
    column = StageChange.lead_id if isinstance(subject, Lead) else StageChange.opportunity_id
    stmt = select(StageChange).where(column == subject.id).order_by(StageChange.at, StageChange.id)
    return list(session.scalars(stmt))
