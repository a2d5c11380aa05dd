"""The plain values and functions a kit template sees (docs/kit-format.md)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from markupsafe import Markup
from PIL import Image

from tcma.cobrand.render.context import RenderContext
from tcma.cobrand.render.source import declared_fields, normalise_kit_path

PARTNER_KEYS = ("name", "tier", "region", "website")
BRAND_KEYS = (
    "display_name",
    "primary_color",
    "secondary_color",
    "website",
    "phone",
    "email",
    "address",
    "description",
)
KIT_KEYS = ("name", "slug", "version")
VENDOR_KEYS = ("name", "website")

#: URLs WeasyPrint asks the kit fetcher for (see fetcher.py).
KIT_URL_PREFIX = "tcma-kit:media/"
BRAND_LOGO_URL = "tcma-brand:logo"
FIELD_URL_PREFIX = "tcma-field:"


def template_variables(
    manifest: Mapping[str, Any], ctx: RenderContext, *, document: bool, landing: bool = False
) -> dict[str, Any]:
    """Build a template's variables; ``document`` for WeasyPrint, else for delivered HTML/text."""
    variables: dict[str, Any] = {
        "partner": _plain(ctx.partner, PARTNER_KEYS),
        "brand": _plain(ctx.brand, BRAND_KEYS),
        "fields": _field_values(manifest, ctx),
        "campaign": _campaign(ctx.campaign),
        # kit.toml is the truth about the kit; the caller knows which version this is.
        "kit": {key: _text(manifest.get(key) or ctx.kit.get(key)) for key in KIT_KEYS},
        "vendor": _plain(ctx.vendor, VENDOR_KEYS),
        "media": _media_function(None if document else ctx.media_base_url, document),
        "field_image": _field_image_function(ctx, document),
    }
    # The logo's pixel size, so an email can give its <img> a width and a height (Outlook).
    variables["brand"]["logo_width"], variables["brand"]["logo_height"] = _image_size(
        ctx.brand_logo
    )
    if document:
        variables["brand"]["logo_url"] = BRAND_LOGO_URL if ctx.brand_logo else ""
    else:
        variables["brand"]["logo_url"] = ctx.brand_logo_url or ""
    if landing:
        # The lead form is built by the app, not by the partner: it is the one trusted HTML.
        variables["lead_form"] = Markup(ctx.lead_form_html)  # noqa: S704
    return variables


def _image_size(data: bytes | None) -> tuple[int, int]:
    """(width, height) of an image in pixels; (0, 0) when there is none or it is unreadable."""
    if not data:
        return 0, 0
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return 0, 0


def tracking_url(landing_url: str, utm: Mapping[str, str], content: str = "") -> str:
    """Return ``landing_url`` with the campaign's UTM parameters (and utm_content) set."""
    if not landing_url:
        return ""
    params = {(k if k.startswith("utm_") else f"utm_{k}"): _text(v) for k, v in utm.items()}
    if content:
        params["utm_content"] = _text(content)
    parts = urlsplit(landing_url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(kept + list(params.items()))))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _plain(values: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    # Only the documented keys, always present: a template can rely on them, and nothing
    # else the caller happened to put in the dict (ids, secrets) reaches a template.
    return {key: _text(values.get(key)) for key in keys}


def _field_values(manifest: Mapping[str, Any], ctx: RenderContext) -> dict[str, str]:
    values = {}
    for key, spec in declared_fields(manifest).items():
        value = ctx.fields.get(key)
        values[key] = _text(spec.get("default", "") if value is None else value)
    return values


def _campaign(campaign: Mapping[str, Any]) -> dict[str, Any]:
    landing_url = _text(campaign.get("landing_url"))
    utm = {_text(k): _text(v) for k, v in (campaign.get("utm") or {}).items()}

    def campaign_tracking_url(content: str = "") -> str:
        return tracking_url(landing_url, utm, content)

    return {
        "code": _text(campaign.get("code")),
        "landing_url": landing_url,
        "utm": utm,
        "tracking_url": campaign_tracking_url,
    }


def _media_function(base_url: str | None, document: bool) -> Callable[[str], str]:
    def media(path: str) -> str:
        clean = normalise_kit_path(_text(path)).removeprefix("media/")
        if document:
            return KIT_URL_PREFIX + quote(clean)
        if base_url:
            return base_url.rstrip("/") + "/" + quote(clean)
        # No public URL known (a preview): relative to where the kit's media/ would be.
        return "media/" + quote(clean)

    return media


def _field_image_function(ctx: RenderContext, document: bool) -> Callable[[str], str]:
    def field_image(key: str) -> str:
        key = _text(key)
        if document:
            return FIELD_URL_PREFIX + quote(key) if key in ctx.field_images else ""
        return _text(ctx.field_image_urls.get(key))

    return field_image
