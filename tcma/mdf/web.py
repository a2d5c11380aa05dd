"""What the MDF views share: roles, domain-error display, choices and list filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from tcma import audit, db, filter_ids
from tcma.accounts.access import current_partner_id, get_scoped_or_404
from tcma.accounts.models import Partner, User
from tcma.campaigns.models import Campaign
from tcma.fields import AmountField
from tcma.forms import show_error
from tcma.mdf import rules
from tcma.mdf.models import Allocation, Budget, FundRequest
from tcma.mdf.money import format_money
from tcma.mdf.rules import MdfError


def today() -> dt.date:
    """Today's date in UTC, the date every MDF deadline is measured in."""
    return db.utcnow().date()


def fail(exc: MdfError, form: FlaskForm | None = None) -> None:
    """Undo whatever the failed step touched, then show its message by its field or on top."""
    # A domain error changes nothing: the page re-renders (200) but the session is clean.
    db.rollback_if_open()
    show_error(form, exc)


def in_currency(form: FlaskForm, currency: str) -> FlaskForm:
    """Tell a form's amount fields their currency: a typed sign of another one is refused."""
    for field in form:
        if isinstance(field, AmountField):
            field.currency = currency
    return form


def partner_choices(session: Session) -> list[tuple[int, str]]:
    """Active partner companies for a select box."""
    rows = session.execute(
        select(Partner.id, Partner.name).where(Partner.status == "active").order_by(Partner.name)
    )
    return [(row.id, row.name) for row in rows]


def budget_choices(session: Session) -> list[tuple[int, str]]:
    """Budgets, newest period first, for filters."""
    budgets = session.scalars(select(Budget).order_by(Budget.period_end.desc(), Budget.name))
    return [(budget.id, budget.label) for budget in budgets]


def open_allocations(session: Session, partner_id: int) -> list[Allocation]:
    """A partner's allocations in budgets whose period has not ended."""
    stmt = (
        select(Allocation)
        .join(Allocation.budget)
        .where(Allocation.partner_id == partner_id, Budget.period_end >= today())
        .order_by(Budget.period_end, Budget.name)
    )
    return list(session.scalars(stmt))


def allocation_label(allocation: Allocation, available: Any) -> str:
    """'FY26 H1 — €12,000.00 available' for a select box."""
    return f"{allocation.budget.label} — {format_money(available, allocation.currency)} available"


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None  # an odd date in a link means no bound, never a 500


def apply_filters(
    stmt: Select,
    model: Any,
    statuses: tuple[str, ...],
    budget_clause: Callable[[int], Any],
    of_requests: Callable[[Select], Any],
) -> tuple[Select, dict[str, Any]]:
    """Filter a list by ?status=, ?partner= (vendor staff only) and ?budget= (the period);
    and by what a dashboard link carries: ?tier=, ?region=, ?kit= and ?from=/?to=.

    A dashboard's MDF figures count the budgets whose period overlaps its period and, with a
    kit chosen, the fund requests of that kit's campaigns: ``of_requests`` turns a SELECT of
    fund request ids into a condition on ``model`` so the list holds what the figure counts.
    """
    args = request.args
    chosen: dict[str, Any] = {}
    if (status := args.get("status")) in statuses:
        stmt = stmt.where(model.status == status)
        chosen["status"] = status
    partner_id = current_partner_id()
    partner = filter_ids.partner(args)
    if partner_id is not None:
        stmt = stmt.where(model.partner_id == partner_id)
    else:
        if partner is not None:
            stmt = stmt.where(model.partner_id == partner)
            chosen["partner"] = partner
        if (tier := filter_ids.tier(args)) is not None:
            stmt = stmt.where(
                model.partner_id.in_(select(Partner.id).where(Partner.tier_id == tier))
            )
            chosen["tier"] = tier
        if region := args.get("region"):
            stmt = stmt.where(
                model.partner_id.in_(select(Partner.id).where(Partner.region == region))
            )
            chosen["region"] = region
    if (budget := filter_ids.budget(args)) is not None:
        stmt = stmt.where(budget_clause(budget))
        chosen["budget"] = budget
    if (kit := args.get("kit", type=int)) is not None:
        kit_campaigns = select(Campaign.id).where(Campaign.kit_id == kit)
        stmt = stmt.where(
            of_requests(select(FundRequest.id).where(FundRequest.campaign_id.in_(kit_campaigns)))
        )
        chosen["kit"] = kit
    start, end = _day(args.get("from")), _day(args.get("to"))
    if start or end:
        budgets = select(Budget.id)
        if end:
            budgets = budgets.where(Budget.period_start <= end)
            chosen["to"] = end.isoformat()
        if start:
            budgets = budgets.where(Budget.period_end >= start)
            chosen["from"] = start.isoformat()
        allocations = select(Allocation.id).where(Allocation.budget_id.in_(budgets))
        stmt = stmt.where(
            of_requests(select(FundRequest.id).where(FundRequest.allocation_id.in_(allocations)))
        )
    return stmt, chosen


ACTION_LABELS = {
    "created": "Created",
    "edited": "Edited",
    "submitted": "Submitted",
    "withdrawn": "Withdrawn",
    "first_approval": "First approval (four-eyes)",
    "approved": "Approved",
    "rejected": "Rejected",
    "changes_requested": "Sent back for changes",
    "cancelled": "Cancelled",
    "unclaimed_released": "Unclaimed money released",
    "proof_added": "Proof added",
    "proof_removed": "Proof removed",
    "paid": "Paid",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One audit event as a person reads it."""

    at: dt.datetime
    label: str
    who: str
    from_state: str | None
    to_state: str | None
    amount: Any
    currency: str | None
    comment: str | None
    detail: str


def timeline(session: Session, object_type: str, object_id: int) -> list[TimelineEntry]:
    """The audit trail of a request or claim, with people's names and readable labels."""
    events = audit.timeline(session, object_type, object_id)
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
    entries = []
    for event in events:
        verb = event.action.rsplit(".", 1)[-1].split("_", 1)[-1]
        actor = event.actor_id
        who = (names.get(actor) or emails.get(actor) if actor is not None else None) or "the system"
        data = event.data or {}
        entries.append(
            TimelineEntry(
                at=event.occurred_at,
                label=ACTION_LABELS.get(verb, verb.replace("_", " ").capitalize()),
                who=who,
                from_state=rules.STATE_LABELS.get(event.from_state or "", event.from_state),
                to_state=rules.STATE_LABELS.get(event.to_state or "", event.to_state),
                amount=event.amount,
                currency=event.currency,
                comment=event.comment,
                detail=str(data.get("file", "")),
            )
        )
    return entries


def act_on(
    model: type[Any],
    object_id: int,
    run: Callable[[Any], None],
    done: str,
    endpoint: str,
    id_arg: str,
) -> Response:
    """Run one state change from a button on an object's page, then go back to that page."""
    item = get_scoped_or_404(db.session(), model, object_id)
    try:
        run(item)
    except MdfError as exc:
        fail(exc)
    else:
        flash(done, "success")
    return redirect(url_for(endpoint, **{id_arg: item.id}))
