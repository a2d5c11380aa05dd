"""Control characters in API bodies are a 422 naming the field, never a 500.

A NUL byte makes PostgreSQL refuse the whole statement; run with TCMA_TEST_DATABASE_URL to
check it there as well as on SQLite.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Flask
from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import tcma
from tcma.api.schemas import Text
from tcma.pipeline.models import Lead, Opportunity
from tcma.text_rules import CONTROL_MESSAGE
from tests.api.support import ApiClient, make_token
from tests.conftest import World

PROBLEM = "application/problem+json"


def _lead(campaign_id: int, **extra: object) -> dict[str, object]:
    return {
        "campaign_id": campaign_id,
        "email": "grace@navy.example",
        "first_name": "Grace",
        "consent_text": "I agree that Brightpath IT may contact me.",
        **extra,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Gr\x00ace"),
        ("company", "Navy\x1b[31m"),
        ("email", "grace\x00@navy.example"),
        ("consent_text", "I agree\x00"),
        ("utm_source", "site\x7f"),
    ],
)
def test_a_lead_with_a_control_character_is_a_422_at_its_field(
    app: Flask, db_session: Session, world: World, live_a, field: str, value: str
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    response = api.post("/api/v1/leads", json=_lead(live_a.id, **{field: value}))
    assert response.status_code == 422 and response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert [(e["field"], e["message"]) for e in errors] == [(field, CONTROL_MESSAGE)]
    assert db_session.scalar(select(func.count(Lead.id))) == 0


def test_notes_keep_line_breaks_but_not_a_nul(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    created = api.post("/api/v1/leads", json=_lead(live_a.id))
    assert created.status_code == 201
    url = f"/api/v1/leads/{created.get_json()['id']}"
    bad = api.patch(url, json={"notes": "called\x00 twice"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "notes"
    good = api.patch(url, json={"notes": "called twice\r\nsends a quote\tFriday"})
    assert good.status_code == 200
    assert good.get_json()["notes"] == "called twice\r\nsends a quote\tFriday"


def test_an_opportunity_name_with_a_nul_is_refused_and_nothing_is_stored(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    deal = {
        "name": "Atlas\x00",
        "account": "Atlas\x00Freight",
        "amount": "10.00",
        "currency": "USD",
    }
    response = api.post("/api/v1/opportunities", json={**deal, "campaign_id": live_a.id})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert {e["field"] for e in response.get_json()["errors"]} == {"name", "account"}
    assert db_session.scalar(select(func.count(Opportunity.id))) == 0


def _schemas() -> set[type[Schema]]:
    for module in pkgutil.walk_packages(tcma.__path__, "tcma."):
        if "migrations" not in module.name:
            importlib.import_module(module.name)
    found: set[type[Schema]] = set()
    todo: list[type[Schema]] = [Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return {cls for cls in found if cls.__module__.startswith("tcma.")}


def test_every_text_the_api_reads_has_the_control_character_check() -> None:
    readers = []
    for schema in _schemas():
        for name, field in schema._declared_fields.items():
            if field.dump_only or not isinstance(field, fields.String):
                continue
            readers.append(f"{schema.__name__}.{name}")
            assert isinstance(field, Text), f"{schema.__name__}.{name} reads plain text"
    assert len(readers) > 10
