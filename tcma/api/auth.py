"""Bearer-token authentication for /api/v1: a token becomes the request's user and scopes.

The API reads no session cookie: the principal comes from the Authorization header alone,
so a browser's cookies grant nothing here and there is no CSRF surface.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_login import UserMixin

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.models import Partner, User
from tcma.api import rules, services
from tcma.api.errors import ApiProblem
from tcma.api.models import ApiToken


class TokenPrincipal(UserMixin):
    """What current_user is during an API request: the token's user with the token's role."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.user: User = token.user
        self.id = token.user.id
        self.email = token.user.email
        self.name = token.user.name
        self.role = services.effective_role(token)
        self.partner_id = token.partner_id if token.kind == rules.SERVICE else token.user.partner_id
        self.partner: Partner | None = (
            token.partner if token.kind == rules.SERVICE else token.user.partner
        )
        held = set(rules.scopes_for_role(self.role))
        self.scopes = tuple(s for s in token.scopes if s in held)

    @property
    def is_vendor(self) -> bool:
        return account_rules.is_vendor_role(self.role)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def role_label(self) -> str:
        return account_rules.ROLE_LABELS[self.role]

    def get_id(self) -> str:
        return f"token:{self.token.id}"


def bearer_secret() -> str | None:
    """The token from ``Authorization: Bearer ...``, if the header has that form."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def rate_limit_key() -> str:
    """Flask-Limiter key: one bucket per token (hashed), or per address without one."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api-anon:" + get_remote_address()


def authenticate_request() -> None:
    """Before every API request: a valid token or 401 (problem+json)."""
    secret = bearer_secret()
    token = services.authenticate(db.session(), secret) if secret else None
    if token is None:
        raise ApiProblem(
            401,
            "Unauthorized",
            "Send a valid, unexpired API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="tcma"'},
        )
    principal = TokenPrincipal(token)
    # Flask-Login's current_user reads g._login_user: the same access helpers as the pages.
    g._login_user = principal
    g.api_principal = principal


def principal() -> TokenPrincipal:
    """The request's token principal (set by authenticate_request)."""
    return g.api_principal


def require(area: str, mode: str, roles: tuple[str, ...] | None = None) -> Callable:
    """A view needs the scope (``area``:``mode``) and, like the page, one of ``roles``.

    Put it right under the route decorator: the role and scope are checked before the body
    and query are validated, so a token that may not call the route gets 403, never a 422.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            who = principal()
            if roles is not None and who.role not in roles:
                raise ApiProblem(403, "Forbidden", f"A {who.role_label} cannot use this endpoint.")
            if not rules.allows(who.scopes, area, mode):
                raise ApiProblem(403, "Forbidden", f"This token lacks the scope '{area}:{mode}'.")
            return view(*args, **kwargs)

        wrapped.api_scope = (area, mode)  # type: ignore[attr-defined]
        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
