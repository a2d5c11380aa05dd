"""Mailing benchmark: personalised messages through tcma's workers vs raw smtplib, to a sink.

Setup: one partner with a brand, a campaign of the fixture kit, N contacts in one list, and an
aiosmtpd sink on 127.0.0.1 that counts what it receives.
Baseline: the same N messages, rendered beforehand (greeting, footer, headers), sent with
plain `smtplib` over one connection: messages per second.
tcma: a mailing to the list, sent by `tcma worker` processes on a Redis queue (one, then two;
one worker thread each), from "Send now" to the last message received. Every recipient must
arrive exactly once.
Ratios printed: tcma (1 worker) ÷ baseline (target ≥ 0.7) and 2 workers ÷ 1 worker (≥ 1.6).

Run: .venv/bin/python bench/mailing.py [--messages 10000] [--redis redis://127.0.0.1:6379/6]
     [--database postgresql+psycopg://postgres@127.0.0.1/tcma_bench] (default: SQLite file)
     [--threads 1] (jobs at a time per worker process: `tcma worker --workers N`)
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import insert, literal, select  # noqa: E402

import tcma.models  # noqa: E402, F401 - every table
from tcma import create_app, db, jobs  # noqa: E402
from tcma.accounts import services as account_services  # noqa: E402
from tcma.campaigns import services as campaign_services  # noqa: E402
from tcma.cobrand import services as brand_services  # noqa: E402
from tcma.db import Base, make_engine  # noqa: E402
from tcma.kits.importer import import_package  # noqa: E402
from tcma.kits.package import read_folder  # noqa: E402
from tcma.mailings import contacts, rules, services, tasks  # noqa: E402
from tcma.mailings.message import build_message, signed_bytes  # noqa: E402
from tcma.mailings.models import Contact, ListMember, Mailing  # noqa: E402
from tcma.storage import get_storage  # noqa: E402

TCMA = str(Path(sys.executable).with_name("tcma"))
KIT = ROOT / "tests" / "cobrand" / "kits" / "fixture-kit"
VALUES = {"headline": "Restore drills", "event_date": "2026-12-10", "offer": "A free drill."}


class Sink:
    """Counts every recipient it receives a message for."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.first_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if not self.received:
                self.first_at = time.perf_counter()
            self.received.update(envelope.rcpt_tos)
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


def seed(app: Any, count: int) -> tuple[int, int, int]:
    """Partner, campaign, a list of ``count`` contacts; returns (partner, campaign, list) ids."""
    with app.app_context():
        session = db.session()
        tier = account_services.create_tier(session, None, "gold", 2)
        partner = account_services.create_partner(session, None, "Bench IT", tier.id, "EMEA", "")
        brand_services.save_brand(
            session,
            get_storage(),
            partner,
            None,
            {
                "display_name": "Bench IT",
                "address": "1 Bench Street, Leeds",
                "email": "hi@bench.example",
            },
        )
        version = import_package(session, get_storage(), read_folder(KIT), None).version
        campaign = campaign_services.start_campaign(
            session, get_storage(), partner, version, None, "Bench", VALUES
        )
        target = contacts.create_list(session, None, partner.id, "Everyone")
        rows = [
            {
                "partner_id": partner.id,
                "email": f"person{n}@sink{n % 50}.example",
                "first_name": f"P{n}",
                "company": f"Company {n % 300}",
                "consent_basis": rules.CONSENT,
                "consent_date": dt.date(2026, 1, 1),
            }
            for n in range(count)
        ]
        for start in range(0, count, 1000):
            session.execute(insert(Contact), rows[start : start + 1000])
        session.flush()
        members = select(literal(target.id), Contact.id).where(Contact.partner_id == partner.id)
        session.execute(insert(ListMember).from_select(["list_id", "contact_id"], members))
        session.commit()
        return partner.id, campaign.id, target.id


def new_mailing(app: Any, campaign_id: int, list_id: int) -> int:
    with app.app_context():
        session = db.session()
        campaign = session.get(tcma.models.campaigns.Campaign, campaign_id)
        mailing = services.create_mailing(
            session,
            None,
            campaign,
            "Bench",
            "invite-email",
            [list_id],
            'Hi {{ first_name or "there" }},',
        )
        session.commit()
        return mailing.id


def baseline(app: Any, mailing_id: int, port: int, sink: Sink) -> float:
    """Messages per second: the same messages pre-rendered, sent over one smtplib connection."""
    with app.app_context():
        session = db.session()
        mailing = session.get(Mailing, mailing_id)
        content = services.render_content(session, get_storage(), mailing)
        sender = services.sender_of(session, mailing)
        people = session.query(Contact).order_by(Contact.id).all()
        messages = [
            (
                p.email,
                signed_bytes(
                    build_message(
                        content,
                        sender,
                        p.email,
                        rules.render_greeting(mailing.greeting, {"first_name": p.first_name}),
                        services.unsubscribe_url(p.id),
                        services.message_id(mailing, p.id, sender.domain),
                    ),
                    sender.domain,
                    None,
                ),
            )
            for p in people
        ]
    before = sink.total()
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for to, data in messages:
            smtp.sendmail(sender.envelope, [to], data)
    elapsed = time.perf_counter() - start
    assert sink.total() - before == len(messages)
    return len(messages) / elapsed


def through_workers(
    app: Any, env: dict, mailing_id: int, workers: int, sink: Sink, count: int, threads: int
) -> tuple[float, float, float, float, tuple[float, float]]:
    """Messages per second from "Send now" to the last message, with ``workers`` processes."""
    procs = [
        subprocess.Popen(
            [TCMA, "worker", "--no-periodic", "--workers", str(threads)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(workers)
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline() if proc.stdout else ""
            assert line.startswith("tcma worker:"), line
        sink.received.clear()
        start = time.perf_counter()
        cpu_before = (time.process_time(), sum(_cpu_seconds(p.pid) for p in procs))
        with app.app_context():
            session = db.session()
            services.send_now(session, None, session.get(Mailing, mailing_id))
            jobs.enqueue(session, tasks.start_mailing, mailing_id)
            session.commit()
        deadline = time.monotonic() + 1800
        while sink.total() < count and time.monotonic() < deadline:
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        cpu = (
            time.process_time() - cpu_before[0],
            sum(_cpu_seconds(p.pid) for p in procs) - cpu_before[1],
        )
        time.sleep(1)  # anything sent twice would arrive now
        twice = [k for k, v in sink.received.items() if v > 1]
        assert sink.total() == count and not twice, (sink.total(), twice[:5])
        first = sink.first_at - start
        return count / elapsed, first, (count - 1) / max(elapsed - first, 1e-9), elapsed, cpu
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--database", default="")
    parser.add_argument("--threads", type=int, default=1, help="jobs at a time per worker")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tcma-bench-mailing-"))
    url = args.database or f"sqlite:///{folder / 'tcma.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    queue = f"tcma-bench-{uuid.uuid4().hex[:8]}"
    config = {
        "DATABASE_URL": url,
        "STORAGE_URL": f"file://{folder / 'storage'}",
        "SMTP_URL": f"smtp://127.0.0.1:{port}",
        "QUEUE_URL": args.redis,
        "QUEUE_NAME": queue,
        "MAILING_DOMAIN": "mail.bench.example",
        "SECRET_KEY": "bench-secret",
        "INSTANCE_PATH": str(folder / "instance"),
        "BASE_URL": "http://bench.example",
    }
    app = create_app(config)
    env = dict(os.environ)
    env.update(
        TCMA_DATABASE_URL=url,
        TCMA_STORAGE_URL=config["STORAGE_URL"],
        TCMA_SMTP_URL=config["SMTP_URL"],
        TCMA_QUEUE_URL=args.redis,
        TCMA_QUEUE_NAME=queue,
        TCMA_MAILING_DOMAIN="mail.bench.example",
        TCMA_SECRET_KEY=config["SECRET_KEY"],
        TCMA_BASE_URL="http://bench.example",
        TCMA_LOG_LEVEL="WARNING",
    )
    try:
        _, campaign_id, list_id = seed(app, args.messages)
        raw = baseline(app, new_mailing(app, campaign_id, list_id), port, sink)
        one = through_workers(
            app, env, new_mailing(app, campaign_id, list_id), 1, sink, args.messages, args.threads
        )
        two = through_workers(
            app, env, new_mailing(app, campaign_id, list_id), 2, sink, args.messages, args.threads
        )
    finally:
        controller.stop()
        client = redis.Redis.from_url(args.redis)
        keys = list(client.scan_iter(f"*{queue}*"))
        if keys:
            client.delete(*keys)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{args.messages} messages, {database}, Redis queue, aiosmtpd sink on 127.0.0.1")
    print(f"raw smtplib:     {raw:8.1f} msg/s  (pre-rendered, one connection)")
    for label, (rate, first, steady, elapsed, cpu) in (("1 worker: ", one), ("2 workers:", two)):
        print(
            f"tcma, {label} {rate:8.1f} msg/s  (first message after {first:.1f} s; "
            f"{steady:.1f} msg/s from the first to the last)"
        )
        print(
            f"      CPU in its {elapsed:.1f} s: sink (this process) {cpu[0]:.1f} s, "
            f"worker(s) {cpu[1]:.1f} s ({1000 * cpu[1] / args.messages:.2f} ms a message)"
        )
    print(f"ratio tcma 1 worker ÷ raw smtplib: {one[0] / raw:.2f} (target ≥ 0.7)")
    print(f"ratio 2 workers ÷ 1 worker:        {two[0] / one[0]:.2f} (target ≥ 1.6)")
    print("every recipient exactly once: yes")


if __name__ == "__main__":
    main()
