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
from tcma.kits.rules import bleed_mm

#: Page sizes a print asset may declare (kit.toml ``page_size``).
PAGE_SIZES = frozenset({"A3", "A4", "A5", "Letter", "Legal"})
#: The print-ready PDF's standard: PDF/X-4 (WeasyPrint writes its metadata and TrimBox).
PRINT_READY_VARIANT = "pdf/x-4"
#: A print asset's bleed when its kit declares none.
DEFAULT_BLEED = "3mm"
#: Resolution of the PNG preview of a print asset's first page.
PREVIEW_DPI = 150
#: Largest PNG side we agree to rasterise; a banner of 100000 px would need gigabytes.
MAX_PIXELS_PER_SIDE = 10_000

# PDFium is not thread-safe; the in-process mode may be called from several threads.
_pdfium_lock = threading.Lock()


def print_page_css(page_size: str, bleed: str | None = None) -> str:
    """The user stylesheet that fixes a print asset's page size whatever its template says.

    With ``bleed`` (e.g. "3mm"), the print-ready layout: the page grows by the bleed on each
    side (the template's backgrounds run into it) and crop marks show where to cut.
    """
    if page_size not in PAGE_SIZES:
        raise RenderError(f"Unknown page size {page_size!r} (use one of {sorted(PAGE_SIZES)})")
    # User-origin !important beats the template's own @page rules in the CSS cascade.
    if bleed is None:
        return f"@page {{ size: {page_size} !important }}"
    millimetres = bleed_mm(bleed)
    if millimetres is None:
        raise RenderError(f"The bleed {bleed!r} must be millimetres from 0 to 10, e.g. 3mm")
    return (
        f"@page {{ size: {page_size} !important; bleed: {millimetres:g}mm !important;"
        " marks: crop !important }"
    )


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


def pdf_options(print_ready: bool = False, tagged: bool = True) -> dict[str, object]:
    """WeasyPrint's options: every PDF is tagged (headings, lists, tables, alt texts for
    screen readers); a print-ready one is PDF/X-4 with its output intent. A PDF that only
    becomes a PNG is not tagged: nobody reads its structure, and tagging costs time."""
    if print_ready:
        return {"pdf_tags": True, "pdf_variant": PRINT_READY_VARIANT, "output_intent": "srgb"}
    return {"pdf_tags": tagged}


def html_to_pdf(
    html: str,
    fetcher: KitURLFetcher,
    page_css: str,
    *,
    first_page_only: bool = False,
    print_ready: bool = False,
    tagged: bool = True,
) -> bytes:
    """Lay out ``html`` (fetching only through ``fetcher``) and return the (tagged) PDF."""
    options = pdf_options(print_ready, tagged)
    stylesheet = CSS(string=page_css, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet], **options)
    if not document.pages:
        raise RenderError("The template produced no page")
    if first_page_only and len(document.pages) > 1:
        document = document.copy(document.pages[:1])
    return document.write_pdf(**options)


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
