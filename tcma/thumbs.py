"""Images at the size they are shown: a smaller copy made once, kept in storage."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from tcma.storage import Storage, StorageNotFound

#: Widths a copy may be asked for (pixels); others are refused rather than stored.
MIN_WIDTH, MAX_WIDTH = 16, 2400
THUMB_PREFIX = "thumbs/"


def parse_width(value: str | None) -> int | None:
    """A requested width, or None when none (or a silly one) was asked for."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    width = int(value)
    return width if MIN_WIDTH <= width <= MAX_WIDTH else None


def shrink(data: bytes, width: int) -> tuple[bytes, str] | None:
    """``data`` scaled down to ``width`` pixels wide (same format), or None when the image
    is that narrow already or is no raster image Pillow reads."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, Image.DecompressionBombError, ValueError):
        return None
    if image.width <= width:
        return None
    height = max(1, round(image.height * width / image.width))
    fmt = "JPEG" if image.format == "JPEG" else "PNG"
    source: Image.Image = image
    if source.mode not in ("RGB", "RGBA", "L", "LA"):
        source = source.convert("RGB" if fmt == "JPEG" else "RGBA")
    small = source.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        small.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    else:
        small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), f"image/{fmt.lower()}"


def cached_copy(
    storage: Storage, key: str, data_of: bytes | Callable[[], bytes], width: int
) -> tuple[bytes, str] | None:
    """The stored copy under ``key`` or a new one made from ``data_of`` (then stored)."""
    for content_type in ("image/png", "image/jpeg"):
        try:
            return storage.read(f"{key}.{content_type[6:]}"), content_type
        except StorageNotFound:
            continue
    made = shrink(data_of() if callable(data_of) else data_of, width)
    if made is not None:
        storage.put(f"{key}.{made[1][6:]}", made[0], made[1])
    return made
