"""Email outputs: CSS inlined into the HTML, the preheader, and the .eml message."""

from __future__ import annotations

import contextlib
import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

import css_inline
from markupsafe import escape

from tcma.cobrand.render.context import RenderError

# Mail clients ignore <style> blocks unevenly, so every rule is inlined and the blocks
# removed. css_inline can keep @media rules only by keeping them in a <style> block,
# which the "no <style> left" rule forbids, so media queries are dropped.
# load_remote_stylesheets=False: a <link> to any URL must never be fetched by the server.
_INLINER = css_inline.CSSInliner(
    keep_style_tags=False,
    keep_link_tags=False,
    keep_at_rules=False,
    load_remote_stylesheets=False,
    resolve_css_variables=True,
)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_STYLE_BLOCK = re.compile(r"<style\b.*?</style\s*>", re.I | re.S)


def inline_css(html: str) -> str:
    """Return ``html`` with its stylesheet rules moved into style attributes."""
    try:
        inlined = _INLINER.inline(html)
    except (css_inline.InlineError, ValueError) as exc:
        raise RenderError(f"The email's CSS could not be inlined: {exc}") from None
    # css_inline removes every block it parses; this catches any it could not place.
    return _STYLE_BLOCK.sub("", inlined)


def add_preheader(html: str, preheader: str) -> str:
    """Put the preheader (the inbox preview line) first in the body, hidden when opened."""
    if not preheader.strip():
        return html
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all" aria-hidden="true">'
        f"{escape(preheader.strip())}</div>"
    )
    match = _BODY_OPEN.search(html)
    if match is None:
        return hidden + html
    return html[: match.end()] + hidden + html[match.end() :]


def one_line(text: str) -> str:
    """Collapse a header value to one line: a newline in a header would forge headers."""
    return " ".join(text.split())


def build_eml(subject: str, html: str, text: str, sender_name: str, sender_email: str) -> bytes:
    """Build a ready-to-send draft: multipart/alternative with the text and the HTML."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = one_line(subject)
    username, at, domain = sender_email.strip().rpartition("@")
    if at and username and domain:
        # A malformed brand address is left out rather than failing the download.
        with contextlib.suppress(ValueError, IndexError, HeaderParseError):
            message["From"] = Address(one_line(sender_name), username, domain)
    # Mail programs show a message without Date as dateless and one without Message-ID
    # as malformed; the id names the sender's domain (or an invalid one, RFC 2606).
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain if at and domain else "tcma.invalid")
    # Outlook opens a message with X-Unsent as a draft the partner can address and send.
    message["X-Unsent"] = "1"
    message.set_content(text, subtype="plain", cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message.as_bytes()


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_WIDTH = re.compile(r'\swidth="?(\d+)"?', re.IGNORECASE)
_SRC = re.compile(r'\ssrc="([^"]+)"', re.IGNORECASE)
#: Images are asked for at twice their shown width, sharp on high-density screens.
HIDPI = 2


def ask_shown_size(html: str, media_base_url: str | None) -> str:
    """Point each kit image of an email that has a width at a copy of twice that width
    (``?w=``): a 900 px picture shown at 188 px costs a 376 px download."""
    if not media_base_url:
        return html
    base = media_base_url.rstrip("/") + "/"

    def sized(match: re.Match[str]) -> str:
        tag = match.group(0)
        width, src = _WIDTH.search(tag), _SRC.search(tag)
        if not width or not src or not src.group(1).startswith(base) or "?" in src.group(1):
            return tag
        url = f"{src.group(1)}?w={int(width.group(1)) * HIDPI}"
        return tag.replace(src.group(0), f' src="{url}"', 1)

    return _IMG.sub(sized, html)
