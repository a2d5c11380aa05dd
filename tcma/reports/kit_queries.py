"""Kit performance: use, downloads, launches, leads and revenue per kit version, in one statement.

Leads and opportunities come from the monthly roll-ups, summed per campaign and then per
kit version; every join is between small tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from tcma.db import Money
from tcma.reports import rules
from tcma.reports import sql as q
from tcma.reports.filters import DashboardFilter
from tcma.reports.models import LeadMonth, OpportunityMonth
from tcma.reports.sources import KIT_PUBLISHED, AssetDownload, Campaign, Kit, KitVersion


@dataclass(frozen=True)
class KitVersionUse:
    """One kit version's use and results in the period."""

    kit_id: int
    kit: str
    version_id: int
    version: int | None
    partners: int
    campaigns: int
    downloads: int
    launches: int
    leads: int
    qualified: int
    opportunities: int
    won_revenue: Decimal

    @property
    def label(self) -> str:
        return f"{self.kit} v{self.version}" if self.version else f"{self.kit} (draft)"


def _per_campaign(s: q.Shape):  # noqa: ANN202 - a tuple of subqueries
    leads = (
        select(
            LeadMonth.campaign_id.label("campaign_id"),
            func.sum(LeadMonth.leads).label("leads"),
            func.sum(LeadMonth.qualified).label("qualified"),
        )
        .where(
            LeadMonth.campaign_id != 0,
            *q.month_in_period(LeadMonth.month, s),
            *q.partner_scope(LeadMonth.partner_id, s),
        )
        .group_by(LeadMonth.campaign_id)
        .subquery()
    )
    o = OpportunityMonth
    deals = (
        select(
            o.campaign_id.label("campaign_id"),
            func.sum(o.created).label("opportunities"),
            q.money_sum(o.currency == q.CURRENCY, o.won_revenue).label("won_revenue"),
        )
        .where(
            o.campaign_id != 0, *q.month_in_period(o.month, s), *q.partner_scope(o.partner_id, s)
        )
        .group_by(o.campaign_id)
        .subquery()
    )
    downloads = (
        select(AssetDownload.campaign_id.label("campaign_id"), func.count().label("downloads"))
        .where(
            *q.in_period(AssetDownload.downloaded_at, s),
            *q.partner_scope(AssetDownload.partner_id, s),
        )
        .group_by(AssetDownload.campaign_id)
        .subquery()
    )
    return leads, deals, downloads


def kit_versions(session: Session, flt: DashboardFilter) -> list[KitVersionUse]:
    """Every published kit version, with its use and what it brought in, by kit and version."""
    stmt = _kit_versions(q.shape(session, flt))
    uses = [KitVersionUse(*row) for row in q.run(session, stmt, q.params(flt))]
    return [replace(use, won_revenue=use.won_revenue or rules.ZERO) for use in uses]


@lru_cache(maxsize=256)
def _kit_versions(s: q.Shape) -> Select:
    leads, deals, downloads = _per_campaign(s)
    started = q.period_test(Campaign.created_at, s)
    launched = Campaign.launched_at.is_not(None) & q.period_test(Campaign.launched_at, s)
    per_version = (
        select(
            Campaign.kit_version_id.label("version_id"),
            func.count(func.distinct(case((started, Campaign.partner_id)))).label("partners"),
            q.count_where(started).label("campaigns"),
            func.coalesce(func.sum(downloads.c.downloads), 0).label("downloads"),
            q.count_where(launched).label("launches"),
            func.coalesce(func.sum(leads.c.leads), 0).label("leads"),
            func.coalesce(func.sum(leads.c.qualified), 0).label("qualified"),
            func.coalesce(func.sum(deals.c.opportunities), 0).label("opportunities"),
            q.typed(func.coalesce(func.sum(deals.c.won_revenue), 0), Money).label("won_revenue"),
        )
        .outerjoin(leads, leads.c.campaign_id == Campaign.id)
        .outerjoin(deals, deals.c.campaign_id == Campaign.id)
        .outerjoin(downloads, downloads.c.campaign_id == Campaign.id)
        .where(
            *q.partner_scope(Campaign.partner_id, s), *([Campaign.kit_id == q.KIT] if s.kit else [])
        )
        .group_by(Campaign.kit_version_id)
        .subquery()
    )
    return (
        select(
            Kit.id,
            Kit.name,
            KitVersion.id,
            KitVersion.number,
            *(func.coalesce(column, 0) for column in list(per_version.c)[1:-1]),
            q.typed(func.coalesce(per_version.c.won_revenue, 0), Money),
        )
        .select_from(KitVersion)
        .join(Kit, Kit.id == KitVersion.kit_id)
        .outerjoin(per_version, per_version.c.version_id == KitVersion.id)
        .where(KitVersion.status == KIT_PUBLISHED, *([Kit.id == q.KIT] if s.kit else []))
        .order_by(Kit.name, KitVersion.number)
    )
