"""Brand use cases: read a partner's current brand, save a new brand version, its logo."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import Partner
from tcma.cobrand import rules
from tcma.cobrand.models import BrandProfile, BrandVersion
from tcma.cobrand.rules import BrandError, ImageRejected
from tcma.storage import Storage, StorageError, put_in_transaction

#: Brand values a version holds besides its logo, in form order.
VALUE_KEYS = (
    "display_name",
    "primary_color",
    "secondary_color",
    "website",
    "phone",
    "email",
    "address",
    "description",
)


def get_profile(session: Session, partner_id: int, *, lock: bool = False) -> BrandProfile | None:
    """The partner's brand profile; ``lock`` holds its row until commit (PostgreSQL)."""
    stmt = select(BrandProfile).where(BrandProfile.partner_id == partner_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def current_brand(session: Session, partner_id: int) -> BrandVersion | None:
    """The newest brand version of a partner, or None when it never saved one."""
    return session.scalar(
        select(BrandVersion)
        .where(BrandVersion.partner_id == partner_id)
        .order_by(BrandVersion.number.desc())
        .limit(1)
    )


def brand_values(partner: Partner, version: BrandVersion | None) -> dict[str, str]:
    """The plain brand values a template sees; a partner without a brand gets sane defaults."""
    if version is None:
        return {
            "display_name": partner.name,
            "primary_color": rules.DEFAULT_PRIMARY,
            "secondary_color": rules.DEFAULT_SECONDARY,
            "website": partner.website or "",
            "phone": "",
            "email": "",
            "address": "",
            "description": "",
        }
    return {key: getattr(version, key) or "" for key in VALUE_KEYS}


def brand_version_key(partner: Partner, version: BrandVersion | None) -> str:
    """Names the brand state in render cache keys: a new version means new renders."""
    return f"brand-version-{version.id}" if version else f"partner-{partner.id}-no-brand"


def read_logo(storage: Storage, version: BrandVersion | None) -> bytes | None:
    """The logo PNG of a brand version, or None when it has none (or storage lost it)."""
    if version is None or not version.logo_key:
        return None
    try:
        return storage.read(version.logo_key)
    except StorageError:
        return None


def save_brand(
    session: Session,
    storage: Storage,
    partner: Partner,
    actor_id: int | None,
    values: dict[str, Any],
    *,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> tuple[BrandVersion, bool]:
    """Save the brand as a new version; returns (version, created). BrandError if refused.

    Saving exactly what is there already creates nothing: a version that changes nothing
    would only throw away every cached render of the partner's assets.
    """
    problems: dict[str, str] = {}
    try:
        clean = rules.check_brand_values(values)
    except BrandError as exc:
        problems.update(exc.problems)
    cleaned_logo = None
    if logo:
        try:
            cleaned_logo = rules.clean_logo(logo)
        except ImageRejected as exc:
            problems["logo"] = str(exc)
    if problems:
        raise BrandError(problems)

    profile = get_profile(session, partner.id, lock=True)
    if profile is None:
        profile = BrandProfile(partner_id=partner.id)
        session.add(profile)
        session.flush()
    previous = current_brand(session, partner.id)
    logo_fields = _logo_fields(session, storage, partner.id, previous, cleaned_logo, remove_logo)
    if previous is not None and _same(previous, clean, logo_fields):
        return previous, False

    version = BrandVersion(
        profile=profile,
        partner_id=partner.id,
        number=(previous.number if previous else 0) + 1,
        created_by_id=actor_id,
        **clean,
        **logo_fields,
    )
    session.add(version)
    session.flush()
    changed = [
        key
        for key in (*VALUE_KEYS, "logo_key")
        if previous is None or getattr(previous, key) != getattr(version, key)
    ]
    audit.record(
        session,
        actor_id=actor_id,
        action="brand.saved",
        object_type="brand",
        object_id=profile.id,
        partner_id=partner.id,
        from_state=f"version {previous.number}" if previous else None,
        to_state=f"version {version.number}",
        data={"version_id": version.id, "changed": changed},
    )
    return version, True


def _logo_fields(
    session: Session,
    storage: Storage,
    partner_id: int,
    previous: BrandVersion | None,
    cleaned: rules.CleanImage | None,
    remove: bool,
) -> dict[str, Any]:
    if cleaned is not None:
        digest = hashlib.sha256(cleaned.data).hexdigest()[:32]
        # Content-addressed: saving the same logo twice stores it once.
        key = put_in_transaction(
            session,
            storage,
            f"brands/{partner_id}/logo-{digest}.png",
            cleaned.data,
            "image/png",
            content_addressed=True,
        )
        return {"logo_key": key, "logo_width": cleaned.width, "logo_height": cleaned.height}
    if remove or previous is None:
        return {"logo_key": None, "logo_width": None, "logo_height": None}
    return {
        "logo_key": previous.logo_key,
        "logo_width": previous.logo_width,
        "logo_height": previous.logo_height,
    }


def _same(previous: BrandVersion, clean: dict[str, str], logo_fields: dict[str, Any]) -> bool:
    return all(getattr(previous, key) == value for key, value in {**clean, **logo_fields}.items())


def get_brand_version(session: Session, version_id: int) -> BrandVersion | None:
    """One brand version by id (public logo URLs name it)."""
    return session.get(BrandVersion, version_id)
