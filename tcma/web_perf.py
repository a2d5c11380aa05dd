"""Lighter pages: gzip for text responses, content-hashed static URLs cached for a year.

url_for("static", filename=...) gets ``?v=<hash of the file>``, so a changed file has a new
URL and browsers may keep every version for a year without asking again. Text responses
(HTML, CSS, JS, JSON, SVG, CSV, plain text) go out gzip-compressed to browsers that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

#: Smaller bodies gain nothing from compression.
MIN_COMPRESS_BYTES = 500
#: Larger bodies are left alone (they are streamed or downloads).
MAX_COMPRESS_BYTES = 8 * 1024 * 1024
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/problem+json",
    "image/svg+xml",
)
YEAR = 365 * 24 * 3600


#: A gzip member's header: deflate, no name, no time, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_LAST_BLOCK = zlib.compressobj(wbits=-15).flush()  # the empty final deflate block


@dataclass(frozen=True)
class Piece:
    """A fixed part of a response body with its deflate stream, computed once."""

    data: bytes
    deflated: bytes


def _deflate(data: bytes) -> bytes:
    # A fresh compressor and a full flush: the output starts and ends on a byte boundary and
    # refers to nothing before it, so such streams can be laid end to end.
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def piece(data: bytes) -> Piece:
    """A fixed part of bodies that gzip_pieces joins with per-request parts."""
    return Piece(data, _deflate(data))


def join_pieces(parts: Sequence[Piece | bytes]) -> bytes:
    """The body the parts make, uncompressed."""
    return b"".join(part.data if isinstance(part, Piece) else part for part in parts)


def gzip_pieces(parts: Sequence[Piece | bytes]) -> bytes:
    """The parts as one gzip body: fixed pieces reuse their deflate, only the rest is
    compressed now (a page with a few per-visitor values costs a few hundred bytes of
    compression, not the whole page's)."""
    out, crc, size = [_GZIP_HEADER], 0, 0
    for part in parts:
        data, deflated = (part.data, part.deflated) if isinstance(part, Piece) else (part, b"")
        out.append(deflated or _deflate(data))
        crc = zlib.crc32(data, crc)
        size += len(data)
    out += [_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(out)


def accepts_gzip() -> bool:
    """Whether this request's client takes gzip-compressed answers."""
    return "gzip" in request.headers.get("Accept-Encoding", "")


def static_version(app: Flask, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (cached per modification time)."""
    folder = app.static_folder
    if folder is None:
        return None
    path = Path(folder) / filename
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cache: dict[str, tuple[int, str]] = app.extensions.setdefault("tcma.static_versions", {})
    known = cache.get(filename)
    if known and known[0] == stamp:
        return known[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    cache[filename] = (stamp, digest)
    return digest


def compressible(response: Response) -> bool:
    if response.status_code < 200 or response.status_code in (204, 206, 304):
        return False
    if response.is_streamed and not response.direct_passthrough:
        return False
    if "Content-Encoding" in response.headers or not response.mimetype:
        return False
    if not response.mimetype.startswith(TEXT_TYPES):
        return False
    length = response.content_length
    return length is None or MIN_COMPRESS_BYTES <= length <= MAX_COMPRESS_BYTES


def init_web_perf(app: Flask) -> None:
    @app.url_defaults
    def _version_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_and_compress(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        response.vary.add("Accept-Encoding")
        if not accepts_gzip() or not compressible(response):
            return response
        response.direct_passthrough = False
        data = response.get_data()
        if len(data) < MIN_COMPRESS_BYTES:
            return response
        response.set_data(gzip.compress(data, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
        if response.headers.get("ETag"):
            # A compressed body is another representation: its validator differs.
            etag, weak = response.get_etag()
            response.set_etag(f"{etag}-gzip", weak=bool(weak))
        return response
