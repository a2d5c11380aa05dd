"""The sample kits in campaigns/ import cleanly, render from storage, and `tcma demo` loads them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.cobrand.render import TARGETS, RenderContext, render_asset
from tcma.demo import load_demo
from tcma.kits import importer, previews, services
from tcma.kits.models import Kit, KitVersion
from tcma.kits.package import read_folder
from tcma.kits.samples import sample_kit_folders
from tcma.storage import Storage
from tests.cobrand.support import pdf_text
from tests.conftest import World

FOLDERS = sample_kit_folders()


def test_there_are_at_least_three_sample_kits() -> None:
    assert len(FOLDERS) >= 3, [folder.name for folder in FOLDERS]


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda folder: folder.name)
def test_sample_kit_imports_and_every_asset_renders_from_storage(
    folder: Path, db_session: Session, storage: Storage, world: World
) -> None:
    package = read_folder(folder)
    result = importer.import_package(db_session, storage, package, None)
    db_session.commit()
    version = result.version
    assert (version.number, version.status) == (1, "published")
    assert set(version.files) == set(package.files)
    source = services.version_source(storage, version)
    ctx = previews.preview_context(
        version, {"name": "Northbeam Software", "website": "https://www.northbeam.example"}
    )
    ctx = RenderContext(
        **{
            **ctx.__dict__,
            "partner": {"name": "Brightpath IT"},
            "brand": {**ctx.brand, "display_name": "Brightpath IT"},
        }
    )
    # One output per asset proves the stored files are complete; every output of every
    # kind is the render engine's own test.
    for asset in version.assets:
        target = TARGETS[asset.kind][0]
        rendered = render_asset(source, asset.key, ctx, target, pool=None)
        assert _shows_the_partner(rendered.data, target), f"{asset.key} as {target}"
        assert not rendered.refused_urls, f"{asset.key} fetched {rendered.refused_urls}"


def _shows_the_partner(data: bytes, target: str) -> bool:
    """The output names the partner (a PDF by its text); an image is a real, drawn picture."""
    if target == "pdf":
        return "Brightpath IT" in " ".join(pdf_text(data).split())
    if target == "png":
        image = Image.open(io.BytesIO(data))
        pixels = image.convert("RGB")
        colours = pixels.getcolors(pixels.width * pixels.height) or []
        return image.format == "PNG" and len(colours) > 1  # not one flat colour
    return b"Brightpath IT" in data


def test_demo_loads_the_sample_kits_once(app: Flask, db_session: Session) -> None:
    with app.app_context():
        for _ in range(2):
            load_demo(db_session, app)
            db_session.commit()
    assert db_session.scalar(select(func.count(Kit.id))) == len(FOLDERS)
    numbers = set(db_session.scalars(select(KitVersion.number)))
    assert numbers == {1}
