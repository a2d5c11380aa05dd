"""Test data for mailings: a campaign with an email, a brand with an address, contacts, lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from flask import Flask
from sqlalchemy.orm import Session

from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.mailings import contacts, rules, services
from tcma.mailings.contacts import ContactInput
from tcma.mailings.models import Contact, ContactList, Mailing
from tests.campaigns.support import import_kit, save_brand, start_campaign

PEOPLE = (
    ("ana@acme.example", "Ana", "Acme Schools"),
    ("bo@beta.example", "", "Beta Council"),
    ("cy@gamma.example", "Cy", ""),
)


@dataclass
class Setup:
    campaign: Campaign
    contact_list: ContactList
    contacts: list[Contact]
    mailing: Mailing


def add_contact(
    session: Session, partner_id: int, email: str, first: str = "", company: str = ""
) -> Contact:
    return contacts.save_contact(
        session,
        None,
        partner_id,
        ContactInput(
            email=email,
            first_name=first,
            company=company,
            consent_basis=rules.CONSENT,
            consent_date=dt.date(2026, 1, 15),
        ),
    )


def mailing_setup(
    app: Flask,
    session: Session,
    partner: Partner,
    people=PEOPLE,
    address: str = "1 Harbour Street, Leeds",
) -> Setup:
    """Partner's brand (with a postal address), a campaign, a list of contacts, a draft mailing."""
    with app.app_context():
        version = import_kit(app, session)
        save_brand(app, session, partner, address=address)
        campaign = start_campaign(app, session, partner, version)
        contact_list = contacts.create_list(session, None, partner.id, "Customers")
        members = [add_contact(session, partner.id, *person) for person in people]
        for member in members:
            contacts.save_contact(
                session,
                None,
                partner.id,
                ContactInput(
                    email=member.email,
                    first_name=member.first_name,
                    company=member.company,
                    consent_basis=member.consent_basis,
                    consent_date=member.consent_date,
                ),
                [contact_list.id],
                member,
            )
        mailing = services.create_mailing(
            session,
            None,
            campaign,
            "Spring invite",
            "invite-email",
            [contact_list.id],
            'Hi {{ first_name or "there" }} at {{ company or "your team" }},',
        )
        session.commit()
    return Setup(campaign, contact_list, members, mailing)


def matrix_objects(ctx: SimpleNamespace) -> SimpleNamespace:
    """Partner A's contact, list and mailing, for the access matrix."""
    if not hasattr(ctx, "mailing_objects"):
        app, world = ctx.app, ctx.world
        session = app.extensions["tcma.sessionmaker"]()
        partner = session.get(Partner, world.partner_a.id)
        setup = mailing_setup(app, session, partner)
        mailing = session.get(Mailing, setup.mailing.id)
        mailing.html_body = '<p><a href="https://brightpath.example/offer">Offer</a></p>'
        # A mailing in the marketers' approval queue (the review pages show only such ones).
        waiting = Mailing(
            partner_id=mailing.partner_id,
            campaign_id=mailing.campaign_id,
            asset_key=mailing.asset_key,
            name="Waiting for approval",
            list_ids=mailing.list_ids,
            status=rules.AWAITING_APPROVAL,
        )
        session.add(waiting)
        session.commit()
        with app.app_context():
            token = rules.unsubscribe_token(app.config["SECRET_KEY"], 0)
            click = rules.click_token(app.config["SECRET_KEY"], setup.mailing.id, 0, 0)
        ctx.mailing_objects = SimpleNamespace(
            contact_id=setup.contacts[0].id,
            list_id=setup.contact_list.id,
            mailing_id=setup.mailing.id,
            campaign_id=setup.campaign.id,
            token=token,
            click=click,
            waiting_id=waiting.id,
        )
        session.close()
    return ctx.mailing_objects
