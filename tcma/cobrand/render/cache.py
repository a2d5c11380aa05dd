"""Render results kept in storage, so the second download of the same thing is one read."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

from tcma.cobrand.render.context import (
    CONTENT_TYPES,
    RENDER_FORMAT_VERSION,
    RenderContext,
    RenderedFile,
)
from tcma.cobrand.render.engine import Renderer, render_asset
from tcma.cobrand.render.outputs import is_document_target, output_filename
from tcma.cobrand.render.source import KitSource
from tcma.cobrand.render.variables import BRAND_KEYS, KIT_KEYS, PARTNER_KEYS, VENDOR_KEYS
from tcma.storage import StorageError, StorageNotFound

if TYPE_CHECKING:
    from tcma.storage import Storage

log = logging.getLogger(__name__)


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _documented(values: dict, keys: tuple[str, ...]) -> dict[str, str]:
    # Only what a template can see: an unrelated key (an id, a timestamp) changing must
    # not make every cached render miss.
    return {key: str(values.get(key) or "") for key in keys}


def render_fingerprint(
    source: KitSource, asset_key: str, ctx: RenderContext, target: str
) -> dict[str, Any]:
    """Every input that can change the output of this render, as plain JSON values."""
    campaign = ctx.campaign
    fingerprint: dict[str, Any] = {
        "format": RENDER_FORMAT_VERSION,
        "kit": source.version_key,
        "asset": asset_key,
        "target": target,
        "brand_version": ctx.brand_version,
        "fields": sorted((str(k), str(v)) for k, v in ctx.fields.items()),
        "field_images": sorted((k, _sha256(v)) for k, v in ctx.field_images.items()),
        "brand_logo": _sha256(ctx.brand_logo),
        "campaign": {
            "code": str(campaign.get("code") or ""),
            "landing_url": str(campaign.get("landing_url") or ""),
            "utm": sorted((str(k), str(v)) for k, v in (campaign.get("utm") or {}).items()),
        },
        # brand_version names these already; hashing them too means a caller that forgets
        # to bump it still never gets another brand's file.
        "partner": _documented(ctx.partner, PARTNER_KEYS),
        "brand": _documented(ctx.brand, BRAND_KEYS),
        "kit_info": _documented(ctx.kit, KIT_KEYS),
        "vendor": _documented(ctx.vendor, VENDOR_KEYS),
    }
    if not is_document_target(target):
        # PDFs and PNGs reach media through tcma-kit: URLs; only delivered HTML and text
        # contain public URLs, so only they depend on them.
        fingerprint["web"] = {
            "media_base_url": ctx.media_base_url or "",
            "brand_logo_url": ctx.brand_logo_url or "",
            "field_image_urls": sorted(ctx.field_image_urls.items()),
            "lead_form_html": ctx.lead_form_html,
        }
    return fingerprint


class CachedRenderer:
    """Renders through ``renderer`` once per distinct input; later calls read storage."""

    def __init__(
        self, storage: Storage, renderer: Renderer | None = None, *, prefix: str = "renders/"
    ) -> None:
        self.storage = storage
        self.renderer: Renderer = renderer or render_asset
        self.prefix = prefix

    def cache_key(self, source: KitSource, asset_key: str, ctx: RenderContext, target: str) -> str:
        """The storage key of this render, e.g. ``renders/<sha256>.pdf``."""
        fingerprint = render_fingerprint(source, asset_key, ctx, target)
        canonical = json.dumps(fingerprint, sort_keys=True, separators=(",", ":"), default=str)
        return f"{self.prefix}{hashlib.sha256(canonical.encode()).hexdigest()}.{target}"

    def render(
        self, source: KitSource, asset_key: str, ctx: RenderContext, target: str
    ) -> RenderedFile:
        """Return the stored render if there is one (one storage read), else render and store."""
        key = self.cache_key(source, asset_key, ctx, target)
        try:
            data = self.storage.read(key)
        except StorageNotFound:
            pass
        except StorageError as exc:
            # The cache is an optimisation: a storage hiccup costs a render, not the download.
            log.warning("render cache read of %s failed: %s", key, exc)
        else:
            return RenderedFile(
                output_filename(source, asset_key, target), CONTENT_TYPES[target], data
            )
        result = self.renderer(source, asset_key, ctx, target)
        # Not tied to the request's transaction: the key is a hash of every input, so the
        # entry is right whether or not the request commits, and no row names it.
        try:
            self.storage.put(key, result.data, result.content_type)
        except StorageError as exc:
            log.warning("render cache write of %s failed: %s", key, exc)
        return result

    __call__ = render
