"""Copies at the shown size: a photo-like page preview goes out as the smaller JPEG, a logo
with transparency stays a PNG, flat artwork stays whichever format is smaller."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from tcma.thumbs import shrink


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _photo_like(width: int, height: int) -> Image.Image:
    """A page with a noisy photo on it, as a rendered datasheet preview is."""
    rng = random.Random(7)
    image = Image.new("RGB", (width, height), "white")
    photo = Image.effect_noise((width // 2, height // 2), 60).convert("RGB")
    image.paste(photo, (width // 4, height // 4))
    ImageDraw.Draw(image).rectangle((0, 0, width, 80), fill=(11, 37, 69))
    for y in range(100, height - 20, 18):
        ImageDraw.Draw(image).line((20, y, rng.randint(200, width - 20), y), fill="black", width=3)
    return image


def test_an_opaque_preview_goes_out_as_the_smaller_jpeg() -> None:
    data = _png(_photo_like(1240, 1754))

    small, content_type = shrink(data, 760)

    assert content_type == "image/jpeg"
    image = Image.open(io.BytesIO(small))
    assert image.format == "JPEG" and image.size == (760, 1075)
    assert len(small) < len(data) / 3


def test_a_logo_with_transparency_stays_a_png() -> None:
    logo = Image.new("RGBA", (800, 200), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((10, 10, 190, 190), fill=(11, 92, 171, 255))

    small, content_type = shrink(_png(logo), 200)

    assert content_type == "image/png"
    assert Image.open(io.BytesIO(small)).getchannel("A").getextrema()[0] == 0


def test_flat_artwork_stays_a_png_when_that_is_smaller() -> None:
    art = Image.new("RGB", (1000, 500), "white")
    ImageDraw.Draw(art).rectangle((100, 100, 400, 300), fill=(19, 168, 158))

    small, content_type = shrink(_png(art), 400)

    assert content_type == "image/png"
    assert Image.open(io.BytesIO(small)).format == "PNG"
