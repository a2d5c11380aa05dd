"""Import a checked kit package as a published version, and export any version as a zip."""

from __future__ import annotations

import io
import mimetypes
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import Tier
from tcma.kits import services
from tcma.kits.manifest import MANIFEST_NAME, dump_manifest
from tcma.kits.models import ACTIVE, Kit, KitVersion
from tcma.kits.package import KitPackage
from tcma.kits.rules import PackageError, content_digest
from tcma.storage import Storage, put_in_transaction

#: Called after each file is written or read: (files done, files in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the kit, its version, and whether that version is new."""

    kit: Kit
    version: KitVersion
    created: bool


def unknown_tiers(session: Session, tiers: list[str]) -> list[str]:
    """Tier names a manifest lists that this deployment does not have."""
    known = {name.casefold() for name in session.scalars(select(Tier.name))}
    return [tier for tier in tiers if tier.casefold() not in known]


def import_package(
    session: Session,
    storage: Storage,
    package: KitPackage,
    actor_id: int | None,
    progress: Progress | None = None,
) -> ImportResult:
    """Publish a package as the next version of its kit (a new kit for a new slug).

    The package was checked completely before; files are written last, and removed again
    if writing fails half-way, so a refused or failed import leaves nothing behind.
    """
    missing = unknown_tiers(session, package.manifest.get("tiers", []))
    if missing:
        raise PackageError([f"kit.toml tiers: {', '.join(map(repr, missing))} is not a tier here"])
    kit = services.get_kit_by_slug(session, package.slug)
    latest = services.latest_published_version(session, kit) if kit else None
    index = package.index()
    if kit and latest and latest.digest == content_digest(package.manifest, index):
        return ImportResult(kit, latest, created=False)
    if kit is None:
        kit = Kit(
            slug=package.slug,
            name=package.manifest["name"],
            objective="",
            status=ACTIVE,
            created_by_id=actor_id,
        )
        session.add(kit)
    version = KitVersion(kit=kit, manifest=package.manifest, files=index, created_by_id=actor_id)
    session.add(version)
    session.flush()
    version.storage_prefix = services.storage_prefix(kit.slug, version.id)
    services.sync_rows(version, package.files.__getitem__)
    note = package.change_note or ("Imported" if latest else "First version")
    services.mark_published(version, latest, actor_id, note)
    services.sync_metadata(kit, version)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="kit.published",
        object_type="kit",
        object_id=kit.id,
        to_state=f"version {version.number}",
        comment=version.change_note,
        data={"version_id": version.id, "slug": kit.slug, "source": "import"},
    )
    session.flush()
    # Storage last: every check and every row is done, so only a storage failure is left.
    write_files(session, storage, version.storage_prefix, package.files, progress)
    return ImportResult(kit, version, created=True)


def write_files(
    session: Session,
    storage: Storage,
    prefix: str,
    files: dict[str, bytes],
    progress: Progress | None = None,
    *,
    replaces: bool = False,
) -> None:
    """Write files under a prefix; a rollback of ``session`` undoes every write.

    ``replaces``: the prefix may hold some of these files already (a draft being edited);
    a rollback puts their old content back.
    """
    for done, (path, data) in enumerate(sorted(files.items()), start=1):
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        put_in_transaction(session, storage, prefix + path, data, content_type, replaces=replaces)
        if progress:
            progress(done, len(files))


def export_zip(storage: Storage, version: KitVersion, progress: Progress | None = None) -> bytes:
    """The version in the kit folder format, zipped in a folder named after the kit."""
    slug = version.manifest["slug"]
    # A fixed timestamp makes two exports of the same version byte-identical.
    stamp = (version.published_at or version.created_at).timetuple()[:6]
    buffer = io.BytesIO()
    read = services.version_reader(storage, version)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo(f"{slug}/{MANIFEST_NAME}", stamp),
            dump_manifest(version.manifest, version.change_note),
            zipfile.ZIP_DEFLATED,
        )
        paths = sorted(version.files)
        for done, path in enumerate(paths, start=1):
            archive.writestr(
                zipfile.ZipInfo(f"{slug}/{path}", stamp), read(path), zipfile.ZIP_DEFLATED
            )
            if progress:
                progress(done, len(paths))
    return buffer.getvalue()


def export_filename(version: KitVersion) -> str:
    """kit-slug-v3.zip, or kit-slug-draft.zip."""
    suffix = f"v{version.number}" if version.number else "draft"
    return f"{version.manifest['slug']}-{suffix}.zip"
