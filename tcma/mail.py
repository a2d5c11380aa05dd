"""Outgoing mail: SMTP in production, .eml files plus a log line in development."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.jobs import effects

log = logging.getLogger(__name__)

EXTENSION_KEY = "tcma.mailer"
SMTP_TIMEOUT = 10
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
_TRUE = frozenset({"1", "true", "yes", "on"})

#: Delivers one finished message; raises MailError when it cannot.
Transport = Callable[[EmailMessage], None]
#: Sends one message's bytes from an envelope sender to one recipient on an open connection.
RawSender = Callable[[str, str, bytes], None]


class MailError(Exception):
    """A message could not be built or delivered."""


class DeliveryUncertain(MailError):
    """The connection failed after the message was handed over: it may have been accepted."""


class _SMTP(smtplib.SMTP):
    """Remembers whether the current message reached the DATA phase (see DeliveryUncertain)."""

    data_started = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


class _SMTPOverTLS(smtplib.SMTP_SSL):
    """The same over implicit TLS."""

    data_started = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


@dataclass(frozen=True)
class _SMTPTransport:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool

    def connect(self) -> _SMTP | _SMTPOverTLS:
        """An open, greeted (and signed-in) SMTP connection; smtplib errors pass through."""
        context = ssl.create_default_context()
        if self.implicit_tls:
            smtp: _SMTP | _SMTPOverTLS = _SMTPOverTLS(
                self.host, self.port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            smtp = _SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        try:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def __call__(self, message: EmailMessage) -> None:
        try:
            with self.connect() as smtp:
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP delivery to {self.host}:{self.port} failed: {exc}") from exc


@dataclass(frozen=True)
class _OutboxTransport:
    folder: Path

    def write(self, data: bytes) -> Path:
        """Save one message's bytes as a new .eml file."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as file:
                file.write(data)
        except OSError as exc:
            raise MailError(f"cannot write {path}: {exc}") from exc
        return path

    def __call__(self, message: EmailMessage) -> None:
        path = self.write(bytes(message))
        text = message.get_body(preferencelist=("plain",))
        links = _LINK.findall(text.get_content()) if text is not None else []
        # One line a developer can read in the console and click the link from.
        log.info(
            "mail to %s: %r %s (saved to %s)",
            message["To"],
            message["Subject"],
            " ".join(links) or "(no links)",
            path,
        )


class Mailer:
    """Builds messages from one sender address and hands them to a transport."""

    def __init__(self, mail_from: str, transport: Transport) -> None:
        self.mail_from = mail_from
        self.transport = transport
        # make_msgid() would otherwise look up this host's FQDN (slow, often "localhost").
        self._msgid_domain = parseaddr(mail_from)[1].rpartition("@")[2] or "tcma.invalid"

    @classmethod
    def from_config(cls, url: str, mail_from: str, outbox_dir: Path) -> Mailer:
        """Build a mailer for ``smtp://``/``smtps://`` URLs, or an outbox folder if empty."""
        if not url:
            return cls(mail_from, _OutboxTransport(Path(outbox_dir)))
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailError("SMTP URL must look like smtp://user:pass@host:port or smtps://...")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[-1].lower() in _TRUE
        implicit_tls = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if implicit_tls else 587 if starttls else 25)
        except ValueError as exc:
            raise MailError(f"SMTP URL has a bad port: {exc}") from exc
        transport = _SMTPTransport(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit_tls,
            starttls=starttls and not implicit_tls,
        )
        return cls(mail_from, transport)

    @contextmanager
    def connection(self) -> Iterator[RawSender]:
        """One connection for many messages (bulk sends): ``send(sender, recipient, data)``.

        Over SMTP, smtplib's exceptions reach the caller unchanged, so that it can tell a
        temporary refusal (4xx) from a permanent one (5xx), except a connection lost after
        the message went out: DeliveryUncertain (sending it again could deliver it twice).
        The outbox saves .eml files.
        """
        transport = self.transport
        if isinstance(transport, _SMTPTransport):
            with transport.connect() as smtp:

                def send(sender: str, recipient: str, data: bytes) -> None:
                    smtp.data_started = False
                    try:
                        smtp.sendmail(sender, [recipient], data)
                    except smtplib.SMTPResponseException:
                        raise  # the server answered: no doubt about the outcome
                    except OSError as exc:  # disconnected, timed out, reset
                        if smtp.data_started:
                            raise DeliveryUncertain(f"connection lost after DATA: {exc}") from exc
                        raise

                yield send
        elif isinstance(transport, _OutboxTransport):
            yield lambda sender, recipient, data: log.info(
                "mail to %s saved to %s", recipient, transport.write(data)
            )
        else:  # a transport given by a test or a plugin: hand it parsed messages
            yield lambda sender, recipient, data: transport(
                message_from_bytes(data, _class=EmailMessage, policy=email_policy.SMTP)
            )

    def build(
        self,
        to: str | list[str],
        subject: str,
        text: str,
        html: str | None = None,
        reply_to: str | None = None,
        key: str | None = None,
    ) -> EmailMessage:
        """Return a complete message: text part, plus an HTML alternative if given.

        With an idempotency ``key`` the Message-ID is derived from it, so a copy that a
        crashed worker sent again is recognisably the same message.
        """
        recipients = [to] if isinstance(to, str) else list(to)
        if not recipients:
            raise MailError("a message needs at least one recipient")
        message = EmailMessage()
        try:
            # The default policy refuses CR/LF in header values: no header injection.
            message["From"] = self.mail_from
            message["To"] = ", ".join(recipients)
            message["Subject"] = subject
            message["Date"] = formatdate(localtime=False, usegmt=True)
            if key:
                digest = hashlib.sha256(key.encode()).hexdigest()[:32]
                message["Message-ID"] = f"<{digest}@{self._msgid_domain}>"
            else:
                message["Message-ID"] = make_msgid(domain=self._msgid_domain)
            if reply_to:
                message["Reply-To"] = reply_to
        except (ValueError, TypeError) as exc:
            raise MailError(f"bad header: {exc}") from exc
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def send(
        self,
        to: str | list[str],
        subject: str,
        text: str,
        html: str | None = None,
        reply_to: str | None = None,
        key: str | None = None,
    ) -> EmailMessage:
        """Build a message and deliver it; raises MailError on failure."""
        message = self.build(to, subject, text, html, reply_to, key)
        self.transport(message)
        return message


def init_mail(app: Flask) -> None:
    """Give the app a mailer built from SMTP_URL and MAIL_FROM."""
    app.extensions[EXTENSION_KEY] = Mailer.from_config(
        app.config["SMTP_URL"], app.config["MAIL_FROM"], Path(app.instance_path) / "mail"
    )


def send_mail(
    to: str | list[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    """Send a message through the current app's mailer."""
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]
    return mailer.send(to, subject, text, html, reply_to)


#: SMTP failures are retried 6 times: after 30 s, 1, 2, 4, 8 and 16 minutes (the first wait is
#: the MAIL_RETRY_DELAY setting). After the last, the email shows on the failed-jobs page.
MAIL_RETRIES, MAIL_RETRY_DELAY, MAIL_BACKOFF = 6, 30, 2


def _describe_mail(key: str, to: list[str], subject: str, *rest: object) -> str:
    return f"Email to {', '.join(to)}: {subject}"


@jobs.task(
    "mail.send",
    retries=MAIL_RETRIES,
    retry_delay=MAIL_RETRY_DELAY,
    retry_backoff=MAIL_BACKOFF,
    retry_delay_setting="MAIL_RETRY_DELAY",
    kind="email",
    describe=_describe_mail,
)
def send_mail_job(
    session: Session,
    key: str,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
) -> None:
    """The job behind queue_mail: deliver once per key (MailError makes Huey retry)."""
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]
    effects.once(f"mail:{key}", lambda: mailer.send(to, subject, text, html, reply_to, key))


def queue_mail(
    session: Session,
    to: str | list[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    key: str | None = None,
) -> str:
    """Send a message from a worker once ``session`` commits; returns its idempotency key.

    The message is built (and checked) now, so a bad header fails the caller, not the job.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]
    mailer.build(recipients, subject, text, html, reply_to)
    key = key or secrets.token_hex(16)
    jobs.enqueue(session, send_mail_job, key, recipients, subject, text, html, reply_to)
    return key
