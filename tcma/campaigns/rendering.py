"""Render a campaign's assets: the RenderContext from brand + fields + kit, cached in storage."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from tcma.accounts.models import Partner
from tcma.campaigns import rules
from tcma.campaigns.models import Campaign
from tcma.cobrand import services as brand_services
from tcma.cobrand.models import BrandVersion
from tcma.cobrand.render import (
    TARGETS,
    CachedRenderer,
    KitSource,
    RenderContext,
    RenderedFile,
    RenderError,
    output_filename,
    render_asset,
    render_bundle,
)
from tcma.cobrand.rules import CleanImage
from tcma.kits import services as kit_services
from tcma.kits.models import KitVersion
from tcma.media_links import BRAND_LOGO, KIT_MEDIA, media_token
from tcma.storage import Storage

RENDER_PREFIX = "renders/"
#: Renders of unsaved form values: a cache too, but one that may be emptied at any time.
PREVIEW_PREFIX = "renders/previews/"
#: What the live preview shows of each kind of asset.
PREVIEW_TARGETS = {
    "print": "png",
    "banner": "png",
    "social": "png",
    "email": "html",
    "landing": "html",
}
TARGET_LABELS = {
    ("print", "pdf"): "PDF",
    ("print", "xpdf"): "Print-ready PDF (bleed, crop marks)",
    ("print", "png"): "PNG of page 1",
    ("email", "html"): "HTML (CSS inlined)",
    ("email", "txt"): "Plain text",
    ("email", "eml"): "Email draft (.eml)",
    ("landing", "html"): "HTML page",
    ("social", "txt"): "Post texts",
    ("social", "png"): "Image (PNG)",
    ("social", "json"): "Posts (JSON)",
    ("banner", "png"): "PNG",
}
# Where a landing page's hosted lead form goes; downloads and previews get an inert copy
# (the live page at /l/<code> has the real one).
PLACEHOLDER_LEAD_FORM = (
    '<form class="tcma-lead-form" action="#" aria-label="Lead form (shown on your hosted page)">'
    '<p><label>Name<br><input name="name" disabled></label></p>'
    '<p><label>Work email<br><input name="email" type="email" disabled></label></p>'
    '<p><label>Company<br><input name="company" disabled></label></p>'
    '<p><button type="button" disabled>Send</button></p></form>'
)


@dataclass
class CampaignDraft:
    """What to render: a saved campaign, or the unsaved values of its form (a preview)."""

    partner: Partner
    version: KitVersion
    values: dict[str, str]
    image_keys: dict[str, str] = field(default_factory=dict)
    new_images: dict[str, CleanImage] = field(default_factory=dict)
    code: str = ""

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignDraft:
        """The saved state of a campaign."""
        kinds = {f.key: f.type for f in campaign.kit_version.fields}
        saved = campaign.field_values or {}
        return cls(
            partner=campaign.partner,
            version=campaign.kit_version,
            code=campaign.code,
            values={k: str(v) for k, v in saved.items() if kinds.get(k) not in (None, "image")},
            image_keys={k: str(v) for k, v in saved.items() if kinds.get(k) == "image" and v},
        )


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL on TCMA_BASE_URL, also outside a request (CLI, workers)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def kit_media_base_url(version: KitVersion) -> str:
    """The public folder URL of a version's media/ files (media('x.png') appends to it)."""
    token = media_token(KIT_MEDIA, version.id)
    return public_url("kit_media.file", version_id=version.id, token=token, path="x")[:-1]


def brand_logo_url(version: BrandVersion | None) -> str:
    """The public URL of a brand version's logo, or '' when it has none."""
    if version is None or not version.logo_key:
        return ""
    return public_url(
        "brand.logo", version_id=version.id, token=media_token(BRAND_LOGO, version.id)
    )


def field_image_name(key: str) -> str:
    """The public name of a stored field image: its storage key's last part."""
    return key.rsplit("/", 1)[-1]


def landing_url(code: str) -> str:
    """The public landing page of a campaign code (served once the campaign is launched)."""
    return f"{current_app.config['BASE_URL']}/l/{code}" if code else ""


def _data_url(image: CleanImage) -> str:
    return f"data:{image.content_type};base64,{base64.b64encode(image.data).decode()}"


def build_context(
    session: Session,
    storage: Storage,
    draft: CampaignDraft,
    asset_kind: str,
    *,
    brand: BrandVersion | None = None,
    lead_form_html: str | None = None,
) -> RenderContext:
    """Everything one asset render may use; ``brand`` defaults to the partner's current one."""
    partner, version = draft.partner, draft.version
    if brand is None:
        brand = brand_services.current_brand(session, partner.id)
    images = {key: storage.read(stored) for key, stored in draft.image_keys.items()}
    urls = {
        key: public_url("kit_media.field_image", name=field_image_name(stored))
        for key, stored in draft.image_keys.items()
    }
    for key, image in draft.new_images.items():
        images[key], urls[key] = image.data, _data_url(image)
    slug = version.manifest.get("slug", "")
    config = current_app.config
    return RenderContext(
        partner={
            "name": partner.name,
            "tier": partner.tier.name,
            "region": partner.region,
            "website": partner.website,
        },
        brand=brand_services.brand_values(partner, brand),
        brand_logo=brand_services.read_logo(storage, brand),
        brand_version=brand_services.brand_version_key(partner, brand),
        fields=dict(draft.values),
        field_images=images,
        campaign={
            "code": draft.code,
            "landing_url": landing_url(draft.code),
            "utm": rules.utm_parameters(slug, draft.code, asset_kind),
        },
        kit={
            "name": version.manifest.get("name", ""),
            "slug": slug,
            "version": str(version.number or ""),
        },
        vendor={"name": config["VENDOR_NAME"], "website": config["VENDOR_WEBSITE"]},
        media_base_url=kit_media_base_url(version),
        brand_logo_url=brand_logo_url(brand),
        field_image_urls=urls,
        lead_form_html=PLACEHOLDER_LEAD_FORM if lead_form_html is None else lead_form_html,
    )


def kit_source(storage: Storage, version: KitVersion) -> KitSource:
    """The render engine's view of a kit version's files in storage."""
    return kit_services.version_source(storage, version)


def _render(source: KitSource, asset_key: str, ctx: RenderContext, target: str) -> RenderedFile:
    # Looked up at call time so that tests can count renders.
    return render_asset(source, asset_key, ctx, target)


def cached_renderer(storage: Storage, prefix: str = RENDER_PREFIX) -> CachedRenderer:
    """The renderer every campaign download and preview goes through."""
    return CachedRenderer(storage, _render, prefix=prefix)


def asset_kind(version: KitVersion, asset_key: str) -> str:
    """The kind of one asset of a version; RenderError for an unknown asset."""
    asset = version.asset(asset_key)
    if asset is None:
        raise RenderError(f"The kit has no asset {asset_key!r}")
    return asset.kind


def ensure_rendered(
    storage: Storage,
    source: KitSource,
    asset_key: str,
    ctx: RenderContext,
    target: str,
    prefix: str = RENDER_PREFIX,
) -> tuple[str, str]:
    """Make sure the render is in storage; return (storage key, download file name)."""
    renderer = cached_renderer(storage, prefix)
    key = renderer.cache_key(source, asset_key, ctx, target)
    if not storage.exists(key):
        result = renderer.render(source, asset_key, ctx, target)
        # The cache swallows a failed write (it is an optimisation); a download cannot.
        if not storage.exists(key):
            storage.put(key, result.data, result.content_type)
    return key, output_filename(source, asset_key, target)


def render_file(
    storage: Storage,
    source: KitSource,
    asset_key: str,
    ctx: RenderContext,
    target: str,
    prefix: str = PREVIEW_PREFIX,
    guard: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> RenderedFile:
    """One render's bytes, through the cache (previews); ``guard`` wraps a render, not a hit."""

    def guarded(src: KitSource, key: str, context: RenderContext, tgt: str) -> RenderedFile:
        with guard():
            return _render(src, key, context, tgt)

    return CachedRenderer(storage, guarded, prefix=prefix).render(source, asset_key, ctx, target)


def ensure_bundle(session: Session, storage: Storage, draft: CampaignDraft) -> tuple[str, str]:
    """Every asset to every target in one zip, kept in storage; (storage key, file name)."""
    source = kit_source(storage, draft.version)
    brand = brand_services.current_brand(session, draft.partner.id)
    kinds = {a.key: a.kind for a in draft.version.assets}
    contexts = {
        kind: build_context(session, storage, draft, kind, brand=brand)
        for kind in set(kinds.values())
    }
    renderer = cached_renderer(storage)
    parts = sorted(
        renderer.cache_key(source, key, contexts[kind], target)
        for key, kind in kinds.items()
        for target in TARGETS.get(kind, ())
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    key = f"{RENDER_PREFIX}bundles/{digest}.zip"
    any_ctx = next(iter(contexts.values()))
    filename = f"{source.manifest.get('slug', 'kit')}-{draft.code}.zip"
    if not storage.exists(key):

        def by_asset(
            src: KitSource, asset_key: str, _ctx: RenderContext, target: str
        ) -> RenderedFile:
            # Each kind of asset has its own tracking medium, so its own context.
            return renderer.render(src, asset_key, contexts[kinds[asset_key]], target)

        bundle = render_bundle(source, any_ctx, renderer=by_asset)
        storage.put(key, bundle.data, bundle.content_type)
    return key, filename
