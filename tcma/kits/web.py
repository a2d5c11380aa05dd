"""Helpers the kit pages share: loading a kit, previews, showing problems next to inputs."""

from __future__ import annotations

import hashlib
import re

from flask import abort, current_app, flash, make_response, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tcma import db, thumbs
from tcma.cobrand.render import RenderError
from tcma.forms import show_error
from tcma.kits import previews, services
from tcma.kits.models import Kit, KitVersion
from tcma.kits.rules import DraftRefused, KitError, Problem
from tcma.storage import StorageError, get_storage

# Preview HTML is vendor-authored: it runs no script, submits nothing and loads only our files.
PREVIEW_CSP = (
    "sandbox allow-same-origin; default-src 'none'; img-src 'self' data: https:; "
    "style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'self'"
)


# "kit.toml fields[2] (date): 'default' must be ..." names the input in its first quotes.
_QUOTED_KEY = re.compile(r": '(\w+)'")
_KIT_TOML_WHERE = re.compile(r"^kit\.toml [^:]*: ")


def load_kit(kit_id: int) -> Kit:
    """The kit, or 404."""
    return db.session().get(Kit, kit_id) or abort(404)


def load_version(kit: Kit, version_id: int) -> KitVersion:
    """One version of the kit, or 404."""
    return services.get_version(db.session(), kit, version_id) or abort(404)


def working_version(kit: Kit) -> KitVersion:
    """What the marketer edits: the draft if one is open, else the latest published version
    (a kit that has neither cannot be edited: 404)."""
    session = db.session()
    version = services.draft_of(session, kit) or services.latest_published_version(session, kit)
    return version or abort(404)


def vendor_info() -> dict[str, str]:
    """The vendor as kit templates see it."""
    config = current_app.config
    return {"name": config["VENDOR_NAME"], "website": config["VENDOR_WEBSITE"]}


def show_problems(form: FlaskForm, exc: KitError, slots: dict[str, str] | None = None) -> None:
    """Put each problem next to the input it is about, the others in a flash message."""
    if not isinstance(exc, DraftRefused):
        show_error(form, exc)
        return
    for problem in exc.problems:
        target = getattr(form, _input_name(problem, exc.slots, slots or {}), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, line_message(problem)]
        else:
            flash(for_web(str(problem)), "error")


def for_web(message: str) -> str:
    """A problem as web users read it: they edit the kit's settings, never see kit.toml."""
    message = re.sub(r"^kit\.toml assets\[\d+\] \(([^)]*)\)", r"Asset \1", message)
    message = re.sub(r"^kit\.toml\b", "Kit settings", message)
    return message.replace("kit.toml", "the kit settings")


def _input_name(problem: Problem, file_slots: dict[str, str], inputs: dict[str, str]) -> str:
    """The form input a problem is about: a file's text box, or the kit.toml key it names."""
    if problem.path in file_slots:
        slot = file_slots[problem.path]
        return inputs.get(slot, slot)
    if problem.path.startswith("kit.toml assets."):
        return problem.path.rsplit(".", 1)[-1]
    quoted = _QUOTED_KEY.search(problem.message) if problem.path == "kit.toml" else None
    return quoted.group(1) if quoted else ""


def line_message(problem: Problem) -> str:
    """'Line 3: message' for a template problem shown next to its text box."""
    message = for_web(_KIT_TOML_WHERE.sub("", problem.message))
    return f"Line {problem.line}: {message}" if problem.line else message


def preview_png_response(version: KitVersion, asset_key: str) -> Response:
    """Redirect to the cached PNG preview of one asset (rendering it on first use).

    With ``?w=N`` the answer is a copy N pixels wide, sent from here under this stable URL
    so browsers keep it (an hour, then a cheap revalidation by ETag)."""
    if version.asset(asset_key) is None:
        abort(404)
    storage = get_storage()
    try:
        key = previews.preview_png_key(storage, version, asset_key, vendor_info())
    except (RenderError, StorageError) as exc:
        response = make_response(f"The preview could not be made: {exc}", 422)
        response.mimetype = "text/plain"
        return response
    width = thumbs.parse_width(request.args.get("w"))
    if width:
        thumb = f"{thumbs.THUMB_PREFIX}previews/{key}-w{width}"
        small = thumbs.cached_copy(storage, thumb, lambda: storage.read(key), width)
        data, content_type = small or (storage.read(key), "image/png")
        response = make_response(data)
        response.mimetype = content_type
        response.headers["Cache-Control"] = "private, max-age=3600"
        response.set_etag(hashlib.sha256(thumb.encode()).hexdigest()[:20])
        return response.make_conditional(request)
    filename = f"{version.manifest['slug']}-{asset_key}-preview.png"
    return redirect(storage.download_url(key, filename, inline=True))
