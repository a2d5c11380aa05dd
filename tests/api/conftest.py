"""Fixtures of the API tests: a token and an API client per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tests.api.support import ApiClient, make_token
from tests.conftest import World
from tests.pipeline.support import live_campaign


@pytest.fixture
def api_as(app: Flask, db_session: Session, world: World) -> Callable[[str], ApiClient]:
    """api_as("a_user") → an API client with a personal token of that world user."""

    def make(key: str) -> ApiClient:
        return ApiClient(app, make_token(db_session, world.users[key]))

    return make


@pytest.fixture
def live_a(app: Flask, db_session: Session, world: World) -> Campaign:
    return live_campaign(app, db_session, world.partner_a)
