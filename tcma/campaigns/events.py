"""Webhook events of campaigns: payloads are the API's own representation."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.campaigns.schemas import CampaignSchema
from tcma.webhooks import services as webhooks

_CAMPAIGN = CampaignSchema()


def campaign_launched(session: Session, campaign: Campaign) -> None:
    """campaign.launched with the campaign as GET /api/v1/campaigns/{id} shows it."""
    session.flush()
    # The payload (with its landing URL) is made only when an endpoint wants the event.
    webhooks.emit(
        session,
        "campaign.launched",
        campaign.partner_id,
        lambda: {"campaign": _CAMPAIGN.dump(campaign)},
    )
