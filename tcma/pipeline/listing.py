"""The statements behind the lead and opportunity lists (and their CSV exports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from tcma.pipeline import rules
from tcma.pipeline.models import Lead, Opportunity

UNASSIGNED = "none"


@dataclass(frozen=True)
class ListFilter:
    """What a list page or export is narrowed to; None or '' means any."""

    partner_id: int | None = None
    campaign_id: int | None = None
    status: str = ""
    owner: str = ""
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _owner(stmt: Select, column: Any, owner: str) -> Select:
    if owner == UNASSIGNED:
        return stmt.where(column.is_(None))
    if owner.isdigit():
        return stmt.where(column == int(owner))
    return stmt


def _dates(stmt: Select, column: Any, flt: ListFilter) -> Select:
    if flt.date_from:
        stmt = stmt.where(column >= dt.datetime.combine(flt.date_from, dt.time.min, dt.UTC))
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)
        stmt = stmt.where(column < end)
    return stmt


def leads_statement(flt: ListFilter) -> Select:
    """Leads (never erased ones), newest first, narrowed by the filter."""
    stmt = select(Lead).where(Lead.erased_at.is_(None))
    if flt.partner_id is not None:
        stmt = stmt.where(Lead.partner_id == flt.partner_id)
    if flt.campaign_id is not None:
        stmt = stmt.where(Lead.campaign_id == flt.campaign_id)
    if flt.status in rules.LEAD_STATUSES:
        stmt = stmt.where(Lead.status == flt.status)
    stmt = _owner(stmt, Lead.owner_id, flt.owner)
    stmt = _dates(stmt, Lead.created_at, flt)
    if q := flt.q.strip():
        stmt = stmt.where(
            or_(
                *(
                    column.icontains(q, autoescape=True)
                    for column in (Lead.first_name, Lead.last_name, Lead.email, Lead.company)
                )
            )
        )
    return stmt.order_by(Lead.created_at.desc(), Lead.id.desc()).options(
        joinedload(Lead.partner), joinedload(Lead.campaign), joinedload(Lead.owner)
    )


OPEN, CLOSED = "open", "closed"


def opportunities_statement(flt: ListFilter) -> Select:
    """Opportunities, newest first; status is a stage, 'open' or 'closed'."""
    stmt = select(Opportunity)
    if flt.partner_id is not None:
        stmt = stmt.where(Opportunity.partner_id == flt.partner_id)
    if flt.campaign_id is not None:
        stmt = stmt.where(Opportunity.campaign_id == flt.campaign_id)
    if flt.status in rules.STAGES:
        stmt = stmt.where(Opportunity.stage == flt.status)
    elif flt.status == OPEN:
        stmt = stmt.where(Opportunity.stage.in_(rules.OPEN_STAGES))
    elif flt.status == CLOSED:
        stmt = stmt.where(Opportunity.stage.in_(rules.CLOSED_STAGES))
    stmt = _owner(stmt, Opportunity.owner_id, flt.owner)
    stmt = _dates(stmt, Opportunity.created_at, flt)
    if q := flt.q.strip():
        stmt = stmt.where(
            or_(
                Opportunity.name.icontains(q, autoescape=True),
                Opportunity.account.icontains(q, autoescape=True),
            )
        )
    return stmt.order_by(Opportunity.created_at.desc(), Opportunity.id.desc()).options(
        joinedload(Opportunity.partner),
        joinedload(Opportunity.campaign),
        joinedload(Opportunity.owner),
    )
