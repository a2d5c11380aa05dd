# tcma: `make run` to try it, `make test` to test it. Needs only Python 3.11 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?=
# Two test processes: this machine has two cores; each PostgreSQL worker gets its own database.
# worksteal: an idle process takes queued tests from the busy one, so a run does not end with
# one process still working through a slow file (the browser tests) while the other waits.
PYTEST_WORKERS ?= 2
PYTEST_DIST ?= worksteal

.PHONY: install run init demo test test-postgres test-browser lint wheel-check bench clean

# Running needs only tcma and its runtime dependencies; tests and linters add the dev extra.
$(BIN)/.runtime: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed: $(BIN)/.runtime
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

init: $(BIN)/.runtime
	$(BIN)/tcma init

demo: init
	$(BIN)/tcma demo

## Create the database and storage under instance/, load the demo, then serve on
## http://127.0.0.1:$(PORT) with a job worker beside it (Ctrl+C stops both).
run: demo
	@$(BIN)/tcma worker --workers 2 & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Started a job worker (tcma worker, pid $$worker) beside the web server."; \
	$(BIN)/tcma serve --port $(PORT)

## The whole suite; PostgreSQL and browser tests run when their servers/binaries exist.
test: install
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) $(PYTEST_ARGS)

test-postgres: install
	TCMA_TEST_DATABASE_URL=$${TCMA_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) -m "not browser" $(PYTEST_ARGS)

test-browser: install
	$(BIN)/python -m pytest -q tests/browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Build the wheel, install it in a fresh venv outside the checkout, init, demo, /healthz.
wheel-check: install
	bash .ci/wheel_smoke.sh

bench: install
	$(BIN)/python bench/render.py

clean:
	rm -rf $(VENV) instance build .pytest_cache .ruff_cache .mypy_cache
