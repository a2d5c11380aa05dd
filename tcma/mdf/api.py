"""MDF over /api/v1: fund requests, claims, payments and allocations.

The same services, state machine, money rules, notifications and tenant getters as the
pages (request_views.py, claim_views.py, payment_views.py); each route allows the roles
its page allows. A broken rule changes nothing: the request's transaction is rolled back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from tcma import db
from tcma.accounts.access import current_partner_id, get_scoped_or_404
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, field_error, rule_problem
from tcma.api.pagination import keyset_page
from tcma.mdf import claim_services, ledger, notify, payment_services, request_services, schemas
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest, Payment
from tcma.mdf.request_services import RequestFields
from tcma.mdf.rules import MdfError, TransitionError
from tcma.mdf.web import today
from tcma.permissions import ALL_ROLES, FINANCE_ROLES, MARKETING_ROLES, PARTNER_ROLES

bp = api_blueprint("api_mdf", __name__, "", "MDF: fund requests, claims, payments, allocations.")


def _mdf_error(exc: MdfError) -> ApiProblem:
    """A broken MDF rule: 409 when the state does not allow the action, else 422."""
    if isinstance(exc, TransitionError) and not exc.field:
        return ApiProblem(409, None, exc.message)
    return rule_problem(exc)


def _own(stmt: Select, model: Any, partner_id: int | None) -> Select:
    """A partner token sees its own rows; a vendor token all, or one partner's."""
    own = current_partner_id()
    if own is not None:
        return stmt.where(model.partner_id == own)
    if partner_id is not None:
        return stmt.where(model.partner_id == partner_id)
    return stmt


def _check_currency(sent: str | None, expected: str) -> None:
    if sent is not None and sent != expected:
        raise field_error(422, f"The amounts of this item are in {expected}.", "currency")


# Lists show partner ids, not partners: the partners (and their tiers) the models join by
# default are left out, which keeps each list one small statement.
_REQUEST_LOADERS = (
    lazyload(FundRequest.partner),
    joinedload(FundRequest.allocation).lazyload(Allocation.partner),
)
_PAYMENT_CLAIM = joinedload(Payment.claim)
_PAYMENT_LOADERS = (
    _PAYMENT_CLAIM.lazyload(Claim.partner),
    _PAYMENT_CLAIM.joinedload(Claim.fund_request).lazyload(FundRequest.partner),
    _PAYMENT_CLAIM.joinedload(Claim.fund_request)
    .joinedload(FundRequest.allocation)
    .lazyload(Allocation.partner),
)


# --- fund requests ------------------------------------------------------------------------


@bp.get("/fund-requests")
@require("mdf", "read", ALL_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.FundRequestQuery, location="query", unknown=None)
@bp.response(200, schemas.FundRequestPageSchema)
def list_fund_requests(args: dict[str, Any]) -> dict[str, Any]:
    """Fund requests, newest first: a partner's own, every partner's for the vendor."""
    stmt = _own(select(FundRequest).options(*_REQUEST_LOADERS), FundRequest, args["partner_id"])
    if args["status"] is not None:
        stmt = stmt.where(FundRequest.status == args["status"])
    page = keyset_page(db.session(), stmt, FundRequest.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.post("/fund-requests")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.FundRequestCreateSchema)
@bp.response(201, schemas.FundRequestSchema)
def create_fund_request(data: dict[str, Any]) -> tuple[FundRequest, int, dict[str, str]]:
    """A draft fund request on one of the company's allocations (submit it next)."""
    fields = RequestFields(
        allocation_id=data["allocation_id"],
        activity_type=data["activity_type"],
        title=data["title"],
        description=data["description"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        total_cost=data["total_cost"],
        requested_amount=data["requested_amount"],
        expected_leads=data["expected_leads"],
        expected_pipeline=data["expected_pipeline"] or Decimal("0.00"),
        campaign_id=data["campaign_id"],
    )
    try:
        item = request_services.create_request(db.session(), current_user, fields)
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    _check_currency(data["currency"], item.currency)
    location = url_for("api_mdf.get_fund_request", request_id=item.id)
    return item, 201, {"Location": location}


@bp.get("/fund-requests/<id:request_id>")
@require("mdf", "read", ALL_ROLES)
@problems(bp, 404)
@bp.response(200, schemas.FundRequestSchema)
def get_fund_request(request_id: int) -> FundRequest:
    """One fund request (another partner's is 404)."""
    return get_scoped_or_404(db.session(), FundRequest, request_id)


@bp.post("/fund-requests/<id:request_id>/submit")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.response(200, schemas.FundRequestSchema)
def submit_fund_request(request_id: int) -> FundRequest:
    """Send a draft (or a request sent back) to the channel marketers."""
    item = get_scoped_or_404(db.session(), FundRequest, request_id)
    try:
        request_services.submit_request(db.session(), current_user, item.id)
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.request_submitted(db.session(), item)
    return item


@bp.post("/fund-requests/<id:request_id>/withdraw")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.CommentSchema)
@bp.response(200, schemas.FundRequestSchema)
def withdraw_fund_request(data: dict[str, Any], request_id: int) -> FundRequest:
    """Take a request back before it is decided."""
    item = get_scoped_or_404(db.session(), FundRequest, request_id)
    try:
        request_services.withdraw_request(db.session(), current_user, item.id, data["comment"])
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    return item


@bp.post("/fund-requests/<id:request_id>/approve")
@require("mdf", "write", MARKETING_ROLES)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.ApproveSchema)
@bp.response(200, schemas.ApprovalResultSchema)
def approve_fund_request(data: dict[str, Any], request_id: int) -> FundRequest:
    """Approve, possibly for less; above the four-eyes threshold a second approver decides."""
    session = db.session()
    item = get_scoped_or_404(session, FundRequest, request_id)
    _check_currency(data["currency"], item.currency)
    try:
        item, step = request_services.approve_request(
            session, current_user, item.id, data["amount"], data["comment"]
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    if step == "first":
        notify.request_needs_second_approval(session, item, current_user.user)
    else:
        notify.request_decided(item)
    item.step = step  # type: ignore[attr-defined]  # shown once, in this answer
    return item


@bp.post("/fund-requests/<id:request_id>/reject")
@require("mdf", "write", MARKETING_ROLES)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.ReasonSchema)
@bp.response(200, schemas.FundRequestSchema)
def reject_fund_request(data: dict[str, Any], request_id: int) -> FundRequest:
    """Refuse a request, with the reason the partner will read."""
    item = get_scoped_or_404(db.session(), FundRequest, request_id)
    try:
        decided = request_services.reject_request(
            db.session(), current_user, item.id, data["comment"]
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.request_decided(decided)
    return decided


# --- claims ------------------------------------------------------------------------------


@bp.get("/claims")
@require("mdf", "read", ALL_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.ClaimQuery, location="query", unknown=None)
@bp.response(200, schemas.ClaimPageSchema)
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """Claims, newest first: a partner's own, every partner's for the vendor."""
    # The answer shows each claim's proof files and payment (two queries per page, not per
    # row) and its currency (request → allocation → budget); the partners, joined by
    # default, are not shown: leaving them out halves the statement's planning time.
    request = joinedload(Claim.fund_request)
    loaders = (
        lazyload(Claim.partner),
        request.lazyload(FundRequest.partner),
        request.joinedload(FundRequest.allocation).lazyload(Allocation.partner),
        selectinload(Claim.proof_files),
        selectinload(Claim.payment).lazyload(Payment.claim),
    )
    stmt = _own(select(Claim).options(*loaders), Claim, args["partner_id"])
    if args["status"] is not None:
        stmt = stmt.where(Claim.status == args["status"])
    if args["fund_request_id"] is not None:
        stmt = stmt.where(Claim.fund_request_id == args["fund_request_id"])
    page = keyset_page(db.session(), stmt, Claim.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.get("/claims/<id:claim_id>")
@require("mdf", "read", ALL_ROLES)
@problems(bp, 404)
@bp.response(200, schemas.ClaimSchema)
def get_claim(claim_id: int) -> Claim:
    """One claim (another partner's is 404)."""
    return get_scoped_or_404(db.session(), Claim, claim_id)


@bp.post("/claims/<id:claim_id>/submit")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.response(200, schemas.ClaimSchema)
def submit_claim(claim_id: int) -> Claim:
    """Send a claim to finance (it needs an invoice among its proof files)."""
    claim = get_scoped_or_404(db.session(), Claim, claim_id)
    try:
        claim_services.submit_claim(db.session(), current_user, claim.id, today())
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.claim_submitted(db.session(), claim)
    return claim


@bp.post("/claims/<id:claim_id>/approve")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.ApproveSchema)
@bp.response(200, schemas.ClaimSchema)
def approve_claim(data: dict[str, Any], claim_id: int) -> Claim:
    """Approve a claim, possibly for less than claimed."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    _check_currency(data["currency"], claim.currency)
    try:
        claim_services.approve_claim(
            session, current_user, claim.id, data["amount"], data["comment"]
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.claim_decided(claim)
    return claim


@bp.post("/claims/<id:claim_id>/reject")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.ReasonSchema)
@bp.response(200, schemas.ClaimSchema)
def reject_claim(data: dict[str, Any], claim_id: int) -> Claim:
    """Refuse a claim, with the reason the partner will read."""
    claim = get_scoped_or_404(db.session(), Claim, claim_id)
    try:
        decided = claim_services.reject_claim(db.session(), current_user, claim.id, data["comment"])
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.claim_decided(decided)
    return decided


@bp.post("/claims/<id:claim_id>/payment")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.PaymentCreateSchema)
@bp.response(201, schemas.PaymentSchema)
def record_payment(data: dict[str, Any], claim_id: int) -> tuple[Payment, int, dict[str, str]]:
    """Record that an approved claim was paid (the approved amount, in full)."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    try:
        payment = payment_services.record_payment(
            session,
            current_user,
            claim.id,
            paid_on=data["paid_on"],
            method=data["method"],
            reference=data["reference"],
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.claim_decided(claim, payment)
    return payment, 201, {"Location": url_for("api_mdf.get_payment", payment_id=payment.id)}


# --- payments and allocations ------------------------------------------------------------


@bp.get("/payments")
@require("mdf", "read", FINANCE_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.MdfListQuery, location="query", unknown=None)
@bp.response(200, schemas.PaymentPageSchema)
def list_payments(args: dict[str, Any]) -> dict[str, Any]:
    """Payments, newest first (finance and admins, as the payments page)."""
    stmt = select(Payment).options(*_PAYMENT_LOADERS)
    if args["partner_id"] is not None:
        stmt = stmt.where(
            Payment.claim_id.in_(select(Claim.id).where(Claim.partner_id == args["partner_id"]))
        )
    page = keyset_page(db.session(), stmt, Payment.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.get("/payments/<id:payment_id>")
@require("mdf", "read", FINANCE_ROLES)
@problems(bp, 404)
@bp.response(200, schemas.PaymentSchema)
def get_payment(payment_id: int) -> Payment:
    """One payment."""
    payment = db.session().get(Payment, payment_id)
    if payment is None:
        raise ApiProblem(404)
    return payment


def _allocation_rows(allocations: list[Allocation]) -> list[dict[str, Any]]:
    balances = ledger.balances(db.session(), [a.id for a in allocations])
    rows = []
    for allocation in allocations:
        balance = balances[allocation.id]
        rows.append(
            {
                "id": allocation.id,
                "partner_id": allocation.partner_id,
                "budget_id": allocation.budget_id,
                "budget_name": allocation.budget.name,
                "period_start": allocation.budget.period_start,
                "period_end": allocation.budget.period_end,
                "currency": allocation.currency,
                "balance": {
                    name: getattr(balance, name)
                    for name in ("allocated", "committed", "claimed", "paid", "available")
                }
                | {"payable": balance.payable},
            }
        )
    return rows


@bp.get("/allocations")
@require("mdf", "read", ALL_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.AllocationQuery, location="query", unknown=None)
@bp.response(200, schemas.AllocationPageSchema)
def list_allocations(args: dict[str, Any]) -> dict[str, Any]:
    """Allocations with their balances: a partner's own, every partner's for the vendor."""
    stmt = select(Allocation).join(Allocation.budget).options(lazyload(Allocation.partner))
    stmt = _own(stmt, Allocation, args["partner_id"])
    if args["budget_id"] is not None:
        stmt = stmt.where(Budget.id == args["budget_id"])
    page = keyset_page(db.session(), stmt, Allocation.id, args["cursor"], args["limit"])
    return {"items": _allocation_rows(page.items), "next_cursor": page.next_cursor}


@bp.get("/allocations/<id:allocation_id>")
@require("mdf", "read", ALL_ROLES)
@problems(bp, 404)
@bp.response(200, schemas.AllocationSchema)
def get_allocation(allocation_id: int) -> dict[str, Any]:
    """One allocation with its balance (another partner's is 404)."""
    allocation = get_scoped_or_404(db.session(), Allocation, allocation_id)
    return _allocation_rows([allocation])[0]
