"""Campaigns over /api/v1: the same services, state machine and tenant getters as the pages."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import current_app, url_for
from flask_login import current_user

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.access import current_partner_id
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, field_error, rule_problem
from tcma.api.pagination import keyset_page
from tcma.campaigns import launch, schemas, services, web
from tcma.campaigns import launch_rules as rules
from tcma.campaigns.models import Campaign
from tcma.campaigns.rules import FieldErrors, field_defaults
from tcma.kits import services as kit_services
from tcma.kits.models import KitVersion
from tcma.permissions import PARTNER_WORK_ROLES
from tcma.pipeline import queries
from tcma.pipeline.queries import PipelineFilter
from tcma.storage import get_storage

bp = api_blueprint("api_campaigns", __name__, "/campaigns", "Partner campaigns.")

# As on the pages: partners start, launch and resume their own campaigns; the vendor's
# admins and marketers may pause or end one (oversight); every role reads them.
PARTNERS = account_rules.PARTNER_ROLES
OVERSEERS = PARTNER_WORK_ROLES


def _field_errors(exc: FieldErrors) -> ApiProblem:
    errors = [
        {
            "location": "json",
            "field": key if key == "name" else f"field_values.{key}",
            "message": message,
        }
        for key, message in exc.problems.items()
    ]
    return ApiProblem(422, detail="Some values are not valid; see errors.", errors=errors)


def _launch_error(exc: rules.LaunchError) -> ApiProblem:
    # Without a field the action does not fit the campaign's state (e.g. ending a draft).
    if exc.field:
        return rule_problem(exc)
    return ApiProblem(409, None, exc.message)


def _catalog_version(version_id: int) -> KitVersion:
    """The kit version to start from: the latest published one of a kit in the catalog."""
    session = db.session()
    version = session.get(KitVersion, version_id)
    latest = (
        kit_services.get_visible_kit_version(session, current_user.partner, version.kit_id)
        if version is not None and version.is_published
        else None
    )
    if latest is None:
        raise field_error(422, "No such kit version in your catalog.", "kit_version_id")
    if latest.id != version.id:  # type: ignore[union-attr]
        raise field_error(
            422,
            f"A newer version of this kit is published: start from kit_version_id {latest.id}.",
            "kit_version_id",
        )
    return latest


def _text_values(version: KitVersion, values: Mapping[str, str | None]) -> dict[str, str | None]:
    """The kit's defaults overlaid with the sent values (as the page pre-fills its form); a
    key the kit does not have, or an image field, is a field error."""
    specs = {spec["key"]: spec for spec in services.field_specs(version)}
    errors = []
    for key in values:
        if key not in specs:
            message = "This kit has no such field."
        elif specs[key].get("type") == "image":
            message = "Image fields are uploaded on the campaign's page."
        else:
            continue
        errors.append({"location": "json", "field": f"field_values.{key}", "message": message})
    if errors:
        raise ApiProblem(422, detail="Some values are not valid; see errors.", errors=errors)
    return {**field_defaults(specs.values()), **values}


@bp.get("")
@require("campaigns", "read")
@problems(bp, 400, 422)
@bp.arguments(schemas.CampaignQuery, location="query", unknown=None)  # None: the Meta decides
@bp.response(200, schemas.CampaignPageSchema)
def list_campaigns(args: dict[str, Any]) -> dict[str, Any]:
    """Campaigns, newest first: a partner's own; the vendor's of every partner."""
    own = current_partner_id()
    stmt = services.campaigns_statement(
        own if own is not None else args["partner_id"],
        kit_id=args["kit_id"],
        status=args["status"],
        q=args["q"],
    )
    if args["updated_since"] is not None:
        stmt = stmt.where(Campaign.updated_at >= args["updated_since"])
    page = keyset_page(db.session(), stmt, Campaign.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.post("")
@require("campaigns", "write", PARTNERS)
@problems(bp, 400, 422)
@bp.arguments(schemas.CampaignCreateSchema)
@bp.response(201, schemas.CampaignSchema)
def create_campaign(data: dict[str, Any]) -> tuple[Campaign, int, dict[str, str]]:
    """Start a draft campaign from a kit version with co-brand field values."""
    version = _catalog_version(data["kit_version_id"])
    raw = _text_values(version, data["field_values"])
    try:
        campaign = services.start_campaign(
            db.session(),
            get_storage(),
            current_user.partner,
            version,
            current_user.id,
            data["name"],
            raw,
        )
    except FieldErrors as exc:
        raise _field_errors(exc) from exc
    location = url_for("api_campaigns.get_campaign", campaign_id=campaign.id)
    return campaign, 201, {"Location": location}


@bp.get("/<id:campaign_id>")
@require("campaigns", "read")
@problems(bp, 404)
@bp.response(200, schemas.CampaignSchema)
def get_campaign(campaign_id: int) -> Campaign:
    """One campaign (another partner's is 404)."""
    return web.load_campaign(campaign_id)


@bp.patch("/<id:campaign_id>")
@require("campaigns", "write", PARTNERS)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.CampaignEditSchema)
@bp.response(200, schemas.CampaignSchema)
def update_campaign(data: dict[str, Any], campaign_id: int) -> Campaign:
    """Change the name and co-brand field values, checked by the kit's rules as on the page."""
    campaign = web.load_campaign(campaign_id)
    version = campaign.kit_version
    saved = dict(campaign.field_values or {})
    sent = _text_values(version, data.get("field_values", {}))
    images = {s["key"] for s in services.field_specs(version) if s.get("type") == "image"}
    texts = {key: value for key, value in saved.items() if key not in images}
    raw = {**texts, **{key: sent[key] for key in data.get("field_values", {})}}
    try:
        services.update_campaign(
            db.session(),
            get_storage(),
            campaign,
            current_user.id,
            data.get("name", campaign.name),
            raw,
        )
    except FieldErrors as exc:
        raise _field_errors(exc) from exc
    return campaign


@bp.post("/<id:campaign_id>/launch")
@require("campaigns", "write", PARTNERS)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.LaunchSchema)
@bp.response(200, schemas.CampaignSchema)
def launch_campaign(data: dict[str, Any], campaign_id: int) -> Campaign:
    """Put a draft live: its landing page takes leads from the first to the last day."""
    campaign = web.load_campaign(campaign_id)
    consent = data["consent_text"]
    if consent is None:
        consent = rules.default_consent_text(
            campaign.partner.name, current_app.config["VENDOR_NAME"]
        )
    try:
        launch.launch_campaign(
            db.session(),
            current_user.id,
            campaign,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            consent_text=consent,
        )
    except rules.LaunchError as exc:
        raise _launch_error(exc) from exc
    return campaign


@bp.post("/<id:campaign_id>/pause")
@require("campaigns", "write", OVERSEERS)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.ActionSchema)
@bp.response(200, schemas.CampaignSchema)
def pause_campaign(data: dict[str, Any], campaign_id: int) -> Campaign:
    """Stop taking leads for now (the landing page says registrations are paused)."""
    campaign = web.load_campaign(campaign_id)
    try:
        launch.pause_campaign(db.session(), current_user.id, campaign, data["comment"])
    except rules.LaunchError as exc:
        raise _launch_error(exc) from exc
    return campaign


@bp.post("/<id:campaign_id>/resume")
@require("campaigns", "write", PARTNERS)
@problems(bp, 404, 409, 422)
@bp.response(200, schemas.CampaignSchema)
def resume_campaign(campaign_id: int) -> Campaign:
    """Take leads again (a campaign past its last day needs a later last day first)."""
    campaign = web.load_campaign(campaign_id)
    try:
        launch.resume_campaign(db.session(), current_user.id, campaign)
    except rules.LaunchError as exc:
        raise _launch_error(exc) from exc
    return campaign


@bp.post("/<id:campaign_id>/end")
@require("campaigns", "write", OVERSEERS)
@problems(bp, 404, 409, 422)
@bp.arguments(schemas.ActionSchema)
@bp.response(200, schemas.CampaignSchema)
def end_campaign(data: dict[str, Any], campaign_id: int) -> Campaign:
    """End the campaign for good: the page thanks visitors and takes no more leads."""
    campaign = web.load_campaign(campaign_id)
    try:
        launch.end_campaign(db.session(), current_user.id, campaign, data["comment"])
    except rules.LaunchError as exc:
        raise _launch_error(exc) from exc
    return campaign


def _amounts(amounts: Mapping[str, Decimal]) -> list[dict[str, Any]]:
    return [{"currency": c, "amount": a} for c, a in sorted(amounts.items())]


@bp.get("/<id:campaign_id>/pipeline")
@require("campaigns", "read")
@problems(bp, 404, 422)
@bp.arguments(schemas.PipelineQuery, location="query")
@bp.response(200, schemas.PipelineFiguresSchema)
def campaign_pipeline(args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    """Views to won revenue, MDF, cost per lead and ROI: the numbers of the pipeline page."""
    campaign = web.load_campaign(campaign_id)
    flt = PipelineFilter(date_from=args["date_from"], date_to=args["date_to"])
    numbers = queries.for_campaign(db.session(), campaign.id, flt)
    cost = numbers.cost_per_lead
    return {
        "campaign_id": campaign.id,
        "views": numbers.views,
        "leads": numbers.leads,
        "qualified": numbers.qualified,
        "opportunities": numbers.opportunities,
        "won": numbers.won,
        "open_pipeline": _amounts(numbers.open_pipeline),
        "won_revenue": _amounts(numbers.won_revenue),
        "mdf_approved": _amounts(numbers.mdf_approved),
        "mdf_paid": _amounts(numbers.mdf_paid),
        "cost_per_lead": {"currency": cost[0], "amount": cost[1]} if cost else None,
        "roi": numbers.roi,
        "funnel": [
            {"label": step.label, "count": step.count, "rate": step.rate} for step in numbers.funnel
        ],
    }
