"""Preview images and pages of kit assets with a neutral placeholder brand, cached in storage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tcma.cobrand.render import CachedRenderer, KitSource, RenderContext
from tcma.kits import services
from tcma.kits.models import KitVersion
from tcma.storage import Storage

PLACEHOLDER_BRAND = {
    "display_name": "Your company",
    "primary_color": "#1F3A5F",
    "secondary_color": "#13A89E",
    "website": "https://www.example.com",
    "phone": "+1 555 010 0100",
    "email": "hello@example.com",
    "address": "1 Example Street, Springfield",
    "description": "Your company's short description appears here.",
}
# The hosted lead form a landing page gets in a campaign, drawn inert for previews.
PLACEHOLDER_LEAD_FORM = (
    '<form class="tcma-lead-form" action="#">'
    '<p><label>First name<br><input name="first_name" disabled></label></p>'
    '<p><label>Work email<br><input name="email" disabled></label></p>'
    '<p><button type="button" disabled>Register</button></p></form>'
)
#: Email and landing assets have no image output: previews show their top as a screen would.
SNAPSHOT_SIZES = {"email": (700, 1000), "landing": (1200, 900)}
_SNAPSHOT_FOLDER = "__preview__/"
#: Page 1 of a print asset at the engine's preview resolution (150 DPI).
PRINT_PREVIEW_SIZES = {"A4": (1241, 1754), "Letter": (1275, 1650)}


def preview_size(kind: str, settings: dict[str, Any]) -> tuple[int, int]:
    """The pixel size of an asset's PNG preview, so pages can reserve its space."""
    if kind in SNAPSHOT_SIZES:
        return SNAPSHOT_SIZES[kind]
    if kind == "print":
        return PRINT_PREVIEW_SIZES.get(settings.get("page_size", "A4"), PRINT_PREVIEW_SIZES["A4"])
    return int(settings.get("width") or 600), int(settings.get("height") or 400)


def placeholder_value(spec: dict[str, Any]) -> str | None:
    """A field's default, else for a required field a stand-in that shows where it goes.

    None leaves the field empty, as a partner may leave an optional one (and images).
    """
    if spec.get("default"):
        return str(spec["default"])
    if not spec.get("required"):
        return None
    fallback = {
        # Next year's 15 March: plausible, and stable so cached previews stay valid.
        "date": dt.date(dt.date.today().year + 1, 3, 15).isoformat(),
        "url": "https://www.example.com",
        "email": "hello@example.com",
        "phone": "+1 555 010 0100",
        "colour": "#1F3A5F",
        "choice": (spec.get("choices") or [""])[0],
        "image": None,
    }
    return fallback.get(str(spec.get("type")), f"[{spec.get('label') or spec.get('key')}]")


def preview_context(
    version: KitVersion, vendor: dict[str, str], media_base_url: str | None = None
) -> RenderContext:
    """The render inputs of a preview: placeholder brand and fields, no partner."""
    manifest = version.manifest
    fields = {
        spec["key"]: value
        for spec in manifest.get("fields", [])
        if (value := placeholder_value(spec)) is not None
    }
    slug = manifest.get("slug", "kit")
    return RenderContext(
        partner={"name": "Your company"},
        brand=PLACEHOLDER_BRAND,
        brand_version="placeholder-1",
        fields=fields,
        campaign={
            "code": "PREVIEW",
            "landing_url": "https://www.example.com/your-landing-page",
            "utm": {"utm_source": "partner", "utm_medium": "preview", "utm_campaign": slug},
        },
        kit={"name": manifest.get("name", ""), "slug": slug, "version": version.number or "draft"},
        vendor=vendor,
        media_base_url=media_base_url,
        lead_form_html=PLACEHOLDER_LEAD_FORM,
    )


class SnapshotSource(KitSource):
    """A kit version seen with one email or landing asset turned into a screen-sized image."""

    def __init__(self, base: KitSource, asset: dict[str, Any]) -> None:
        width, height = SNAPSHOT_SIZES[asset["kind"]]
        self.base = base
        self.wrapper = f"{_SNAPSHOT_FOLDER}{asset['key']}.html"
        # A landing template expects the lead form; the wrapper provides an inert one.
        form = (
            f"{{% set lead_form %}}{PLACEHOLDER_LEAD_FORM}{{% endset %}}"
            if asset["kind"] == "landing"
            else ""
        )
        self.wrapper_text = f'{form}{{% include "{asset["template"]}" %}}'.encode()
        snapshot = {
            "key": asset["key"],
            "kind": "banner",
            "name": asset.get("name", ""),
            "template": self.wrapper,
            "width": width,
            "height": height,
        }
        assets = [
            snapshot if a.get("key") == asset["key"] else a for a in base.manifest.get("assets", [])
        ]
        self.manifest = {**base.manifest, "assets": assets}
        self.version_key = f"{base.version_key}#snapshot"

    def read(self, path: str) -> bytes:
        """The wrapper template, else the version's own files."""
        return self.wrapper_text if path == self.wrapper else self.base.read(path)


def preview_png_key(
    storage: Storage, version: KitVersion, asset_key: str, vendor: dict[str, str]
) -> str:
    """The storage key of an asset's PNG preview, rendering it first if it is not cached."""
    asset = next(a for a in version.manifest.get("assets", []) if a.get("key") == asset_key)
    source: KitSource = services.version_source(storage, version)
    if asset["kind"] in SNAPSHOT_SIZES:
        source = SnapshotSource(source, asset)
    renderer = CachedRenderer(storage, prefix="renders/previews/")
    ctx = preview_context(version, vendor)
    key = renderer.cache_key(source, asset_key, ctx, "png")
    if not storage.exists(key):
        renderer.render(source, asset_key, ctx, "png")
    return key


def preview_html(
    storage: Storage,
    version: KitVersion,
    asset_key: str,
    vendor: dict[str, str],
    media_base_url: str,
) -> bytes:
    """An email or landing asset as the HTML it delivers, with the placeholder brand."""
    source = services.version_source(storage, version)
    renderer = CachedRenderer(storage, prefix="renders/previews/")
    ctx = preview_context(version, vendor, media_base_url)
    return renderer.render(source, asset_key, ctx, "html").data
