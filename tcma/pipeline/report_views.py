"""Pipeline numbers: one campaign's funnel, money and chart; the overview of many campaigns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import render_template, request
from sqlalchemy import func, literal, select
from sqlalchemy.orm import selectinload

from tcma import db, filter_ids
from tcma.accounts.access import current_partner_id
from tcma.accounts.models import Tier
from tcma.accounts.rules import REGION_LABELS
from tcma.campaigns import share
from tcma.campaigns.models import DRAFT, STATUSES, Campaign
from tcma.db import UTCDateTime
from tcma.kits.models import Kit
from tcma.mailings import engagement
from tcma.mailings import services as mailing_services
from tcma.pagination import keyset
from tcma.permissions import signed_in
from tcma.pipeline import queries, series, web
from tcma.pipeline.queries import PipelineFilter

LAUNCHED = tuple(status for status in STATUSES if status != DRAFT)


def _chart(buckets: list[series.Bucket]) -> dict:
    """What the bar chart needs: the currency shown, the largest values, the bars."""
    totals: dict[str, Decimal] = {}
    for bucket in buckets:
        for currency, amount in bucket.pipeline.items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    currency = max(totals, key=lambda c: totals[c]) if totals else ""
    return {
        "currency": currency,
        "others": sorted(c for c in totals if c != currency),
        "max_leads": max((b.leads for b in buckets), default=0) or 1,
        "max_pipeline": max(
            (b.pipeline.get(currency, Decimal(0)) for b in buckets), default=Decimal(0)
        )
        or Decimal(1),
        "buckets": buckets,
    }


@signed_in
def campaign(campaign_id: int) -> str:
    """A campaign's pipeline: views to won revenue, conversion, MDF, cost per lead, ROI, chart."""
    record = web.campaign_or_404(campaign_id)
    session = db.session()
    flt = PipelineFilter(
        date_from=web.day(request.args.get("from")), date_to=web.day(request.args.get("to"))
    )
    numbers = queries.for_campaign(session, record.id, flt)
    today = dt.date.today()
    last = min(record.ends_on, today) if record.ends_on else today
    first = record.starts_on if record.starts_on and record.starts_on <= last else None
    unit, buckets = series.bucketed(
        series.daily_activity(session, record.id), first, last if first else None
    )
    mailings, email = mailing_services.campaign_email(session, record.id)
    return render_template(
        "pipeline/campaign.html",
        campaign=record,
        mailings=mailings,
        email=email,
        email_pipeline=engagement.email_pipeline(session, [m.id for m in mailings]),
        shares=share.clicks_by_network(session, record.id),
        numbers=numbers,
        flt=flt,
        chart=_chart(buckets),
        unit=unit,
        by_link=queries.leads_by_link(session, record.id),
        can_read_leads=web.can_read_leads(),
    )


def _overview_filter() -> PipelineFilter:
    args = request.args
    own = current_partner_id()
    status = args.get("status", "launched")
    statuses = LAUNCHED if status == "launched" else (status,) if status in STATUSES else None
    partner = filter_ids.partner(args)  # a partner user may name only their own
    return PipelineFilter(
        partner_id=own if own is not None else partner,
        kit_id=filter_ids.kit(args),
        tier_id=None if own is not None else filter_ids.tier(args),
        region=None if own is not None else (args.get("region") or None),
        statuses=statuses,
        date_from=web.day(args.get("from")),
        date_to=web.day(args.get("to")),
    )


#: Sorts campaigns that were never launched after every launched one (newest first).
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@signed_in
def overview() -> str:
    """Every campaign's pipeline (a partner sees its own), by kit, partner, tier, region, period."""
    session = db.session()
    flt = _overview_filter()
    # Newest launch first, never-launched campaigns last; campaigns are thousands, not
    # millions, so sorting the matching ones per page is cheap; the cursor keeps deep pages so.
    launched = func.coalesce(Campaign.launched_at, literal(NEVER, UTCDateTime()))
    page = keyset(
        session,
        select(Campaign).where(Campaign.id.in_(queries.campaign_ids(flt))),
        (launched, Campaign.id),
        request.args.get("cursor"),
        loaders=(selectinload(Campaign.partner), selectinload(Campaign.kit)),
        key_of=lambda c: (c.launched_at or NEVER, c.id),
    )
    numbers = queries.pipeline_numbers(session, flt, only_ids=[c.id for c in page.items])
    kits = session.execute(select(Kit.id, Kit.name).order_by(Kit.name)).all()
    tiers = session.execute(select(Tier.id, Tier.name).order_by(Tier.rank.desc())).all()
    return render_template(
        "pipeline/overview.html",
        page=page,
        numbers=numbers,
        totals=queries.totals(session, flt),
        flt=flt,
        kits=kits,
        tiers=tiers,
        regions=REGION_LABELS,
        statuses=STATUSES,
        partners=[] if web.is_partner() else web.partner_choices(),
        status=request.args.get("status", "launched"),
        can_read_leads=web.can_read_leads(),
    )
