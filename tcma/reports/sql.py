"""SQL building blocks the report queries share: filter shapes, scopes, months, money sums.

Report statements are built once per *shape* (which filters are set, which database) and
cached; every value travels as a bound parameter (see params()). Building a statement costs
more Python time than running it on the roll-ups, so a page only binds and executes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tcma.db import Money, UTCDateTime
from tcma.reports.filters import DashboardFilter
from tcma.reports.sources import Budget, Campaign, Partner

typed = type_coerce

DATE_FROM = bindparam("date_from", type_=Date)
DATE_TO = bindparam("date_to", type_=Date)
DAY_AFTER = bindparam("day_after", type_=Date)
START = bindparam("start", type_=UTCDateTime)
END = bindparam("end", type_=UTCDateTime)
TIER = bindparam("tier_id", type_=Integer)
REGION = bindparam("region", type_=String)
KIT = bindparam("kit_id", type_=Integer)
PARTNER = bindparam("partner_id", type_=Integer)
CURRENCY = bindparam("currency", type_=String)
TOP = bindparam("top", type_=Integer)


@dataclass(frozen=True)
class Shape:
    """Which filters a statement must test, and for which database: its cache key."""

    dialect: str
    date_from: bool = False
    date_to: bool = False
    tier: bool = False
    region: bool = False
    kit: bool = False
    partner: bool = False

    @property
    def partner_scoped(self) -> bool:
        return self.tier or self.region or self.partner


def shape(session: Session, flt: DashboardFilter) -> Shape:
    """The shape of the statements that answer this filter on this session's database."""
    return Shape(
        dialect=session.get_bind().dialect.name,
        date_from=flt.date_from is not None,
        date_to=flt.date_to is not None,
        tier=flt.tier_id is not None,
        region=flt.region is not None,
        kit=flt.kit_id is not None,
        partner=flt.partner_id is not None,
    )


def params(flt: DashboardFilter, **extra: Any) -> dict[str, Any]:
    """The bound values of a filter (a statement uses those its shape asks for)."""
    return {
        "date_from": flt.date_from,
        "date_to": flt.date_to,
        "day_after": flt.day_after,
        "start": flt.start,
        "end": flt.end,
        "tier_id": flt.tier_id,
        "region": flt.region,
        "kit_id": flt.kit_id,
        "partner_id": flt.partner_id,
        "currency": flt.currency,
        **extra,
    }


def run(session: Session, statement: Any, values: dict[str, Any] | None = None) -> Any:
    """Execute a report statement on the session's connection: Core rows, no ORM overhead."""
    return session.connection().execute(statement, values or {})


def one_of(column: Any, values: tuple[str, ...]) -> ColumnElement[bool]:
    """column IN (constants), written into the SQL: fixed codes, never user input."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return column.op("IN")(literal_column(f"({listed})"))


def partner_scope(column: Any, s: Shape) -> list[ColumnElement[bool]]:
    """Conditions limiting a partner_id column to the filter's partner, tier and region."""
    conditions = []
    if s.partner:
        conditions.append(column == PARTNER)
    if s.tier or s.region:
        partners = select(Partner.id)
        if s.tier:
            partners = partners.where(Partner.tier_id == TIER)
        if s.region:
            partners = partners.where(Partner.region == REGION)
        conditions.append(column.in_(partners))
    return conditions


def kit_scope(campaign_column: Any, s: Shape) -> list[ColumnElement[bool]]:
    """Conditions limiting a campaign_id column to campaigns of the filter's kit."""
    if not s.kit:
        return []
    return [campaign_column.in_(select(Campaign.id).where(Campaign.kit_id == KIT))]


def in_period(column: Any, s: Shape, *, is_date: bool = False) -> list[ColumnElement[bool]]:
    """Conditions keeping a timestamp (or DATE) column inside the period."""
    conditions = []
    if s.date_from:
        conditions.append(column >= (DATE_FROM if is_date else START))
    if s.date_to:
        conditions.append(column < (DAY_AFTER if is_date else END))
    return conditions


def month_in_period(column: Any, s: Shape) -> list[ColumnElement[bool]]:
    """Conditions keeping a roll-up's month (its first day) inside the period of whole months."""
    conditions = []
    if s.date_from:
        conditions.append(column >= DATE_FROM)
    if s.date_to:
        conditions.append(column <= DATE_TO)
    return conditions


def period_test(column: Any, s: Shape, *, is_date: bool = False) -> Any:
    """The period as one boolean expression (for CASE WHEN), true when unbounded."""
    conditions = in_period(column, s, is_date=is_date)
    return and_(*conditions) if conditions else literal(True)


def budgets_of_period(s: Shape) -> list[ColumnElement[bool]]:
    """Budgets whose period overlaps the chosen one, in the chosen currency."""
    conditions: list[ColumnElement[bool]] = [Budget.currency == CURRENCY]
    if s.date_to:
        conditions.append(Budget.period_start <= DATE_TO)
    if s.date_from:
        conditions.append(Budget.period_end >= DATE_FROM)
    return conditions


def month_of(s: Shape, column: Any) -> Any:
    """The calendar month (UTC) of a timestamp column, as a value month_label() understands."""
    if s.dialect == "postgresql":
        # Truncated in UTC, not in the database session's time zone.
        return func.date_trunc("month", func.timezone("UTC", column))
    return func.strftime("%Y-%m", column)


def month_label(value: Any) -> str:
    """'2025-03' from whatever month_of() or a roll-up's month column returned."""
    if isinstance(value, dt.date | dt.datetime):
        return f"{value:%Y-%m}"
    return str(value)[:7]


def days_between(s: Shape, start: Any, end: Any) -> Any:
    """Whole days from one timestamp to a later one."""
    if s.dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", end - start) / 86400), Integer)
    return cast(func.julianday(end) - func.julianday(start), Integer)


def money_sum(condition: Any, amount: Any) -> Any:
    """SUM of amount where condition holds, as exact Money (cents in SQL), 0 when none."""
    return type_coerce(func.coalesce(func.sum(case((condition, amount), else_=0)), 0), Money)


def money_over(aggregate: Any) -> Any:
    """The sum of a Money aggregate over all groups (a window total), as exact Money."""
    return type_coerce(func.sum(aggregate).over(), Money)


def money_minus(left: Any, right: Any) -> Any:
    """left - right of two Money sums, still read back as Money."""
    return type_coerce(left - right, Money)


def count_where(condition: Any) -> Any:
    """COUNT of rows where condition holds."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def as_float(value: Any) -> Any:
    """A numeric expression as floating point, for ordering by ratios."""
    return cast(value, Float)
