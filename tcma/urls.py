"""Absolute links for emails and landing pages, built from TCMA_BASE_URL."""

from __future__ import annotations

from typing import Any, TypeGuard
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

from tcma.text_rules import has_control_characters


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the public base address (works outside a request too)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # a job in a worker: build the path from the URL map alone
        path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """True for local paths only, so ?next= cannot send people to another site.

    Refused: other schemes and hosts, scheme-relative ``//host``, backslashes (browsers read
    them as slashes) and control characters (browsers drop tabs and newlines, turning
    ``/<TAB>/host`` into ``//host``; CR/LF would also split the Location header).
    """
    if not target or has_control_characters(target):
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )
