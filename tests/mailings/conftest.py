"""Fixtures of the mailing tests: a real SMTP server (aiosmtpd), a DKIM key, an app using them."""

from __future__ import annotations

import base64
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from tcma import db, jobs
from tcma.accounts.models import Partner
from tcma.mailings import services, tasks
from tcma.mailings.models import Mailing
from tests.conftest import World, make_test_app
from tests.mailings.support import mailing_setup

DOMAIN = "mail.northbeam.example"


class Inbox:
    """Keeps every message; refuses the recipients listed in ``refuse`` with their answer."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        return [e for e in self.envelopes if address in e.rcpt_tos]

    @staticmethod
    def parse(envelope: Any) -> EmailMessage:
        return email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[return-value]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def dkim_keys(tmp_path: Path) -> tuple[Path, bytes]:
    """A DKIM private key file and the DNS TXT record that publishes its public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.fixture
def smtp_app(database_url: str, tmp_path: Path, inbox, dkim_keys) -> Iterator[Flask]:
    """The app sending to the test SMTP server, signing with the test key, CSRF on."""
    _, port = inbox
    app = make_test_app(
        database_url,
        tmp_path,
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        MAILING_DOMAIN=DOMAIN,
        DKIM_KEY_FILE=str(dkim_keys[0]),
        DKIM_SELECTOR="t2026",
        WTF_CSRF_ENABLED=True,
    )
    yield app
    app.extensions["tcma.engine"].dispose()


def send_mailing(app: Flask, mailing_id: int) -> None:
    """What "Send now" does: the transition, then the start job after the commit."""
    with app.app_context():
        session = db.session()
        mailing = session.get(Mailing, mailing_id)
        services.send_now(session, None, mailing)
        jobs.enqueue(session, tasks.start_mailing, mailing_id)
        session.commit()


def setup_mailing(app: Flask, world: World):
    session = app.extensions["tcma.sessionmaker"]()
    partner = session.get(Partner, world.partner_a.id)
    setup = mailing_setup(app, session, partner)
    session.close()
    return setup
