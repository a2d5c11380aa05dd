"""Fixtures of the webhook tests: an app that may call 127.0.0.1, a live receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_test_app
from tests.webhooks.receiver import Receiver


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_test_app(database_url, tmp_path, WEBHOOK_ALLOW_PRIVATE=True)
    yield application
    application.extensions["tcma.engine"].dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    live = Receiver()
    yield live
    live.stop()
