# ZoneKeeper: `make run` serves the demo site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE := instance
SECRET_FILE := $(INSTANCE)/secret_key
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres bench lint setup clean

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

$(SECRET_FILE):
	mkdir -p $(INSTANCE)
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

run: $(BIN)/.installed $(SECRET_FILE)
	ZONEKEEPER_SECRET_KEY="$$(cat $(SECRET_FILE))" $(BIN)/zonekeeper db upgrade
	ZONEKEEPER_SECRET_KEY="$$(cat $(SECRET_FILE))" $(BIN)/zonekeeper demo load --if-empty
	@echo "Serving ZoneKeeper on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	ZONEKEEPER_SECRET_KEY="$$(cat $(SECRET_FILE))" $(BIN)/zonekeeper run --host $(HOST) --port $(PORT)

# The whole suite, on SQLite and then on PostgreSQL (browser tests in Chromium).
test: $(BIN)/.installed
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(BIN)/.installed
	ZONEKEEPER_TEST_DATABASE=sqlite $(BIN)/pytest -q

test-postgres: $(BIN)/.installed
	ZONEKEEPER_TEST_DATABASE=$(PG_TEST_URL) $(BIN)/pytest -q

bench: $(BIN)/.installed
	$(BIN)/python bench/policy_bench.py

lint: $(BIN)/.installed
	$(BIN)/ruff check zonekeeper tests bench
	$(BIN)/ruff format --check zonekeeper tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
