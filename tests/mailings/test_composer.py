"""The fast composer writes what build_message writes: a mail program sees the same message."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import dkim
import pytest

from tcma.mailings import rules
from tcma.mailings.composer import Composer, Recipient
from tcma.mailings.message import Content, DkimKey, Sender, build_message, signed_bytes

HTML = (
    '<html><head><title>x</title></head><body class="k"><h1>Spring = growth ü</h1>'
    '<p>Read <a href="https://brightpath.example/offer?a=1&amp;b=2">the offer</a> and '
    '<a href="https://brightpath.example/offer">this</a>.</p>'
    + "<p>"
    + "long line " * 40
    + "</p>\n.\nFrom here  \n"
    "</body></html>"
)
TEXT = "Spring = growth ü\r\nRead https://brightpath.example/offer?a=1&b=2 and\n" + (
    "https://brightpath.example/offer.\n" + "word " * 30 + "  \n.\n"
)
CONTENT = Content("Ünïcode subject: " + "long " * 40, HTML, TEXT)
SENDER = Sender("Brîghtpath, Inc.", "partners", "mail.example", "hi@bp.example", "1 Road, Leeds")


def _person(to: str = "ana@acme.example", greeting: str = "Hi Ana <3,") -> Recipient:
    links = rules.message_links(HTML)
    return Recipient(
        to=to,
        greeting=greeting,
        unsubscribe_url="http://tcma.test/u/TOKEN.abc",
        message_id="<mailing-1-delivery-7@mail.example>",
        tracked=tuple(f"http://tcma.test/c/T{n}" for n in range(len(links))),
    )


def _reference(person: Recipient) -> EmailMessage:
    links = rules.message_links(HTML)
    message = build_message(
        CONTENT,
        SENDER,
        person.to,
        person.greeting,
        person.unsubscribe_url,
        person.message_id,
        tracked=dict(zip(links, person.tracked, strict=True)),
    )
    return _parse(signed_bytes(message, SENDER.domain, None))


def _parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def _seen(message: EmailMessage) -> dict[str, object]:
    """What a mail program shows and acts on (Date aside: it is the time of writing)."""
    return {
        "headers": {k: str(v) for k, v in message.items() if k not in ("Date", "Content-Type")},
        "text": message.get_body(preferencelist=("plain",)).get_content(),
        "html": message.get_body(preferencelist=("html",)).get_content(),
        "parts": [p.get_content_type() for p in message.iter_parts()],
    }


@pytest.mark.parametrize("greeting", ["Hi Ana <3,", ""])
def test_composed_message_reads_as_the_email_package_writes_it(greeting: str) -> None:
    person = _person(greeting=greeting)
    data = Composer(CONTENT, SENDER, None).compose(person)
    assert _seen(_parse(data)) == _seen(_reference(person))
    assert "Hi Ana &lt;3," in _seen(_parse(data))["html"] or not greeting
    # Quoted-printable lines stay within 76 characters (RFC 2045), headers within 998.
    body = data.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_an_address_the_fast_path_cannot_write_gets_the_email_package_message() -> None:
    person = _person(to="zoë@acme.example")
    data = Composer(CONTENT, SENDER, None).compose(person)
    assert _seen(_parse(data)) == _seen(_reference(person))


def test_composed_message_is_dkim_signed_and_verifies(dkim_keys) -> None:
    path, record = dkim_keys
    key = DkimKey("t2026", path.read_bytes())
    data = Composer(CONTENT, SENDER, key).compose(_person())
    assert data.startswith(b"DKIM-Signature:")
    assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)
    assert not dkim.verify(data.replace(b"Read", b"Reed", 1), dnsfunc=lambda n, timeout=5: record)
