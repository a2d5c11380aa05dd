"""Fixtures of the campaign tests: a published kit every tier sees, partner A's campaign."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.kits.models import KitVersion
from tests.campaigns.support import import_kit, start_campaign
from tests.conftest import World


@pytest.fixture
def published_kit(app: Flask, db_session: Session, world: World) -> KitVersion:
    return import_kit(app, db_session)


@pytest.fixture
def campaign_a(
    app: Flask, db_session: Session, world: World, published_kit: KitVersion
) -> Campaign:
    return start_campaign(app, db_session, world.partner_a, published_kit)
