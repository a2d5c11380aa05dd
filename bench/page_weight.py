"""Page weight: what a browser or mail client downloads, before and after compression and
sized images.

Loads the demo into a temporary SQLite database and storage folder, then prints, through the
Flask test client:
  pages    bytes of each page's HTML as sent plain and gzip-compressed (Accept-Encoding: gzip)
  static   bytes of each stylesheet and script plain and compressed, and their cache lifetime
  images   the launch email's kit images at full size against the copies at twice their shown
           width (?w=), and a catalog cover and asset preview against their thumbnails
Ratios are after / before.

Run: .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tcma import create_app  # noqa: E402
from tcma.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from tcma.migrate import upgrade  # noqa: E402

PAGES = ("/login", "/home", "/catalog/", "/campaigns/", "/reports/", "/pipeline/leads")
GZIP = {"Accept-Encoding": "gzip"}


def line(name: str, before: int, after: int) -> None:
    print(f"  {name:<58} {before:>9,} B -> {after:>9,} B  ratio {after / max(before, 1):.2f}")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tcma-weight-"))
    upgrade(f"sqlite:///{folder / 'tcma.sqlite3'}")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'tcma.sqlite3'}",
            "STORAGE_URL": f"file://{folder / 'storage'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
            "BASE_URL": "http://127.0.0.1",
        }
    )
    with app.app_context():
        session = app.extensions["tcma.sessionmaker"]()
        load_demo(session, app)
        session.commit()
        session.close()
    client = app.test_client()
    client.post("/login", data={"email": "ben@brightpath-it.example", "password": DEMO_PASSWORD})
    print("pages (HTML, partner user)")
    html_of: dict[str, str] = {}
    for path in PAGES:
        plain = client.get(path)
        packed = client.get(path, headers=GZIP)
        html_of[path] = plain.get_data(as_text=True)
        line(path, len(plain.data), len(packed.data))
    print("static files")
    assets = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', "".join(html_of.values()))))
    for url in assets:
        plain = client.get(url.replace("&amp;", "&"))
        packed = client.get(url.replace("&amp;", "&"), headers=GZIP)
        line(
            f"{url.split('?')[0]} ({packed.headers.get('Cache-Control')})",
            len(plain.data),
            len(packed.data),
        )
    print("images")
    campaign = re.search(r'href="/campaigns/(\d+)"', html_of["/campaigns/"])
    if campaign:
        detail = client.get(f"/campaigns/{campaign.group(1)}").get_data(as_text=True)
        email = re.search(r'href="(/campaigns/\d+/assets/[\w-]*email[\w-]*\.html)"', detail)
        if email:
            body = client.get(email.group(1), follow_redirects=True).get_data(as_text=True)
            before = after = 0
            for src in re.findall(r'src="https?://[^/"]+(/kit-media/[^"]+)"', body):
                full = src.split("?")[0]
                before += len(client.get(full).data)
                after += len(client.get(src).data)
            line(f"kit images of {email.group(1).rsplit('/', 1)[-1]}", before, after)
    catalog = html_of["/catalog/"]
    kit = re.search(r'href="(/catalog/kits/\d+)"', catalog)
    if kit:
        page = client.get(kit.group(1)).get_data(as_text=True)
        for src in re.findall(r'src="(/catalog/kits/\d+/assets/[\w-]+/preview\.png\?w=\d+)"', page)[
            :3
        ]:
            full = client.get(src.split("?")[0], follow_redirects=True)
            small = client.get(src.replace("&amp;", "&"))
            line(f"preview {src}", len(full.data), len(small.data))


if __name__ == "__main__":
    main()
