"""Schemathesis against the OpenAPI document with a token of each role: no 5xx, answers conform.

Bounded (a few examples per operation and role) so that it stays within CI's minutes; run
more with TCMA_SCHEMATHESIS_EXAMPLES=200.
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.storage import EXTENSION_KEY
from tests.api.support import make_token
from tests.conftest import World
from tests.mdf.support import Funds
from tests.pipeline.support import add_lead, add_opportunity

EXAMPLES = int(os.environ.get("TCMA_SCHEMATHESIS_EXAMPLES", "8"))
# Schema-valid requests may still break a rule (an id that is not yours, a state that does
# not allow the change): those answer 4xx by design, so "positive data is accepted" is off.
RULE_CHECKS = [positive_data_acceptance]
# Valid requests, and requests the schema says are invalid (those must get a 4xx, never a 5xx).
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
ROLES = ("admin", "marketer", "finance", "a_admin", "a_user", "b_user")


@pytest.fixture
def tokens(app: Flask, db_session: Session, world: World, live_a: Campaign) -> dict[str, str]:
    """Partner A's data to find, and a personal token per role with all its role's scopes."""
    add_lead(db_session, live_a)
    add_opportunity(db_session, world.partner_a.id, live_a.id, "1000.00")
    # MDF objects in the states the actions need (ids 1 and 2 are what generated ids hit most).
    funds = Funds(db_session, world, app.extensions[EXTENSION_KEY])
    allocation = funds.allocation("50000")
    funds.submitted(allocation, "800")
    approved = funds.approved(allocation, "2000")
    funds.submitted_claim(approved, "400")
    funds.paid_claim(approved, "300")
    db_session.commit()
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    return {role: make_token(db_session, world.users[role]) for role in ROLES}


@pytest.mark.slow
# 57 operations × 2 modes × 6 tokens: more than the suite's per-test 180 s on a busy machine.
@pytest.mark.timeout(1800)
def test_api_conforms_to_its_openapi_document(app: Flask, tokens: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation, mode in itertools.product(operations, MODES):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case) -> None:
            for token in tokens.values():
                case.call_and_validate(
                    # The WSGI test client does not decode gzip; ask for the plain body.
                    headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                    excluded_checks=RULE_CHECKS,
                )

        check()
