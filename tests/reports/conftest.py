"""Report fixtures: the hand-computed program of support.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from tests.conftest import World
from tests.reports.support import build_program


@pytest.fixture
def program(db_session: Session, world: World) -> SimpleNamespace:
    return build_program(db_session, world)
