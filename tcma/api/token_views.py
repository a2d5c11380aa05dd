"""Token pages: list, create (the secret is shown once), revoke after a confirmation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.models import Partner
from tcma.api import rules, services
from tcma.api.forms import RevokeForm, TokenForm
from tcma.api.models import ApiToken
from tcma.api.rules import TokenRuleError
from tcma.db import utcnow
from tcma.forms import show_error
from tcma.permissions import signed_in

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


def _form() -> TokenForm:
    form = TokenForm()
    is_admin = current_user.role == account_rules.ADMIN
    scopes = rules.ALL_SCOPES if is_admin else rules.scopes_for_role(current_user.role)
    form.scopes.choices = [(s, s) for s in scopes]
    if not form.is_submitted():
        form.scopes.data = [s for s in scopes if s.endswith(":read")]
    if is_admin:
        partners = db.session().execute(select(Partner.id, Partner.name).order_by(Partner.name))
        form.partner_id.choices = [("", "Every partner"), *((str(p.id), p.name) for p in partners)]
    else:
        del form.kind
        del form.partner_id
    return form


def _token_or_404(token_id: int) -> ApiToken:
    token = db.session().get(ApiToken, token_id)
    if token is None or not services.can_manage(current_user, token):
        abort(404)
    return token


@bp.route("/", methods=["GET", "POST"])
@signed_in
def index() -> str | Response:
    """The user's tokens (and, for admins, every service token) and the form for a new one."""
    form = _form()
    created = None
    if form.validate_on_submit():
        kind_field = getattr(form, "kind", None)
        kind = kind_field.data if kind_field is not None else rules.PERSONAL
        partner = getattr(form, "partner_id", None)
        partner_id = partner.data if partner is not None else None
        try:
            created = services.create_token(
                db.session(),
                current_user,
                name=form.name.data or "",
                scopes=form.scopes.data or [],
                days=form.days.data or rules.DEFAULT_DAYS,
                kind=kind,
                partner_id=partner_id,
            )
        except TokenRuleError as exc:
            show_error(form, exc)
    tokens = services.visible_tokens(db.session(), current_user)
    return render_template(
        "api/tokens.html",
        form=form,
        created=created,
        tokens=tokens,
        now=utcnow(),
        revoke_form=RevokeForm(),
    )


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@signed_in
def revoke(token_id: int) -> str | Response:
    """Ask before revoking; revoking stops the token at once."""
    token = _token_or_404(token_id)
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke_token(db.session(), current_user, token)
        flash(f"Token “{token.name}” revoked. It no longer works.", "success")
        return redirect(url_for("api_tokens.index"))
    return render_template("api/revoke.html", token=token, form=form)
