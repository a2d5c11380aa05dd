"""Fixtures of the pipeline tests: partner A's live campaign (fixture kit with a landing page)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tests.conftest import World
from tests.pipeline.support import live_campaign


@pytest.fixture
def live_a(app: Flask, db_session: Session, world: World) -> Campaign:
    return live_campaign(app, db_session, world.partner_a)
