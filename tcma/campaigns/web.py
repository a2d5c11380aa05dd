"""Helpers the campaign pages share: loading, reading the form, answering previews."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from functools import partial
from typing import Any

from flask import abort, current_app, make_response, request
from flask_login import current_user
from werkzeug.wrappers import Response

from tcma import db, inflight
from tcma.accounts.access import get_scoped_or_404
from tcma.campaigns import rules
from tcma.campaigns.forms import FIELD_PREFIX, REMOVE_PREFIX, CampaignForm
from tcma.campaigns.models import Campaign
from tcma.campaigns.rendering import (
    PREVIEW_PREFIX,
    PREVIEW_TARGETS,
    RENDER_PREFIX,
    CampaignDraft,
    build_context,
    kit_source,
    render_file,
)
from tcma.cobrand.render import TARGETS, RenderBusy, RenderError
from tcma.cobrand.rules import ImageRejected
from tcma.kits import services as kit_services
from tcma.kits.models import KitVersion
from tcma.storage import StorageError, get_storage

# Kit HTML shown in a preview runs no script and submits nothing, even opened on its own.
PREVIEW_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data: https: http:; "
    "style-src 'unsafe-inline' 'self'; font-src 'self' data: https:; "
    "frame-ancestors 'self'"
)
#: Seconds the preview script waits before it asks again when previews are busy.
PREVIEW_RETRY_AFTER = 2
#: Reading an upload stops here; the rules refuse anything this large anyway.
MAX_UPLOAD_READ = 6 * 1024 * 1024


def load_campaign(campaign_id: int) -> Campaign:
    """The campaign, or 404 (also when it belongs to another partner)."""
    return get_scoped_or_404(db.session(), Campaign, campaign_id)


def visible_version_or_404(kit_id: int | None) -> KitVersion:
    """The latest published version of a kit the signed-in partner may use, else 404."""
    if kit_id is None:
        abort(404)
    partner = current_user.partner
    return kit_services.get_visible_kit_version(db.session(), partner, kit_id) or abort(404)


def requested_kit_id() -> int | None:
    """The kit of a new campaign: ?kit=ID (also accepted as ?kit_id=ID)."""
    return request.args.get("kit", type=int) or request.args.get("kit_id", type=int)


def raw_values(specs: list[dict[str, Any]], source: Mapping[str, str]) -> dict[str, str]:
    """The submitted text of each non-image field present in ``source``."""
    return {
        spec["key"]: source[FIELD_PREFIX + spec["key"]]
        for spec in specs
        if spec.get("type") != "image" and FIELD_PREFIX + spec["key"] in source
    }


def uploads(specs: list[dict[str, Any]]) -> dict[str, bytes]:
    """The bytes of each image field's upload (empty file inputs are left out)."""
    found = {}
    for spec in specs:
        upload = request.files.get(FIELD_PREFIX + spec["key"])
        if spec.get("type") == "image" and upload is not None and upload.filename:
            data = upload.read(MAX_UPLOAD_READ)
            if data:
                found[spec["key"]] = data
    return found


def removed_images(specs: list[dict[str, Any]], source: Mapping[str, str]) -> set[str]:
    """Image fields whose "Remove this image" box is ticked."""
    return {spec["key"] for spec in specs if source.get(REMOVE_PREFIX + spec["key"])}


def show_problems(form: CampaignForm, problems: Mapping[str, str]) -> None:
    """Put each problem next to its input."""
    for key, message in problems.items():
        field = form.field_for(key)
        if field is not None:
            field.errors = [*field.errors, message]


def preview_draft(base: CampaignDraft, specs: list[dict[str, Any]]) -> tuple[CampaignDraft, bool]:
    """The draft the form currently shows; (draft, True) when it differs from ``base``.

    Values that break a rule preview as empty: a preview never renders what a save refuses.
    """
    source: Mapping[str, str] = request.form if request.method == "POST" else request.args
    typed = raw_values(specs, source)
    images = dict(base.image_keys)
    for key in removed_images(specs, source):
        images.pop(key, None)
    new_images = {}
    for key, data in uploads(specs).items():
        try:
            new_images[key] = rules.clean_field_image(data)
        except ImageRejected:
            continue
        images.pop(key, None)
    if not typed and not new_images and images == base.image_keys:
        return base, False
    values = {**base.values, **rules.usable_values(specs, typed)}
    draft = CampaignDraft(
        partner=base.partner,
        version=base.version,
        values=values,
        image_keys=images,
        new_images=new_images,
        code=base.code,
    )
    return draft, True


def preview_response(draft: CampaignDraft, asset_key: str, changed: bool) -> Response:
    """The preview of one asset as PNG, sandboxed HTML or text; 422 with the reason if it fails."""
    asset = draft.version.asset(asset_key) or abort(404)
    target = request.args.get("target") or PREVIEW_TARGETS[asset.kind]
    if target not in TARGETS.get(asset.kind, ()) or target in ("pdf", "xpdf", "eml"):
        abort(404)
    storage = get_storage()
    # Live previews of unsaved values are limited per person; saved values render once
    # and are then read back from the cache.
    limit = current_app.config["PREVIEWS_PER_USER"]
    guard = partial(inflight.slot, "preview", current_user.id, limit) if changed else nullcontext
    try:
        ctx = build_context(db.session(), storage, draft, asset.kind)
        result = render_file(
            storage,
            kit_source(storage, draft.version),
            asset_key,
            ctx,
            target,
            PREVIEW_PREFIX if changed else RENDER_PREFIX,
            guard=guard,
        )
    except inflight.TooManyInFlight:
        return _busy(
            429,
            f"Your other previews are still being drawn (at most {limit} at a time); "
            "this one follows in a moment.",
        )
    except RenderBusy:
        return _busy(503, "Previews are busy right now; this one follows in a moment.")
    except (RenderError, StorageError) as exc:
        response = make_response(f"The preview could not be made: {exc}", 422)
        response.mimetype = "text/plain"
        return response
    response = make_response(result.data)
    response.content_type = result.content_type
    response.headers["Cache-Control"] = "private, no-cache"
    if target == "html":
        response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


def _busy(status: int, message: str) -> Response:
    """A preview refused for now: the message for the preview panel, and when to ask again."""
    response = make_response(message, status)
    response.mimetype = "text/plain"
    response.headers["Retry-After"] = str(PREVIEW_RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response
