"""Mailing use cases: create, render, preview, test, send now or later, cancel, report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tcma import audit
from tcma.campaigns.models import Campaign
from tcma.campaigns.rendering import (
    CampaignDraft,
    build_context,
    kit_source,
    public_url,
    render_file,
)
from tcma.cobrand import services as brand_services
from tcma.cobrand.render import RenderError
from tcma.db import utcnow
from tcma.mailings import approval, contacts, events, rules
from tcma.mailings.lifecycle import transition
from tcma.mailings.message import Content, DkimKey, Sender, content_of_eml
from tcma.mailings.models import Contact, Delivery, ListMember, Mailing
from tcma.mailings.rules import MailingError
from tcma.storage import Storage

_CHUNK = 500


def email_assets(campaign: Campaign) -> list[tuple[str, str]]:
    """(key, name) of the email assets of a campaign's kit version."""
    return [(a.key, a.name) for a in campaign.kit_version.assets if a.kind == "email"]


def _checked_fields(
    session: Session,
    campaign: Campaign,
    name: str,
    asset_key: str,
    list_ids: Iterable[int],
    greeting: str,
) -> dict[str, object]:
    """The mailing's editable values, checked: a name, one of the emails, own lists."""
    name = rules.clean_text(name, 120, "The name", "name")
    if not name:
        raise MailingError("Name the mailing.", "name")
    if asset_key not in dict(email_assets(campaign)):
        raise MailingError("Choose one of the campaign's emails.", "asset_key")
    own_lists = contacts.list_ids_of_partner(session, campaign.partner_id, list_ids)
    if not own_lists:
        raise MailingError("Choose at least one list.", "list_ids")
    return {
        "name": name,
        "asset_key": asset_key,
        "list_ids": own_lists,
        "greeting": rules.check_greeting(greeting),
    }


def create_mailing(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    name: str,
    asset_key: str,
    list_ids: Iterable[int],
    greeting: str,
    *,
    track_opens: bool = False,
) -> Mailing:
    """A draft mailing of one email asset of the campaign to some of the partner's lists."""
    values = _checked_fields(session, campaign, name, asset_key, list_ids, greeting)
    mailing = Mailing(
        partner_id=campaign.partner_id,
        campaign_id=campaign.id,
        created_by_id=actor_id,
        track_opens=bool(track_opens),
        **values,
    )
    session.add(mailing)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="mailing.created",
        object_type="mailing",
        object_id=mailing.id,
        partner_id=mailing.partner_id,
        to_state=rules.DRAFT,
    )
    return mailing


def update_mailing(
    session: Session,
    actor_id: int | None,
    mailing: Mailing,
    name: str,
    asset_key: str,
    list_ids: Iterable[int],
    greeting: str,
    *,
    track_opens: bool = False,
) -> None:
    """Change a draft (or rejected) mailing; an earlier approval no longer holds."""
    if mailing.status not in rules.EDITABLE_STATES:
        raise MailingError(f"A {mailing.status.replace('_', ' ')} mailing cannot be changed.")
    values = _checked_fields(session, mailing.campaign, name, asset_key, list_ids, greeting)
    for key, value in values.items():
        setattr(mailing, key, value)
    mailing.track_opens, mailing.approved_recipients = bool(track_opens), None
    audit.record(
        session,
        actor_id=actor_id,
        action="mailing.updated",
        object_type="mailing",
        object_id=mailing.id,
        partner_id=mailing.partner_id,
    )
    session.flush()


def render_content(session: Session, storage: Storage, mailing: Mailing) -> Content:
    """The campaign's email as it is now (the .eml render, from the render cache)."""
    campaign = mailing.campaign
    draft = CampaignDraft.of(campaign)
    ctx = build_context(session, storage, draft, "email")
    rendered = render_file(
        storage, kit_source(storage, draft.version), mailing.asset_key, ctx, "eml"
    )
    return content_of_eml(rendered.data)


def content_of(session: Session, storage: Storage, mailing: Mailing) -> Content:
    """What recipients get: the frozen copy once sending started, else a fresh render."""
    if mailing.html_body:
        return Content(mailing.subject, mailing.html_body, mailing.text_body)
    return render_content(session, storage, mailing)


def sender_of(session: Session, mailing: Mailing) -> Sender:
    """The partner as From name on the vendor's sending domain, with its postal address."""
    partner = mailing.campaign.partner
    brand = brand_services.brand_values(partner, brand_services.current_brand(session, partner.id))
    config = current_app.config
    domain = config["MAILING_DOMAIN"] or config["MAIL_FROM"].rpartition("@")[2].strip("> ")
    reply_to = brand.get("email", "")
    return Sender(
        name=brand.get("display_name") or partner.name,
        localpart=config["MAILING_LOCALPART"],
        domain=domain,
        reply_to=reply_to if "@" in reply_to else "",
        postal_address=" ".join((brand.get("address") or "").split()),
    )


def dkim_key() -> DkimKey | None:
    """The configured DKIM key, or None when mail goes out unsigned."""
    config = current_app.config
    if not config["DKIM_KEY_FILE"]:
        return None
    return DkimKey(config["DKIM_SELECTOR"], Path(config["DKIM_KEY_FILE"]).read_bytes())


def unsubscribe_url(delivery_id: int) -> str:
    """The delivery's public unsubscribe page (and one-click POST target)."""
    token = rules.unsubscribe_token(current_app.config["SECRET_KEY"], delivery_id)
    return public_url("unsubscribe.page", token=token)


def return_path(delivery_id: int, domain: str) -> str:
    """The delivery's VERP envelope sender (bounces come back naming it)."""
    return rules.return_path(current_app.config["SECRET_KEY"], delivery_id, domain)


def tracked_links(mailing: Mailing, content: Content, delivery_id: int) -> dict[str, str]:
    """Each link of the message mapped to its signed redirect for one delivery."""
    secret = current_app.config["SECRET_KEY"]
    return {
        link: public_url(
            "track.click", token=rules.click_token(secret, mailing.id, delivery_id, index)
        )
        for index, link in enumerate(rules.message_links(content.html))
    }


def message_id(mailing: Mailing, delivery_id: int, domain: str) -> str:
    """The same Message-ID every time one delivery is built: a resent copy is recognisable."""
    return f"<mailing-{mailing.id}-delivery-{delivery_id}@{domain}>"


def check_sendable(session: Session, mailing: Mailing) -> None:
    """Refuse a mailing that may not go out (no postal address, no recipients)."""
    _sendable_count(session, mailing)


def _sendable_count(session: Session, mailing: Mailing) -> int:
    """The recipient count of a mailing that may go out; MailingError when it may not."""
    if not sender_of(session, mailing).postal_address:
        raise MailingError(
            "Add your postal address to your brand first: every mailing shows it in its footer."
        )
    count = recipient_count(session, mailing)
    if count == 0:
        raise MailingError("The chosen lists have no mailable contacts.")
    return count


def _recipients_statement(mailing: Mailing):  # noqa: ANN202 - a Select of (id, email)
    members = select(ListMember.contact_id).where(ListMember.list_id.in_(mailing.list_ids or []))
    return select(Contact.id, Contact.email).where(
        Contact.partner_id == mailing.partner_id, Contact.id.in_(members)
    )


def recipient_count(session: Session, mailing: Mailing) -> int:
    """Contacts in the mailing's lists that may be mailed (suppressed ones left out)."""
    rows = session.execute(_recipients_statement(mailing)).all()
    suppressed = contacts.suppressed_emails(session, mailing.partner_id, [r.email for r in rows])
    return sum(1 for row in rows if row.email not in suppressed)


def send_now(session: Session, actor_id: int | None, mailing: Mailing) -> None:
    """Start sending at once (a worker prepares the deliveries and sends them).

    Above the vendor's approval threshold the mailing waits for a marketer instead
    (status ``awaiting_approval``): callers queue the start job only when it is ``sending``.
    """
    count = _sendable_count(session, mailing)
    if approval.needs_approval(session, mailing, count):
        approval.ask(session, actor_id, mailing, count, None)
        return
    transition(session, mailing, actor_id, rules.SENDING, approval.ASKABLE)
    mailing.scheduled_at = utcnow()
    mailing.started_at = utcnow()
    session.flush()


def schedule(
    session: Session,
    actor_id: int | None,
    mailing: Mailing,
    day: dt.date,
    time: dt.time,
    zone_name: str,
) -> None:
    """Send at a local date and time; the mailing can be canceled until then.

    Above the approval threshold it waits for a marketer first (and keeps the chosen time).
    """
    moment = rules.schedule_time(day, time, zone_name, utcnow())
    count = _sendable_count(session, mailing)
    if approval.needs_approval(session, mailing, count):
        approval.ask(session, actor_id, mailing, count, moment, zone_name)
        return
    transition(session, mailing, actor_id, rules.SCHEDULED, approval.ASKABLE)
    mailing.scheduled_at, mailing.time_zone = moment, zone_name
    session.flush()


def cancel(session: Session, actor_id: int | None, mailing: Mailing) -> None:
    """Stop a scheduled (or still unapproved) mailing before it starts (nothing sent)."""
    transition(
        session, mailing, actor_id, rules.CANCELED, (rules.SCHEDULED, rules.AWAITING_APPROVAL)
    )
    session.flush()


def begin_due(session: Session, mailing_id: int, now: dt.datetime) -> bool:
    """Turn a scheduled mailing whose time has come into a sending one; False otherwise.

    A conditional UPDATE, so two workers (or a delayed job and the periodic check) start
    it once.
    """
    result = session.execute(
        update(Mailing)
        .where(
            Mailing.id == mailing_id,
            Mailing.status == rules.SCHEDULED,
            Mailing.scheduled_at <= now,
        )
        .values(status=rules.SENDING, started_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def freeze_and_prepare(session: Session, storage: Storage, mailing: Mailing) -> list[int]:
    """Freeze the content and write one delivery per recipient; the pending delivery ids.

    Running it again adds only recipients it has not written yet (unique per address).
    """
    if not mailing.html_body:
        try:
            content = render_content(session, storage, mailing)
        except RenderError as exc:
            raise MailingError(f"The email could not be rendered: {exc}") from exc
        mailing.subject, mailing.html_body, mailing.text_body = (
            content.subject,
            content.html,
            content.text,
        )
    rows = session.execute(_recipients_statement(mailing)).all()
    done = set(session.scalars(select(Delivery.email).where(Delivery.mailing_id == mailing.id)))
    suppressed = contacts.suppressed_emails(session, mailing.partner_id, [r.email for r in rows])
    fresh = [
        {
            "mailing_id": mailing.id,
            "contact_id": row.id,
            "email": row.email,
            "state": rules.SKIPPED if row.email in suppressed else rules.PENDING,
        }
        for row in rows
        if row.email not in done
    ]
    for start in range(0, len(fresh), _CHUNK):
        session.execute(insert(Delivery), fresh[start : start + _CHUNK])
    session.flush()
    return list(
        session.scalars(
            select(Delivery.id)
            .where(Delivery.mailing_id == mailing.id, Delivery.state == rules.PENDING)
            .order_by(Delivery.id)
        )
    )


def finish_if_done(session: Session, mailing: Mailing) -> bool:
    """Mark a sending mailing sent once no delivery waits (pending or deferred)."""
    waiting = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.mailing_id == mailing.id,
            Delivery.state.in_((rules.PENDING, rules.DEFERRED)),
        )
    )
    if waiting or mailing.status != rules.SENDING:
        return False
    mailing.status, mailing.finished_at = rules.SENT, utcnow()
    audit.record(
        session,
        actor_id=None,
        action="mailing.sent",
        object_type="mailing",
        object_id=mailing.id,
        partner_id=mailing.partner_id,
        from_state=rules.SENDING,
        to_state=rules.SENT,
    )
    events.mailing_sent(session, mailing, report(session, [mailing.id]))
    return True


@dataclass(frozen=True)
class Report:
    """What happened to a mailing's messages."""

    recipients: int
    delivered: int
    waiting: int
    bounced: int
    suppressed: int
    unconfirmed: int
    unsubscribed: int
    clicked: int
    opened: int = 0


def report(session: Session, mailing_ids: Iterable[int]) -> Report:
    """Counts over one or more mailings (a mailing's page, a campaign's email channel)."""
    ids = list(mailing_ids)
    states: Counter[str] = Counter()
    unsubscribed = clicked = opened = 0
    if ids:
        rows = session.execute(
            select(Delivery.state, func.count())
            .where(Delivery.mailing_id.in_(ids))
            .group_by(Delivery.state)
        )
        states.update({state: count for state, count in rows})
        # COUNT(column) counts the deliveries where it is set.
        unsubscribed, clicked, opened = session.execute(
            select(
                func.count(Delivery.unsubscribed_at),
                func.count(Delivery.first_clicked_at),
                func.count(Delivery.opened_at),
            ).where(Delivery.mailing_id.in_(ids))
        ).one()
    return Report(
        recipients=sum(states.values()) - states[rules.SKIPPED],
        delivered=states[rules.DELIVERED],
        waiting=states[rules.PENDING] + states[rules.DEFERRED],
        bounced=states[rules.FAILED],
        suppressed=states[rules.SKIPPED],
        unconfirmed=states[rules.CLAIMED],
        unsubscribed=unsubscribed,
        clicked=clicked,
        opened=opened,
    )


def click_target(session: Session, mailing_id: int, delivery_id: int, index: int) -> str | None:
    """Where a click goes (one of the message's own links), counted; None if there is none."""
    mailing = session.get(Mailing, mailing_id)
    if mailing is None or not mailing.html_body:
        return None
    links = rules.message_links(mailing.html_body)
    if not 0 <= index < len(links):
        return None
    delivery = session.get(Delivery, delivery_id) if delivery_id else None
    if delivery is not None and delivery.mailing_id == mailing.id:
        delivery.clicks += 1
        delivery.first_clicked_at = delivery.first_clicked_at or utcnow()
        if mailing.track_opens:  # a click proves an open even when images stayed blocked
            delivery.opened_at = delivery.opened_at or utcnow()
    return unescape(links[index])


def unsubscribe(session: Session, delivery: Delivery) -> bool:
    """Suppress a delivery's address for its partner (a second click changes nothing)."""
    mailing = session.get(Mailing, delivery.mailing_id)
    if mailing is None:
        return False
    if delivery.unsubscribed_at is None:
        delivery.unsubscribed_at = utcnow()
    added = contacts.suppress(
        session, mailing.partner_id, delivery.email, rules.UNSUBSCRIBED, mailing.id
    )
    if added:
        events.contact_unsubscribed(session, mailing, delivery)
    return added


def campaign_email(session: Session, campaign_id: int) -> tuple[list[Mailing], Report]:
    """A campaign's mailings (newest first) and their counts together: email as a channel."""
    mailings = list(
        session.scalars(
            select(Mailing)
            .where(Mailing.campaign_id == campaign_id)
            .order_by(Mailing.created_at.desc(), Mailing.id.desc())
        )
    )
    return mailings, report(session, [m.id for m in mailings])
