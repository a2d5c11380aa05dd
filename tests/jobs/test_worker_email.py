"""End to end: finance approves a claim; a worker process emails the partner over SMTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from tcma import jobs
from tcma.jobs.models import JobEffect
from tcma.storage import EXTENSION_KEY
from tests.conftest import World, build_world, login, make_test_app
from tests.jobs.support import Inbox, redis_or_skip, wait_for, worker_env, worker_process
from tests.mdf.support import Funds

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request, database_url: str, tmp_path: Path, inbox) -> Iterator[Flask]:
    _, port = inbox
    queue = "" if request.param == "sqlite" else redis_or_skip()
    application = make_test_app(
        database_url,
        tmp_path,
        QUEUE_URL=queue,
        QUEUE_NAME=request.getfixturevalue("redis_name"),
        SMTP_URL=f"smtp://127.0.0.1:{port}",
    )
    yield application
    application.extensions["tcma.engine"].dispose()


def test_approving_a_claim_emails_the_partner_through_a_worker(
    queued_app: Flask, inbox, tmp_path: Path
) -> None:
    handler, _ = inbox
    session = queued_app.extensions["tcma.sessionmaker"]()
    world: World = build_world(session)
    funds = Funds(session, world, queued_app.extensions[EXTENSION_KEY])
    request = funds.approved(funds.allocation("10000"), "2000")
    claim = funds.submitted_claim(request, "1500")
    session.commit()
    finance = login(queued_app.test_client(), world.users["finance"])

    response = finance.post(f"/mdf/claims/{claim.id}/approve", data={"amount": "1500"})
    assert response.status_code == 302
    # The request answered without talking to the mail server: the email waits in the queue.
    assert handler.envelopes == []
    assert jobs.get_queue(queued_app).pending_count() == 1

    config = queued_app.config
    if not config["QUEUE_URL"]:
        config = {
            **config,
            "QUEUE_URL": f"sqlite:///{Path(queued_app.instance_path)}/queue.sqlite3",
        }
    with worker_process(worker_env(config), "--workers", "1", cwd=tmp_path):
        wait_for(lambda: handler.envelopes, timeout=30, what="the partner's email")
    messages = handler.messages()
    assert len(messages) == 1
    assert messages[0]["To"] == "ben@brightpath.example"
    assert messages[0]["Subject"] == f"Your claim was approved: {request.title}"
    assert "Approved: €1,500.00" in messages[0].get_content()
    assert session.scalar(select(func.count()).select_from(JobEffect)) == 1
    session.close()
