"""Campaign pages: the list, "Use this kit", the campaign with its assets, editing, downloads."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db, filter_ids
from tcma.accounts.models import Partner
from tcma.campaigns import rules, services, web
from tcma.campaigns import tasks as campaign_tasks
from tcma.campaigns.forms import BundleForm, campaign_form, initial_data
from tcma.campaigns.models import STATUSES, Campaign
from tcma.campaigns.rendering import (
    PREVIEW_TARGETS,
    TARGET_LABELS,
    CampaignDraft,
    build_context,
    ensure_rendered,
    kit_source,
)
from tcma.campaigns.rules import FieldErrors
from tcma.cobrand import services as brand_services
from tcma.cobrand.render import TARGETS, RenderError
from tcma.extensions import limiter
from tcma.jobs import records
from tcma.kits.models import Kit
from tcma.pagination import page_number, paginate
from tcma.permissions import partner_users, signed_in
from tcma.storage import StorageError, get_storage

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
# Each preview is a render; typing sends at most about two a second, a script far more.
PREVIEW_LIMIT = "240 per minute"


@bp.route("/")
@signed_in
def index() -> str:
    """A partner's own campaigns; vendor staff see every partner's, with filters."""
    session, args = db.session(), request.args
    own = current_user.partner_id
    partner_filter = filter_ids.partner(args)
    stmt = services.campaigns_statement(
        own or partner_filter,
        kit_id=filter_ids.kit(args),
        status=args.get("status"),
        q=args.get("q", ""),
    )
    page = paginate(session, stmt, page_number(args.get("page")))
    kit_ids = select(Campaign.kit_id)
    if own:
        kit_ids = kit_ids.where(Campaign.partner_id == own)
    kits = session.scalars(select(Kit).where(Kit.id.in_(kit_ids)).order_by(Kit.name)).all()
    partners = [] if own else session.scalars(select(Partner).order_by(Partner.name)).all()
    return render_template(
        "campaigns/index.html",
        page=page,
        kits=kits,
        partners=partners,
        statuses=STATUSES,
        filtered=any(args.get(k) for k in ("kit", "partner", "status", "q")),
    )


@bp.route("/new", methods=["GET", "POST"])
@partner_users
def new() -> str | Response:
    """Use this kit: the kit's fields with a live preview; saving starts a draft campaign."""
    version = web.visible_version_or_404(web.requested_kit_id())
    specs = services.field_specs(version)
    name = rules.default_campaign_name(version.kit.name, dt.date.today())
    form = campaign_form(specs, data=initial_data(name, specs, rules.field_defaults(specs)))
    if form.validate_on_submit():
        try:
            campaign = services.start_campaign(
                db.session(),
                get_storage(),
                current_user.partner,
                version,
                current_user.id,
                form.name.data or "",
                web.raw_values(specs, request.form),
                web.uploads(specs),
            )
        except FieldErrors as exc:
            web.show_problems(form, exc.problems)
        else:
            flash(f"Campaign “{campaign.name}” saved. Download its assets below.", "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    draft = CampaignDraft(current_user.partner, version, rules.field_defaults(specs))
    return render_template(
        "campaigns/form.html",
        form=form,
        version=version,
        campaign=None,
        assets=version.assets,
        draft=draft,
        preview_targets=PREVIEW_TARGETS,
        preview_url=lambda key: url_for("campaigns.new_preview", asset_key=key, kit=version.kit_id),
    )


@bp.route("/new/preview/<asset_key>", methods=["GET", "POST"])
@db.reads_only  # renders can take seconds: never hold the SQLite write lock for them
@limiter.limit(PREVIEW_LIMIT)
@partner_users
def new_preview(asset_key: str) -> Response:
    """The live preview of one asset of a campaign not saved yet."""
    version = web.visible_version_or_404(web.requested_kit_id())
    specs = services.field_specs(version)
    base = CampaignDraft(current_user.partner, version, rules.field_defaults(specs), code="PREVIEW")
    draft, _ = web.preview_draft(base, specs)
    return web.preview_response(draft, asset_key, changed=True)


@bp.route("/<int:campaign_id>")
@signed_in
def detail(campaign_id: int) -> str:
    """The campaign: each asset's preview and downloads, its field values and status."""
    session = db.session()
    campaign = web.load_campaign(campaign_id)
    version = campaign.kit_version
    brand = brand_services.current_brand(session, campaign.partner_id)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        version=version,
        brand=brand,
        newer=services.newer_version(session, campaign),
        targets=TARGETS,
        target_labels=TARGET_LABELS,
        preview_targets=PREVIEW_TARGETS,
        downloads=services.download_counts(session, campaign.id),
        can_edit=current_user.partner_id == campaign.partner_id,
    )


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@partner_users
def edit(campaign_id: int) -> str | Response:
    """Change the campaign's name and field values, with the live preview."""
    campaign = web.load_campaign(campaign_id)
    version = campaign.kit_version
    specs = services.field_specs(version)
    saved = CampaignDraft.of(campaign)
    form = campaign_form(
        specs,
        saved_images=set(saved.image_keys),
        data=initial_data(campaign.name, specs, campaign.field_values or {}),
    )
    if form.validate_on_submit():
        try:
            changed = services.update_campaign(
                db.session(),
                get_storage(),
                campaign,
                current_user.id,
                form.name.data or "",
                web.raw_values(specs, request.form),
                web.uploads(specs),
                web.removed_images(specs, request.form),
            )
        except FieldErrors as exc:
            web.show_problems(form, exc.problems)
        else:
            flash("Changes saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template(
        "campaigns/form.html",
        form=form,
        version=version,
        campaign=campaign,
        assets=version.assets,
        draft=saved,
        preview_targets=PREVIEW_TARGETS,
        preview_url=lambda key: url_for(
            "campaigns.preview", campaign_id=campaign.id, asset_key=key
        ),
    )


@bp.route("/<int:campaign_id>/preview/<asset_key>", methods=["GET", "POST"])
@db.reads_only
@limiter.limit(PREVIEW_LIMIT)
@signed_in
def preview(campaign_id: int, asset_key: str) -> Response:
    """One asset rendered from the form's current, unsaved values (saved ones when none)."""
    campaign = web.load_campaign(campaign_id)
    specs = services.field_specs(campaign.kit_version)
    draft, changed = web.preview_draft(CampaignDraft.of(campaign), specs)
    return web.preview_response(draft, asset_key, changed)


@bp.route("/<int:campaign_id>/assets/<asset_key>.<target>")
@signed_in
def download(campaign_id: int, asset_key: str, target: str) -> Response:
    """Render (or find in the cache) one asset as one file; redirect to its download URL."""
    session = db.session()
    campaign = web.load_campaign(campaign_id)
    asset = campaign.kit_version.asset(asset_key) or abort(404)
    if target not in TARGETS.get(asset.kind, ()):
        abort(404)
    storage = get_storage()
    draft = CampaignDraft.of(campaign)
    try:
        ctx = build_context(session, storage, draft, asset.kind)
        key, filename = ensure_rendered(
            storage, kit_source(storage, draft.version), asset_key, ctx, target
        )
    except (RenderError, StorageError) as exc:
        flash(f"{asset.name} could not be made as {target.upper()}: {exc}", "error")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    services.record_download(session, campaign, asset_key, target, current_user.id)
    return redirect(storage.download_url(key, filename))


@bp.route("/<int:campaign_id>/assets.zip")
@signed_in
def bundle(campaign_id: int) -> str:
    """Download everything: the zips asked for with their progress and files; writes nothing."""
    campaign = web.load_campaign(campaign_id)
    return render_template("campaigns/bundle.html", campaign=campaign, form=BundleForm())


@bp.route("/<int:campaign_id>/assets.zip", methods=["POST"])
@signed_in
def make_bundle(campaign_id: int) -> Response:
    """Every asset in every format in one zip, made by a worker; its page shows the progress."""
    session = db.session()
    campaign = web.load_campaign(campaign_id)
    if not BundleForm().validate_on_submit():
        abort(400)
    running = records.active(session, current_user.id, "zip", campaign_id=campaign.id)
    if running is not None:  # asked twice: watch the same job
        return redirect(url_for("jobs.show", record_id=running.id))
    record = records.start(
        session,
        current_user,
        campaign_tasks.make_bundle,
        f"All assets of {campaign.name} (zip)",
        {"campaign_id": campaign.id},
    )
    services.record_download(session, campaign, "*", "zip", current_user.id)
    return redirect(url_for("jobs.show", record_id=record.id))
