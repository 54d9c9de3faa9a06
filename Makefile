# The two commands of the README: `make serve` and `make test`. Both install
# everything they need into .venv on a fresh machine first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install build serve test lint clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/tkg build

serve: build
	$(BIN)/tkg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check tkg server tests bench
	$(BIN)/ruff format --check tkg server tests bench

test: lint
	$(BIN)/pytest

bench: install
	PYTHONPATH=. $(BIN)/python -m bench

clean:
	rm -rf build .pytest_cache .ruff_cache
