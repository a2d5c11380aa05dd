"""`tcma kits render` renders an asset with a partner's brand from the shell."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from tcma.cobrand.render import pool as pool_module
from tcma.kits.models import KitVersion
from tests.campaigns.support import pdf_text, png_bytes, save_brand
from tests.conftest import World


def render(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["kits", "render", *args])


def test_render_a_pdf_with_a_partners_brand_and_values(
    app: Flask, db_session: Session, world: World, published_kit: KitVersion, tmp_path: Path
) -> None:
    save_brand(app, db_session, world.partner_a)
    output = tmp_path / "datasheet.pdf"
    result = render(
        app,
        "fixture-kit",
        "datasheet",
        "--partner",
        "brightpath it",
        "--set",
        "headline=Recover before lunch",
        "--set",
        "event_date=2027-03-04",
        "-o",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert "as PDF" in result.output
    text = pdf_text(output.read_bytes())
    assert "Brightpath Cloud Services" in text and "Recover before lunch" in text
    assert "4 March 2027" in text


def test_render_other_targets_and_image_fields(
    app: Flask, world: World, published_kit: KitVersion, tmp_path: Path
) -> None:
    photo = tmp_path / "team.png"
    photo.write_bytes(png_bytes(120, 80))
    output = tmp_path / "banner.png"
    result = render(
        app,
        "fixture-kit",
        "launch-banner",
        "--partner",
        "Cobalt Systems Group",
        "--set",
        f"team_photo=@{photo}",
        "--target",
        "png",
        "-o",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert Image.open(io.BytesIO(output.read_bytes())).size == (1200, 627)
    eml = tmp_path / "invite.eml"
    result = render(
        app,
        "fixture-kit",
        "invite-email",
        "--partner",
        "Cobalt Systems Group",
        "--target",
        "eml",
        "--no-cache",
        "-o",
        str(eml),
    )
    assert result.exit_code == 0, result.output
    assert b"Content-Type: text/plain" in eml.read_bytes()


def test_refusals_say_what_is_wrong(
    app: Flask, world: World, published_kit: KitVersion, tmp_path: Path
) -> None:
    out = str(tmp_path / "x")
    cases = [
        (("nope", "datasheet", "--partner", "Brightpath IT"), "no kit 'nope'"),
        (("fixture-kit", "datasheet", "--partner", "Nobody"), "no partner named 'Nobody'"),
        (("fixture-kit", "flyer", "--partner", "Brightpath IT"), "has no asset 'flyer'"),
        (
            ("fixture-kit", "datasheet", "--partner", "Brightpath IT", "--target", "eml"),
            "renders as pdf, xpdf, png, not eml",
        ),
        (
            ("fixture-kit", "datasheet", "--partner", "Brightpath IT", "--set", "headline="),
            "headline: Enter a value",
        ),
        (
            ("fixture-kit", "datasheet", "--partner", "Brightpath IT", "--set", "colour=red"),
            "use FIELD=VALUE with a field of the kit",
        ),
    ]
    for args, message in cases:
        result = render(app, *args, "-o", out)
        assert result.exit_code != 0
        assert message in result.output, result.output


def test_a_one_off_render_starts_no_render_workers(
    app: Flask, world: World, published_kit: KitVersion, tmp_path: Path, monkeypatch
) -> None:
    started = []
    real_init = pool_module._Worker.__init__
    monkeypatch.setattr(
        pool_module._Worker,
        "__init__",
        lambda self, *a: started.append(a) or real_init(self, *a),
    )
    output = tmp_path / "datasheet.pdf"
    args = ("fixture-kit", "datasheet", "--partner", "Brightpath IT", "-o", str(output))
    result = render(app, *args, "--no-cache")
    assert result.exit_code == 0, result.output
    assert render(app, *args).exit_code == 0  # through the render cache, in process too
    assert output.read_bytes().startswith(b"%PDF") and started == []


def test_web_workers_do_not_import_weasyprint(tmp_path: Path) -> None:
    script = f"""
import sys
from tcma import create_app
app = create_app({{"SECRET_KEY": "x", "INSTANCE_PATH": {str(tmp_path)!r},
    "DATABASE_URL": "sqlite:///{tmp_path}/t.db", "STORAGE_URL": "file://{tmp_path}/s"}})
client = app.test_client()
client.get("/healthz"); client.get("/login"); client.get("/l/nothing-here")
print(sorted(m for m in sys.modules if m.split(".")[0] == "weasyprint"))
"""
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
