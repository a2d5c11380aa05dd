"""Opportunity pages: the list with filters, registering one, one with its stage history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from tcma import db
from tcma.forms import show_error
from tcma.pagination import keyset
from tcma.permissions import lead_readers, partner_users
from tcma.pipeline import rules, services, web
from tcma.pipeline.forms import OpportunityForm
from tcma.pipeline.listing import (
    CLOSED,
    OPEN,
    OPPORTUNITY_ORDER,
    UNASSIGNED,
    opportunities_statement,
)
from tcma.pipeline.models import Opportunity
from tcma.pipeline.rules import PipelineError


@lead_readers
def opportunities() -> str:
    """Opportunities, newest first, filtered by campaign, stage, owner, dates and text."""
    flt = web.list_filter(request.args)
    page = keyset(
        db.session(),
        opportunities_statement(flt),
        OPPORTUNITY_ORDER,
        request.args.get("cursor"),
        loaders=(
            selectinload(Opportunity.partner),
            selectinload(Opportunity.campaign),
            selectinload(Opportunity.owner),
        ),
    )
    stages = [
        (OPEN, "Open (any open stage)"),
        (CLOSED, "Closed (won or lost)"),
        *rules.STAGE_LABELS.items(),
    ]
    return render_template(
        "pipeline/opportunities.html",
        page=page,
        flt=flt,
        stages=stages,
        campaigns=web.campaign_choices(flt.partner_id),
        owners=web.owner_choices(flt.partner_id),
        partners=[] if web.is_partner() else web.partner_choices(),
        unassigned=UNASSIGNED,
        filtered=any(request.args.get(k) for k in web.FILTER_ARGS),
    )


def _form(partner_id: int, obj: Opportunity | None = None) -> OpportunityForm:
    form = OpportunityForm(obj=obj)
    form.owner_id.choices = [("", "Nobody yet"), *web.owner_choices(partner_id)]
    if obj is None:
        form.campaign_id.choices = [("", "No campaign"), *web.campaign_choices(partner_id)]
    else:
        # The campaign of an opportunity is where it came from; it is not edited afterwards.
        del form.campaign_id
    return form


@partner_users
def new_opportunity() -> str | Response:
    """Register an opportunity that did not start as a lead here."""
    partner_id = current_user.partner_id
    form = _form(partner_id)
    if request.method == "GET" and (campaign := request.args.get("campaign", type=int)):
        form.campaign_id.data = campaign
    if form.validate_on_submit():
        try:
            opportunity = services.create_opportunity(
                db.session(), current_user.id, partner_id, web.opportunity_values(form)
            )
        except PipelineError as exc:
            show_error(form, exc)
        else:
            flash("Opportunity registered.", "success")
            return redirect(url_for("pipeline.opportunity", opportunity_id=opportunity.id))
    return render_template("pipeline/opportunity_form.html", form=form, opportunity=None)


def _page(record: Opportunity, form: OpportunityForm) -> str:
    history = services.history(db.session(), record)
    lead = record.lead if record.lead is not None and not record.lead.is_erased else None
    return render_template(
        "pipeline/opportunity.html",
        opportunity=record,
        form=form,
        history=history,
        lead=lead,
        can_edit=web.is_partner(),
        stage_labels=rules.STAGE_LABELS,
    )


@lead_readers
def opportunity(opportunity_id: int) -> str:
    """One opportunity: its facts, its stage history, and (for the partner) the edit form."""
    record = web.opportunity_or_404(opportunity_id)
    return _page(record, _form(record.partner_id, obj=record))


@partner_users
def update_opportunity(opportunity_id: int) -> str | Response:
    """Save an opportunity; a new stage goes into its history."""
    record = web.opportunity_or_404(opportunity_id)
    form = _form(record.partner_id, obj=record)
    if form.validate_on_submit():
        before = record.stage
        try:
            services.update_opportunity(
                db.session(), current_user.id, record, web.opportunity_values(form)
            )
        except PipelineError as exc:
            show_error(form, exc)
        else:
            moved = (
                f" It moved from {rules.STAGE_LABELS[before]} to "
                f"{rules.STAGE_LABELS[record.stage]}."
                if before != record.stage
                else ""
            )
            flash(f"Opportunity saved.{moved}", "success")
            return redirect(url_for("pipeline.opportunity", opportunity_id=record.id))
    return _page(record, form)
