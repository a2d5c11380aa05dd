"""One recipient's message: greeting, footer, unsubscribe headers (RFC 8058), DKIM."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from html import unescape
from urllib.parse import quote

import dkim
from markupsafe import escape

from tcma.cobrand.render.emails import one_line
from tcma.mailings import rules

# Python folds a long Subject right after "Subject:", which mail programs show with a
# leading space; headers may be up to 998 characters (RFC 5322 §2.1.1), bodies are QP anyway.
POLICY = SMTP.clone(max_line_length=998)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(r"</body\s*>", re.I)
# The headers a receiver must see unchanged for the signature to hold (RFC 6376 §5.4.1).
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)


@dataclass(frozen=True)
class Content:
    """The campaign's rendered email, the same for every recipient."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Sender:
    """Who a mailing comes from: the partner's name on the vendor's sending domain."""

    name: str
    localpart: str
    domain: str
    reply_to: str
    postal_address: str

    @property
    def envelope(self) -> str:
        """The return path of test messages (a mailing's deliveries each get a VERP one)."""
        return f"bounces@{self.domain}"


@dataclass(frozen=True)
class DkimKey:
    """A DKIM private key (PEM) with its selector, for the sending domain."""

    selector: str
    private_key: bytes


def content_of_eml(data: bytes) -> Content:
    """The subject, HTML and text of the campaign's rendered .eml draft."""
    parsed = message_from_bytes(data, _class=EmailMessage, policy=SMTP)
    html = parsed.get_body(preferencelist=("html",))
    text = parsed.get_body(preferencelist=("plain",))
    return Content(
        subject=one_line(str(parsed["Subject"] or "")),
        html=html.get_content() if html is not None else "",
        text=text.get_content() if text is not None else "",
    )


def footer_html(sender: Sender, unsubscribe_url: str) -> str:
    """The visible footer: who sent it, their postal address, and how to stop it."""
    return (
        '<div style="margin:24px;padding-top:12px;border-top:1px solid #ccc;'
        'font:12px/1.5 Arial,sans-serif;color:#555">'
        f"<p>{escape(sender.name)} · {escape(sender.postal_address)}</p>"
        "<p>You receive this email because of your relationship with "
        f"{escape(sender.name)}. "
        f'<a href="{escape(unsubscribe_url)}" style="color:#555">Unsubscribe</a></p></div>'
    )


def footer_text(sender: Sender, unsubscribe_url: str) -> str:
    """The plain-text footer."""
    return f"\n\n--\n{sender.name}, {sender.postal_address}\nUnsubscribe: {unsubscribe_url}\n"


def personal_html(html: str, greeting: str, footer: str) -> str:
    """The HTML with the greeting first in the body and the footer last."""
    return frame_html(html, rules.greeting_html(greeting), footer)


def frame_html(html: str, top: str, footer: str) -> str:
    """The HTML with ``top`` first in its body and ``footer`` last (both already HTML)."""
    opened = _BODY_OPEN.search(html)
    html = html[: opened.end()] + top + html[opened.end() :] if opened else top + html
    closed = list(_BODY_CLOSE.finditer(html))[-1] if _BODY_CLOSE.search(html) else None
    return html[: closed.start()] + footer + html[closed.start() :] if closed else html + footer


def pixel_html(url: str | None) -> str:
    """The 1×1 open image that ends the HTML part, or nothing when opens are not tracked."""
    if not url:
        return ""
    return (
        f'<img src="{escape(url)}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0">'
    )


def build_message(
    content: Content,
    sender: Sender,
    to: str,
    greeting: str,
    unsubscribe_url: str,
    message_id: str,
    subject_prefix: str = "",
    tracked: dict[str, str] | None = None,
    open_pixel: str | None = None,
) -> EmailMessage:
    """A complete multipart/alternative message for one recipient.

    ``tracked`` maps the content's links to their tracked URLs (HTML and text parts);
    ``open_pixel`` is the URL of the delivery's 1×1 open image (HTML only), when tracked.
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(one_line(sender.name), sender.localpart, sender.domain)
    message["To"] = to
    if sender.reply_to:
        message["Reply-To"] = sender.reply_to
    message["Subject"] = one_line(subject_prefix + content.subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    token = unsubscribe_url.rsplit("/", 1)[-1]
    mailto = f"mailto:unsubscribe@{sender.domain}?subject={quote('unsubscribe ' + token)}"
    # Both forms: mail programs without one-click use the mailto (RFC 2369); Gmail and
    # Yahoo POST "List-Unsubscribe=One-Click" to the https URL (RFC 8058).
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = (f"{greeting}\n\n" if greeting else "") + content.text.strip()
    body_html = content.html
    if tracked:
        body_html = rules.track_links(body_html, tracked)
        for link in sorted(tracked, key=len, reverse=True):
            text = text.replace(unescape(link), tracked[link])
    message.set_content(text + footer_text(sender, unsubscribe_url), cte="quoted-printable")
    footer = footer_html(sender, unsubscribe_url) + pixel_html(open_pixel)
    html = personal_html(body_html, greeting, footer)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def signed_bytes(message: EmailMessage, domain: str, key: DkimKey | None) -> bytes:
    """The message as sent: with a DKIM-Signature header first when a key is configured."""
    data = message.as_bytes(policy=POLICY)
    if key is None:
        return data
    present = {name.lower().encode() for name in message}
    return dkim_signature(data, domain, key, [h for h in SIGNED_HEADERS if h in present]) + data


def dkim_signature(data: bytes, domain: str, key: DkimKey, headers: list[bytes]) -> bytes:
    """The DKIM-Signature header line over a message's bytes and the named headers."""
    return dkim.sign(
        data, key.selector.encode(), domain.encode(), key.private_key, include_headers=headers
    )
