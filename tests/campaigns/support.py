"""Test data for campaigns and brands: a published kit, a brand with a logo, a campaign."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pypdf
from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from tcma.accounts.models import Partner
from tcma.campaigns import services as campaign_services
from tcma.campaigns.models import Campaign
from tcma.campaigns.rendering import brand_logo_url, kit_media_base_url
from tcma.cobrand import services as brand_services
from tcma.cobrand.models import BrandVersion
from tcma.kits.importer import import_package
from tcma.kits.models import KitVersion
from tcma.kits.package import read_folder
from tcma.storage import Storage
from tcma.storage.base import EXTENSION_KEY

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_KIT = ROOT / "tests" / "cobrand" / "kits" / "fixture-kit"
SAMPLE_KITS = ROOT / "campaigns"

BRAND = {
    "display_name": "Brightpath Cloud Services",
    "primary_color": "#0b5cab",
    "secondary_color": "#13a89e",
    "website": "https://brightpath.example",
    "phone": "+44 20 7946 0000",
    "email": "events@brightpath.example",
    "address": "1 Harbour Street, Leeds",
    "description": "Backup and recovery specialists for schools and councils.",
}
VALUES = {
    "headline": "Restore drills for busy teams",
    "event_date": "2026-12-10",
    "offer": "A free restore drill with our engineers.",
}


def png_bytes(
    width: int = 64, height: int = 32, colour: str = "#0b5cab", fmt: str = "PNG"
) -> bytes:
    """A small real image."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def storage_of(app: Flask) -> Storage:
    return app.extensions[EXTENSION_KEY]


def import_kit(
    app: Flask, session: Session, folder: Path = FIXTURE_KIT, **manifest: Any
) -> KitVersion:
    """Publish a kit folder (with manifest changes, e.g. another slug or tiers)."""
    package = read_folder(folder)
    if manifest:
        package = replace(package, manifest={**package.manifest, **manifest})
    result = import_package(session, storage_of(app), package, None)
    session.commit()
    return result.version


def save_brand(
    app: Flask, session: Session, partner: Partner, logo: bool = True, **values: str
) -> BrandVersion:
    version, _ = brand_services.save_brand(
        session,
        storage_of(app),
        partner,
        None,
        {**BRAND, **values},
        logo=png_bytes(240, 80) if logo else None,
    )
    session.commit()
    return version


def start_campaign(
    app: Flask,
    session: Session,
    partner: Partner,
    version: KitVersion,
    name: str = "Spring restore drills",
    uploads: dict[str, bytes] | None = None,
    **values: str,
) -> Campaign:
    campaign = campaign_services.start_campaign(
        session, storage_of(app), partner, version, None, name, {**VALUES, **values}, uploads
    )
    session.commit()
    return campaign


def matrix_objects(ctx: SimpleNamespace) -> SimpleNamespace:
    """A kit, partner A's brand and campaign (with a field image) for the access matrix."""
    if not hasattr(ctx, "campaign_objects"):
        app, world = ctx.app, ctx.world
        session = app.extensions["tcma.sessionmaker"]()
        with app.app_context():
            version = import_kit(app, session)
            partner = session.get(Partner, world.partner_a.id)
            brand = save_brand(app, session, partner)
            campaign = start_campaign(
                app, session, partner, version, uploads={"team_photo": png_bytes(40, 40)}
            )
            media_path = kit_media_base_url(version).removeprefix(app.config["BASE_URL"])
            logo_path = brand_logo_url(brand).removeprefix(app.config["BASE_URL"])
        ctx.campaign_objects = SimpleNamespace(
            media_path=media_path,
            logo_path=logo_path,
            kit_id=version.kit_id,
            version_id=version.id,
            brand_version_id=brand.id,
            campaign_id=campaign.id,
            image_name=campaign.field_values["team_photo"].rsplit("/", 1)[-1],
        )
        session.close()
    return ctx.campaign_objects


def pdf_text(data: bytes) -> str:
    """Every page's text, as a reader would copy it."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
