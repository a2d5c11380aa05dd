"""A partner's campaign: one kit version, its field values, its tracking code and landing page."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.accounts.models import Partner
from tcma.db import Base, UTCDateTime, utcnow
from tcma.kits.models import Kit, KitVersion

DRAFT, LIVE, PAUSED, ENDED = "draft", "live", "paused", "ended"
STATUSES = (DRAFT, LIVE, PAUSED, ENDED)


def new_campaign_code() -> str:
    """An unguessable public code for the landing page URL (/l/<code>), ~96 bits."""
    return secrets.token_urlsafe(12)


class Campaign(Base):
    """A partner's use of one kit version. It belongs to exactly one partner (the tenant)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'live', 'paused', 'ended')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    kit_version_id: Mapped[int] = mapped_column(ForeignKey("kit_versions.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_campaign_code)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    # Field values as the partner typed them (strings by field key); image fields hold the
    # storage key of the uploaded image.
    field_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    launched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The consent wording of the landing page's lead form (set at launch; each lead keeps a copy).
    consent_text: Mapped[str | None] = mapped_column(Text)

    partner: Mapped[Partner] = relationship(lazy="joined")
    kit: Mapped[Kit] = relationship(lazy="joined")
    kit_version: Mapped[KitVersion] = relationship(lazy="joined")
