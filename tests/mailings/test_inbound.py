"""Mail coming back through `tcma mail-inbound`: bounces to VERP addresses, mailto unsubscribes."""

from __future__ import annotations

import re
from urllib.parse import unquote

from flask import Flask
from sqlalchemy import select

from tcma import db
from tcma.mailings import contacts, rules, services
from tcma.mailings.models import Delivery
from tests.conftest import World
from tests.mailings.conftest import DOMAIN, Inbox, send_mailing, setup_mailing


def dsn(to: str, failed: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery status notification (RFC 3464) as a receiving MTA sends it."""
    return (
        f"From: MAILER-DAEMON@mx.acme.example\r\nTo: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.acme.example\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B--\r\n"
    ).encode()


def _inbound(app: Flask, data: bytes, recipient: str | None = None) -> str:
    args = ["mail-inbound"] + (["--recipient", recipient] if recipient else [])
    result = app.test_cli_runner().invoke(args=args, input=data)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_bounce_to_the_verp_address_fails_the_delivery_and_suppresses(
    smtp_app: Flask, world: World, inbox
) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    envelope = handler.to("cy@gamma.example")[0]
    verp = envelope.mail_from
    assert re.fullmatch(rf"bounces\+\d+\.[0-9a-f]{{16}}@{re.escape(DOMAIN)}", verp)

    # A temporary failure changes nothing; a forged VERP address is not believed.
    assert "nothing to do" in _inbound(
        smtp_app, dsn(verp, "cy@gamma.example", "delayed", "4.2.2"), verp
    )
    forged = verp.replace(verp.split(".")[1][:16], "0" * 16)
    assert "ignored" in _inbound(smtp_app, dsn(forged, "cy@gamma.example"))
    with smtp_app.app_context():
        assert not contacts.is_suppressed(db.session(), world.partner_a.id, "cy@gamma.example")

    assert "bounce: suppressed" in _inbound(smtp_app, dsn(verp, "cy@gamma.example"), verp)
    with smtp_app.app_context():
        session = db.session()
        assert contacts.is_suppressed(session, world.partner_a.id, "cy@gamma.example")
        delivery = session.scalar(select(Delivery).where(Delivery.email == "cy@gamma.example"))
        assert delivery.state == rules.FAILED and "permanent failure" in delivery.smtp_answer
        report = services.report(session, [setup.mailing.id])
        assert (report.delivered, report.bounced) == (2, 1)


def test_a_mail_to_the_mailto_unsubscribe_address_unsubscribes(
    smtp_app: Flask, world: World, inbox
) -> None:
    handler, _ = inbox
    setup = setup_mailing(smtp_app, world)
    send_mailing(smtp_app, setup.mailing.id)
    header = str(Inbox.parse(handler.to("bo@beta.example")[0])["List-Unsubscribe"])
    mailto = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", header)
    assert mailto is not None
    request = (
        f"From: bo@beta.example\r\nTo: {mailto.group(1)}\r\n"
        f"Subject: {unquote(mailto.group(2))}\r\n\r\n"
    ).encode()
    assert "unsubscribed" in _inbound(smtp_app, request)
    with smtp_app.app_context():
        session = db.session()
        assert contacts.is_suppressed(session, world.partner_a.id, "bo@beta.example")
        assert services.report(session, [setup.mailing.id]).unsubscribed == 1
