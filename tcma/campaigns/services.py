"""Campaign use cases: start one from a kit, change its field values, list, record downloads."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import Partner
from tcma.campaigns import rules
from tcma.campaigns.models import STATUSES, Campaign
from tcma.campaigns.rules import FieldErrors
from tcma.cobrand.models import AssetDownload
from tcma.cobrand.rules import CleanImage, ImageRejected
from tcma.kits import services as kit_services
from tcma.kits.models import Kit, KitVersion
from tcma.storage import Storage, put_in_transaction

IMAGE_PREFIX = "campaign-images/"


def field_specs(version: KitVersion) -> list[dict[str, Any]]:
    """The co-brand fields of a kit version, as kit.toml declares them."""
    return list(version.manifest.get("fields", []))


def image_storage_key(image: CleanImage) -> str:
    """Content-addressed, so the public URL of an image field cannot be guessed from an id."""
    return f"{IMAGE_PREFIX}{hashlib.sha256(image.data).hexdigest()}.{image.extension}"


def check_uploads(version: KitVersion, uploads: Mapping[str, bytes]) -> dict[str, CleanImage]:
    """Check every uploaded image of the version's image fields; FieldErrors if any is bad."""
    image_fields = {spec["key"] for spec in field_specs(version) if spec.get("type") == "image"}
    images, problems = {}, {}
    for key, data in uploads.items():
        if key not in image_fields or not data:
            continue
        try:
            images[key] = rules.clean_field_image(data)
        except ImageRejected as exc:
            problems[key] = str(exc)
    if problems:
        raise FieldErrors(problems)
    return images


def _apply_values(
    session: Session,
    storage: Storage,
    version: KitVersion,
    name: str,
    raw: Mapping[str, str | None],
    uploads: Mapping[str, bytes],
    kept_images: Mapping[str, str],
) -> tuple[str, dict[str, str]]:
    """Validate everything first; store images only once the whole form is good."""
    problems: dict[str, str] = {}
    if problem := rules.campaign_name_problem(name):
        problems["name"] = problem
    images: dict[str, CleanImage] = {}
    try:
        images = check_uploads(version, uploads)
    except FieldErrors as exc:
        problems.update(exc.problems)
    image_keys = {**kept_images, **{key: image_storage_key(img) for key, img in images.items()}}
    try:
        values = rules.clean_field_values(field_specs(version), raw, image_keys)
    except FieldErrors as exc:
        problems = {**exc.problems, **problems}
    if problems:
        raise FieldErrors(problems)
    for image in images.values():
        put_in_transaction(
            session,
            storage,
            image_storage_key(image),
            image.data,
            image.content_type,
            content_addressed=True,
        )
    return name.strip(), values


def start_campaign(
    session: Session,
    storage: Storage,
    partner: Partner,
    version: KitVersion,
    actor_id: int | None,
    name: str,
    raw: Mapping[str, str | None],
    uploads: Mapping[str, bytes] | None = None,
) -> Campaign:
    """Start a draft campaign from a published kit version; FieldErrors if a value is bad."""
    if not version.is_published:
        raise FieldErrors({"name": "Only a published kit can be used for a campaign."})
    name, values = _apply_values(session, storage, version, name, raw, uploads or {}, {})
    campaign = Campaign(
        partner_id=partner.id,
        kit_id=version.kit_id,
        kit_version_id=version.id,
        name=name,
        field_values=values,
        created_by_id=actor_id,
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="campaign.created",
        object_type="campaign",
        object_id=campaign.id,
        partner_id=partner.id,
        to_state=campaign.status,
        data={"kit_id": version.kit_id, "kit_version_id": version.id},
    )
    return campaign


def update_campaign(
    session: Session,
    storage: Storage,
    campaign: Campaign,
    actor_id: int | None,
    name: str,
    raw: Mapping[str, str | None],
    uploads: Mapping[str, bytes] | None = None,
    remove_images: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Change a campaign's name and field values; returns what changed (FieldErrors if bad)."""
    version = campaign.kit_version
    saved = dict(campaign.field_values or {})
    image_fields = {s["key"] for s in field_specs(version) if s.get("type") == "image"}
    kept = {key: saved[key] for key in image_fields if saved.get(key) and key not in remove_images}
    name, values = _apply_values(session, storage, version, name, raw, uploads or {}, kept)
    changed = sorted(key for key in {*saved, *values} if saved.get(key) != values.get(key))
    if campaign.name != name:
        changed.insert(0, "name")
    if not changed:
        return []
    campaign.name = name
    # A new dict, so that SQLAlchemy sees the JSON column change.
    campaign.field_values = values
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="campaign.updated",
        object_type="campaign",
        object_id=campaign.id,
        partner_id=campaign.partner_id,
        data={"changed": changed},
    )
    return changed


def campaigns_statement(
    partner_id: int | None = None,
    *,
    kit_id: int | None = None,
    status: str | None = None,
    q: str = "",
) -> Select:
    """Campaigns, newest first, optionally of one partner, kit or status, or matching text."""
    stmt = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if partner_id is not None:
        stmt = stmt.where(Campaign.partner_id == partner_id)
    if kit_id is not None:
        stmt = stmt.where(Campaign.kit_id == kit_id)
    if status in STATUSES:
        stmt = stmt.where(Campaign.status == status)
    if q := q.strip():
        stmt = stmt.where(Campaign.name.icontains(q, autoescape=True))
    return stmt


def newer_version(session: Session, campaign: Campaign) -> KitVersion | None:
    """The kit's latest published version when it is newer than the campaign's, else None."""
    latest = kit_services.latest_published_version(session, campaign.kit)
    current = campaign.kit_version.number or 0
    return latest if latest is not None and (latest.number or 0) > current else None


def record_download(
    session: Session, campaign: Campaign, asset_key: str, target: str, user_id: int | None
) -> AssetDownload:
    """Count one download of an asset ("*" and "zip" for the bundle)."""
    download = AssetDownload(
        campaign_id=campaign.id,
        partner_id=campaign.partner_id,
        kit_id=campaign.kit_id,
        asset_key=asset_key,
        target=target,
        user_id=user_id,
    )
    session.add(download)
    session.flush()
    return download


def download_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Downloads of each asset of a campaign, by asset key."""
    rows = session.execute(
        select(AssetDownload.asset_key, func.count(AssetDownload.id))
        .where(AssetDownload.campaign_id == campaign_id)
        .group_by(AssetDownload.asset_key)
    )
    return {key: count for key, count in rows}


def kit_known_to(session: Session, partner: Partner | None, kit_id: int) -> bool:
    """Whether a list may be filtered by this kit: any kit for vendor staff (``None``); for a
    partner, a kit it may see or has a campaign of (a kit later hidden from its tier)."""
    if kit_services.get_visible_kit_version(session, partner, kit_id, allow_archived=True):
        return True
    if partner is None:
        return session.get(Kit, kit_id) is not None  # drafts and archived kits too
    used = select(Campaign.id).where(Campaign.partner_id == partner.id, Campaign.kit_id == kit_id)
    return session.scalar(used.limit(1)) is not None
