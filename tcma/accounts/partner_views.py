"""Vendor admin pages for partner companies and tiers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from tcma import db, filter_ids
from tcma.accounts import rules, services
from tcma.accounts.forms import PartnerForm, StatusForm, TierForm
from tcma.accounts.models import Partner, Tier, User
from tcma.accounts.rules import AccountError
from tcma.forms import filled, show_error
from tcma.pagination import page_number, paginate
from tcma.permissions import admins, vendor_staff

bp = Blueprint("partners", __name__, url_prefix="/admin")


def _tier_choices() -> list[tuple[int, str]]:
    tiers = db.session().scalars(select(Tier).order_by(Tier.rank.desc(), Tier.name))
    return [(tier.id, tier.name) for tier in tiers]


@bp.route("/partners")
@vendor_staff
def partners() -> str:
    """All partner companies, filtered by text, tier, region and status."""
    session = db.session()
    args = request.args
    stmt = select(Partner).join(Partner.tier).order_by(Partner.name)
    if q := args.get("q", "").strip():
        stmt = stmt.where(or_(Partner.name.ilike(f"%{q}%"), Partner.website.ilike(f"%{q}%")))
    if (tier := filter_ids.tier(args)) is not None:
        stmt = stmt.where(Partner.tier_id == tier)
    if (region := args.get("region")) in rules.REGIONS:
        stmt = stmt.where(Partner.region == region)
    if (status := args.get("status")) in ("active", "suspended"):
        stmt = stmt.where(Partner.status == status)
    page = paginate(session, stmt, page_number(args.get("page")))
    user_counts = dict(
        session.execute(
            select(User.partner_id, func.count(User.id))
            .where(User.partner_id.in_([p.id for p in page.items]))
            .group_by(User.partner_id)
        ).all()
    )
    return render_template(
        "accounts/partners.html",
        page=page,
        tiers=_tier_choices(),
        regions=rules.REGION_LABELS,
        user_counts=user_counts,
    )


@bp.route("/partners/new", methods=["GET", "POST"])
@admins
def new_partner() -> str | Response:
    """Add a partner company."""
    form = PartnerForm()
    form.tier_id.choices = _tier_choices()
    if form.validate_on_submit():
        try:
            partner = services.create_partner(
                db.session(),
                current_user,
                filled(form.name.data),
                form.tier_id.data,
                form.region.data,
                form.website.data or "",
            )
        except AccountError as exc:
            show_error(form, exc)
        else:
            flash(f"{partner.name} was added. Invite its first user next.", "success")
            return redirect(url_for("partners.partner", partner_id=partner.id))
    return render_template("accounts/partner_form.html", form=form, partner=None)


@bp.route("/partners/<int:partner_id>")
@vendor_staff
def partner(partner_id: int) -> str:
    """One partner: details, users, status."""
    session = db.session()
    company = session.get(Partner, partner_id) or abort(404)
    users = session.scalars(select(User).where(User.partner_id == company.id).order_by(User.email))
    return render_template(
        "accounts/partner.html", partner=company, users=list(users), status_form=StatusForm()
    )


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@admins
def edit_partner(partner_id: int) -> str | Response:
    """Change a partner's name, tier, region or website."""
    session = db.session()
    company = session.get(Partner, partner_id) or abort(404)
    form = PartnerForm(obj=company)
    form.tier_id.choices = _tier_choices()
    if form.validate_on_submit():
        try:
            services.update_partner(
                session,
                current_user,
                company,
                filled(form.name.data),
                form.tier_id.data,
                form.region.data,
                form.website.data or "",
            )
        except AccountError as exc:
            show_error(form, exc)
        else:
            flash("Partner saved.", "success")
            return redirect(url_for("partners.partner", partner_id=company.id))
    return render_template("accounts/partner_form.html", form=form, partner=company)


@bp.route("/partners/<int:partner_id>/status", methods=["POST"])
@admins
def partner_status(partner_id: int) -> Response:
    """Suspend or reactivate a partner."""
    session = db.session()
    company = session.get(Partner, partner_id) or abort(404)
    form = StatusForm()
    target = request.form.get("status", "")
    if not form.validate_on_submit() or target not in ("active", "suspended"):
        abort(400)
    services.set_partner_status(session, current_user, company, target, form.comment.data or "")
    word = "suspended; its users can no longer sign in" if target == "suspended" else "active again"
    flash(f"{company.name} is {word}.", "success")
    return redirect(url_for("partners.partner", partner_id=company.id))


@bp.route("/tiers", methods=["GET", "POST"])
@admins
def tiers() -> str | Response:
    """List tiers and add one."""
    session = db.session()
    form = TierForm()
    if form.validate_on_submit():
        try:
            tier = services.create_tier(
                session,
                current_user,
                filled(form.name.data),
                filled(form.rank.data),
                form.description.data or "",
            )
        except AccountError as exc:
            show_error(form, exc)
        else:
            flash(f"Tier {tier.name} was added.", "success")
            return redirect(url_for("partners.tiers"))
    rows = session.execute(
        select(Tier, func.count(Partner.id))
        .outerjoin(Partner, Partner.tier_id == Tier.id)
        .group_by(Tier.id)
        .order_by(Tier.rank.desc(), Tier.name)
    ).all()
    return render_template("accounts/tiers.html", rows=rows, form=form)


@bp.route("/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
@admins
def edit_tier(tier_id: int) -> str | Response:
    """Rename or re-rank a tier."""
    session = db.session()
    tier = session.get(Tier, tier_id) or abort(404)
    form = TierForm(obj=tier)
    if form.validate_on_submit():
        try:
            services.update_tier(
                session,
                current_user,
                tier,
                filled(form.name.data),
                filled(form.rank.data),
                form.description.data or "",
            )
        except AccountError as exc:
            show_error(form, exc)
        else:
            flash("Tier saved.", "success")
            return redirect(url_for("partners.tiers"))
    return render_template("accounts/tier_form.html", form=form, tier=tier)
