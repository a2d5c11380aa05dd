"""A partner exports a large lead list: the page shows the job's progress, then its download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import insert, select

from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.demo import DEMO_PASSWORD
from tcma.pipeline.models import Lead
from tests.browser.conftest import LIVE_CONFIG, LiveServer, sign_in
from tests.conftest import make_test_app
from tests.jobs.support import worker_env, worker_process

# Enough rows that the export runs for several of the page's one-second polls.
LEADS = 120_000
pytestmark = pytest.mark.slow


@pytest.fixture
def live_app(demo_template: Path, tmp_path: Path) -> Flask:
    """The demo app with a real queue (SQLite), so a worker process does the export."""
    shutil.copyfile(demo_template / "tcma.sqlite3", tmp_path / "tcma.sqlite3")
    if (demo_template / "storage").exists():
        shutil.copytree(demo_template / "storage", tmp_path / "storage")
    return make_test_app(
        f"sqlite:///{tmp_path / 'tcma.sqlite3'}",
        tmp_path,
        **LIVE_CONFIG,
        QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
    )


def _many_leads(app: Flask) -> int:
    with app.extensions["tcma.sessionmaker"]() as session:
        partner = session.scalar(select(Partner).where(Partner.name == "Brightpath IT"))
        campaign = session.scalar(select(Campaign).where(Campaign.partner_id == partner.id))
        now = dt.datetime.now(dt.UTC)
        session.execute(
            insert(Lead),
            [
                {
                    "partner_id": partner.id,
                    "campaign_id": campaign.id,
                    "first_name": f"Buyer{n}",
                    "last_name": "Example",
                    "email": f"buyer{n}@bulk.example",
                    "company": "Bulk Buyers Ltd",
                    "consent": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(LEADS)
            ],
        )
        session.commit()
        return session.query(Lead).filter(Lead.partner_id == partner.id).count()


def test_a_large_export_shows_its_progress_and_then_its_download(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    total = _many_leads(live_server.app)
    sign_in(page, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
    page.goto(live_server("/pipeline/leads"))
    page.get_by_role("button", name="Export in the background").click()

    # No worker yet: the job waits, with an empty progress bar.
    expect(page.get_by_role("heading", name="Leads export (Salesforce CSV)")).to_be_visible()
    status = page.get_by_role("status").filter(has_text="Waiting")
    expect(status).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    # Keep every state the page shows while its script polls.
    page.evaluate(
        """() => {
            window.seenStates = [];
            const label = document.querySelector('.job-label');
            new MutationObserver(() => window.seenStates.push(label.textContent))
                .observe(label, {childList: true, characterData: true, subtree: true});
        }"""
    )

    env = worker_env(live_server.app.config)
    with worker_process(env, "--workers", "1", "--no-periodic", cwd=tmp_path):
        download_link = page.get_by_role("link", name="Download leads-")
        expect(download_link).to_be_visible(timeout=120_000)
    seen = page.evaluate("window.seenStates")
    assert any(state.startswith("Running — ") and f"of {total}" in state for state in seen), seen
    assert seen[-1] == "Ready"

    with page.expect_download() as info:
        download_link.click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text().lstrip("\ufeff"))))
    assert rows[0][:3] == ["First Name", "Last Name", "Email"]
    assert len(rows) == total + 1
    assert page.get_by_role("link", name="Your exports").count() >= 1
