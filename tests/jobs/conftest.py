"""Job test fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.storage import EXTENSION_KEY
from tests.conftest import World
from tests.jobs.support import redis_queue_name
from tests.mdf.support import Funds


@pytest.fixture
def redis_name() -> Iterator[str]:
    """A queue name of the test's own; on Redis its keys are removed afterwards."""
    with redis_queue_name() as name:
        yield name


@pytest.fixture
def funds(db_session: Session, world: World, app: Flask) -> Funds:
    """The MDF test factory (tests.mdf.support) on the test app's storage."""
    return Funds(db_session, world, app.extensions[EXTENSION_KEY])
