"""Unguessable, long-lived links to public media: kit media folders and brand logos.

Emailed and downloaded HTML must keep its images for years, so these links never expire;
what they add is a per-object signature, so that nobody can walk the ids and see the media
of a kit meant for another tier or the logo of a partner whose pages they never received.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app, url_for

from tcma.security import app_secret

KIT_MEDIA = "kit-media"
BRAND_LOGO = "brand-logo"


def _sign(secret: str | bytes, purpose: str, object_id: int) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"tcma.{purpose}:{object_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def media_token(purpose: str, object_id: int) -> str:
    """The signature that goes into the public link of one object."""
    return _sign(app_secret(), purpose, object_id)


def media_token_ok(purpose: str, object_id: int, token: str) -> bool:
    """True when ``token`` was made for this object (with the key or a rotated-out one)."""
    secrets = [current_app.secret_key, *(current_app.config.get("SECRET_KEY_FALLBACKS") or [])]
    return any(hmac.compare_digest(_sign(secret, purpose, object_id), token) for secret in secrets)


def brand_logo_path(version_id: int) -> str:
    """The app-relative signed link of a brand version's logo (for the app's own pages)."""
    return url_for("brand.logo", version_id=version_id, token=media_token(BRAND_LOGO, version_id))
