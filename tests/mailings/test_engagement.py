"""Opens, and the leads and deals a mailing's clicks bring, on the mailing and campaign pages."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tcma import db
from tcma.accounts.models import Partner
from tcma.campaigns import launch
from tcma.campaigns.models import Campaign
from tcma.mailings import contacts, engagement, rules, services
from tcma.mailings.models import Contact, Delivery, Mailing
from tcma.pipeline import rules as pipeline_rules
from tcma.pipeline.models import Lead
from tests.conftest import World
from tests.mailings.support import Setup, mailing_setup
from tests.pipeline.support import CONSENT, VISITOR, add_opportunity


def _setup(app: Flask, world: World, *, track_opens: bool = False, live: bool = False) -> Setup:
    session = app.extensions["tcma.sessionmaker"]()
    setup = mailing_setup(app, session, session.get(Partner, world.partner_a.id))
    with app.app_context():
        session.get(Mailing, setup.mailing.id).track_opens = track_opens
        if live:
            launch.launch_campaign(
                session,
                None,
                session.get(Campaign, setup.campaign.id),
                starts_on=dt.date.today(),
                ends_on=dt.date.today() + dt.timedelta(days=30),
                consent_text=CONSENT,
            )
        session.commit()
    session.close()
    return setup


def _message_to(outbox: Path, address: str) -> email.message.EmailMessage:
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            return message  # type: ignore[return-value]
    raise AssertionError(f"no message to {address}")


def _html(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]


def test_a_mailing_that_tracks_opens_counts_each_recipient_once(
    app: Flask, world: World, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world, track_opens=True)
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    html = _html(_message_to(outbox, "ana@acme.example"))
    pixels = re.findall(r'<img src="http://tcma\.test(/o/[^"]+)" width="1" height="1"', html)
    assert len(pixels) == 1
    visitor = app.test_client()
    first = visitor.get(pixels[0])
    assert first.status_code == 200 and first.mimetype == "image/gif"
    assert first.headers["Cache-Control"].startswith("no-store")
    visitor.get(pixels[0])  # a second open of the same message
    assert visitor.get("/o/forged-token").mimetype == "image/gif"  # a GIF, and nothing counted
    page = as_a_user.get(f"/mailings/{setup.mailing.id}").get_data(as_text=True)
    assert "<dt>Opened</dt><dd>1</dd>" in page
    channel = as_a_user.get(f"/pipeline/campaigns/{setup.campaign.id}").get_data(as_text=True)
    assert "<dt>Opened</dt><dd>1</dd>" in channel


def test_without_open_tracking_there_is_no_pixel_and_no_count(
    app: Flask, world: World, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world)
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    assert "/o/" not in _html(_message_to(outbox, "ana@acme.example"))
    with app.app_context():
        session = db.session()
        ana = session.scalar(select(Delivery).where(Delivery.email == "ana@acme.example"))
        token = rules.open_token(app.config["SECRET_KEY"], setup.mailing.id, ana.id)
    app.test_client().get(f"/o/{token}")  # even a genuine token records nothing when off
    with app.app_context():
        assert services.report(db.session(), [setup.mailing.id]).opened == 0
    page = as_a_user.get(f"/mailings/{setup.mailing.id}").get_data(as_text=True)
    assert "<dt>Opened</dt>" not in page


def _lead_form_post(visitor: FlaskClient, path: str, **changes: str):
    html = visitor.get(path).get_data(as_text=True)
    token = re.search(r'name="submit_token" type="hidden" value="([^"]+)"', html).group(1)
    return visitor.post(path, data={**VISITOR, "consent": "y", "submit_token": token, **changes})


def test_a_lead_after_a_click_in_the_mailing_is_the_mailings_with_its_deals(
    app: Flask, world: World, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world, live=True)
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    html = _html(_message_to(outbox, "ana@acme.example"))
    tracked = re.findall(r'href="http://tcma\.test(/c/[^"]+)"', html)[0]
    visitor = app.test_client()
    click = visitor.get(tracked)
    landing = click.headers["Location"]
    assert landing.startswith(f"http://tcma.test/l/{setup.campaign.code}?")
    cookie = visitor.get_cookie(engagement.ATTRIBUTION_COOKIE, path=f"/l/{setup.campaign.code}")
    assert cookie is not None and cookie.http_only
    answer = _lead_form_post(visitor, landing.removeprefix("http://tcma.test"))
    assert answer.status_code == 303
    # A visitor without the click's cookie, or with a forged one, brings an ordinary lead.
    stranger = app.test_client()
    stranger.set_cookie(
        engagement.ATTRIBUTION_COOKIE, "forged.value", path=f"/l/{setup.campaign.code}"
    )
    _lead_form_post(stranger, f"/l/{setup.campaign.code}", email="sam@other.example")
    with app.app_context():
        session = db.session()
        leads = {lead.email: lead for lead in session.scalars(select(Lead))}
        ana = session.scalar(select(Contact).where(Contact.email == "ana@acme.example"))
        assert leads["grace@navy.example"].mailing_id == setup.mailing.id
        assert leads["grace@navy.example"].mail_contact_id == ana.id
        assert leads["sam@other.example"].mailing_id is None
        won = add_opportunity(
            session,
            setup.campaign.partner_id,
            setup.campaign.id,
            "1200.50",
            pipeline_rules.CLOSED_WON,
        )
        won.lead_id = leads["grace@navy.example"].id
        other = add_opportunity(session, setup.campaign.partner_id, setup.campaign.id, "99.00")
        other.lead_id = leads["sam@other.example"].id
        session.commit()
        numbers = engagement.email_pipeline(session, [setup.mailing.id])
        assert (numbers.leads, numbers.opportunities) == (1, 1)
        assert numbers.won_revenue == {"USD": Decimal("1200.50")}
    page = as_a_user.get(f"/mailings/{setup.mailing.id}").get_data(as_text=True)
    assert "<dt>Leads</dt><dd>1</dd>" in page
    assert "<dt>Opportunities</dt><dd>1</dd>" in page
    assert "1,200.50" in page[page.index("<dt>Won revenue</dt>") :][:200]
    channel = as_a_user.get(f"/pipeline/campaigns/{setup.campaign.id}").get_data(as_text=True)
    assert "<dt>Leads from email</dt><dd>1</dd>" in channel


def test_erasing_the_contact_keeps_the_lead_counting_without_naming_them(
    app: Flask, world: World, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world, live=True)
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    tracked = re.findall(
        r'href="http://tcma\.test(/c/[^"]+)"', _html(_message_to(outbox, "ana@acme.example"))
    )[0]
    visitor = app.test_client()
    landing = visitor.get(tracked).headers["Location"].removeprefix("http://tcma.test")
    _lead_form_post(visitor, landing)
    with app.app_context():
        session = db.session()
        ana = session.scalar(select(Contact).where(Contact.email == "ana@acme.example"))
        contacts.erase_contact(session, None, ana)
        session.commit()
        lead = session.scalar(select(Lead))
        assert (lead.mailing_id, lead.mail_contact_id) == (setup.mailing.id, None)


def test_references_and_pixel_tokens_are_refused_when_forged(app: Flask) -> None:
    with app.app_context():
        secret = app.config["SECRET_KEY"]
        token = rules.attribution_token(secret, 3, 7)
        assert rules.attribution_of_token(secret, token) == (3, 7)
        assert rules.attribution_of_token("another secret", token) is None
        assert rules.attribution_of_token(secret, token + "x") is None
        assert rules.open_of_token(secret, rules.open_token(secret, 3, 7)) == (3, 7)
