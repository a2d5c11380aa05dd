"""Every object id a form carries is checked against the user's tenant.

The forms' id fields are found by introspection, so a new id field fails this test until it
has a case below: the case posts another partner's id and one that does not exist (nothing
may change, the answer is a form error or a 404), then the user's own id (it must work, so
the refusals are not refusals of a bad form).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.core import UnboundField

import tcma.models  # noqa: F401 - every area's models
from tcma import create_app
from tcma.db import Base
from tcma.fields import IdChoiceField
from tcma.mailings import contacts
from tcma.storage import EXTENSION_KEY
from tests.campaigns.support import start_campaign
from tests.mdf.support import Funds
from tests.mdf.test_views import _request_form
from tests.pipeline.support import add_lead, live_campaign
from tests.pipeline.test_csvmap import SALESFORCE_LEADS

NOWHERE = 987654  # an id that no row has

# Id fields that are not choices, and what checks them instead.
CHECKED_IN_SERVICE = {
    # The import's second step carries the campaign of the first step in a hidden field;
    # pipeline.services.import_rows checks it belongs to the user's partner.
    ("ImportConfirmForm", "campaign_id"),
    # The contacts import's second step carries the chosen list the same way; the view
    # refuses the import unless it is one of the user's partner's lists.
    ("ContactImportConfirmForm", "list_id"),
}


def _forms() -> list[type[FlaskForm]]:
    create_app({"TESTING": True})  # imports every area's views, and so their forms
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        # Forms built at request time (a kit's fields, a field per tier) carry no ids.
        if form.__module__.startswith("tcma.") and "<locals>" not in form.__qualname__:
            found.append(form)
    return found


def id_fields() -> set[tuple[str, str]]:
    """(form class, field name) of every form field that carries an object id."""
    fields = set()
    for form in _forms():
        for name in dir(form):
            if isinstance(getattr(form, name, None), UnboundField) and (
                name == "id" or name.endswith("_id")
            ):
                fields.add((form.__name__, name))
    return fields


def field_class(form_name: str, name: str) -> type:
    form = next(f for f in _forms() if f.__name__ == form_name)
    return getattr(form, name).field_class


@dataclass
class Case:
    """How a person posts an id into one field; ``changed`` says whether it took effect."""

    role: str
    post: Callable[[Any, Any, str], Any]  # (client, ctx, id) -> response
    foreign: Callable[[Any], list[int]]  # ids the user may not use
    own: Callable[[Any], int]  # an id the user may use


def _post(path: str, data: Callable[[Any, str], dict], multipart: bool = False):
    def post(client, ctx, value):
        kwargs = {"content_type": "multipart/form-data"} if multipart else {}
        return client.post(path.format(ctx=ctx), data=data(ctx, value), **kwargs)

    return post


def _opportunity(field: str) -> Callable[[Any, str], dict]:
    def data(ctx, value):
        form = {
            "name": "Backup renewal",
            "account": "Analytical Engines",
            "amount": "12,500.00",
            "currency": "USD",
            "stage": "prospecting",
            "owner_id": "",
            "campaign_id": "",
        }
        return {**form, field: value}

    return data


def _import_upload(ctx, value):
    data = SALESFORCE_LEADS.encode()
    return {
        "kind": "leads",
        "campaign_id": value,
        "currency": "USD",
        "file": (io.BytesIO(data), "x.csv"),
    }


def _import_confirm(client, ctx, value):
    preview = client.post(
        "/pipeline/import",
        data=_import_upload(ctx, str(ctx.campaign_a.id)),
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    fields = dict(
        re.findall(r'name="(kind|currency|payload)" type="hidden" value="([^"]*)"', preview)
    )
    return client.post("/pipeline/import/confirm", data={**fields, "campaign_id": value})


CASES: dict[tuple[str, str], Case] = {
    ("FundRequestForm", "allocation_id"): Case(
        "a_user",
        _post("/mdf/requests/new", lambda ctx, v: _request_form(v)),
        lambda ctx: [ctx.allocation_b.id],
        lambda ctx: ctx.allocation_a.id,
    ),
    ("FundRequestForm", "campaign_id"): Case(
        "a_user",
        _post(
            "/mdf/requests/new", lambda ctx, v: _request_form(ctx.allocation_a.id, campaign_id=v)
        ),
        lambda ctx: [ctx.campaign_b.id],
        lambda ctx: ctx.campaign_a.id,
    ),
    ("AllocateForm", "partner_id"): Case(
        "finance",
        _post(
            "/mdf/budgets/{ctx.budget.id}/allocate",
            lambda ctx, v: {"partner_id": v, "amount": "100"},
        ),
        lambda ctx: [],
        lambda ctx: ctx.world.partner_b.id,
    ),
    ("MoveForm", "to_partner_id"): Case(
        "finance",
        _post(
            "/mdf/allocations/{ctx.allocation_a.id}/move",
            lambda ctx, v: {"move-to_partner_id": v, "move-amount": "10"},
        ),
        lambda ctx: [ctx.world.partner_a.id],  # the allocation's own partner
        lambda ctx: ctx.world.partner_b.id,
    ),
    ("LeadWorkForm", "owner_id"): Case(
        "a_user",
        _post("/pipeline/leads/{ctx.lead_a.id}", lambda ctx, v: {"status": "new", "owner_id": v}),
        lambda ctx: [ctx.world.users["b_user"].id, ctx.world.users["admin"].id],
        lambda ctx: ctx.world.users["a_admin"].id,
    ),
    ("OpportunityForm", "owner_id"): Case(
        "a_user",
        _post("/pipeline/opportunities/new", _opportunity("owner_id")),
        lambda ctx: [ctx.world.users["b_user"].id, ctx.world.users["admin"].id],
        lambda ctx: ctx.world.users["a_admin"].id,
    ),
    ("OpportunityForm", "campaign_id"): Case(
        "a_user",
        _post("/pipeline/opportunities/new", _opportunity("campaign_id")),
        lambda ctx: [ctx.campaign_b.id],
        lambda ctx: ctx.campaign_a.id,
    ),
    ("ImportForm", "campaign_id"): Case(
        "a_user",
        lambda client, ctx, value: _import_confirm_via_upload(client, ctx, value),
        lambda ctx: [ctx.campaign_b.id],
        lambda ctx: ctx.campaign_a.id,
    ),
    ("ImportConfirmForm", "campaign_id"): Case(
        "a_user",
        _import_confirm,
        lambda ctx: [ctx.campaign_b.id],
        lambda ctx: ctx.campaign_a.id,
    ),
    ("ContactImportForm", "list_id"): Case(
        "a_user",
        lambda client, ctx, value: _contact_import_via_upload(client, ctx, value),
        lambda ctx: [ctx.list_b.id],
        lambda ctx: ctx.list_a.id,
    ),
    ("ContactImportConfirmForm", "list_id"): Case(
        "a_user",
        lambda client, ctx, value: _contact_import_confirm(client, ctx, value),
        lambda ctx: [ctx.list_b.id],
        lambda ctx: ctx.list_a.id,
    ),
    ("PartnerForm", "tier_id"): Case(
        "admin",
        _post(
            "/admin/partners/new",
            lambda ctx, v: {"name": "Delta Networks", "tier_id": v, "region": "EMEA"},
        ),
        lambda ctx: [],
        lambda ctx: ctx.world.tiers["gold"].id,
    ),
    ("TokenForm", "partner_id"): Case(
        "admin",
        _post(
            "/account/tokens/",
            lambda ctx, v: {
                "name": "CRM sync",
                "kind": "service",
                "partner_id": v,
                "scopes": "pipeline:read",
                "days": "30",
            },
        ),
        lambda ctx: [],  # a vendor admin may limit a token to any partner
        lambda ctx: ctx.world.partner_b.id,
    ),
    ("InviteForm", "partner_id"): Case(
        "admin",
        _post(
            "/users/invite",
            lambda ctx, v: {
                "email": "newcomer@delta.example",
                "role": "partner_admin",
                "partner_id": v,
                "name": "New Comer",
            },
        ),
        lambda ctx: [],
        lambda ctx: ctx.world.partner_b.id,
    ),
}


CONTACTS_CSV = "Email,First Name\nana@acme.example,Ana\n"


def _contact_upload(ctx, value):
    return {
        "file": (io.BytesIO(CONTACTS_CSV.encode()), "contacts.csv"),
        "default_basis": "consent",
        "default_date": "2026-01-02",
        "list_id": value,
    }


def _contact_import_via_upload(client, ctx, value):
    """The contacts upload with a list id, then its confirmation as the page offers it."""
    preview = client.post(
        "/contacts/import", data=_contact_upload(ctx, value), content_type="multipart/form-data"
    )
    html = preview.get_data(as_text=True)
    fields = dict(
        re.findall(
            r'name="(upload|default_basis|default_date|list_id)" type="hidden" value="([^"]*)"',
            html,
        )
    )
    if not fields:
        return preview
    return client.post("/contacts/import/confirm", data=fields)


def _contact_import_confirm(client, ctx, value):
    """A checked upload without a list, then a confirmation that names ``value`` as the list."""
    preview = client.post(
        "/contacts/import", data=_contact_upload(ctx, ""), content_type="multipart/form-data"
    )
    html = preview.get_data(as_text=True)
    fields = dict(
        re.findall(
            r'name="(upload|default_basis|default_date)" type="hidden" value="([^"]*)"', html
        )
    )
    return client.post("/contacts/import/confirm", data={**fields, "list_id": value})


def _import_confirm_via_upload(client, ctx, value):
    """The upload step with a campaign id, then its own confirmation as the page offers it."""
    preview = client.post(
        "/pipeline/import", data=_import_upload(ctx, value), content_type="multipart/form-data"
    )
    html = preview.get_data(as_text=True)
    fields = dict(
        re.findall(
            r'name="(kind|campaign_id|currency|payload)" type="hidden" value="([^"]*)"', html
        )
    )
    if not fields:
        return preview
    return client.post("/pipeline/import/confirm", data=fields)


def snapshot(session: Session) -> dict[str, list]:
    """Every row of every table: what "nothing changed" means."""
    session.expire_all()
    rows = {}
    for table in Base.metadata.sorted_tables:
        rows[table.name] = [tuple(row) for row in session.execute(select(table))]
    session.rollback()
    return rows


def test_every_id_field_is_a_scoped_choice_or_checked_in_its_service():
    for form, name in sorted(id_fields()):
        assert (form, name) in CHECKED_IN_SERVICE or issubclass(
            field_class(form, name), IdChoiceField
        ), f"{form}.{name} must be an IdChoiceField filled from a tenant-scoped query"


def test_every_id_field_has_a_foreign_id_case():
    assert id_fields() == set(CASES)


@pytest.fixture
def ctx(app, db_session, world):
    funds = Funds(db_session, world, app.extensions[EXTENSION_KEY])
    budget = funds.budget("50000")
    allocation_a = funds.allocation("10000", budget=budget)
    allocation_b = funds.allocation("10000", partner=world.partner_b, budget=budget)
    db_session.commit()
    campaign_a = live_campaign(app, db_session, world.partner_a)
    campaign_b = start_campaign(
        app, db_session, world.partner_b, campaign_a.kit_version, name="Cobalt winter push"
    )
    lead_a = add_lead(db_session, campaign_a)
    list_a = contacts.create_list(db_session, None, world.partner_a.id, "Customers")
    list_b = contacts.create_list(db_session, None, world.partner_b.id, "Customers")
    db_session.commit()

    return SimpleNamespace(
        world=world,
        budget=budget,
        allocation_a=allocation_a,
        allocation_b=allocation_b,
        campaign_a=campaign_a,
        campaign_b=campaign_b,
        lead_a=lead_a,
        list_a=list_a,
        list_b=list_b,
    )


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: ".".join(k))
def test_another_partners_id_or_a_missing_one_changes_nothing(key, ctx, login_as, db_session):
    case = CASES[key]
    client = login_as(case.role)
    before = snapshot(db_session)
    for value in [*case.foreign(ctx), NOWHERE, "abc"]:
        response = case.post(client, ctx, str(value))
        assert response.status_code in (200, 302, 404), (key, value, response.status_code)
        assert snapshot(db_session) == before, f"{key} accepted {value!r}"
    response = case.post(client, ctx, str(case.own(ctx)))
    assert response.status_code in (200, 302)
    assert snapshot(db_session) != before, f"{key}: the user's own id did not work either"


def test_the_refusal_is_shown_at_the_field(ctx, login_as):
    page = login_as("a_user").post(
        "/mdf/requests/new",
        data=_request_form(ctx.allocation_a.id, campaign_id=str(ctx.campaign_b.id)),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Choose one of the options in the list." in html


def test_the_request_page_names_and_links_its_campaign(ctx, login_as, db_session):
    client = login_as("a_user")
    response = client.post(
        "/mdf/requests/new",
        data=_request_form(ctx.allocation_a.id, campaign_id=str(ctx.campaign_a.id)),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/campaigns/{ctx.campaign_a.id}">{ctx.campaign_a.name}</a>' in page
    form = client.get("/mdf/requests/new").get_data(as_text=True)
    assert ctx.campaign_a.name in form
    assert f'value="{ctx.campaign_b.id}"' not in form
