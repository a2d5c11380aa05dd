"""The demo gives both demo partners a brand with a drawn logo, once."""

from __future__ import annotations

import io

from flask import Flask
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.cobrand import services
from tcma.cobrand.demo import load_demo_brands
from tcma.cobrand.models import BrandVersion
from tcma.demo import load_demo
from tests.campaigns.support import storage_of


def test_demo_brands_are_loaded_once(app: Flask, db_session: Session) -> None:
    with app.app_context():
        load_demo(db_session, app)
        load_demo(db_session, app)
        db_session.commit()
        assert load_demo_brands(db_session, storage_of(app)) == []
    assert db_session.scalar(select(func.count(BrandVersion.id))) == 2
    brand = db_session.scalars(
        select(BrandVersion).where(BrandVersion.display_name == "Cobalt Systems")
    ).one()
    logo = services.read_logo(storage_of(app), brand)
    assert Image.open(io.BytesIO(logo)).size == (720, 160)
