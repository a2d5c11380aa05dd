"""What recipients did with a mailing: opens (a pixel), and leads and deals its clicks brought.

Opens: a mailing that tracks opens gets a 1×1 image per delivery at a signed URL; its first
fetch sets the delivery's opened_at. Leads: a click whose link leads to the campaign's landing
page leaves a signed, dated reference in a cookie for that page only; a lead sent from the page
within ATTRIBUTION_DAYS names the mailing and the contact. Reading it costs one HMAC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import case, func, select, type_coerce, update
from sqlalchemy.orm import Session

from tcma.campaigns.rendering import landing_url, public_url
from tcma.db import Money, utcnow
from tcma.mailings import rules
from tcma.mailings.models import Delivery, Mailing
from tcma.pipeline import rules as pipeline_rules
from tcma.pipeline.models import Lead, Opportunity

#: The cookie a tracked click leaves for the landing page (its path is the page's own).
ATTRIBUTION_COOKIE = "tcma_mail_ref"
# The smallest transparent GIF: what the open pixel answers, whatever happens.
PIXEL_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def open_pixel_url(mailing: Mailing, delivery_id: int) -> str | None:
    """The delivery's pixel URL, or None when the mailing does not track opens."""
    if not mailing.track_opens or not delivery_id:
        return None
    return public_url("opens.pixel", token=rules.open_token(_secret(), mailing.id, delivery_id))


def record_open(session: Session, mailing_id: int, delivery_id: int) -> bool:
    """Note the delivery's first open (one conditional UPDATE); False when nothing changed."""
    tracks = select(Mailing.id).where(Mailing.id == mailing_id, Mailing.track_opens.is_(True))
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.mailing_id.in_(tracks),
            Delivery.opened_at.is_(None),
        )
        .values(opened_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Reference:
    """The cookie a click on a landing-page link sets: its value and the page's path."""

    value: str
    path: str


def reference_for_click(
    session: Session, mailing_id: int, delivery_id: int, target: str
) -> Reference | None:
    """A signed reference when ``target`` is the campaign's landing page, else None."""
    mailing = session.get(Mailing, mailing_id)
    if mailing is None or not delivery_id or not mailing.campaign.code:
        return None
    page = urlsplit(landing_url(mailing.campaign.code))
    link = urlsplit(target)
    if (link.scheme, link.netloc, link.path.rstrip("/")) != (page.scheme, page.netloc, page.path):
        return None
    return Reference(rules.attribution_token(_secret(), mailing.id, delivery_id), page.path)


def attribute_lead(session: Session, lead: Lead, reference: str | None) -> bool:
    """Name the mailing and contact on a new lead when the reference is genuine and recent."""
    found = rules.attribution_of_token(_secret(), reference) if reference else None
    if found is None:
        return False
    mailing_id, delivery_id = found
    delivery = session.get(Delivery, delivery_id)
    mailing = session.get(Mailing, mailing_id)
    if delivery is None or mailing is None or delivery.mailing_id != mailing.id:
        return False
    if mailing.campaign_id != lead.campaign_id:
        return False  # a reference for another campaign's page proves nothing here
    lead.mailing_id, lead.mail_contact_id = mailing.id, delivery.contact_id
    session.flush()
    return True


@dataclass(frozen=True)
class EmailPipeline:
    """What a mailing's (or a campaign's mailings') clicks brought: leads and deals."""

    leads: int = 0
    opportunities: int = 0
    won_revenue: dict[str, Decimal] = field(default_factory=dict)


def email_pipeline(session: Session, mailing_ids: Iterable[int]) -> EmailPipeline:
    """Leads attributed to the mailings, their opportunities, and won revenue per currency."""
    ids = list(mailing_ids)
    if not ids:
        return EmailPipeline()
    leads = session.scalar(select(func.count()).where(Lead.mailing_id.in_(ids))) or 0
    from_leads = select(Lead.id).where(Lead.mailing_id.in_(ids))
    won = Opportunity.stage == pipeline_rules.CLOSED_WON
    rows = session.execute(
        select(
            Opportunity.currency,
            func.count(),
            # Money is integer cents in SQL: sum the cents, read the total back as Money.
            type_coerce(
                func.coalesce(func.sum(case((won, Opportunity.amount), else_=0)), 0), Money
            ),
        )
        .where(Opportunity.lead_id.in_(from_leads))
        .group_by(Opportunity.currency)
    ).all()
    return EmailPipeline(
        leads=int(leads),
        opportunities=sum(int(row[1]) for row in rows),
        won_revenue=pipeline_rules.add_amounts({row[0]: row[2] for row in rows}),
    )
