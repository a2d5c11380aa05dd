"""Download everything: the button starts a zip job; its progress shows, then its download,
also on the campaign's Download everything page, which itself starts nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.demo import DEMO_PASSWORD
from tcma.jobs.models import JobRecord
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_export_job import live_app  # noqa: F401 - the app with a real queue
from tests.jobs.support import worker_env, worker_process

pytestmark = pytest.mark.slow


def _campaign_id(live_server: LiveServer) -> int:
    with live_server.app.extensions["tcma.reader_sessionmaker"]() as session:
        partner = session.scalar(select(Partner).where(Partner.name == "Brightpath IT"))
        return session.scalar(select(Campaign.id).where(Campaign.partner_id == partner.id))


def _records(live_server: LiveServer) -> int:
    with live_server.app.extensions["tcma.reader_sessionmaker"]() as session:
        return session.scalar(select(func.count(JobRecord.id)))


def test_download_everything_shows_progress_then_the_zip(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    campaign_id = _campaign_id(live_server)
    sign_in(page, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
    before = _records(live_server)
    page.goto(live_server(f"/campaigns/{campaign_id}/assets.zip"))
    expect(page.get_by_role("heading", name="Download everything")).to_be_visible()
    assert _records(live_server) == before  # opening the page started nothing

    page.get_by_role("button", name="Make the zip").click()
    expect(page.get_by_role("status").filter(has_text="Waiting")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert _records(live_server) == before + 1

    env = worker_env(live_server.app.config)
    with worker_process(env, "--workers", "1", "--no-periodic", cwd=tmp_path):
        download_link = page.get_by_role("link", name="Download ").first
        expect(download_link).to_be_visible(timeout=120_000)
    with page.expect_download() as info:
        download_link.click()
    names = zipfile.ZipFile(info.value.path()).namelist()
    files = {name.split("/", 1)[1] for name in names}
    assert {"invite-email.html", "invite-email.eml", "registration-page.html"} <= files, names

    page.goto(live_server(f"/campaigns/{campaign_id}/assets.zip"))
    expect(page.get_by_role("status").filter(has_text="Ready")).to_be_visible()
    expect(page.get_by_role("link", name="Download ").first).to_be_visible()
    assert _records(live_server) == before + 1
