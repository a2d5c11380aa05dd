"""POST /mail/events: an ESP's bounce and complaint events, signed (Standard Webhooks).

No sign-in and no CSRF token: the signature with TCMA_MAIL_EVENTS_SECRET is the authority
(and its timestamp, checked within five minutes, stops replays). Errors are problem+json.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug.wrappers import Response

from tcma import db
from tcma.api.errors import ApiProblem, field_error, problem_response
from tcma.extensions import csrf, limiter
from tcma.mailings import esp_events
from tcma.mailings.rules import MailingError

bp = Blueprint("mail_events", __name__, url_prefix="/mail")
MAX_BODY = 1024 * 1024


@bp.route("/events", methods=["POST"])
@csrf.exempt
@limiter.limit("600 per minute")
def receive() -> Response:
    """Verify the signature, check every event, then act on each; 200 with what happened."""
    secret = current_app.config["MAIL_EVENTS_SECRET"]
    if not secret:
        return problem_response(ApiProblem(404, detail="ESP events are not set up here."))
    if (request.content_length or 0) > MAX_BODY:
        return problem_response(ApiProblem(413))
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY:
        return problem_response(ApiProblem(413))
    try:
        Webhook(secret).verify(body, dict(request.headers), json_parse=False)
    except WebhookVerificationError:
        return problem_response(
            ApiProblem(401, detail="The webhook signature is missing, wrong or too old.")
        )
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return problem_response(ApiProblem(400, detail="The body is not JSON."))
    try:
        events = esp_events.parse_events(decoded)
    except MailingError as exc:
        return problem_response(field_error(400, exc.message, exc.field))
    session, key = db.session(), current_app.config["SECRET_KEY"]
    results = [esp_events.handle_event(session, key, event) for event in events]
    return jsonify({"results": results})
