"""The object ids of list filters (``?partner=``, ``?campaign=``, ``?kit=``, …), each resolved
through the tenant-scoped check: another partner's object, or one that does not exist,
answers 404 as the object's own page would. One place, so every list page reads them alike.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_login import current_user

from tcma import db
from tcma.accounts.access import current_partner_id, filter_id_or_404, scoped_exists
from tcma.accounts.models import Partner, Tier, User
from tcma.campaigns import services as campaign_services
from tcma.campaigns.models import Campaign
from tcma.mdf.models import Budget
from tcma.pipeline.listing import UNASSIGNED


def partner(args: Mapping[str, str]) -> int | None:
    """?partner=: any partner for vendor staff; a partner user may name only their own."""
    return filter_id_or_404(
        args.get("partner"), lambda i: scoped_exists(db.session(), Partner, i, "id")
    )


def campaign(args: Mapping[str, str]) -> int | None:
    """?campaign=: a campaign of the user's partner (any, for vendor staff)."""
    return filter_id_or_404(
        args.get("campaign"), lambda i: scoped_exists(db.session(), Campaign, i)
    )


def kit(args: Mapping[str, str]) -> int | None:
    """?kit=: a kit the partner may see or has a campaign of (any, for vendor staff)."""
    who = current_user.partner if current_partner_id() is not None else None
    return filter_id_or_404(
        args.get("kit"), lambda i: campaign_services.kit_known_to(db.session(), who, i)
    )


def tier(args: Mapping[str, str]) -> int | None:
    """?tier=: a tier of the program."""
    return filter_id_or_404(args.get("tier"), lambda i: scoped_exists(db.session(), Tier, i, None))


def budget(args: Mapping[str, str]) -> int | None:
    """?budget=: a budget (a period) of the program."""
    return filter_id_or_404(
        args.get("budget"), lambda i: scoped_exists(db.session(), Budget, i, None)
    )


def owner(args: Mapping[str, str]) -> str:
    """?owner=: "none" (nobody), or a person of the user's partner (anyone, for vendor staff)."""
    raw = (args.get("owner") or "").strip()
    if raw == UNASSIGNED:
        return raw
    found = filter_id_or_404(raw, lambda i: scoped_exists(db.session(), User, i))
    return "" if found is None else str(found)
