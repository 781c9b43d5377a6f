# ZoneKeeper: `make run` serves the demo site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE := instance
KEYS := $(INSTANCE)/keys.env
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# the report benchmark's large site on PostgreSQL (an empty database; built on first use)
PG_BENCH_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/zonekeeper_large_site
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres fuzz bench lint setup clean keys

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

# Local keys, never committed: session/CSRF signing, the audit chain, badge tokens.
# Missing keys are added; existing ones are kept (changing them would break sessions,
# the audit chain's verification and every printed badge).
keys: $(BIN)/.installed
	mkdir -p $(INSTANCE)
	umask 077; $(BIN)/python -m zonekeeper.local_keys $(KEYS)

run: $(BIN)/.installed keys
	. ./$(KEYS) && $(BIN)/zonekeeper db upgrade
	. ./$(KEYS) && $(BIN)/zonekeeper demo load --if-empty
	@echo "Serving ZoneKeeper on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	. ./$(KEYS) && ZONEKEEPER_SITE_NAME="$${ZONEKEEPER_SITE_NAME:-Riverside General Hospital · MRI (demo)}" exec $(BIN)/zonekeeper run --host $(HOST) --port $(PORT)

# The whole suite, on SQLite and then on PostgreSQL (browser tests in Chromium).
test: $(BIN)/.installed
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(BIN)/.installed
	ZONEKEEPER_TEST_DATABASE=sqlite $(BIN)/pytest -q

test-postgres: $(BIN)/.installed
	ZONEKEEPER_TEST_DATABASE=$(PG_TEST_URL) $(BIN)/pytest -q

# Generated requests to every route as every role (issue #15): 10,000 per backend, no 5xx.
FUZZ_EXAMPLES ?= 10000
fuzz: $(BIN)/.installed
	ZONEKEEPER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ZONEKEEPER_TEST_DATABASE=sqlite \
		$(BIN)/pytest -q -p no:cacheprovider tests/functional/test_fuzz_requests.py
	ZONEKEEPER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ZONEKEEPER_TEST_DATABASE=$(PG_TEST_URL) \
		$(BIN)/pytest -q -p no:cacheprovider tests/functional/test_fuzz_requests.py

bench: $(BIN)/.installed
	$(BIN)/python bench/policy_bench.py
	$(BIN)/python bench/screening_bench.py
	$(BIN)/python bench/door_decision_bench.py
	$(BIN)/python bench/checkin_load.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/report_bench.py --database-url $(PG_BENCH_URL)

lint: $(BIN)/.installed
	$(BIN)/ruff check zonekeeper tests bench
	$(BIN)/ruff format --check zonekeeper tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
