"""HTML to PDF with WeasyPrint, and a PDF page to a PNG of an exact pixel size with PDFium."""

from __future__ import annotations

import io
import math
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image
from weasyprint import CSS, HTML

from tcma.cobrand.render.context import RenderError
from tcma.cobrand.render.fetcher import KitURLFetcher

#: Page sizes a print asset may declare (kit.toml ``page_size``).
PAGE_SIZES = frozenset({"A3", "A4", "A5", "Letter", "Legal"})
#: Resolution of the PNG preview of a print asset's first page.
PREVIEW_DPI = 150
#: Largest PNG side we agree to rasterise; a banner of 100000 px would need gigabytes.
MAX_PIXELS_PER_SIDE = 10_000

# PDFium is not thread-safe; the in-process mode may be called from several threads.
_pdfium_lock = threading.Lock()


def print_page_css(page_size: str) -> str:
    """The user stylesheet that fixes a print asset's page size whatever its template says."""
    if page_size not in PAGE_SIZES:
        raise RenderError(f"Unknown page size {page_size!r} (use one of {sorted(PAGE_SIZES)})")
    # User-origin !important beats the template's own @page rules in the CSS cascade.
    return f"@page {{ size: {page_size} !important }}"


def pixel_page_css(width: int, height: int) -> str:
    """The user stylesheet that makes page 1 exactly width x height CSS pixels, no margin."""
    return f"@page {{ size: {width}px {height}px !important; margin: 0 !important }}"


def check_pixel_size(width: object, height: object) -> tuple[int, int]:
    """Return (width, height) if both are sensible pixel counts, else raise RenderError."""
    if not all(isinstance(v, int) and 1 <= v <= MAX_PIXELS_PER_SIDE for v in (width, height)):
        raise RenderError(
            f"The asset's width and height must be whole pixels from 1 to {MAX_PIXELS_PER_SIDE}"
        )
    return width, height  # type: ignore[return-value]


def html_to_pdf(
    html: str, fetcher: KitURLFetcher, page_css: str, *, first_page_only: bool = False
) -> bytes:
    """Lay out ``html`` (fetching only through ``fetcher``) and return the PDF."""
    stylesheet = CSS(string=page_css, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet])
    if not document.pages:
        raise RenderError("The template produced no page")
    if first_page_only and len(document.pages) > 1:
        document = document.copy(document.pages[:1])
    return document.write_pdf()


def pdf_page_to_png(pdf: bytes, size: tuple[int, int] | None = None) -> bytes:
    """Rasterise page 1 of ``pdf`` to exactly ``size`` pixels (default: PREVIEW_DPI)."""
    with _pdfium_lock:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            if size is None:
                scale = PREVIEW_DPI / 72
                size = (
                    max(1, math.ceil(page.get_width() * scale - 0.01)),
                    max(1, math.ceil(page.get_height() * scale - 0.01)),
                )
            image = _render_page(page, *size)
            page.close()
        finally:
            document.close()
    buffer = io.BytesIO()
    # zlib level 1 encodes about twice as fast as Pillow's default 6 for files ~10 % larger:
    # a better trade for images rendered on request.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _render_page(page: pdfium.PdfPage, width: int, height: int) -> Image.Image:
    # PdfPage.render() sizes its bitmap as ceil(page size x scale), which float rounding can
    # push one pixel over; drawing into a bitmap we size ourselves is exact by construction.
    bitmap = pdfium.PdfBitmap.new_native(width, height, pdfium_c.FPDFBitmap_BGR)
    try:
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
        flags = pdfium_c.FPDF_ANNOT
        pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, flags)
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
