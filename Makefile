# Xieshang — the commands in README.md. Needs Python >= 3.11 and make; nothing else for `make run`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Django's debug pages for developers only: `make run DEBUG=true` (docs/deployment.md). Off by default: the
# product's own 404 and 500 pages, as deployed.
DEBUG ?= false
# pip without its version nag (the project's own warnings stay visible)
PIP := $(BIN)/python -m pip --disable-pip-version-check
# The suite runs on every core (pytest-xdist; PYTEST_ARGS="-n 0" runs it in one process, e.g. to debug).
PYTEST_ARGS ?= -n auto

.PHONY: run test setup setup-test demo serve worker backup bench messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || (echo "Python >= 3.11 is required" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test

demo: setup
	$(BIN)/xieshang migrate --noinput
	$(BIN)/xieshang demo

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (DEBUG=$(DEBUG))"
	DEBUG=$(DEBUG) $(BIN)/xieshang runserver 127.0.0.1:$(PORT)

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: setup
	$(BIN)/xieshang worker

# Production mode on this machine (docs/deployment.md): migrate, collect the static files, then run
# gunicorn (WEB_CONCURRENCY workers on BIND), a task worker and the scheduler; Ctrl+C stops them all.
# Set DATABASE_URL (PostgreSQL) and REDIS_URL for a real deployment; without them: SQLite, no Redis.
BIND ?= 127.0.0.1:$(PORT)
serve: setup
	BIND=$(BIND) $(BIN)/xieshang serve

# A consistent copy of the database and the uploaded files into $(XIESHANG_DATA_DIR)/backups (or BACKUP=file).
backup: setup
	$(BIN)/xieshang backup $(if $(BACKUP),--output $(BACKUP))

# The benchmarks (benchmarks/README in docs/performance.md) at BENCH_SIZE proposals, on SQLite and,
# when it answers on 127.0.0.1:5432, PostgreSQL (database xieshang_bench_<size>). BENCH_ARGS passes more,
# e.g. BENCH_ARGS="--compare benchmarks/results/previous.json" or "--only lists,stats".
BENCH_SIZE ?= 10000
BENCH_ARGS ?=
bench: setup
	$(BIN)/python benchmarks/run_all.py --size $(BENCH_SIZE) $(BENCH_ARGS)

# Regenerate the Chinese catalogue from the source (needs GNU gettext), then compile it.
messages: setup-test
	cd xieshang && ../$(BIN)/xieshang makemessages -l zh_Hans --no-obsolete --ignore "*/tests/*" --ignore "locale/*"
	$(BIN)/python scripts/i18n.py merge
	$(BIN)/python scripts/i18n.py compile

clean:
	rm -rf $(VENV) data
