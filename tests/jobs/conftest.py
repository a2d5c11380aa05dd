"""Job test fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.jobs.support import redis_queue_name


@pytest.fixture
def redis_name() -> Iterator[str]:
    """A queue name of the test's own; on Redis its keys are removed afterwards."""
    with redis_queue_name() as name:
        yield name
