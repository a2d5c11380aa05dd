"""Tracked clicks: /c/<token> redirects to one of the message's own links and counts it.

The token names the mailing, the delivery and the link's position in the message; the
target is read from the message as it was sent, so no token can send anyone elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect
from werkzeug.wrappers import Response

from tcma import db
from tcma.extensions import limiter
from tcma.mailings import rules, services

bp = Blueprint("track", __name__, url_prefix="/c")


@bp.route("/<token>")
@limiter.limit("120 per minute")
def click(token: str) -> Response:
    """Count the click and redirect to the link the message holds at that position."""
    click = rules.click_of_token(current_app.config["SECRET_KEY"], token)
    if click is None:
        abort(404)
    target = services.click_target(db.session(), *click)
    if target is None:
        abort(404)
    response = redirect(target, 302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
