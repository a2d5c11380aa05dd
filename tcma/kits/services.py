"""Kit use cases shared by authoring, import and the catalog: versions, publish, archive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import Partner
from tcma.cobrand.render import MappingKitSource
from tcma.db import utcnow
from tcma.kits import rules
from tcma.kits.analysis import fields_used_by
from tcma.kits.models import (
    ACTIVE,
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    Kit,
    KitAsset,
    KitField,
    KitVersion,
    has_label,
)
from tcma.kits.rules import KitError
from tcma.storage import Storage, StorageError, delete_after_commit

FileReader = Callable[[str], bytes]


def get_kit_by_slug(session: Session, slug: str) -> Kit | None:
    """The kit with this slug, or None."""
    return session.scalar(select(Kit).where(Kit.slug == slug))


def latest_published_version(session: Session, kit: Kit) -> KitVersion | None:
    """The newest published version of a kit (campaigns use it to say a newer one exists)."""
    return session.scalar(
        select(KitVersion)
        .where(KitVersion.kit_id == kit.id, KitVersion.status == PUBLISHED)
        .order_by(KitVersion.number.desc())
        .limit(1)
    )


def draft_of(session: Session, kit: Kit) -> KitVersion | None:
    """The kit's draft version, if one is open."""
    return session.scalar(
        select(KitVersion).where(KitVersion.kit_id == kit.id, KitVersion.status == DRAFT)
    )


def get_version(session: Session, kit: Kit, version_id: int) -> KitVersion | None:
    """One version of this kit (None when the id belongs to another kit)."""
    version = session.get(KitVersion, version_id)
    return version if version is not None and version.kit_id == kit.id else None


def version_reader(storage: Storage, version: KitVersion) -> FileReader:
    """A function returning a version's file bytes from storage; KeyError for unknown paths."""
    known, prefix = set(version.files), version.storage_prefix

    def read(path: str) -> bytes:
        if path not in known:
            raise KeyError(path)
        return storage.read(prefix + path)

    return read


def version_source(storage: Storage, version: KitVersion) -> MappingKitSource:
    """The render engine's view of a version; its key changes whenever its content does."""
    key = f"{version.manifest.get('slug', 'kit')}@{version.digest[:20]}"
    return MappingKitSource(version.manifest, version_reader(storage, version), key)


def storage_prefix(slug: str, version_id: int) -> str:
    """Where the files of one version live: kits/<slug>/v<id>/."""
    return f"kits/{slug}/v{version_id}/"


def sync_rows(version: KitVersion, read: FileReader) -> None:
    """Rebuild a version's asset and field rows from its manifest."""
    manifest = version.manifest
    templates = {}
    for path in version.files:
        if rules.file_kind(path) == "template":
            templates[path] = read(path)
    version.fields = _merge(
        version.fields,
        manifest.get("fields", []),
        KitField,
        lambda spec: {
            "label": spec["label"],
            "help": spec.get("help", ""),
            "type": spec["type"],
            "required": bool(spec.get("required", False)),
            "default_value": spec.get("default"),
            "max_length": spec.get("max_length"),
            "choices": spec.get("choices"),
        },
    )
    common = {"key", "kind", "name", "template", "fields"}
    version.assets = _merge(
        version.assets,
        manifest.get("assets", []),
        KitAsset,
        lambda asset: {
            "kind": asset["kind"],
            "name": asset["name"],
            "template": asset["template"],
            "settings": {k: v for k, v in asset.items() if k not in common},
            "used_fields": fields_used_by(asset, templates),
        },
    )


def _merge(
    rows: list[Any],
    specs: list[dict[str, Any]],
    model: type,
    values: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[Any]:
    # Rows are updated in place by key: replacing them all would insert the new rows
    # before deleting the old ones and break the (version, key) unique constraint.
    existing = {row.key: row for row in rows}
    merged = []
    for position, spec in enumerate(specs):
        row = existing.pop(spec["key"], None) or model(key=spec["key"])
        for name, value in {**values(spec), "position": position}.items():
            setattr(row, name, value)
        merged.append(row)
    return merged


def sync_metadata(kit: Kit, version: KitVersion) -> None:
    """Make the kit's catalog metadata that of ``version``."""
    manifest = version.manifest
    kit.name = manifest["name"]
    kit.summary = manifest.get("summary", "")
    kit.objective = manifest.get("objective", "")
    kit.audience = manifest.get("audience", "")
    kit.tags = list(manifest.get("tags", []))
    kit.tiers = [tier.casefold() for tier in manifest.get("tiers", [])]
    kit.regions = list(manifest.get("regions", []))
    cover = manifest.get("cover")
    kit.cover_key = version.storage_key(cover) if cover in version.files else None


def publish_draft(
    session: Session, storage: Storage, kit: Kit, actor_id: int | None, change_note: str
) -> KitVersion:
    """Publish the kit's draft as the next version number; it never changes again."""
    draft = draft_of(session, kit)
    if draft is None:
        raise KitError("There is no draft to publish; edit the kit first.")
    change_note = change_note.strip()
    if not change_note:
        raise KitError("Say what changed: partners see the note.", "change_note")
    if not draft.manifest.get("assets"):
        raise KitError("Add at least one asset before publishing.")
    latest = latest_published_version(session, kit)
    if latest is not None and latest.digest == draft.digest:
        raise KitError(f"Nothing changed since version {latest.number}: nothing to publish.")
    mark_published(draft, latest, actor_id, change_note)
    sync_metadata(kit, draft)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="kit.published",
        object_type="kit",
        object_id=kit.id,
        from_state=DRAFT,
        to_state=f"version {draft.number}",
        comment=change_note,
        data={"version_id": draft.id, "slug": kit.slug},
    )
    _drop_unlisted_files(session, storage, draft)
    return draft


def mark_published(
    version: KitVersion, latest: KitVersion | None, actor_id: int | None, change_note: str
) -> None:
    """Number a version after the latest published one and mark it published by the actor."""
    version.number = (latest.number or 0 if latest else 0) + 1
    version.status = PUBLISHED
    version.change_note = change_note
    version.published_at = utcnow()
    version.published_by_id = actor_id


def _drop_unlisted_files(session: Session, storage: Storage, version: KitVersion) -> None:
    # Draft edits replace or drop files; what the index no longer lists is garbage once the
    # publish commits (until then a failed commit leaves the draft as it was).
    try:
        keys = storage.list_keys(version.storage_prefix)
    except StorageError:
        return  # Left-over files cost space, never correctness: the index says what exists.
    prefix = version.storage_prefix
    unlisted = [key for key in keys if key.removeprefix(prefix) not in version.files]
    delete_after_commit(session, storage, unlisted)


def set_kit_status(session: Session, kit: Kit, actor_id: int | None, status: str) -> None:
    """Archive (hide from the catalog, campaigns keep working) or bring a kit back."""
    if status not in (ACTIVE, ARCHIVED):
        raise KitError(f"Unknown kit status {status!r}.")
    if kit.status == status:
        return
    previous, kit.status = kit.status, status
    action = "kit.archived" if status == ARCHIVED else "kit.unarchived"
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="kit",
        object_id=kit.id,
        from_state=previous,
        to_state=status,
        data={"slug": kit.slug},
    )
    session.flush()


def _latest_versions() -> Any:
    return (
        select(KitVersion.kit_id, func.max(KitVersion.number).label("number"))
        .where(KitVersion.status == PUBLISHED)
        .group_by(KitVersion.kit_id)
        .subquery()
    )


def visible_kits_statement(partner: Partner | None) -> Select:
    """(Kit, latest published KitVersion) of active kits; for a partner, only its tier/region's."""
    latest = _latest_versions()
    stmt = (
        select(Kit, KitVersion)
        .join(latest, latest.c.kit_id == Kit.id)
        .join(KitVersion, and_(KitVersion.kit_id == Kit.id, KitVersion.number == latest.c.number))
        .where(Kit.status == ACTIVE)
    )
    if partner is not None:
        stmt = stmt.where(
            or_(Kit.tiers == [], has_label(Kit.tiers, partner.tier.name)),
            or_(Kit.regions == [], has_label(Kit.regions, partner.region)),
        )
    return stmt


def filter_catalog(
    stmt: Select, q: str = "", objective: str = "", kind: str = "", tag: str = ""
) -> Select:
    """Narrow a visible_kits_statement by text, objective, asset kind and tag."""
    if q := q.strip():
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                Kit.name.ilike(like),
                Kit.summary.ilike(like),
                Kit.audience.ilike(like),
                has_label(Kit.tags, q),
            )
        )
    if objective in rules.OBJECTIVES:
        stmt = stmt.where(Kit.objective == objective)
    if kind in rules.KINDS:
        stmt = stmt.where(
            exists().where(KitAsset.version_id == KitVersion.id, KitAsset.kind == kind)
        )
    if tag := tag.strip():
        stmt = stmt.where(has_label(Kit.tags, tag))
    return stmt


def get_visible_kit_version(
    session: Session, partner: Partner | None, kit_id: int, *, allow_archived: bool = False
) -> KitVersion | None:
    """The latest published version of a kit this partner may see, else None (a 404).

    ``allow_archived`` is for a partner who already has a campaign made from the kit.
    """
    kit = session.get(Kit, kit_id)
    if kit is None or (kit.status == ARCHIVED and not allow_archived):
        return None
    if partner is not None and not rules.visible_to(
        kit.tiers, kit.regions, partner.tier.name, partner.region
    ):
        return None
    return latest_published_version(session, kit)


def catalog_tags(session: Session, partner: Partner | None) -> list[str]:
    """Every tag of the kits a partner can see, for the tag filter."""
    kits = session.execute(visible_kits_statement(partner)).scalars()
    return sorted({tag for kit in kits for tag in kit.tags}, key=str.casefold)
