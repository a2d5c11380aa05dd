"""MDF fixtures: the app's storage and the money-walking factory of tests.mdf.support."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.storage import EXTENSION_KEY
from tcma.storage.base import Storage
from tests.conftest import World
from tests.mdf.support import Funds


@pytest.fixture
def storage(app: Flask) -> Storage:
    return app.extensions[EXTENSION_KEY]


@pytest.fixture
def funds(db_session: Session, world: World, storage: Storage) -> Funds:
    return Funds(db_session, world, storage)
