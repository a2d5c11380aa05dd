"""Publishing a kit version renders its previews in a job, before anyone opens them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tcma.kits import services
from tcma.kits.models import Kit


def _preview_files(app: Flask) -> list[Path]:
    root = app.extensions["tcma.storage"].root  # the local backend's folder
    return [p for p in root.rglob("*.png") if "previews" in p.parts]


def test_publishing_renders_every_preview_in_a_job(app: Flask, as_marketer, import_kit) -> None:
    kit_id = import_kit().kit.id
    as_marketer.post(
        f"/kits/{kit_id}/edit",
        data={"name": "Spring, renamed", "summary": "New summary", "objective": "awareness"},
    )
    assert _preview_files(app) == []
    response = as_marketer.post(f"/kits/{kit_id}/publish", data={"change_note": "New name"})
    assert response.status_code == 302
    session = app.extensions["tcma.sessionmaker"]()
    version = services.latest_published_version(session, session.get_one(Kit, kit_id))
    assert version.number == 2
    # Nobody has opened a preview yet, and every asset's PNG is already in storage.
    assert len(_preview_files(app)) == len(version.manifest["assets"])
    session.close()
