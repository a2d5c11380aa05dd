"""Headline figures and monthly trends, each one GROUP BY statement whatever the data size.

Pipeline numbers come from the monthly roll-ups; totals are window functions over the
monthly groups, so a figure and its trend are one statement and always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tcma.db import Money
from tcma.reports import rules
from tcma.reports import sql as q
from tcma.reports.filters import DashboardFilter
from tcma.reports.models import FundMonth, KitMonth, LeadMonth, OpportunityMonth, ViewMonth
from tcma.reports.sources import (
    ALLOCATION_KINDS,
    COMMITMENT_KINDS,
    PAY,
    Allocation,
    Budget,
    Campaign,
    FundRequest,
    LedgerEntry,
)

ZERO = rules.ZERO


@dataclass(frozen=True)
class Funds:
    """MDF of the budgets of the period: allocated, committed and paid, from the ledger."""

    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def utilisation(self) -> Decimal | None:
        return rules.utilisation(self.allocated, self.committed, self.paid)


@dataclass
class Month:
    """One month of the trend."""

    month: str
    views: int = 0
    leads: int = 0
    qualified: int = 0
    opportunities: int = 0
    new_pipeline: Decimal = ZERO
    won: int = 0
    won_revenue: Decimal = ZERO
    mdf_paid: Decimal = ZERO


@dataclass
class Pipeline:
    """The pipeline totals of the period, and the same numbers month by month."""

    views: int = 0
    leads: int = 0
    qualified: int = 0
    opportunities: int = 0
    open_pipeline: Decimal = ZERO
    won: int = 0
    won_revenue: Decimal = ZERO
    months: dict[str, Month] = field(default_factory=dict)

    def month(self, label: str) -> Month:
        return self.months.setdefault(label, Month(label))


def currencies(session: Session, partner_id: int | None = None) -> list[str]:
    """Currencies in use, the one with the most budgets first (then pipeline-only ones)."""
    stmt = _currencies(partner_id is not None)
    return list(q.run(session, stmt, {"partner_id": partner_id}).scalars())


@lru_cache(maxsize=4)
def _currencies(for_partner: bool) -> Select:
    budgets = select(Budget.currency.label("currency"), func.count().label("n")).group_by(
        Budget.currency
    )
    if for_partner:
        budgets = budgets.where(
            Budget.id.in_(select(Allocation.budget_id).where(Allocation.partner_id == q.PARTNER))
        )
        deals = (
            select(OpportunityMonth.currency.label("currency"), literal(0).label("n"))
            .where(OpportunityMonth.partner_id == q.PARTNER)
            .distinct()
        )
    else:
        deals = _distinct_currencies()
    both = union_all(budgets, deals).subquery()
    return (
        select(both.c.currency)
        .group_by(both.c.currency)
        .order_by(func.max(both.c.n).desc(), both.c.currency)
    )


def _distinct_currencies() -> Select:
    # A loose index scan: one index probe per currency instead of reading every row.
    o = OpportunityMonth
    found = select(func.min(o.currency).label("currency")).cte("found", recursive=True)
    following = select(o.currency).where(o.currency > found.c.currency).order_by(o.currency)
    found = found.union_all(
        select(following.limit(1).scalar_subquery()).where(found.c.currency.is_not(None))
    )
    return select(found.c.currency, literal(0).label("n")).where(found.c.currency.is_not(None))


def ledger_scope(s: q.Shape) -> list:
    """The ledger entries of the period's budgets, narrowed by partner and kit."""
    conditions = [*q.budgets_of_period(s), *q.partner_scope(Allocation.partner_id, s)]
    if s.kit:
        # Only money tied to a campaign of the kit: allocations are never per kit.
        conditions.append(
            LedgerEntry.fund_request_id.in_(
                select(FundRequest.id).where(*q.kit_scope(FundRequest.campaign_id, s))
            )
        )
    return conditions


def ledger(*columns: Any) -> Select:
    """SELECT columns FROM the ledger joined to allocations and budgets."""
    return (
        select(*columns)
        .select_from(LedgerEntry)
        .join(Allocation, Allocation.id == LedgerEntry.allocation_id)
        .join(Budget, Budget.id == Allocation.budget_id)
    )


def funds(session: Session, flt: DashboardFilter, result: Pipeline | None = None) -> Funds:
    """Allocated, committed and paid on the period's budgets; MDF paid by month into result."""
    totals = Funds()
    for row in q.run(session, _funds(q.shape(session, flt)), q.params(flt)):
        month, paid, totals = row[0], row[1], Funds(*row[2:])
        if result is not None and paid:
            result.month(q.month_label(month)).mdf_paid = paid
    return totals


@lru_cache(maxsize=256)
def _funds(s: q.Shape) -> Select:
    if not s.partner_scoped:
        return _program_funds(s)
    kind, amount = LedgerEntry.kind, LedgerEntry.amount
    month = q.month_of(s, LedgerEntry.at)
    allocated = q.money_sum(q.one_of(kind, ALLOCATION_KINDS), amount)
    # Approvals commit, releases give back, payments turn commitments into paid money.
    committed = q.money_minus(
        q.money_sum(q.one_of(kind, COMMITMENT_KINDS), amount), q.money_sum(kind == PAY, amount)
    )
    paid = q.money_sum(kind == PAY, amount)
    return (
        ledger(month, paid, q.money_over(allocated), q.money_over(committed), q.money_over(paid))
        .where(*ledger_scope(s))
        .group_by(month)
    )


def program_budgets(s: q.Shape) -> list[ColumnElement[bool]]:
    """FundMonth rows of the period's budgets (and of the kit, if one is chosen)."""
    budgets = select(Budget.id).where(*q.budgets_of_period(s))
    return [FundMonth.budget_id.in_(budgets), *([FundMonth.kit_id == q.KIT] if s.kit else [])]


def _program_funds(s: q.Shape) -> Select:
    # The whole program (or one kit): the per-kit roll-up of the ledger is enough.
    def total(column: Any) -> Any:
        return q.money_over(q.typed(func.sum(column), Money))

    paid = q.typed(func.sum(FundMonth.paid), Money)
    return (
        select(
            FundMonth.month,
            paid,
            total(FundMonth.allocated),
            total(FundMonth.committed),
            total(FundMonth.paid),
        )
        .where(*program_budgets(s))
        .group_by(FundMonth.month)
    )


def _rollup_scope(table: Any, s: q.Shape) -> list:
    if table is KitMonth:
        return [*q.month_in_period(table.month, s), *([table.kit_id == q.KIT] if s.kit else [])]
    return [
        *q.month_in_period(table.month, s),
        *q.partner_scope(table.partner_id, s),
        *q.kit_scope(table.campaign_id, s),
    ]


def _table(s: q.Shape, per_campaign: Any) -> Any:
    # Narrowed to partners: the per-campaign roll-up; the whole program: the per-kit one.
    return per_campaign if s.partner_scoped else KitMonth


def pipeline(session: Session, flt: DashboardFilter) -> tuple[Funds, Pipeline]:
    """MDF of the period, and its views, leads, opportunities and won revenue by month."""
    result, s, values = Pipeline(), q.shape(session, flt), q.params(flt)
    money = funds(session, flt, result)
    for label, count, qualified, total, total_qualified in q.run(session, _leads(s), values):
        entry = result.month(q.month_label(label))
        entry.leads, entry.qualified = int(count), int(qualified)
        result.leads, result.qualified = int(total), int(total_qualified)
    for label, count, total in q.run(session, _views(s), values):
        result.month(q.month_label(label)).views = int(count)
        result.views = int(total)
    for row in q.run(session, _opportunities(s), values):
        label, number, amount, won_count, won_amount, total, total_open, total_won, total_rev = row
        entry = result.month(q.month_label(label))
        entry.opportunities, entry.new_pipeline = int(number), amount
        entry.won, entry.won_revenue = int(won_count), won_amount
        result.opportunities, result.open_pipeline = int(total), total_open
        result.won, result.won_revenue = int(total_won), total_rev
    return money, result


@lru_cache(maxsize=256)
def _leads(s: q.Shape) -> Select:
    t = _table(s, LeadMonth)
    leads, qualified = func.sum(t.leads), func.sum(t.qualified)
    return (
        select(t.month, leads, qualified, func.sum(leads).over(), func.sum(qualified).over())
        .where(*_rollup_scope(t, s))
        .group_by(t.month)
    )


@lru_cache(maxsize=256)
def _views(s: q.Shape) -> Select:
    if not s.partner_scoped:
        views = func.sum(KitMonth.views)
        return (
            select(KitMonth.month, views, func.sum(views).over())
            .where(*_rollup_scope(KitMonth, s))
            .group_by(KitMonth.month)
        )
    views = func.sum(ViewMonth.views)
    stmt = (
        select(ViewMonth.month, views, func.sum(views).over())
        .where(*q.month_in_period(ViewMonth.month, s))
        .group_by(ViewMonth.month)
    )
    if s.partner_scoped:
        campaigns = select(Campaign.id).where(*q.partner_scope(Campaign.partner_id, s))
        if s.kit:
            campaigns = campaigns.where(Campaign.kit_id == q.KIT)
        stmt = stmt.where(ViewMonth.campaign_id.in_(campaigns))
    return stmt


@lru_cache(maxsize=256)
def _opportunities(s: q.Shape) -> Select:
    o = _table(s, OpportunityMonth)
    in_currency = o.currency == q.CURRENCY
    created, won = func.sum(o.created), func.sum(o.won)
    new_pipeline = q.money_sum(in_currency, o.new_pipeline)
    open_pipeline = q.money_sum(in_currency, o.open_pipeline)
    revenue = q.money_sum(in_currency, o.won_revenue)
    return (
        select(
            o.month,
            created,
            new_pipeline,
            won,
            revenue,
            func.sum(created).over(),
            q.money_over(open_pipeline),
            func.sum(won).over(),
            q.money_over(revenue),
        )
        .where(*_rollup_scope(o, s))
        .group_by(o.month)
    )
