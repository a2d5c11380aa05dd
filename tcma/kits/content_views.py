"""Marketer pages for what is inside a kit: assets, fields, files and previews."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tcma import db
from tcma.cobrand.render import RenderError
from tcma.kits import authoring, previews, rules
from tcma.kits.forms import ActionForm, AssetForm, FieldForm, FileUploadForm
from tcma.kits.models import KitVersion
from tcma.kits.rules import KitError
from tcma.kits.web import (
    PREVIEW_CSP,
    load_kit,
    load_version,
    preview_png_response,
    show_problems,
    vendor_info,
    working_version,
)
from tcma.permissions import marketing_staff
from tcma.storage import StorageError, get_storage

bp = Blueprint("kit_content", __name__, url_prefix="/kits")
# Which input of the asset form each of save_asset's text slots comes from.
SLOT_INPUTS = {f"network:{network}": network for network in rules.NETWORKS}
# The inputs only some kinds of asset have.
KIND_INPUTS = {
    "email": ("subject", "preheader", "text_template"),
    "print": ("page_size", "bleed"),
    "banner": ("width", "height"),
    "social": ("width", "height", *rules.NETWORKS),
}


def _text(form_field: Any) -> bytes | None:
    # Browsers send CRLF from text boxes; templates keep Unix line ends like the files.
    value = form_field.data
    return None if value is None else value.replace("\r\n", "\n").encode()


def _asset_texts(form: AssetForm, kind: str) -> dict[str, bytes | None]:
    upload = form.template_file.data
    texts = {"template": upload.read() if upload else _text(form.template)}
    if kind == "email":
        texts["text_template"] = _text(form.text_template) or b""
    if kind == "social":
        for network in rules.NETWORKS:
            texts[f"network:{network}"] = _text(getattr(form, network)) or b""
    return texts


def _asset_entry(form: AssetForm, kind: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "name": form.name.data, "fields": form.fields.data or []}
    if form.key is not None:
        entry["key"] = form.key.data
    if kind == "email":
        entry.update(subject=form.subject.data, preheader=form.preheader.data)
    elif kind == "print":
        entry["page_size"] = form.page_size.data
        if form.bleed.data:
            entry["bleed"] = form.bleed.data.strip()
    elif kind in ("banner", "social"):
        entry.update(width=form.width.data, height=form.height.data)
    return entry


def _fill_asset_form(form: AssetForm, asset: dict[str, Any], version: KitVersion) -> None:
    read = lambda path: version_text(version, path)  # noqa: E731 - tiny local reader
    form.name.data = asset.get("name")
    form.template.data = read(asset.get("template"))
    row = version.asset(asset["key"])
    form.fields.data = row.used_fields if row else list(asset.get("fields", []))
    values = {
        **asset,
        "text_template": read(asset.get("text_template")),
        **{network: read(path) for network, path in (asset.get("networks") or {}).items()},
    }
    for name in KIND_INPUTS.get(asset["kind"], ()):
        getattr(form, name).data = values.get(name)


def version_text(version: KitVersion, path: str | None) -> str:
    """A template of the version as text ('' when it has none)."""
    if not path or path not in version.files:
        return ""
    return get_storage().read(version.storage_key(path)).decode("utf-8", "replace")


@bp.route("/<int:kit_id>/assets/new", methods=["GET", "POST"])
@marketing_staff
def new_asset(kit_id: int) -> str | Response:
    """Add an asset of a chosen kind: write or upload its template."""
    kit = load_kit(kit_id)
    kind = request.args.get("kind", "")
    if kind not in rules.KINDS:
        return render_template("kits/asset_kind.html", kit=kit, kinds=rules.KIND_LABELS)
    return _asset_page(kit, kind, None)


@bp.route("/<int:kit_id>/assets/<key>/edit", methods=["GET", "POST"])
@marketing_staff
def edit_asset(kit_id: int, key: str) -> str | Response:
    """Change an asset's settings and templates (in the draft)."""
    kit = load_kit(kit_id)
    asset = next(
        (a for a in working_version(kit).manifest.get("assets", []) if a.get("key") == key), None
    ) or abort(404)
    return _asset_page(kit, asset["kind"], asset)


def _asset_page(kit: Any, kind: str, asset: dict[str, Any] | None) -> str | Response:
    version = working_version(kit)
    form = AssetForm()
    others = {name for names in KIND_INPUTS.values() for name in names}
    for name in others - set(KIND_INPUTS.get(kind, ())):
        delattr(form, name)
    form.fields.choices = [(f["key"], f["label"]) for f in version.manifest.get("fields", [])]
    if asset is not None:
        del form.key
    if request.method == "GET" and asset is not None:
        _fill_asset_form(form, asset, version)
    elif form.validate_on_submit():
        entry = _asset_entry(form, kind)
        if asset is not None:
            entry["key"] = asset["key"]
        try:
            authoring.save_asset(
                db.session(),
                get_storage(),
                kit,
                current_user.id,
                entry,
                _asset_texts(form, kind),
                asset["key"] if asset else None,
            )
        except KitError as exc:
            show_problems(form, exc, SLOT_INPUTS)
        else:
            flash(f"{entry['name']} was saved in the draft.", "success")
            return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="assets"))
    return render_template(
        "kits/asset_form.html",
        kit=kit,
        kind=kind,
        form=form,
        asset=asset,
        version=version,
        kind_label=rules.KIND_LABELS[kind],
    )


@bp.route("/<int:kit_id>/assets/<key>/delete", methods=["POST"])
@marketing_staff
def delete_asset(kit_id: int, key: str) -> Response:
    """Remove an asset from the draft."""
    kit = load_kit(kit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        authoring.delete_asset(db.session(), get_storage(), kit, current_user.id, key)
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash("The asset was removed from the draft.", "success")
    return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="assets"))


@bp.route("/<int:kit_id>/fields/new", methods=["GET", "POST"])
@bp.route("/<int:kit_id>/fields/<key>/edit", methods=["GET", "POST"], endpoint="edit_field")
@marketing_staff
def new_field(kit_id: int, key: str | None = None) -> str | Response:
    """Declare a co-brand field (or change one) and the assets that use it."""
    kit = load_kit(kit_id)
    manifest = working_version(kit).manifest
    spec = None
    if key is not None:
        spec = next((f for f in manifest.get("fields", []) if f.get("key") == key), None)
        spec = spec or abort(404)
    form = FieldForm()
    form.used_by.choices = [(a["key"], a["name"]) for a in manifest.get("assets", [])]
    if spec is not None:
        del form.key
    if request.method == "GET" and spec is not None:
        form.label.data, form.type.data = spec.get("label"), spec.get("type")
        form.required.data, form.default.data = spec.get("required"), spec.get("default")
        form.max_length.data, form.help.data = spec.get("max_length"), spec.get("help")
        form.choices.data = "\n".join(spec.get("choices") or [])
        form.used_by.data = [
            a["key"] for a in manifest.get("assets", []) if key in a.get("fields", [])
        ]
    elif form.validate_on_submit():
        new_spec = {
            "key": key or form.key.data,
            "label": form.label.data,
            "type": form.type.data,
            "required": bool(form.required.data),
            "default": form.default.data,
            "max_length": form.max_length.data,
            "help": form.help.data,
            "choices": [c.strip() for c in (form.choices.data or "").splitlines() if c.strip()],
        }
        try:
            authoring.save_field(
                db.session(),
                get_storage(),
                kit,
                current_user.id,
                new_spec,
                form.used_by.data or [],
                key,
            )
        except KitError as exc:
            show_problems(form, exc)
        else:
            flash(f"The field {new_spec['label']} was saved in the draft.", "success")
            return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="fields"))
    return render_template("kits/field_form.html", kit=kit, form=form, spec=spec)


@bp.route("/<int:kit_id>/fields/<key>/delete", methods=["POST"])
@marketing_staff
def delete_field(kit_id: int, key: str) -> Response:
    """Remove a field that no template uses any more."""
    kit = load_kit(kit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        authoring.delete_field(db.session(), get_storage(), kit, current_user.id, key)
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash("The field was removed from the draft.", "success")
    return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="fields"))


@bp.route("/<int:kit_id>/files", methods=["POST"])
@marketing_staff
def upload_file(kit_id: int) -> Response:
    """Add an image, font or template file to the draft."""
    kit = load_kit(kit_id)
    form = FileUploadForm()
    if not form.validate_on_submit():
        for message in form.file.errors or ["Choose a file."]:
            flash(message, "error")
        return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="files"))
    upload = form.file.data
    try:
        path = authoring.add_file(
            db.session(), get_storage(), kit, current_user.id, upload.filename or "", upload.read()
        )
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash(f"{path} was added to the draft.", "success")
    return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="files"))


@bp.route("/<int:kit_id>/files/delete", methods=["POST"])
@marketing_staff
def delete_file(kit_id: int) -> Response:
    """Remove a file that nothing names any more."""
    kit = load_kit(kit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        authoring.delete_file(
            db.session(), get_storage(), kit, current_user.id, request.form.get("path", "")
        )
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash("The file was removed from the draft.", "success")
    return redirect(url_for("kits.kit", kit_id=kit.id, _anchor="files"))


@bp.route("/<int:kit_id>/versions/<int:version_id>/assets/<key>/preview.png")
@marketing_staff
def asset_preview(kit_id: int, version_id: int, key: str) -> Response:
    """An asset's PNG preview with the placeholder brand."""
    return preview_png_response(load_version(load_kit(kit_id), version_id), key)


@bp.route("/<int:kit_id>/versions/<int:version_id>/assets/<key>/preview.html")
@marketing_staff
def asset_preview_html(kit_id: int, version_id: int, key: str) -> Response:
    """An email or landing asset as the HTML it delivers, sandboxed."""
    kit = load_kit(kit_id)
    version = load_version(kit, version_id)
    asset = version.asset(key)
    if asset is None or asset.kind not in previews.SNAPSHOT_SIZES:
        abort(404)
    media = url_for("kit_content.version_media", kit_id=kit.id, version_id=version.id, path="")
    try:
        html = previews.preview_html(get_storage(), version, key, vendor_info(), media)
    except (RenderError, StorageError) as exc:
        return Response(f"The preview could not be made: {exc}", 422, mimetype="text/plain")
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


@bp.route("/<int:kit_id>/versions/<int:version_id>/media/<path:path>")
@marketing_staff
def version_media(kit_id: int, version_id: int, path: str) -> Response:
    """A media file of a version, for HTML previews."""
    version = load_version(load_kit(kit_id), version_id)
    full = f"media/{path}"
    if full not in version.files:
        abort(404)
    storage = get_storage()
    return redirect(
        storage.download_url(version.storage_key(full), path.rsplit("/", 1)[-1], inline=True)
    )
