"""Tiers, partner companies (the tenants) and users."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.accounts import rules
from tcma.db import Base, UTCDateTime, utcnow


class Tier(Base):
    """A partner level; a higher rank is a better tier."""

    __tablename__ = "tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    rank: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(300), default="")

    partners: Mapped[list[Partner]] = relationship(back_populates="tier")


class Partner(Base):
    """A partner company: a tenant. Its users see only its own data."""

    __tablename__ = "partners"
    __table_args__ = (CheckConstraint("status IN ('active', 'suspended')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"), index=True)
    region: Mapped[str] = mapped_column(String(10), index=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    tier: Mapped[Tier] = relationship(back_populates="partners", lazy="joined")
    users: Mapped[list[User]] = relationship(back_populates="partner")

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class User(UserMixin, Base):
    """A person who signs in: vendor staff (no partner) or a partner's employee."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("status IN ('invited', 'active', 'deactivated')", name="status"),
        CheckConstraint(
            "(role IN ('admin', 'marketer', 'finance') AND partner_id IS NULL) OR "
            "(role IN ('partner_admin', 'partner_user') AND partner_id IS NOT NULL)",
            name="role_matches_partner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="invited")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner | None] = relationship(back_populates="users", lazy="joined")

    @property
    def is_active(self) -> bool:
        """Flask-Login: only active users of active partners may be signed in."""
        if self.status != "active":
            return False
        return self.partner is None or self.partner.is_active

    @property
    def is_vendor(self) -> bool:
        return rules.is_vendor_role(self.role)

    @property
    def role_label(self) -> str:
        return rules.ROLE_LABELS[self.role]

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def get_id(self) -> str:
        """Session id bound to the password, so a password change ends other sessions."""
        return f"{self.id}.{rules.fingerprint(self.password_hash)}"
