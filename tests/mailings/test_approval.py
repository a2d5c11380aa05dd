"""Marketer approval of mailings above the vendor's threshold: queue, approve, reject, resubmit."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tcma import db
from tcma.audit import AuditEvent
from tcma.mailings import rules
from tcma.mailings.models import Delivery, Mailing
from tests.conftest import World
from tests.mailings.test_engagement import _setup


def _mails(outbox: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(outbox.glob("*.eml"))
    ]


def _owned_by_a_user(app: Flask, world: World, mailing_id: int) -> None:
    with app.app_context():
        session = db.session()
        session.get(Mailing, mailing_id).created_by_id = world.users["a_user"].id
        session.commit()


def _status(app: Flask, mailing_id: int) -> str:
    with app.app_context():
        return db.session().get(Mailing, mailing_id).status


def test_the_admin_sets_the_threshold_blank_means_never(
    app: Flask, as_admin: FlaskClient, as_marketer: FlaskClient
) -> None:
    assert as_marketer.get("/mailings/settings").status_code == 403
    for bad in ("-1", "lots", "99999999999"):
        answer = as_admin.post("/mailings/settings", data={"approval_threshold": bad})
        assert answer.status_code == 200, bad
        assert b'class="field-error"' in answer.data or b"error" in answer.data
    saved = as_admin.post("/mailings/settings", data={"approval_threshold": "2"})
    assert saved.status_code == 302
    assert b'value="2"' in as_admin.get("/mailings/settings").data
    as_admin.post("/mailings/settings", data={"approval_threshold": ""})
    assert b'value="2"' not in as_admin.get("/mailings/settings").data
    with app.app_context():
        actions = list(
            db.session().scalars(
                select(AuditEvent.action).where(AuditEvent.object_type == "mailing_settings")
            )
        )
    assert actions == ["mailing.settings_updated", "mailing.settings_updated"]


def test_below_or_at_the_threshold_a_mailing_goes_out_without_approval(
    app: Flask, world: World, as_admin: FlaskClient, as_a_user: FlaskClient, outbox: Path
) -> None:
    setup = _setup(app, world)
    as_admin.post("/mailings/settings", data={"approval_threshold": "3"})
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    assert _status(app, setup.mailing.id) == rules.SENT


def test_above_the_threshold_it_waits_then_a_marketer_approves_and_it_is_sent(
    app: Flask,
    world: World,
    as_admin: FlaskClient,
    as_marketer: FlaskClient,
    as_a_user: FlaskClient,
    as_b_user: FlaskClient,
    outbox: Path,
) -> None:
    setup = _setup(app, world)
    _owned_by_a_user(app, world, setup.mailing.id)
    as_admin.post("/mailings/settings", data={"approval_threshold": "2"})
    answer = as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    assert b"waits for a channel marketer" in as_a_user.get(answer.headers["Location"]).data
    assert _status(app, setup.mailing.id) == rules.AWAITING_APPROVAL
    with app.app_context():
        assert db.session().scalar(select(Delivery.id)) is None  # nothing sent yet
    asked = [m for m in _mails(outbox) if m["Subject"].startswith("Mailing to approve")]
    assert len(asked) == 1 and world.users["marketer"].email in asked[0]["To"]
    assert "to 3 recipients" in asked[0].get_content()

    queue = as_marketer.get("/mailings/approvals").get_data(as_text=True)
    assert setup.mailing.name in queue and "Brightpath IT" in queue
    review = as_marketer.get(f"/mailings/approvals/{setup.mailing.id}").get_data(as_text=True)
    assert "<dt>Recipients</dt><dd>3</dd>" in review
    preview = as_marketer.get(f"/mailings/approvals/{setup.mailing.id}/preview")
    assert preview.status_code == 200 and b"1 Harbour Street" in preview.data
    assert as_b_user.get(f"/mailings/approvals/{setup.mailing.id}").status_code == 403

    approved = as_marketer.post(f"/mailings/approvals/{setup.mailing.id}/approve")
    assert approved.status_code == 302
    assert _status(app, setup.mailing.id) == rules.SENT
    people = {"ana@acme.example", "bo@beta.example", "cy@gamma.example"}
    assert sorted(m["To"] for m in _mails(outbox) if m["To"] in people) == sorted(people)
    told = [m for m in _mails(outbox) if m["Subject"].startswith("Mailing approved")]
    assert [m["To"] for m in told] == [world.users["a_user"].email]
    with app.app_context():
        events = list(
            db.session().scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.object_type == "mailing", AuditEvent.object_id == setup.mailing.id
                )
                .order_by(AuditEvent.id)
            )
        )
    assert events[-3:] == ["mailing.awaiting_approval", "mailing.approved", "mailing.sent"]


def test_a_scheduled_mailing_keeps_its_time_after_approval(
    app: Flask,
    world: World,
    as_admin: FlaskClient,
    as_marketer: FlaskClient,
    as_a_user: FlaskClient,
) -> None:
    setup = _setup(app, world)
    as_admin.post("/mailings/settings", data={"approval_threshold": "0"})
    day = dt.date.today() + dt.timedelta(days=2)
    as_a_user.post(
        f"/mailings/{setup.mailing.id}/schedule",
        data={"send_on": day.isoformat(), "send_at": "08:00", "time_zone": "Europe/Berlin"},
    )
    assert _status(app, setup.mailing.id) == rules.AWAITING_APPROVAL
    as_marketer.post(f"/mailings/approvals/{setup.mailing.id}/approve")
    with app.app_context():
        mailing = db.session().get(Mailing, setup.mailing.id)
        assert mailing.status == rules.SCHEDULED and mailing.approved_recipients == 3
        local = mailing.scheduled_at.astimezone(rules.zone("Europe/Berlin"))
        assert (local.date(), local.hour) == (day, 8)
    # Rescheduling to the same recipients needs no second approval.
    as_a_user.post(
        f"/mailings/{setup.mailing.id}/schedule",
        data={"send_on": day.isoformat(), "send_at": "10:00", "time_zone": "Europe/Berlin"},
    )
    assert _status(app, setup.mailing.id) == rules.SCHEDULED


def test_a_rejected_mailing_shows_the_reason_and_can_be_changed_and_resubmitted(
    app: Flask,
    world: World,
    as_admin: FlaskClient,
    as_marketer: FlaskClient,
    as_a_user: FlaskClient,
    outbox: Path,
) -> None:
    setup = _setup(app, world)
    _owned_by_a_user(app, world, setup.mailing.id)
    as_admin.post("/mailings/settings", data={"approval_threshold": "1"})
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    empty = as_marketer.post(f"/mailings/approvals/{setup.mailing.id}/reject", data={"reason": " "})
    assert empty.status_code == 400 and b"Say why" in empty.data
    control = as_marketer.post(
        f"/mailings/approvals/{setup.mailing.id}/reject", data={"reason": "bad\x1b[0m"}
    )
    assert control.status_code == 400
    assert _status(app, setup.mailing.id) == rules.AWAITING_APPROVAL
    as_marketer.post(
        f"/mailings/approvals/{setup.mailing.id}/reject",
        data={"reason": "Use the spring list only."},
    )
    assert _status(app, setup.mailing.id) == rules.REJECTED
    told = [m for m in _mails(outbox) if m["Subject"].startswith("Mailing not approved")]
    assert "Use the spring list only." in told[0].get_content()
    page = as_a_user.get(f"/mailings/{setup.mailing.id}").get_data(as_text=True)
    assert "Not approved" in page and "Use the spring list only." in page
    # Approving a rejected mailing is refused; the partner edits and asks again.
    as_marketer.post(f"/mailings/approvals/{setup.mailing.id}/approve")
    assert _status(app, setup.mailing.id) == rules.REJECTED
    edited = as_a_user.post(
        f"/mailings/{setup.mailing.id}/edit",
        data={
            "name": "Spring invite v2",
            "asset_key": "invite-email",
            "list_ids": str(setup.contact_list.id),
            "greeting": "Hello,",
        },
    )
    assert edited.status_code == 302
    as_a_user.post(f"/mailings/{setup.mailing.id}/send")
    assert _status(app, setup.mailing.id) == rules.AWAITING_APPROVAL
    # The partner may withdraw it while it waits.
    as_a_user.post(f"/mailings/{setup.mailing.id}/cancel")
    assert _status(app, setup.mailing.id) == rules.CANCELED
    assert (
        as_marketer.get("/mailings/approvals").get_data(as_text=True).count("Spring invite v2") == 0
    )
