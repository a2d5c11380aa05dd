"""Browser fixtures: the app served on 127.0.0.1 and Debian's chromium driven by Playwright.

Skipped, with the reason, when chromium or Playwright is not installed (`make test` says so);
.ci/run installs both. Playwright never downloads a browser here.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tcma.demo import load_demo
from tests.conftest import make_test_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

BROWSER_SKIP_REASON = (
    "browser suite: Debian's chromium is not installed (apt-get install chromium)"
    if CHROMIUM is None
    else "browser suite: the playwright package is not installed"
    if sync_playwright is None
    else ""
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if BROWSER_SKIP_REASON:
                item.add_marker(pytest.mark.skip(reason=BROWSER_SKIP_REASON))


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


LIVE_CONFIG = {"WTF_CSRF_ENABLED": True, "TESTING": False, "RATELIMIT_ENABLED": False}


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database and storage folder with the demo loaded once (importing kits takes seconds)."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copyfile(sqlite_template, folder / "tcma.sqlite3")
    app = make_test_app(f"sqlite:///{folder / 'tcma.sqlite3'}", folder, **LIVE_CONFIG)
    with app.app_context():
        session = app.extensions["tcma.sessionmaker"]()
        load_demo(session, app)
        session.commit()
        session.close()
    app.extensions["tcma.engine"].dispose()
    return folder


@pytest.fixture
def live_app(demo_template: Path, tmp_path: Path) -> Flask:
    """The app with CSRF on, as in production, on a fresh copy of the demo data."""
    shutil.copyfile(demo_template / "tcma.sqlite3", tmp_path / "tcma.sqlite3")
    if (demo_template / "storage").exists():
        shutil.copytree(demo_template / "storage", tmp_path / "storage")
    return make_test_app(f"sqlite:///{tmp_path / 'tcma.sqlite3'}", tmp_path, **LIVE_CONFIG)


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    live_app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(live_app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    live_app.extensions["tcma.engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
