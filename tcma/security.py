"""Response headers that every page gets (CSP, nosniff, frame and referrer policies), and the
check that no address reaches a view with control characters in its path or query string."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from tcma.errors import UnreadableInput
from tcma.text_rules import has_control_characters

#: Parameters that only ever go through tcma.urls.is_safe_next, which ignores a bad value.
REDIRECT_PARAMETERS = frozenset({"next"})
UNREADABLE_ADDRESS = (
    "The address holds invisible control characters, so it was not used. "
    "Check the link or the search you typed and try again."
)

# Pages use only our own scripts and styles; inline styles are allowed for the colour
# swatches and chart bars that carry data-driven widths and colours.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "img-src 'self' data: blob: https:; "
    "style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; "
    "font-src 'self' data:; "
    "frame-src 'self'; "
    "frame-ancestors 'self'; "
    "form-action 'self'; "
    "base-uri 'self'; "
    "object-src 'none'"
)


def init_security(app: Flask) -> None:
    """Install the address check and the header hook."""
    app.before_request(_refuse_control_characters)
    app.after_request(_security_headers)


def _refuse_control_characters() -> None:
    # Search boxes and list filters read the query string; a NUL byte there would reach
    # the database (PostgreSQL refuses it with an error), so such an address stops here.
    values = [request.path]
    for key, value in request.args.items(multi=True):
        values += [key] if key in REDIRECT_PARAMETERS else [key, value]
    if any(has_control_characters(value) for value in values):
        raise UnreadableInput(UNREADABLE_ADDRESS)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def app_secret() -> str | bytes:
    """The secret that signs tokens and links (config refuses to start without one in
    production; this says so to the type checker and fails loudly if it ever is unset)."""
    secret = current_app.secret_key
    if not secret:
        raise RuntimeError("SECRET_KEY is not set: links and tokens cannot be signed")
    return secret
