"""Pure rules of API tokens: scopes, what a role may hold, the token format and its hash."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from tcma.accounts import rules as account_rules
from tcma.exceptions import DomainError

#: The areas a scope names ("pipeline:write"); one per area that has API resources.
AREAS = ("pipeline", "campaigns", "mdf", "kits", "partners", "reports", "mailings")
READ, WRITE = "read", "write"
ALL_SCOPES = tuple(f"{area}:{mode}" for area in AREAS for mode in (READ, WRITE))
READ_SCOPES = tuple(f"{area}:{READ}" for area in AREAS)

PERSONAL, SERVICE = "personal", "service"
KINDS = (PERSONAL, SERVICE)

PREFIX = "tcma_"
#: What the list of tokens shows so a person can tell them apart (never enough to use).
SHOWN_CHARS = 12
MAX_DAYS = 730
DEFAULT_DAYS = 90
MAX_NAME = 80

# What each role may do in each area, as on the pages: a token never carries more. Leads
# hold personal data: finance may hold the read scope, but the lead and opportunity endpoints
# refuse its role (403), as the pages do.
# Campaigns: vendor admins and marketers oversee (pause, end) partners' campaigns, finance
# reads them and their figures, partners run their own. MDF: every role acts in it (partners
# request and claim, marketers decide requests, finance decides claims and pays); each
# endpoint still allows only the roles its page allows.
# Kits (the catalog) and dashboards are read by everyone (a partner sees its own numbers);
# partners and tiers by the vendor's staff. Mailings (contacts, lists, suppressions,
# mailings) are a partner's own audience; the vendor's admins keep the program-wide
# do-not-contact list (the only mailing page vendor staff have).
_ALL = (READ, WRITE)
_PARTNER_READS = {"kits": (READ,), "reports": (READ,)}
_VENDOR_READS = {"kits": (READ,), "partners": (READ,), "reports": (READ,)}
ROLE_SCOPES: dict[str, dict[str, tuple[str, ...]]] = {
    account_rules.ADMIN: {
        **_VENDOR_READS,
        "pipeline": _ALL,
        "campaigns": _ALL,
        "mdf": _ALL,
        "mailings": _ALL,
    },
    account_rules.MARKETER: {**_VENDOR_READS, "pipeline": (READ,), "campaigns": _ALL, "mdf": _ALL},
    account_rules.FINANCE: {
        **_VENDOR_READS,
        "pipeline": (READ,),
        "campaigns": (READ,),
        "mdf": _ALL,
    },
    account_rules.PARTNER_ADMIN: {
        **_PARTNER_READS,
        "pipeline": _ALL,
        "campaigns": _ALL,
        "mdf": _ALL,
        "mailings": _ALL,
    },
    account_rules.PARTNER_USER: {
        **_PARTNER_READS,
        "pipeline": _ALL,
        "campaigns": _ALL,
        "mdf": _ALL,
        "mailings": _ALL,
    },
}


class TokenRuleError(DomainError):
    """A token request broke a rule; the message is for the person asking."""


def scopes_for_role(role: str) -> tuple[str, ...]:
    """Every scope a role may hold, in the order of ALL_SCOPES."""
    allowed = ROLE_SCOPES.get(role, {})
    return tuple(s for s in ALL_SCOPES if s.split(":")[1] in allowed.get(s.split(":")[0], ()))


def check_scopes(role: str, requested: Iterable[str]) -> tuple[str, ...]:
    """The requested scopes, sorted, if the role may hold each; TokenRuleError otherwise."""
    wanted = {s.strip() for s in requested if s.strip()}
    if not wanted:
        raise TokenRuleError("Choose at least one scope.", "scopes")
    unknown = sorted(wanted - set(ALL_SCOPES))
    if unknown:
        raise TokenRuleError(f"Unknown scope {unknown[0]!r}.", "scopes")
    beyond = sorted(wanted - set(scopes_for_role(role)))
    if beyond:
        label = account_rules.ROLE_LABELS[role]
        raise TokenRuleError(f"A {label} cannot hold the scope {beyond[0]!r}.", "scopes")
    return tuple(s for s in ALL_SCOPES if s in wanted)


def check_days(days: int) -> int:
    """A token lifetime in days, from 1 to MAX_DAYS."""
    if not 1 <= days <= MAX_DAYS:
        raise TokenRuleError(f"Choose between 1 and {MAX_DAYS} days.", "days")
    return days


def allows(scopes: Iterable[str], area: str, mode: str) -> bool:
    """True when the scopes grant ``mode`` in ``area``; write implies read."""
    held = set(scopes)
    if mode == READ:
        return f"{area}:{READ}" in held or f"{area}:{WRITE}" in held
    return f"{area}:{WRITE}" in held


def new_secret() -> str:
    """A new token: the prefix and 256 random bits, URL-safe."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(secret: str) -> str:
    """What is stored: SHA-256 of the whole token (a random 256-bit secret needs no salt)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Cheap shape check before any database lookup."""
    return value.startswith(PREFIX) and 20 < len(value) < 100 and value.isascii()
