"""Public images of co-branded HTML: kit media and field images, for people not signed in.

Emails and landing pages are opened by people who have no account, so these answer
without a login; they serve only what such a page can show: media of published kit
versions (which never change) behind a per-version signature (tcma.media_links), and
content-addressed field images (their name is a hash of their bytes).
"""

from __future__ import annotations

import mimetypes
import re

from flask import Blueprint, abort, current_app, request
from werkzeug.wrappers import Response

from tcma import db, thumbs
from tcma.campaigns.services import IMAGE_PREFIX
from tcma.cobrand.render.sniff import sniff_raster
from tcma.kits import rules as kit_rules
from tcma.kits.models import KitVersion
from tcma.media_links import KIT_MEDIA, media_token_ok
from tcma.storage import StorageNotFound, get_storage

bp = Blueprint("kit_media", __name__)

_FIELD_IMAGE_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg)$")
# Published files never change, so browsers, mail proxies and CDNs may keep them for good.
IMMUTABLE = "public, max-age=31536000, immutable"


def file_response(data: bytes, content_type: str) -> Response:
    """Bytes as a public, cacheable response that browsers will not sniff into HTML."""
    response = current_app.response_class(data, content_type=content_type)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Fonts are fetched in CORS mode by pages opened from a file or a mail client.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/kit-media/<int:version_id>/<token>/<path:path>")
def file(version_id: int, token: str, path: str) -> Response:
    """An image or font from the media/ folder of a published kit version."""
    if not media_token_ok(KIT_MEDIA, version_id, token):
        abort(404)
    version = db.session().get(KitVersion, version_id)
    full = f"media/{path}"
    if version is None or not version.is_published or full not in version.files:
        abort(404)
    kind = kit_rules.file_kind(full)
    if kind not in ("image", "font"):
        abort(404)
    try:
        data = get_storage().read(version.storage_key(full))
    except StorageNotFound:
        abort(404)
    content_type = mimetypes.guess_type(full)[0] or "application/octet-stream"
    if kind == "image":
        content_type = sniff_raster(data) or content_type
        # ?w=N: a copy N pixels wide (emails ask for twice the width they show).
        width = thumbs.parse_width(request.args.get("w"))
        key = f"{thumbs.THUMB_PREFIX}kit-media/{version_id}/{width}/{path}"
        if width and (small := thumbs.cached_copy(get_storage(), key, data, width)):
            data, content_type = small
    return file_response(data, content_type)


@bp.route("/campaign-images/<name>")
def field_image(name: str) -> Response:
    """An image a partner uploaded for an image field (its name is its content's hash)."""
    if not _FIELD_IMAGE_NAME.match(name):
        abort(404)
    try:
        data = get_storage().read(IMAGE_PREFIX + name)
    except StorageNotFound:
        abort(404)
    return file_response(data, sniff_raster(data) or "application/octet-stream")
