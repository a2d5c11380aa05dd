"""Dashboard pages: the vendor's and each partner's dashboard, kit performance, CSV and PDF."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from tcma import db, filter_ids
from tcma.accounts.access import current_partner_id
from tcma.db import utcnow
from tcma.permissions import MARKETING_ROLES, marketing_staff, signed_in, vendor_staff
from tcma.reports import charts, exports, rankings, rules
from tcma.reports import dashboard as boards
from tcma.reports.filters import PERIODS, DashboardFilter, parse_filter
from tcma.reports.links import Links
from tcma.reports.sources import REGIONS

bp = Blueprint("reports", __name__, url_prefix="/reports")
# The dashboards' figures: 4× for ROI, 31.4 % for shares, Mar 2025 for months; — for none.
bp.add_app_template_filter(rules.format_ratio, "ratio")
bp.add_app_template_filter(rules.format_percent, "percent")
bp.add_app_template_filter(rules.month_name, "month_name")


def requested_filter() -> DashboardFilter:
    """The query string's filter; a partner asking for another partner's numbers gets 404."""
    flt = parse_filter(request.args, utcnow().date(), REGIONS)
    # The ids are checked like every list filter's: unknown or not yours is a 404.
    for check in (filter_ids.partner, filter_ids.kit, filter_ids.tier):
        check(request.args)
    own = current_partner_id()
    if own is None:
        return flt
    if flt.partner_id not in (None, own):
        abort(404)
    return replace(flt, partner_id=own, tier_id=None, region=None)


def _board(flt: DashboardFilter) -> boards.Dashboard:
    session, own = db.session(), current_partner_id()
    if own is None:
        return boards.vendor_dashboard(session, flt)
    return boards.partner_dashboard(session, flt, own, utcnow())


@bp.route("/")
@signed_in
def dashboard() -> str:
    """Vendor staff see the whole program; partner users see their own company's numbers."""
    board = _board(requested_filter())
    own = current_partner_id() is not None
    chart_data = {
        "chart-funnel": charts.funnel_chart(board),
        "chart-trend": charts.trend_chart(board),
        "chart-kits": charts.ranking_chart(board.kits, board.flt.currency),
    }
    if not own:
        chart_data["chart-partners"] = charts.ranking_chart(board.partners, board.flt.currency)
    return render_template(
        "reports/partner.html" if own else "reports/vendor.html",
        board=board,
        flt=board.flt,
        links=Links(board.flt, current_user.role, own_partner=own),
        chart_data=chart_data,
        periods=PERIODS,
        rules=rules,
        rankings=rankings,
    )


@bp.route("/kits")
@marketing_staff
def kits() -> str:
    """Which kits partners use, and what each kit version brought in."""
    flt, options, rows = boards.kit_performance(db.session(), requested_filter())
    return render_template(
        "reports/kits.html",
        flt=flt,
        choices=options,
        rows=rows,
        periods=PERIODS,
        links=Links(flt, current_user.role),
        chart_data={"chart-kit-use": charts.kit_use_chart(rows)},
    )


@bp.route("/export/<name>.csv")
@signed_in
def export_csv(name: str) -> Response:
    """One dashboard table as CSV, with the page's filters; partners get only their own."""
    table = exports.TABLES.get(name)
    own = current_partner_id()
    if table is None or not (table.partner if own is not None else table.vendor):
        abort(404)
    if name == "kit-versions" and current_user.role not in MARKETING_ROLES:
        abort(403)
    session = db.session()
    flt = boards.resolve_filter(session, requested_filter(), own)
    context = exports.ExportContext(
        session, flt, lambda: _board(flt), utcnow().date(), own_partner=own is not None
    )
    header, rows = table.rows(context)
    body = exports.to_csv(header, rows)
    return _attachment(body.encode("utf-8"), "text/csv; charset=utf-8", f"{name}.csv", flt)


@bp.route("/dashboard.pdf")
@vendor_staff
def export_pdf() -> Response:
    """The vendor dashboard as a one-page PDF report."""
    board = boards.vendor_dashboard(db.session(), requested_filter())
    pdf = exports.render_pdf(board, current_app.config["VENDOR_NAME"])
    return _attachment(pdf, "application/pdf", "dashboard.pdf", board.flt)


def _attachment(body: bytes, mimetype: str, name: str, flt: DashboardFilter) -> Response:
    span = "-".join(day.isoformat() for day in (flt.date_from, flt.date_to) if day) or "all"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="tcma-{span}-{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
