"""MDF lists page by cursor: requests, claims, payments, the ledger and a budget's allocations."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from flask.testing import FlaskClient

from tcma.mdf import budget_services, ledger
from tests.mdf.support import Funds


def _walk(client: FlaskClient, url: str, marker: str) -> list[str]:
    found: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        found += re.findall(marker, body)
        link = re.search(r'href="([^"]+)" rel="next"', body)
        url = html.unescape(link.group(1)) if link else ""
    return found


def test_request_and_claim_lists_page_through_every_row_once(
    funds: Funds, as_a_user: FlaskClient, as_finance: FlaskClient
) -> None:
    allocation = funds.allocation("100000")
    requests = [funds.approved(allocation, "100") for _ in range(28)]
    claims = [funds.submitted_claim(request, "50") for request in requests[:27]]
    funds.session.commit()
    seen = _walk(as_a_user, "/mdf/requests", r'href="/mdf/requests/(\d+)"')
    assert sorted(map(int, seen)) == sorted(r.id for r in requests)
    seen = _walk(as_finance, "/mdf/claims", r'href="/mdf/claims/(\d+)"')
    assert sorted(map(int, seen)) == sorted(c.id for c in claims)


def test_partner_lists_hold_only_their_own_whatever_the_query(
    funds: Funds, as_b_user: FlaskClient
) -> None:
    allocation = funds.allocation("100000")
    request = funds.approved(allocation, "100")
    claim = funds.submitted_claim(request, "50")
    funds.session.commit()
    a = funds.world.partner_a.id
    for url in (
        f"/mdf/requests?partner={a}",
        "/mdf/requests?region=EMEA",
        f"/mdf/claims?partner={a}",
    ):
        body = as_b_user.get(url).get_data(as_text=True)
        assert f'/mdf/requests/{request.id}"' not in body and f'/mdf/claims/{claim.id}"' not in body
    assert as_b_user.get(f"/mdf/allocations/{allocation.id}").status_code == 404


def test_dashboard_tier_and_region_narrow_the_request_queue(
    funds: Funds, as_marketer: FlaskClient
) -> None:
    budget = funds.budget()
    mine = funds.submitted(funds.allocation("10000", budget=budget))
    funds.session.commit()
    gold, platinum = funds.world.tiers["gold"].id, funds.world.tiers["platinum"].id
    link = f'href="/mdf/requests/{mine.id}"'
    assert link in as_marketer.get(f"/mdf/requests?tier={gold}").get_data(as_text=True)
    assert link not in as_marketer.get(f"/mdf/requests?tier={platinum}").get_data(as_text=True)
    assert link not in as_marketer.get("/mdf/requests?region=NA").get_data(as_text=True)
    # The filter form keeps what the dashboard link set.
    body = as_marketer.get("/mdf/requests?region=EMEA").get_data(as_text=True)
    assert '<input type="hidden" name="region" value="EMEA">' in body


def test_the_ledger_pages_and_the_balance_still_counts_every_entry(
    funds: Funds, as_finance: FlaskClient
) -> None:
    allocation = funds.allocation("1000")
    for step in range(60):
        budget_services.set_allocation(
            funds.session,
            funds.user("finance"),
            allocation.id,
            Decimal(1001 + step),
            f"step {step}",
        )
    funds.session.commit()
    seen = _walk(as_finance, f"/mdf/allocations/{allocation.id}", r"<td>(step \d+|)</td></tr>")
    entries = ledger.entries(funds.session, allocation.id)
    assert sorted(seen) == sorted(entry.comment for entry in entries) and len(seen) == 61
    assert ledger.balance(funds.session, allocation.id).allocated == Decimal("1060.00")
