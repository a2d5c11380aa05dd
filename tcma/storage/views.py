"""Signed download links for storage backends that cannot presign URLs themselves."""

from __future__ import annotations

import contextlib
import mimetypes
import os
import time
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wsgi import wrap_file

from tcma.storage.base import EXTENSION_KEY, Storage, StorageNotFound, content_disposition

bp = Blueprint("storage", __name__)

_SALT = "tcma-storage-download"
# Types a browser shows without running anything; others (HTML, SVG, XML, JS) could run
# script on our origin when opened inline, so they are always sent as attachments.
_INLINE_SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "video/mp4",
        "audio/mpeg",
    }
)


#: Whatever a served file holds, it runs nothing and loads nothing on our origin: a PDF's
#: scripts stay off, an image cannot pull in anything else (the browser's viewer still works).
SANDBOX_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def _serializer() -> URLSafeTimedSerializer:
    # Older secrets stay valid for verifying while a rotated SECRET_KEY takes over.
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return URLSafeTimedSerializer([*fallbacks, current_app.secret_key], salt=_SALT)


def sign_download(key: str, filename: str, expires_in: int, inline: bool) -> str:
    """Return an app URL that serves ``key`` as ``filename`` for ``expires_in`` seconds."""
    payload = {"k": key, "f": filename, "i": bool(inline), "e": int(expires_in)}
    return url_for("storage.download", token=_serializer().dumps(payload))


def _verified_payload(token: str) -> tuple[dict[str, Any], int] | None:
    """Return (payload, seconds left) for a good, unexpired token, else None."""
    try:
        payload, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("k"), str)
        and isinstance(payload.get("f"), str)
        and isinstance(payload.get("i"), bool)
        and isinstance(payload.get("e"), int)
    ):
        return None
    # Timestamps are whole seconds; refusing once the age reaches "e" keeps a link alive
    # at most "e" seconds (expires_in=0 makes a dead link), as an S3 presigned URL does.
    remaining = payload["e"] - (int(time.time()) - int(signed_at.timestamp()))
    if remaining <= 0:
        return None
    return payload, remaining


@bp.get("/files/<token>")
def download(token: str) -> Response:
    """Stream the file a signed token points at; any bad or expired token is a 404."""
    verified = _verified_payload(token)
    if verified is None:
        abort(404)
    payload, remaining = verified
    storage: Storage = current_app.extensions[EXTENSION_KEY]
    try:
        stream = storage.open(payload["k"])
    except StorageNotFound:
        abort(404)

    filename = payload["f"]
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    inline = payload["i"] and mimetype in _INLINE_SAFE_TYPES
    response = current_app.response_class(
        wrap_file(request.environ, stream), mimetype=mimetype, direct_passthrough=True
    )
    # A real file has a size worth announcing (progress bars); other streams go chunked.
    with contextlib.suppress(OSError, AttributeError):
        response.content_length = os.fstat(stream.fileno()).st_size
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    response.headers["Cache-Control"] = f"private, max-age={remaining}"
    return response
