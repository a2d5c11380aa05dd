"""The statements behind the lead and opportunity lists (and their CSV exports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.pipeline import rules
from tcma.pipeline.models import Lead, Opportunity

UNASSIGNED = "none"
#: Columns a text search looks in (each has a trigram index on PostgreSQL).
LEAD_SEARCH = (Lead.first_name, Lead.last_name, Lead.email, Lead.company)
OPPORTUNITY_SEARCH = (Opportunity.name, Opportunity.account)
#: The sort of both lists, newest first; the id makes it unique (a keyset needs that).
LEAD_ORDER = (Lead.created_at, Lead.id)
OPPORTUNITY_ORDER = (Opportunity.created_at, Opportunity.id)


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
    # From dashboard links: the kit of the campaign, the tier and region of the partner.
    kit_id: int | None = None
    tier_id: int | None = None
    region: str = ""


def _owner(stmt: Select, column: Any, owner: str) -> Select:
    if owner == UNASSIGNED:
        return stmt.where(column.is_(None))
    if owner.isascii() and owner.isdigit():
        return stmt.where(column == int(owner))
    return stmt


def _dates(stmt: Select, column: Any, flt: ListFilter) -> Select:
    if flt.date_from:
        stmt = stmt.where(column >= dt.datetime.combine(flt.date_from, dt.time.min, dt.UTC))
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)
        stmt = stmt.where(column < end)
    return stmt


def _scope(stmt: Select, model: Any, flt: ListFilter) -> Select:
    """Partner, campaign, kit, tier and region: the filters both lists share."""
    partners = None
    if flt.tier_id is not None or flt.region:
        partners = select(Partner.id)
        if flt.tier_id is not None:
            partners = partners.where(Partner.tier_id == flt.tier_id)
        if flt.region:
            partners = partners.where(Partner.region == flt.region)
    if flt.partner_id is not None:
        stmt = stmt.where(model.partner_id == flt.partner_id)
    if flt.campaign_id is not None:
        stmt = stmt.where(model.campaign_id == flt.campaign_id)
    if flt.kit_id is not None:
        kit_campaigns = select(Campaign.id).where(Campaign.kit_id == flt.kit_id)
        # A campaign's rows belong to its partner: narrowing the kit's campaigns by the
        # partner filters too lets PostgreSQL read only their rows by the campaign index
        # instead of scanning every row (a dashboard link with kit, tier and region).
        if flt.partner_id is not None:
            kit_campaigns = kit_campaigns.where(Campaign.partner_id == flt.partner_id)
        if partners is not None:
            kit_campaigns = kit_campaigns.where(Campaign.partner_id.in_(partners))
        stmt = stmt.where(model.campaign_id.in_(kit_campaigns))
    if partners is not None:
        stmt = stmt.where(model.partner_id.in_(partners))
    return stmt


def search_clause(columns: tuple[Any, ...], q: str) -> ColumnElement[bool]:
    """Any of the columns contains q, ignoring case.

    ILIKE on PostgreSQL, where each column's pg_trgm GIN index answers it without a scan;
    lower() LIKE lower() on SQLite (a scan, fine at SQLite sizes).
    """
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


def leads_statement(flt: ListFilter) -> Select:
    """Leads (never erased ones) narrowed by the filter; the caller orders (LEAD_ORDER)."""
    stmt = _scope(select(Lead).where(Lead.erased_at.is_(None)), Lead, flt)
    if flt.status in rules.LEAD_STATUSES:
        stmt = stmt.where(Lead.status == flt.status)
    stmt = _owner(stmt, Lead.owner_id, flt.owner)
    stmt = _dates(stmt, Lead.created_at, flt)
    if q := flt.q.strip():
        stmt = stmt.where(search_clause(LEAD_SEARCH, q))
    return stmt


OPEN, CLOSED = "open", "closed"


def opportunities_statement(flt: ListFilter) -> Select:
    """Opportunities narrowed by the filter; status is a stage, 'open' or 'closed'."""
    stmt = _scope(select(Opportunity), Opportunity, flt)
    if flt.status in rules.STAGES:
        stmt = stmt.where(Opportunity.stage == flt.status)
    elif flt.status == OPEN:
        stmt = stmt.where(Opportunity.stage.in_(rules.OPEN_STAGES))
    elif flt.status == CLOSED:
        stmt = stmt.where(Opportunity.stage.in_(rules.CLOSED_STAGES))
    stmt = _owner(stmt, Opportunity.owner_id, flt.owner)
    stmt = _dates(stmt, Opportunity.created_at, flt)
    if q := flt.q.strip():
        stmt = stmt.where(search_clause(OPPORTUNITY_SEARCH, q))
    return stmt
