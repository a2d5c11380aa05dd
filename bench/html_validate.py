"""Valid HTML: the Nu HTML Checker's errors on every page of every demo role.

Loads the demo into a temporary SQLite database and storage folder (CSRF on, as in
production, so every form carries its token), signs in through the form as each demo user,
starts a lead export (for its job page) and follows the links from /home, Your exports
and the failed jobs page as a person would, one page per URL shape (/kits/3 and
/kits/4 count once), plus the sign-in page, a live campaign's landing page, the 404 page,
and the landing form and the API token form shown back with errors.
The HTML is saved to a temporary folder and checked in one run of the Nu checker
(`java -jar vnu.jar --errors-only --format json`). Prints the errors per page, then each
distinct message with how often it occurs, then the total.

The checker is the npm package vnu-jar, installed outside the repository:
    mkdir -p /tmp/vnu && cd /tmp/vnu && npm install vnu-jar
Run: .venv/bin/python bench/html_validate.py [--vnu PATH/TO/vnu.jar] [--keep]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from tcma import create_app  # noqa: E402
from tcma.campaigns.models import LIVE, Campaign  # noqa: E402
from tcma.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from tcma.migrate import upgrade  # noqa: E402

VNU = Path("/tmp/vnu/node_modules/vnu-jar/build/dist/vnu.jar")  # noqa: S108 - where npm put it
USERS = {
    "admin": "admin@northbeam.example",
    "marketer": "marketer@northbeam.example",
    "finance": "finance@northbeam.example",
    "partner_admin": "anna@brightpath-it.example",
    "partner_user": "ben@brightpath-it.example",
}
# Links that are no page: files, exports, media and the API.
SKIP = re.compile(
    r"(/download|/export|\.csv|\.pdf|\.zip|\.png|\.eml|/media/|/static/|/api/|/preview\b|/file\b"
    r"|/kit-media/|/logout)"
)
HREF = re.compile(r'<a\b[^>]*?\shref="([^"#][^"]*)"', re.I)
MAX_PAGES = 80


def shape(path: str) -> str:
    """One key per kind of page: ids and codes become '#'."""
    parts = [
        "#" if re.fullmatch(r"\d+|[A-Za-z0-9_-]{8,}", p) and not p.isalpha() else p
        for p in path.split("/")
    ]
    return "/".join(parts)


def make_app(folder: Path):  # noqa: ANN201 - a Flask app
    upgrade(f"sqlite:///{folder / 'tcma.sqlite3'}")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'tcma.sqlite3'}",
            "STORAGE_URL": f"file://{folder / 'storage'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "QUEUE_URL": "immediate",
            "SMTP_URL": "",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
            "BASE_URL": "http://127.0.0.1",
        }
    )
    with app.app_context():
        session = app.extensions["tcma.sessionmaker"]()
        load_demo(session, app)
        session.commit()
        session.close()
    return app


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    return found.group(1) if found else ""


def crawl(client, start: list[str], save) -> int:  # noqa: ANN001
    seen: set[str] = set()
    queue = list(start)
    pages = 0
    while queue and pages < MAX_PAGES:
        path = queue.pop(0)
        key = shape(path.split("?")[0])
        if key in seen:
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        save(path, html)
        pages += 1
        for href in HREF.findall(html):
            url = urljoin("http://127.0.0.1" + path, href.replace("&amp;", "&"))
            parts = urlsplit(url)
            if parts.netloc == "127.0.0.1" and not SKIP.search(parts.path):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vnu", type=Path, default=VNU)
    parser.add_argument("--keep", action="store_true", help="print the folder of saved pages")
    args = parser.parse_args()
    logging.getLogger("huey").setLevel(logging.WARNING)
    if not args.vnu.exists():
        sys.exit(f"no {args.vnu}: mkdir -p /tmp/vnu && cd /tmp/vnu && npm install vnu-jar")
    folder = Path(tempfile.mkdtemp(prefix="tcma-vnu-"))
    out = folder / "html"
    out.mkdir()
    app = make_app(folder)
    names: dict[str, str] = {}

    def saver(who: str):  # noqa: ANN202
        def save(path: str, html: str) -> None:
            name = f"{who}{re.sub(r'[^A-Za-z0-9]+', '_', path)}.html"
            (out / name).write_text(html, encoding="utf-8")
            names[name] = f"{who} {path}"

        return save

    for who, email in USERS.items():
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        signed_in = client.post(
            "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 302, f"{who} could not sign in"
        start = ["/home", "/exports", "/jobs/failed"]
        token = csrf_token(client.get("/pipeline/leads").get_data(as_text=True))
        exported = client.post("/exports/leads", data={"csrf_token": token})
        if exported.status_code == 302:  # a lead export job: its page and Your exports
            start.append(urlsplit(exported.headers["Location"]).path)
        count = crawl(client, start, saver(who))
        print(f"[{who}] {count} pages")
    with app.app_context():
        session = app.extensions["tcma.sessionmaker"]()
        code = session.scalar(select(Campaign.code).where(Campaign.status == LIVE))
        session.close()
    anonymous = app.test_client()
    save = saver("anonymous")
    for path in ("/login", f"/l/{code}", "/no-such-page"):
        save(path, anonymous.get(path).get_data(as_text=True))
    # Forms as shown back with errors: the landing form and the API token form.
    html = anonymous.get(f"/l/{code}").get_data(as_text=True)
    found = re.search(r'name="submit_token" type="hidden" value="([^"]+)"', html)
    bad = {"email": "grace-at-navy", "csrf_token": csrf_token(html)}
    bad["submit_token"] = found.group(1) if found else ""
    save(f"/l/{code}?errors", anonymous.post(f"/l/{code}", data=bad).get_data(as_text=True))
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"email": USERS["partner_admin"], "password": DEMO_PASSWORD, "csrf_token": token}
    client.post("/login", data=data)
    token = csrf_token(client.get("/account/tokens/").get_data(as_text=True))
    refused = client.post("/account/tokens/", data={"name": "", "days": "0", "csrf_token": token})
    saver("partner_admin")("/account/tokens/?errors", refused.get_data(as_text=True))

    result = subprocess.run(
        ["java", "-jar", str(args.vnu), "--errors-only", "--format", "json", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    per_page: Counter[str] = Counter({name: 0 for name in names})
    kinds: Counter[str] = Counter()
    where: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        if message.get("type") != "error":
            continue
        name = Path(urlsplit(message.get("url", "")).path).name
        page = names.get(name, name)
        per_page[name] += 1
        text = re.sub(r"“[^”]*\d[^”]*”", "“…”", message["message"])
        kinds[text] += 1
        where[text].append(f"{page} line {message.get('lastLine')}")
    print("\nerrors per page")
    for name in sorted(names, key=lambda n: names[n]):
        print(f"  {per_page[name]:>4}  {names[name]}")
    print("\nmessages")
    for text, count in kinds.most_common():
        print(f"  {count:>4}  {text}")
        for spot in where[text][:3]:
            print(f"          {spot}")
    total = sum(per_page.values())
    print(f"\n{total} errors on {sum(1 for n in names if per_page[n])} of {len(names)} pages")
    if args.keep:
        print(f"pages saved in {out}")


if __name__ == "__main__":
    main()
