"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1): what recipients receive."""

from __future__ import annotations

import re

import dkim
from flask import Flask
from sqlalchemy import select

from tcma import db
from tcma.mailings import contacts, rules, services, tasks
from tcma.mailings.models import Delivery, Mailing, Suppression
from tests.conftest import World
from tests.mailings.conftest import DOMAIN, Inbox, send_mailing, setup_mailing


def test_each_recipient_gets_one_signed_personal_message_with_unsubscribe_headers(
    smtp_app: Flask, world: World, inbox, dkim_keys
) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)

    assert sorted(a for e in handler.envelopes for a in e.rcpt_tos) == sorted(
        c.email for c in setup.contacts
    )
    ana = handler.to("ana@acme.example")
    assert len(ana) == 1
    envelope = ana[0]
    assert envelope.mail_from.startswith("bounces+") and envelope.mail_from.endswith(f"@{DOMAIN}")
    message = Inbox.parse(envelope)
    assert message["From"].addresses[0].display_name == "Brightpath Cloud Services"
    assert message["From"].addresses[0].domain == DOMAIN
    assert (
        message["Subject"] == "Brightpath Cloud Services invites you: Restore drills for busy teams"
    )
    unsubscribe = str(message["List-Unsubscribe"])
    https = re.search(r"<(http[^>]+)>", unsubscribe)
    assert https and https.group(1).startswith("http://tcma.test/u/")
    assert f"<mailto:unsubscribe@{DOMAIN}?subject=unsubscribe" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("Hi Ana at Acme Schools,")
    assert "1 Harbour Street, Leeds" in text and https.group(1) in text
    assert "1 Harbour Street, Leeds" in html and "Unsubscribe</a>" in html
    # Fallbacks where a contact lacks a merge field.
    bo = Inbox.parse(handler.to("bo@beta.example")[0])
    assert (
        bo.get_body(preferencelist=("plain",)).get_content().startswith("Hi there at Beta Council,")
    )

    record = dkim_keys[1]
    assert dkim.verify(envelope.content, dnsfunc=lambda name, timeout=5: record)
    assert b"s=t2026" in envelope.content.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"")
    tampered = envelope.content.replace(b"Restore drills", b"Restore drill$", 1)
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: record)

    with smtp_app.app_context():
        session = db.session()
        states = set(session.scalars(select(Delivery.state)))
        mailing = session.get(Mailing, setup.mailing.id)
        assert states == {rules.DELIVERED} and mailing.status == rules.SENT


def test_a_job_that_runs_twice_mails_nobody_twice(smtp_app: Flask, world: World, inbox) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    assert len(handler.envelopes) == 3
    with smtp_app.app_context():
        session = db.session()
        ids = list(session.scalars(select(Delivery.id)))
        session.get(Mailing, setup.mailing.id).status = rules.SENDING  # as if still running
        session.commit()
        tasks.send_batch(session, setup.mailing.id, ids)
        tasks.start_mailing(session, setup.mailing.id)
        session.commit()
    assert len(handler.envelopes) == 3


def test_one_click_post_suppresses_and_the_address_gets_nothing_again(
    smtp_app: Flask, world: World, inbox
) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    message = Inbox.parse(handler.to("ana@acme.example")[0])
    url = re.search(r"<(http[^>]+)>", str(message["List-Unsubscribe"])).group(1)

    # A mail program's one-click POST: no session, no CSRF token (CSRF is on in this app).
    answer = smtp_app.test_client().post(
        url.removeprefix("http://tcma.test"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert b"You are unsubscribed" in answer.data
    with smtp_app.app_context():
        session = db.session()
        assert contacts.is_suppressed(session, world.partner_a.id, "ana@acme.example")
        assert not contacts.is_suppressed(session, world.partner_b.id, "ana@acme.example")
        assert services.report(session, [setup.mailing.id]).unsubscribed == 1
        # A second mailing to the same list leaves her out.
        campaign = session.get(Mailing, setup.mailing.id).campaign
        second = services.create_mailing(
            session, None, campaign, "Follow-up", "invite-email", [setup.contact_list.id], ""
        )
        session.commit()
        second_id = second.id
    before = len(handler.envelopes)
    send_mailing(smtp_app, second_id)
    new = handler.envelopes[before:]
    assert sorted(a for e in new for a in e.rcpt_tos) == ["bo@beta.example", "cy@gamma.example"]
    with smtp_app.app_context():
        assert services.report(db.session(), [second_id]).suppressed == 1


def test_a_get_of_the_unsubscribe_link_only_asks(smtp_app: Flask, world: World, inbox) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    url = re.search(r"<(http[^>]+)>", str(Inbox.parse(handler.envelopes[0])["List-Unsubscribe"]))
    page = smtp_app.test_client().get(url.group(1).removeprefix("http://tcma.test"))
    assert page.status_code == 200 and b"Stop receiving emails from" in page.data
    with smtp_app.app_context():
        assert db.session().scalar(select(Suppression.id)) is None
    forged = smtp_app.test_client().post("/u/" + url.group(1).rsplit("/", 1)[-1][:-2] + "xx")
    assert forged.status_code == 404


def test_temporary_refusals_are_retried_and_permanent_ones_recorded(
    smtp_app: Flask, world: World, inbox
) -> None:
    handler, _ = inbox
    handler.refuse = {
        "bo@beta.example": "451 4.7.1 Greylisted, try again later",
        "cy@gamma.example": "550 5.1.1 No such mailbox",
    }
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    with smtp_app.app_context():
        session = db.session()
        by_email = {d.email: d for d in session.scalars(select(Delivery))}
        assert by_email["ana@acme.example"].state == rules.DELIVERED
        bo, cy = by_email["bo@beta.example"], by_email["cy@gamma.example"]
        assert bo.state == rules.DEFERRED and bo.smtp_answer.startswith("451")
        assert bo.next_attempt_at is not None
        assert cy.state == rules.FAILED and "5.1.1 No such mailbox" in cy.smtp_answer
        assert contacts.is_suppressed(session, world.partner_a.id, "cy@gamma.example")
        assert session.get(Mailing, setup.mailing.id).status == rules.SENDING
        # The greylisting ends; the retry (run now, its time moved to now) delivers once.
        handler.refuse = {}
        bo.next_attempt_at = db.utcnow()
        session.commit()
        tasks.send_batch(session, setup.mailing.id, [bo.id, cy.id])
        session.commit()
        assert session.get(Delivery, bo.id).state == rules.DELIVERED
        assert session.get(Delivery, bo.id).attempts == 2
        report = services.report(session, [setup.mailing.id])
        assert (report.delivered, report.bounced) == (2, 1)
        assert session.get(Mailing, setup.mailing.id).status == rules.SENT
    assert len(handler.to("bo@beta.example")) == 1
    assert handler.to("cy@gamma.example") == []


def test_links_go_through_signed_redirects_to_the_message_own_links_only(
    smtp_app: Flask, world: World, inbox
) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    message = Inbox.parse(handler.to("ana@acme.example")[0])
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    tracked = re.findall(r'href="(http://tcma\.test/c/[^"]+)"', html)
    assert tracked, "the message's links are tracked"
    assert tracked[0] in text  # the plain-text part carries the same tracked link
    with smtp_app.app_context():
        original = rules.message_links(db.session().get(Mailing, setup.mailing.id).html_body)[0]
    client = smtp_app.test_client()
    answer = client.get(tracked[0].removeprefix("http://tcma.test"))
    assert answer.status_code == 302
    assert answer.headers["Location"] == original.replace("&amp;", "&")
    client.get(tracked[0].removeprefix("http://tcma.test"))
    with smtp_app.app_context():
        session = db.session()
        secret = smtp_app.config["SECRET_KEY"]
        report = services.report(session, [setup.mailing.id])
        assert report.clicked == 1
        ana = session.scalar(select(Delivery).where(Delivery.email == "ana@acme.example"))
        assert ana.clicks == 2
        beyond = rules.click_token(secret, setup.mailing.id, ana.id, 99)
        other = rules.click_token("not the secret", setup.mailing.id, ana.id, 0)
    # No position beyond the message's links, no forged token: nothing to redirect to.
    assert client.get(f"/c/{beyond}").status_code == 404
    assert client.get(f"/c/{other}").status_code == 404
