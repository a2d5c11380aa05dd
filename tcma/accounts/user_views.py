"""People: the vendor admin manages everyone, a partner admin their own company."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from tcma import db, filter_ids
from tcma.accounts import rules, services
from tcma.accounts.access import get_scoped_or_404, scope_to_partner
from tcma.accounts.auth_views import send_existing_account_notice, send_invitation
from tcma.accounts.forms import InviteForm, StatusForm
from tcma.accounts.models import Partner, User
from tcma.accounts.rules import AccountError
from tcma.forms import filled, show_error
from tcma.pagination import page_number, paginate
from tcma.permissions import company_admins

bp = Blueprint("users", __name__, url_prefix="/users")
#: What a partner admin is told after every invitation, whether or not the address already
#: has an account somewhere (another partner, the vendor): telling would leak across tenants.
INVITE_ANSWER = "If {email} can be invited, an invitation is on its way to it."


@bp.route("/")
@company_admins
def index() -> str:
    """People the current admin manages, filtered by text, role, status and partner."""
    session = db.session()
    args = request.args
    stmt = scope_to_partner(select(User).order_by(User.email), User.partner_id)
    if q := args.get("q", "").strip():
        stmt = stmt.where(or_(User.email.ilike(f"%{q}%"), User.name.ilike(f"%{q}%")))
    if (role := args.get("role")) in rules.ALL_ROLES:
        stmt = stmt.where(User.role == role)
    if (status := args.get("status")) in ("invited", "active", "deactivated"):
        stmt = stmt.where(User.status == status)
    partner_id = filter_ids.partner(args)  # a partner admin may name only their own
    if current_user.is_vendor and partner_id is not None:
        stmt = stmt.where(User.partner_id == partner_id)
    page = paginate(session, stmt, page_number(args.get("page")))
    partners = (
        session.scalars(select(Partner).order_by(Partner.name)).all()
        if current_user.is_vendor
        else []
    )
    return render_template(
        "accounts/users.html",
        page=page,
        partners=partners,
        roles=rules.ROLE_LABELS,
        status_form=StatusForm(),
    )


def _invite_form() -> InviteForm:
    form = InviteForm()
    allowed = rules.roles_a_user_may_invite(current_user.role)
    form.role.choices = [(role, rules.ROLE_LABELS[role]) for role in allowed]
    if current_user.is_vendor:
        partners = db.session().scalars(select(Partner).order_by(Partner.name))
        form.partner_id.choices = [(0, "— vendor staff (no partner) —")] + [
            (p.id, p.name) for p in partners
        ]
        partner_id = request.args.get("partner", type=int)
        if request.method == "GET" and partner_id:
            form.partner_id.data = partner_id
            form.role.data = rules.PARTNER_ADMIN
    else:
        del form.partner_id
    return form


@bp.route("/invite", methods=["GET", "POST"])
@company_admins
def invite() -> str | Response:
    """Invite someone by email; they choose their password through the link."""
    form = _invite_form()
    if form.validate_on_submit():
        partner_field = getattr(form, "partner_id", None)
        email, role, name = filled(form.email.data), filled(form.role.data), form.name.data or ""
        partner_id = (
            (partner_field.data or None) if partner_field is not None else current_user.partner_id
        )
        session = db.session()
        try:
            if not current_user.is_vendor:
                user, created = services.invite_or_find_existing(
                    session, current_user, email, role, partner_id, name
                )
                return _answer_without_telling(user, created)
            # The vendor's admins see every account anyway: they are told plainly.
            user = services.invite_user(session, current_user, email, role, partner_id, name)
        except AccountError as exc:
            show_error(form, exc)
        else:
            send_invitation(user, current_user)
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("users.index"))
    return render_template("accounts/invite.html", form=form)


def _answer_without_telling(user: User, created: bool) -> Response:
    # The same words, status and next page whether the address was free or not; only its
    # owner hears that someone tried.
    if created:
        send_invitation(user, current_user)
    else:
        send_existing_account_notice(user, current_user)
    flash(INVITE_ANSWER.format(email=user.email), "success")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/status", methods=["POST"])
@company_admins
def status(user_id: int) -> Response:
    """Deactivate or reactivate someone."""
    session = db.session()
    user = get_scoped_or_404(session, User, user_id)
    form = StatusForm()
    target = request.form.get("status", "")
    if not form.validate_on_submit() or target not in ("active", "deactivated"):
        abort(400)
    try:
        services.set_user_status(session, current_user, user, target)
    except AccountError as exc:
        flash(exc.message, "error")
    else:
        flash(f"{user.email} is {'active' if target == 'active' else 'deactivated'}.", "success")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/resend", methods=["POST"])
@company_admins
def resend(user_id: int) -> Response:
    """Send a fresh invitation link to someone who has not accepted yet."""
    user = get_scoped_or_404(db.session(), User, user_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    if user.status != "invited":
        flash(f"{user.email} has already accepted the invitation.", "info")
    else:
        send_invitation(user, current_user)
        flash(f"A new invitation was sent to {user.email}.", "success")
    return redirect(url_for("users.index"))
