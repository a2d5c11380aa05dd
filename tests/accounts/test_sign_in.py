"""Signing in and out, failures that reveal nothing, the rate limit, suspended partners."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma.accounts import services
from tcma.accounts.models import Partner, User
from tcma.urls import is_safe_next
from tests.conftest import TEST_PASSWORD, World, make_test_app

WRONG = "The email or password is not correct."


def sign_in(client, email: str, password: str, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_user_signs_in_and_reaches_their_home(client, world: World) -> None:
    response = sign_in(client, "ben@brightpath.example", TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    home = client.get("/home")
    assert "Run co-branded campaigns for Brightpath IT" in home.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_message(client, world: World) -> None:
    wrong_password = sign_in(client, "ben@brightpath.example", "not-his-password-123")
    unknown_email = sign_in(client, "nobody@nowhere.example", "not-his-password-123")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert WRONG in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_sixth_failed_attempt_within_minutes_answers_429(client, world: World) -> None:
    for _ in range(5):
        assert sign_in(client, "ben@brightpath.example", "guess-number-x-99").status_code == 200
    blocked = sign_in(client, "ben@brightpath.example", TEST_PASSWORD)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_successful_sign_ins_do_not_count_towards_the_limit(app: Flask, world: World) -> None:
    for _ in range(7):
        client = app.test_client()
        assert sign_in(client, "ben@brightpath.example", TEST_PASSWORD).status_code == 302


def test_suspended_partners_users_cannot_sign_in(client, world: World, db_session: Session) -> None:
    partner = db_session.get(Partner, world.partner_a.id)
    services.set_partner_status(db_session, world.users["admin"], partner, "suspended")
    db_session.commit()
    response = sign_in(client, "ben@brightpath.example", TEST_PASSWORD)
    assert "suspended" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_suspending_a_partner_ends_its_users_sessions(
    login_as, world: World, db_session: Session
) -> None:
    client = login_as("a_user")
    assert client.get("/home").status_code == 200
    partner = db_session.get(Partner, world.partner_a.id)
    services.set_partner_status(db_session, world.users["admin"], partner, "suspended")
    db_session.commit()
    assert_sent_to_sign_in(client.get("/home"))


def test_deactivated_user_cannot_sign_in(client, world: World, db_session: Session) -> None:
    user = db_session.get(User, world.users["a_user"].id)
    services.set_user_status(db_session, world.users["a_admin"], user, "deactivated")
    db_session.commit()
    assert "deactivated" in sign_in(client, "ben@brightpath.example", TEST_PASSWORD).get_data(
        as_text=True
    )


def test_next_goes_to_local_paths_only(app: Flask, world: World) -> None:
    local = sign_in(app.test_client(), "admin@vendor.example", TEST_PASSWORD, "/admin/partners")
    assert local.headers["Location"] == "/admin/partners"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = sign_in(app.test_client(), "admin@vendor.example", TEST_PASSWORD, evil)
        assert response.headers["Location"] == "/home", evil


@pytest.mark.parametrize(
    "evil",
    ["/home%0d%0aSet-Cookie:%20x=1", "/x%0aLocation:%20https://evil.example", "/%09/evil.example"],
)
def test_next_with_control_characters_is_ignored_after_a_successful_sign_in(
    app: Flask, world: World, evil: str
) -> None:
    response = sign_in(app.test_client(), "admin@vendor.example", TEST_PASSWORD, evil)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert "Set-Cookie: x" not in str(response.headers)


def test_safe_next_refuses_every_way_off_the_site() -> None:
    for evil in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\evil.example",
        "/\t/evil.example",
        "/a\r\nb",
        "/a\x00",
        "javascript:alert(1)",
        "evil.example",
        "",
        None,
    ):
        assert not is_safe_next(evil), evil
    assert is_safe_next("/admin/partners?q=a%20b#top")


def test_session_is_replaced_at_sign_in(client, world: World) -> None:
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    sign_in(client, "ben@brightpath.example", TEST_PASSWORD)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_sign_out_is_a_post_and_ends_the_session(login_as) -> None:
    client = login_as("a_user")
    assert client.get("/logout").status_code == 405
    signed_out = client.post("/logout")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/login")
    assert_sent_to_sign_in(client.get("/home"))


def test_password_change_ends_other_sessions(login_as, world: World, db_session: Session) -> None:
    client = login_as("a_user")
    user = db_session.get(User, world.users["a_user"].id)
    services.reset_password(db_session, user, "a-whole-new-secret-phrase")
    db_session.commit()
    assert_sent_to_sign_in(client.get("/home"))


def test_two_workers_share_the_limit_through_redis(
    database_url: str, tmp_path, world: World
) -> None:
    """With Redis (as in production), failures on one worker count on every worker."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    worker_1 = make_test_app(database_url, tmp_path / "w1", RATELIMIT_STORAGE_URI=url)
    worker_2 = make_test_app(database_url, tmp_path / "w2", RATELIMIT_STORAGE_URI=url)
    for _ in range(3):
        sign_in(worker_1.test_client(), "ben@brightpath.example", "guess-number-x-99")
    for _ in range(2):
        sign_in(worker_2.test_client(), "ben@brightpath.example", "guess-number-x-99")
    assert (
        sign_in(worker_1.test_client(), "ben@brightpath.example", TEST_PASSWORD).status_code == 429
    )
    redis.Redis.from_url(url).flushdb()


def client_at(app: Flask, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _guesses_from_ten_addresses(app: Flask, email: str, network: str = "198.51.100") -> list[int]:
    statuses = []
    for address in range(10):
        client = client_at(app, f"{network}.{address + 1}")
        for guess in range(5):
            statuses.append(sign_in(client, email, f"guess-{address}-{guess}-xyz").status_code)
    return statuses


def test_guesses_at_one_account_from_many_addresses_are_throttled(app: Flask, world: World) -> None:
    statuses = _guesses_from_ten_addresses(app, "ben@brightpath.example")
    assert statuses.count(200) == 10  # TCMA_LOGIN_ACCOUNT_RATE_LIMIT: 10 per 15 minutes
    assert statuses.count(429) == 40
    # Another account, from the same addresses' neighbourhood, is not affected.
    other = client_at(app, "198.51.100.200")
    assert sign_in(other, "anna@brightpath.example", TEST_PASSWORD).status_code == 302


def test_the_account_throttle_does_not_tell_whether_the_account_exists(
    app: Flask, world: World
) -> None:
    known = _guesses_from_ten_addresses(app, "Ben@Brightpath.example ")
    unknown = _guesses_from_ten_addresses(app, "nobody@brightpath.example", "192.0.2")
    assert known == unknown


def _fail_five_times_then_try(app: Flask, first: str, second: str) -> int:
    attacker = client_at(app, "10.0.0.2")
    for guess in range(5):
        headers = {"X-Forwarded-For": first}
        attacker.post(
            "/login",
            data={"email": f"user{guess}@x.example", "password": "wrong-guess-1"},
            headers=headers,
        )
    visitor = client_at(app, "10.0.0.2")
    response = visitor.post(
        "/login",
        data={"email": "ben@brightpath.example", "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": second},
    )
    return response.status_code


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    database_url: str, tmp_path, world: World
) -> None:
    app = make_test_app(database_url, tmp_path, TRUSTED_PROXY_HOPS=1)
    assert _fail_five_times_then_try(app, "203.0.113.7", "203.0.113.8") == 302
    assert _fail_five_times_then_try(app, "203.0.113.9", "203.0.113.9") == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(
    database_url: str, tmp_path, world: World
) -> None:
    app = make_test_app(database_url, tmp_path)
    assert app.config["TRUSTED_PROXY_HOPS"] == 0
    assert _fail_five_times_then_try(app, "203.0.113.7", "203.0.113.8") == 429


def assert_sent_to_sign_in(response) -> None:
    """The session is over: the page sends the browser to the sign-in page, then back."""
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login"), response.headers["Location"]
    assert "next=%2Fhome" in response.headers["Location"]
