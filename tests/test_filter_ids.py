"""Every list filter that names an object (?partner=, ?campaign=, ?kit=, ?owner=, ?tier=,
?budget=) resolves it through the tenant check: another partner's object, or one that does
not exist, answers 404 on every list page; the user's own objects filter as before.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.api.support import ApiClient, make_token
from tests.campaigns.support import import_kit
from tests.conftest import World
from tests.pipeline.support import live_campaign

NOWHERE = 987654  # an id that no row has

# Each list page and the id filters it reads.
PARTNER_LISTS = {
    "/pipeline/leads": ("partner", "campaign", "owner", "kit"),
    "/pipeline/leads.csv": ("partner", "campaign", "owner", "kit"),
    "/pipeline/opportunities": ("partner", "campaign", "owner", "kit"),
    "/pipeline/opportunities.csv": ("partner", "campaign", "owner", "kit"),
    "/pipeline/overview": ("partner", "kit"),
    "/campaigns/": ("partner", "kit"),
    "/mdf/requests": ("partner", "budget"),
    "/mdf/claims": ("partner", "budget"),
    "/reports/": ("partner", "kit"),
    "/users/": ("partner",),
}
VENDOR_LISTS = {
    **{url: (*names, "tier") for url, names in PARTNER_LISTS.items()},
    "/campaigns/": ("partner", "kit"),
    "/users/": ("partner",),
    "/admin/partners": ("tier",),
}


@pytest.fixture
def ids(app: Flask, db_session: Session, world: World) -> SimpleNamespace:
    version = import_kit(app, db_session)
    own_campaign = live_campaign(app, db_session, world.partner_a, version)
    other_campaign = live_campaign(app, db_session, world.partner_b, version, name="B's")
    # A kit only platinum partners see (partner A is gold) and nobody A knows has used.
    hidden = import_kit(app, db_session, slug="platinum-only", tiers=["platinum"])
    return SimpleNamespace(
        own={
            "partner": world.partner_a.id,
            "campaign": own_campaign.id,
            "owner": world.users["a_user"].id,
            "kit": version.kit_id,
        },
        foreign={
            "partner": world.partner_b.id,
            "campaign": other_campaign.id,
            "owner": world.users["b_user"].id,
            "kit": hidden.kit_id,
        },
    )


def _url(page: str, name: str, value: object) -> str:
    return f"{page}?{name}={value}"


@pytest.mark.parametrize("who", ["a_admin", "a_user"])
def test_a_partner_naming_another_partners_object_in_a_filter_gets_404(
    who: str, ids: SimpleNamespace, login_as
) -> None:
    client = login_as(who)
    tried = 0
    for page, names in PARTNER_LISTS.items():
        if client.get(page).status_code != 200:
            continue  # not a page of this role (403): nothing to filter
        for name in names:
            foreign, own = ids.foreign.get(name, NOWHERE), ids.own.get(name)
            assert client.get(_url(page, name, foreign)).status_code == 404, (page, name)
            assert client.get(_url(page, name, NOWHERE)).status_code == 404, (page, name)
            for odd in ("1x", "²", "-1", "99999999999999999999"):
                assert client.get(_url(page, name, odd)).status_code == 404, (page, name, odd)
            if own is not None:
                assert client.get(_url(page, name, own)).status_code == 200, (page, name)
            tried += 1
    assert tried >= (10 if who == "a_admin" else 20)


def test_vendor_staff_filter_by_any_existing_object_but_not_by_a_missing_one(
    ids: SimpleNamespace, world: World, as_admin
) -> None:
    tier = world.tiers["gold"].id
    for page, names in VENDOR_LISTS.items():
        assert as_admin.get(page).status_code == 200, page
        for name in names:
            existing = {**ids.foreign, "tier": tier}.get(name)
            if existing is not None:
                assert as_admin.get(_url(page, name, existing)).status_code == 200, (page, name)
            assert as_admin.get(_url(page, name, NOWHERE)).status_code == 404, (page, name)


def test_a_blank_filter_means_any(ids: SimpleNamespace, as_a_user) -> None:
    response = as_a_user.get("/pipeline/leads?campaign=&owner=&kit=&partner=")
    assert response.status_code == 200


def test_the_api_list_filters_answer_404_for_another_partners_ids(
    app: Flask, db_session: Session, world: World, ids: SimpleNamespace
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    for path in ("/api/v1/leads", "/api/v1/opportunities"):
        for name, key in (
            ("campaign_id", "campaign"),
            ("owner_id", "owner"),
            ("partner_id", "partner"),
        ):
            foreign = api.get(f"{path}?{name}={ids.foreign[key]}")
            assert foreign.status_code == 404, (path, name)
            assert foreign.get_json()["errors"][0]["field"] == name
            assert api.get(f"{path}?{name}={ids.own[key]}").status_code == 200, (path, name)
    vendor = ApiClient(app, make_token(db_session, world.users["admin"]))
    assert vendor.get(f"/api/v1/leads?campaign_id={ids.foreign['campaign']}").status_code == 200
    assert vendor.get(f"/api/v1/leads?partner_id={NOWHERE}").status_code == 404
