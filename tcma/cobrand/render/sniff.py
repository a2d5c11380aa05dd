"""Which raster image a file holds, by its first bytes (no image library, no WeasyPrint)."""

from __future__ import annotations

_RASTER_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_raster(data: bytes) -> str | None:
    """Return the MIME type of a PNG, JPEG, GIF or WebP image, else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _RASTER_SIGNATURES if data.startswith(magic)), None)
