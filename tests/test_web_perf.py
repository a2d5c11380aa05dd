"""Page weight: text responses are gzip-compressed, static files have content-hashed URLs
cached for a year, and a changed file gets a new URL."""

from __future__ import annotations

import gzip
import re

from flask import Flask
from flask.testing import FlaskClient


def stylesheet_url(html: str) -> str:
    match = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html)
    assert match, "the page links app.css with a content hash"
    return match.group(1)


def test_pages_are_gzipped_for_browsers_that_accept_it(client: FlaskClient) -> None:
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_static_files_have_hashed_urls_cached_for_a_year(client: FlaskClient) -> None:
    url = stylesheet_url(client.get("/login").get_data(as_text=True))

    response = client.get(url, headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert b".topbar" in gzip.decompress(response.data)
    # Without the version the file may change under the same URL: no long cache.
    assert "immutable" not in (client.get("/static/css/app.css").headers.get("Cache-Control") or "")


def test_a_changed_static_file_gets_a_new_url(app: Flask, tmp_path) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    sheet = static / "css" / "app.css"
    sheet.write_text(".topbar { color: red }")
    app.static_folder = str(static)
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="css/app.css")
        sheet.write_text(".topbar { color: blue }")
        import os

        os.utime(sheet, ns=(1, 1))
        second = url_for("static", filename="css/app.css")

    assert first != second
    assert first.startswith("/static/css/app.css?v=")
