"""MDF lists page by cursor: requests, claims, payments, the ledger and a budget's allocations."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import update

from tcma.accounts.models import Partner
from tcma.mdf import budget_services, ledger
from tcma.mdf.models import LedgerEntry
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


def _figure_link(client: FlaskClient, dashboard: str, figure: str) -> str:
    body = client.get(dashboard).get_data(as_text=True)
    link = re.search(rf'id="{figure}">\s*<dt>[^<]*</dt>\s*<dd><a href="([^"]+)"', body)
    assert link, figure
    return html.unescape(link.group(1))


def test_the_dashboards_mdf_links_keep_its_kit_and_period(
    app, funds: Funds, as_admin: FlaskClient
) -> None:
    """MDF committed and MDF paid link to requests and claims narrowed like the figures:
    the kit's campaigns and the budgets whose period overlaps the dashboard's."""
    from tcma.mdf import budget_services as budgets
    from tests.pipeline.support import live_campaign

    session, finance = funds.session, funds.user("finance")
    this_year = budgets.create_budget(
        session,
        finance,
        name="This year",
        period_start=dt.date.today().replace(month=1, day=1),
        period_end=dt.date.today().replace(month=12, day=31),
        amount=Decimal("100000"),
        currency="EUR",
    )
    old = budgets.create_budget(
        session,
        finance,
        name="Next year",
        period_start=dt.date(dt.date.today().year + 1, 1, 1),
        period_end=dt.date(dt.date.today().year + 1, 12, 31),
        amount=Decimal("100000"),
        currency="EUR",
    )
    campaign = live_campaign(app, session, funds.world.partner_a)
    of_kit = funds.approved(funds.allocation("10000", budget=this_year), "300")
    of_kit.campaign_id = campaign.id
    no_kit = funds.approved(funds.allocation("10000", budget=this_year), "200")
    start = dt.date(dt.date.today().year + 1, 2, 1)
    later = funds.approved(funds.allocation("10000", budget=old), "100", start=start, end=start)
    later.campaign_id = campaign.id
    claims = {r.id: funds.submitted_claim(r, "50") for r in (of_kit, no_kit)}
    session.commit()

    def ids(url: str, noun: str) -> set[int]:
        body = as_admin.get(url).get_data(as_text=True)
        return {int(n) for n in re.findall(rf'href="/mdf/{noun}/(\d+)"', body)}

    dashboard = f"/reports/?period=year&kit={campaign.kit_id}&currency=EUR"
    committed = _figure_link(as_admin, dashboard, "fig-committed")
    assert f"kit={campaign.kit_id}" in committed and "from=" in committed
    assert ids(committed, "requests") == {of_kit.id}
    assert ids(committed.replace("status=approved", ""), "requests") == {of_kit.id}
    paid = _figure_link(as_admin, dashboard, "fig-paid").replace("status=paid", "")
    assert ids(paid, "claims") == {claims[of_kit.id].id}
    # Without the kit: both requests of this year's budget, not the one of next year's.
    year = _figure_link(as_admin, "/reports/?period=year&currency=EUR", "fig-committed")
    assert ids(year, "requests") == {of_kit.id, no_kit.id}
    next_year = f"from={start.isoformat()}&to={start.replace(month=4).isoformat()}"
    assert ids(f"/mdf/requests?{next_year}", "requests") == {later.id}
    # The list's own filter form keeps them, and says the list is narrowed.
    body = as_admin.get(committed).get_data(as_text=True)
    assert f'<input type="hidden" name="kit" value="{campaign.kit_id}">' in body
    assert "As on the dashboard you came from" in body
    assert as_admin.get("/mdf/requests?from=2019-13-45&kit=x").status_code == 200


def _walk_while_adding(
    client: FlaskClient, url: str, marker: str, add: Callable[[], None]
) -> list[str]:
    """Every row marker of every page, following Next; ``add`` runs after the first page
    (rows arriving while someone pages through the list)."""
    found: list[str] = []
    first = True
    while url:
        body = client.get(url).get_data(as_text=True)
        found += re.findall(marker, body)
        if first:
            add()
            first = False
        link = re.search(r'href="([^"]+)" rel="next"', body)
        url = html.unescape(link.group(1)) if link else ""
    return found


def test_payments_page_through_every_row_once_with_ties_and_new_payments(
    funds: Funds, as_finance: FlaskClient
) -> None:
    # Every payment is paid on the same day: the sort key (paid_on) ties across every page.
    allocation = funds.allocation("100000")
    paid = [funds.paid_claim(funds.approved(allocation, "100"), "50") for _ in range(31)]
    funds.session.commit()
    original = {f"BT-{claim.id:05d}" for claim in paid}

    def more() -> None:
        for _ in range(3):
            funds.paid_claim(funds.approved(allocation, "100"), "50")
        funds.session.commit()

    seen = _walk_while_adding(as_finance, "/mdf/payments", r"<td>(BT-\d{5})</td>", more)
    assert len(seen) == len(set(seen)), "a payment shown twice"
    assert original <= set(seen), "a payment skipped"


def test_the_ledger_pages_every_entry_once_when_entries_share_a_moment(
    funds: Funds, as_finance: FlaskClient
) -> None:
    allocation = funds.allocation("1000")
    for step in range(70):
        budget_services.set_allocation(
            funds.session, funds.user("finance"), allocation.id, Decimal(1001 + step), f"tie {step}"
        )
    funds.session.flush()
    moment = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    funds.session.execute(
        update(LedgerEntry).where(LedgerEntry.allocation_id == allocation.id).values(at=moment)
    )
    funds.session.commit()

    def more() -> None:
        for step in range(5):
            budget_services.set_allocation(
                funds.session, funds.user("finance"), allocation.id, Decimal(900 - step), "late"
            )
        funds.session.commit()

    url = f"/mdf/allocations/{allocation.id}"
    seen = _walk_while_adding(as_finance, url, r"<td>(tie \d+)</td></tr>", more)
    assert sorted(seen) == sorted(f"tie {step}" for step in range(70))


def test_a_budgets_allocations_page_through_every_partner_once(
    funds: Funds, as_finance: FlaskClient
) -> None:
    session = funds.session
    budget = funds.budget("10000000")
    partners = [
        Partner(name=f"Reseller {n:03d}", tier_id=funds.world.tiers["gold"].id, region="EMEA")
        for n in range(55)
    ]
    session.add_all(partners)
    session.flush()
    made = {funds.allocation("100", partner=p, budget=budget).id for p in partners}
    session.commit()

    def more() -> None:  # partners sorting before and after the page boundary
        for name in ("Reseller 000a", "Reseller 999"):
            partner = Partner(name=name, tier_id=funds.world.tiers["gold"].id, region="EMEA")
            session.add(partner)
            session.flush()
            funds.allocation("100", partner=partner, budget=budget)
        session.commit()

    marker = r'href="/mdf/allocations/(\d+)"'
    seen = [
        int(n) for n in _walk_while_adding(as_finance, f"/mdf/budgets/{budget.id}", marker, more)
    ]
    assert len(seen) == len(set(seen)) and made <= set(seen)
