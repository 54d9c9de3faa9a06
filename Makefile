# The two commands of the README: `make serve` and `make test`. Both install
# everything they need into .venv on a fresh machine first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install build serve test test-unit test-fast lint clean static browser bench wrk virtuoso

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/tkg build

# The editor's browser files (YASGUI), from the npm registry at the version package-lock.json pins,
# copied where the app serves them: never fetched from a CDN at run time.
YASGUI := server/static/vendor/yasgui
$(YASGUI)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p $(YASGUI)
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(YASGUI)/
	cp node_modules/@zazuko/yasgui/LICENSE $(YASGUI)/ 2>/dev/null || true
	touch $@

static: $(YASGUI)/.stamp

# The browser the end-to-end tests drive: Debian's chromium (Playwright never downloads one).
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# The second remote store the remote-mode tests run against (tests/remote/): Debian's Virtuoso, started
# by the tests from their own virtuoso.ini in a temporary directory (the Oxigraph server comes from PyPI).
virtuoso:
	@command -v virtuoso-t >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource; }

serve: build static
	$(BIN)/tkg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check tkg server tests scripts bench
	$(BIN)/ruff format --check tkg server tests scripts bench
	$(BIN)/mypy tkg server

# Every tier but the tests judged by latency or load (marker `serial`) on TEST_WORKERS workers at
# once (much of the live tier waits on servers, engines and a browser), then those alone: the
# attack, fair-share and slow-client tests judge latency and must not share the cores with other tests
# (the load and soak tests judge only that every request is answered: they run in the first phase).
# --maxschedchunk 1: a worker is handed one test at a time, so the longest, collected first
# (tests/conftest.py), start on different workers at once and the phase ends on short ones.
# `make lint` runs beside the parallel phase (mostly mypy on one core while the tests wait on servers):
# its output follows the tests', and either failing stops `make test` before the serial phase.
TEST_WORKERS ?= 4
test: install static browser wrk virtuoso
	@linted=$$(mktemp); $(MAKE) --no-print-directory lint >$$linted 2>&1 & lint=$$!; \
	$(BIN)/pytest -m "not serial" -n $(TEST_WORKERS) --maxschedchunk 1; tests=$$?; \
	wait $$lint; lint=$$?; echo "make lint (run beside the tests):"; cat $$linted; rm -f $$linted; \
	[ $$tests -eq 0 ] && [ $$lint -eq 0 ]
	$(BIN)/pytest -m serial

# The tiers, for a developer's loop: the pure modules in seconds, then everything but the live server.
test-unit: install
	$(BIN)/pytest tests/unit

test-fast: install static
	$(BIN)/pytest -m "not e2e"

# The benchmark's load generator: Debian's wrk (C, with Lua scripts), which leaves the server its cores.
wrk:
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }

bench: install wrk
	PYTHONPATH=. $(BIN)/python -m bench

clean:
	rm -rf build .pytest_cache .ruff_cache node_modules server/static/vendor
