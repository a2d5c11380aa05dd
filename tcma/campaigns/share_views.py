"""Share buttons of a launched campaign's social assets: count the click, go to the network."""

from __future__ import annotations

from flask import Blueprint, abort, redirect
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.campaigns import share, tracking
from tcma.campaigns.models import DRAFT, Campaign
from tcma.campaigns.rendering import landing_url
from tcma.permissions import partner_users

bp = Blueprint("share", __name__, url_prefix="/campaigns")


def social_links(campaign: Campaign) -> dict[str, str]:
    """The tracked landing link of each social asset of a launched campaign, by asset key."""
    if campaign.status == DRAFT or not campaign.code:
        return {}
    links = tracking.asset_links(campaign.kit_version, campaign.code, landing_url(campaign.code))
    return {link.asset_key: link.url for link in links if link.kind == "social"}


@bp.route("/<int:campaign_id>/share/<network>/<asset_key>")
@partner_users
def go(campaign_id: int, network: str, asset_key: str) -> Response:
    """Count one share on ``network`` and forward to its share page with the tracked link."""
    campaign = get_scoped_or_404(db.session(), Campaign, campaign_id)
    link = social_links(campaign).get(asset_key)
    if network not in share.NETWORKS or link is None:
        abort(404)
    share.count_click(db.session(), campaign.id, network)
    target = share.share_url(network, share.shared_link(link, network), campaign.kit.name)
    response = redirect(target, 302)
    response.headers["Cache-Control"] = "no-store"
    return response
