"""Rankings of partners and kits by pipeline and ROI, idle partners, time to first lead.

Each is one statement: per-partner (or per-kit) sums in CTEs, ranks from window functions,
and only the top rows leave the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, overload

from sqlalchemy import Row, Select, Subquery, and_, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from tcma.db import Money
from tcma.reports import rules
from tcma.reports import sql as q
from tcma.reports.filters import DashboardFilter
from tcma.reports.models import FundMonth, KitMonth, OpportunityMonth
from tcma.reports.queries import program_budgets
from tcma.reports.sources import (
    OBJECTIVES,
    PAY,
    Allocation,
    Budget,
    Campaign,
    FundRequest,
    Kit,
    Lead,
    LedgerEntry,
    Partner,
    Tier,
)


@dataclass(frozen=True)
class Ranked:
    """One partner's or kit's pipeline and return, with its rank by each."""

    id: int
    name: str
    detail: str
    opportunities: int
    open_pipeline: Decimal
    won_revenue: Decimal
    mdf_paid: Decimal
    pipeline_rank: int
    roi_rank: int | None
    total: int

    @property
    def roi(self) -> Decimal | None:
        return rules.roi(self.won_revenue, self.mdf_paid)


def by_pipeline(rows: list[Ranked], top: int = 10) -> list[Ranked]:
    """The top rows by open pipeline."""
    return sorted(rows, key=lambda row: row.pipeline_rank)[:top]


def by_roi(rows: list[Ranked], top: int = 10) -> list[Ranked]:
    """The top rows by ROI; rows without MDF paid have no ROI and are left out."""
    with_roi = [row for row in rows if row.roi_rank is not None]
    return sorted(with_roi, key=lambda row: row.roi_rank or 0)[:top]


def _opportunity_sums(s: q.Shape, key: Any, via: Any = None) -> Select:
    o = OpportunityMonth
    in_currency = o.currency == q.CURRENCY
    return (
        select(
            key.label("key"),
            func.sum(o.created).label("opportunities"),
            q.money_sum(in_currency, o.open_pipeline).label("open_pipeline"),
            q.money_sum(in_currency, o.won_revenue).label("won_revenue"),
            literal(0).label("mdf_paid"),
        )
        .select_from(o if via is None else o.__table__.join(via, via.c.id == o.campaign_id))
        .where(
            *q.month_in_period(o.month, s),
            *q.partner_scope(o.partner_id, s),
            *q.kit_scope(o.campaign_id, s),
        )
        .group_by(key)
    )


def _paid_sums(s: q.Shape, key: Any, *, via_campaign: bool) -> Select:
    stmt = (
        select(
            key.label("key"),
            literal(0),
            literal(0),
            literal(0),
            q.money_sum(LedgerEntry.kind == PAY, LedgerEntry.amount),
        )
        .select_from(LedgerEntry)
        .join(Allocation, Allocation.id == LedgerEntry.allocation_id)
        .join(Budget, Budget.id == Allocation.budget_id)
    )
    if via_campaign:
        stmt = stmt.join(FundRequest, FundRequest.id == LedgerEntry.fund_request_id).join(
            Campaign, Campaign.id == FundRequest.campaign_id
        )
    return stmt.where(
        LedgerEntry.kind == PAY,
        *q.budgets_of_period(s),
        *q.partner_scope(Allocation.partner_id, s),
        *([Campaign.kit_id == q.KIT] if s.kit and via_campaign else []),
    ).group_by(key)


def _program_kit_sums(s: q.Shape) -> tuple[Select, Select]:
    # The whole program: both halves come from the per-kit roll-ups.
    k, in_currency = KitMonth, KitMonth.currency == q.CURRENCY
    sums = (
        select(
            k.kit_id.label("key"),
            func.sum(k.created).label("opportunities"),
            q.money_sum(in_currency, k.open_pipeline).label("open_pipeline"),
            q.money_sum(in_currency, k.won_revenue).label("won_revenue"),
            literal(0).label("mdf_paid"),
        )
        .where(
            k.kit_id != 0, *q.month_in_period(k.month, s), *([k.kit_id == q.KIT] if s.kit else [])
        )
        .group_by(k.kit_id)
    )
    paid = (
        select(
            FundMonth.kit_id,
            literal(0),
            literal(0),
            literal(0),
            q.typed(func.sum(FundMonth.paid), Money),
        )
        .where(FundMonth.kit_id != 0, *program_budgets(s))
        .group_by(FundMonth.kit_id)
    )
    return sums, paid


def _ranked(sums: Select, paid: Select, top: bool) -> Subquery:
    both = union_all(sums, paid).subquery()
    totals = (
        select(
            both.c.key,
            func.sum(both.c.opportunities).label("opportunities"),
            q.typed(func.sum(both.c.open_pipeline), Money).label("open_pipeline"),
            q.typed(func.sum(both.c.won_revenue), Money).label("won_revenue"),
            q.typed(func.sum(both.c.mdf_paid), Money).label("mdf_paid"),
        )
        .group_by(both.c.key)
        .subquery()
    )
    roi = q.as_float(totals.c.won_revenue) / func.nullif(totals.c.mdf_paid, 0)
    ranked = select(
        totals,
        func.row_number()
        .over(order_by=(totals.c.open_pipeline.desc(), totals.c.won_revenue.desc(), totals.c.key))
        .label("pipeline_rank"),
        func.row_number().over(order_by=(roi.desc().nulls_last(), totals.c.key)).label("roi_rank"),
        func.count().over().label("total"),
    ).subquery()
    stmt = select(ranked)
    if top:
        stmt = stmt.where(
            or_(
                ranked.c.pipeline_rank <= q.TOP,
                and_(ranked.c.roi_rank <= q.TOP, ranked.c.mdf_paid > 0),
            )
        )
    return stmt.subquery()


def partners(session: Session, flt: DashboardFilter, limit: int | None = 10) -> list[Ranked]:
    """Partners by open pipeline and by ROI (the top `limit` of each, or all)."""
    stmt = _partners(q.shape(session, flt), limit is not None)
    return [
        _row(row, f"{row.tier} · {row.region}")
        for row in q.run(session, stmt, q.params(flt, top=limit))
    ]


@lru_cache(maxsize=256)
def _partners(s: q.Shape, top: bool) -> Select:
    ranked = _ranked(
        _opportunity_sums(s, OpportunityMonth.partner_id),
        _paid_sums(s, Allocation.partner_id, via_campaign=False),
        top,
    )
    return (
        select(ranked, Partner.name, Tier.name.label("tier"), Partner.region)
        .join(Partner, Partner.id == ranked.c.key)
        .join(Tier, Tier.id == Partner.tier_id)
        .order_by(ranked.c.pipeline_rank)
    )


def kits(session: Session, flt: DashboardFilter, limit: int | None = 10) -> list[Ranked]:
    """Kits by open pipeline and by ROI; MDF counts only requests tied to the kit's campaigns."""
    stmt = _kits(q.shape(session, flt), limit is not None)
    return [
        _row(row, OBJECTIVES.get(row.objective, row.objective or ""))
        for row in q.run(session, stmt, q.params(flt, top=limit))
    ]


@lru_cache(maxsize=256)
def _kits(s: q.Shape, top: bool) -> Select:
    if s.partner_scoped:
        campaign_kit = select(Campaign.id, Campaign.kit_id).subquery()
        sums = _opportunity_sums(s, campaign_kit.c.kit_id, via=campaign_kit)
        paid = _paid_sums(s, Campaign.kit_id, via_campaign=True)
    else:
        sums, paid = _program_kit_sums(s)
    ranked = _ranked(sums, paid, top)
    return (
        select(ranked, Kit.name, Kit.objective)
        .join(Kit, Kit.id == ranked.c.key)
        .order_by(ranked.c.pipeline_rank)
    )


def _row(row: Row[Any], detail: str) -> Ranked:
    paid = row.mdf_paid or rules.ZERO
    return Ranked(
        id=row.key,
        name=row.name,
        detail=detail,
        opportunities=int(row.opportunities or 0),
        open_pipeline=row.open_pipeline or rules.ZERO,
        won_revenue=row.won_revenue or rules.ZERO,
        mdf_paid=paid,
        pipeline_rank=row.pipeline_rank,
        roi_rank=row.roi_rank if paid else None,
        total=row.total,
    )


@dataclass(frozen=True)
class IdlePartner:
    """A partner with money to spend and nothing done with it in the period."""

    id: int
    name: str
    tier: str
    region: str
    allocated: Decimal
    total: int


def idle_partners(
    session: Session, flt: DashboardFilter, limit: int | None = 10
) -> list[IdlePartner]:
    """Partners with an allocation of the period but no campaign, lead or request in it."""
    stmt = _idle(q.shape(session, flt), limit is not None)
    return [IdlePartner(*row) for row in q.run(session, stmt, q.params(flt, top=limit))]


@lru_cache(maxsize=256)
def _idle(s: q.Shape, top: bool) -> Select:
    def none_in(model: Any, column: Any) -> Any:
        return ~exists().where(model.partner_id == Partner.id, *q.in_period(column, s))

    allocated = q.typed(func.sum(Allocation.amount), Money)
    stmt = (
        select(Partner.id, Partner.name, Tier.name, Partner.region, allocated, func.count().over())
        .select_from(Allocation)
        .join(Budget, Budget.id == Allocation.budget_id)
        .join(Partner, Partner.id == Allocation.partner_id)
        .join(Tier, Tier.id == Partner.tier_id)
        .where(
            *q.budgets_of_period(s),
            *q.partner_scope(Allocation.partner_id, s),
            Allocation.amount > 0,
            none_in(Campaign, Campaign.created_at),
            none_in(Lead, Lead.created_at),
            none_in(FundRequest, FundRequest.created_at),
        )
        .group_by(Partner.id, Partner.name, Tier.name, Partner.region)
        .order_by(allocated.desc(), Partner.name)
    )
    return stmt.limit(q.TOP) if top else stmt


@dataclass(frozen=True)
class FirstLead:
    """How long a partner waited from its first campaign to its first lead."""

    id: int
    name: str
    first_campaign: dt.datetime
    first_lead: dt.datetime | None
    days: int | None


@dataclass(frozen=True)
class FirstLeads:
    """Partners whose first campaign started in the period, and how soon leads came."""

    partners: int
    with_lead: int
    median_days: Decimal | None
    rows: list[FirstLead]


def first_leads(session: Session, flt: DashboardFilter, limit: int | None = 10) -> FirstLeads:
    """Time from each partner's first campaign to its first lead, newest first, and the median."""
    stmt = _first_leads(q.shape(session, flt), limit is not None)
    result = q.run(session, stmt, q.params(flt, top=limit)).all()
    if not result:
        return FirstLeads(0, 0, None, [])
    head = result[0]
    return FirstLeads(
        partners=int(head[5]),
        with_lead=int(head[6]),
        median_days=None if head[7] is None else Decimal(str(head[7])).quantize(Decimal("0.1")),
        rows=[
            FirstLead(
                row[0],
                row[1],
                _aware(row[2]),
                _aware(row[3]),
                None if row[4] is None else int(row[4]),
            )
            for row in result
        ],
    )


@lru_cache(maxsize=256)
def _first_leads(s: q.Shape, top: bool) -> Select:
    firsts = (
        select(
            Campaign.partner_id.label("partner_id"),
            func.min(Campaign.created_at).label("first_campaign"),
        )
        .where(*q.partner_scope(Campaign.partner_id, s))
        .group_by(Campaign.partner_id)
        .subquery()
    )
    # Correlated MIN per partner: one index probe on (partner_id, created_at) each.
    first_lead = (
        select(func.min(Lead.created_at))
        .where(Lead.partner_id == firsts.c.partner_id, Lead.created_at >= firsts.c.first_campaign)
        .scalar_subquery()
    )
    cohort = (
        select(firsts.c.partner_id, firsts.c.first_campaign, first_lead.label("first_lead"))
        .where(*q.in_period(firsts.c.first_campaign, s))
        .subquery()
    )
    days = q.days_between(s, cohort.c.first_campaign, cohort.c.first_lead)
    timed = (
        select(
            days.label("days"),
            func.row_number().over(order_by=days).label("n"),
            func.count().over().label("of"),
        )
        .where(cohort.c.first_lead.is_not(None))
        .subquery()
    )
    # The median: the middle value, or the mean of the two middle values.
    median = (
        select(func.avg(timed.c.days))
        .where(timed.c.n.in_([(timed.c.of + 1) // 2, (timed.c.of + 2) // 2]))
        .scalar_subquery()
    )
    stmt = (
        select(
            cohort.c.partner_id,
            Partner.name,
            cohort.c.first_campaign,
            cohort.c.first_lead,
            days,
            func.count().over(),
            func.count(cohort.c.first_lead).over(),
            median,
        )
        .join(Partner, Partner.id == cohort.c.partner_id)
        .order_by(cohort.c.first_campaign.desc(), Partner.name)
    )
    return stmt.limit(q.TOP) if top else stmt


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # Inside subqueries the UTC column type is lost on SQLite: put the zone back.
    if value is None or not isinstance(value, dt.datetime):
        return value
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
