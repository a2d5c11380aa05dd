"""Landing page benchmark: /l/<code> and its lead form under gunicorn on PostgreSQL.

Sets up a fresh PostgreSQL database (default tcma_bench on the server of
TCMA_TEST_DATABASE_URL, else postgresql+psycopg://postgres@127.0.0.1:5432/test), runs
`tcma init` and `tcma demo`, launches a campaign of the "vault-webinar-series" sample kit
for Brightpath IT, starts gunicorn with 2 workers on 127.0.0.1 and drives it from this
process for a bounded time per phase:

  healthz   GET /healthz (database + storage check), the trivial route to compare with
  landing   GET /l/<code>: the co-branded page from the render cache, a fresh lead form
            (CSRF and submit tokens), the view counted (written in batches, see
            tcma.campaigns.tracking.ViewCounter); healthz and landing alternate, --rounds times
  leads     visitors that each GET the page and POST the form once (the POST answers 303
            to the thank-you page); then every form is sent again, as retries would be

The rate limiter is off (TCMA_RATELIMIT_ENABLED=0): the bench is one IP address sending
thousands of leads, which the production limit (10 per minute per IP) exists to stop.
GET phases use wrk when installed (apt-get install wrk), else Python threads.

Baselines under the same gunicorn settings (2 sync workers):
  bare      a bare Flask app returning the very bytes of the landing page (target: landing
            >= 0.6x its req/s); nginx serving the same file when nginx is installed (the
            physical limit, reported only)
  insert    a minimal Flask app doing one INSERT (own connection per worker, commit) per
            POST, driven by the same visitors (target: lead POSTs >= 0.5x its rate)
The baselines run beside tcma and every round drives tcma and its baseline one after the
other, so a swing in the shared machine's load hits both alike; the ratios are of the
averages over the rounds. Leads in the database == accepted lead POSTs, and forms sent
again add none.

Run: .venv/bin/python bench/landing.py [--seconds 10] [--keep] [--database NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg
import requests
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tcma.models  # noqa: E402, F401 - needs the repository on sys.path first
from tcma import create_app, db  # noqa: E402
from tcma.accounts import services as accounts  # noqa: E402
from tcma.campaigns import launch  # noqa: E402
from tcma.campaigns import services as campaigns  # noqa: E402
from tcma.db import Base  # noqa: E402
from tcma.kits import services as kits  # noqa: E402
from tcma.storage import get_storage  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB = "tcma_bench"
KIT_SLUG = "vault-webinar-series"
PARTNER = "Brightpath IT"
_TOKEN = re.compile(r'name="(csrf_token|submit_token)" type="hidden" value="([^"]+)"')


def bench_database(base_url: str, name: str = BENCH_DB) -> str:
    """Drop and create database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, name: str = BENCH_DB) -> None:
    """Remove the bench database again."""
    admin = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def complete_schema() -> None:
    """(Child process.) After `tcma init`: make any table the models have ahead of migrations."""
    app = create_app()
    with app.app_context():
        Base.metadata.create_all(db.get_engine(), checkfirst=True)


def setup_campaign() -> None:
    """(Child process, bench environment.) Launch a campaign; print its id and code."""
    app = create_app()
    with app.app_context():
        session = db.session()
        partner = accounts.find_partner_by_name(session, PARTNER)
        kit = kits.get_kit_by_slug(session, KIT_SLUG)
        version = kits.latest_published_version(session, kit)
        defaults = {
            spec["key"]: str(spec["default"])
            for spec in campaigns.field_specs(version)
            if spec.get("default") is not None
        }
        values = {**defaults, "speaker_name": "Ana Souza", "speaker_title": "Head of Recovery"}
        campaign = campaigns.start_campaign(
            session, get_storage(), partner, version, None, "Bench webinar", values
        )
        today = dt.datetime.now(dt.UTC).date()
        launch.launch_campaign(
            session,
            None,
            campaign,
            starts_on=today,
            ends_on=today + dt.timedelta(days=30),
            consent_text="I agree that Brightpath IT may contact me.",
        )
        session.commit()
        print(f"{campaign.id} {campaign.code}")


def prepare(env: dict[str, str]) -> tuple[int, str]:
    """tcma init, tcma demo and a live campaign; returns (campaign id, code)."""
    steps = ([BIN / "tcma", "init"], [sys.executable, __file__, "--schema"], [BIN / "tcma", "demo"])
    for step in steps:
        subprocess.run(
            [str(part) for part in step], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    setup = subprocess.run(
        [sys.executable, __file__, "--setup"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if setup.returncode:
        raise SystemExit(f"launching the bench campaign failed:\n{setup.stderr}")
    out = setup.stdout.split()
    return int(out[-2]), out[-1]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    """gunicorn with 2 sync workers; waits until /healthz answers."""
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tcma:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


BARE_APP = """
from pathlib import Path
from flask import Flask, Response

PAGE = Path(__file__).with_name("page.html").read_bytes()
app = Flask(__name__)


@app.get("/l/<code>")
def page(code):
    return Response(PAGE, mimetype="text/html", headers={"Cache-Control": "private, no-store"})
"""
INSERT_APP = """
import os
import psycopg
from flask import Flask, redirect, request

app = Flask(__name__)
_conn = {}


def connection():
    if os.getpid() not in _conn:
        _conn[os.getpid()] = psycopg.connect(os.environ["BENCH_CONNINFO"])
    return _conn[os.getpid()]


@app.get("/l/<code>")
def page(code):
    return "<form method=post><input name=email></form>"


@app.post("/l/<code>")
def submit(code):
    conn = connection()
    conn.execute(
        "INSERT INTO bench_minimal_leads (email, first_name, last_name, company) "
        "VALUES (%s, %s, %s, %s)",
        (request.form["email"], request.form["first_name"], request.form["last_name"],
         request.form["company"]),
    )
    conn.commit()
    return redirect(f"/l/{code}/thanks", 303)
"""


def start_baseline(
    source: str, folder: Path, port: int, env: dict[str, str], page: bytes = b""
) -> subprocess.Popen:
    """A baseline app under the same gunicorn settings as tcma (2 sync workers)."""
    (folder / "baseline.py").write_text(source)
    (folder / "page.html").write_bytes(page)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "--chdir", str(folder), "baseline:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/l/x", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the baseline app did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def nginx_rps(folder: Path, page: bytes, seconds: int) -> float | None:
    """nginx serving the page as a file (2 workers), or None when nginx is not installed."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        return None
    port = free_port()
    root = folder / "nginx"
    (root / "l").mkdir(parents=True, exist_ok=True)
    (root / "l" / "page").write_bytes(page)
    conf = root / "nginx.conf"
    conf.write_text(
        f"worker_processes 2; daemon off; pid {root}/nginx.pid; error_log {root}/error.log;"
        f"events {{}} http {{ access_log off; server {{ listen 127.0.0.1:{port};"
        f" root {root}; default_type text/html; }} }}"
    )
    server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(root)])
    time.sleep(1)
    try:
        return get_rps(f"http://127.0.0.1:{port}/l/page", seconds)[0]
    finally:
        stop(server)


def start_baselines(
    page_url: str, folder: Path, database_url: str, env: dict[str, str]
) -> dict[str, object]:
    """Start the bare Flask page and the one-INSERT lead app beside tcma (idle until driven)."""
    # Fetched as a link preview would be, so that it is not counted as a page view.
    page = requests.get(page_url, timeout=30, headers={"User-Agent": "bench-preview"}).content
    bare_port = free_port()
    (folder / "bare").mkdir()
    bare = start_baseline(BARE_APP, folder / "bare", bare_port, env, page)
    conninfo = (
        make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_minimal_leads (id serial PRIMARY KEY, "
            "email text, first_name text, last_name text, company text, "
            "created_at timestamptz DEFAULT now())"
        )
    insert_port = free_port()
    (folder / "insert").mkdir()
    minimal = start_baseline(
        INSERT_APP, folder / "insert", insert_port, {**env, "BENCH_CONNINFO": conninfo}
    )
    return {
        "servers": [bare, minimal],
        "page": page,
        "bare_url": f"http://127.0.0.1:{bare_port}/l/x",
        "insert_url": f"http://127.0.0.1:{insert_port}/l/x",
        "conninfo": conninfo,
    }


def minimal_stored(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM bench_minimal_leads").fetchone()[0]


def wrk_rps(url: str, seconds: int) -> tuple[float, int, int]:
    """(requests per second, requests, non-2xx/3xx answers) measured by wrk."""
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, total, int(bad.group(1)) if bad else 0


def python_rps(url: str, seconds: int, threads: int = 8) -> tuple[float, int, int]:
    """The same measure with Python threads, when wrk is not installed."""
    counts: Counter[str] = Counter()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with requests.Session() as http:
            while time.monotonic() < stop:
                status = http.get(url, allow_redirects=False, timeout=30).status_code
                counts["ok" if status < 400 else "bad"] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    total = counts["ok"] + counts["bad"]
    return total / seconds, total, counts["bad"]


def get_rps(url: str, seconds: int) -> tuple[float, int, int]:
    return wrk_rps(url, seconds) if shutil.which("wrk") else python_rps(url, seconds)


def visitor(http: requests.Session, page_url: str, number: int) -> dict[str, str]:
    """GET the page like a browser (keeping its cookie) and fill in the form."""
    html = http.get(page_url, timeout=30).text
    tokens = dict(_TOKEN.findall(html))
    return {
        **tokens,
        "first_name": "Bench",
        "last_name": f"Visitor {number}",
        "email": f"visitor{number}@bench.example",
        "company": "Bench Ltd",
        "title": "Tester",
        "phone": "+44 20 7946 0000",
        "country": "United Kingdom",
        "consent": "y",
    }


def lead_load(page_url: str, seconds: int, threads: int = 8, first: int = 0) -> dict[str, object]:
    """Visitors ``first``, ``first + 1``, ... that GET the page and POST the form once each."""
    counts: Counter[int] = Counter()
    sent: list[tuple[requests.Session, dict[str, str]]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        number = offset
        while time.monotonic() < stop:
            http = requests.Session()
            form = visitor(http, page_url, number)
            status = http.post(page_url, data=form, allow_redirects=False, timeout=30).status_code
            with lock:
                counts[status] += 1
                sent.append((http, form))
            number += threads

    pool = [threading.Thread(target=worker, args=(first + i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"counts": counts, "sent": sent}


def resend(
    page_url: str, sent: list[tuple[requests.Session, dict[str, str]]], limit: int = 300
) -> Counter[int]:
    """Send already-sent forms again, eight at a time, as a flaky network would."""
    counts: Counter[int] = Counter()
    batch = sent[:limit]

    def worker(part: list[tuple[requests.Session, dict[str, str]]]) -> None:
        for http, form in part:
            answer = http.post(page_url, data=form, allow_redirects=False, timeout=30)
            counts[answer.status_code] += 1

    pool = [threading.Thread(target=worker, args=(batch[i::8],)) for i in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts


def count(database_url: str, sql: str, campaign_id: int) -> int:
    conninfo = (
        make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql, (campaign_id,)).fetchone()[0] or 0


def count_leads(database_url: str, campaign_id: int) -> int:
    return count(database_url, "SELECT count(*) FROM leads WHERE campaign_id = %s", campaign_id)


def rates(runs: list[float]) -> str:
    return f"{sum(runs) / len(runs):8.1f}  (rounds: {', '.join(f'{r:.1f}' for r in runs)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each phase")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--database", default=BENCH_DB, help="name of the bench database")
    parser.add_argument("--schema", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.schema or args.setup:
        complete_schema() if args.schema else setup_campaign()
        return
    base_url = os.environ.get("TCMA_TEST_DATABASE_URL") or DEFAULT_URL
    database_url = bench_database(base_url, args.database)
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="tcma-bench-"))
    env = {
        **os.environ,
        "TCMA_DATABASE_URL": database_url,
        "TCMA_STORAGE_URL": f"file://{folder / 'storage'}",
        "TCMA_BASE_URL": f"http://127.0.0.1:{port}",
        "TCMA_RATELIMIT_ENABLED": "0",
        "TCMA_ENV": "production",
        "TCMA_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "TCMA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    print(f"database {make_url(database_url).database}, storage {folder}, rate limiter off")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    campaign_id, code = prepare(env)
    server = start_gunicorn(env, port)
    others: list[subprocess.Popen] = []
    try:
        base = f"http://127.0.0.1:{port}"
        page_url = f"{base}/l/{code}"
        if requests.get(page_url, timeout=120).status_code != 200:  # renders, then caches
            raise SystemExit("the landing page does not answer 200")
        line = start_baselines(page_url, folder, database_url, env)
        others = line["servers"]  # type: ignore[assignment]
        tool = "wrk -t2 -c8" if shutil.which("wrk") else "python, 8 threads"
        print(f"gunicorn 2 workers on {base}; GET load by {tool}; {args.seconds} s per phase")
        # Every round runs tcma and its baselines one after the other, so that a change in
        # the (shared) machine's load hits them alike; ratios are of the per-route averages.
        health, landing, bare, errors, landing_total = [], [], [], 0, 0
        for _ in range(args.rounds):
            for runs, url in ((health, f"{base}/healthz"), (landing, page_url)):
                rps, total, bad = get_rps(url, args.seconds)
                runs.append(rps)
                errors += bad
                if url == page_url:
                    landing_total += total
            bare.append(get_rps(str(line["bare_url"]), args.seconds)[0])
        print(f"  /healthz             {rates(health)} req/s")
        print(f"  /l/<code>            {rates(landing)} req/s; {errors} errors")
        print(
            f"  bare Flask app, same {len(line['page']):,} bytes: {rates(bare)} req/s"  # type: ignore[arg-type]
        )
        landing_rps, bare_rps = sum(landing) / len(landing), sum(bare) / len(bare)
        print(f"  landing / bare = {landing_rps / bare_rps:.2f}  (target >= 0.60)")
        counts: Counter[int] = Counter()
        sent: list[tuple[requests.Session, dict[str, str]]] = []
        minimal_counts: Counter[int] = Counter()
        posts, minimal = [], []
        for round_ in range(args.rounds):
            result = lead_load(str(line["insert_url"]), args.seconds)
            minimal_counts.update(result["counts"])  # type: ignore[arg-type]
            minimal.append(sum(result["counts"].values()) / args.seconds)  # type: ignore[attr-defined]
            # New people each round: the same email again would be a repeat, not a new lead.
            result = lead_load(page_url, args.seconds, first=round_ * 1_000_000)
            counts.update(result["counts"])  # type: ignore[arg-type]
            sent.extend(result["sent"])  # type: ignore[arg-type]
            posts.append(sum(result["counts"].values()) / args.seconds)  # type: ignore[attr-defined]
        accepted = counts[303]
        print(
            f"  lead POSTs           {rates(posts)} /s  (8 visitors, each GETs the page before "
            f"its POST; answers {dict(sorted(counts.items()))})"
        )
        print(
            f"  minimal Flask app, one INSERT per POST: {rates(minimal)} POST/s "
            f"({minimal_counts[303]} answered 303, {minimal_stored(str(line['conninfo']))} stored)"
        )
        print(f"  lead POSTs / minimal = {sum(posts) / sum(minimal):.2f}  (target >= 0.50)")
        stored = count_leads(database_url, campaign_id)
        retries = resend(page_url, sent)
        after = count_leads(database_url, campaign_id)
        print(
            f"  accepted POSTs (303 to the thank-you page): {accepted}; leads in the "
            f"database: {stored} -> {'equal' if stored == accepted else 'NOT EQUAL'}"
        )
        print(
            f"  {sum(retries.values())} forms sent again: answers {dict(retries)}; "
            f"leads after: {after} -> {'no duplicate' if after == stored else 'DUPLICATES'}"
        )
        nginx = nginx_rps(folder, line["page"], args.seconds)  # type: ignore[arg-type]
        print(
            "  nginx serving the file: "
            + (f"{nginx:.1f} req/s (reported only)" if nginx else "not installed")
        )
        server.terminate()  # a graceful stop: workers write the views they still hold
        server.wait(timeout=30)
        views = count(
            database_url,
            "SELECT sum(views) FROM page_view_days WHERE campaign_id = %s",
            campaign_id,
        )
        # wrk stops with up to 8 requests in flight that the server answers but wrk does not
        # count; those were shown, and counted, too.
        shown = 1 + landing_total + sum(counts.values())
        in_flight = 8 * args.rounds if shutil.which("wrk") else 0
        verdict = "all counted" if shown <= views <= shown + in_flight else "MISCOUNTED"
        print(
            f"  page views counted after a graceful stop: {views}; pages answered: {shown} "
            f"(+ up to {in_flight} cut off by wrk) -> {verdict}"
        )
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        for each in others:
            stop(each)
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
        if not args.keep:
            drop_database(base_url, args.database)


if __name__ == "__main__":
    main()
