"""Marketers edit kits in the web UI: every change goes to a draft and keeps it a valid kit."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tcma.cobrand.render import MappingKitSource, validate_kit
from tcma.kits import rules, services
from tcma.kits.analysis import reachable_templates
from tcma.kits.importer import write_files
from tcma.kits.manifest import manifest_problems
from tcma.kits.models import ACTIVE, DRAFT, Kit, KitVersion
from tcma.kits.package import file_entry, file_problem
from tcma.kits.rules import DraftRefused, KitError, Problem
from tcma.storage import Storage, delete_after_commit

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class KitMetadata:
    """What the kit form edits: everything in kit.toml above [[fields]]."""

    name: str
    summary: str
    objective: str
    audience: str = ""
    tags: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    def apply(self, manifest: dict[str, Any]) -> None:
        manifest.update(
            name=self.name.strip(),
            summary=self.summary.strip(),
            objective=self.objective,
            audience=self.audience.strip(),
            tags=self.tags,
            tiers=self.tiers,
            regions=self.regions,
        )


def create_kit(
    session: Session,
    storage: Storage,
    actor_id: int | None,
    meta: KitMetadata,
    slug: str = "",
    cover: tuple[str, bytes] | None = None,
) -> Kit:
    """A new kit with an empty draft (metadata and cover, no assets yet)."""
    slug = (slug or rules.slugify(meta.name)).strip()
    if not rules.SLUG_RE.match(slug):
        raise KitError("Use lowercase letters, digits and dashes.", "slug")
    if services.get_kit_by_slug(session, slug) is not None:
        raise KitError(f"Another kit already uses {slug!r}; choose another.", "slug")
    kit = Kit(
        slug=slug,
        name=meta.name.strip(),
        objective=meta.objective,
        status=ACTIVE,
        created_by_id=actor_id,
    )
    draft = KitVersion(
        kit=kit, status=DRAFT, manifest={"slug": slug}, files={}, created_by_id=actor_id
    )
    session.add_all([kit, draft])
    session.flush()
    draft.storage_prefix = services.storage_prefix(slug, draft.id)
    update_metadata(session, storage, kit, actor_id, meta, cover)
    return kit


def working_version(session: Session, kit: Kit) -> KitVersion:
    """What an edit starts from: the open draft, else the latest published version."""
    version = services.draft_of(session, kit) or services.latest_published_version(session, kit)
    if version is None:
        raise KitError("This kit has neither a draft nor a published version.")
    return version


def open_draft(session: Session, storage: Storage, kit: Kit, actor_id: int | None) -> KitVersion:
    """The kit's draft; the first edit after a publish copies the latest published version."""
    draft = services.draft_of(session, kit)
    if draft is not None:
        return draft
    latest = services.latest_published_version(session, kit)
    if latest is None:
        raise KitError("This kit has neither a draft nor a published version.")
    draft = KitVersion(
        kit=kit,
        status=DRAFT,
        manifest=copy.deepcopy(latest.manifest),
        files=dict(latest.files),
        created_by_id=actor_id,
    )
    session.add(draft)
    session.flush()
    draft.storage_prefix = services.storage_prefix(kit.slug, draft.id)
    read = services.version_reader(storage, latest)
    write_files(session, storage, draft.storage_prefix, {p: read(p) for p in latest.files})
    services.sync_rows(draft, services.version_reader(storage, draft))
    session.flush()
    return draft


def update_metadata(
    session: Session,
    storage: Storage,
    kit: Kit,
    actor_id: int | None,
    meta: KitMetadata,
    cover: tuple[str, bytes] | None = None,
) -> KitVersion:
    """Change the draft's name, summary, audience, tags, tiers, regions and cover."""
    base = working_version(session, kit)
    manifest = copy.deepcopy(base.manifest)
    meta.apply(manifest)
    new_files, slots = {}, {}
    if cover is not None:
        filename, data = cover
        suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
        path = f"media/cover.{suffix}"
        new_files[path], slots[path] = data, "cover"
        manifest["cover"] = path
    return change_draft(session, storage, kit, actor_id, manifest, new_files, field_of=slots)


def save_asset(
    session: Session,
    storage: Storage,
    kit: Kit,
    actor_id: int | None,
    entry: dict[str, Any],
    texts: dict[str, bytes | None],
    original_key: str | None = None,
) -> KitVersion:
    """Add or change an asset: its [[assets]] entry and its template texts.

    ``texts`` maps "template", "text_template" and "network:<name>" to new content (None
    keeps the file as it is, empty drops the optional ones); a new asset's files are named
    after its key.
    """
    base = working_version(session, kit)
    manifest = copy.deepcopy(base.manifest)
    assets = manifest.setdefault("assets", [])
    key = entry.get("key", "")
    current = next((a for a in assets if a.get("key") == original_key), None)
    if original_key is not None and current is None:
        raise KitError(f"The kit has no asset {original_key!r}.")
    if current is None and any(a.get("key") == key for a in assets):
        raise KitError(f"Another asset already uses the key {key!r}.", "key")
    # Settings the form sends empty are removed; files it does not send are kept.
    entry = {k: v for k, v in {**(current or {}), **entry}.items() if v not in (None, "", [])}
    new_files: dict[str, bytes] = {}
    field_of: dict[str, str] = {}
    for slot, content in texts.items():
        if content is None:
            continue
        if slot != "template" and not content.strip():
            _drop_slot(entry, slot)
            continue
        path = _asset_path(entry, slot, base.files if current is None else {})
        new_files[path] = content
        field_of[path] = slot
    if current is None:
        assets.append(entry)
    else:
        assets[assets.index(current)] = entry
    return change_draft(session, storage, kit, actor_id, manifest, new_files, field_of=field_of)


def _drop_slot(entry: dict[str, Any], slot: str) -> None:
    """Forget an optional text: no plain-text part (derived instead), or one network less."""
    if slot.startswith("network:"):
        networks = {
            k: v for k, v in (entry.get("networks") or {}).items() if k != slot.split(":", 1)[1]
        }
        if networks:
            entry["networks"] = networks
        else:
            entry.pop("networks", None)
    else:
        entry.pop(slot, None)


def _asset_path(entry: dict[str, Any], slot: str, taken: dict[str, Any]) -> str:
    """Where a slot's text lives: the path the entry names, else one named after the key."""
    key = entry.get("key", "asset")
    if slot.startswith("network:"):
        network = slot.split(":", 1)[1]
        networks = entry.setdefault("networks", {})
        path = networks.get(network) or f"{key}-{network}.txt"
        networks[network] = path
    else:
        default = f"{key}.html" if slot == "template" else f"{key}.txt"
        path = entry.get(slot) or default
        entry[slot] = path
    if path in taken:
        raise KitError(f"The kit already has a file {path}; choose another key.", "key")
    return path


def delete_asset(
    session: Session, storage: Storage, kit: Kit, actor_id: int | None, key: str
) -> KitVersion:
    """Remove an asset and the templates nothing else uses."""
    base = working_version(session, kit)
    manifest = copy.deepcopy(base.manifest)
    assets = manifest.get("assets", [])
    gone = next((a for a in assets if a.get("key") == key), None)
    if gone is None:
        raise KitError(f"The kit has no asset {key!r}.")
    assets.remove(gone)
    own = {gone.get("template"), gone.get("text_template"), *(gone.get("networks") or {}).values()}
    still_used = reachable_templates(manifest, services.version_reader(storage, base))
    removed = {path for path in own if path and path not in still_used}
    return change_draft(session, storage, kit, actor_id, manifest, {}, removed)


def save_field(
    session: Session,
    storage: Storage,
    kit: Kit,
    actor_id: int | None,
    spec: dict[str, Any],
    used_by: list[str],
    original_key: str | None = None,
) -> KitVersion:
    """Add or change a co-brand field, and say which assets use it."""
    base = working_version(session, kit)
    manifest = copy.deepcopy(base.manifest)
    fields = manifest.setdefault("fields", [])
    key = original_key or spec["key"]
    spec = {k: v for k, v in {**spec, "key": key}.items() if v not in (None, "", [])}
    current = next((f for f in fields if f.get("key") == key), None)
    if original_key is None and current is not None:
        raise KitError(f"Another field already uses the key {key!r}.", "key")
    if original_key is not None and current is None:
        raise KitError(f"The kit has no field {original_key!r}.")
    if current is None:
        fields.append(spec)
    else:
        fields[fields.index(current)] = spec
    for asset in manifest.get("assets", []):
        listed = [f for f in asset.get("fields", []) if f != key]
        listed += [key] if asset.get("key") in used_by else []
        if listed:
            asset["fields"] = listed
        else:
            asset.pop("fields", None)
    return change_draft(session, storage, kit, actor_id, manifest, {})


def delete_field(
    session: Session, storage: Storage, kit: Kit, actor_id: int | None, key: str
) -> KitVersion:
    """Remove a field; refused while a template still uses it."""
    base = working_version(session, kit)
    manifest = copy.deepcopy(base.manifest)
    manifest["fields"] = [f for f in manifest.get("fields", []) if f.get("key") != key]
    for asset in manifest.get("assets", []):
        if key in asset.get("fields", []):
            asset["fields"] = [f for f in asset["fields"] if f != key]
            if not asset["fields"]:
                del asset["fields"]
    return change_draft(session, storage, kit, actor_id, manifest, {})


def add_file(
    session: Session, storage: Storage, kit: Kit, actor_id: int | None, filename: str, data: bytes
) -> str:
    """Add (or replace) a template at the top of the kit or an image/font in media/."""
    name = _SAFE_NAME.sub("-", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(".-")
    if not name:
        raise KitError("The file needs a name.", "file")
    path = name if rules.file_kind(name) in ("template", "svg", None) else f"media/{name}"
    base = working_version(session, kit)
    change_draft(session, storage, kit, actor_id, copy.deepcopy(base.manifest), {path: data})
    return path


def delete_file(
    session: Session, storage: Storage, kit: Kit, actor_id: int | None, path: str
) -> KitVersion:
    """Remove a file; refused while the manifest or a template names it."""
    base = working_version(session, kit)
    if path not in base.files:
        raise KitError(f"The kit has no file {path}.")
    return change_draft(session, storage, kit, actor_id, copy.deepcopy(base.manifest), {}, {path})


def change_draft(
    session: Session,
    storage: Storage,
    kit: Kit,
    actor_id: int | None,
    manifest: dict[str, Any],
    new_files: dict[str, bytes],
    removed: set[str] | frozenset[str] = frozenset(),
    field_of: dict[str, str] | None = None,
) -> KitVersion:
    """Check a whole new state of the draft; save it only if the kit stays valid.

    DraftRefused lists every problem (file, line, message); nothing is written then, not
    even the draft a first edit after a publish would open.
    """
    base = working_version(session, kit)
    index = {path: entry for path, entry in base.files.items() if path not in removed}
    index.update({path: file_entry(data) for path, data in new_files.items()})
    problems = [
        Problem(path, 0, problem)
        for path, data in new_files.items()
        if (problem := file_problem(path, data))
    ]
    problems += [
        Problem("kit.toml", 0, message)
        for message in manifest_problems(manifest, set(index), require_assets=False)
    ]
    stored = services.version_reader(storage, base)

    def read(path: str) -> bytes:
        if path in new_files:
            return new_files[path]
        if path not in index:
            raise KeyError(path)
        return stored(path)

    if not problems:
        source = MappingKitSource(manifest, read, "draft-check")
        problems = [Problem(p.path, p.line, p.message) for p in validate_kit(source)]
    if problems:
        raise DraftRefused(problems, field_of or {})
    draft = open_draft(session, storage, kit, actor_id)
    # A failure from here on fails the request, whose rollback undoes these writes.
    write_files(session, storage, draft.storage_prefix, new_files, replaces=True)
    draft.manifest, draft.files = manifest, index
    services.sync_rows(draft, read)
    if services.latest_published_version(session, kit) is None:
        services.sync_metadata(kit, draft)
    session.flush()
    return draft


def discard_draft(session: Session, storage: Storage, kit: Kit) -> None:
    """Throw the draft away; the kit stays at its latest published version."""
    draft = services.draft_of(session, kit)
    if draft is None or services.latest_published_version(session, kit) is None:
        raise KitError("Only a draft of a published kit can be discarded.")
    keys = [draft.storage_key(path) for path in draft.files]
    session.delete(draft)
    session.flush()
    delete_after_commit(session, storage, keys)
