"""The render engine: one kit asset + a partner's brand + field values -> files.

A pure library (no Flask, no SQL). Templates run in a Jinja sandbox, WeasyPrint fetches
only the kit's media and the partner's images, renders run in a pool of worker processes
under a time limit, and results can be cached in storage.
"""

from tcma.cobrand.render.cache import CachedRenderer, render_fingerprint
from tcma.cobrand.render.context import (
    CONTENT_TYPES,
    RENDER_FORMAT_VERSION,
    TARGETS,
    KitFileNotFound,
    RenderContext,
    RenderedFile,
    RenderError,
    TemplateProblem,
)
from tcma.cobrand.render.engine import Renderer, bundle_entry_name, render_asset, render_bundle
from tcma.cobrand.render.outputs import NETWORKS, output_filename
from tcma.cobrand.render.pool import RenderBusy, RenderPool, configure_shared_pool, shared_pool
from tcma.cobrand.render.source import FolderKitSource, KitSource, MappingKitSource
from tcma.cobrand.render.validate import validate_kit, validate_template

__all__ = [
    "CONTENT_TYPES",
    "NETWORKS",
    "RENDER_FORMAT_VERSION",
    "TARGETS",
    "CachedRenderer",
    "FolderKitSource",
    "KitFileNotFound",
    "KitSource",
    "MappingKitSource",
    "RenderContext",
    "RenderError",
    "RenderBusy",
    "RenderPool",
    "RenderedFile",
    "Renderer",
    "TemplateProblem",
    "bundle_entry_name",
    "configure_shared_pool",
    "output_filename",
    "render_asset",
    "render_bundle",
    "render_fingerprint",
    "shared_pool",
    "validate_kit",
    "validate_template",
]
