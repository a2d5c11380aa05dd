"""What a partner should do next: claims due soon, unused allocation, leads left unworked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Date, Select, bindparam, exists, func, select
from sqlalchemy.orm import Session

from tcma.db import UTCDateTime
from tcma.reports import sql as q
from tcma.reports.sources import (
    ALLOCATION_KINDS,
    CLAIMS_FILED,
    COMMITMENT_KINDS,
    LEAD_NEW,
    LEAD_WORKING,
    PAY,
    REQUEST_APPROVED,
    Allocation,
    Budget,
    Claim,
    FundRequest,
    Lead,
    LedgerEntry,
)

CLAIM_SOON_DAYS = 14
UNWORKED_DAYS = 7


@dataclass(frozen=True)
class ClaimDue:
    """An approved fund request whose claim window closes soon, with no claim filed yet."""

    fund_request_id: int
    title: str
    due_on: dt.date
    approved: Decimal
    currency: str


@dataclass(frozen=True)
class UnusedAllocation:
    """Money a partner can still request from a budget that has not ended."""

    allocation_id: int
    budget: str
    period_end: dt.date
    available: Decimal
    currency: str


@dataclass(frozen=True)
class UnworkedLeads:
    """Leads nobody has touched for a week: how many, and the oldest few."""

    count: int
    oldest: list[tuple[int, dt.datetime]]


TODAY = bindparam("today", type_=Date)
SOON = bindparam("soon", type_=Date)
STALE_BEFORE = bindparam("stale_before", type_=UTCDateTime)


def claims_due_soon(
    session: Session, partner_id: int, today: dt.date, days: int = CLAIM_SOON_DAYS
) -> list[ClaimDue]:
    """Approved requests whose claim is due within `days` and has not been filed."""
    values = {"partner_id": partner_id, "today": today, "soon": today + dt.timedelta(days=days)}
    return [ClaimDue(*row) for row in q.run(session, _claims_due(), values)]


@lru_cache(maxsize=1)
def _claims_due() -> Select:
    filed = exists().where(
        Claim.fund_request_id == FundRequest.id, q.one_of(Claim.status, CLAIMS_FILED)
    )
    return (
        select(
            FundRequest.id,
            FundRequest.title,
            FundRequest.claim_due_on,
            FundRequest.approved_amount,
            Budget.currency,
        )
        .join(Allocation, Allocation.id == FundRequest.allocation_id)
        .join(Budget, Budget.id == Allocation.budget_id)
        .where(
            FundRequest.partner_id == q.PARTNER,
            FundRequest.status == REQUEST_APPROVED,
            FundRequest.claim_due_on >= TODAY,
            FundRequest.claim_due_on <= SOON,
            ~filed,
        )
        .order_by(FundRequest.claim_due_on, FundRequest.id)
        .limit(20)
    )


def unused_allocations(session: Session, partner_id: int, today: dt.date) -> list[UnusedAllocation]:
    """Allocations of budgets still running with money available, from the ledger."""
    values = {"partner_id": partner_id, "today": today}
    return [UnusedAllocation(*row) for row in q.run(session, _unused(), values)]


@lru_cache(maxsize=1)
def _unused() -> Select:
    kind, amount = LedgerEntry.kind, LedgerEntry.amount
    # allocated - committed - paid, where committed already nets payments out: PAY drops away.
    available = q.money_minus(
        q.money_sum(q.one_of(kind, ALLOCATION_KINDS), amount),
        q.money_sum(q.one_of(kind, COMMITMENT_KINDS), amount),
    )
    return (
        select(Allocation.id, Budget.name, Budget.period_end, available, Budget.currency)
        .select_from(LedgerEntry)
        .join(Allocation, Allocation.id == LedgerEntry.allocation_id)
        .join(Budget, Budget.id == Allocation.budget_id)
        .where(Allocation.partner_id == q.PARTNER, Budget.period_end >= TODAY, kind != PAY)
        .group_by(Allocation.id, Budget.name, Budget.period_end, Budget.currency)
        .having(available > 0)
        .order_by(Budget.period_end, Allocation.id)
    )


def unworked_leads(
    session: Session, partner_id: int, now: dt.datetime, days: int = UNWORKED_DAYS
) -> UnworkedLeads:
    """Leads still new or working that nobody changed for `days` days."""
    values = {"partner_id": partner_id, "stale_before": now - dt.timedelta(days=days)}
    rows = q.run(session, _unworked(), values).all()
    return UnworkedLeads(
        count=int(rows[0][2]) if rows else 0, oldest=[(row[0], row[1]) for row in rows]
    )


@lru_cache(maxsize=1)
def _unworked(show: int = 5) -> Select:
    return (
        select(Lead.id, Lead.updated_at, func.count().over())
        .where(
            Lead.partner_id == q.PARTNER,
            q.one_of(Lead.status, (LEAD_NEW, LEAD_WORKING)),
            Lead.erased_at.is_(None),
            Lead.updated_at < STALE_BEFORE,
        )
        .order_by(Lead.updated_at, Lead.id)
        .limit(show)
    )
