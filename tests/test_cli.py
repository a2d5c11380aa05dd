"""The tcma command: init, demo (twice changes nothing), users create."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from tcma.accounts.models import Partner, User
from tcma.config import load_config
from tcma.demo import DEMO_PASSWORD
from tests.conftest import make_test_app


def fresh_app(tmp_path) -> Flask:
    return make_test_app(f"sqlite:///{tmp_path / 'cli.sqlite3'}", tmp_path)


def counts(app: Flask) -> tuple[int, int]:
    session = app.extensions["tcma.sessionmaker"]()
    try:
        return (
            session.scalar(select(func.count(User.id))),
            session.scalar(select(func.count(Partner.id))),
        )
    finally:
        session.close()


def test_init_then_demo_twice_creates_everything_once(tmp_path) -> None:
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@northbeam.example" in first.output and DEMO_PASSWORD in first.output
    after_first = counts(app)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts(app) == after_first == (7, 2)


def test_demo_users_can_sign_in(tmp_path) -> None:
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    for command in ("init", "demo"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "carla@cobalt-systems.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "/login" not in response.headers["Location"]
    home = client.get(response.headers["Location"], follow_redirects=True)
    assert home.status_code == 200 and "Carla Reyes" in home.get_data(as_text=True)


def test_users_create_makes_an_active_user(tmp_path) -> None:
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    runner.invoke(args=["init"])
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ops@northbeam.example",
            "--role",
            "finance",
            "--password",
            "silver-compass-meadow-8",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created ops@northbeam.example (Finance)" in result.output
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "weak@northbeam.example",
            "--role",
            "finance",
            "--password",
            "password1234",
        ]
    )
    assert weak.exit_code != 0 and "too common" in weak.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "p@x.example",
            "--role",
            "partner_user",
            "--partner",
            "Nope Inc",
            "--password",
            "silver-compass-meadow-8",
        ]
    )
    assert unknown.exit_code != 0 and "no partner named" in unknown.output


def test_serve_answers_on_the_given_port(tmp_path) -> None:
    """`tcma serve` really serves (Flask's app.run would silently refuse inside the CLI)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "TCMA_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "TCMA_STORAGE_URL": f"file://{tmp_path / 'storage'}",
    }
    tcma = [sys.executable, "-c", "from tcma.cli import main; main()"]
    subprocess.run([*tcma, "init"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*tcma, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = b""
        deadline = time.monotonic() + 60  # a loaded machine takes a while to import the app
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.1)
        assert b'"status":"ok"' in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_base_url_follows_the_port_unless_it_is_set() -> None:
    assert load_config("/tmp/x", {"PORT": "8000"})["BASE_URL"] == "http://127.0.0.1:8000"
    assert load_config("/tmp/x", {})["BASE_URL"] == "http://127.0.0.1:5000"
    fixed = load_config("/tmp/x", {"PORT": "8000", "TCMA_BASE_URL": "https://p.example/"})
    assert fixed["BASE_URL"] == "https://p.example"


def _wait_for(url: str, opener: urllib.request.OpenerDirector) -> str:
    deadline = time.monotonic() + 60  # a loaded machine takes a while to import the app
    while time.monotonic() < deadline:
        try:
            with opener.open(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_served_port_is_the_one_emailed_links_use(tmp_path: Path) -> None:
    """`tcma serve --port N` without TCMA_BASE_URL: it says so, and emails link to port N."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key not in ("TCMA_BASE_URL", "PORT")}
    env.update(
        TCMA_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        TCMA_STORAGE_URL=f"file://{tmp_path / 'storage'}",
        TCMA_SMTP_URL="",
        # No worker runs here: the reset email is sent in the server right after its commit.
        TCMA_QUEUE_URL="immediate",
    )
    # The tcma command, with the instance folder (and so the mail outbox) in tmp_path.
    program = (
        "from flask.cli import FlaskGroup; from tcma import create_app; "
        f"FlaskGroup(create_app=lambda: create_app({{'INSTANCE_PATH': {str(tmp_path)!r}}}))()"
    )
    tcma = [sys.executable, "-c", program]
    subprocess.run([*tcma, "init"], env=env, check=True, capture_output=True, cwd=tmp_path)
    subprocess.run(
        [*tcma, "users", "create", "--email", "ops@vendor.example", "--role", "admin"]
        + ["--password", "a-long-admin-passphrase-9"],
        env=env,
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*tcma, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = _wait_for(f"http://127.0.0.1:{port}/password/forgot", opener)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": csrf, "email": "ops@vendor.example"})
        opener.open(f"http://127.0.0.1:{port}/password/forgot", form.encode(), timeout=5)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    printed = (tmp_path / "serve.log").read_text()
    assert f"Links in emails, landing pages and tracking use http://127.0.0.1:{port}" in printed
    [mail] = [path.read_text() for path in (tmp_path / "mail").glob("*.eml")]
    assert f"http://127.0.0.1:{port}/password/reset/" in mail
