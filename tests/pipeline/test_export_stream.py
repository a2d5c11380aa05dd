"""CSV exports: every row, the exported columns, and a download cut short never looks complete.

The interrupted cases run the real export endpoint under gunicorn (as in production) and
break it mid-stream: the worker killed (as gunicorn's timeout does) or the query failing.
The body goes out with chunked transfer encoding, so the client sees the missing end.
"""

from __future__ import annotations

import csv
import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.pipeline import export
from tcma.pipeline.listing import ListFilter
from tcma.pipeline.models import Lead
from tests.conftest import World, login
from tests.pipeline.support import add_lead

GUNICORN = Path(sys.executable).with_name("gunicorn")
AGENT = "tcma-export-test"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_write_leads_csv_writes_every_row_and_reports_progress(
    db_session: Session, world: World, live_a: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH_ROWS", 7)
    monkeypatch.setattr(export, "CHUNK_CHARS", 500)
    for number in range(40):
        add_lead(db_session, live_a, email=f"n{number}@example.com", company="=cmd()")
    db_session.commit()
    out, seen = io.StringIO(), []
    written = export.write_leads_csv(
        db_session, ListFilter(partner_id=world.partner_a.id), out, progress=seen.append
    )
    rows = _rows(out.getvalue())
    assert written == 40 == len(rows) - 1
    assert rows[0] == list(export.LEAD_HEADERS[export.SALESFORCE])
    assert {row[3] for row in rows[1:]} == {"'=cmd()"}  # formulas defused
    assert seen == sorted(seen) and seen[-1] == 40 and len(seen) > 2
    other = export.write_leads_csv(db_session, ListFilter(partner_id=world.partner_b.id), out)
    assert other == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(tmp_path: Path, database_url: str, mode: str) -> tuple[subprocess.Popen, int]:
    """gunicorn (one sync worker) serving the app; mode breaks the export after 300 rows."""
    module = tmp_path / "export_wsgi.py"
    module.write_text(
        f"""
import os, time
from tcma import create_app
from tcma.pipeline import export

export.BATCH_ROWS, export.CHUNK_CHARS = 50, 2000
cells, count = export.lead_cells, [0]

def breaking_cells(row):
    count[0] += 1
    if count[0] == 300:
        if {mode!r} == "error":
            raise RuntimeError("the database went away")
        if {mode!r} == "kill":
            open({str(tmp_path / "reached")!r}, "w").close()
            time.sleep(60)
    return cells(row)

export.lead_cells = breaking_cells
app = create_app({{
    "TESTING": True, "SECRET_KEY": "test-secret-key", "DATABASE_URL": {database_url!r},
    "INSTANCE_PATH": {str(tmp_path / "instance")!r}, "SMTP_URL": "",
    "STORAGE_URL": "file://{tmp_path / "storage"}", "BASE_URL": "http://tcma.test",
}})
"""
    )
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.getcwd()}"}
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{port}", "export_wsgi:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


@pytest.mark.parametrize("mode", ["complete", "error", "kill"])
def test_an_interrupted_export_never_looks_complete(
    mode: str, app, database_url: str, tmp_path: Path, db_session: Session, world: World, live_a
) -> None:
    for number in range(600):
        add_lead(db_session, live_a, email=f"s{number}@example.com")
    db_session.commit()
    client: FlaskClient = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": AGENT})
    login(client, world.users["a_user"])
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    server, port = _serve(tmp_path, database_url, mode)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(
            "GET",
            "/pipeline/leads.csv",
            headers={"Cookie": f"{cookie.key}={cookie.value}", "User-Agent": AGENT},
        )
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.getheader("Content-Length") is None
        if mode == "complete":
            rows = _rows(response.read().decode("utf-8"))
            total = db_session.scalar(select(func.count(Lead.id)))
            assert len(rows) - 1 == total == 600
            return
        if mode == "kill":
            while not (tmp_path / "reached").exists():
                time.sleep(0.05)
            os.kill(_worker_pid(server.pid), signal.SIGKILL)
        with pytest.raises((http.client.IncompleteRead, http.client.HTTPException, OSError)):
            response.read()
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
