"""Per-campaign pipeline numbers against a small data set computed by hand."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest, Payment
from tcma.pipeline import queries, rules, services
from tcma.pipeline.models import Lead, PageViewDay
from tcma.pipeline.queries import PipelineFilter
from tests.conftest import World
from tests.pipeline.support import add_lead, add_opportunity, live_campaign, today

D = Decimal


def fund(
    session: Session,
    campaign: Campaign,
    approved: str,
    paid: str | None,
    status: str = "approved",
    currency: str = "USD",
) -> FundRequest:
    """An MDF request for the campaign (and its paid claim), written as the MDF area stores it."""
    budget = Budget(
        name=f"FY {currency}",
        period_start=today() - dt.timedelta(days=90),
        period_end=today() + dt.timedelta(days=90),
        amount=D("100000"),
        currency=currency,
    )
    allocation = Allocation(budget=budget, partner_id=campaign.partner_id, amount=D("50000"))
    request = FundRequest(
        partner_id=campaign.partner_id,
        allocation=allocation,
        activity_type="webinar",
        title="Webinar",
        start_date=today(),
        end_date=today(),
        total_cost=D("20000"),
        requested_amount=D(approved),
        approved_amount=D(approved),
        campaign_id=campaign.id,
        status=status,
        decided_at=dt.datetime.now(dt.UTC),
    )
    session.add_all([budget, allocation, request])
    session.flush()
    if paid:
        claim = Claim(
            fund_request_id=request.id,
            partner_id=campaign.partner_id,
            actual_cost=D("20000"),
            claimed_amount=D(paid),
            approved_amount=D(paid),
            status="paid",
        )
        session.add(claim)
        session.flush()
        session.add(
            Payment(
                claim_id=claim.id,
                paid_on=today(),
                method="bank_transfer",
                reference="PAY-1",
                amount=D(paid),
            )
        )
    session.flush()
    return request


@pytest.fixture
def data(app: Flask, db_session: Session, world: World, live_a: Campaign) -> dict:
    """Campaign 1: 150 views, 10 leads (3 qualified, one of them erased), 4 opportunities,
    MDF approved 4,000 and paid 3,000. Campaign 2: 2 leads, 500 won, no MDF."""
    session, c1 = db_session, live_a
    c2 = live_campaign(app, session, world.partner_a, name="Second")
    other = live_campaign(app, session, world.partner_b, name="Partner B's")
    session.add_all(
        [
            PageViewDay(campaign_id=c1.id, day=today() - dt.timedelta(days=1), views=100),
            PageViewDay(campaign_id=c1.id, day=today(), views=50),
        ]
    )
    statuses = ["new"] * 4 + ["working"] * 2 + ["qualified"] * 2 + ["converted", "disqualified"]
    leads = [
        add_lead(session, c1, status=s, email=f"l{i}@example.com") for i, s in enumerate(statuses)
    ]
    services.erase_lead(session, None, leads[6])  # a qualified lead asked to be forgotten
    for amount, stage in (
        ("5000", "prospecting"),
        ("3000", "negotiation"),
        ("12000", "closed_won"),
        ("2000", "closed_lost"),
    ):
        add_opportunity(session, c1.partner_id, c1.id, amount, stage=stage)
    add_opportunity(session, c1.partner_id, None, "99999")  # no campaign: not counted
    fund(session, c1, "4000", "3000")
    fund(session, c1, "1000", None, status="submitted")  # not approved: not counted
    add_lead(session, c2, email="first@example.com")
    add_lead(session, c2, email="second@example.com")
    add_opportunity(session, c2.partner_id, c2.id, "500", stage="closed_won")
    add_lead(session, other)
    add_opportunity(session, other.partner_id, other.id, "70000", stage="closed_won")
    session.commit()
    return {"c1": c1, "c2": c2, "other": other}


def test_numbers_of_a_campaign_match_the_hand_computed_data_set(db_session, data):
    numbers = queries.for_campaign(db_session, data["c1"].id)
    assert (
        numbers.views,
        numbers.leads,
        numbers.qualified,
        numbers.opportunities,
        numbers.won,
    ) == (150, 10, 3, 4, 1)
    assert numbers.open_pipeline == {"USD": D("8000.00")}
    assert numbers.won_revenue == {"USD": D("12000.00")}
    assert numbers.mdf_approved == {"USD": D("4000.00")}
    assert numbers.mdf_paid == {"USD": D("3000.00")}
    assert numbers.cost_per_lead == ("USD", D("300.00"))
    assert numbers.roi == D("4.00")
    assert [step.rate for step in numbers.funnel] == [
        None,
        D("6.7"),
        D("30.0"),
        D("133.3"),
        D("25.0"),
    ]


def test_a_campaign_without_mdf_has_no_roi_and_no_cost_per_lead(db_session, data):
    numbers = queries.for_campaign(db_session, data["c2"].id)
    assert (numbers.leads, numbers.won_revenue, numbers.mdf_paid) == (2, {"USD": D("500.00")}, {})
    assert numbers.roi is None and numbers.cost_per_lead is None


def test_totals_add_up_a_partners_campaigns_in_sql(db_session, data):
    total = queries.totals(db_session, PipelineFilter(partner_id=data["c1"].partner_id))
    assert (total.views, total.leads, total.qualified, total.opportunities) == (150, 12, 3, 5)
    assert total.won_revenue == {"USD": D("12500.00")}
    assert total.roi == D("4.17")


def test_a_period_counts_only_what_happened_in_it(db_session, data):
    c1 = data["c1"]
    for lead in db_session.scalars(select(Lead).where(Lead.campaign_id == c1.id).limit(2)):
        lead.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    db_session.commit()
    flt = PipelineFilter(date_from=today() - dt.timedelta(days=7), date_to=today())
    assert queries.for_campaign(db_session, c1.id, flt).leads == 8
    yesterday = PipelineFilter(
        date_from=today() - dt.timedelta(days=1), date_to=today() - dt.timedelta(days=1)
    )
    assert queries.for_campaign(db_session, c1.id, yesterday).views == 100


def test_the_campaign_page_shows_the_numbers_and_the_chart(as_a_user, data):
    html = as_a_user.get(f"/pipeline/campaigns/{data['c1'].id}").get_data(as_text=True)
    for text in (
        "150",
        "$8,000.00",
        "$12,000.00",
        "$4,000.00",
        "$3,000.00",
        "$300.00",
        "4.00×",
        "6.7 %",
        "133.3 %",
        "Leads and new pipeline per day",
        "10 leads",
    ):
        assert text in html, text
    second = as_a_user.get(f"/pipeline/campaigns/{data['c2'].id}").get_data(as_text=True)
    assert "<dt>ROI</dt><dd>—</dd>" in second


def test_partner_b_gets_404_on_partner_as_campaign_pipeline(as_b_user, data):
    assert as_b_user.get(f"/pipeline/campaigns/{data['c1'].id}").status_code == 404


def test_finance_sees_pipeline_numbers_but_no_lead(as_finance, data):
    html = as_finance.get(f"/pipeline/campaigns/{data['c1'].id}").get_data(as_text=True)
    assert "$12,000.00" in html and "/pipeline/leads?" not in html


def test_the_vendor_overview_filters_by_partner_tier_region_and_kit(as_marketer, world, data):
    def shown(query: str = "") -> set[str]:
        html = as_marketer.get(f"/pipeline/overview?{query}").get_data(as_text=True)
        return {name for name in ("Restore drills", "Second", "Partner B&#39;s") if name in html}

    everything = {"Restore drills", "Second", "Partner B&#39;s"}
    assert shown() == everything
    assert shown(f"partner={world.partner_b.id}") == {"Partner B&#39;s"}
    assert shown(f"tier={world.tiers['gold'].id}") == {"Restore drills", "Second"}
    assert shown("region=NA") == {"Partner B&#39;s"}
    assert shown(f"kit={data['c1'].kit_id}") == everything
    assert as_marketer.get("/pipeline/overview?kit=999999").status_code == 404


def test_a_partners_overview_shows_only_its_own_campaigns(as_b_user, world, data):
    # Naming partner A is naming what B may not see: 404, as its pages answer.
    assert as_b_user.get(f"/pipeline/overview?partner={world.partner_a.id}").status_code == 404
    html = as_b_user.get("/pipeline/overview").get_data(as_text=True)
    assert "Partner B&#39;s" in html and "Restore drills" not in html
    assert "$70,000.00" in html and "$12,000.00" not in html


def test_the_overview_runs_the_same_number_of_statements_for_more_campaigns(
    app, as_marketer, db_session, world, data
):
    engine = app.extensions["tcma.engine"]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        as_marketer.get("/pipeline/overview")
        few = len(statements)
        assert few > 5
        for number in range(4):
            campaign = live_campaign(app, db_session, world.partner_b, name=f"More {number}")
            add_lead(db_session, campaign)
            add_opportunity(db_session, campaign.partner_id, campaign.id, "10")
        db_session.commit()
        statements.clear()
        as_marketer.get("/pipeline/overview")
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_rules_and_sql_agree_on_qualified(db_session, data):
    rows = db_session.scalars(select(Lead).where(Lead.campaign_id == data["c1"].id))
    qualified = [lead for lead in rows if lead.status in rules.QUALIFIED_STATUSES]
    assert len(qualified) == queries.for_campaign(db_session, data["c1"].id).qualified


def test_overview_totals_from_the_rollups_match_the_rows_for_any_period(db_session, data):
    """Whole months come from the roll-ups, the days of part-covered months from the rows:
    together they must equal counting every row of the period directly."""
    c1 = data["c1"]
    now = dt.datetime.now(dt.UTC)
    leads = list(db_session.scalars(select(Lead).where(Lead.campaign_id == c1.id)))
    for lead, days in zip(leads, (35, 40, 70, 75, 100, 130), strict=False):
        lead.created_at = now - dt.timedelta(days=days)
    for days, amount, stage in ((45, "700", "closed_won"), (80, "300", "proposal")):
        deal = add_opportunity(db_session, c1.partner_id, c1.id, amount, stage=stage)
        deal.created_at = now - dt.timedelta(days=days)
        if stage == "closed_won":
            deal.closed_on = today() - dt.timedelta(days=days - 5)
    db_session.add(PageViewDay(campaign_id=c1.id, day=today() - dt.timedelta(days=50), views=7))
    db_session.commit()
    day = today()
    periods = [
        (None, None),
        (day - dt.timedelta(days=120), None),
        (None, day - dt.timedelta(days=38)),
        (day - dt.timedelta(days=110), day - dt.timedelta(days=33)),  # edges and whole months
        (day - dt.timedelta(days=76), day - dt.timedelta(days=69)),  # inside a month or two
        ((day - dt.timedelta(days=100)).replace(day=1), day.replace(day=1) - dt.timedelta(1)),
    ]
    checked = 0
    for start, end in periods:
        for flt in (
            PipelineFilter(date_from=start, date_to=end),
            PipelineFilter(date_from=start, date_to=end, partner_id=c1.partner_id),
            PipelineFilter(date_from=start, date_to=end, statuses=("live",)),
        ):
            direct = queries.pipeline_numbers(db_session, flt, by_campaign=False)
            expected = direct.get(queries.ALL, rules.PipelineNumbers())
            assert queries.totals(db_session, flt) == expected, (start, end)
            checked += expected.leads
    assert checked > 20  # the periods did hold leads


def test_the_overview_pages_show_every_campaign_once_newest_launch_first(
    app, as_marketer, db_session, world, data
):
    version = data["c1"].kit_version
    same_moment = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    made = [data["c1"].id, data["c2"].id, data["other"].id]
    for number in range(27):
        campaign = live_campaign(app, db_session, world.partner_b, version, name=f"Walk {number}")
        campaign.launched_at = same_moment  # ties across the page boundary
        made.append(campaign.id)
    db_session.commit()
    seen: list[int] = []
    url = "/pipeline/overview?status=any"
    while url:
        html = as_marketer.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'href="/pipeline/campaigns/(\d+)"', html)]
        link = re.search(r'href="([^"]+)" rel="next"', html)
        url = htmllib.unescape(link.group(1)) if link else ""
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen)) == 30
    assert seen[:3] == sorted(data_id for data_id in made[:3])[::-1]  # launched today: first
