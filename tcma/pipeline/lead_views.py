"""Lead pages: the list with filters, a lead with its history, working, converting, erasing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from tcma import db
from tcma.forms import show_error
from tcma.pagination import keyset
from tcma.permissions import LEAD_ERASER_ROLES, lead_erasers, lead_readers, partner_users
from tcma.pipeline import rules, services, web
from tcma.pipeline.forms import EraseForm, LeadWorkForm, OpportunityForm
from tcma.pipeline.listing import LEAD_ORDER, UNASSIGNED, leads_statement
from tcma.pipeline.models import Lead, Opportunity
from tcma.pipeline.rules import PipelineError


@lead_readers
def leads() -> str:
    """Leads, newest first, filtered by campaign, status, owner, dates and text."""
    flt = web.list_filter(request.args)
    page = keyset(
        db.session(),
        leads_statement(flt),
        LEAD_ORDER,
        request.args.get("cursor"),
        loaders=(
            selectinload(Lead.partner),
            selectinload(Lead.campaign),
            selectinload(Lead.owner),
        ),
    )
    return render_template(
        "pipeline/leads.html",
        page=page,
        flt=flt,
        statuses=rules.LEAD_STATUSES,
        campaigns=web.campaign_choices(flt.partner_id),
        owners=web.owner_choices(flt.partner_id),
        partners=[] if web.is_partner() else web.partner_choices(),
        unassigned=UNASSIGNED,
        filtered=any(request.args.get(k) for k in web.FILTER_ARGS),
    )


def _work_form(lead_partner_id: int, obj: object | None = None) -> LeadWorkForm:
    form = LeadWorkForm(obj=obj)
    form.owner_id.choices = [("", "Nobody yet"), *web.owner_choices(lead_partner_id)]
    return form


def _lead_page(record: Lead, form: LeadWorkForm) -> str:
    session = db.session()
    opportunities = session.scalars(
        select(Opportunity).where(Opportunity.lead_id == record.id).order_by(Opportunity.id)
    ).all()
    return render_template(
        "pipeline/lead.html",
        lead=record,
        form=form,
        erase_form=EraseForm(),
        history=services.history(session, record),
        opportunities=opportunities,
        can_work=web.is_partner(),
        can_erase=current_user.role in LEAD_ERASER_ROLES,
        can_convert=web.is_partner() and record.status in rules.CONVERTIBLE_STATUSES,
    )


def _status_choices(form: LeadWorkForm, record: Lead) -> None:
    # A converted lead stays converted: its opportunity carries the story on.
    if record.status == rules.CONVERTED:
        form.status.choices = [(rules.CONVERTED, "Converted")]


@lead_readers
def lead(lead_id: int) -> str:
    """One lead: contact details, consent, where it came from, its status history."""
    record = web.lead_or_404(lead_id)
    form = _work_form(record.partner_id, obj=record)
    _status_choices(form, record)
    return _lead_page(record, form)


@partner_users
def update_lead(lead_id: int) -> str | Response:
    """Save a lead's status, owner and notes."""
    record = web.lead_or_404(lead_id)
    form = _work_form(record.partner_id)
    _status_choices(form, record)
    if form.validate_on_submit():
        try:
            services.update_lead(
                db.session(),
                current_user.id,
                record,
                status=form.status.data,
                owner_id=form.owner_id.data,
                notes=form.notes.data or "",
            )
        except PipelineError as exc:
            show_error(form, exc)
        else:
            flash("Lead saved.", "success")
            return redirect(url_for("pipeline.lead", lead_id=record.id))
    return _lead_page(record, form)


@partner_users
def convert_lead(lead_id: int) -> str | Response:
    """Turn a lead into an opportunity."""
    record = web.lead_or_404(lead_id)
    form = OpportunityForm()
    del form.campaign_id  # the opportunity keeps the lead's campaign
    form.owner_id.choices = [("", "Nobody yet"), *web.owner_choices(record.partner_id)]
    if request.method == "GET":
        form.account.data = record.company
        form.name.data = (
            f"{record.company} – {record.campaign.name}"
            if record.campaign and record.company
            else record.company or record.name
        )
        form.owner_id.data = record.owner_id
    if form.validate_on_submit():
        try:
            opportunity = services.convert_lead(
                db.session(), current_user.id, record, web.opportunity_values(form)
            )
        except PipelineError as exc:
            show_error(form, exc)
        else:
            flash("The lead is converted; its opportunity is below.", "success")
            return redirect(url_for("pipeline.opportunity", opportunity_id=opportunity.id))
    return render_template("pipeline/convert.html", lead=record, form=form)


@lead_erasers
def erase_lead(lead_id: int) -> Response:
    """Delete a lead's personal data for good; the campaign's counts keep it as a number."""
    record = web.lead_or_404(lead_id)
    if not EraseForm().validate_on_submit():
        flash("Tick the box to confirm the deletion.", "error")
        return redirect(url_for("pipeline.lead", lead_id=record.id))
    services.erase_lead(db.session(), current_user.id, record)
    flash("The lead's personal data is deleted. The campaign still counts one lead.", "success")
    return redirect(url_for("pipeline.leads"))
