"""Mailing pages: create from a campaign, preview as a recipient, test send, schedule, cancel."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tcma import db
from tcma.accounts.models import Partner
from tcma.mailings import rules, tasks
from tcma.mailings.models import Delivery, Mailing
from tests.conftest import World
from tests.mailings.support import Setup, mailing_setup


def _setup(app: Flask, world: World, **kwargs) -> Setup:
    session = app.extensions["tcma.sessionmaker"]()
    setup = mailing_setup(app, session, session.get(Partner, world.partner_a.id), **kwargs)
    session.close()
    return setup


def test_a_mailing_is_made_from_a_campaign_email_and_lists(
    app: Flask, world: World, as_a_user: FlaskClient, as_b_user: FlaskClient
) -> None:
    setup = _setup(app, world)
    url = f"/mailings/new?campaign={setup.campaign.id}"
    assert as_b_user.get(url).status_code == 404
    refused = as_a_user.post(
        url, data={"name": "Invite", "asset_key": "invite-email", "greeting": "Hi"}
    )
    assert b"Choose at least one list" in refused.data
    bad_greeting = as_a_user.post(
        url,
        data={
            "name": "Invite",
            "asset_key": "invite-email",
            "list_ids": str(setup.contact_list.id),
            "greeting": "{{ ''.__class__.__mro__ }}",
        },
    )
    assert b"The greeting cannot be used" in bad_greeting.data
    made = as_a_user.post(
        url,
        data={
            "name": "Invite",
            "asset_key": "invite-email",
            "list_ids": str(setup.contact_list.id),
            "greeting": "Dear {{ first_name or 'friend' }},",
        },
    )
    assert made.status_code == 302
    page = as_a_user.get(made.headers["Location"])
    assert b"Recipients (if sent now)" in page.data and b"<dd>3</dd>" in page.data


def test_preview_shows_the_message_as_the_chosen_recipient(
    app: Flask, world: World, as_a_user: FlaskClient, as_b_user: FlaskClient
) -> None:
    setup = _setup(app, world)
    ana, bo = setup.contacts[0], setup.contacts[1]
    base = f"/mailings/{setup.mailing.id}/preview"
    html = as_a_user.get(f"{base}?contact={ana.id}")
    assert html.status_code == 200
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert b"Hi Ana at Acme Schools," in html.data
    assert b"1 Harbour Street, Leeds" in html.data
    text = as_a_user.get(f"{base}?contact={bo.id}&part=text").get_data(as_text=True)
    assert text.startswith("Hi there at Beta Council,")
    assert as_b_user.get(f"{base}?contact={ana.id}").status_code == 404


def test_a_test_copy_goes_to_the_person_who_asked(
    app: Flask, world: World, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world)
    ana = setup.contacts[0]
    answer = as_a_user.post(f"/mailings/{setup.mailing.id}/test", data={"contact": ana.id})
    assert answer.status_code == 302
    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == world.users["a_user"].email
    assert message["Subject"].startswith("[Test] ")
    assert message.get_body(preferencelist=("plain",)).get_content().startswith("Hi Ana")
    with app.app_context():
        assert db.session().scalar(select(Delivery.id)) is None  # nobody else was mailed


def test_schedule_in_a_time_zone_then_cancel(
    app: Flask, world: World, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world)
    day = dt.date.today() + dt.timedelta(days=3)
    answer = as_a_user.post(
        f"/mailings/{setup.mailing.id}/schedule",
        data={"send_on": day.isoformat(), "send_at": "09:30", "time_zone": "America/New_York"},
    )
    assert answer.status_code == 302
    with app.app_context():
        mailing = db.session().get(Mailing, setup.mailing.id)
        assert mailing.status == rules.SCHEDULED
        local = mailing.scheduled_at.astimezone(rules.zone("America/New_York"))
        assert (local.date(), local.hour, local.minute) == (day, 9, 30)
    past = as_a_user.post(
        f"/mailings/{setup.mailing.id}/schedule",
        data={"send_on": "2020-01-01", "send_at": "09:30", "time_zone": "UTC"},
    )
    assert b"Choose a time in the future" in as_a_user.get(past.headers["Location"]).data
    as_a_user.post(f"/mailings/{setup.mailing.id}/cancel")
    with app.app_context():
        session = db.session()
        assert session.get(Mailing, setup.mailing.id).status == rules.CANCELED
        # The start job that was queued for the send time does nothing now.
        tasks.start_mailing(session, setup.mailing.id)
        session.commit()
        assert session.scalar(select(Delivery.id)) is None
    assert list(outbox.glob("*.eml")) == []


def test_a_due_scheduled_mailing_is_sent_by_the_periodic_check(
    app: Flask, world: World, outbox: Path
) -> None:
    setup = _setup(app, world)
    with app.app_context():
        session = db.session()
        mailing = session.get(Mailing, setup.mailing.id)
        mailing.status, mailing.scheduled_at = (
            rules.SCHEDULED,
            db.utcnow() - dt.timedelta(seconds=5),
        )
        session.commit()
        tasks.start_due_mailings(session)
        session.commit()  # the queued start job runs after this commit (immediate queue)
        session.expire_all()
        assert session.get(Mailing, setup.mailing.id).status == rules.SENT
    assert len(list(outbox.glob("*.eml"))) == 3


def test_sending_needs_a_postal_address(app: Flask, world: World, as_a_user: FlaskClient) -> None:
    setup = _setup(app, world, address="")
    answer = as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    assert b"Add your postal address" in as_a_user.get(answer.headers["Location"]).data
    with app.app_context():
        assert db.session().get(Mailing, setup.mailing.id).status == rules.DRAFT


def test_the_campaign_pipeline_page_shows_email_as_a_channel(
    app: Flask, world: World, as_a_user: FlaskClient, as_finance: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world)
    before = as_a_user.get(f"/pipeline/campaigns/{setup.campaign.id}").get_data(as_text=True)
    assert "<dt>Delivered</dt><dd>0</dd>" in before[before.index('id="email-heading"') :]
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    page = as_finance.get(f"/pipeline/campaigns/{setup.campaign.id}").get_data(as_text=True)
    email_part = page[page.index('id="email-heading"') :]
    assert "<dt>Recipients</dt><dd>3</dd>" in email_part
    assert "<dt>Delivered</dt><dd>3</dd>" in email_part
    assert "Spring invite" not in email_part  # finance sees numbers, not the partner's mailings
    detail = as_a_user.get(f"/campaigns/{setup.campaign.id}").get_data(as_text=True)
    assert "Send by email" in detail


def test_the_do_not_contact_list_stops_every_partner_mailing(
    app: Flask, world: World, as_admin: FlaskClient, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world)
    bad = as_admin.post("/mailings/do-not-contact", data={"addresses": "bo@beta.example\nnope"})
    assert b"is not an email address" in bad.data
    added = as_admin.post(
        "/mailings/do-not-contact", data={"addresses": "BO@beta.example\n\nbo@beta.example"}
    )
    assert b"1 addresses added" in as_admin.get(added.headers["Location"]).data
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    recipients = sorted(
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["To"]
        for f in outbox.glob("*.eml")
    )
    assert recipients == ["ana@acme.example", "cy@gamma.example"]
    with app.app_context():
        states = {d.email: d.state for d in db.session().scalars(select(Delivery))}
        assert states["bo@beta.example"] == rules.SKIPPED
