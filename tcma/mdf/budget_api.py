"""Budgets and allocation changes over /api/v1: finance's page actions (budget_views.py).

The same services, limits, ledger entries and audit events as the pages; row locks make
two simultaneous changes of one budget or allocation take turns.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from tcma import db
from tcma.accounts.rules import VENDOR_ROLES
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, field_error
from tcma.api.pagination import keyset_page
from tcma.api.schemas import PageQuery
from tcma.mdf import action_schemas, budget_services, ledger, schemas
from tcma.mdf.api import _allocation_rows, _check_currency, _mdf_error
from tcma.mdf.models import Allocation, Budget
from tcma.mdf.rules import MdfError
from tcma.permissions import FINANCE_ROLES

bp = api_blueprint("api_budgets", __name__, "", "MDF budgets and allocation changes (finance).")


def _budget_row(budget: Budget) -> dict[str, Any]:
    allocated = ledger.allocated_from_budget(db.session(), budget.id)
    return {
        **{k: getattr(budget, k) for k in action_schemas.BudgetSchema().fields if k != "allocated"},
        "allocated": allocated,
    }


def _budget(budget_id: int) -> Budget:
    budget = db.session().get(Budget, budget_id)
    if budget is None:
        raise ApiProblem(404)
    return budget


def _allocation(allocation_id: int) -> Allocation:
    allocation = db.session().get(Allocation, allocation_id)
    if allocation is None:
        raise ApiProblem(404)
    return allocation


@bp.get("/budgets")
@require("mdf", "read", VENDOR_ROLES)
@problems(bp, 400, 422)
@bp.arguments(PageQuery, location="query", unknown=None)
@bp.response(200, action_schemas.BudgetPageSchema)
def list_budgets(args: dict[str, Any]) -> dict[str, Any]:
    """Budgets, newest first, with what is allocated from each (vendor staff)."""
    page = keyset_page(db.session(), select(Budget), Budget.id, args["cursor"], args["limit"])
    return {"items": [_budget_row(b) for b in page.items], "next_cursor": page.next_cursor}


@bp.get("/budgets/<id:budget_id>")
@require("mdf", "read", VENDOR_ROLES)
@problems(bp, 404)
@bp.response(200, action_schemas.BudgetSchema)
def get_budget(budget_id: int) -> dict[str, Any]:
    """One budget."""
    return _budget_row(_budget(budget_id))


@bp.post("/budgets")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 400, 422)
@bp.arguments(action_schemas.BudgetCreateSchema)
@bp.response(201, action_schemas.BudgetSchema)
def create_budget(data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A budget for a period, in one currency (allocate it to partners next)."""
    try:
        budget = budget_services.create_budget(db.session(), current_user, **data)
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    location = url_for("api_budgets.get_budget", budget_id=budget.id)
    return _budget_row(budget), 201, {"Location": location}


@bp.post("/budgets/<id:budget_id>/allocations")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.AllocateSchema)
@bp.response(200, schemas.AllocationSchema)
def allocate(data: dict[str, Any], budget_id: int) -> dict[str, Any]:
    """Give a partner (more) money from the budget; never more than the budget has left."""
    budget = _budget(budget_id)
    _check_currency(data["currency"], budget.currency)
    try:
        allocation = budget_services.allocate(
            db.session(),
            current_user,
            budget.id,
            data["partner_id"],
            data["amount"],
            data["comment"],
        )
    except MdfError as exc:
        if exc.field == "partner_id":
            raise field_error(404, exc.message, "partner_id") from exc
        raise _mdf_error(exc) from exc
    return _allocation_rows([allocation])[0]


@bp.post("/allocations/<id:allocation_id>/adjust")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.AdjustSchema)
@bp.response(200, schemas.AllocationSchema)
def adjust_allocation(data: dict[str, Any], allocation_id: int) -> dict[str, Any]:
    """Set the allocation to a new amount (not below what is committed and paid)."""
    allocation = _allocation(allocation_id)
    _check_currency(data["currency"], allocation.currency)
    try:
        budget_services.set_allocation(
            db.session(), current_user, allocation.id, data["amount"], data["comment"]
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    return _allocation_rows([allocation])[0]


@bp.post("/allocations/<id:allocation_id>/move")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.MoveSchema)
@bp.response(200, schemas.AllocationSchema)
def move_allocation(data: dict[str, Any], allocation_id: int) -> dict[str, Any]:
    """Move available money to another partner in the same budget; answers the source."""
    allocation = _allocation(allocation_id)
    _check_currency(data["currency"], allocation.currency)
    try:
        budget_services.move_allocation(
            db.session(),
            current_user,
            allocation.id,
            data["to_partner_id"],
            data["amount"],
            data["comment"],
        )
    except MdfError as exc:
        if exc.field == "partner_id":
            raise field_error(404, exc.message, "to_partner_id") from exc
        raise _mdf_error(exc) from exc
    return _allocation_rows([allocation])[0]
