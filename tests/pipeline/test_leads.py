"""Working leads: the list, a lead, status and owner with history, converting, erasing."""

from __future__ import annotations

import html
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.pipeline import queries, rules
from tcma.pipeline.models import Lead, Opportunity, StageChange
from tests.pipeline.support import add_lead, live_campaign


def reload(session: Session, lead: Lead) -> Lead:
    session.expire_all()
    return session.get(Lead, lead.id)


def test_the_partner_sees_a_new_lead_at_once_in_the_list(as_a_user, db_session, live_a):
    add_lead(db_session, live_a)
    db_session.commit()
    html = as_a_user.get("/pipeline/leads").get_data(as_text=True)
    assert "Grace Hopper" in html and "grace@navy.example" in html and "Restore drills" in html


def test_the_list_filters_by_campaign_status_owner_text_and_date(
    app, as_a_user, db_session, world, live_a
):
    other = live_campaign(app, db_session, world.partner_a, name="Other campaign")
    add_lead(db_session, live_a, first_name="Ada", email="ada@example.com")
    worked = add_lead(
        db_session, other, first_name="Alan", email="alan@example.com", status=rules.WORKING
    )
    worked.owner_id = world.users["a_user"].id
    db_session.commit()

    def names(query: str) -> set[str]:
        html = as_a_user.get(f"/pipeline/leads?{query}").get_data(as_text=True)
        return {n for n in ("Ada", "Alan") if f">{n} Hopper<" in html}

    assert names("") == {"Ada", "Alan"}
    assert names(f"campaign={other.id}") == {"Alan"}
    assert names("status=working") == {"Alan"}
    assert names(f"owner={world.users['a_user'].id}") == {"Alan"}
    assert names("owner=none") == {"Ada"}
    assert names("q=ada%40") == {"Ada"}
    assert names("from=2000-01-01&to=2000-12-31") == set()


def test_the_lead_list_paginates(as_a_user, db_session, live_a):
    for number in range(30):
        add_lead(db_session, live_a, email=f"p{number}@example.com")
    db_session.commit()
    first = as_a_user.get("/pipeline/leads").get_data(as_text=True)
    assert "30 in all" in first and first.count("@example.com</td>") == 25
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    second = as_a_user.get(html.unescape(next_url)).get_data(as_text=True)
    assert second.count("@example.com</td>") == 5 and 'rel="next"' not in second


def test_working_a_lead_keeps_every_status_change_with_who_and_when(
    as_a_user, db_session, world, live_a
):
    lead = add_lead(db_session, live_a)
    db_session.commit()
    for status in ("working", "qualified"):
        response = as_a_user.post(
            f"/pipeline/leads/{lead.id}",
            data={"status": status, "owner_id": str(world.users["a_user"].id), "notes": "Called."},
        )
        assert response.status_code == 302
    stored = reload(db_session, lead)
    assert (stored.status, stored.owner_id, stored.notes) == (
        "qualified",
        world.users["a_user"].id,
        "Called.",
    )
    changes = db_session.scalars(
        select(StageChange).where(StageChange.lead_id == lead.id).order_by(StageChange.id)
    ).all()
    assert [(c.from_stage, c.to_stage) for c in changes] == [
        (None, "new"),
        ("new", "working"),
        ("working", "qualified"),
    ]
    assert changes[0].actor_id is None and changes[1].actor_id == world.users["a_user"].id
    page = as_a_user.get(f"/pipeline/leads/{lead.id}").get_data(as_text=True)
    assert "Working → Qualified" in page and "Ben A-User" in page


def test_a_refused_status_change_says_why(as_a_user, db_session, live_a):
    lead = add_lead(db_session, live_a, status=rules.DISQUALIFIED)
    db_session.commit()
    response = as_a_user.post(f"/pipeline/leads/{lead.id}", data={"status": "new"})
    assert response.status_code == 200
    assert "A disqualified lead cannot become new." in response.get_data(as_text=True)


def test_an_owner_from_another_partner_is_refused(as_a_user, db_session, world, live_a):
    lead = add_lead(db_session, live_a)
    db_session.commit()
    response = as_a_user.post(
        f"/pipeline/leads/{lead.id}",
        data={"status": "new", "owner_id": str(world.users["b_user"].id)},
    )
    assert response.status_code == 200
    assert reload(db_session, lead).owner_id is None


def test_converting_a_lead_makes_an_opportunity_of_its_campaign(as_a_user, db_session, live_a):
    lead = add_lead(db_session, live_a, status=rules.QUALIFIED)
    db_session.commit()
    form = as_a_user.get(f"/pipeline/leads/{lead.id}/convert").get_data(as_text=True)
    assert 'value="US Navy"' in form
    response = as_a_user.post(
        f"/pipeline/leads/{lead.id}/convert",
        data={
            "name": "Navy backup",
            "account": "US Navy",
            "amount": "25000.00",
            "currency": "USD",
            "stage": "qualification",
            "expected_close_on": "2027-06-30",
        },
    )
    assert response.status_code == 302
    opportunity = db_session.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    assert (opportunity.campaign_id, opportunity.partner_id, str(opportunity.amount)) == (
        live_a.id,
        live_a.partner_id,
        "25000.00",
    )
    assert reload(db_session, lead).status == "converted"


def test_vendor_staff_read_leads_but_do_not_work_them(as_marketer, as_finance, db_session, live_a):
    lead = add_lead(db_session, live_a)
    db_session.commit()
    page = as_marketer.get(f"/pipeline/leads/{lead.id}").get_data(as_text=True)
    assert "grace@navy.example" in page and "Save lead" not in page
    assert (
        as_marketer.post(f"/pipeline/leads/{lead.id}", data={"status": "working"}).status_code
        == 403
    )
    assert as_finance.get(f"/pipeline/leads/{lead.id}").status_code == 403


def test_partner_b_gets_404_on_partner_as_leads(as_b_user, db_session, live_a):
    lead = add_lead(db_session, live_a)
    db_session.commit()
    assert as_b_user.get(f"/pipeline/leads/{lead.id}").status_code == 404
    assert (
        as_b_user.post(f"/pipeline/leads/{lead.id}", data={"status": "working"}).status_code == 404
    )
    assert as_b_user.get(f"/pipeline/leads/{lead.id}/convert").status_code == 404
    assert (
        as_b_user.post(f"/pipeline/leads/{lead.id}/erase", data={"confirm": "y"}).status_code == 404
    )
    html = as_b_user.get(
        f"/pipeline/leads?partner={live_a.partner_id}&campaign={live_a.id}"
    ).get_data(as_text=True)
    assert "grace@navy.example" not in html
    csv = as_b_user.get(f"/pipeline/leads.csv?partner={live_a.partner_id}").get_data(as_text=True)
    assert "grace@navy.example" not in csv
    assert reload(db_session, lead).status == "new"


def test_erasing_a_lead_deletes_its_personal_data_and_keeps_the_counts(
    as_a_user, db_session, live_a
):
    lead = add_lead(db_session, live_a, status=rules.QUALIFIED)
    db_session.commit()
    before = queries.for_campaign(db_session, live_a.id)
    refused = as_a_user.post(f"/pipeline/leads/{lead.id}/erase", data={})
    assert refused.status_code == 302 and reload(db_session, lead).erased_at is None
    assert (
        as_a_user.post(f"/pipeline/leads/{lead.id}/erase", data={"confirm": "y"}).status_code == 302
    )
    stored = reload(db_session, lead)
    assert stored.erased_at is not None and not stored.consent
    assert all(getattr(stored, name) is None for name in rules.PERSONAL_FIELDS)
    row = db_session.execute(select(Lead.__table__).where(Lead.id == lead.id)).one()
    assert not any("grace" in str(value).lower() or "navy" in str(value).lower() for value in row)
    events = audit.timeline(db_session, "lead", lead.id)
    assert [e.action for e in events] == ["lead.erased"] and "grace" not in str(events[0].data)
    after = queries.for_campaign(db_session, live_a.id)
    assert (after.leads, after.qualified) == (before.leads, before.qualified) == (1, 1)
    assert as_a_user.get(f"/pipeline/leads/{lead.id}").status_code == 404
    assert "grace" not in as_a_user.get("/pipeline/leads").get_data(as_text=True).lower()
    assert "grace" not in as_a_user.get("/pipeline/leads.csv").get_data(as_text=True).lower()
