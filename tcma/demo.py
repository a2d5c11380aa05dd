"""Demo data for `make run`: tiers, two partner companies, one user per role.

Every step looks before it creates, so running it twice changes nothing.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.accounts import rules, services
from tcma.accounts.models import Tier
from tcma.cobrand.demo import load_demo_brands
from tcma.demo_activity import load_demo_activity
from tcma.kits.samples import import_sample_kits
from tcma.storage import get_storage

DEMO_PASSWORD = "northbeam-demo-2026"  # noqa: S105 - printed for the demo on purpose

TIERS = (
    ("platinum", 3, "Top partners: every kit, 50% co-op"),
    ("gold", 2, "Most kits, 50% co-op"),
    ("registered", 1, "Entry level: selected kits"),
)

PARTNERS = (
    ("Brightpath IT", "gold", "EMEA", "https://www.brightpath-it.example"),
    ("Cobalt Systems Group", "platinum", "NA", "https://www.cobalt-systems.example"),
)

USERS = (
    ("Vendor admin", "admin@northbeam.example", "Avery Admin", rules.ADMIN, None),
    ("Channel marketer", "marketer@northbeam.example", "Morgan Marketer", rules.MARKETER, None),
    ("Finance", "finance@northbeam.example", "Frances Finance", rules.FINANCE, None),
    (
        "Brightpath IT — partner admin",
        "anna@brightpath-it.example",
        "Anna Lindqvist",
        rules.PARTNER_ADMIN,
        "Brightpath IT",
    ),
    (
        "Brightpath IT — partner user",
        "ben@brightpath-it.example",
        "Ben Okafor",
        rules.PARTNER_USER,
        "Brightpath IT",
    ),
    (
        "Cobalt Systems Group — partner admin",
        "carla@cobalt-systems.example",
        "Carla Reyes",
        rules.PARTNER_ADMIN,
        "Cobalt Systems Group",
    ),
    (
        "Cobalt Systems Group — partner user",
        "dev@cobalt-systems.example",
        "Dev Patel",
        rules.PARTNER_USER,
        "Cobalt Systems Group",
    ),
)


def load_demo(session: Session, app: Flask) -> list[tuple[str, str]]:
    """Create what is missing of the demo data; return (label, email) of each demo login."""
    tiers = {tier.name: tier for tier in session.scalars(select(Tier))}
    for name, rank, description in TIERS:
        if name not in tiers:
            tiers[name] = services.create_tier(session, None, name, rank, description)
    for name, tier, region, website in PARTNERS:
        if services.find_partner_by_name(session, name) is None:
            services.create_partner(session, None, name, tiers[tier].id, region, website)
    for _label, email, full_name, role, partner_name in USERS:
        if services.find_user_by_email(session, email) is None:
            partner = services.find_partner_by_name(session, partner_name) if partner_name else None
            services.create_active_user(
                session, email, DEMO_PASSWORD, role, partner.id if partner else None, full_name
            )
    session.flush()
    import_sample_kits(session, get_storage())
    load_demo_brands(session, get_storage())
    load_demo_activity(session, app)
    return [(label, email) for label, email, *_ in USERS]
