"""Dashboard figures over /api/v1: the numbers of the dashboard page, from the same queries."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import Schema, fields, validate

from tcma import db
from tcma.accounts.access import current_partner_id
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem
from tcma.api.schemas import ID_RANGE, MoneyString, Text, decimal_string
from tcma.db import utcnow
from tcma.mdf.money import CURRENCIES
from tcma.reports import dashboard as boards
from tcma.reports import rankings
from tcma.reports.filters import PERIODS, parse_filter
from tcma.reports.sources import REGIONS

bp = api_blueprint("api_reports", __name__, "", "Dashboard figures.")

_MONTH = validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$", error="Give a month as YYYY-MM.")
_PERCENT = "Percent with one decimal; null when there is nothing to divide by."


class DashboardQuery(Schema):
    """The dashboard page's filter: period, tier, region, kit, partner and currency."""

    period = Text(load_default="12m", validate=validate.OneOf(PERIODS))
    date_from = Text(
        load_default=None, data_key="from", validate=_MONTH, metadata={"description": "custom"}
    )
    date_to = Text(
        load_default=None, data_key="to", validate=_MONTH, metadata={"description": "custom"}
    )
    tier_id = fields.Integer(load_default=None, validate=ID_RANGE)
    region = Text(load_default=None, validate=validate.OneOf(REGIONS))
    kit_id = fields.Integer(load_default=None, validate=ID_RANGE)
    partner_id = fields.Integer(load_default=None, validate=ID_RANGE)
    currency = Text(load_default=None, validate=validate.OneOf(CURRENCIES))


class FundsSchema(Schema):
    allocated = MoneyString()
    committed = MoneyString()
    paid = MoneyString()
    utilisation = decimal_string(_PERCENT)


class PipelineSchema(Schema):
    views = fields.Integer()
    leads = fields.Integer()
    qualified = fields.Integer()
    opportunities = fields.Integer()
    open_pipeline = MoneyString()
    won = fields.Integer()
    won_revenue = MoneyString()


class StepSchema(Schema):
    label = Text()
    count = fields.Integer()
    rate = decimal_string(_PERCENT)


class MonthSchema(Schema):
    month = Text(metadata={"description": "YYYY-MM"})
    views = fields.Integer()
    leads = fields.Integer()
    qualified = fields.Integer()
    opportunities = fields.Integer()
    new_pipeline = MoneyString()
    won = fields.Integer()
    won_revenue = MoneyString()
    mdf_paid = MoneyString()


class RankedSchema(Schema):
    id = fields.Integer()
    name = Text()
    opportunities = fields.Integer()
    open_pipeline = MoneyString()
    won_revenue = MoneyString()
    mdf_paid = MoneyString()
    roi = decimal_string("Won revenue / MDF paid; null without MDF paid.")
    pipeline_rank = fields.Integer()


class DashboardSchema(Schema):
    """The dashboard's figures; every amount is in ``currency``."""

    currency = Text()
    period = Text()
    date_from = fields.Date(allow_none=True, metadata={"description": "First day covered."})
    date_to = fields.Date(allow_none=True, metadata={"description": "Last day covered."})
    funds = fields.Nested(FundsSchema)
    pipeline = fields.Nested(PipelineSchema)
    cost_per_lead = MoneyString(allow_none=True)
    roi = decimal_string("Won revenue / MDF paid; null without MDF paid.")
    funnel = fields.List(fields.Nested(StepSchema))
    months = fields.List(fields.Nested(MonthSchema))
    kits = fields.List(fields.Nested(RankedSchema), metadata={"description": "Top kits."})
    partners = fields.List(
        fields.Nested(RankedSchema), metadata={"description": "Top partners (vendor only)."}
    )


@bp.get("/dashboard")
@require("reports", "read")
@problems(bp, 404, 422)
@bp.arguments(DashboardQuery, location="query")
@bp.response(200, DashboardSchema)
def dashboard(args: dict[str, Any]) -> dict[str, Any]:
    """The vendor's program, or a partner's own numbers, as the dashboard page shows them."""
    raw = {
        "period": args["period"],
        "from": args["date_from"] or "",
        "to": args["date_to"] or "",
        "tier": str(args["tier_id"] or ""),
        "region": args["region"] or "",
        "kit": str(args["kit_id"] or ""),
        "partner": str(args["partner_id"] or ""),
        "currency": args["currency"] or "",
    }
    flt = parse_filter(raw, utcnow().date(), REGIONS)
    session, own = db.session(), current_partner_id()
    if own is None:
        board = boards.vendor_dashboard(session, flt)
    else:
        if flt.partner_id not in (None, own):
            raise ApiProblem(404)
        flt = replace(flt, partner_id=own, tier_id=None, region=None)
        board = boards.partner_dashboard(session, flt, own, utcnow())
    return {
        "currency": board.flt.currency,
        "period": board.flt.period,
        "date_from": board.flt.date_from,
        "date_to": board.flt.date_to,
        "funds": {**vars(board.funds), "utilisation": board.utilisation},
        "pipeline": {k: v for k, v in vars(board.pipeline).items() if k != "months"},
        "cost_per_lead": board.cost_per_lead,
        "roi": board.roi,
        "funnel": [{"label": s, "count": c, "rate": r} for s, c, r in board.funnel],
        "months": [vars(month) for month in board.months],
        "kits": [_ranked(row) for row in board.kits],
        "partners": [_ranked(row) for row in board.partners],
    }


def _ranked(row: rankings.Ranked) -> dict[str, Any]:
    return {**vars(row), "roi": row.roi}
