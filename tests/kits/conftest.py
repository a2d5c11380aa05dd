"""Fixtures of the kit tests: the app's storage and a helper that imports a kit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.kits import importer
from tcma.kits.package import read_zip
from tcma.storage import Storage
from tests.kits.support import kit_files, make_zip


@pytest.fixture
def storage(app: Flask) -> Storage:
    return app.extensions["tcma.storage"]


@pytest.fixture
def import_kit(db_session: Session, storage: Storage) -> Callable[..., importer.ImportResult]:
    """import_kit(files=None, actor_id=None) -> ImportResult, committed."""

    def run(files: dict[str, bytes] | None = None, actor_id: int | None = None):
        package = read_zip(make_zip(files or kit_files()))
        result = importer.import_package(db_session, storage, package, actor_id)
        db_session.commit()
        return result

    return run
