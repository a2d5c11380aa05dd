"""A worker killed mid-send: the mailing resumes and nobody gets the message twice."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tcma import db, jobs
from tcma.accounts.models import Partner
from tcma.mailings import rules, services, tasks
from tcma.mailings.models import Delivery, Mailing
from tests.conftest import World, make_test_app
from tests.jobs.support import wait_for, worker_env, worker_process
from tests.mailings.support import mailing_setup
from tests.mailings.test_throttle import _free_port

pytestmark = pytest.mark.slow
PEOPLE = 60
WINDOW = 5


class SlowInbox:
    """Takes 20 ms a message, so a worker can be killed in the middle of a batch."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.02)
        self.received.update(envelope.rcpt_tos)
        return "250 OK"


def test_a_killed_worker_leaves_at_most_one_window_unconfirmed_and_the_rest_resumes(
    database_url: str, tmp_path: Path, world: World
) -> None:
    inbox = SlowInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app = make_test_app(
        database_url,
        tmp_path,
        QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        MAILING_STALL_SECONDS=0,
    )
    session = app.extensions["tcma.sessionmaker"]()
    people = [(f"p{n}@example.org", f"P{n}", "") for n in range(PEOPLE)]
    setup = mailing_setup(app, session, session.get(Partner, world.partner_a.id), people)
    session.close()
    env = worker_env(app.config, TCMA_MAILING_WINDOW=str(WINDOW), TCMA_MAILING_BATCH_SIZE="100")
    try:
        with worker_process(env, "--workers", "1", "--no-periodic", cwd=tmp_path) as first:
            with app.app_context():
                work = db.session()
                services.send_now(work, None, work.get(Mailing, setup.mailing.id))
                jobs.enqueue(work, tasks.start_mailing, setup.mailing.id)
                work.commit()
            wait_for(lambda: sum(inbox.received.values()) >= 12, timeout=60, what="12 messages")
            os.kill(first.pid, signal.SIGKILL)  # no goodbye: the batch's job dies with it
            first.wait()
        time.sleep(0.5)
        before = set(inbox.received)
        with app.app_context():
            work = db.session()
            states = dict(
                work.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()
            )
            # Only the window being sent is unconfirmed; the rest waits, nothing is lost.
            assert 0 < states.get(rules.CLAIMED, 0) <= WINDOW
            assert states.get(rules.PENDING, 0) > 0
            unconfirmed = set(
                work.scalars(select(Delivery.email).where(Delivery.state == rules.CLAIMED))
            )
        with worker_process(env, "--workers", "1", "--no-periodic", cwd=tmp_path):
            with app.app_context():
                work = db.session()
                tasks.resume_stalled_mailings(work)  # what the minute's periodic check does
                work.commit()

            def finished() -> bool:
                with app.app_context():
                    mailing = db.session().get(Mailing, setup.mailing.id)
                    return mailing.status == rules.SENT

            wait_for(finished, timeout=60, what="the mailing to finish")
            time.sleep(0.5)  # a message sent twice would arrive now
    finally:
        controller.stop()
        app.extensions["tcma.engine"].dispose()
    assert max(inbox.received.values()) == 1  # nobody twice
    everyone = {p[0] for p in people}
    # Everyone got it, except unconfirmed ones the server had not received before the kill.
    assert set(inbox.received) == everyone - (unconfirmed - before)
    with app.app_context():
        report = services.report(db.session(), [setup.mailing.id])
        assert report.delivered + report.unconfirmed == PEOPLE
        assert report.unconfirmed <= WINDOW
