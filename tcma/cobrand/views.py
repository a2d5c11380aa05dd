"""The brand page (partner admins edit, partner users see) and the public logo image."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.cobrand import rules, services
from tcma.cobrand.forms import BrandForm
from tcma.cobrand.rules import BrandError
from tcma.media_links import BRAND_LOGO, media_token_ok
from tcma.permissions import partner_users
from tcma.storage import StorageError, get_storage

bp = Blueprint("brand", __name__, url_prefix="/brand")

#: Bytes read of an uploaded logo: one more than the limit, so "too large" can be told.
_LOGO_READ = rules.MAX_LOGO_BYTES + 1


def _warnings(values: dict[str, str]) -> dict[str, str]:
    """Contrast warnings by colour field name (the page shows each one once)."""
    found = {}
    for key, label in (
        ("primary_color", "The primary colour"),
        ("secondary_color", "The secondary colour"),
    ):
        if values.get(key) and (warning := rules.contrast_warning(values[key], label)):
            found[key] = warning
    return found


@bp.route("", methods=["GET", "POST"])
@partner_users
def edit() -> str | Response:
    """The company's brand; each save by a partner admin is a new version."""
    session = db.session()
    partner = current_user.partner
    version = services.current_brand(session, partner.id)
    may_edit = current_user.role == account_rules.PARTNER_ADMIN
    # Without a saved brand the form suggests the company name and default colours.
    form = BrandForm(data=services.brand_values(partner, version))
    if form.is_submitted() and not may_edit:
        abort(403)
    if form.validate_on_submit():
        upload = form.logo.data
        logo = upload.read(_LOGO_READ) if upload and upload.filename else None
        try:
            saved, created = services.save_brand(
                session,
                get_storage(),
                partner,
                current_user.id,
                form.values(),
                logo=logo,
                remove_logo=bool(form.remove_logo.data),
            )
        except BrandError as exc:
            for key, message in exc.problems.items():
                field = getattr(form, key, None)
                if field is not None:
                    field.errors = [*field.errors, message]
        else:
            if created:
                flash(f"Brand saved (version {saved.number}). New downloads use it.", "success")
            else:
                flash("Nothing changed.", "success")
            # The page it goes back to shows the contrast warnings (once).
            return redirect(url_for("brand.edit"))
    values = services.brand_values(partner, version)
    return render_template(
        "brand/edit.html",
        form=form,
        version=version,
        values=values,
        may_edit=may_edit,
        warnings=_warnings(values) if version else {},
        min_contrast=rules.MIN_CONTRAST,
    )


@bp.route("/logo/<int:version_id>/<token>.png")
def logo(version_id: int, token: str) -> Response:
    """The logo of a brand version, public by its signed link: emails and landing pages
    show it to anyone who has them."""
    if not media_token_ok(BRAND_LOGO, version_id, token):
        abort(404)
    version = services.get_brand_version(db.session(), version_id)
    if version is None or not version.logo_key:
        abort(404)
    try:
        data = get_storage().read(version.logo_key)
    except StorageError:
        abort(404)
    response = current_app.response_class(data, content_type="image/png")
    # A brand version never changes, so its logo URL can be cached for good.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
