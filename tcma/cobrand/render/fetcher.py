"""The only way a WeasyPrint document gets bytes: kit media, the brand logo, field images."""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections.abc import Callable, Mapping
from urllib.parse import unquote, unquote_to_bytes

from weasyprint.urls import URLFetcher, URLFetcherResponse

from tcma.cobrand.render.context import RenderError
from tcma.cobrand.render.sniff import sniff_raster
from tcma.cobrand.render.source import normalise_kit_path
from tcma.cobrand.render.variables import BRAND_LOGO_URL, FIELD_URL_PREFIX

log = logging.getLogger(__name__)

# data: URLs are allowed for small raster images only. They fetch nothing (the bytes are
# already in the template, written by the vendor), so they cannot leak a file or reach a
# host; the size cap keeps a template from inflating memory, and refusing SVG keeps the
# importer's "no SVG" rule (SVG is a document that could reference more URLs).
DATA_URL_MAX_BYTES = 512 * 1024


# Magic numbers of the raster formats the kit format allows, for bytes whose name we
# cannot trust (uploaded logos, field images, data: URLs).
class KitURLFetcher(URLFetcher):
    """Answers ``tcma-kit:media/…``, ``tcma-brand:logo`` and ``tcma-field:<key>``; refuses the rest.

    Nothing here opens a socket or a local file, so no scheme, host (127.0.0.1 included)
    or redirect can be reached; every refusal is kept in ``refused`` and logged.
    """

    def __init__(
        self,
        read_kit_file: Callable[[str], bytes],
        brand_logo: bytes | None = None,
        field_images: Mapping[str, bytes] | None = None,
    ) -> None:
        # No protocol allowed for the inherited urllib opener, in case anything reached it.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self._read_kit_file = read_kit_file
        self._brand_logo = brand_logo
        self._field_images = dict(field_images or {})
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """Return the response for an allowed URL; raise (WeasyPrint skips the resource)."""
        found = self._lookup(url)
        if found is None:
            shown = url if len(url) <= 200 else url[:200] + "…"
            self.refused.append(shown)
            log.warning("render refused to fetch %s", shown)
            raise ValueError(f"refused to fetch {shown}")
        data, content_type = found
        return URLFetcherResponse(url, data, {"Content-Type": content_type})

    def _lookup(self, url: str) -> tuple[bytes, str] | None:
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == "tcma-kit":
            return self._kit_media(url)
        if url == BRAND_LOGO_URL and self._brand_logo:
            return _raster(self._brand_logo)
        if url.startswith(FIELD_URL_PREFIX):
            image = self._field_images.get(unquote(url.removeprefix(FIELD_URL_PREFIX)))
            return _raster(image) if image else None
        if scheme == "data":
            return _data_url(rest)
        return None

    def _kit_media(self, url: str) -> tuple[bytes, str] | None:
        # Fonts are commonly referenced as "font.woff2#iefix" or "font.eot?#iefix".
        path = unquote(url.removeprefix("tcma-kit:").split("#")[0].split("?")[0])
        try:
            path = normalise_kit_path(path)
        except RenderError:
            return None
        if not path.startswith("media/") or path.lower().endswith((".svg", ".svgz")):
            return None
        try:
            data = self._read_kit_file(path)
        except RenderError:
            return None
        return data, mimetypes.guess_type(path)[0] or "application/octet-stream"


def _raster(data: bytes) -> tuple[bytes, str] | None:
    mime = sniff_raster(data)
    return (data, mime) if mime else None


def _data_url(rest: str) -> tuple[bytes, str] | None:
    header, comma, payload = rest.partition(",")
    if not comma or len(payload) > DATA_URL_MAX_BYTES * 4 // 3 + 4:
        return None
    try:
        if header.lower().endswith(";base64"):
            data = base64.b64decode(payload, validate=False)
        else:
            data = unquote_to_bytes(payload)
    except ValueError:
        return None
    if len(data) > DATA_URL_MAX_BYTES:
        return None
    return _raster(data)
