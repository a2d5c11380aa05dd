"""The API blueprint every area's api.py uses: token auth, rate limit, idempotency, headers."""

from __future__ import annotations

import http
import math
import time
from collections.abc import Callable

from flask import Response, current_app
from flask_smorest import Blueprint

from tcma.api import auth, idempotency
from tcma.extensions import csrf, limiter


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _before() -> Response | None:
    auth.authenticate_request()
    return idempotency.replay_or_remember(auth.principal().token.id)


def rate_limit_headers(response: Response) -> Response:
    """RateLimit-Limit / -Remaining / -Reset (IETF draft) for the request's bucket."""
    current = limiter.current_limit
    if current is None:
        return response
    reset = max(0, math.ceil(current.reset_at - time.time()))
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
    response.headers["RateLimit-Reset"] = str(reset)
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={current.limit.get_expiry()}"
    return response


def _after(response: Response) -> Response:
    response = idempotency.store(response)
    response.headers["Cache-Control"] = "no-store"
    return rate_limit_headers(response)


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    """A flask-smorest Blueprint under /api/v1 that needs a bearer token on every route."""
    bp = Blueprint(name, import_name, url_prefix=f"/api/v1{url_prefix}", description=description)
    bp.before_request(_before)
    bp.after_request(_after)
    limiter.limit(_rate_limit, key_func=auth.rate_limit_key)(bp)
    # No session cookie is read here (the bearer token is the credential), so there is no
    # CSRF surface: a forged cross-site request carries no token.
    csrf.exempt(bp)
    return bp


def problems(bp: Blueprint, *codes: int) -> Callable:
    """Document the problem+json answers a route gives, besides 401, 403 and 429 (all do)."""

    def decorator(view: Callable) -> Callable:
        for code in sorted({401, 403, 429, *codes}, reverse=True):
            view = bp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorator
