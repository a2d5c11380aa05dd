"""Brand profiles (one per partner, every save a new version) and asset download records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.db import Base, UTCDateTime, utcnow


class BrandProfile(Base):
    """A partner's brand; its current values are those of its newest version."""

    __tablename__ = "brand_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[BrandVersion]] = relationship(
        back_populates="profile", order_by="BrandVersion.number"
    )


class BrandVersion(Base):
    """One saved state of a brand; never changed, so renders and logo URLs can point at it."""

    __tablename__ = "brand_versions"
    __table_args__ = (UniqueConstraint("profile_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("brand_profiles.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    number: Mapped[int] = mapped_column()
    display_name: Mapped[str] = mapped_column(String(120))
    # A PNG re-encoded from the upload; the same key is shared by versions that kept it.
    logo_key: Mapped[str | None] = mapped_column(String(300))
    logo_width: Mapped[int | None] = mapped_column()
    logo_height: Mapped[int | None] = mapped_column()
    primary_color: Mapped[str] = mapped_column(String(7))
    secondary_color: Mapped[str] = mapped_column(String(7))
    website: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    profile: Mapped[BrandProfile] = relationship(back_populates="versions")


class AssetDownload(Base):
    """One download of a co-branded asset (the dashboards count them)."""

    __tablename__ = "asset_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    # "*" with target "zip" for the bundle of every asset.
    asset_key: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    downloaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
