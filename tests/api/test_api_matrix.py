"""Every /api/v1 route, every role's token: the expectation in tests/api/matrix.py must hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.api import rules
from tests.access_matrix import OK, ROLES
from tests.api.matrix import API_ROUTES
from tests.api.support import make_token
from tests.conftest import World

PUBLIC_API = {"api-docs.openapi_json", "api_docs_page.docs"}


def test_every_api_route_is_in_the_api_matrix(app: Flask) -> None:
    api = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and rule.endpoint not in PUBLIC_API
    }
    assert api == set(API_ROUTES)


@pytest.mark.parametrize("endpoint", sorted(API_ROUTES))
def test_api_route_answers_each_role_token_as_declared(
    app: Flask, db_session: Session, world: World, endpoint: str
) -> None:
    route = API_ROUTES[endpoint]
    ctx = SimpleNamespace(world=world, app=app)
    tokens = {role: make_token(db_session, world.users[role]) for role in ROLES if role != "anon"}
    failures = []
    for role in ROLES:
        url = route.url(ctx, role) if callable(route.url) else route.url
        body = route.json(ctx) if callable(route.json) else route.json
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        sent = {"data": route.form(ctx)} if route.form else {"json": body}
        response = app.test_client().open(url, method=route.method, headers=headers, **sent)
        expected, status = route.expect[role], response.status_code
        if status >= 500:
            failures.append(f"{role}: server error {status}")
        elif expected == OK:
            if status in (401, 403, 404):
                failures.append(f"{role}: expected access, got {status} {response.get_json()}")
        elif status != expected:
            failures.append(f"{role}: expected {expected}, got {status}")
        if status >= 400 and response.mimetype != "application/problem+json":
            failures.append(f"{role}: {status} is not problem+json")
    assert not failures, f"{route.method} {url}: " + "; ".join(failures)


@pytest.mark.parametrize("endpoint", sorted(API_ROUTES))
def test_api_route_refuses_a_token_without_its_scope(
    app: Flask, db_session: Session, world: World, endpoint: str
) -> None:
    """A role the route allows, with every scope but the route's area: 403, nothing done."""
    route = API_ROUTES[endpoint]
    area, _mode = app.view_functions[endpoint].api_scope
    role = next(r for r in ROLES if route.expect[r] == OK and r != "anon")
    user = world.users[role]
    scopes = [s for s in rules.scopes_for_role(user.role) if not s.startswith(f"{area}:")]
    token = make_token(db_session, user, scopes=scopes)
    ctx = SimpleNamespace(world=world, app=app)
    url = route.url(ctx, role) if callable(route.url) else route.url
    body = route.json(ctx) if callable(route.json) else route.json
    sent = {"data": route.form(ctx)} if route.form else {"json": body}
    headers = {"Authorization": f"Bearer {token}"}
    response = app.test_client().open(url, method=route.method, headers=headers, **sent)
    assert response.status_code == 403, (role, response.get_json())
    assert f"'{area}:" in response.get_json()["detail"]
