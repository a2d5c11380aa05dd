"""The public landing page: the co-branded page with its lead form, leads, notices, counting."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tcma.campaigns import launch, rendering
from tcma.campaigns.landing_views import VISIT_CACHE_KEY
from tcma.campaigns.models import Campaign
from tcma.campaigns.tracking import ViewCounter, write_views
from tcma.kits.package import read_folder
from tcma.pipeline.models import Lead, PageViewDay
from tcma.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.campaigns.support import FIXTURE_KIT, import_kit, save_brand, start_campaign
from tests.conftest import World, make_test_app
from tests.pipeline.support import CONSENT, VISITOR, live_campaign, today


@pytest.fixture
def live_a(app: Flask, db_session: Session, world: World) -> Campaign:
    return live_campaign(app, db_session, world.partner_a)


def submit_token(html: str) -> str:
    return re.search(r'name="submit_token" type="hidden" value="([^"]+)"', html).group(1)


def form_data(token: str, **changes: str) -> dict[str, str]:
    return {**VISITOR, "consent": "y", "submit_token": token, **changes}


def leads(session: Session, campaign: Campaign) -> list[Lead]:
    session.expire_all()
    return list(session.scalars(select(Lead).where(Lead.campaign_id == campaign.id)))


def test_landing_page_is_the_kits_page_in_the_partners_brand_with_the_lead_form(
    app, client, db_session, world, live_a
):
    save_brand(app, db_session, db_session.get(type(world.partner_a), world.partner_a.id))
    response = client.get(f"/l/{live_a.code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Restore drills for busy teams" in html  # the kit's headline field
    assert "Brightpath Cloud Services" in html  # the partner's brand
    for label in (
        "First name",
        "Last name",
        "Work email",
        "Company",
        "Job title",
        "Phone",
        "Country",
        CONSENT,
    ):
        assert label in html
    assert 'class="tcma-lead-form"' in html and 'method="post"' in html
    assert "tcma-lead-form-slot" not in html
    # No app chrome: the visitor is on the partner's page, not in the partner program.
    assert "partner program" not in html and "Sign in" not in html
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_lead_is_stored_with_its_consent_wording_and_the_visitor_thanked(
    client, db_session, live_a
):
    token = submit_token(
        client.get(f"/l/{live_a.code}?utm_content=invite-email&utm_medium=email").get_data(
            as_text=True
        )
    )
    response = client.post(
        f"/l/{live_a.code}?utm_content=invite-email&utm_medium=email", data=form_data(token)
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/l/{live_a.code}/thanks")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you" in thanks
    [lead] = leads(db_session, live_a)
    assert (lead.first_name, lead.email, lead.company) == ("Grace", "grace@navy.example", "US Navy")
    assert lead.consent and lead.consent_text == CONSENT
    assert (lead.status, lead.source, lead.partner_id) == ("new", "landing_page", live_a.partner_id)
    assert (lead.utm_content, lead.utm_medium) == ("invite-email", "email")


def test_a_double_submit_or_a_retry_makes_one_lead(client, db_session, live_a):
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    answers = [
        client.post(f"/l/{live_a.code}", data=form_data(token)).status_code for _ in range(3)
    ]
    assert answers == [303, 303, 303]
    assert len(leads(db_session, live_a)) == 1
    second = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    other_person = form_data(second, email="ada@lovelace.example")
    assert client.post(f"/l/{live_a.code}", data=other_person).status_code == 303
    assert len(leads(db_session, live_a)) == 2


def test_one_form_sent_again_with_another_email_still_makes_one_lead(client, db_session, live_a):
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    first = client.post(f"/l/{live_a.code}", data=form_data(token))
    edited = client.post(f"/l/{live_a.code}", data=form_data(token, email="typo@fixed.example"))
    assert (first.status_code, edited.status_code) == (303, 303)
    assert [lead.email for lead in leads(db_session, live_a)] == [VISITOR["email"]]


def test_the_honeypot_gets_a_thank_you_and_no_lead(client, db_session, live_a):
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    response = client.post(
        f"/l/{live_a.code}", data=form_data(token, homepage="http://spam.example")
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/thanks")
    assert leads(db_session, live_a) == []


def test_bad_input_is_shown_next_to_its_field_and_stores_nothing(client, db_session, live_a):
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    response = client.post(
        f"/l/{live_a.code}",
        data=form_data(token, email="grace-at-navy", company="x" * 500, consent=""),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter an email address like name@company.com." in html
    assert "Tick the box so that we may contact you." in html
    assert 'aria-invalid="true"' in html
    assert submit_token(html) == token  # fixing the form and sending it is still one lead
    assert leads(db_session, live_a) == []


def test_the_lead_form_carries_only_real_attribute_values(client, live_a):
    html = client.get(f"/l/{live_a.code}").get_data(as_text=True)
    form = html[html.index('<form class="tcma-lead-form"') :]
    form = form[: form.index("</form>")]

    assert '="None"' not in form
    assert "aria-invalid" not in form and "aria-describedby" not in form
    # Required: the names, the email, the company and the consent; never the optional ones.
    for optional in ("title", "phone", "country"):
        tag = re.search(rf'<input[^>]*\bname="{optional}"[^>]*>', form)
        assert tag and "required" not in tag.group(0), optional
    assert re.search(r'<input[^>]*\bname="email"[^>]*\brequired\b', form)
    # The form's stylesheet sits in the page's <head>, where HTML allows a <style>.
    head, body = html.split("</head>", 1)
    assert ":where(.tcma-lead-form)" in head and "<style" not in body


def test_a_forged_or_foreign_submit_token_is_refused(app, client, db_session, world, live_a):
    other = live_campaign(app, db_session, world.partner_a, name="Other")
    foreign = submit_token(client.get(f"/l/{other.code}").get_data(as_text=True))
    for token in ("made-up", foreign):
        response = client.post(f"/l/{live_a.code}", data=form_data(token))
        assert response.status_code == 400
        assert "send it again" in response.get_data(as_text=True)
    assert leads(db_session, live_a) == []


def test_a_paused_campaign_says_so_politely_and_takes_no_leads(client, db_session, live_a):
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    campaign = db_session.get(Campaign, live_a.id)
    launch.pause_campaign(db_session, None, campaign)
    db_session.commit()
    page = client.get(f"/l/{live_a.code}")
    assert page.status_code == 200
    assert "Registrations are paused" in page.get_data(as_text=True)
    assert "tcma-lead-form" not in page.get_data(as_text=True)
    post = client.post(f"/l/{live_a.code}", data=form_data(token))
    assert post.status_code == 200 and "paused" in post.get_data(as_text=True)
    assert leads(db_session, live_a) == []


def test_an_ended_or_expired_campaign_takes_no_leads(app, client, db_session, world, live_a):
    campaign = db_session.get(Campaign, live_a.id)
    launch.end_campaign(db_session, None, campaign)
    db_session.commit()
    assert "has ended" in client.get(f"/l/{live_a.code}").get_data(as_text=True)
    expired = live_campaign(
        app,
        db_session,
        world.partner_a,
        name="Old",
        starts_on=today() - dt.timedelta(days=10),
        ends_on=today(),
    )
    expired.ends_on = today() - dt.timedelta(days=1)
    db_session.commit()
    assert "has ended" in client.get(f"/l/{expired.code}").get_data(as_text=True)


def test_a_campaign_not_started_yet_says_when_it_opens(app, client, db_session, world):
    later = live_campaign(
        app,
        db_session,
        world.partner_a,
        name="Later",
        starts_on=today() + dt.timedelta(days=3),
        ends_on=today() + dt.timedelta(days=9),
    )
    html = client.get(f"/l/{later.code}").get_data(as_text=True)
    assert "Coming soon" in html and "tcma-lead-form" not in html


def test_draft_and_unknown_campaigns_are_not_found_without_app_chrome(
    app, client, db_session, world, live_a
):
    draft = start_campaign(
        app,
        db_session,
        db_session.get(type(world.partner_a), world.partner_a.id),
        live_a.kit_version,
        name="Draft",
    )
    for code in (draft.code, "no-such-code", "x" * 200):
        response = client.get(f"/l/{code}")
        assert response.status_code == 404
        assert "partner program" not in response.get_data(as_text=True)
    assert client.post(f"/l/{draft.code}", data={}).status_code == 404


def test_page_views_are_counted_per_day_without_cookies(app, client, db_session, live_a):
    app.config["PAGE_VIEW_WRITE_SECONDS"] = 0  # write each view at once, to count them here
    for _ in range(3):
        client.get(f"/l/{live_a.code}")
    client.get(f"/l/{live_a.code}", headers={"User-Agent": "Googlebot/2.1"})
    client.get(f"/l/{live_a.code}", headers={"Sec-Purpose": "prefetch"})
    fresh = client.application.test_client()  # a visitor with no cookie at all
    fresh.get(f"/l/{live_a.code}")
    db_session.expire_all()
    row = db_session.get(PageViewDay, (live_a.id, today()))
    assert row.views == 4
    assert db_session.scalar(select(func.count()).select_from(PageViewDay)) == 1


def test_the_rendered_page_is_cached_so_a_visit_costs_no_render(
    client, db_session, live_a, monkeypatch
):
    calls = []
    real = rendering._render
    monkeypatch.setattr(rendering, "_render", lambda *a: calls.append(a) or real(*a))
    first = client.get(f"/l/{live_a.code}").get_data(as_text=True)
    second = client.get(f"/l/{live_a.code}").get_data(as_text=True)
    assert len(calls) == 1
    assert submit_token(first) != submit_token(second)  # each visitor gets their own form


def test_a_gzipped_landing_page_is_the_page_with_its_own_working_form(client, db_session, live_a):
    plain = client.get(f"/l/{live_a.code}").get_data(as_text=True)
    packed = client.get(f"/l/{live_a.code}", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    html = gzip.decompress(packed.data).decode()
    token = submit_token(html)
    # The same page around a form of its own (a fresh token); the form takes a lead.
    assert token != submit_token(plain)
    assert html.replace(token, "") == plain.replace(submit_token(plain), "")
    assert client.post(f"/l/{live_a.code}", data=form_data(token)).status_code == 303
    assert len(leads(db_session, live_a)) == 1


def test_a_kit_without_a_landing_asset_gets_a_plain_branded_form(app, client, db_session, world):
    manifest = read_folder(FIXTURE_KIT).manifest
    version = import_kit(
        app,
        db_session,
        slug="no-landing",
        name="Print only kit",
        assets=[asset for asset in manifest["assets"] if asset["kind"] != "landing"],
    )
    campaign = live_campaign(app, db_session, world.partner_a, version)
    html = client.get(f"/l/{campaign.code}").get_data(as_text=True)
    assert "Work email" in html and "Print only kit" in html
    assert "partner program" not in html


def test_busy_pages_write_their_views_in_batches(app, db_session, live_a):
    engine = app.extensions["tcma.engine"]
    counter = ViewCounter(engine, interval=3600)
    day = today()
    first = counter.add(live_a.id, day)  # the first view of a quiet page is written at once
    assert first == {(live_a.id, day): 1}
    assert [counter.add(live_a.id, day) for _ in range(4)] == [None] * 4
    with engine.begin() as connection:
        write_views(connection, first)
    counter.write_pending()  # at exit: the four waiting views are added, not lost
    db_session.expire_all()
    assert db_session.get(PageViewDay, (live_a.id, day)).views == 5


def test_lead_posts_are_rate_limited_per_address(app, client, live_a):
    app.config["LANDING_LEAD_RATE_LIMIT"] = "2 per minute"
    app.config["RATELIMIT_ENABLED"] = True
    answers = [client.post(f"/l/{live_a.code}", data={}).status_code for _ in range(3)]
    assert answers[-1] == 429
    assert "Too many attempts" in client.post(f"/l/{live_a.code}", data={}).get_data(as_text=True)


def test_with_csrf_on_a_form_without_its_token_keeps_what_was_typed(database_url, tmp_path, world):
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    session = app.extensions["tcma.sessionmaker"]()
    campaign = live_campaign(app, session, session.get(type(world.partner_a), world.partner_a.id))
    visitor: FlaskClient = app.test_client()
    html = visitor.get(f"/l/{campaign.code}").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    token = submit_token(html)
    stranger = app.test_client()  # no session cookie: as a cross-site forgery would be
    refused = stranger.post(f"/l/{campaign.code}", data=form_data(token))
    assert refused.status_code == 400
    assert 'value="Grace"' in refused.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    accepted = visitor.post(f"/l/{campaign.code}", data={**form_data(token), "csrf_token": csrf})
    assert accepted.status_code == 303
    assert len(leads(session, campaign)) == 1
    session.close()
    app.extensions["tcma.engine"].dispose()


def _round_trips(app, action) -> tuple[int, int]:
    """(statements, connection checkouts) that action costs."""
    engine = app.extensions["tcma.engine"]
    statements, checkouts = [], []
    listeners = (
        ("before_cursor_execute", lambda *a, **k: statements.append(a[2])),
        ("checkout", lambda *a: checkouts.append(1)),
    )
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        action()
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return len(statements), len(checkouts)


def test_a_cached_landing_page_costs_no_database_round_trip(app, client, live_a):
    app.config["PAGE_VIEW_WRITE_SECONDS"] = 60  # views wait in the process
    assert client.get(f"/l/{live_a.code}").status_code == 200  # facts and page now cached
    responses = []
    assert _round_trips(app, lambda: responses.append(client.get(f"/l/{live_a.code}"))) == (0, 0)
    assert responses[0].status_code == 200 and "Work email" in responses[0].get_data(as_text=True)


def test_pausing_drops_the_cached_facts_and_a_stale_page_takes_no_lead(
    app, client, db_session, live_a
):
    page = client.get(f"/l/{live_a.code}").get_data(as_text=True)
    token = submit_token(page)
    launch.pause_campaign(db_session, None, db_session.get(Campaign, live_a.id))
    db_session.commit()
    assert "Registrations are paused" in client.get(f"/l/{live_a.code}").get_data(as_text=True)
    # Another process may still show the open form for a few seconds: its POST is refused.
    response = client.post(f"/l/{live_a.code}", data=form_data(token))
    assert "Registrations are paused" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Lead.id))) == 0


def _traffic(app, action) -> dict[str, list]:
    """Every statement, COMMIT, ROLLBACK of a transaction and pre-ping that action causes."""
    engine = app.extensions["tcma.engine"]
    seen: dict[str, list] = {"statements": [], "commits": [], "rollbacks": [], "pings": []}

    def rollback(conn) -> None:
        # Closing an autocommit connection's session "rolls back" without a transaction.
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            seen["rollbacks"].append(1)

    listeners = (
        ("before_cursor_execute", lambda *a, **k: seen["statements"].append(a[2])),
        ("commit", lambda *a: seen["commits"].append(1)),
        ("rollback", rollback),
    )
    for name, fn in listeners:
        event.listen(engine, name, fn)
    real_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: seen["pings"].append(1) or real_ping(connection)
    try:
        action()
    finally:
        del engine.dialect.do_ping
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return seen


def test_a_landing_visit_that_reads_the_facts_sends_one_statement_and_no_commit(
    app, client, live_a
):
    """A visit whose campaign facts are not cached (first visit, expired, another process):
    one SELECT on an autocommit connection: no BEGIN, no COMMIT, no pre-ping."""
    app.config["PAGE_VIEW_WRITE_SECONDS"] = 60  # views wait in the process
    assert client.get(f"/l/{live_a.code}").status_code == 200  # page rendered and stored
    app.extensions[VISIT_CACHE_KEY].forget(codes=[live_a.code])
    responses = []
    seen = _traffic(app, lambda: responses.append(client.get(f"/l/{live_a.code}")))
    assert responses[0].status_code == 200 and "Work email" in responses[0].get_data(as_text=True)
    assert len(seen["statements"]) == 1 and "FROM campaigns" in seen["statements"][0]
    assert seen["commits"] == seen["rollbacks"] == seen["pings"] == []


def test_a_lead_post_costs_a_fixed_short_list_of_statements(app, client, db_session, live_a):
    """Reading the facts afresh (with the lead's lock and whether any webhook wants it), the
    duplicate check, the insert (a racing double submit of the form inserts nothing: ON
    CONFLICT, no savepoint), its stage change and one COMMIT."""
    page = client.get(f"/l/{live_a.code}").get_data(as_text=True)
    responses = []
    seen = _traffic(
        app,
        lambda: responses.append(
            client.post(f"/l/{live_a.code}", data=form_data(submit_token(page)))
        ),
    )
    assert responses[0].status_code == 303
    statements = [s for s in seen["statements"] if s != "BEGIN IMMEDIATE"]  # SQLite's lock
    inserts = [s.split("(")[0].strip() for s in statements if s.startswith("INSERT")]
    assert inserts == ["INSERT INTO leads", "INSERT INTO stage_changes"]
    # The lead's lock and the webhook question ride on the campaign's read.
    assert len(statements) <= 4, statements
    assert not [s for s in statements if "SAVEPOINT" in s], statements
    assert not [s for s in statements if s.startswith("SELECT webhook_endpoints")], statements
    assert len([s for s in statements if "FROM campaigns" in s]) == 1  # read once, kept
    assert len(seen["commits"]) == 1 and seen["pings"] == [] and seen["rollbacks"] == []
    assert len(leads(db_session, live_a)) == 1


def test_a_landing_lead_reaches_the_partners_webhook(app, client, db_session, world, live_a):
    endpoint = WebhookEndpoint(
        partner_id=world.partner_a.id,
        url="https://hooks.example/leads",
        event_types=["lead.created"],
        secret="whsec_" + "A" * 43 + "=",
        created_by_id=world.users["a_admin"].id,
    )
    db_session.add(endpoint)
    db_session.commit()
    token = submit_token(client.get(f"/l/{live_a.code}").get_data(as_text=True))
    assert client.post(f"/l/{live_a.code}", data=form_data(token)).status_code == 303
    events = db_session.scalars(
        select(WebhookEvent).where(WebhookEvent.partner_id == world.partner_a.id)
    ).all()
    assert [e.payload["data"]["lead"]["email"] for e in events] == [VISITOR["email"]]
