"""Assemble each dashboard from the report queries: a fixed set of statements per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tcma.reports import kit_queries, next_steps, queries, rankings, rules
from tcma.reports import sql as q
from tcma.reports.filters import DashboardFilter
from tcma.reports.sources import REGION_LABELS, REGIONS, Campaign, Kit, Partner, Tier

DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class Choices:
    """What the filter form offers, and the names of what is chosen."""

    tiers: list[tuple[int, str]] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)
    kits: list[tuple[int, str]] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    partner_name: str | None = None

    def names(self, flt: DashboardFilter) -> dict[str, str]:
        """Chosen tier, region, kit and partner by name (for headers of exports)."""
        return {
            "tier": _name_of(self.tiers, flt.tier_id),
            "region": _name_of(self.regions, flt.region),
            "kit": _name_of(self.kits, flt.kit_id),
            "partner": self.partner_name or "",
        }


def _name_of(choices: list[tuple[Any, str]], chosen: object) -> str:
    return dict(choices).get(chosen, "")


@dataclass
class Dashboard:
    """Everything one dashboard page shows; partner-only and vendor-only parts may be empty."""

    flt: DashboardFilter
    choices: Choices
    funds: queries.Funds
    pipeline: queries.Pipeline
    kits: list[rankings.Ranked]
    first_leads: rankings.FirstLeads
    partners: list[rankings.Ranked] = field(default_factory=list)
    idle: list[rankings.IdlePartner] = field(default_factory=list)
    claims_due: list[next_steps.ClaimDue] = field(default_factory=list)
    unused: list[next_steps.UnusedAllocation] = field(default_factory=list)
    unworked: next_steps.UnworkedLeads | None = None

    @property
    def cost_per_lead(self) -> Decimal | None:
        return rules.cost_per_lead(self.funds.paid, self.pipeline.leads)

    @property
    def roi(self) -> Decimal | None:
        return rules.roi(self.pipeline.won_revenue, self.funds.paid)

    @property
    def utilisation(self) -> Decimal | None:
        # Allocations are not per kit: a kit's share of them would be invented.
        return None if self.flt.kit_id is not None else self.funds.utilisation

    @property
    def funnel(self) -> list[tuple[str, int, Decimal | None]]:
        p = self.pipeline
        steps = [
            ("Landing page views", p.views),
            ("Leads", p.leads),
            ("Qualified leads", p.qualified),
            ("Opportunities", p.opportunities),
            ("Won", p.won),
        ]
        rates = rules.funnel_rates([count for _, count in steps])
        return [(label, count, rate) for (label, count), rate in zip(steps, rates, strict=True)]

    @property
    def months(self) -> list[queries.Month]:
        """The trend month by month over the period (or the data's span), gaps filled."""
        # MDF paid on the period's budgets but outside its months counts in the MDF paid
        # figure, not in the trend: the trend shows the chosen months only.
        found = self.pipeline.months
        labels = sorted(found)
        first = f"{self.flt.date_from:%Y-%m}" if self.flt.date_from else labels and labels[0]
        last = f"{self.flt.date_to:%Y-%m}" if self.flt.date_to else labels and labels[-1]
        if not first or not last:
            return []
        return [
            found.get(label) or queries.Month(label) for label in rules.month_range(first, last)
        ]


def choices(session: Session, flt: DashboardFilter, partner_id: int | None) -> Choices:
    """The filter form's options; partners see only kits they used and no tier or region."""
    own = {"partner_id": partner_id}
    tiers, regions, partner_name = [], [], None
    if partner_id is None:
        tiers = [tuple(row) for row in q.run(session, _TIERS)]
        regions = [(code, REGION_LABELS[code]) for code in REGIONS]
        if flt.partner_id is not None:
            partner_name = q.run(session, _PARTNER_NAME, {"partner_id": flt.partner_id}).scalar()
    kits = q.run(session, _KITS if partner_id is None else _OWN_KITS, own)
    return Choices(
        tiers=tiers,
        regions=regions,
        kits=[tuple(row) for row in kits],
        currencies=queries.currencies(session, partner_id),
        partner_name=partner_name,
    )


# Built once: the filter form's option lists cost one small statement each per page.
_TIERS = select(Tier.id, Tier.name).order_by(Tier.rank.desc(), Tier.name)
_KITS = select(Kit.id, Kit.name).order_by(Kit.name)
_OWN_KITS = _KITS.where(
    Kit.id.in_(select(Campaign.kit_id).where(Campaign.partner_id == bindparam("partner_id")))
)
_PARTNER_NAME = select(Partner.name).where(Partner.id == bindparam("partner_id"))


def with_currency(flt: DashboardFilter, available: list[str]) -> DashboardFilter:
    """The chosen currency if it is in use, else the program's main one."""
    if flt.currency in available:
        return flt
    return replace(flt, currency=available[0] if available else DEFAULT_CURRENCY)


def resolve_filter(
    session: Session, flt: DashboardFilter, partner_id: int | None
) -> DashboardFilter:
    """The filter with its currency settled (for exports that skip the filter form)."""
    return with_currency(flt, queries.currencies(session, partner_id))


def vendor_dashboard(session: Session, flt: DashboardFilter) -> Dashboard:
    """The program across partners, narrowed by the filter."""
    options = choices(session, flt, None)
    flt = with_currency(flt, options.currencies)
    funds, pipeline = queries.pipeline(session, flt)
    return Dashboard(
        flt=flt,
        choices=options,
        funds=funds,
        pipeline=pipeline,
        kits=rankings.kits(session, flt),
        first_leads=rankings.first_leads(session, flt),
        partners=rankings.partners(session, flt),
        idle=rankings.idle_partners(session, flt),
    )


def partner_dashboard(
    session: Session, flt: DashboardFilter, partner_id: int, now: dt.datetime
) -> Dashboard:
    """One partner's own numbers, and what it should do next."""
    flt = replace(flt, partner_id=partner_id, tier_id=None, region=None)
    options = choices(session, flt, partner_id)
    flt = with_currency(flt, options.currencies)
    funds, pipeline = queries.pipeline(session, flt)
    return Dashboard(
        flt=flt,
        choices=options,
        funds=funds,
        pipeline=pipeline,
        kits=rankings.kits(session, flt),
        # A partner's own first lead matters whenever it came, not only in the period.
        first_leads=rankings.first_leads(session, replace(flt, date_from=None, date_to=None)),
        claims_due=next_steps.claims_due_soon(session, partner_id, now.date()),
        unused=next_steps.unused_allocations(session, partner_id, now.date()),
        unworked=next_steps.unworked_leads(session, partner_id, now),
    )


def kit_performance(
    session: Session, flt: DashboardFilter
) -> tuple[DashboardFilter, Choices, list[kit_queries.KitVersionUse]]:
    """The kit performance page: every published kit version and what it brought in."""
    options = choices(session, flt, None)
    flt = with_currency(flt, options.currencies)
    return flt, options, kit_queries.kit_versions(session, flt)
