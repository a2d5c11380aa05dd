"""Styled error pages for people and JSON errors for API clients; one commit per request."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request, session
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from tcma import db
from tcma.api.errors import (
    ApiProblem,
    from_http_exception,
    is_api_request,
    problem_response,
    rule_problem,
)
from tcma.exceptions import DomainError
from tcma.storage import StorageError, StorageUnavailable

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing here. The link may be old or mistyped."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("File too large", "The upload is larger than this site accepts."),
    429: ("Too many attempts", "Please wait a few minutes before trying again."),
    500: ("Something went wrong", "We could not finish this request. Nothing was changed."),
}
STORAGE_DOWN = (
    "File storage is not answering",
    "We could not reach file storage, so nothing was changed. Please try again in a minute.",
)
STORAGE_FAILED = (
    "File storage failed",
    "A file could not be read or saved, so nothing was changed. Please try again in a minute.",
)
#: Seconds a client is asked to wait before trying again after a storage failure.
STORAGE_RETRY_AFTER = 30


class UnreadableInput(BadRequest):
    """A request whose address holds characters nobody types; its own message is shown."""


def wants_json() -> bool:
    """API clients and /api/ routes get JSON errors; browsers get pages."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def init_errors(app: Flask) -> None:
    """Register error handlers and the commit-once-per-request hook."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ApiProblem, _api_problem)
    app.register_error_handler(StorageError, _storage_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.after_request(_commit_or_rollback)


def _commit_or_rollback(response: Response) -> Response:
    # The request is the unit of work: a success commits, anything else changes nothing.
    if response.status_code < 400:
        db.commit_if_open()
    else:
        db.rollback_if_open()
    return response


def _api_problem(problem: ApiProblem) -> Response:
    return problem_response(problem)


def _http_error(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if is_api_request():
        return problem_response(from_http_exception(error)), code
    title, text = MESSAGES.get(code, (error.name, error.description or ""))
    if isinstance(error, UnreadableInput):
        text = error.description or text
    if code == 429:
        text = f"{text} ({error.description})" if error.description else text
    return _error_page(code, title, text)


def _error_page(code: int, title: str, text: str) -> tuple[Response | str, int]:
    if code >= 500:
        # The request failed and was rolled back: a success message it queued is untrue.
        session.pop("_flashes", None)
    if wants_json():
        return jsonify(error=title, message=text, status=code), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _storage_error(error: StorageError) -> Response:
    log.error("storage failed on %s %s: %s", request.method, request.path, error)
    db.rollback_if_open()
    title, text = STORAGE_DOWN if isinstance(error, StorageUnavailable) else STORAGE_FAILED
    body, code = _error_page(503, title, text)
    response = current_app.make_response((body, code))
    response.headers["Retry-After"] = str(STORAGE_RETRY_AFTER)
    return response


def _domain_error(error: DomainError) -> Response | tuple[Response | str, int]:
    # Views show a refusal next to its field; one that escapes a view is still the person's
    # input being refused (422 with its message), never a server error.
    db.rollback_if_open()
    if is_api_request():
        return problem_response(rule_problem(error))
    return _error_page(422, "Not possible", error.message)


def _unexpected_error(error: Exception) -> tuple[Response | str, int]:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.rollback_if_open()
    return _http_error(InternalServerError())
