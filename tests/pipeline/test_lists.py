"""Lead and opportunity lists: cursor pages over HTTP, dashboard-link filters, tenants."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tests.conftest import World
from tests.pipeline.support import add_lead, add_opportunity, live_campaign


def _walk(client: FlaskClient, url: str, marker: str) -> list[str]:
    """Every row marker of every page, following the Next links."""
    found: list[str] = []
    while url:
        body = client.get(url).get_data(as_text=True)
        found += re.findall(marker, body)
        link = re.search(r'href="([^"]+)" rel="next"', body)
        url = html.unescape(link.group(1)) if link else ""
    return found


def test_the_lead_list_pages_show_every_lead_once(
    as_a_user: FlaskClient, db_session: Session, live_a: Campaign
) -> None:
    for number in range(60):
        add_lead(db_session, live_a, email=f"walk{number}@example.com")
    db_session.commit()
    seen = _walk(as_a_user, "/pipeline/leads", r"(walk\d+)@example.com</td>")
    assert sorted(seen) == sorted(f"walk{n}" for n in range(60))


def test_dashboard_link_filters_narrow_the_lists(
    app, as_admin: FlaskClient, db_session: Session, world: World, live_a: Campaign
) -> None:
    live_b = live_campaign(app, db_session, world.partner_b, live_a.kit_version, name="B drills")
    add_lead(db_session, live_a, email="from-a@example.com")
    add_lead(db_session, live_b, email="from-b@example.com")
    add_opportunity(db_session, world.partner_a.id, live_a.id, "100", name="Deal of A")
    add_opportunity(db_session, world.partner_b.id, live_b.id, "100", name="Deal of B")
    db_session.commit()
    gold, platinum = world.tiers["gold"].id, world.tiers["platinum"].id

    def leads(query: str) -> set[str]:
        body = as_admin.get(f"/pipeline/leads?{query}").get_data(as_text=True)
        return set(re.findall(r"from-(\w)@example.com</td>", body))

    def deals(query: str) -> set[str]:
        body = as_admin.get(f"/pipeline/opportunities?{query}").get_data(as_text=True)
        return set(re.findall(r">Deal of (\w)</a>", body))

    assert leads("") == {"a", "b"}
    assert leads(f"tier={gold}") == {"a"} and leads(f"tier={platinum}") == {"b"}
    assert leads("region=NA") == {"b"} and leads("region=EMEA") == {"a"}
    assert (
        leads(f"kit={live_a.kit_id}") == {"a", "b"} and leads(f"kit={live_a.kit_id + 999}") == set()
    )
    assert leads("from=2001-01-01&to=2001-01-31") == set()
    kit = live_a.kit_id
    assert leads(f"kit={kit}&tier={gold}") == {"a"} and leads(f"kit={kit}&region=NA") == {"b"}
    assert leads(f"kit={kit}&tier={gold}&region=NA") == set()
    assert deals(f"kit={kit}&region=EMEA") == {"A"}
    assert deals(f"tier={gold}") == {"A"} and deals("region=NA") == {"B"}
    assert deals(f"kit={live_a.kit_id + 999}") == set()


def test_a_partner_never_sees_another_partners_rows_on_any_page(
    app, as_b_user: FlaskClient, db_session: Session, world: World, live_a: Campaign
) -> None:
    for number in range(30):
        add_lead(db_session, live_a, email=f"secret{number}@example.com", company="Acme")
    add_opportunity(db_session, world.partner_a.id, live_a.id, "100", name="Secret deal")
    db_session.commit()
    a = world.partner_a.id
    for url in (
        f"/pipeline/leads?partner={a}",
        f"/pipeline/leads?q=secret&tier={world.tiers['gold'].id}",
        f"/pipeline/opportunities?partner={a}&q=Secret",
    ):
        body = as_b_user.get(url).get_data(as_text=True)
        assert "secret" not in body.lower().replace('name="q" type="search" value="secret"', "")


def test_text_search_finds_leads_by_part_of_a_name_email_or_company(
    as_a_user: FlaskClient, db_session: Session, live_a: Campaign
) -> None:
    add_lead(db_session, live_a, first_name="Grace", email="g@hopper.example", company="Navy")
    add_lead(db_session, live_a, first_name="Alan", email="a@turing.example", company="NPL_100%")
    db_session.commit()

    def found(q: str) -> set[str]:
        body = as_a_user.get("/pipeline/leads", query_string={"q": q}).get_data(as_text=True)
        return set(re.findall(r"@(\w+)\.example</td>", body))

    assert found("RAC") == {"hopper"}
    assert found("uring.ex") == {"turing"}
    assert found("_100%") == {"turing"} and found("%") == {"turing"}
    assert found("nobody") == set()
