"""Outgoing mail through a real SMTP server, and the development outbox."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask

from tcma.mail import Mailer, MailError, init_mail, send_mail

INVITE_TEXT = (
    "Hello Dana,\n\nAcme invited you to its partner portal.\n"
    "Set your password here: http://localhost:5000/invitations/abc123?x=1\n"
)
INVITE_HTML = '<p>Hello Dana,</p><p><a href="http://localhost:5000/invitations/abc123">Join</a></p>'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


def _accept_partner_login(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login,
        auth_data.password,
    ) == (b"mailer@acme.example", b"p@ss:word")
    # handled=False: let aiosmtpd answer 535 itself instead of leaving the client waiting.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 that accepts one login (without TLS, for tests)."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_accept_partner_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_message_arrives_with_subject_text_and_html(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    mailer = Mailer.from_config(
        f"smtp://127.0.0.1:{port}", "Acme Partners <partners@acme.example>", Path("unused")
    )
    sent = mailer.send(
        ["dana@reseller.example", "lee@reseller.example"],
        "You are invited to Acme Partners",
        INVITE_TEXT,
        INVITE_HTML,
        reply_to="channel@acme.example",
    )

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["dana@reseller.example", "lee@reseller.example"]
    [received] = inbox.messages()
    assert received["Subject"] == "You are invited to Acme Partners"
    assert received["From"] == "Acme Partners <partners@acme.example>"
    assert received["Reply-To"] == "channel@acme.example"
    assert received["Message-ID"] == sent["Message-ID"]
    assert received["Message-ID"].endswith("@acme.example>")
    assert received["Date"]
    assert received.get_content_type() == "multipart/alternative"
    assert "http://localhost:5000/invitations/abc123" in received.get_body(("plain",)).get_content()
    assert 'href="http://localhost:5000/invitations/abc123"' in (
        received.get_body(("html",)).get_content()
    )


def test_smtp_login_with_credentials_from_the_url(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    good = f"smtp://mailer%40acme.example:p%40ss%3Aword@127.0.0.1:{port}"
    Mailer.from_config(good, "partners@acme.example", Path("unused")).send(
        "dana@reseller.example", "Hi", "Plain text only."
    )
    [received] = inbox.messages()
    assert received.get_content_type() == "text/plain"

    bad = f"smtp://mailer%40acme.example:wrong@127.0.0.1:{port}"
    with pytest.raises(MailError):
        Mailer.from_config(bad, "partners@acme.example", Path("unused")).send(
            "dana@reseller.example", "Hi", "text"
        )


def test_unreachable_smtp_server_raises_mail_error() -> None:
    mailer = Mailer.from_config(
        f"smtp://127.0.0.1:{_free_port()}", "partners@acme.example", Path("unused")
    )
    with pytest.raises(MailError):
        mailer.send("dana@reseller.example", "Hi", "text")


def test_outbox_writes_an_eml_and_logs_the_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = Mailer.from_config("", "partners@acme.example", tmp_path / "mail")
    with caplog.at_level(logging.INFO, logger="tcma.mail"):
        mailer.send("dana@reseller.example", "You are invited", INVITE_TEXT, INVITE_HTML)
        mailer.send("lee@reseller.example", "Second", "No link here.")

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "dana@reseller.example"
    assert parsed["Subject"] == "You are invited"
    assert "http://localhost:5000/invitations/abc123?x=1" in (
        parsed.get_body(("plain",)).get_content()
    )

    [first, _second] = [r for r in caplog.records if r.name == "tcma.mail"]
    line = first.getMessage()
    assert "\n" not in line
    assert "dana@reseller.example" in line
    assert "You are invited" in line
    assert "http://localhost:5000/invitations/abc123?x=1" in line


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://host:notaport"])
def test_bad_smtp_url_is_refused_at_startup(url: str) -> None:
    with pytest.raises(MailError):
        Mailer.from_config(url, "partners@acme.example", Path("unused"))


def test_header_injection_is_refused(tmp_path: Path) -> None:
    mailer = Mailer.from_config("", "partners@acme.example", tmp_path)
    with pytest.raises(MailError):
        mailer.send("dana@reseller.example", "Hi\r\nBcc: victim@example.com", "text")
    assert list(tmp_path.iterdir()) == []


def test_send_mail_uses_the_app_mailer(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(SMTP_URL="", MAIL_FROM="Acme <partners@acme.example>")
    init_mail(app)
    with app.app_context():
        send_mail("dana@reseller.example", "Welcome", "Hello")
    [saved] = (tmp_path / "instance" / "mail").glob("*.eml")
    assert b"Subject: Welcome" in saved.read_bytes()
