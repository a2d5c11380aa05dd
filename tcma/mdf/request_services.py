"""MDF use cases for fund requests: draft, submit, withdraw, approve (four-eyes), decide, cancel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import User
from tcma.campaigns.models import Campaign
from tcma.db import utcnow
from tcma.mdf import events, ledger, limits, money, rules
from tcma.mdf.budget_services import get_settings, share_for_partner
from tcma.mdf.models import Allocation, FundRequest, RequestApproval
from tcma.mdf.rules import MdfError, TransitionError

LIVE_CLAIM_STATES = (rules.SUBMITTED, rules.CHANGES_REQUESTED, rules.APPROVED, rules.PAID)


@dataclass(frozen=True)
class RequestFields:
    """What a partner types into a fund request."""

    allocation_id: int
    activity_type: str
    title: str
    description: str
    start_date: dt.date
    end_date: dt.date
    total_cost: Decimal
    requested_amount: Decimal
    expected_leads: int = 0
    expected_pipeline: Decimal = Decimal("0.00")
    campaign_id: int | None = None


def _audit(
    session: Session,
    actor: User | None,
    request: FundRequest,
    action: str,
    from_state: str | None,
    amount: Decimal | None = None,
    comment: str | None = None,
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"mdf.request_{action}",
        object_type="fund_request",
        object_id=request.id,
        partner_id=request.partner_id,
        from_state=from_state,
        to_state=request.status,
        amount=amount,
        currency=request.currency,
        comment=comment or None,
    )


def _own_request(session: Session, actor: User, request_id: int) -> FundRequest:
    request = ledger.lock(session, FundRequest, request_id)
    if actor.partner_id is not None and actor.partner_id != request.partner_id:
        raise MdfError("This fund request does not exist.")
    return request


def _apply_fields(session: Session, actor: User, request: FundRequest, f: RequestFields) -> None:
    allocation = session.get(Allocation, f.allocation_id)
    if allocation is None or allocation.partner_id != actor.partner_id:
        raise MdfError("Choose one of your company's allocations.", field="allocation_id")
    budget = allocation.budget
    if f.activity_type not in rules.ACTIVITY_TYPES:
        raise MdfError("Choose an activity type from the list.", field="activity_type")
    if not f.title.strip():
        raise MdfError("Give the activity a title.", field="title")
    limits.check_period(f.start_date, f.end_date)
    if not budget.period_start <= f.start_date <= budget.period_end:
        raise MdfError(
            f"The activity must start within the budget period "
            f"({budget.period_start:%d %b %Y} – {budget.period_end:%d %b %Y}).",
            field="start_date",
        )
    if f.expected_leads < 0:
        raise MdfError("Expected leads cannot be negative.", field="expected_leads")
    if f.campaign_id is not None:
        campaign = session.get(Campaign, f.campaign_id)
        if campaign is None or campaign.partner_id != actor.partner_id:
            raise MdfError("Choose one of your company's campaigns.", field="campaign_id")
    share = share_for_partner(session, allocation.partner)
    limits.check_request_amounts(f.total_cost, f.requested_amount, share, budget.currency)
    request.allocation_id = allocation.id
    request.allocation = allocation
    request.activity_type = f.activity_type
    request.title = f.title.strip()
    request.description = f.description.strip()
    request.start_date, request.end_date = f.start_date, f.end_date
    request.total_cost, request.requested_amount = f.total_cost, f.requested_amount
    request.share_percent = share
    request.expected_leads, request.expected_pipeline = f.expected_leads, f.expected_pipeline
    request.campaign_id = f.campaign_id


def create_request(session: Session, actor: User, fields: RequestFields) -> FundRequest:
    """Start a draft fund request for the actor's company."""
    if actor.partner_id is None:
        raise MdfError("Only partner users write fund requests.")
    request = FundRequest(partner_id=actor.partner_id, created_by_id=actor.id, status=rules.DRAFT)
    _apply_fields(session, actor, request, fields)
    session.add(request)
    session.flush()
    _audit(session, actor, request, "created", None, request.requested_amount)
    return request


def update_request(
    session: Session, actor: User, request_id: int, fields: RequestFields
) -> FundRequest:
    """Change a draft, or a request sent back for changes."""
    request = _own_request(session, actor, request_id)
    rules.ensure_editable("fund request", request.status)
    _apply_fields(session, actor, request, fields)
    session.flush()
    _audit(session, actor, request, "edited", request.status, request.requested_amount)
    return request


def submit_request(session: Session, actor: User, request_id: int) -> FundRequest:
    """Send a request to the marketers; the co-op share is checked again as of today."""
    request = _own_request(session, actor, request_id)
    from_state = request.status
    new_state = rules.request_transition(from_state, "submit")
    share = share_for_partner(session, request.partner)
    limits.check_request_amounts(
        request.total_cost, request.requested_amount, share, request.currency
    )
    request.status, request.share_percent = new_state, share
    request.submission += 1
    request.submitted_at = utcnow()
    session.flush()
    _audit(session, actor, request, "submitted", from_state, request.requested_amount)
    events.fund_request_event(session, "fund_request.submitted", request)
    return request


def withdraw_request(
    session: Session, actor: User, request_id: int, comment: str = ""
) -> FundRequest:
    """The partner takes back a request that is not decided yet."""
    request = _own_request(session, actor, request_id)
    from_state = request.status
    request.status = rules.request_transition(from_state, "withdraw")
    session.flush()
    _audit(session, actor, request, "withdrawn", from_state, comment=comment)
    return request


def approve_request(
    session: Session,
    actor: User,
    request_id: int,
    amount: Decimal | None = None,
    comment: str = "",
    today: dt.date | None = None,
) -> tuple[FundRequest, str]:
    """Approve (possibly less); returns the request and 'first' or 'final' (four-eyes)."""
    # Lock order everywhere: allocation, then request, then claim; so no two approvals
    # or payments can both see the same available money.
    allocation, request = ledger.lock_with_allocation(session, FundRequest, request_id)
    amount = request.requested_amount if amount is None else amount
    cur = allocation.budget.currency
    limits.check_approval_amount(request.requested_amount, amount, cur)
    settings = get_settings(session)
    first = None
    if request.status == rules.AWAITING_SECOND:
        given = request.current_approvals()
        first = (given[0].approver_id, given[0].amount) if given else None
    step = rules.approval_step(amount, settings.four_eyes_threshold, first, actor.id)
    from_state = request.status
    new_state = rules.request_transition(
        from_state, "first_approve" if step == "first" else "approve"
    )
    limits.ensure_can_commit(ledger.balance(session, allocation.id), amount, cur)
    request.approvals.append(
        RequestApproval(
            submission=request.submission, approver_id=actor.id, amount=amount, comment=comment
        )
    )
    request.status = new_state
    if step == "final":
        ledger.post(
            session,
            allocation,
            money.COMMIT,
            amount,
            actor_id=actor.id,
            fund_request_id=request.id,
            comment=comment,
        )
        request.approved_amount = amount
        request.decided_at = utcnow()
        request.decision_comment = comment
        window = settings.claim_window_days
        request.claim_due_on = rules.claim_due_date(request.end_date, window)
    session.flush()
    action = "approved" if step == "final" else "first_approval"
    _audit(session, actor, request, action, from_state, amount, comment)
    if step == "final":
        events.fund_request_event(session, "fund_request.approved", request)
    return request, step


def _decide(
    session: Session, actor: User, request_id: int, action: str, comment: str, verb: str
) -> FundRequest:
    if not comment.strip():
        raise MdfError("Tell the partner why, so they know what to do next.", field="comment")
    request = ledger.lock(session, FundRequest, request_id)
    from_state = request.status
    request.status = rules.request_transition(from_state, action)
    request.decision_comment = comment.strip()
    request.decided_at = utcnow()
    session.flush()
    _audit(session, actor, request, verb, from_state, comment=comment.strip())
    if request.status == rules.REJECTED:
        events.fund_request_event(session, "fund_request.rejected", request)
    return request


def reject_request(session: Session, actor: User, request_id: int, reason: str) -> FundRequest:
    """Refuse a request, with the reason the partner will read."""
    return _decide(session, actor, request_id, "reject", reason, "rejected")


def request_changes(session: Session, actor: User, request_id: int, comment: str) -> FundRequest:
    """Send a request back to the partner, saying what to change."""
    return _decide(session, actor, request_id, "request_changes", comment, "changes_requested")


def cancel_request(
    session: Session, actor: User, request_id: int, comment: str = ""
) -> FundRequest:
    """Cancel an approved request that has no live claim; its commitment is released."""
    allocation, request = ledger.lock_with_allocation(session, FundRequest, request_id)
    if actor.partner_id is not None and actor.partner_id != request.partner_id:
        raise MdfError("This fund request does not exist.")
    from_state = request.status
    new_state = rules.request_transition(from_state, "cancel")
    if any(claim.status in LIVE_CLAIM_STATES for claim in request.claims):
        raise TransitionError("This fund request has claims; it cannot be cancelled.")
    for claim in request.claims:
        if claim.status == rules.DRAFT:
            claim.status = rules.WITHDRAWN
    committed, _released = ledger.request_sums(session, request.id)
    if committed > 0:
        ledger.post(
            session,
            allocation,
            money.RELEASE,
            -committed,
            actor_id=actor.id,
            fund_request_id=request.id,
            comment="request cancelled",
        )
    request.status = new_state
    session.flush()
    _audit(session, actor, request, "cancelled", from_state, committed, comment)
    return request
