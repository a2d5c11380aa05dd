"""Pipeline aggregates per campaign, computed in SQL (GROUP BY), for pages and dashboards.

Every function takes a statement selecting campaign ids, so the same query serves one
campaign, one page of campaigns, or every campaign a filter matches, in a fixed number of
statements however many campaigns there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, select, true, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.db import Money
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest, Payment
from tcma.mdf.rules import APPROVED
from tcma.pipeline import rules
from tcma.pipeline.models import Lead, Opportunity, PageViewDay
from tcma.pipeline.rules import PipelineNumbers
from tcma.reports.models import LeadMonth, OpportunityMonth, ViewMonth

ALL = "all"


@dataclass(frozen=True)
class PipelineFilter:
    """Which campaigns, and which days of activity, the numbers cover (None = any)."""

    partner_id: int | None = None
    campaign_id: int | None = None
    kit_id: int | None = None
    tier_id: int | None = None
    region: str | None = None
    statuses: tuple[str, ...] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def campaign_ids(flt: PipelineFilter) -> Select:
    """SELECT the ids of the campaigns a filter matches."""
    stmt = select(Campaign.id)
    if flt.campaign_id is not None:
        stmt = stmt.where(Campaign.id == flt.campaign_id)
    if flt.partner_id is not None:
        stmt = stmt.where(Campaign.partner_id == flt.partner_id)
    if flt.kit_id is not None:
        stmt = stmt.where(Campaign.kit_id == flt.kit_id)
    if flt.statuses is not None:
        stmt = stmt.where(Campaign.status.in_(flt.statuses))
    if flt.tier_id is not None or flt.region:
        stmt = stmt.join(Partner, Partner.id == Campaign.partner_id)
        if flt.tier_id is not None:
            stmt = stmt.where(Partner.tier_id == flt.tier_id)
        if flt.region:
            stmt = stmt.where(Partner.region == flt.region)
    return stmt


def _day_bounds(flt: PipelineFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = end = None
    if flt.date_from:
        start = dt.datetime.combine(flt.date_from, dt.time.min, dt.UTC)
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)
    return start, end


def _within(column: Any, start: Any, end: Any) -> ColumnElement[bool]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(true(), *conditions)


def _money_sum(condition: ColumnElement[bool], amount: Any) -> Any:
    # Money is integer cents in SQL: sum the cents, read the total back through Money.
    return type_coerce(func.coalesce(func.sum(case((condition, amount), else_=0)), 0), Money)


def _key(by_campaign: bool, column: Any) -> Any:
    return column if by_campaign else literal_column(f"'{ALL}'")


def pipeline_numbers(
    session: Session,
    flt: PipelineFilter,
    *,
    by_campaign: bool = True,
    only_ids: list[int] | None = None,
    with_mdf: bool = True,
) -> dict[Any, PipelineNumbers]:
    """{campaign id: numbers} for the campaigns the filter matches (or {ALL: their totals}).

    ``only_ids`` narrows it further, e.g. to the campaigns on one page of a list.
    """
    ids_stmt = campaign_ids(flt)
    if only_ids is not None:
        ids_stmt = ids_stmt.where(Campaign.id.in_(only_ids))
    ids = ids_stmt.scalar_subquery()
    start, end = _day_bounds(flt)
    found: dict[Any, dict[str, Any]] = defaultdict(dict)

    views = select(_key(by_campaign, PageViewDay.campaign_id), func.sum(PageViewDay.views)).where(
        PageViewDay.campaign_id.in_(ids),
        _within(PageViewDay.day, flt.date_from, flt.date_to and flt.date_to + dt.timedelta(1)),
    )
    for key, count in session.execute(views.group_by(*([PageViewDay.campaign_id] * by_campaign))):
        found[key]["views"] = int(count or 0)

    qualified = case((Lead.status.in_(rules.QUALIFIED_STATUSES), 1), else_=0)
    leads = select(
        _key(by_campaign, Lead.campaign_id),
        func.count(Lead.id),
        func.coalesce(func.sum(qualified), 0),
    ).where(Lead.campaign_id.in_(ids), _within(Lead.created_at, start, end))
    for key, count, qualified_count in session.execute(
        leads.group_by(*([Lead.campaign_id] * by_campaign))
    ):
        found[key].update(leads=int(count), qualified=int(qualified_count))

    _opportunity_numbers(session, ids, flt, by_campaign, found)
    if with_mdf:
        for key, approved, paid in mdf_by_campaign(session, ids, flt, by_campaign):
            found[key]["mdf_approved"], found[key]["mdf_paid"] = approved, paid
    return {key: PipelineNumbers(**values) for key, values in found.items()}


def _opportunity_numbers(
    session: Session,
    ids: Any,
    flt: PipelineFilter,
    by_campaign: bool,
    found: dict[Any, dict[str, Any]],
) -> None:
    start, end = _day_bounds(flt)
    created = _within(Opportunity.created_at, start, end)
    closed = _within(
        Opportunity.closed_on, flt.date_from, flt.date_to and flt.date_to + dt.timedelta(1)
    )
    won = and_(Opportunity.stage == rules.CLOSED_WON, closed)
    stmt = (
        select(
            _key(by_campaign, Opportunity.campaign_id),
            Opportunity.currency,
            func.coalesce(func.sum(case((created, 1), else_=0)), 0),
            func.coalesce(func.sum(case((won, 1), else_=0)), 0),
            _money_sum(and_(created, Opportunity.stage.in_(rules.OPEN_STAGES)), Opportunity.amount),
            _money_sum(won, Opportunity.amount),
        )
        .where(Opportunity.campaign_id.in_(ids), created | closed)
        .group_by(*([Opportunity.campaign_id] * by_campaign), Opportunity.currency)
    )
    for key, currency, count, won_count, open_amount, won_amount in session.execute(stmt):
        values = found[key]
        values["opportunities"] = values.get("opportunities", 0) + int(count)
        values["won"] = values.get("won", 0) + int(won_count)
        values["open_pipeline"] = rules.add_amounts(
            values.get("open_pipeline", {}), {currency: open_amount}
        )
        values["won_revenue"] = rules.add_amounts(
            values.get("won_revenue", {}), {currency: won_amount}
        )


def mdf_by_campaign(
    session: Session, ids: Any, flt: PipelineFilter, by_campaign: bool = True
) -> list[tuple[Any, dict[str, Decimal], dict[str, Decimal]]]:
    """(campaign id, MDF approved, MDF paid) per currency: the one join with the MDF area.

    Approved counts fund requests in the approved state (cancelled ones released their
    money); paid counts recorded payments of claims against those requests, by payment day.
    """
    start, end = _day_bounds(flt)
    approved = (
        select(
            _key(by_campaign, FundRequest.campaign_id),
            Budget.currency,
            type_coerce(func.sum(FundRequest.approved_amount), Money),
        )
        .join(Allocation, Allocation.id == FundRequest.allocation_id)
        .join(Budget, Budget.id == Allocation.budget_id)
        .where(
            FundRequest.campaign_id.in_(ids),
            FundRequest.status == APPROVED,
            _within(FundRequest.decided_at, start, end),
        )
        .group_by(*([FundRequest.campaign_id] * by_campaign), Budget.currency)
    )
    paid = (
        select(
            _key(by_campaign, FundRequest.campaign_id),
            Budget.currency,
            type_coerce(func.sum(Payment.amount), Money),
        )
        .join(Claim, Claim.id == Payment.claim_id)
        .join(FundRequest, FundRequest.id == Claim.fund_request_id)
        .join(Allocation, Allocation.id == FundRequest.allocation_id)
        .join(Budget, Budget.id == Allocation.budget_id)
        .where(
            FundRequest.campaign_id.in_(ids),
            _within(Payment.paid_on, flt.date_from, flt.date_to and flt.date_to + dt.timedelta(1)),
        )
        .group_by(*([FundRequest.campaign_id] * by_campaign), Budget.currency)
    )
    money: dict[Any, tuple[dict[str, Decimal], dict[str, Decimal]]] = defaultdict(lambda: ({}, {}))
    for index, stmt in enumerate((approved, paid)):
        for key, currency, amount in session.execute(stmt):
            money[key][index][currency] = amount or Decimal("0.00")
    return [(key, rules.add_amounts(a), rules.add_amounts(p)) for key, (a, p) in money.items()]


def totals(session: Session, flt: PipelineFilter) -> PipelineNumbers:
    """The numbers of every campaign the filter matches, in a fixed number of statements.

    Whole months of the period come from the monthly roll-ups (a row per campaign and month,
    kept exact by triggers), so a million leads cost what a thousand do; only the days of a
    month the period covers in part are counted from the leads and opportunities themselves.
    MDF money comes from the fund requests and payments (thousands of rows, not millions).
    """
    first, last = _whole_months(flt.date_from, flt.date_to)
    if first is not None and last is not None and first > last:
        # No whole month inside the period: its rows are few enough to count directly.
        return pipeline_numbers(session, flt, by_campaign=False).get(ALL, PipelineNumbers())
    values = _rollup_totals(session, flt, first, last)
    money = mdf_by_campaign(session, campaign_ids(flt).scalar_subquery(), flt, by_campaign=False)
    approved, paid = (money[0][1], money[0][2]) if money else ({}, {})
    edges = []
    if flt.date_from and first is not None and flt.date_from < first:
        edges.append(replace(flt, date_to=first - dt.timedelta(days=1)))
    if flt.date_to and last is not None and flt.date_to > _month_end(last):
        edges.append(replace(flt, date_from=_month_end(last) + dt.timedelta(days=1)))
    for edge in edges:
        part = pipeline_numbers(session, edge, by_campaign=False, with_mdf=False).get(ALL)
        if part is not None:
            values = _plus(values, part)
    return replace(values, mdf_approved=approved, mdf_paid=paid)


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _whole_months(
    start: dt.date | None, end: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """First days of the first and last whole months inside [start, end] (None: unbounded)."""
    first = last = None
    if start is not None:
        first = start if start.day == 1 else _month_end(start) + dt.timedelta(days=1)
    if end is not None:
        this_month = end.replace(day=1)
        last = this_month if end == _month_end(end) else (this_month - dt.timedelta(days=1))
        last = last.replace(day=1)
    return first, last


def _rollup_totals(
    session: Session, flt: PipelineFilter, first: dt.date | None, last: dt.date | None
) -> PipelineNumbers:
    """Views, leads and opportunities of the filter's campaigns in whole months, from roll-ups."""
    ids = campaign_ids(flt).scalar_subquery()

    def months(column: Any) -> list[ColumnElement[bool]]:
        bounds = [] if first is None else [column >= first]
        return [*bounds, *([] if last is None else [column <= last])]

    views = session.scalar(
        select(func.coalesce(func.sum(ViewMonth.views), 0)).where(
            ViewMonth.campaign_id.in_(ids), *months(ViewMonth.month)
        )
    )
    leads, qualified = session.execute(
        select(
            func.coalesce(func.sum(LeadMonth.leads), 0),
            func.coalesce(func.sum(LeadMonth.qualified), 0),
        ).where(LeadMonth.campaign_id.in_(ids), *months(LeadMonth.month))
    ).one()
    deals = session.execute(
        select(
            OpportunityMonth.currency,
            func.coalesce(func.sum(OpportunityMonth.created), 0),
            func.coalesce(func.sum(OpportunityMonth.won), 0),
            type_coerce(func.coalesce(func.sum(OpportunityMonth.open_pipeline), 0), Money),
            type_coerce(func.coalesce(func.sum(OpportunityMonth.won_revenue), 0), Money),
        )
        .where(OpportunityMonth.campaign_id.in_(ids), *months(OpportunityMonth.month))
        .group_by(OpportunityMonth.currency)
    ).all()
    return PipelineNumbers(
        views=int(views or 0),
        leads=int(leads),
        qualified=int(qualified),
        opportunities=sum(int(row[1]) for row in deals),
        won=sum(int(row[2]) for row in deals),
        open_pipeline=rules.add_amounts({row[0]: row[3] for row in deals}),
        won_revenue=rules.add_amounts({row[0]: row[4] for row in deals}),
    )


def _plus(a: PipelineNumbers, b: PipelineNumbers) -> PipelineNumbers:
    return PipelineNumbers(
        views=a.views + b.views,
        leads=a.leads + b.leads,
        qualified=a.qualified + b.qualified,
        opportunities=a.opportunities + b.opportunities,
        won=a.won + b.won,
        open_pipeline=rules.add_amounts(a.open_pipeline, b.open_pipeline),
        won_revenue=rules.add_amounts(a.won_revenue, b.won_revenue),
    )


def for_campaign(
    session: Session, campaign_id: int, flt: PipelineFilter | None = None
) -> PipelineNumbers:
    """One campaign's numbers."""
    flt = replace(flt or PipelineFilter(), campaign_id=campaign_id)
    return pipeline_numbers(session, flt).get(campaign_id, PipelineNumbers())


def leads_by_link(session: Session, campaign_id: int) -> list[tuple[str, int]]:
    """How many leads each tracking link brought (utm_content names the asset), most first."""
    stmt = (
        select(Lead.utm_content, func.count(Lead.id))
        .where(Lead.campaign_id == campaign_id)
        .group_by(Lead.utm_content)
        .order_by(func.count(Lead.id).desc())
    )
    return [(content or "", int(count)) for content, count in session.execute(stmt)]
