"""Idempotency-Key on POST: the first answer is stored per token and replayed for retries."""

from __future__ import annotations

import hashlib

from flask import Response, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tcma import db
from tcma.api.errors import ApiProblem, problem_response
from tcma.api.models import IdempotentResponse

HEADER = "Idempotency-Key"
MAX_KEY = 255
REPLAYED = "Idempotent-Replayed"
_KEPT_HEADERS = ("Location", "Content-Type")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.full_path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def replay_or_remember(token_id: int) -> Response | None:
    """Before a POST: replay the stored answer for a key already used, or note the key."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isascii():
        raise ApiProblem(
            400,
            detail=f"{HEADER} must be 1 to {MAX_KEY} ASCII characters.",
            errors=[{"location": "headers", "field": HEADER, "message": "Not a valid key."}],
        )
    fingerprint = _fingerprint()
    stored = db.session().scalar(
        select(IdempotentResponse).where(
            IdempotentResponse.token_id == token_id, IdempotentResponse.key == key
        )
    )
    if stored is None:
        g.idempotency = (token_id, key, fingerprint)
        return None
    if stored.fingerprint != fingerprint:
        raise ApiProblem(
            422,
            detail=f"This {HEADER} was used for a different request; use a new key.",
            errors=[{"location": "headers", "field": HEADER, "message": "Key already used."}],
        )
    response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def store(response: Response) -> Response:
    """After a POST with a new key: keep its answer (in the request's own transaction)."""
    noted = g.pop("idempotency", None)
    if noted is None or response.status_code >= 500 or response.status_code == 429:
        return response
    token_id, key, fingerprint = noted
    session = db.session()
    row = IdempotentResponse(
        token_id=token_id,
        key=key,
        fingerprint=fingerprint,
        status=response.status_code,
        body=response.get_data(as_text=True),
        headers={h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers},
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # The same key is being used by a request running right now: this one changes nothing.
        conflict = ApiProblem(409, detail=f"A request with this {HEADER} is in progress.")
        return problem_response(conflict)
    return response
