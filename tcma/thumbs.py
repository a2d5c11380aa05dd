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
    """``data`` scaled down to ``width`` pixels wide, or None when the image is that narrow
    already or is no raster image Pillow reads. A JPEG stays a JPEG, a transparent image a
    PNG; an opaque PNG becomes whichever of PNG and JPEG is smaller."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, Image.DecompressionBombError, ValueError):
        return None
    if image.width <= width:
        return None
    height = max(1, round(image.height * width / image.width))
    source: Image.Image = image
    if source.mode not in ("RGB", "RGBA", "L", "LA"):
        source = source.convert("RGBA" if image.format != "JPEG" else "RGB")
    small = source.resize((width, height), Image.Resampling.LANCZOS)
    if image.format == "JPEG":
        return _jpeg(small), "image/jpeg"
    png = _png(small)
    if not _opaque(small):
        return png, "image/png"
    # An opaque PNG (a rendered page preview, a photo) is often several times smaller as a
    # JPEG; flat artwork is not. Whichever is smaller goes out.
    jpeg = _jpeg(small.convert("RGB"))
    return (jpeg, "image/jpeg") if len(jpeg) < len(png) else (png, "image/png")


def _opaque(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA"):
        return True
    low, _ = image.getchannel("A").getextrema()
    return bool(low == 255)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


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
