"""Sending rates: per partner and overall, shared by workers, counted at the SMTP server."""

from __future__ import annotations

import math
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from huey import SqliteHuey

from tcma import jobs
from tcma.accounts.models import Partner
from tcma.mailings import contacts, rules, services, tasks, throttle
from tcma.mailings.models import ListMember, Mailing
from tcma.mailings.throttle import Throttle
from tests.campaigns.support import save_brand, start_campaign
from tests.conftest import World, make_test_app
from tests.jobs.support import (
    redis_or_skip,
    redis_queue_name,
    wait_for,
    worker_env,
    worker_process,
)
from tests.mailings.support import add_contact, mailing_setup

ROOT = Path(__file__).resolve().parents[2]


def test_window_limits_and_grants() -> None:
    assert rules.window_limit(600, 60) == 600
    assert rules.window_limit(180, 2) == 6
    assert rules.window_limit(10, 1) == 1  # never zero: a rate always lets mail through
    assert rules.granted(0, 4, 6) == 4
    assert rules.granted(4, 4, 6) == 2
    assert rules.granted(9, 4, 6) == 0


def test_two_throttles_on_one_queue_file_share_the_count(tmp_path: Path, monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    path = str(tmp_path / "queue.sqlite3")
    first = Throttle(SqliteHuey("q", filename=path), 300, 480, 60)  # 300 and 480 a window
    second = Throttle(SqliteHuey("q", filename=path), 300, 480, 60)
    assert first.take(1, 200).count == 200
    assert second.take(1, 200).count == 100  # partner 1's rate is used up
    assert second.take(2, 200).count == 180  # the rest of the overall rate
    assert first.take(2, 50).count == 0
    assert first.seconds_to_next_window() == pytest.approx(20)
    clock[0] += 20  # the next window
    assert second.take(2, 50).count == 50


class TimedInbox:
    """Keeps (arrival time, recipient) of every message."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.arrivals.extend((time.time(), to) for to in envelope.rcpt_tos)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _second_mailing(app: Flask, partner: Partner, version: Any, count: int) -> int:
    with app.app_context():
        session = app.extensions["tcma.sessionmaker"]()
        partner = session.get(Partner, partner.id)
        save_brand(app, session, partner, address="2 Quay Road, Hull")
        campaign = start_campaign(app, session, partner, version)
        target = contacts.create_list(session, None, partner.id, "All")
        for n in range(count):
            contact = add_contact(session, partner.id, f"b{n}@small.example", f"B{n}")
            session.add(ListMember(list_id=target.id, contact_id=contact.id))
        mailing = services.create_mailing(
            session, None, campaign, "Small", "invite-email", [target.id], "Hi {{ first_name }},"
        )
        session.commit()
        session.close()
        return mailing.id


@pytest.mark.slow
def test_rates_hold_across_two_workers_and_a_small_partner_is_not_starved(
    database_url: str, tmp_path: Path, world: World
) -> None:
    url = redis_or_skip()
    window, per_partner, total = 1.0, 6, 9  # a window: 6 messages per partner, 9 in all
    inbox = TimedInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with redis_queue_name() as name:
        app = make_test_app(
            database_url,
            tmp_path,
            QUEUE_URL=url,
            QUEUE_NAME=name,
            SMTP_URL=f"smtp://127.0.0.1:{port}",
        )
        session = app.extensions["tcma.sessionmaker"]()
        big_people = [(f"a{n}@big.example", f"A{n}", "Big") for n in range(24)]
        big = mailing_setup(app, session, session.get(Partner, world.partner_a.id), big_people)
        small_id = _second_mailing(app, world.partner_b, big.campaign.kit_version, 6)
        session.close()
        env = worker_env(
            app.config,
            TCMA_MAIL_RATE_PER_PARTNER=str(int(per_partner * 60 / window)),
            TCMA_MAIL_RATE_TOTAL=str(int(total * 60 / window)),
            TCMA_MAIL_RATE_WINDOW=str(window),
            TCMA_MAILING_BATCH_SIZE="4",
            PYTHONPATH=str(ROOT),
        )
        try:
            with (
                worker_process(env, "--workers", "1", "--no-periodic", cwd=tmp_path),
                worker_process(env, "--workers", "1", "--no-periodic", cwd=tmp_path),
            ):
                started = time.time()
                with app.app_context():
                    db_session = app.extensions["tcma.sessionmaker"]()
                    for mailing_id in (big.mailing.id, small_id):
                        mailing = db_session.get(Mailing, mailing_id)
                        services.send_now(db_session, None, mailing)
                        db_session.commit()
                        jobs.enqueue_now(tasks.start_mailing, mailing_id)
                    db_session.close()
                wait_for(lambda: len(inbox.arrivals) >= 30, timeout=90, what="30 messages")
                time.sleep(window)  # a message sent twice, or over the rate, would arrive now
        finally:
            controller.stop()
            app.extensions["tcma.engine"].dispose()
    recipients = [to for _, to in inbox.arrivals]
    assert sorted(recipients) == sorted(
        [p[0] for p in big_people] + [f"b{n}@small.example" for n in range(6)]
    )

    def holds(times: list[float], limit: int) -> None:
        # Mail granted in a window goes out in it or later, never earlier: by any moment, at
        # most ``limit`` for each window begun since sending started.
        first = math.floor(started / window)
        for moment in times:
            arrived = sum(1 for other in times if other <= moment)
            assert arrived <= (math.floor(moment / window) - first + 1) * limit

    big_times = [t for t, to in inbox.arrivals if to.endswith("@big.example")]
    small_times = [t for t, to in inbox.arrivals if to.endswith("@small.example")]
    holds(big_times, per_partner)
    holds(small_times, per_partner)
    holds(big_times + small_times, total)
    # The big partner needs 4 windows; the small one is done before it, not after it.
    assert max(small_times) < max(big_times)
