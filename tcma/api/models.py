"""API tokens (stored as hashes) and the first answers to idempotent POSTs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.accounts.models import Partner, User
from tcma.db import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A bearer credential: personal (a user's own rights) or a vendor admin's service token."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("kind IN ('personal', 'service')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    # The user who made it: a personal token acts as them; a service token is theirs to manage.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # A service token limited to one partner acts as that partner's admin.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shown: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")

    def is_usable(self, now: dt.datetime) -> bool:
        """Not revoked and not expired."""
        return self.revoked_at is None and self.expires_at > now


class IdempotentResponse(Base):
    """The first answer to a POST with an Idempotency-Key, replayed for a retry of it."""

    __tablename__ = "api_idempotent_responses"
    __table_args__ = (
        UniqueConstraint("token_id", "key"),
        Index("ix_api_idempotent_responses_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # method, path and a hash of the body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
