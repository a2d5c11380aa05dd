"""Job records as people see them: an export's progress and file, failures and retries."""

from __future__ import annotations

import csv
import io

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.jobs.models import DONE, FAILED, RUNNING, JobRecord
from tcma.storage import StorageError
from tests.conftest import World
from tests.pipeline.support import add_lead, live_campaign


def _leads(app: Flask, db_session: Session, world: World, count: int) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    for n in range(count):
        add_lead(db_session, campaign, email=f"buyer{n}@acme.example", first_name=f"Buyer{n}")
    db_session.commit()


def _file_of(client, record_id: int) -> list[list[str]]:
    status = client.get(f"/jobs/{record_id}/status.json").get_json()
    link = client.get(status["download_url"])
    assert link.status_code == 302
    text = client.get(link.headers["Location"]).get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_partner_exports_leads_in_the_background_and_downloads_the_file(
    app: Flask, db_session: Session, world: World, as_a_user, as_b_user
) -> None:
    _leads(app, db_session, world, 3)
    response = as_a_user.post("/exports/leads", data={"format": "hubspot", "q": "buyer"})
    assert response.status_code == 302
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = as_a_user.get(f"/jobs/{record_id}").get_data(as_text=True)
    assert "Leads export (HubSpot CSV)" in page and "Ready" in page
    status = as_a_user.get(f"/jobs/{record_id}/status.json").get_json()
    assert (status["status"], status["done"], status["total"]) == ("done", 3, 3)
    rows = _file_of(as_a_user, record_id)
    assert rows[0][:3] == ["First name", "Last name", "Email"]
    assert sorted(row[2] for row in rows[1:]) == [f"buyer{n}@acme.example" for n in range(3)]
    assert "Leads export (HubSpot CSV)" in as_a_user.get("/exports").get_data(as_text=True)
    # Another partner's user cannot see the job or its file, by any URL.
    for url in (
        f"/jobs/{record_id}",
        f"/jobs/{record_id}/status.json",
        f"/jobs/{record_id}/download",
    ):
        assert as_b_user.get(url).status_code == 404
    assert "Leads export" not in as_b_user.get("/exports").get_data(as_text=True)


def test_a_partner_export_holds_only_its_own_partners_leads(
    app: Flask, db_session: Session, world: World, as_b_user
) -> None:
    _leads(app, db_session, world, 2)  # partner A's leads
    # Naming partner A in the filter is naming an object that is not B's: 404, no job.
    response = as_b_user.post("/exports/leads", data={"partner": str(world.partner_a.id)})
    assert response.status_code == 404
    assert db_session.scalars(select(JobRecord)).all() == []
    response = as_b_user.post("/exports/leads", data={})
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _file_of(as_b_user, record_id)[1:] == []


def test_a_failed_export_says_why_and_an_admin_retries_it(
    app: Flask, db_session: Session, world: World, as_a_user, as_admin, monkeypatch
) -> None:
    _leads(app, db_session, world, 2)
    storage = app.extensions["tcma.storage"]
    real_put = storage.put

    def broken_put(key, data, content_type="application/octet-stream"):
        raise StorageError("the storage bucket did not answer")

    monkeypatch.setattr(storage, "put", broken_put)
    response = as_a_user.post("/exports/leads", data={})
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = as_a_user.get(f"/jobs/{record_id}").get_data(as_text=True)
    assert "Failed" in page and "the storage bucket did not answer" in page
    failed_page = as_admin.get("/jobs/failed").get_data(as_text=True)
    assert "Leads export" in failed_page and "ben@brightpath.example" in failed_page

    monkeypatch.setattr(storage, "put", real_put)
    assert as_admin.post(f"/jobs/{record_id}/retry").status_code == 302
    db_session.expire_all()
    record = db_session.get(JobRecord, record_id)
    assert record.status == DONE and record.attempts == 2 and record.error is None
    assert len(_file_of(as_a_user, record_id)) == 3
    assert "No failed jobs" in as_admin.get("/jobs/failed").get_data(as_text=True)
    # Only failed jobs can be retried; a partner cannot retry at all.
    assert as_a_user.post(f"/jobs/{record_id}/retry").status_code == 403


def test_cli_lists_jobs_and_retries_a_failed_one(app: Flask, db_session: Session, world: World):
    user = world.users["a_user"]
    record = JobRecord(
        task="pipeline.export_csv",
        kind="export",
        title="Leads export (Salesforce CSV)",
        params={"kind": "leads", "crm": "salesforce", "filter": {}, "token": "cli"},
        user_id=user.id,
        partner_id=user.partner_id,
        status=FAILED,
        error="Storage was unreachable.",
    )
    db_session.add(record)
    db_session.commit()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list", "--status", "failed"])
    assert listed.exit_code == 0
    assert f"{record.id}" in listed.output and "Storage was unreachable." in listed.output
    retried = runner.invoke(args=["jobs", "retry", str(record.id)])
    assert retried.exit_code == 0, retried.output
    db_session.expire_all()
    assert db_session.get(JobRecord, record.id).status == DONE
    again = runner.invoke(args=["jobs", "retry", str(record.id)])
    assert again.exit_code != 0 and "Only a failed job can be retried" in again.output


def test_a_list_above_the_threshold_downloads_through_a_background_export(
    app: Flask, db_session: Session, world: World, as_a_user
) -> None:
    app.config["EXPORT_STREAM_MAX_ROWS"] = 5
    _leads(app, db_session, world, 5)
    small = as_a_user.get("/pipeline/leads.csv")  # at the threshold: streamed as before
    assert small.status_code == 200 and small.mimetype == "text/csv"
    assert len(list(csv.reader(io.StringIO(small.get_data(as_text=True))))) == 6
    _leads(app, db_session, world, 2)  # now 7 leads, above the threshold
    response = as_a_user.get("/pipeline/leads.csv?format=hubspot&q=buyer")
    assert response.status_code == 303
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = as_a_user.get(f"/jobs/{record_id}").get_data(as_text=True)
    assert "more than 5 rows" in page and "Leads export (HubSpot CSV)" in page
    rows = _file_of(as_a_user, record_id)
    assert rows[0][:3] == ["First name", "Last name", "Email"] and len(rows) == 8
    # Opened again while a worker still writes it: the same export, not a second one.
    db_session.get(JobRecord, record_id).status = RUNNING
    db_session.commit()
    again = as_a_user.get("/pipeline/leads.csv?format=hubspot&q=buyer")
    assert again.headers["Location"] == response.headers["Location"]
    other = as_a_user.get("/pipeline/opportunities.csv")
    assert other.status_code == 200  # no opportunities: nothing to hand to a worker
