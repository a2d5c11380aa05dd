"""Token use cases: create (the secret is returned once), revoke, list, authenticate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts import rules as account_rules
from tcma.accounts.models import Partner, User
from tcma.api import rules
from tcma.api.models import ApiToken
from tcma.api.rules import TokenRuleError
from tcma.db import utcnow

# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the secret that is never shown again."""

    token: ApiToken
    secret: str


def effective_role(token: ApiToken) -> str:
    """The role a token acts with: its user's, or for a service token admin / partner admin."""
    if token.kind == rules.PERSONAL:
        return token.user.role
    return account_rules.PARTNER_ADMIN if token.partner_id else account_rules.ADMIN


def create_token(
    session: Session,
    user: User,
    *,
    name: str,
    scopes: list[str],
    days: int = rules.DEFAULT_DAYS,
    kind: str = rules.PERSONAL,
    partner_id: int | None = None,
) -> NewToken:
    """Make a token for ``user``; service tokens are for vendor admins only."""
    name = name.strip()
    if not name:
        raise TokenRuleError("Give the token a name you will recognise.", "name")
    if len(name) > rules.MAX_NAME:
        raise TokenRuleError(f"Use at most {rules.MAX_NAME} characters.", "name")
    if kind not in rules.KINDS:
        raise TokenRuleError("Unknown kind of token.", "kind")
    if kind == rules.SERVICE and user.role != account_rules.ADMIN:
        raise TokenRuleError("Only vendor admins create service tokens.", "kind")
    if kind == rules.PERSONAL and partner_id is not None:
        raise TokenRuleError("A personal token carries its owner's own company.", "partner_id")
    if partner_id is not None and session.get(Partner, partner_id) is None:
        raise TokenRuleError("Choose an existing partner.", "partner_id")
    role = user.role
    if kind == rules.SERVICE:
        role = account_rules.PARTNER_ADMIN if partner_id else account_rules.ADMIN
    checked = rules.check_scopes(role, scopes)
    rules.check_days(days)
    secret = rules.new_secret()
    now = utcnow()
    token = ApiToken(
        kind=kind,
        name=name,
        user_id=user.id,
        partner_id=partner_id,
        scopes=list(checked),
        token_hash=rules.token_hash(secret),
        shown=secret[: rules.SHOWN_CHARS],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="api_token.created",
        object_type="api_token",
        object_id=token.id,
        partner_id=partner_id or user.partner_id,
        data={"kind": kind, "scopes": list(checked), "days": days},
    )
    return NewToken(token=token, secret=secret)


def visible_tokens(session: Session, user: User) -> list[ApiToken]:
    """The tokens a user manages: their own; a vendor admin also sees every service token."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id)
    if user.role == account_rules.ADMIN:
        stmt = select(ApiToken).where(
            (ApiToken.user_id == user.id) | (ApiToken.kind == rules.SERVICE)
        )
    return list(session.scalars(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def can_manage(user: User, token: ApiToken) -> bool:
    """A user manages their own tokens; vendor admins also manage every service token."""
    if token.user_id == user.id:
        return True
    return token.kind == rules.SERVICE and user.role == account_rules.ADMIN


def revoke_token(session: Session, actor: User, token: ApiToken) -> None:
    """Stop a token working at once (revoking twice changes nothing)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record(
        session,
        actor_id=actor.id,
        action="api_token.revoked",
        object_type="api_token",
        object_id=token.id,
        partner_id=token.partner_id or token.user.partner_id,
    )
    session.flush()


def authenticate(session: Session, secret: str) -> ApiToken | None:
    """The usable token for a bearer secret whose user may still sign in, else None."""
    if not rules.looks_like_token(secret):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == rules.token_hash(secret)))
    now = utcnow()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.partner is not None and not token.partner.is_active:
        return None
    if token.kind == rules.SERVICE and token.user.role != account_rules.ADMIN:
        return None  # its admin lost the role: their service tokens stop with it
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
        token.last_used_at = now
    return token
