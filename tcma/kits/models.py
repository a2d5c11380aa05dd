"""Kits, their versions, and each version's assets and co-brand fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
    text,
    type_coerce,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from tcma.db import Base, UTCDateTime, utcnow
from tcma.kits import rules

ACTIVE, ARCHIVED = "active", "archived"
DRAFT, PUBLISHED = "draft", "published"


class LabelList(TypeDecorator):
    """A short list of labels (tags, tier names, regions) stored as '|a|b|' for LIKE filters."""

    impl = String(1000)
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Any) -> str:
        return "|" + "|".join(value) + "|" if value else ""

    def process_result_value(self, value: str | None, dialect: Any) -> list[str]:
        return [item for item in (value or "").split("|") if item]


def has_label(column: Any, label: str) -> ColumnElement[bool]:
    """SQL: the label list ``column`` contains ``label`` (case-insensitive)."""
    text = func.lower(type_coerce(column, String))
    return text.contains(f"|{label.lower()}|", autoescape=True)


class Kit(Base):
    """A campaign-in-a-box; its catalog metadata is that of its latest published version."""

    __tablename__ = "kits"
    __table_args__ = (CheckConstraint("status IN ('active', 'archived')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(300), default="")
    tags: Mapped[list[str]] = mapped_column(LabelList, default=list)
    tiers: Mapped[list[str]] = mapped_column(LabelList, default=list)
    regions: Mapped[list[str]] = mapped_column(LabelList, default=list)
    cover_key: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[KitVersion]] = relationship(
        back_populates="kit", order_by="KitVersion.id", cascade="all, delete-orphan"
    )

    @property
    def objective_label(self) -> str:
        return rules.OBJECTIVES.get(self.objective, self.objective)


class KitVersion(Base):
    """One version of a kit: a draft (number None) or published, and then never changed."""

    __tablename__ = "kit_versions"
    __table_args__ = (
        UniqueConstraint("kit_id", "number"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        # At most one draft per kit, also when two marketers start editing at once.
        Index(
            "uq_kit_versions_one_draft",
            "kit_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    change_note: Mapped[str] = mapped_column(Text, default="")
    # kit.toml as parsed (without change_note), and {path: {"sha256", "size"}} of its files.
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)
    storage_prefix: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    kit: Mapped[Kit] = relationship(back_populates="versions")
    assets: Mapped[list[KitAsset]] = relationship(
        back_populates="version", order_by="KitAsset.position", cascade="all, delete-orphan"
    )
    fields: Mapped[list[KitField]] = relationship(
        back_populates="version", order_by="KitField.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def label(self) -> str:
        return f"Version {self.number}" if self.number else "Draft"

    @property
    def digest(self) -> str:
        return rules.content_digest(self.manifest, self.files)

    def storage_key(self, path: str) -> str:
        """Where one of this version's files lives in storage."""
        return self.storage_prefix + path

    def asset(self, key: str) -> KitAsset | None:
        return next((asset for asset in self.assets if asset.key == key), None)


class KitAsset(Base):
    """One asset of a kit version (a copy of its [[assets]] entry, for queries and pages)."""

    __tablename__ = "kit_assets"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("kit_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    used_fields: Mapped[list[str]] = mapped_column(JSON, default=list)

    version: Mapped[KitVersion] = relationship(back_populates="assets")

    @property
    def kind_label(self) -> str:
        return rules.KIND_LABELS.get(self.kind, self.kind)


class KitField(Base):
    """One co-brand field a kit version asks partners for."""

    __tablename__ = "kit_fields"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("kit_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    help: Mapped[str] = mapped_column(String(300), default="")
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    default_value: Mapped[str | None] = mapped_column(Text)
    max_length: Mapped[int | None] = mapped_column()
    choices: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))

    version: Mapped[KitVersion] = relationship(back_populates="fields")

    @property
    def type_label(self) -> str:
        return rules.FIELD_TYPE_LABELS.get(self.type, self.type)


_FROZEN = ("manifest", "files", "number", "storage_prefix", "change_note", "kit_id")


@event.listens_for(KitVersion, "before_update")
def _published_versions_never_change(mapper: Any, connection: Any, version: KitVersion) -> None:
    # The last line of defence behind the services: partners' campaigns point at a
    # published version and must keep rendering exactly what they were made from.
    status = inspect(version).attrs.status.history
    was = (status.deleted or status.unchanged or [None])[0]
    if was == PUBLISHED and any(
        inspect(version).attrs[name].history.has_changes() for name in (*_FROZEN, "status")
    ):
        raise rules.KitError("A published kit version never changes; edit a new draft instead.")
