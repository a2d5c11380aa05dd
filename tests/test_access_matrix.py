"""Every route, every role: the declared expectation in access_matrix.py must hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask

from tcma.accounts import tokens
from tcma.storage import get_storage
from tests.access_matrix import LOGIN, OK, ROLES, ROUTES
from tests.api.matrix import API_ROUTES
from tests.conftest import World, login

IGNORED = {"static"}


def test_every_route_has_a_declared_expectation(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED
    declared = set(ROUTES) | set(API_ROUTES)  # API routes: tests/api/matrix.py, by token
    missing = sorted(endpoints - declared)
    stale = sorted(declared - endpoints)
    assert not missing, f"routes without an access expectation in tests/access_matrix.py: {missing}"
    assert not stale, f"access_matrix.py declares routes that do not exist: {stale}"


def _context(app: Flask, world: World) -> SimpleNamespace:
    with app.app_context():
        secret = app.secret_key
        invited = world.users["a_user"]
        storage = get_storage()
        storage.put("matrix/report.txt", b"hello", "text/plain")
        with app.test_request_context():
            download_url = storage.download_url("matrix/report.txt", "report.txt")
        return SimpleNamespace(
            world=world,
            app=app,
            reset_token=tokens.make_token(secret, tokens.PASSWORD_RESET, invited),
            invitation_token=tokens.make_token(secret, tokens.INVITATION, invited),
            download_url=download_url,
        )


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_role_as_declared(app: Flask, world: World, endpoint: str) -> None:
    route = ROUTES[endpoint]
    ctx = _context(app, world)
    url = route.url(ctx) if callable(route.url) else route.url
    failures = []
    for role in ROLES:
        client = app.test_client()
        if role != "anon":
            login(client, world.users[role])
        response = client.open(url, method=route.method, data=route.data)
        expected = route.expect[role]
        status = response.status_code
        location = response.headers.get("Location", "")
        to_login = status == 302 and "/login?next=" in location
        if status >= 500:
            failures.append(f"{role}: server error {status}")
        elif expected == OK:
            if status in (401, 403, 404) or to_login:
                failures.append(f"{role}: expected access, got {status} {location}")
        elif expected == LOGIN:
            if not to_login:
                failures.append(f"{role}: expected sign-in redirect, got {status} {location}")
        elif status != expected:
            failures.append(f"{role}: expected {expected}, got {status}")
    assert not failures, f"{route.method} {url}: " + "; ".join(failures)
