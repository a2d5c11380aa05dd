"""The pipeline blueprint: every URL of the area in one table (the views live by topic)."""

from __future__ import annotations

from flask import Blueprint

from tcma.pipeline import lead_views, opportunity_views, report_views, transfer_views

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")

_ROUTES = (
    ("/leads", lead_views.leads, ["GET"]),
    ("/leads.csv", transfer_views.export_leads, ["GET"]),
    ("/leads/<int:lead_id>", lead_views.lead, ["GET"]),
    ("/leads/<int:lead_id>", lead_views.update_lead, ["POST"]),
    ("/leads/<int:lead_id>/convert", lead_views.convert_lead, ["GET", "POST"]),
    ("/leads/<int:lead_id>/erase", lead_views.erase_lead, ["POST"]),
    ("/opportunities", opportunity_views.opportunities, ["GET"]),
    ("/opportunities.csv", transfer_views.export_opportunities, ["GET"]),
    ("/opportunities/new", opportunity_views.new_opportunity, ["GET", "POST"]),
    ("/opportunities/<int:opportunity_id>", opportunity_views.opportunity, ["GET"]),
    ("/opportunities/<int:opportunity_id>", opportunity_views.update_opportunity, ["POST"]),
    ("/import", transfer_views.import_csv, ["GET", "POST"]),
    ("/import/confirm", transfer_views.confirm_import, ["POST"]),
    ("/campaigns/<int:campaign_id>", report_views.campaign, ["GET"]),
    ("/overview", report_views.overview, ["GET"]),
)

for rule, view, methods in _ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)
