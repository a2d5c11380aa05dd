"""CSV for every dashboard table, and the vendor dashboard as a one-page PDF with its charts."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

from tcma.reports import charts, kit_queries, next_steps, rankings, rules
from tcma.reports.dashboard import Dashboard
from tcma.reports.filters import DashboardFilter

# A spreadsheet runs text cells starting with these as formulas; partner-typed names must not.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Rows = tuple[list[str], Iterable[Iterable[Any]]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV document (RFC 4180, CRLF line ends) with formula-looking text defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def summary_rows(board: Dashboard) -> Rows:
    """The headline figures with their definitions."""
    cur, funds, p = board.flt.currency, board.funds, board.pipeline
    allocated = None if board.flt.kit_id is not None else funds.allocated
    rows = [
        ("MDF allocated", allocated, cur, rules.DEFINITIONS["allocated"]),
        ("MDF committed", funds.committed, cur, rules.DEFINITIONS["committed"]),
        ("MDF paid", funds.paid, cur, rules.DEFINITIONS["paid"]),
        ("Utilisation (%)", board.utilisation, "", rules.DEFINITIONS["utilisation"]),
        ("Leads", p.leads, "", ""),
        ("Qualified leads", p.qualified, "", rules.DEFINITIONS["qualified"]),
        ("Opportunities", p.opportunities, "", ""),
        ("Open pipeline", p.open_pipeline, cur, rules.DEFINITIONS["open_pipeline"]),
        ("Won revenue", p.won_revenue, cur, rules.DEFINITIONS["won_revenue"]),
        ("Cost per lead", board.cost_per_lead, cur, rules.DEFINITIONS["cost_per_lead"]),
        ("ROI (times)", board.roi, "", rules.DEFINITIONS["roi"]),
    ]
    return ["figure", "value", "currency", "definition"], rows


def funnel_rows(board: Dashboard) -> Rows:
    """The funnel steps with the share of the step before."""
    return ["step", "count", "share of previous step (%)"], board.funnel


def trend_rows(board: Dashboard) -> Rows:
    """The monthly trend."""
    header = [
        "month",
        "landing page views",
        "leads",
        "qualified leads",
        "opportunities",
        "new pipeline",
        "won",
        "won revenue",
        "MDF paid",
        "currency",
    ]
    return header, (
        [
            m.month,
            m.views,
            m.leads,
            m.qualified,
            m.opportunities,
            m.new_pipeline,
            m.won,
            m.won_revenue,
            m.mdf_paid,
            board.flt.currency,
        ]
        for m in board.months
    )


def ranking_rows(rows: list[rankings.Ranked], currency: str | None, noun: str) -> Rows:
    """A full ranking, by open pipeline."""
    header = [
        noun,
        "details",
        "rank by pipeline",
        "rank by ROI",
        "opportunities",
        "open pipeline",
        "won revenue",
        "MDF paid",
        "ROI (times)",
        "currency",
    ]
    return header, (
        [
            r.name,
            r.detail,
            r.pipeline_rank,
            r.roi_rank,
            r.opportunities,
            r.open_pipeline,
            r.won_revenue,
            r.mdf_paid,
            r.roi,
            currency,
        ]
        for r in rows
    )


def idle_rows(rows: list[rankings.IdlePartner], currency: str | None) -> Rows:
    """Partners with allocation but no activity."""
    return (
        ["partner", "tier", "region", "allocated", "currency"],
        ([r.name, r.tier, r.region, r.allocated, currency] for r in rows),
    )


def first_lead_rows(result: rankings.FirstLeads) -> Rows:
    """Time from first campaign to first lead, per partner."""
    return (
        ["partner", "first campaign", "first lead", "days"],
        ([r.name, r.first_campaign, r.first_lead, r.days] for r in result.rows),
    )


def kit_version_rows(rows: list[kit_queries.KitVersionUse], currency: str | None) -> Rows:
    """Kit performance per version."""
    header = [
        "kit",
        "version",
        "partners",
        "campaigns",
        "downloads",
        "launches",
        "leads",
        "qualified leads",
        "opportunities",
        "won revenue",
        "currency",
    ]
    return header, (
        [
            r.kit,
            r.version,
            r.partners,
            r.campaigns,
            r.downloads,
            r.launches,
            r.leads,
            r.qualified,
            r.opportunities,
            r.won_revenue,
            currency,
        ]
        for r in rows
    )


def claims_due_rows(rows: list[next_steps.ClaimDue]) -> Rows:
    """Claims due soon."""
    return (
        ["fund request", "claim due on", "approved", "currency"],
        ([r.title, r.due_on, r.approved, r.currency] for r in rows),
    )


def unused_rows(rows: list[next_steps.UnusedAllocation]) -> Rows:
    """Unused allocation."""
    return (
        ["budget", "budget ends", "available", "currency"],
        ([r.budget, r.period_end, r.available, r.currency] for r in rows),
    )


@dataclass(frozen=True)
class ExportContext:
    """What a table's rows are made from: the session, the filter, the dashboard, today."""

    session: Session
    flt: DashboardFilter
    board: Callable[[], Dashboard]
    today: dt.date
    own_partner: bool = False

    @property
    def first_lead_filter(self) -> DashboardFilter:
        """A partner's own first lead counts whenever it came, as on its dashboard."""
        return replace(self.flt, date_from=None, date_to=None) if self.own_partner else self.flt

    @property
    def partner_id(self) -> int:
        """The partner of a partner-only table: a partner's own export always names it."""
        if self.flt.partner_id is None:
            raise LookupError("a partner-only table was exported without a partner")
        return self.flt.partner_id


@dataclass(frozen=True)
class Table:
    """One exportable table: who may export it and how its rows are made."""

    vendor: bool
    partner: bool
    rows: Callable[[ExportContext], Rows]


TABLES: dict[str, Table] = {
    "summary": Table(True, True, lambda c: summary_rows(c.board())),
    "funnel": Table(True, True, lambda c: funnel_rows(c.board())),
    "trend": Table(True, True, lambda c: trend_rows(c.board())),
    "kits": Table(
        True,
        True,
        lambda c: ranking_rows(rankings.kits(c.session, c.flt, limit=None), c.flt.currency, "kit"),
    ),
    "first-leads": Table(
        True,
        True,
        lambda c: first_lead_rows(rankings.first_leads(c.session, c.first_lead_filter, limit=None)),
    ),
    "partners": Table(
        True,
        False,
        lambda c: ranking_rows(
            rankings.partners(c.session, c.flt, limit=None), c.flt.currency, "partner"
        ),
    ),
    "idle-partners": Table(
        True,
        False,
        lambda c: idle_rows(rankings.idle_partners(c.session, c.flt, limit=None), c.flt.currency),
    ),
    "kit-versions": Table(
        True,
        False,
        lambda c: kit_version_rows(kit_queries.kit_versions(c.session, c.flt), c.flt.currency),
    ),
    "claims-due": Table(
        False,
        True,
        lambda c: claims_due_rows(next_steps.claims_due_soon(c.session, c.partner_id, c.today)),
    ),
    "unused-allocation": Table(
        False,
        True,
        lambda c: unused_rows(next_steps.unused_allocations(c.session, c.partner_id, c.today)),
    ),
}


def render_pdf(board: Dashboard, vendor_name: str) -> bytes:
    """The vendor dashboard on one landscape A4 page, charts drawn as inline SVG."""
    p, months = board.pipeline, board.months
    funnel = charts.svg_bars(
        "Funnel",
        [
            (label, float(count), f"{count:,}" + (f" ({rate} %)" if rate is not None else ""))
            for label, count, rate in board.funnel
        ],
    )
    trend = charts.svg_trend(
        "Leads (bars) and won revenue (line) by month",
        [rules.month_name(m.month)[:3] + m.month[2:4] for m in months],
        [float(m.leads) for m in months],
        [float(m.won_revenue) for m in months],
        ("Leads", "Won revenue"),
    )
    html = render_template(
        "reports/pdf.html",
        board=board,
        p=p,
        funnel_svg=funnel,
        trend_svg=trend,
        vendor_name=vendor_name,
        rules=rules,
        scope=board.flt.describe(board.choices.names(board.flt)),
    )
    # WeasyPrint loads on the first dashboard PDF, not when a web worker starts. Tagged, like
    # every PDF tcma makes: screen readers get its headings and tables.
    weasyprint = importlib.import_module("weasyprint")
    return weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf(pdf_tags=True)


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict:
    # The report is self-contained: nothing is fetched, from anywhere.
    raise ValueError(f"the dashboard PDF fetches nothing ({url})")
