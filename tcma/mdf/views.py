"""The MDF blueprint: the funds overview, the area's page groups, and `tcma mdf` commands."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from tcma import db
from tcma.mdf import ledger, money, rules, uploads
from tcma.mdf.budget_views import bp as budgets_bp
from tcma.mdf.claim_views import bp as claims_bp
from tcma.mdf.cli import release_expired_command
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest
from tcma.mdf.payment_views import bp as payments_bp
from tcma.mdf.request_views import bp as requests_bp
from tcma.mdf.web import today
from tcma.permissions import signed_in

bp = Blueprint("mdf", __name__, url_prefix="/mdf", cli_group="mdf")
bp.register_blueprint(budgets_bp)
bp.register_blueprint(requests_bp)
bp.register_blueprint(claims_bp)
bp.register_blueprint(payments_bp)
bp.cli.add_command(release_expired_command)

GROUPS = {"budget": "Budget", "tier": "Tier", "partner": "Partner"}


@bp.context_processor
def _labels() -> dict:
    """Labels every MDF page uses (nested page groups inherit this processor)."""
    return {
        "STATE_LABELS": rules.STATE_LABELS,
        "ACTIVITY_TYPES": rules.ACTIVITY_TYPES,
        "PAYMENT_METHODS": rules.PAYMENT_METHODS,
        "PROOF_KINDS": uploads.PROOF_KINDS,
        "LEDGER_KIND_LABELS": money.LEDGER_KIND_LABELS,
    }


def _count(model, status: str) -> int:
    stmt = select(func.count(model.id)).where(model.status == status)
    if current_user.partner_id is not None:
        stmt = stmt.where(model.partner_id == current_user.partner_id)
    return db.session().scalar(stmt) or 0


@bp.route("/")
@signed_in
def index() -> str:
    """Funds at a glance: a partner's own balances, or the vendor's by budget, tier, partner."""
    session = db.session()
    if current_user.partner_id is not None:
        allocations = list(
            session.scalars(
                select(Allocation)
                .join(Allocation.budget)
                .where(Allocation.partner_id == current_user.partner_id)
                .order_by(Budget.period_end.desc(), Budget.name)
            )
        )
        recent = session.scalars(
            select(FundRequest)
            .where(FundRequest.partner_id == current_user.partner_id)
            .order_by(FundRequest.id.desc())
            .limit(5)
        )
        return render_template(
            "mdf/index_partner.html",
            allocations=allocations,
            balances=ledger.balances(session, [a.id for a in allocations]),
            recent=list(recent),
            today=today(),
            counts={
                "changes": _count(FundRequest, rules.CHANGES_REQUESTED),
                "claims_back": _count(Claim, rules.CHANGES_REQUESTED),
            },
        )
    group = request.args.get("by", "budget")
    if group not in GROUPS:
        group = "budget"
    rows = ledger.balances_by(session, group)
    peak = max((balance.allocated for _, _, balance in rows), default=0) or 1
    return render_template(
        "mdf/index_vendor.html",
        rows=rows,
        peak=peak,
        group=group,
        groups=GROUPS,
        counts={
            "requests": _count(FundRequest, rules.SUBMITTED)
            + _count(FundRequest, rules.AWAITING_SECOND),
            "claims": _count(Claim, rules.SUBMITTED),
            "to_pay": _count(Claim, rules.APPROVED),
        },
    )
