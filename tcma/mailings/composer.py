"""One mailing's messages, fast: the shared parts prepared once, each recipient's bytes joined.

``build_message`` builds a message with the email package (about 2 ms each); a mailing sends
thousands that differ only in a few places (To, greeting, links, unsubscribe URL). The
composer renders the HTML and text once with markers in those places, and per recipient joins
the pieces and quoted-printable encodes them (binascii, in C). A recipient it cannot write
this way (a non-ASCII address) gets ``build_message`` instead, with the same content.
"""

from __future__ import annotations

import binascii
import secrets
import time
from dataclasses import dataclass
from email.utils import formatdate
from html import unescape
from urllib.parse import quote

from markupsafe import escape

from tcma.mailings import rules
from tcma.mailings.message import (
    POLICY,
    SIGNED_HEADERS,
    Content,
    DkimKey,
    Sender,
    build_message,
    dkim_signature,
    footer_html,
    footer_text,
    frame_html,
    pixel_html,
    signed_bytes,
)

_MARK = "\x00"  # never in rendered content (checked), so it can delimit the slots
_MAX_HEADER_LINE = 998  # RFC 5322 §2.1.1


@dataclass(frozen=True)
class Recipient:
    """What differs between two recipients' messages."""

    to: str
    greeting: str
    unsubscribe_url: str
    message_id: str
    tracked: tuple[str, ...]  # the tracked URL of each of the content's links, in order
    open_pixel: str | None = None  # the delivery's open image, when the mailing tracks opens


def _slot(name: str) -> str:
    return f"{_MARK}{name}{_MARK}"


def _pieces(template: str) -> tuple[list[str], list[str]]:
    """The template's fixed texts, and the names of the slots between them."""
    parts = template.split(_MARK)
    return parts[0::2], parts[1::2]


def _qp(text: str) -> bytes:
    """A text body as the email package writes it (lines normalised, CRLF), quoted-printable."""
    lines = text.encode().splitlines()
    return binascii.b2a_qp(b"\r\n".join(lines) + b"\r\n", istext=True)


def _header_lines(sender: Sender, content: Content) -> dict[str, bytes]:
    """From, Reply-To and Subject exactly as the email package folds and encodes them."""
    prototype = build_message(content, sender, "x@example.invalid", "", "https://x/u/x", "<x@x>")
    head = prototype.as_bytes(policy=POLICY).split(b"\r\n\r\n", 1)[0]
    fields: dict[str, bytes] = {}
    name = ""
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            fields[name] += b"\r\n" + line
        else:
            name = line.split(b":", 1)[0].decode().lower()
            fields[name] = line
    return {key: fields[key] + b"\r\n" for key in ("from", "reply-to", "subject") if key in fields}


class Composer:
    """Writes the messages of one mailing (content and sender) recipient by recipient."""

    def __init__(self, content: Content, sender: Sender, key: DkimKey | None) -> None:
        self.content, self.sender, self.key = content, sender, key
        self.links = rules.message_links(content.html)
        self.usable = _MARK not in content.html + content.text + sender.name
        marks = {link: _slot(f"L{index}") for index, link in enumerate(self.links)}
        html = frame_html(
            rules.track_links(content.html, marks),
            _slot("G"),
            footer_html(sender, _slot("U")) + _slot("P"),
        )
        text = content.text.strip()
        for link in sorted(self.links, key=len, reverse=True):
            text = text.replace(unescape(link), marks[link])
        text = _slot("g") + text + footer_text(sender, _slot("u"))
        self._html, self._text = _pieces(html), _pieces(text)
        headers = _header_lines(sender, content)
        self._from = headers["from"]
        self._middle = headers.get("reply-to", b"") + headers["subject"]
        # "=_" never occurs in quoted-printable text, so this boundary cannot clash (RFC 2045).
        boundary = f"=_tcma_{secrets.token_hex(12)}".encode()
        part = b"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        self._open = (
            b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative;"
            b' boundary="' + boundary + b'"\r\n\r\n--' + boundary + b"\r\n"
            b'Content-Type: text/plain; charset="utf-8"' + part
        )
        self._between = (
            b"\r\n--" + boundary + b'\r\nContent-Type: text/html; charset="utf-8"' + part
        )
        self._close = b"\r\n--" + boundary + b"--\r\n"
        self._signed = [name for name in SIGNED_HEADERS if name != b"reply-to" or sender.reply_to]
        self._date = (0, "")

    def _now(self) -> str:
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True))
        return self._date[1]

    def compose(self, person: Recipient) -> bytes:
        """The message's bytes as sent (DKIM-signed when a key is configured)."""
        try:
            data = self._fast(person)
        except (UnicodeEncodeError, ValueError):
            data = None
        if data is None:
            return self._slow(person)
        if self.key is None:
            return data
        return dkim_signature(data, self.sender.domain, self.key, self._signed) + data

    def _fast(self, person: Recipient) -> bytes | None:
        if not self.usable or len(person.tracked) != len(self.links):
            return None
        token = person.unsubscribe_url.rsplit("/", 1)[-1]
        mailto = f"mailto:unsubscribe@{self.sender.domain}?subject={quote('unsubscribe ' + token)}"
        lines = [
            f"To: {person.to}",
            f"Date: {self._now()}",
            f"Message-ID: {person.message_id}",
            f"List-Unsubscribe: <{person.unsubscribe_url}>, <{mailto}>",
        ]
        if any(len(line) > _MAX_HEADER_LINE or "\r" in line or "\n" in line for line in lines):
            return None
        to, date, message_id, unsubscribe = (f"{line}\r\n".encode("ascii") for line in lines)
        values = {f"L{index}": url for index, url in enumerate(person.tracked)}
        greeting = person.greeting
        html = _join(
            self._html,
            values
            | {
                "G": rules.greeting_html(greeting),
                "U": str(escape(person.unsubscribe_url)),
                "P": pixel_html(person.open_pixel),
            },
        )
        text = _join(
            self._text,
            values | {"g": f"{greeting}\n\n" if greeting else "", "u": person.unsubscribe_url},
        )
        return b"".join(
            (
                self._from,
                to,
                self._middle,
                date,
                message_id,
                unsubscribe,
                b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                self._open,
                _qp(text),
                self._between,
                _qp(html),
                self._close,
            )
        )

    def _slow(self, person: Recipient) -> bytes:
        message = build_message(
            self.content,
            self.sender,
            person.to,
            person.greeting,
            person.unsubscribe_url,
            person.message_id,
            tracked=dict(zip(self.links, person.tracked, strict=True)),
            open_pixel=person.open_pixel,
        )
        return signed_bytes(message, self.sender.domain, self.key)


def _join(pieces: tuple[list[str], list[str]], values: dict[str, str]) -> str:
    statics, names = pieces
    out = [statics[0]]
    for name, static in zip(names, statics[1:], strict=True):
        out += (values[name], static)
    return "".join(out)
