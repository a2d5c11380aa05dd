"""A small program whose every dashboard number is worked out by hand in the comments below.

Period under test: 1 Jan – 30 Jun 2025 (custom), amounts in USD.

Partner A (Brightpath, gold, EMEA): campaigns cA1 (kit K1 v1) and cA2 (kit K2 v1).
  Leads in period: 7 (4 on cA1, 2 on cA2, 1 without a campaign); qualified 3.
  Opportunities created in period: oA1 10,000 won, oA2 5,000 open, oA3 2,000 lost, oA4 EUR
  won; oA5 7,000 was created in 2024 and won in January 2025.
  MDF on H1 2025: allocated 20,000; frA1 approved 6,000, claim paid 5,000; frA2 approved 2,000.
Partner B (Cobalt, platinum, NA): campaign cB1 (K1 v2), no leads at all, oB1 8,000 open,
  oB2 3,000 won; allocated 10,000, frB1 approved 3,000, nothing paid (ROI —).
Partner C (Dunmore, registered, APAC): allocated 5,000 and did nothing (idle).

Vendor totals: allocated 35,000, committed 6,000, paid 5,000, utilisation 31.4 %;
leads 7, qualified 3, opportunities 6, open pipeline 13,000, won 4, won revenue 20,000,
cost per lead 714.29, ROI 4×; page views 180.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy.orm import Session

from tcma.accounts import services as account_services
from tcma.campaigns.models import Campaign
from tcma.cobrand.models import AssetDownload
from tcma.kits.models import Kit, KitVersion
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest, LedgerEntry, Payment
from tcma.pipeline.models import Lead, Opportunity, PageViewDay
from tests.conftest import World

PERIOD = {"period": "custom", "from": "2025-01", "to": "2025-06"}
UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def _kit(session: Session, slug: str, name: str, versions: int) -> tuple[Kit, list[KitVersion]]:
    kit = Kit(slug=slug, name=name, objective="lead_generation")
    session.add(kit)
    session.flush()
    made = []
    for number in range(1, versions + 1):
        version = KitVersion(kit_id=kit.id, number=number, status="published", manifest={})
        session.add(version)
        made.append(version)
    session.flush()
    return kit, made


def _campaign(
    session: Session,
    partner_id: int,
    version: KitVersion,
    name: str,
    created: dt.datetime,
    launched: dt.datetime | None,
) -> Campaign:
    campaign = Campaign(
        partner_id=partner_id,
        kit_id=version.kit_id,
        kit_version_id=version.id,
        name=name,
        status="live" if launched else "draft",
        created_at=created,
        launched_at=launched,
    )
    session.add(campaign)
    session.flush()
    return campaign


def _lead(
    session: Session, partner_id: int, campaign: Campaign | None, created: dt.datetime, status: str
) -> Lead:
    lead = Lead(
        partner_id=partner_id,
        campaign_id=campaign.id if campaign else None,
        first_name="Sam",
        last_name="Lee",
        email="sam@example.com",
        status=status,
        source="manual" if campaign is None else "landing_page",
        created_at=created,
        updated_at=created,
    )
    session.add(lead)
    return lead


def _deal(
    session: Session,
    partner_id: int,
    campaign: Campaign,
    amount: str,
    stage: str,
    created: dt.datetime,
    closed: dt.date | None = None,
    currency: str = "USD",
) -> None:
    session.add(
        Opportunity(
            partner_id=partner_id,
            campaign_id=campaign.id,
            name="Deal",
            amount=Decimal(amount),
            currency=currency,
            stage=stage,
            created_at=created,
            closed_on=closed,
        )
    )


def _allocation(session: Session, budget: Budget, partner_id: int, amount: str) -> Allocation:
    allocation = Allocation(budget_id=budget.id, partner_id=partner_id, amount=Decimal(amount))
    session.add(allocation)
    session.flush()
    session.add(LedgerEntry(allocation_id=allocation.id, kind="allocate", amount=Decimal(amount)))
    return allocation


def _request(
    session: Session,
    allocation: Allocation,
    campaign: Campaign | None,
    approved: str,
    due: dt.date,
    created: dt.datetime,
) -> FundRequest:
    request = FundRequest(
        partner_id=allocation.partner_id,
        allocation_id=allocation.id,
        activity_type="webinar",
        title=f"Webinar {approved}",
        start_date=due - dt.timedelta(days=60),
        end_date=due - dt.timedelta(days=30),
        total_cost=Decimal(approved) * 2,
        requested_amount=Decimal(approved),
        approved_amount=Decimal(approved),
        campaign_id=campaign.id if campaign else None,
        status="approved",
        claim_due_on=due,
        created_at=created,
    )
    session.add(request)
    session.flush()
    session.add(
        LedgerEntry(
            allocation_id=allocation.id,
            kind="commit",
            amount=Decimal(approved),
            fund_request_id=request.id,
        )
    )
    return request


def _paid_claim(session: Session, request: FundRequest, amount: str, paid_on: dt.date) -> None:
    claim = Claim(
        fund_request_id=request.id,
        partner_id=request.partner_id,
        actual_cost=Decimal(amount) * 2,
        claimed_amount=Decimal(amount),
        approved_amount=Decimal(amount),
        status="paid",
    )
    session.add(claim)
    session.flush()
    for kind in ("claim_approve", "pay"):
        session.add(
            LedgerEntry(
                allocation_id=request.allocation_id,
                kind=kind,
                amount=Decimal(amount),
                fund_request_id=request.id,
                claim_id=claim.id,
                at=at(paid_on.year, paid_on.month, paid_on.day),
            )
        )
    session.add(
        Payment(
            claim_id=claim.id,
            paid_on=paid_on,
            method="bank_transfer",
            reference="BT-1",
            amount=Decimal(amount),
        )
    )


def build_program(session: Session, world: World) -> SimpleNamespace:
    """The data set of the module docstring; returns the ids tests need."""
    a, b = world.partner_a.id, world.partner_b.id
    c = account_services.create_partner(
        session, None, "Dunmore Digital", world.tiers["registered"].id, "APAC", ""
    ).id
    k1, (k1v1, k1v2) = _kit(session, "cloud-backup", "Cloud Backup Kit", 2)
    k2, (k2v1,) = _kit(session, "security-webinar", "Security Webinar Kit", 1)

    ca1 = _campaign(session, a, k1v1, "Backup spring", at(2025, 1, 10), at(2025, 1, 12))
    ca2 = _campaign(session, a, k2v1, "Security webinar", at(2025, 3, 5), None)
    cb1 = _campaign(session, b, k1v2, "Cobalt backup", at(2025, 2, 1), at(2025, 2, 2))

    for created, status in (
        (at(2025, 1, 15), "new"),
        (at(2025, 1, 20), "qualified"),
        (at(2025, 2, 10), "converted"),
        (at(2025, 2, 11), "disqualified"),
        (at(2025, 7, 5), "new"),
    ):
        _lead(session, a, ca1, created, status)
    _lead(session, a, ca2, at(2025, 3, 10), "working")
    _lead(session, a, ca2, at(2025, 3, 12), "qualified")
    _lead(session, a, None, at(2025, 4, 1), "new")

    _deal(session, a, ca1, "10000", "closed_won", at(2025, 2, 10), dt.date(2025, 3, 15))
    _deal(session, a, ca1, "5000", "proposal", at(2025, 2, 20))
    _deal(session, a, ca2, "2000", "closed_lost", at(2025, 3, 15), dt.date(2025, 4, 1))
    _deal(session, a, ca1, "1000", "closed_won", at(2025, 3, 1), dt.date(2025, 3, 2), "EUR")
    _deal(session, a, ca1, "7000", "closed_won", at(2024, 12, 1), dt.date(2025, 1, 5))
    _deal(session, b, cb1, "8000", "negotiation", at(2025, 2, 15))
    _deal(session, b, cb1, "3000", "closed_won", at(2025, 2, 16), dt.date(2025, 5, 20))

    for campaign, day, views in (
        (ca1, dt.date(2025, 1, 12), 100),
        (ca1, dt.date(2025, 2, 1), 50),
        (cb1, dt.date(2025, 2, 3), 30),
    ):
        session.add(PageViewDay(campaign_id=campaign.id, day=day, views=views))
    for campaign, when in (
        (ca1, at(2025, 1, 11)),
        (ca1, at(2025, 1, 12)),
        (ca1, at(2025, 2, 1)),
        (ca2, at(2025, 3, 6)),
        (ca2, at(2024, 12, 1)),
    ):
        session.add(
            AssetDownload(
                campaign_id=campaign.id,
                partner_id=campaign.partner_id,
                kit_id=campaign.kit_id,
                asset_key="*",
                target="zip",
                downloaded_at=when,
            )
        )

    today = dt.date.today()
    h1 = Budget(
        name="H1 2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        amount=Decimal("100000"),
        currency="USD",
    )
    h2_2024 = Budget(
        name="H2 2024",
        period_start=dt.date(2024, 7, 1),
        period_end=dt.date(2024, 12, 31),
        amount=Decimal("50000"),
        currency="USD",
    )
    euro = Budget(
        name="EU 2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        amount=Decimal("10000"),
        currency="EUR",
    )
    current = Budget(
        name="Running budget",
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=60),
        amount=Decimal("9000"),
        currency="USD",
    )
    session.add_all([h1, h2_2024, euro, current])
    session.flush()
    alloc_a = _allocation(session, h1, a, "20000")
    alloc_b = _allocation(session, h1, b, "10000")
    _allocation(session, h1, c, "5000")
    _allocation(session, h2_2024, a, "9999")
    _allocation(session, euro, a, "4000")
    _allocation(session, current, a, "1000")

    fr_a1 = _request(session, alloc_a, ca1, "6000", dt.date(2025, 6, 1), at(2025, 1, 20))
    _paid_claim(session, fr_a1, "5000", dt.date(2025, 5, 10))
    fr_a2 = _request(session, alloc_a, ca2, "2000", today + dt.timedelta(days=5), at(2025, 3, 6))
    _request(session, alloc_b, cb1, "3000", dt.date(2025, 7, 1), at(2025, 2, 3))
    session.commit()
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        h1=h1.id,
        k1=k1.id,
        k2=k2.id,
        k1v1=k1v1.id,
        k1v2=k1v2.id,
        k2v1=k2v1.id,
        ca1=ca1.id,
        fr_a2=fr_a2.id,
    )


def figure(html: str, element_id: str) -> str:
    """The visible text of the figure with this id (its value, without the label)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(div|p)>', html, re.S)
    assert match, f"no element {element_id}"
    values = re.findall(r"<dd[^>]*>(.*?)</dd>", match.group(1), re.S) or [match.group(1)]
    return " ".join(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip() for value in values)


def link_of(html: str, element_id: str) -> str | None:
    """The href of the link inside the figure with this id, if any."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no element {element_id}"
    href = re.search(r'href="([^"]+)"', match.group(1))
    return href.group(1).replace("&amp;", "&") if href else None


def page_text(html: str) -> str:
    """The page as a person reads it: tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
