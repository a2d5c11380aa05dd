"""Demo activity for `make run`: live campaigns, leads, deals and one MDF round trip.

Loaded by `tcma demo` after the tiers, partners, users and sample kits, so that dashboards,
pipeline and MDF pages show a living program on first sight. Everything goes through the
real services (campaigns, launch, pipeline, MDF budget/requests/claims/payments) with the
demo users as actors. It runs once: if the demo webinar campaign exists, nothing is added.

The services stamp rows with "now". To spread the story over the last months, this module
moves ``created_at`` (and history timestamps, close dates, launch dates) of the rows it just
created into the past. That is demo data only; the report roll-ups are rebuilt at the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.accounts import services as accounts
from tcma.accounts.models import Partner, User
from tcma.campaigns import launch, tracking
from tcma.campaigns import services as campaigns
from tcma.campaigns.models import Campaign
from tcma.db import utcnow
from tcma.kits import services as kits
from tcma.mdf import budget_services, claim_services, payment_services, request_services
from tcma.pipeline import rules as pipeline_rules
from tcma.pipeline import services as pipeline
from tcma.pipeline.models import StageChange
from tcma.reports import rollups
from tcma.storage import get_storage

WEBINAR_CAMPAIGN = "Ransomware resilience webinar — Nordics"
LAUNCH_CAMPAIGN = "Northbeam Vault 5 launch — North America"
USD = "USD"
WON_AMOUNT = Decimal("48000.00")

# The smallest file that passes tcma/mdf/uploads.py's PDF check (and opens in a viewer).
INVOICE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

CONSENT_BRIGHTPATH = (
    "Yes, Brightpath IT may email me about this webinar and related Northbeam backup and "
    "recovery services. I can unsubscribe at any time; see brightpath-it.example/privacy."
)
CONSENT_COBALT = (
    "Yes, Cobalt Systems Group may contact me about Northbeam Vault 5 and its launch offer. "
    "I can opt out at any time; see cobalt-systems.example/privacy."
)

# (first, last, company, title, country, days ago, final status)
NORDIC_LEADS = (
    ("Erik", "Johansson", "Fjordline Logistics", "IT Manager", "Norway", 112, "converted"),
    ("Sofia", "Nieminen", "Kaleva Health", "Head of Infrastructure", "Finland", 109, "qualified"),
    ("Lars", "Madsen", "Øresund Shipping", "IT Director", "Denmark", 106, "working"),
    ("Ingrid", "Berg", "Nordkapp Energi", "Infrastructure Lead", "Norway", 103, "disqualified"),
    ("Mikael", "Lindgren", "Vättern Foods", "CIO", "Sweden", 100, "converted"),
    ("Anna", "Korhonen", "Saimaa Paper", "IT Manager", "Finland", 97, "qualified"),
    ("Jonas", "Holm", "Bornholm Wind", "Systems Architect", "Denmark", 94, "working"),
    ("Karin", "Svensson", "Uppsala Kommunservice", "IT Security Lead", "Sweden", 91, "new"),
    ("Olli", "Mäkinen", "Tampere Precision", "Head of IT", "Finland", 88, "converted"),
    (
        "Freja",
        "Andersen",
        "Aarhus Retail Group",
        "IT Operations Manager",
        "Denmark",
        85,
        "qualified",
    ),
    ("Henrik", "Nilsen", "Bergen Maritime", "IT Manager", "Norway", 81, "working"),
    ("Maja", "Eriksson", "Göta Insurance", "Infrastructure Manager", "Sweden", 78, "new"),
    ("Ville", "Heikkinen", "Lapland Resorts", "IT Lead", "Finland", 75, "disqualified"),
    ("Sara", "Lund", "Malmö Medtech", "Head of IT Services", "Sweden", 72, "converted"),
    ("Anders", "Dahl", "Trondheim Kommune IT", "Platform Lead", "Norway", 68, "qualified"),
    ("Emma", "Christensen", "Jutland Dairy", "IT Director", "Denmark", 64, "working"),
    ("Pekka", "Virtanen", "Oulu Components", "Systems Manager", "Finland", 60, "new"),
    ("Linnea", "Karlsson", "Västerås Automation", "CTO", "Sweden", 56, "qualified"),
    ("Magnus", "Olsen", "Stavanger Offshore Services", "IT Manager", "Norway", 52, "new"),
    (
        "Ida",
        "Rasmussen",
        "Odense University Clinic",
        "Infrastructure Lead",
        "Denmark",
        48,
        "working",
    ),
    ("Johan", "Persson", "Norrland Timber", "Head of IT", "Sweden", 44, "new"),
    ("Aino", "Laine", "Turku Shipyards", "IT Security Manager", "Finland", 40, "qualified"),
    ("Kristian", "Haugen", "Lillehammer Hotels", "IT Coordinator", "Norway", 36, "new"),
    ("Nora", "Jensen", "Copenhagen Fintech Hub", "Cloud Lead", "Denmark", 31, "working"),
    ("Oskar", "Berglund", "Gävle Steelworks", "Infrastructure Manager", "Sweden", 26, "new"),
    ("Elina", "Salo", "Espoo Software House", "IT Director", "Finland", 21, "disqualified"),
    ("Thomas", "Larsen", "Roskilde Logistics", "IT Manager", "Denmark", 16, "new"),
    ("Hanna", "Lindberg", "Skåne Water", "Head of OT/IT", "Sweden", 11, "working"),
    ("Sindre", "Bakke", "Tromsø Seafood", "IT Lead", "Norway", 7, "new"),
    ("Emilia", "Koskinen", "Helsinki Legal Partners", "Office IT Manager", "Finland", 3, "new"),
)

NA_LEADS = (
    ("Jordan", "Miller", "Lakeshore Credit Union", "IT Director", "United States", 98, "converted"),
    (
        "Priya",
        "Shah",
        "Summit Orthopedics",
        "Infrastructure Manager",
        "United States",
        91,
        "qualified",
    ),
    ("Marcus", "Lee", "Redwood Unified Schools", "Network Manager", "United States", 84, "working"),
    ("Chloe", "Tremblay", "Laurentian Foods", "IT Manager", "Canada", 77, "new"),
    ("Daniel", "Garcia", "Desert Sun Utilities", "CIO", "United States", 70, "converted"),
    ("Emily", "Nguyen", "Bayview Law Group", "IT Lead", "United States", 63, "working"),
    (
        "Ryan",
        "O'Connor",
        "Great Plains Freight",
        "Systems Administrator",
        "United States",
        56,
        "disqualified",
    ),
    ("Olivia", "Brown", "Maple Leaf Dental", "Office Manager", "Canada", 49, "new"),
    ("Ethan", "Wright", "Cascade Biotech", "Head of IT", "United States", 42, "qualified"),
    ("Sophie", "Martin", "Ottawa Valley Insurance", "Infrastructure Lead", "Canada", 35, "working"),
    ("Noah", "Johnson", "Hudson Manufacturing", "IT Manager", "United States", 28, "new"),
    ("Ava", "Davis", "Blue Ridge Hospital", "Security Architect", "United States", 21, "qualified"),
    ("Liam", "Wilson", "Prairie Co-op", "IT Coordinator", "Canada", 14, "working"),
    ("Mia", "Robinson", "Gulf Coast Marine", "IT Director", "United States", 9, "new"),
    ("Lucas", "Clark", "Silverline Hospitality", "CTO", "United States", 4, "new"),
)

# Converted leads, in order of appearance: (opportunity name, amount, stage, closed days ago).
NORDIC_DEALS = (
    ("Vault 5 rollout, 3 sites", WON_AMOUNT, pipeline_rules.CLOSED_WON, 18),
    ("Immutable backup for Microsoft 365", Decimal("18500.00"), pipeline_rules.CLOSED_LOST, 40),
    ("Recovery assessment and Vault 5", Decimal("32000.00"), pipeline_rules.PROPOSAL, None),
    ("Vault 5 for 400 VMs", Decimal("26500.00"), pipeline_rules.NEGOTIATION, None),
)
NA_DEALS = (
    ("Vault 5 branch backup", Decimal("41000.00"), pipeline_rules.PROPOSAL, None),
    ("Ransomware recovery upgrade", Decimal("57500.00"), pipeline_rules.QUALIFICATION, None),
)
UTM = ("linkedin", "email", "newsletter", "partner-site")


def _user(session: Session, email: str) -> User:
    user = accounts.find_user_by_email(session, email)
    if user is None:
        raise RuntimeError(f"demo user {email} is missing; load the demo users first")
    return user


def _partner(session: Session, name: str) -> Partner:
    partner = accounts.find_partner_by_name(session, name)
    if partner is None:
        raise RuntimeError(f"demo partner {name} is missing; load the demo partners first")
    return partner


def _backdate_history(
    session: Session,
    column,
    subject_id: int,
    start: dt.datetime,
    step: dt.timedelta,
    now: dt.datetime,
) -> None:
    stmt = select(StageChange).where(column == subject_id).order_by(StageChange.id)
    for i, change in enumerate(session.scalars(stmt)):
        change.at = min(start + step * i, now)


def _campaign(
    session: Session,
    storage,
    partner: Partner,
    actor: User,
    slug: str,
    name: str,
    values: dict[str, str],
    consent: str,
    starts_on: dt.date,
    ends_on: dt.date,
    today: dt.date,
) -> Campaign:
    kit = kits.get_kit_by_slug(session, slug)
    version = kits.latest_published_version(session, kit) if kit else None
    if version is None:
        raise RuntimeError(f"sample kit {slug} is missing; import the sample kits first")
    campaign = campaigns.start_campaign(session, storage, partner, version, actor.id, name, values)
    launch.launch_campaign(
        session,
        actor.id,
        campaign,
        starts_on=starts_on,
        ends_on=ends_on,
        consent_text=consent,
        today=today,
    )
    # Demo data: the campaign was created and launched months ago.
    started = dt.datetime.combine(starts_on, dt.time(8, 30), dt.UTC)
    campaign.created_at = started - dt.timedelta(days=3)
    campaign.launched_at = started
    return campaign


def _leads_and_deals(
    session: Session,
    campaign: Campaign,
    people,
    deals,
    owner: User,
    seller: User,
    domain_tld: str,
    prefix: str,
    now: dt.datetime,
) -> None:
    deals = iter(deals)
    for i, (first, last, company, title, country, days_ago, final) in enumerate(people):
        domain = "".join(c for c in company.lower() if c.isascii() and c.isalnum())[:24]
        email = f"{first.lower()}.{last.lower()}".replace("'", "")
        email = "".join(c for c in email if c.isascii())
        form = pipeline.LeadInput(
            first_name=first,
            last_name=last,
            email=f"{email}@{domain}.example",
            company=company,
            title=title,
            phone=f"+{domain_tld} 555 {100 + i:03d} {200 + 7 * i:03d}",
            country=country,
        )
        lead, _created = pipeline.capture_lead(
            session,
            campaign,
            form,
            consent_text=campaign.consent_text or "",
            submit_token=f"demo-{prefix}-{i:03d}",
            utm={"utm_source": UTM[i % len(UTM)], "utm_medium": "demo"},
        )
        if lead is None:
            continue
        if final in ("working", "qualified", "converted", "disqualified"):
            pipeline.update_lead(
                session,
                owner.id,
                lead,
                status=pipeline_rules.WORKING,
                owner_id=owner.id,
                notes="Called after the registration.",
            )
        if final in ("qualified", "converted"):
            pipeline.update_lead(
                session,
                owner.id,
                lead,
                status=pipeline_rules.QUALIFIED,
                owner_id=owner.id,
                notes="Budget this fiscal year; evaluating backup vendors.",
            )
        if final == "disqualified":
            pipeline.update_lead(
                session,
                owner.id,
                lead,
                status=pipeline_rules.DISQUALIFIED,
                owner_id=owner.id,
                notes="Student / no project this year.",
            )
        # Demo data: the visitor registered ``days_ago`` days ago, in office hours.
        created = (now - dt.timedelta(days=days_ago)).replace(
            hour=8 + i % 9, minute=(i * 17) % 60, second=0, microsecond=0
        )
        lead.created_at = created
        _backdate_history(session, StageChange.lead_id, lead.id, created, dt.timedelta(days=2), now)
        if final != "converted":
            continue
        deal_name, amount, stage, closed_days_ago = next(deals)
        opened = created + dt.timedelta(days=6)
        opportunity = pipeline.convert_lead(
            session,
            seller.id,
            lead,
            pipeline.OpportunityInput(
                account=company,
                name=f"{company}: {deal_name}",
                amount=amount,
                currency=USD,
                stage=pipeline_rules.QUALIFICATION,
                owner_id=seller.id,
                expected_close_on=(now + dt.timedelta(days=30)).date(),
            ),
        )
        if stage != pipeline_rules.QUALIFICATION:
            pipeline.update_opportunity(
                session,
                seller.id,
                opportunity,
                pipeline.OpportunityInput(
                    account=opportunity.account,
                    name=opportunity.name,
                    amount=amount,
                    currency=USD,
                    stage=stage,
                    owner_id=seller.id,
                    expected_close_on=opportunity.expected_close_on,
                ),
            )
        # Demo data: the deal was opened a week after the lead and closed weeks ago.
        opportunity.created_at = opened
        if closed_days_ago is not None:
            opportunity.closed_on = (now - dt.timedelta(days=closed_days_ago)).date()
            opportunity.expected_close_on = opportunity.closed_on
        _backdate_history(
            session, StageChange.opportunity_id, opportunity.id, opened, dt.timedelta(days=12), now
        )
        session.flush()


def _page_views(
    session: Session, campaign: Campaign, starts_on: dt.date, today: dt.date, base: int
) -> None:
    counts = {}
    day = starts_on
    while day <= today:
        counts[(campaign.id, day)] = base + (day.toordinal() * 7) % 11
        day += dt.timedelta(days=1)
    tracking.write_views(session.connection(), counts)


def _mdf(
    session: Session,
    storage,
    campaign: Campaign,
    brightpath: Partner,
    cobalt: Partner,
    today: dt.date,
    webinar_on: dt.date,
) -> None:
    finance = _user(session, "finance@northbeam.example")
    marketer = _user(session, "marketer@northbeam.example")
    anna = _user(session, "anna@brightpath-it.example")
    carla = _user(session, "carla@cobalt-systems.example")
    year_start, year_end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    budget = budget_services.create_budget(
        session,
        finance,
        name=f"FY{today.year} partner MDF",
        period_start=year_start,
        period_end=year_end,
        amount=Decimal("100000.00"),
        currency=USD,
    )
    bright_alloc = budget_services.allocate(
        session, finance, budget.id, brightpath.id, Decimal("30000.00"), "Annual MDF, gold tier"
    )
    cobalt_alloc = budget_services.allocate(
        session, finance, budget.id, cobalt.id, Decimal("40000.00"), "Annual MDF, platinum tier"
    )

    starts = max(webinar_on - dt.timedelta(days=45), year_start)
    request = request_services.create_request(
        session,
        anna,
        request_services.RequestFields(
            allocation_id=bright_alloc.id,
            activity_type="webinar",
            title=WEBINAR_CAMPAIGN,
            description="Co-hosted Northbeam webinar for Nordic IT leaders: LinkedIn promotion, "
            "two email sends and a follow-up call campaign.",
            start_date=starts,
            end_date=max(webinar_on, starts),
            total_cost=Decimal("12000.00"),
            requested_amount=Decimal("6000.00"),
            expected_leads=30,
            expected_pipeline=Decimal("120000.00"),
            campaign_id=campaign.id,
        ),
    )
    request_services.submit_request(session, anna, request.id)
    request_services.approve_request(
        session, marketer, request.id, comment="Good fit for the Nordics push. Approved."
    )
    claim = claim_services.create_claim(
        session,
        anna,
        request.id,
        actual_cost=Decimal("10800.00"),
        claimed_amount=Decimal("5400.00"),
        notes="LinkedIn ads and webinar production.",
        today=today,
    )
    claim_services.add_proof(
        session, storage, anna, claim.id, "invoice", "invoice-webinar-nordics.pdf", INVOICE_PDF
    )
    claim_services.submit_claim(session, anna, claim.id, today)
    claim_services.approve_claim(session, finance, claim.id, comment="Invoice checked.")
    payment_services.record_payment(
        session, finance, claim.id, paid_on=today, method="bank_transfer", reference="NB-MDF-0001"
    )

    # A request still waiting for the marketer: something to decide on first sight.
    pending = request_services.create_request(
        session,
        carla,
        request_services.RequestFields(
            allocation_id=cobalt_alloc.id,
            activity_type="digital_advertising",
            title="Vault 5 launch: LinkedIn and search ads",
            description="Six weeks of paid social and search ads driving to the Vault 5 page.",
            start_date=max(today, year_start),
            end_date=min(today + dt.timedelta(days=42), year_end),
            total_cost=Decimal("16000.00"),
            requested_amount=Decimal("8000.00"),
            expected_leads=40,
            expected_pipeline=Decimal("200000.00"),
        ),
    )
    request_services.submit_request(session, carla, pending.id)

    # The MDF ledger is append-only: its entries keep today's date, as posted.


def load_demo_activity(session: Session, app: Flask) -> bool:
    """Add the demo campaigns, leads, deals and MDF activity once; False if already there."""
    if session.scalar(select(Campaign.id).where(Campaign.name == WEBINAR_CAMPAIGN)):
        return False
    storage = get_storage()
    now = utcnow()
    today = now.date()
    brightpath = _partner(session, "Brightpath IT")
    cobalt = _partner(session, "Cobalt Systems Group")
    anna = _user(session, "anna@brightpath-it.example")
    ben = _user(session, "ben@brightpath-it.example")
    carla = _user(session, "carla@cobalt-systems.example")
    dev = _user(session, "dev@cobalt-systems.example")

    webinar_on = today - dt.timedelta(days=30)
    webinar_starts = today - dt.timedelta(days=115)
    webinar = _campaign(
        session,
        storage,
        brightpath,
        anna,
        "vault-webinar-series",
        WEBINAR_CAMPAIGN,
        {
            "webinar_title": "Recover in minutes, not days: ransomware resilience in the Nordics",
            "webinar_date": webinar_on.isoformat(),
            "webinar_time": "10:00 CET",
            "speaker_name": "Anna Lindqvist",
            "speaker_title": "Head of Cloud & Security Services",
            "recording_url": "https://www.brightpath-it.example/webinars/ransomware-resilience",
            "partner_offer": "A free backup-resilience review for every registered attendee.",
        },
        CONSENT_BRIGHTPATH,
        webinar_starts,
        today + dt.timedelta(days=60),
        today,
    )
    _leads_and_deals(session, webinar, NORDIC_LEADS, NORDIC_DEALS, ben, anna, "46", "bp", now)
    _page_views(session, webinar, webinar_starts, today, 9)

    launch_starts = today - dt.timedelta(days=100)
    vault_launch = _campaign(
        session,
        storage,
        cobalt,
        carla,
        "vault-launch-datasheet",
        LAUNCH_CAMPAIGN,
        {
            "headline": "Backups ransomware can’t touch. Recovery in minutes.",
            "offer": "Book a 30-minute Vault 5 briefing with Cobalt and get a free "
            "backup-resilience assessment of your environment.",
            "contact_name": "Carla Reyes",
            "contact_email": "carla@cobalt-systems.example",
            "event_or_promo_end_date": (today + dt.timedelta(days=45)).isoformat(),
        },
        CONSENT_COBALT,
        launch_starts,
        today + dt.timedelta(days=90),
        today,
    )
    _leads_and_deals(session, vault_launch, NA_LEADS, NA_DEALS, dev, carla, "1", "cs", now)
    _page_views(session, vault_launch, launch_starts, today, 5)

    _mdf(session, storage, webinar, brightpath, cobalt, today, webinar_on)
    session.flush()
    # Timestamps were moved after the triggers saw the rows: recompute the roll-ups once.
    rollups.rebuild(session.connection())
    return True
