"""One error format for /api/v1: application/problem+json (RFC 9457) with field details."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from tcma.exceptions import DomainError

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/v1"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
DETAILS = {
    404: "There is no such object, or it is not yours to see.",
    405: "This endpoint does not answer that method.",
    413: "The request body is larger than this server accepts.",
    429: "Too many requests for this token; wait as Retry-After says.",
    500: "The request could not be finished. Nothing was changed.",
}


class ApiProblem(Exception):
    """An API answer other than success, raised from anywhere in an API view."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title or TITLES.get(status, "Error")
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def field_error(status: int, message: str, field: str | None) -> ApiProblem:
    """A rule's message as a problem; with a field it is a validation error on that field."""
    if field:
        return ApiProblem(
            status,
            detail=message,
            errors=[{"location": "json", "field": field, "message": message}],
        )
    return ApiProblem(status, detail=message)


def rule_problem(exc: DomainError) -> ApiProblem:
    """A rule's refusal (the same one a page shows at its field) as a 422 problem."""
    return field_error(422, exc.message, exc.field)


def is_api_request() -> bool:
    """True for every path under /api/v1 (errors there are problem+json)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def problem_response(problem: ApiProblem) -> Response:
    """The problem as an HTTP answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail or DETAILS.get(problem.status, problem.title),
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM_JSON)
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def _flatten(messages: Any, location: str, prefix: str = "") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, location, name))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, dict | list):
                out.extend(_flatten(item, location, prefix))
            else:
                out.append({"location": location, "field": prefix or "_", "message": str(item)})
    else:
        out.append({"location": location, "field": prefix or "_", "message": str(messages)})
    return out


def from_http_exception(error: HTTPException) -> ApiProblem:
    """A werkzeug/webargs error as a problem; webargs' messages become field errors."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors: list[dict[str, str]] = []
    messages = data.get("messages")
    if isinstance(messages, dict):
        for location, fields in messages.items():
            errors.extend(_flatten(fields, str(location)))
    detail = data.get("message") or ""
    if errors and not detail:
        detail = "Some values are not valid; see errors."
    if not detail and status not in DETAILS:
        detail = error.description or ""
    headers = {}
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        headers["Retry-After"] = str(getattr(error, "retry_after", "") or 60)
    return ApiProblem(status, TITLES.get(status), str(detail), errors=errors, headers=headers)
