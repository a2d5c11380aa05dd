"""PDFs people can read and print: every PDF is tagged; the print-ready variant of a print
asset is PDF/X-4 with an output intent, the kit's bleed around the trimmed page and crop marks."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from tcma.cobrand.render.documents import print_page_css
from tcma.cobrand.render.source import FolderKitSource
from tests.cobrand.support import make_context, one_asset_kit, pdf_figures, render

MM = 72 / 25.4
SAMPLES = Path(__file__).resolve().parents[2] / "campaigns"
PAGE = "<html lang='en'><title>Flyer</title><h1>Flyer</h1><p>Call us.</p></html>"


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def xmp(pdf: pypdf.PdfReader) -> str:
    return pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def test_every_print_pdf_is_tagged_for_screen_readers(kit, ctx):
    pdf = reader(render(kit, "datasheet", ctx, "pdf").data)
    root = pdf.trailer["/Root"]

    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"])


def test_print_ready_pdf_is_pdf_x_with_output_intent_bleed_and_trim(ctx):
    source = one_asset_kit(PAGE, page_size="A4", bleed="3mm")
    result = render(source, "a", ctx, "xpdf")

    assert result.filename.endswith("-a-print-ready.pdf")
    assert result.content_type == "application/pdf"
    pdf = reader(result.data)
    root = pdf.trailer["/Root"]
    assert "PDF/X-4" in xmp(pdf)
    assert "/StructTreeRoot" in root
    (intent,) = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFX"
    page = pdf.pages[0]
    trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
    # The trimmed page is A4; the bleed box and the sheet are 3 mm larger on each side.
    assert float(trim.width) == pytest.approx(210 * MM, abs=0.1)
    assert float(trim.height) == pytest.approx(297 * MM, abs=0.1)
    assert float(bleed.width) == pytest.approx((210 + 6) * MM, abs=0.1)
    assert float(bleed.height) == pytest.approx((297 + 6) * MM, abs=0.1)
    assert float(trim.left) - float(bleed.left) == pytest.approx(3 * MM, abs=0.05)
    assert float(media.width) >= float(bleed.width)


def test_print_ready_bleed_follows_the_kit_and_defaults_to_3mm(ctx):
    two = reader(render(one_asset_kit(PAGE, bleed="2mm"), "a", ctx, "xpdf").data).pages[0]
    plain = reader(render(one_asset_kit(PAGE), "a", ctx, "xpdf").data).pages[0]
    five = reader(render(one_asset_kit(PAGE, bleed="5mm"), "a", ctx, "xpdf").data).pages[0]

    assert float(two.trimbox.left) - float(two.bleedbox.left) == pytest.approx(2 * MM, abs=0.05)
    assert float(plain.trimbox.left) - float(plain.bleedbox.left) == pytest.approx(3 * MM, abs=0.05)
    # The sheet carries all 5 mm of artwork; WeasyPrint puts the BleedBox at most 10 pt out.
    assert float(five.trimbox.left) - float(five.mediabox.left) == pytest.approx(5 * MM, abs=0.05)


def test_print_ready_draws_crop_marks_and_refuses_a_silly_bleed():
    assert "marks: crop" in print_page_css("A4", bleed="3mm")
    with pytest.raises(Exception, match="bleed"):
        print_page_css("A4", bleed="3 inches")


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) missing")
def test_pdfinfo_reads_tagged_and_boxes_of_a_sample_kit_print_ready_pdf(tmp_path):
    source = FolderKitSource(SAMPLES / "vault-launch-datasheet")
    data = render(source, "datasheet", make_context(), "xpdf").data
    path = tmp_path / "datasheet.pdf"
    path.write_bytes(data)

    info = subprocess.run(
        ["pdfinfo", "-box", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Tagged:          yes" in info
    assert "TrimBox:" in info and "BleedBox:" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    # The font shipped in the kit's media/ (its @font-face family), not a system font.
    assert "Kit-Sans" in fonts


@pytest.mark.parametrize(
    ("slug", "key"), [("vault-launch-datasheet", "datasheet"), ("vault-case-study", "case-study")]
)
@pytest.mark.parametrize("target", ["pdf", "xpdf"])
def test_sample_print_pdfs_name_every_figure_and_use_only_the_kits_fonts(slug, key, target):
    data = render(FolderKitSource(SAMPLES / slug), key, make_context(), target).data

    # Logos are figures with their names; icons and backdrops are CSS backgrounds, which a
    # tagged PDF draws as artifacts that screen readers skip.
    figures = pdf_figures(data)
    assert "Acme Cloud Services" in figures and "Northbeam Software" in figures
    assert None not in figures
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader(data).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(name.startswith("Kit-Sans") for name in fonts), fonts
