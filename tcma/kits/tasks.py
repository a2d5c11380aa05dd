"""Kit jobs: every asset's preview is rendered when a version is published, not on first view."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.cobrand.render import RenderError
from tcma.kits import previews
from tcma.kits.models import KitVersion
from tcma.storage import StorageError, get_storage

log = logging.getLogger(__name__)


@jobs.task("kits.render_previews", retries=2, retry_delay=60)
def render_previews(session: Session, version_id: int) -> int:
    """Render (or find cached) the PNG preview of each asset; returns how many were made.

    Idempotent: previews are cached under a key of their inputs, so a rerun reads them back.
    """
    version = session.get(KitVersion, version_id)
    if version is None:
        return 0
    config = current_app.config
    vendor = {"name": config["VENDOR_NAME"], "website": config["VENDOR_WEBSITE"]}
    storage = get_storage()
    made = 0
    for asset in version.manifest.get("assets", []):
        try:
            previews.preview_png_key(storage, version, asset["key"], vendor)
        except RenderError as exc:  # a broken asset still gets its message on the page
            log.warning("preview of %s in kit version %s: %s", asset["key"], version_id, exc)
        except StorageError:
            raise  # storage trouble is worth a retry
        else:
            made += 1
    return made


def queue_previews(session: Session, version: KitVersion) -> None:
    """Render the version's previews in a worker once the publishing commits."""
    jobs.enqueue(session, render_previews, version.id)
