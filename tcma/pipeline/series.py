"""A campaign's activity over time (views, leads, new pipeline per day, week or month), in SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from tcma.db import Money
from tcma.pipeline import rules
from tcma.pipeline.models import Lead, Opportunity, PageViewDay

MAX_DAILY_SPAN = 45
MAX_WEEKLY_SPAN = 400


@dataclass
class Bucket:
    """One bar of the chart: a day, a week or a month."""

    start: dt.date
    label: str
    views: int = 0
    leads: int = 0
    pipeline: dict[str, Decimal] = field(default_factory=dict)


def _utc_day(session: Session, column: Any) -> Any:
    # Days are UTC days everywhere; PostgreSQL would otherwise use the session time zone.
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def daily_activity(session: Session, campaign_id: int) -> dict[dt.date, Bucket]:
    """Views, leads and new pipeline (per currency) per UTC day, three GROUP BY queries."""
    days: dict[dt.date, Bucket] = {}

    def bucket(day: Any) -> Bucket:
        day = _as_date(day)
        return days.setdefault(day, Bucket(day, day.isoformat()))

    views = select(PageViewDay.day, PageViewDay.views).where(PageViewDay.campaign_id == campaign_id)
    for day, count in session.execute(views):
        bucket(day).views += int(count)
    lead_day = _utc_day(session, Lead.created_at)
    leads = (
        select(lead_day, func.count(Lead.id))
        .where(Lead.campaign_id == campaign_id)
        .group_by(lead_day)
    )
    for day, count in session.execute(leads):
        bucket(day).leads += int(count)
    opp_day = _utc_day(session, Opportunity.created_at)
    pipeline = (
        select(opp_day, Opportunity.currency, type_coerce(func.sum(Opportunity.amount), Money))
        .where(Opportunity.campaign_id == campaign_id)
        .group_by(opp_day, Opportunity.currency)
    )
    for day, currency, amount in session.execute(pipeline):
        entry = bucket(day)
        entry.pipeline = rules.add_amounts(entry.pipeline, {currency: amount})
    return days


def _period_start(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _label(start: dt.date, unit: str) -> str:
    if unit == "week":
        return f"Week of {start:%d %b %Y}"
    if unit == "month":
        return f"{start:%B %Y}"
    return f"{start:%a %d %b}"


def bucketed(
    days: dict[dt.date, Bucket], first: dt.date | None = None, last: dt.date | None = None
) -> tuple[str, list[Bucket]]:
    """Group daily activity into days, weeks or months (whichever keeps the chart readable)."""
    if not days and (first is None or last is None):
        return "day", []
    first = min([first, *days] if first else days)
    last = max([last, *days] if last else days)
    span = (last - first).days
    unit = "day" if span <= MAX_DAILY_SPAN else "week" if span <= MAX_WEEKLY_SPAN else "month"
    buckets: dict[dt.date, Bucket] = {}
    cursor = _period_start(first, unit)
    while cursor <= last:
        buckets[cursor] = Bucket(cursor, _label(cursor, unit))
        cursor = _next(cursor, unit)
    merged: dict[dt.date, list[Bucket]] = defaultdict(list)
    for day, entry in days.items():
        merged[_period_start(day, unit)].append(entry)
    for start, entries in merged.items():
        target = buckets[start]
        for entry in entries:
            target.views += entry.views
            target.leads += entry.leads
            target.pipeline = rules.add_amounts(target.pipeline, entry.pipeline)
    return unit, [buckets[start] for start in sorted(buckets)]


def _next(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day + dt.timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day + dt.timedelta(days=1)
