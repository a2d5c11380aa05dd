#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv outside the checkout, and check that the
# installed tcma (no source tree) initialises, loads the demo and answers /healthz.
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fetch() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }

"$checkout/.venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$work/dist" "$checkout"
wheel="$(ls "$work"/dist/tcma-*.whl)"
python3 - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for needed in ("tcma/_templates/base.html", "tcma/_static/css/", "tcma/_campaigns/", "tcma/migrations/versions/"):
    assert any(n.startswith(needed) for n in names), f"the wheel lacks {needed}"
print(f"wheel: {len(names)} files, templates {sum(n.startswith('tcma/_templates/') for n in names)}, "
      f"static {sum(n.startswith('tcma/_static/') for n in names)}, "
      f"sample kits {sum(n.startswith('tcma/_campaigns/') for n in names)}")
PY

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$wheel"
cd "$work"  # nothing of the checkout on the path from here on
export TCMA_DATABASE_URL="sqlite:///$work/tcma.sqlite3" TCMA_STORAGE_URL="file://$work/storage"
"$work/venv/bin/tcma" init
"$work/venv/bin/tcma" demo
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$work/venv/bin/tcma" serve --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  if body="$(fetch "http://127.0.0.1:$port/healthz" 2>/dev/null)"; then
    echo "healthz: $body"
    page="$(fetch "http://127.0.0.1:$port/login")"
    grep -q "<form" <<<"$page" || { echo "the sign-in page did not render"; exit 1; }
    fetch "http://127.0.0.1:$port/static/css/app.css" >/dev/null
    echo "wheel install: init, demo, serve and /healthz work outside the checkout"
    exit 0
  fi
  sleep 1
done
echo "tcma serve from the wheel did not answer /healthz:"; cat "$work/serve.log"; exit 1
