"""The public entry points: one asset to one file, or a whole kit to a zip."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from typing import Literal

from tcma.cobrand.render.context import TARGETS, RenderContext, RenderedFile, file_suffix
from tcma.cobrand.render.outputs import check_target, render_in_process
from tcma.cobrand.render.pool import RenderPool, shared_pool
from tcma.cobrand.render.source import KitSource

#: Anything that renders like render_asset: (source, asset_key, ctx, target) -> file.
Renderer = Callable[[KitSource, str, RenderContext, str], RenderedFile]

# Names of the files inside a bundle where the asset key alone would be unclear.
_BUNDLE_SUFFIXES = {("print", "png"): "-preview", ("social", "png"): "-image"}
# PDFs and PNGs are compressed already; deflating them again costs time for nothing.
_STORED = frozenset({"pdf", "xpdf", "png"})


def render_asset(
    source: KitSource,
    asset_key: str,
    ctx: RenderContext,
    target: str,
    *,
    pool: RenderPool | None | Literal["shared"] = "shared",
) -> RenderedFile:
    """Render one asset of a kit to one target (pdf, png, html, txt, eml, json).

    By default the render runs in this process's shared worker pool, under its time and
    size limits; ``pool=None`` renders in this process with no time limit.
    """
    check_target(source, asset_key, target)
    if pool is None:
        return render_in_process(source, asset_key, ctx, target)
    if isinstance(pool, str):
        pool = shared_pool()
    return pool.render(source, asset_key, ctx, target)


def bundle_entry_name(asset_key: str, kind: str, target: str) -> str:
    """The name of one asset file inside a bundle, e.g. ``datasheet-preview.png``."""
    return f"{asset_key}{_BUNDLE_SUFFIXES.get((kind, target), '')}{file_suffix(target)}"


def render_bundle(
    source: KitSource, ctx: RenderContext, *, renderer: Renderer | None = None
) -> RenderedFile:
    """Render every asset of the kit to every target it has and zip them in one folder."""
    render = renderer or render_asset
    slug = str(source.manifest.get("slug") or "kit")
    code = str(ctx.campaign.get("code") or "")
    folder = f"{slug}-{code}" if code else slug
    buffer = io.BytesIO()
    now = time.localtime()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for asset in source.manifest.get("assets", []):
            kind = asset.get("kind")
            for target in TARGETS.get(kind, ()):
                result = render(source, asset["key"], ctx, target)
                entry = zipfile.ZipInfo(
                    f"{folder}/{bundle_entry_name(asset['key'], kind, target)}", date_time=now
                )
                entry.compress_type = (
                    zipfile.ZIP_STORED if target in _STORED else zipfile.ZIP_DEFLATED
                )
                archive.writestr(entry, result.data)
    return RenderedFile(f"{folder}.zip", "application/zip", buffer.getvalue())
