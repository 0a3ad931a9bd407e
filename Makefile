# Notifications — developer commands. `make run` and `make test` set up
# everything they need on a fresh machine (a virtual environment in .venv).

PYTHON ?= $(shell command -v python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-all lint format bench bench-render clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Python 3.11 is needed (found $$($(PYTHON) --version 2>&1)); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: the service on the embedded default (SQLite, in-process tasks, fake
## providers); prints the demo API key and a curl that sends an email.
run: $(VENV)/.runtime
	@mkdir -p var
	LOG_LEVEL=WARNING $(BIN)/python manage.py migrate --verbosity 0
	LOG_LEVEL=WARNING $(BIN)/python manage.py seed_demo --once --quiet
	$(BIN)/python manage.py demo_instructions --base-url http://localhost:$(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole fast suite against PostgreSQL and Redis (local servers on
## their standard ports unless DATABASE_URL / REDIS_URL say otherwise).
test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

## test-all: the fast suite plus the exhaustive variants (slow marker).
test-all: $(VENV)/.dev
	$(BIN)/pytest --run-slow $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: measure the production shape against this machine's ceilings.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk (the load generator)"; \
	  apt-get install -y -qq wrk >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## bench-render: renders per second of the template language (one core).
bench-render: $(VENV)/.dev
	$(BIN)/python -m bench.render $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
