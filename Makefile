# ZoneKeeper: `make run` serves the demo site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE := instance
KEYS := $(INSTANCE)/keys.env
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

# Local keys, made once and never committed: session/CSRF signing and the audit chain.
$(KEYS): | $(BIN)/.installed
	mkdir -p $(INSTANCE)
	umask 077; $(BIN)/python -c "import secrets; t = lambda: secrets.token_urlsafe(48); \
	print(f'export ZONEKEEPER_SECRET_KEY={t()}'); print(f'export ZONEKEEPER_AUDIT_KEY={t()}')" > $@

run: $(BIN)/.installed $(KEYS)
	. ./$(KEYS) && $(BIN)/zonekeeper db upgrade
	. ./$(KEYS) && $(BIN)/zonekeeper demo load --if-empty
	@echo "Serving ZoneKeeper on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	. ./$(KEYS) && exec $(BIN)/zonekeeper run --host $(HOST) --port $(PORT)

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
