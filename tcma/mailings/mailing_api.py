"""Mailings over /api/v1: start one from a campaign's email, send now or later, cancel.

The same services as mailing_views.py (the sending itself is a worker's job, queued after
the commit); another partner's mailing, campaign or list is 404.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.accounts.rules import PARTNER_ROLES
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, rule_problem
from tcma.api.pagination import keyset_page
from tcma.campaigns.models import Campaign
from tcma.mailings import contacts, schemas, services, tasks
from tcma.mailings.models import Mailing
from tcma.mailings.rules import MailingError, MailingStateError

bp = api_blueprint("api_mailings", __name__, "/mailings", "Mailings of campaign emails.")


def _problem(exc: MailingError) -> ApiProblem:
    """A state that does not allow the action is a 409; any other refusal a 422."""
    if isinstance(exc, MailingStateError):
        return ApiProblem(409, None, exc.message)
    return rule_problem(exc)


def _shown(mailing: Mailing, with_report: bool = True) -> dict[str, Any]:
    fields = {k: getattr(mailing, k) for k in schemas.MailingSchema().fields if k != "report"}
    report = services.report(db.session(), [mailing.id]) if with_report else None
    return {**fields, "report": report}


@bp.get("")
@require("mailings", "read", PARTNER_ROLES)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.MailingQuery, location="query", unknown=None)
@bp.response(200, schemas.MailingPageSchema)
def list_mailings(args: dict[str, Any]) -> dict[str, Any]:
    """Your mailings, newest first (filters status, campaign_id); ``report`` is null here."""
    stmt = select(Mailing).where(Mailing.partner_id == current_user.partner_id)
    if args["status"] is not None:
        stmt = stmt.where(Mailing.status == args["status"])
    if args["campaign_id"] is not None:
        get_scoped_or_404(db.session(), Campaign, args["campaign_id"])
        stmt = stmt.where(Mailing.campaign_id == args["campaign_id"])
    page = keyset_page(db.session(), stmt, Mailing.id, args["cursor"], args["limit"])
    return {"items": [_shown(m, False) for m in page.items], "next_cursor": page.next_cursor}


@bp.post("")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.MailingCreateSchema)
@bp.response(201, schemas.MailingSchema)
def create_mailing(data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A draft mailing of one of the campaign's emails to your lists (send it next)."""
    session = db.session()
    campaign = get_scoped_or_404(session, Campaign, data["campaign_id"])
    own = contacts.list_ids_of_partner(session, campaign.partner_id, data["list_ids"])
    if missing := sorted(set(data["list_ids"]) - set(own)):
        raise ApiProblem(
            404,
            detail=f"There is no list {missing[0]} among yours.",
            errors=[{"location": "json", "field": "list_ids", "message": "No such list."}],
        )
    try:
        mailing = services.create_mailing(
            session,
            current_user.id,
            campaign,
            data["name"],
            data["asset_key"],
            own,
            data["greeting"],
        )
    except MailingError as exc:
        raise _problem(exc) from exc
    location = url_for("api_mailings.get_mailing", mailing_id=mailing.id)
    return _shown(mailing), 201, {"Location": location}


@bp.get("/<id:mailing_id>")
@require("mailings", "read", PARTNER_ROLES)
@problems(bp, 404)
@bp.response(200, schemas.MailingSchema)
def get_mailing(mailing_id: int) -> dict[str, Any]:
    """One mailing with its report (delivered, bounced, unsubscribed, clicked, ...)."""
    return _shown(get_scoped_or_404(db.session(), Mailing, mailing_id))


@bp.post("/<id:mailing_id>/send")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.response(200, schemas.MailingSchema)
def send_mailing(mailing_id: int) -> dict[str, Any]:
    """Start sending now: workers send the messages after this answer."""
    session = db.session()
    mailing = get_scoped_or_404(session, Mailing, mailing_id)
    try:
        services.send_now(session, current_user.id, mailing)
    except MailingError as exc:
        raise _problem(exc) from exc
    tasks.queue_start(session, mailing)  # nothing while it awaits a marketer's approval
    return _shown(mailing)


@bp.post("/<id:mailing_id>/schedule")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(schemas.ScheduleSchema)
@bp.response(200, schemas.MailingSchema)
def schedule_mailing(data: dict[str, Any], mailing_id: int) -> dict[str, Any]:
    """Send at a local date and time in a time zone; cancel it until then."""
    session = db.session()
    mailing = get_scoped_or_404(session, Mailing, mailing_id)
    try:
        services.schedule(
            session,
            current_user.id,
            mailing,
            data["send_on"],
            data["send_at"],
            data["time_zone"],
        )
    except MailingError as exc:
        raise _problem(exc) from exc
    tasks.queue_start(session, mailing)
    return _shown(mailing)


@bp.post("/<id:mailing_id>/cancel")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.response(200, schemas.MailingSchema)
def cancel_mailing(mailing_id: int) -> dict[str, Any]:
    """Cancel a scheduled mailing before it starts (nothing is sent)."""
    mailing = get_scoped_or_404(db.session(), Mailing, mailing_id)
    try:
        services.cancel(db.session(), current_user.id, mailing)
    except MailingError as exc:
        raise _problem(exc) from exc
    return _shown(mailing)
