"""Helpers the pipeline pages share: who may see what, loading, filters and choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tcma import db, filter_ids
from tcma.accounts.access import current_partner_id, get_scoped_or_404
from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.permissions import LEAD_READER_ROLES
from tcma.pipeline import services
from tcma.pipeline.forms import OpportunityForm
from tcma.pipeline.listing import ListFilter
from tcma.pipeline.models import Lead, Opportunity


def lead_or_404(lead_id: int) -> Lead:
    """A lead the user may see; an erased lead is gone (404)."""
    lead = get_scoped_or_404(db.session(), Lead, lead_id)
    if lead.is_erased:
        abort(404)
    return lead


def opportunity_or_404(opportunity_id: int) -> Opportunity:
    """An opportunity the user may see (another partner's is 404)."""
    return get_scoped_or_404(db.session(), Opportunity, opportunity_id)


def campaign_or_404(campaign_id: int) -> Campaign:
    """A campaign the user may see (another partner's is 404)."""
    return get_scoped_or_404(db.session(), Campaign, campaign_id)


def day(raw: str | None) -> dt.date | None:
    """A YYYY-MM-DD query parameter, or None when absent or not a date."""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def list_filter(args: Mapping[str, str]) -> ListFilter:
    """The filter of a list page from its query string, always limited to the user's partner."""
    own = current_partner_id()
    partner = filter_ids.partner(args)
    return ListFilter(
        partner_id=own if own is not None else partner,
        campaign_id=filter_ids.campaign(args),
        status=args.get("status", ""),
        owner=filter_ids.owner(args),
        q=args.get("q", ""),
        date_from=day(args.get("from")),
        date_to=day(args.get("to")),
        kit_id=filter_ids.kit(args),
        tier_id=None if own is not None else filter_ids.tier(args),
        region="" if own is not None else (args.get("region") or "")[:20],
    )


#: Query parameters that narrow a list (a page link keeps them; "filtered" means one is set).
FILTER_ARGS = ("campaign", "status", "owner", "q", "from", "to", "partner", "kit", "tier", "region")


def campaign_choices(partner_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of a partner's campaigns, for selects; none when no partner is chosen."""
    if partner_id is None:
        return []
    rows = db.session().execute(
        select(Campaign.id, Campaign.name)
        .where(Campaign.partner_id == partner_id)
        .order_by(Campaign.created_at.desc())
    )
    return [(row.id, row.name) for row in rows]


def owner_choices(partner_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the people who can own a partner's leads."""
    if partner_id is None:
        return []
    return [(user.id, user.display_name) for user in services.owners(db.session(), partner_id)]


def partner_choices() -> list[tuple[int, str]]:
    """(id, name) of every partner, for the vendor's filters."""
    rows = db.session().execute(select(Partner.id, Partner.name).order_by(Partner.name))
    return [(row.id, row.name) for row in rows]


def opportunity_values(form: OpportunityForm) -> services.OpportunityInput:
    """What an opportunity form says, as the services take it."""
    campaign = getattr(form, "campaign_id", None)
    return services.OpportunityInput(
        account=form.account.data or "",
        name=form.name.data or "",
        amount=form.amount.data,
        currency=form.currency.data,
        stage=form.stage.data,
        expected_close_on=form.expected_close_on.data,
        owner_id=form.owner_id.data,
        campaign_id=campaign.data if campaign is not None else None,
    )


def can_read_leads() -> bool:
    """True for the roles that may see leads and opportunities."""
    return current_user.is_authenticated and current_user.role in LEAD_READER_ROLES


def is_partner() -> bool:
    """True for partner users (the people who work leads)."""
    return current_user.is_authenticated and current_user.partner_id is not None
