"""Launch pages: launch with dates and consent wording, reschedule, pause, resume, end."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.access import get_scoped_or_404
from tcma.campaigns import launch, share, tracking
from tcma.campaigns import launch_rules as rules
from tcma.campaigns.models import DRAFT, Campaign
from tcma.campaigns.rendering import landing_url
from tcma.db import utcnow
from tcma.forms import Form, show_error
from tcma.permissions import partner_users, partner_work, signed_in

bp = Blueprint("launch", __name__, url_prefix="/campaigns")


class LaunchForm(Form):
    """The run of a campaign and the consent wording of its lead form."""

    starts_on = DateField("First day", validators=[DataRequired("Choose the first day.")])
    ends_on = DateField(
        "Last day",
        validators=[DataRequired("Choose the last day.")],
        description="The page stops taking leads after this day.",
    )
    consent_text = TextAreaField(
        "Consent wording",
        validators=[
            DataRequired("Write the consent wording."),
            Length(max=rules.MAX_CONSENT_LENGTH),
        ],
        description="Shown next to the lead form's checkbox; every lead keeps the wording it "
        "agreed to.",
    )
    submit = SubmitField("Launch campaign")


class ActionForm(Form):
    """Pause, resume or end: a CSRF token and an optional reason."""

    comment = StringField("Reason (optional)", validators=[Optional(), Length(max=300)])


def _campaign(campaign_id: int) -> Campaign:
    return get_scoped_or_404(db.session(), Campaign, campaign_id)


@bp.route("/<int:campaign_id>/launch", methods=["GET", "POST"], endpoint="launch")
@signed_in
def launch_page(campaign_id: int) -> str | Response:
    """Launch settings: dates, consent wording, the page's address, tracking links, actions."""
    campaign = _campaign(campaign_id)
    is_owner = current_user.partner_id == campaign.partner_id
    if request.method == "POST" and not is_owner:
        abort(403)
    form = LaunchForm(obj=campaign)
    if request.method == "GET" and not campaign.consent_text:
        form.consent_text.data = rules.default_consent_text(
            campaign.partner.name, current_app.config["VENDOR_NAME"]
        )
    if campaign.status != DRAFT:
        form.submit.label.text = "Save dates and wording"
    if form.validate_on_submit():
        action = launch.launch_campaign if campaign.status == DRAFT else launch.reschedule_campaign
        try:
            action(
                db.session(),
                current_user.id,
                campaign,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                consent_text=form.consent_text.data or "",
            )
        except rules.LaunchError as exc:
            show_error(form, exc)
        else:
            flash(
                "The campaign is live: share its links below."
                if action is launch.launch_campaign
                else "Launch settings saved.",
                "success",
            )
            return redirect(url_for("launch.launch", campaign_id=campaign.id))
    url = landing_url(campaign.code)
    page = render_template(
        "launch/launch.html",
        campaign=campaign,
        form=form,
        action_form=ActionForm(),
        is_owner=is_owner,
        landing_url=url,
        state=rules.landing_state(
            campaign.status, campaign.starts_on, campaign.ends_on, utcnow().date()
        ),
        links=tracking.asset_links(campaign.kit_version, campaign.code, url),
        networks={key: name for key, (name, _, _) in share.NETWORKS.items()},
        has_landing_asset=any(asset.kind == "landing" for asset in campaign.kit_version.assets),
        can_oversee=current_user.role
        in (*account_rules.PARTNER_ROLES, account_rules.ADMIN, account_rules.MARKETER),
    )
    return page


def _act(campaign_id: int, action: Callable[..., None], done: str) -> Response:
    campaign = _campaign(campaign_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            if action is launch.resume_campaign:
                action(db.session(), current_user.id, campaign)
            else:
                action(db.session(), current_user.id, campaign, form.comment.data or None)
        except rules.LaunchError as exc:
            flash(exc.message, "error")
        else:
            flash(done, "success")
    return redirect(url_for("launch.launch", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/pause", methods=["POST"])
@partner_work
def pause(campaign_id: int) -> Response:
    """Stop taking leads for now."""
    return _act(
        campaign_id, launch.pause_campaign, "Paused: the page now says registrations are paused."
    )


@bp.route("/<int:campaign_id>/resume", methods=["POST"])
@partner_users
def resume(campaign_id: int) -> Response:
    """Take leads again."""
    return _act(campaign_id, launch.resume_campaign, "Resumed: the page takes leads again.")


@bp.route("/<int:campaign_id>/end", methods=["POST"])
@partner_work
def end(campaign_id: int) -> Response:
    """End the campaign for good."""
    return _act(
        campaign_id, launch.end_campaign, "Ended: the page thanks visitors and takes no more leads."
    )
