"""App-wide behaviour: configuration, health, error pages, security headers, CSRF, migrations."""

from __future__ import annotations

import pytest
from flask import Flask

from tcma.config import ConfigError, load_config
from tests.conftest import World, make_test_app


def test_production_without_a_secret_key_refuses_to_start(tmp_path) -> None:
    with pytest.raises(ConfigError, match="TCMA_SECRET_KEY"):
        load_config(str(tmp_path), {"TCMA_ENV": "production"})


def test_defaults_need_nothing_installed(tmp_path) -> None:
    config = load_config(str(tmp_path), {})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'tcma.sqlite3'}"
    assert config["STORAGE_URL"] == f"file://{tmp_path / 'storage'}"
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_https_base_url_makes_cookies_secure(tmp_path) -> None:
    config = load_config(str(tmp_path), {"TCMA_BASE_URL": "https://partners.example.com"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_healthz_reports_database_and_storage(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "storage": "ok"}


def test_healthz_fails_when_storage_is_unusable(database_url: str, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    app = make_test_app(database_url, tmp_path, STORAGE_URL=f"file://{blocker}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["storage"] == "error"


def test_pages_carry_security_headers(client) -> None:
    headers = client.get("/login").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_session_cookie_is_httponly_and_samesite(client, world: World) -> None:
    from tests.conftest import TEST_PASSWORD

    response = client.post(
        "/login", data={"email": "ben@brightpath.example", "password": TEST_PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_styled_404_page(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


def test_api_clients_get_json_errors(client) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Not found"


def test_unexpected_errors_get_the_500_page_and_roll_back(app: Flask) -> None:
    @app.route("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)


# POSTs that must work without a session: RFC 8058's one-click unsubscribe comes from a mail
# provider, not a browser; its signed token is the authority (tests/mailings/test_sending.py).
# Posted by mail programs (RFC 8058 one-click) and ESPs (signed with Standard Webhooks), never
# by a browser form of ours.
CSRF_EXEMPT = {"unsubscribe.confirm", "mail_events.receive"}


def test_every_post_route_refuses_a_request_without_csrf_token(
    database_url: str, tmp_path, world: World
) -> None:
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()):
            continue
        path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        response = app.test_client().post(path, data={"anything": "1"})
        if rule.endpoint in CSRF_EXEMPT:
            continue
        if path.startswith("/api/v1/"):
            # The API reads no cookie, only a bearer token: without one it is 401, never CSRF.
            assert response.status_code == 401, f"{rule.endpoint} answered without a token"
            continue
        assert response.status_code == 400, f"{rule.endpoint} accepted a POST without a CSRF token"
        checked += 1
    assert checked >= 5
