"""Signed, expiring, single-use links for invitations and password resets."""

from __future__ import annotations

from typing import TypeGuard

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tcma.accounts import rules
from tcma.accounts.models import User

INVITATION = "tcma-invitation"  # noqa: S105 (a salt, not a secret)
PASSWORD_RESET = "tcma-password-reset"  # noqa: S105


class TokenError(Exception):
    """The link is broken, used or too old; the message is for the user."""


def make_token(secret_key: str | bytes, purpose: str, user: User) -> str:
    """A token for one user, bound to their current password so it works once."""
    serializer = URLSafeTimedSerializer(secret_key, salt=purpose)
    return serializer.dumps({"u": user.id, "f": rules.fingerprint(user.password_hash)})


def read_token(secret_key: str | bytes, purpose: str, token: str, max_age: int) -> tuple[int, str]:
    """Return (user id, password fingerprint) from a valid token."""
    serializer = URLSafeTimedSerializer(secret_key, salt=purpose)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise TokenError("This link is not valid. Check that you copied all of it.") from exc
    return int(payload["u"]), str(payload["f"])


def token_matches(user: User | None, fingerprint: str) -> TypeGuard[User]:
    """True while the user's password is the one the token was made for."""
    return user is not None and rules.fingerprint(user.password_hash) == fingerprint
