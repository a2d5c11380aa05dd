"""Control characters are refused at the edge: next to the field in forms, a 400 in addresses.

These requests answered 500 on PostgreSQL (a NUL byte makes it refuse the statement); run
with TCMA_TEST_DATABASE_URL to check them there as well as on SQLite.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import tcma
from tcma.accounts.models import Partner, Tier
from tcma.campaigns.models import Campaign
from tcma.forms import Form
from tcma.pipeline.models import Lead
from tcma.text_rules import CONTROL_MESSAGE, has_control_characters
from tests.conftest import World
from tests.pipeline.support import VISITOR, live_campaign


def submit_token(html: str) -> str:
    return re.search(r'name="submit_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_rule_keeps_line_breaks_only_in_multi_line_text() -> None:
    for bad in ("a\x00b", "\x1b[31m", "x\x7f", "\x85", "tab\there"):
        assert has_control_characters(bad)
    assert has_control_characters("two\nlines")
    assert not has_control_characters("two\r\nlines\twith a tab", multiline=True)
    assert has_control_characters("nul\x00", multiline=True)
    assert not has_control_characters("Zoë Ångström – 東京")


@pytest.fixture
def live_a(app: Flask, db_session: Session, world: World) -> Campaign:
    return live_campaign(app, db_session, world.partner_a)


def test_public_lead_form_shows_the_problem_next_to_the_name_and_stores_nothing(
    client: FlaskClient, db_session: Session, live_a: Campaign
) -> None:
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    data = {**VISITOR, "first_name": "Gr\x00ace", "consent": "y", "submit_token": token}
    response = client.post(f"/l/{live_a.code}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<span class="tcma-error" id="first_name-error">([^<]*)</span>', html)
    assert error is not None and CONTROL_MESSAGE in error.group(1)
    assert 'id="last_name-error"' not in html
    count = db_session.scalar(select(func.count(Lead.id)).where(Lead.campaign_id == live_a.id))
    assert count == 0


def test_landing_address_with_a_nul_byte_is_a_400_not_a_500(client: FlaskClient, world) -> None:
    assert client.get("/l/abc%00def").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/pipeline/leads?q=ada%00",
        "/users/?q=%00",
        "/admin/partners?q=bright%00path",
        "/campaigns/?q=%1b",
    ],
)
def test_search_box_with_a_control_character_answers_a_clear_400(
    as_admin: FlaskClient, url: str
) -> None:
    assert as_admin.get(url.split("?")[0] + "?q=ada").status_code == 200  # the page exists
    response = as_admin.get(url)
    assert response.status_code == 400
    assert "invisible control characters" in response.get_data(as_text=True)


def test_a_control_character_in_a_filter_name_is_refused_too(as_admin: FlaskClient) -> None:
    assert as_admin.get("/pipeline/leads?st%00atus=new").status_code == 400


def test_company_name_with_a_nul_byte_is_refused_next_to_the_field(
    as_admin: FlaskClient, db_session: Session, world: World
) -> None:
    tier = db_session.scalar(select(Tier).where(Tier.name == "gold"))
    response = as_admin.post(
        "/admin/partners/new",
        data={"name": "Nul\x00 Networks", "tier_id": str(tier.id), "region": "EMEA"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CONTROL_MESSAGE in html
    assert db_session.scalar(select(Partner).where(Partner.name.like("Nul%"))) is None


def test_multi_line_fields_keep_line_breaks_and_refuse_other_controls(app: Flask) -> None:
    from tcma.accounts.forms import StatusForm

    with app.test_request_context(method="POST", data={"comment": "line one\r\nline two"}):
        assert StatusForm().validate()
    with app.test_request_context(method="POST", data={"comment": "bell\x07"}):
        form = StatusForm()
        assert not form.validate()
        assert form.comment.errors == [CONTROL_MESSAGE]


def _all_form_classes() -> set[type]:
    for module in pkgutil.walk_packages(tcma.__path__, "tcma."):
        if "migrations" not in module.name:
            importlib.import_module(module.name)
    found: set[type] = set()
    todo = [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return {cls for cls in found if cls.__module__.startswith("tcma.")}


def test_every_form_of_the_app_has_the_control_character_check() -> None:
    forms = _all_form_classes()
    assert len(forms) > 25
    assert {cls.__qualname__ for cls in forms if not issubclass(cls, Form)} == set()
