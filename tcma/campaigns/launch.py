"""Launch use cases: launch with dates, reschedule, pause, resume and end a campaign."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tcma import audit
from tcma.campaigns import events
from tcma.campaigns import launch_rules as rules
from tcma.campaigns.models import Campaign
from tcma.db import utcnow


def _move(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    action: str,
    comment: str | None = None,
) -> None:
    before = campaign.status
    campaign.status = rules.next_status(before, action)
    audit.record(
        session,
        actor_id=actor_id,
        action=f"campaign.{rules.ACTION_WORDS[action]}",
        object_type="campaign",
        object_id=campaign.id,
        partner_id=campaign.partner_id,
        from_state=before,
        to_state=campaign.status,
        comment=comment,
        data={"starts_on": str(campaign.starts_on), "ends_on": str(campaign.ends_on)},
    )
    session.flush()


def launch_campaign(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    *,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    consent_text: str,
    today: dt.date | None = None,
) -> None:
    """Put a draft campaign live: its landing page opens on the first day, closes after the last."""
    rules.next_status(campaign.status, rules.LAUNCH)
    rules.check_dates(starts_on, ends_on, today or utcnow().date())
    campaign.consent_text = rules.clean_consent_text(consent_text)
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.launched_at = utcnow()
    _move(session, actor_id, campaign, rules.LAUNCH)
    events.campaign_launched(session, campaign)


def reschedule_campaign(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    *,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    consent_text: str,
    today: dt.date | None = None,
) -> None:
    """Change a launched campaign's dates or consent wording (new leads get the new wording)."""
    rules.next_status(campaign.status, rules.RESCHEDULE)
    rules.check_dates(starts_on, ends_on, today or utcnow().date())
    campaign.consent_text = rules.clean_consent_text(consent_text)
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    _move(session, actor_id, campaign, rules.RESCHEDULE)


def pause_campaign(
    session: Session, actor_id: int | None, campaign: Campaign, comment: str | None = None
) -> None:
    """Stop taking leads for now; the page says so politely."""
    _move(session, actor_id, campaign, rules.PAUSE, comment)


def resume_campaign(
    session: Session, actor_id: int | None, campaign: Campaign, today: dt.date | None = None
) -> None:
    """Take leads again; a campaign past its last day needs a new end date first."""
    rules.next_status(campaign.status, rules.RESUME)
    if campaign.ends_on is not None and campaign.ends_on < (today or utcnow().date()):
        raise rules.LaunchError(
            f"The campaign's last day was {campaign.ends_on:%d %b %Y}; choose a later last day "
            "before resuming it.",
            "ends_on",
        )
    _move(session, actor_id, campaign, rules.RESUME)


def end_campaign(
    session: Session, actor_id: int | None, campaign: Campaign, comment: str | None = None
) -> None:
    """End the campaign for good: the page thanks visitors and takes no more leads."""
    _move(session, actor_id, campaign, rules.END, comment)
    campaign.ended_at = utcnow()
    session.flush()
