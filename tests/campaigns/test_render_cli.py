"""`tcma kits render` renders an asset with a partner's brand from the shell."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from tcma.cobrand.render import pool as pool_module
from tcma.demo import load_demo
from tcma.kits.models import KitVersion
from tests.campaigns.support import pdf_text, png_bytes, save_brand
from tests.conftest import World, make_test_app


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


def test_web_workers_do_not_import_weasyprint(sqlite_template: Path, tmp_path: Path) -> None:
    """A web worker (gunicorn hooks loaded) serving the demo: landing pages of live
    campaigns, every page a vendor admin and a partner user reach from the menu and from the
    pages it links to; WeasyPrint is never imported (only render worker processes load it)."""
    shutil.copyfile(sqlite_template, tmp_path / "tcma.sqlite3")
    url = f"sqlite:///{tmp_path / 'tcma.sqlite3'}"
    seeding = make_test_app(url, tmp_path)
    with seeding.app_context():
        session = seeding.extensions["tcma.sessionmaker"]()
        load_demo(session, seeding)
        session.commit()
        session.close()
    seeding.extensions["tcma.engine"].dispose()
    script = f"""
import re, sys
import tcma.gunicorn_conf  # what a gunicorn web worker imports
from tcma import create_app
from tcma.demo import DEMO_PASSWORD
app = create_app({{"SECRET_KEY": "x", "INSTANCE_PATH": {str(tmp_path / "instance")!r},
    "DATABASE_URL": {url!r}, "STORAGE_URL": "file://{tmp_path}/storage",
    "WTF_CSRF_ENABLED": False, "QUEUE_URL": "immediate", "RENDER_WORKERS": 0}})
from sqlalchemy import select
from tcma.campaigns.models import Campaign
with app.app_context():
    session = app.extensions["tcma.sessionmaker"]()
    codes = session.scalars(select(Campaign.code).where(Campaign.status == "live")).all()
    session.close()
anonymous = app.test_client()
pages = 0
for code in codes:
    assert anonymous.get("/l/" + code).status_code == 200
    pages += 1
anonymous.get("/healthz"); anonymous.get("/login")
# Files and renders are the render workers' work: those links are left out here.
SKIP = re.compile(r"download|preview|render|media|[.]pdf|[.]zip|[.]png|logout|/static/")
for email in ("admin@northbeam.example", "ben@brightpath-it.example"):
    client = app.test_client()
    client.post("/login", data={{"email": email, "password": DEMO_PASSWORD}})
    queue, seen = ["/"], set()
    while queue and len(seen) < 120:
        url = queue.pop(0)
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        response = client.get(url)
        pages += 1
        if response.mimetype == "text/html":
            for link in re.findall(r'href="(/[^"#?]*)"', response.get_data(as_text=True)):
                queue.append(link)
print(pages)
print(sorted(m for m in sys.modules if m.split(".")[0] == "weasyprint"))
"""
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    pages, modules = result.stdout.strip().splitlines()[-2:]
    assert int(pages) > 60, result.stdout  # the crawl did reach the app's pages
    assert modules == "[]"
