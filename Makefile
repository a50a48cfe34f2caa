# stationmap: `make run` serves the app (on 127.0.0.1:5000; HOST=0.0.0.0 and PORT=8080
# to listen on every address and another port), `make test` runs the static checks and the whole
# suite, `make test-fast` the quick part of the suite for the edit-test loop.
# All set themselves up first: system libraries, .venv/, the package and its tools.

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stationmap-installed
BROWSER_STAMP := $(VENV)/.browser-installed

.PHONY: run test test-fast setup lint types contracts format layers clean

run: setup
	$(BIN)/stationmap init-db
	$(BIN)/stationmap load-demo --if-empty
	$(BIN)/stationmap serve --host $(HOST) --port $(PORT)

# Style, types and layers first (seconds), then every test: CI runs this.
test: setup $(BROWSER_STAMP) lint types contracts
	$(BIN)/pytest

# Leaves out what takes seconds, drives Chromium or needs PostGIS (markers: setup.cfg).
test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser and not postgis"

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml scripts/install-system-deps.sh
	PYTHON=$(PYTHON) sh scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser tests drive Debian's headless Chromium (never a downloaded browser).
$(BROWSER_STAMP): scripts/install-system-deps.sh | $(STAMP)
	PYTHON=$(PYTHON) sh scripts/install-system-deps.sh browser
	touch $(BROWSER_STAMP)

lint: setup
	$(BIN)/ruff check stationmap tests scripts
	$(BIN)/ruff format --check stationmap tests scripts

# mypy over stationmap/ (settings: [mypy] in setup.cfg).
types: setup
	$(BIN)/mypy

# The layer contracts (import-linter, [importlinter] in setup.cfg).
contracts: setup
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format stationmap tests scripts
	$(BIN)/ruff check --fix stationmap tests scripts

# Rebuild the committed reference layers in data/ (needs the heavy build-time packages).
layers: setup
	$(BIN)/pip install --quiet -e '.[build-layers]'
	$(BIN)/python scripts/build_reference_layers.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .import_linter_cache
