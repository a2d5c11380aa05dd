"""`tcma kits import` and `tcma kits export` through Flask's CLI runner."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.kits.models import Kit, KitVersion
from tcma.kits.package import read_zip
from tcma.storage import Storage
from tests.kits.support import kit_files, make_zip, with_files, write_folder


def test_import_a_folder_then_a_changed_zip_then_export(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    folder = write_folder(tmp_path / "spring-promo", kit_files())
    result = runner.invoke(args=["kits", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Imported spring-promo: version 1 is published (8 files)." in result.output

    result = runner.invoke(args=["kits", "import", str(folder)])
    assert "spring-promo is unchanged since version 1." in result.output

    changed = tmp_path / "changed.zip"
    changed.write_bytes(make_zip(with_files({"banner.html": "<b>{{ fields.headline }}</b>"})))
    result = runner.invoke(args=["kits", "import", str(changed)])
    assert "version 2 is published" in result.output
    assert db_session.scalar(select(func.count(KitVersion.id))) == 2

    out = tmp_path / "v1.zip"
    result = runner.invoke(
        args=["kits", "export", "spring-promo", "--version", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert read_zip(out.read_bytes()).files == read_zip(make_zip(kit_files())).files
    latest = tmp_path / "latest.zip"
    runner.invoke(args=["kits", "export", "spring-promo", "-o", str(latest)])
    assert read_zip(latest.read_bytes()).files["banner.html"] == b"<b>{{ fields.headline }}</b>"


def test_a_broken_kit_is_refused_with_every_reason_and_leaves_nothing(
    app: Flask, db_session: Session, storage: Storage, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(
        make_zip(with_files({"media/logo.svg": "<svg/>", "flyer.html": "{{ fields.nope }}"}))
    )
    result = app.test_cli_runner().invoke(args=["kits", "import", str(bad)])
    assert result.exit_code == 1
    assert "media/logo.svg: SVG images are refused" in result.output
    assert f"{bad} was not imported (1 problem)." in result.output
    assert db_session.scalar(select(func.count(Kit.id))) == 0
    assert storage.list_keys("kits/") == []


def test_export_of_an_unknown_kit_or_version_fails_clearly(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kits", "export", "nope", "-o", str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and "no kit 'nope'" in result.output
    runner.invoke(args=["kits", "import", str(write_folder(tmp_path / "k", kit_files()))])
    result = runner.invoke(
        args=["kits", "export", "spring-promo", "--version", "7", "-o", str(tmp_path / "x.zip")]
    )
    assert "spring-promo has no version 7" in result.output
