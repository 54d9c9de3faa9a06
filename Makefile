# The two commands of the README: `make serve` and `make test`. Both install
# everything they need into .venv on a fresh machine first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev build serve test test-unit test-fast lint clean static browser bench wrk virtuoso debian setup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# What building and serving need (`make serve`: a third of the dev install's time, and no test tools
# in a server's venv); the dev extras (tests, lint, the benchmark's peers) on top for the rest.
$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(RUNTIME)

install: $(RUNTIME)
install-dev: $(DEV)

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

# The Debian packages the tests drive, each with the command that shows it is there: the browser
# (chromium: Playwright never downloads one), the benchmark's load generator (wrk: C, with Lua scripts,
# it leaves the server its cores) and the second remote store (Virtuoso, started by tests/remote/ from
# their own virtuoso.ini; the Oxigraph server comes from PyPI). `make debian` installs whichever are
# missing in one apt-get; `make browser`, `make wrk` and `make virtuoso` install one.
define apt_install
	@missing=""; for pair in $(1); do command -v $${pair%%=*} >/dev/null || missing="$$missing $${pair#*=}"; done; \
	[ -z "$$missing" ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; }
endef
debian:
	$(call apt_install,chromium=chromium wrk=wrk virtuoso-t=virtuoso-opensource)
browser:
	$(call apt_install,chromium=chromium)
wrk:
	$(call apt_install,wrk=wrk)
virtuoso:
	$(call apt_install,virtuoso-t=virtuoso-opensource)

# Everything `make test` needs, made side by side: pip's install beside npm's and apt's (one core each).
setup:
	@$(MAKE) --no-print-directory -j3 install-dev static debian

serve:
	@$(MAKE) --no-print-directory -j2 build static
	$(BIN)/tkg serve --host $(HOST) --port $(PORT)

lint: install-dev
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
test: setup
	@linted=$$(mktemp); $(MAKE) --no-print-directory lint >$$linted 2>&1 & lint=$$!; \
	$(BIN)/pytest -m "not serial" -n $(TEST_WORKERS) --maxschedchunk 1; tests=$$?; \
	wait $$lint; lint=$$?; echo "make lint (run beside the tests):"; cat $$linted; rm -f $$linted; \
	[ $$tests -eq 0 ] && [ $$lint -eq 0 ]
	$(BIN)/pytest -m serial

# The tiers, for a developer's loop: the pure modules in seconds, then everything but the live server.
test-unit: install-dev
	$(BIN)/pytest tests/unit

test-fast: install-dev static
	$(BIN)/pytest -m "not e2e"

bench: install-dev wrk
	PYTHONPATH=. $(BIN)/python -m bench

clean:
	rm -rf build .pytest_cache .ruff_cache node_modules server/static/vendor
