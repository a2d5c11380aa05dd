"""The sample kits shipped in campaigns/, imported by `tcma demo` (and so `make run`)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session

from tcma import resources
from tcma.kits import importer, services
from tcma.kits.manifest import MANIFEST_NAME, parse_manifest
from tcma.kits.package import read_folder
from tcma.kits.rules import PackageError
from tcma.storage import Storage

log = logging.getLogger(__name__)

SAMPLE_KITS = resources.folder("campaigns")


def sample_kit_folders(root: Path = SAMPLE_KITS) -> list[Path]:
    """Every kit folder (one with a kit.toml) under ``root``."""
    return sorted(p for p in root.iterdir() if (p / "kit.toml").is_file()) if root.is_dir() else []


def import_sample_kits(session: Session, storage: Storage, root: Path = SAMPLE_KITS) -> list[str]:
    """Publish each sample kit not in the database yet as version 1; return their slugs."""
    imported = []
    for folder in sample_kit_folders(root):
        try:
            # Reading kit.toml alone is enough to skip a kit that is loaded already.
            slug = parse_manifest((folder / MANIFEST_NAME).read_bytes()).get("slug")
            if isinstance(slug, str) and services.get_kit_by_slug(session, slug) is not None:
                continue
            package = read_folder(folder)
            importer.import_package(session, storage, package, None)
        except PackageError as exc:
            # A broken sample must not stop the demo from starting; tests catch it instead.
            log.warning("sample kit %s skipped: %s", folder.name, "; ".join(exc.problems))
            continue
        imported.append(package.slug)
    return imported
