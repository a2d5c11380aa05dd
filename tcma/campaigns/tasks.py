"""Campaign jobs: the "download everything" zip, made by a worker and kept in storage."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.campaigns.rendering import CampaignDraft, ensure_bundle
from tcma.cobrand.render import RenderError
from tcma.jobs import records
from tcma.storage import get_storage


@records.tracked("campaigns.bundle", kind="zip")
def make_bundle(session: Session, params: dict[str, Any], progress: records.Progress):
    """Render every asset in every format into one zip (cached: a rerun reads it back)."""
    campaign = session.get(Campaign, params["campaign_id"])
    if campaign is None:
        raise records.JobFailed("The campaign no longer exists.")
    progress(0, 1)
    try:
        key, filename = ensure_bundle(session, get_storage(), CampaignDraft.of(campaign))
    except RenderError as exc:
        raise records.JobFailed(f"The zip could not be made: {exc}") from exc
    progress(1, 1)
    return key, filename
