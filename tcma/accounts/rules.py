"""Pure rules about roles, regions and passwords (no Flask, no session)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from tcma.exceptions import DomainError

ADMIN = "admin"
MARKETER = "marketer"
FINANCE = "finance"
PARTNER_ADMIN = "partner_admin"
PARTNER_USER = "partner_user"

VENDOR_ROLES = (ADMIN, MARKETER, FINANCE)
PARTNER_ROLES = (PARTNER_ADMIN, PARTNER_USER)
ALL_ROLES = VENDOR_ROLES + PARTNER_ROLES

ROLE_LABELS = {
    ADMIN: "Vendor admin",
    MARKETER: "Channel marketer",
    FINANCE: "Finance",
    PARTNER_ADMIN: "Partner admin",
    PARTNER_USER: "Partner user",
}

REGIONS = ("NA", "LATAM", "EMEA", "APAC")
REGION_LABELS = {
    "NA": "North America",
    "LATAM": "Latin America",
    "EMEA": "Europe, Middle East & Africa",
    "APAC": "Asia Pacific",
}

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


class AccountError(DomainError):
    """A rule about accounts was broken; the message is for the user."""


def is_vendor_role(role: str) -> bool:
    """True for the vendor-side roles."""
    return role in VENDOR_ROLES


def roles_a_user_may_invite(inviter_role: str) -> tuple[str, ...]:
    """A vendor admin invites anyone; a partner admin only people of their own company."""
    if inviter_role == ADMIN:
        return ALL_ROLES
    if inviter_role == PARTNER_ADMIN:
        return PARTNER_ROLES
    return ()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resources.files("tcma").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "This password is too common; choose one that is harder to guess."
    if len(set(lowered)) <= 3:
        return "This password repeats too few characters; choose one that is harder to guess."
    if _is_sequence(lowered):
        return "This password is a simple sequence; choose one that is harder to guess."
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered and len(lowered) - len(local_part) < 8:
        return "This password is too close to your email address."
    return None


def _is_sequence(text: str) -> bool:
    """abcdefghijkl, 123456789012, qwertyuiopas and friends."""
    rows = (
        "abcdefghijklmnopqrstuvwxyz",
        "0123456789012345678901234567890",
        "qwertyuiopasdfghjklzxcvbnm",
    )
    return any(text in row or text in row[::-1] for row in rows)


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def fingerprint(secret: str | None) -> str:
    """A short, stable digest used to bind tokens and sessions to a password."""
    return hashlib.sha256((secret or "").encode()).hexdigest()[:16]
