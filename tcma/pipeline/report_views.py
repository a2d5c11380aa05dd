"""Pipeline numbers: one campaign's funnel, money and chart; the overview of many campaigns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import render_template, request
from sqlalchemy import select

from tcma import db
from tcma.accounts.access import current_partner_id
from tcma.accounts.models import Tier
from tcma.accounts.rules import REGION_LABELS
from tcma.campaigns.models import DRAFT, STATUSES, Campaign
from tcma.kits.models import Kit
from tcma.mailings import services as mailing_services
from tcma.pagination import page_number, paginate
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


@web.everyone
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
    return PipelineFilter(
        partner_id=own if own is not None else args.get("partner", type=int),
        kit_id=args.get("kit", type=int),
        tier_id=None if own is not None else args.get("tier", type=int),
        region=None if own is not None else (args.get("region") or None),
        statuses=statuses,
        date_from=web.day(args.get("from")),
        date_to=web.day(args.get("to")),
    )


@web.everyone
def overview() -> str:
    """Every campaign's pipeline (a partner sees its own), by kit, partner, tier, region, period."""
    session = db.session()
    flt = _overview_filter()
    stmt = (
        select(Campaign)
        .where(Campaign.id.in_(queries.campaign_ids(flt)))
        .order_by(Campaign.launched_at.desc().nulls_last(), Campaign.id.desc())
    )
    page = paginate(session, stmt, page_number(request.args.get("page")))
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
