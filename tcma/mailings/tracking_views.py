"""Tracked clicks and opens.

/c/<token> redirects to one of the message's own links and counts it: the token names the
mailing, the delivery and the link's position in the message; the target is read from the
message as it was sent, so no token can send anyone elsewhere. A link to the campaign's
landing page also leaves a signed reference for the lead form there (lead attribution).
/o/<token> is the open pixel: its first fetch marks the delivery opened.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect
from werkzeug.wrappers import Response

from tcma import db
from tcma.extensions import limiter
from tcma.mailings import engagement, rules, services

bp = Blueprint("track", __name__, url_prefix="/c")
open_bp = Blueprint("opens", __name__, url_prefix="/o")


@bp.route("/<token>")
@limiter.limit("120 per minute")
def click(token: str) -> Response:
    """Count the click and redirect to the link the message holds at that position."""
    click = rules.click_of_token(current_app.config["SECRET_KEY"], token)
    if click is None:
        abort(404)
    session = db.session()
    target = services.click_target(session, *click)
    if target is None:
        abort(404)
    response = redirect(target, 302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    reference = engagement.reference_for_click(session, click[0], click[1], target)
    if reference is not None:
        response.set_cookie(
            engagement.ATTRIBUTION_COOKIE,
            reference.value,
            max_age=rules.ATTRIBUTION_DAYS * 86400,
            path=reference.path,
            secure=current_app.config["BASE_URL"].startswith("https:"),
            httponly=True,
            samesite="Lax",
        )
    return response


@open_bp.route("/<token>")
@limiter.exempt  # mail programs fetch images in bursts; the answer is one cheap UPDATE
def pixel(token: str) -> Response:
    """The 1×1 image of a delivery; its first fetch records the open (forged: still a GIF)."""
    found = rules.open_of_token(current_app.config["SECRET_KEY"], token)
    if found is not None:
        engagement.record_open(db.session(), *found)
    response = make_response(engagement.PIXEL_GIF)
    response.mimetype = "image/gif"
    response.headers["Cache-Control"] = "no-store, private"
    return response
