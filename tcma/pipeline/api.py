"""Leads and opportunities over /api/v1: the same services and tenant getters as the pages."""

from __future__ import annotations

import secrets
from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.access import current_partner_id, scoped_exists
from tcma.accounts.models import Partner, User
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, field_error, rule_problem
from tcma.api.pagination import keyset_page
from tcma.campaigns.models import Campaign
from tcma.permissions import LEAD_ERASER_ROLES, LEAD_READER_ROLES
from tcma.pipeline import schemas, services, web
from tcma.pipeline.listing import ListFilter, leads_statement, opportunities_statement
from tcma.pipeline.models import Lead, Opportunity
from tcma.pipeline.rules import PipelineError

bp = api_blueprint("api_pipeline", __name__, "", "Leads and opportunities.")

READERS = LEAD_READER_ROLES
WORKERS = account_rules.PARTNER_ROLES
ERASERS = LEAD_ERASER_ROLES


def _visible(
    args: dict[str, Any], name: str, model: type, partner_attr: str = "partner_id"
) -> None:
    """A filter's id must name an object of the token's partner (any, for vendor tokens)."""
    value = args.get(name)
    if value is not None and not scoped_exists(db.session(), model, value, partner_attr):
        message = "There is no such object, or it is not yours to see."
        raise ApiProblem(
            404, detail=message, errors=[{"location": "query", "field": name, "message": message}]
        )


def _filter(args: dict[str, Any], status: str) -> ListFilter:
    own = current_partner_id()
    _visible(args, "partner_id", Partner, "id")
    _visible(args, "campaign_id", Campaign)
    _visible(args, "owner_id", User)
    owner = args.get("owner_id")
    return ListFilter(
        partner_id=own if own is not None else args.get("partner_id"),
        campaign_id=args.get("campaign_id"),
        status=status,
        owner=str(owner) if owner else "",
        q=args.get("q") or "",
    )


def _own_campaign(campaign_id: int) -> Campaign:
    campaign = db.session().get(Campaign, campaign_id)
    if campaign is None or campaign.partner_id != current_partner_id():
        raise field_error(422, "No such campaign of yours.", "campaign_id")
    return campaign


@bp.get("/leads")
@require("pipeline", "read", READERS)
@problems(bp, 400, 422)
@bp.arguments(schemas.LeadQuery, location="query", unknown=None)  # None: the Meta decides
@bp.response(200, schemas.LeadPageSchema)
def list_leads(args: dict[str, Any]) -> dict[str, Any]:
    """Leads, newest first; filter by campaign, status, owner, text and ``updated_since``."""
    stmt = leads_statement(_filter(args, args["status"]))
    if args["updated_since"] is not None:
        stmt = stmt.where(Lead.updated_at >= args["updated_since"])
    page = keyset_page(db.session(), stmt, Lead.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.post("/leads")
@require("pipeline", "write", WORKERS)
@problems(bp, 400, 422)
@bp.arguments(schemas.LeadCreateSchema)
@bp.response(201, schemas.LeadSchema)
def create_lead(data: dict[str, Any]) -> tuple[Lead, int, dict[str, str]]:
    """Add a lead from a form hosted elsewhere, with the consent wording the person agreed to."""
    campaign = _own_campaign(data["campaign_id"])
    form = services.LeadInput(
        **{k: data[k].strip() for k in ("first_name", "last_name", "company", "title")},
        email=data["email"],
        phone=data["phone"].strip(),
        country=data["country"].strip(),
    )
    utm = {k: data[k] for k in ("utm_source", "utm_medium", "utm_content") if data[k]}
    try:
        lead, _ = services.capture_lead(
            db.session(),
            campaign,
            form,
            consent_text=data["consent_text"],
            submit_token=secrets.token_hex(16),
            utm=utm,
        )
    except PipelineError as exc:
        raise rule_problem(exc) from exc
    assert lead is not None  # a fresh submit token is never a repeat
    return lead, 201, {"Location": url_for("api_pipeline.get_lead", lead_id=lead.id)}


@bp.get("/leads/<id:lead_id>")
@require("pipeline", "read", READERS)
@problems(bp, 404)
@bp.response(200, schemas.LeadSchema)
def get_lead(lead_id: int) -> Lead:
    """One lead (an erased one, or another partner's, is 404)."""
    return web.lead_or_404(lead_id)


@bp.patch("/leads/<id:lead_id>")
@require("pipeline", "write", WORKERS)
@problems(bp, 404, 422)
@bp.arguments(schemas.LeadUpdateSchema)
@bp.response(200, schemas.LeadSchema)
def update_lead(data: dict[str, Any], lead_id: int) -> Lead:
    """Set a lead's status, owner or notes (the lead's status rules apply)."""
    lead = web.lead_or_404(lead_id)
    try:
        services.update_lead(
            db.session(),
            current_user.id,
            lead,
            status=data.get("status", lead.status),
            owner_id=data.get("owner_id", lead.owner_id),
            notes=(data["notes"] or "") if "notes" in data else (lead.notes or ""),
        )
    except PipelineError as exc:
        raise rule_problem(exc) from exc
    return lead


@bp.delete("/leads/<id:lead_id>")
@require("pipeline", "write", ERASERS)
@problems(bp, 404)
@bp.response(204)
def erase_lead(lead_id: int) -> None:
    """Erase the person's data for good; the anonymous row keeps the campaign's counts."""
    services.erase_lead(db.session(), current_user.id, web.lead_or_404(lead_id))


@bp.get("/opportunities")
@require("pipeline", "read", READERS)
@problems(bp, 400, 422)
@bp.arguments(schemas.OpportunityQuery, location="query", unknown=None)
@bp.response(200, schemas.OpportunityPageSchema)
def list_opportunities(args: dict[str, Any]) -> dict[str, Any]:
    """Opportunities, newest first; ``external_source`` + ``external_id`` find a CRM's deal."""
    stmt = opportunities_statement(_filter(args, args["stage"]))
    if args["updated_since"] is not None:
        stmt = stmt.where(Opportunity.updated_at >= args["updated_since"])
    for name in ("external_source", "external_id"):
        if args[name] is not None:
            stmt = stmt.where(getattr(Opportunity, name) == args[name])
    page = keyset_page(db.session(), stmt, Opportunity.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.post("/opportunities")
@require("pipeline", "write", WORKERS)
@problems(bp, 409, 422)
@bp.arguments(schemas.OpportunityCreateSchema)
@bp.response(201, schemas.OpportunitySchema)
def create_opportunity(data: dict[str, Any]) -> tuple[Opportunity, int, dict[str, str]]:
    """Register an opportunity; with ``external_*`` a CRM owns it (one per source and id)."""
    external = (data["external_source"], data["external_id"])
    if (external[0] is None) != (external[1] is None):
        raise field_error(422, "Send external_source and external_id together.", "external_id")
    values = services.OpportunityInput(
        account=data["account"],
        name=data["name"],
        amount=data["amount"],
        currency=data["currency"],
        stage=data["stage"],
        expected_close_on=data["expected_close_on"],
        owner_id=data["owner_id"],
        campaign_id=data["campaign_id"],
        external_source=external[0],
        external_id=external[1],
    )
    session = db.session()
    try:
        with session.begin_nested():
            opportunity = services.create_opportunity(
                session, current_user.id, current_user.partner_id, values
            )
    except PipelineError as exc:
        raise rule_problem(exc) from exc
    except IntegrityError as exc:
        raise field_error(
            409, "An opportunity with this external_source and external_id exists.", "external_id"
        ) from exc
    location = url_for("api_pipeline.get_opportunity", opportunity_id=opportunity.id)
    return opportunity, 201, {"Location": location}


@bp.get("/opportunities/<id:opportunity_id>")
@require("pipeline", "read", READERS)
@problems(bp, 404)
@bp.response(200, schemas.OpportunitySchema)
def get_opportunity(opportunity_id: int) -> Opportunity:
    """One opportunity (another partner's is 404)."""
    return web.opportunity_or_404(opportunity_id)


@bp.patch("/opportunities/<id:opportunity_id>")
@require("pipeline", "write", WORKERS)
@problems(bp, 404, 422)
@bp.arguments(schemas.OpportunityUpdateSchema)
@bp.response(200, schemas.OpportunitySchema)
def update_opportunity(data: dict[str, Any], opportunity_id: int) -> Opportunity:
    """Change stage, amount or other facts; pipeline, roll-ups and ROI follow as on the page."""
    record = web.opportunity_or_404(opportunity_id)
    current = {
        name: getattr(record, name)
        for name in ("account", "name", "amount", "currency", "stage", "expected_close_on")
    }
    current["owner_id"] = record.owner_id
    values = services.OpportunityInput(**{**current, **data})
    try:
        services.update_opportunity(db.session(), current_user.id, record, values)
    except PipelineError as exc:
        raise rule_problem(exc) from exc
    return record
