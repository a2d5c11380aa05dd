"""Marketer pages: the kit list, kit details, metadata, publish, archive, zip upload/download."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.models import Tier
from tcma.forms import filled
from tcma.kits import authoring, importer, previews, rules, services
from tcma.kits import tasks as kit_tasks
from tcma.kits.forms import ActionForm, KitForm, PublishForm, ZipUploadForm, split_list
from tcma.kits.models import ACTIVE, ARCHIVED, DRAFT, Kit, KitVersion
from tcma.kits.package import read_zip
from tcma.kits.rules import KitError, PackageError
from tcma.kits.web import load_kit, load_version, show_problems, working_version
from tcma.pagination import page_number, paginate
from tcma.permissions import marketing_staff
from tcma.storage import StorageError, content_disposition, get_storage

bp = Blueprint("kits", __name__, url_prefix="/kits")


def _kit_form(**kwargs: object) -> KitForm:
    form = KitForm(**kwargs)
    tiers = db.session().scalars(select(Tier.name).order_by(Tier.rank.desc(), Tier.name))
    form.tiers.choices = [(name, name) for name in tiers]
    form.regions.choices = list(account_rules.REGION_LABELS.items())
    return form


def _metadata(form: KitForm) -> authoring.KitMetadata:
    return authoring.KitMetadata(
        name=filled(form.name.data),
        summary=filled(form.summary.data),
        objective=form.objective.data,
        audience=form.audience.data or "",
        tags=split_list(form.tags.data),
        tiers=form.tiers.data or [],
        regions=form.regions.data or [],
    )


def _cover(form: KitForm) -> tuple[str, bytes] | None:
    upload = form.cover.data
    return (upload.filename or "cover.png", upload.read()) if upload else None


@bp.route("/")
@marketing_staff
def manage() -> str:
    """Every kit, with search and filters by status and objective."""
    session = db.session()
    args = request.args
    stmt = select(Kit).order_by(Kit.updated_at.desc(), Kit.id.desc())
    status = args.get("status", ACTIVE)
    if status in (ACTIVE, ARCHIVED):
        stmt = stmt.where(Kit.status == status)
    if q := args.get("q", "").strip():
        stmt = stmt.where(
            or_(Kit.name.ilike(f"%{q}%"), Kit.summary.ilike(f"%{q}%"), Kit.slug.ilike(f"%{q}%"))
        )
    if (objective := args.get("objective")) in rules.OBJECTIVES:
        stmt = stmt.where(Kit.objective == objective)
    page = paginate(session, stmt, page_number(args.get("page")))
    ids = [kit.id for kit in page.items]
    latest = dict(
        session.execute(
            select(KitVersion.kit_id, func.max(KitVersion.number))
            .where(KitVersion.kit_id.in_(ids))
            .group_by(KitVersion.kit_id)
        ).all()
    )
    drafts = set(
        session.scalars(
            select(KitVersion.kit_id).where(KitVersion.kit_id.in_(ids), KitVersion.status == DRAFT)
        )
    )
    return render_template(
        "kits/manage.html",
        page=page,
        latest=latest,
        drafts=drafts,
        status=status,
        objectives=rules.OBJECTIVES,
    )


@bp.route("/new", methods=["GET", "POST"])
@marketing_staff
def new_kit() -> str | Response:
    """Start a kit: its catalog details and cover; assets and fields come next."""
    form = _kit_form()
    if form.validate_on_submit():
        try:
            kit = authoring.create_kit(
                db.session(),
                get_storage(),
                current_user.id,
                _metadata(form),
                form.slug.data or "",
                _cover(form),
            )
        except KitError as exc:
            show_problems(form, exc)
        else:
            flash(f"{kit.name} was created as a draft. Add its fields and assets next.", "success")
            return redirect(url_for("kits.kit", kit_id=kit.id))
    return render_template("kits/kit_form.html", form=form, kit=None)


@bp.route("/<int:kit_id>")
@marketing_staff
def kit(kit_id: int) -> str:
    """One kit: the version being edited, its assets, fields and files, and all versions."""
    kit = load_kit(kit_id)
    session = db.session()
    version = working_version(kit)
    latest = services.latest_published_version(session, kit)
    versions = sorted(kit.versions, key=lambda v: v.number or 10**9, reverse=True)
    return render_template(
        "kits/kit.html",
        kit=kit,
        version=version,
        latest=latest,
        versions=versions,
        publish_form=PublishForm(),
        action_form=ActionForm(),
        kind_labels=rules.KIND_LABELS,
        objectives=rules.OBJECTIVES,
        preview_size=previews.preview_size,
    )


@bp.route("/<int:kit_id>/edit", methods=["GET", "POST"])
@marketing_staff
def edit_kit(kit_id: int) -> str | Response:
    """Change a kit's catalog details (in its draft)."""
    kit = load_kit(kit_id)
    manifest = working_version(kit).manifest
    if request.method == "GET":
        form = _kit_form(
            data={
                "name": manifest.get("name"),
                "summary": manifest.get("summary"),
                "objective": manifest.get("objective"),
                "audience": manifest.get("audience"),
                "tags": ", ".join(manifest.get("tags", [])),
                "tiers": manifest.get("tiers", []),
                "regions": manifest.get("regions", []),
            }
        )
    else:
        form = _kit_form()
    del form.slug
    if form.validate_on_submit():
        try:
            authoring.update_metadata(
                db.session(), get_storage(), kit, current_user.id, _metadata(form), _cover(form)
            )
        except KitError as exc:
            show_problems(form, exc)
        else:
            flash("Kit details saved in the draft.", "success")
            return redirect(url_for("kits.kit", kit_id=kit.id))
    return render_template("kits/kit_form.html", form=form, kit=kit)


@bp.route("/<int:kit_id>/publish", methods=["POST"])
@marketing_staff
def publish(kit_id: int) -> str | Response:
    """Publish the draft as the next version."""
    kit = load_kit(kit_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            version = services.publish_draft(
                db.session(), get_storage(), kit, current_user.id, filled(form.change_note.data)
            )
        except KitError as exc:
            flash(exc.message, "error")
        else:
            kit_tasks.queue_previews(db.session(), version)
            flash(f"Version {version.number} of {kit.name} is published.", "success")
    else:
        flash("Say what changed before publishing: partners see the note.", "error")
    return redirect(url_for("kits.kit", kit_id=kit.id))


@bp.route("/<int:kit_id>/status", methods=["POST"])
@marketing_staff
def set_status(kit_id: int) -> Response:
    """Archive a kit (hidden from the catalog; campaigns keep working) or bring it back."""
    kit = load_kit(kit_id)
    target = request.form.get("status", "")
    if not ActionForm().validate_on_submit() or target not in (ACTIVE, ARCHIVED):
        abort(400)
    services.set_kit_status(db.session(), kit, current_user.id, target)
    word = "archived: partners no longer see it" if target == ARCHIVED else "active again"
    flash(f"{kit.name} is {word}.", "success")
    return redirect(url_for("kits.kit", kit_id=kit.id))


@bp.route("/<int:kit_id>/discard", methods=["POST"])
@marketing_staff
def discard_draft(kit_id: int) -> Response:
    """Throw away the draft's changes."""
    kit = load_kit(kit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        authoring.discard_draft(db.session(), get_storage(), kit)
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash("The draft was discarded.", "success")
    return redirect(url_for("kits.kit", kit_id=kit.id))


@bp.route("/upload", methods=["GET", "POST"])
@marketing_staff
def upload() -> ResponseReturnValue:
    """Upload a kit zip: all or nothing; a kit that exists gets a new version."""
    form = ZipUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        session = db.session()
        try:
            package = read_zip(form.package.data.stream)
            result = importer.import_package(session, get_storage(), package, current_user.id)
        except PackageError as exc:
            problems = exc.problems
        except StorageError:
            problems = ["The files could not be stored; nothing was imported. Try again."]
        else:
            if result.created:
                kit_tasks.queue_previews(session, result.version)
                flash(
                    f"{result.kit.name}: version {result.version.number} is published.", "success"
                )
            else:
                flash(
                    f"{result.kit.name}: nothing changed since version {result.version.number}.",
                    "success",
                )
            return redirect(url_for("kits.kit", kit_id=result.kit.id))
    return render_template("kits/upload.html", form=form, problems=problems), (
        422 if problems else 200
    )


@bp.route("/<int:kit_id>/versions/<int:version_id>/download")
@marketing_staff
def download(kit_id: int, version_id: int) -> Response:
    """Any version (or the draft) as a zip in the kit folder format."""
    version = load_version(load_kit(kit_id), version_id)
    data = importer.export_zip(get_storage(), version)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(importer.export_filename(version))
    return response
