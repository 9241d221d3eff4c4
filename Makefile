# Vikno: the commands the README names. Needs only python3 (3.11) and make: the first target that
# needs the environment installs a pinned uv into .tools/ and lets it build .venv/ from uv.lock.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
UV_VERSION := 0.13.8
PORT ?= 8000

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

# uv may only use the interpreter that is here: it cannot download one on these machines.
export UV_PYTHON_DOWNLOADS := never
# The uv cache and the project may sit on different file systems; copying avoids the warning.
export UV_LINK_MODE ?= copy
export UV_NO_PROGRESS := 1

.PHONY: help bootstrap compilemessages run prod-local prod-local-stop replica-local \
	replica-local-stop test check lint typecheck bench messages \
	clean

help: ## list the targets
	@echo "Vikno: make TARGET"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sort \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'
	@echo "Variables: PORT=$(PORT)  DATABASE_URL=$${DATABASE_URL:-<SQLite in var/>}" \
		"CELERY_BROKER_URL=$${CELERY_BROKER_URL:-<tasks run in-process>}"

$(UV):
	@echo "==> installing uv $(UV_VERSION) into $(TOOLS)/"
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

bootstrap: $(UV) ## install the pinned uv and sync .venv with uv.lock (fast when up to date)
	@$(UV) sync --frozen --quiet --python $(PYTHON)
	@var="$${VIKNO_VAR_DIR:-var}"; mkdir -p "$$var/static" "$$var/media"

compilemessages: bootstrap ## compile the translation catalogues (.po -> .mo), no gettext needed
	@$(PY) bin/compilemessages.py

run: compilemessages ## migrate, load reference and demo data, serve on 127.0.0.1:PORT with the hourly deadline control
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_reference
	DEBUG=1 $(PY) manage.py seed_demo
	@# The deadline control (reminders, escalations) runs next to the server, hourly, and stops with it.
	DEBUG=1 $(PY) manage.py deadline_control --every 3600 & control=$$!; \
	trap 'kill $$control 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

prod-local: compilemessages ## the production stack here: its own PostgreSQL (5433) and Redis (6380), gunicorn on PROD_PORT (8100), Celery worker and beat
	PORT=$${PROD_PORT:-8100} $(PY) bin/prod_local.py start

prod-local-stop: ## stop what `make prod-local` started, its PostgreSQL and Redis included (var/prod/)
	$(PY) bin/prod_local.py stop

replica-local: ## a PostgreSQL primary (5434) and its streaming read replica (5435) under var/pgreplica/
	$(PYTHON) bin/pg_replica.py start

replica-local-stop: ## stop what `make replica-local` started (the data stays; `bin/pg_replica.py destroy` removes it)
	$(PYTHON) bin/pg_replica.py stop

test: compilemessages ## lint, import contracts, types, migration check and the test suite
	@echo "==> ruff"
	$(BIN)/ruff check .
	@echo "==> import contracts"
	$(BIN)/lint-imports
	@echo "==> mypy"
	VIKNO_TESTING=1 $(BIN)/mypy config vikno
	@echo "==> migrations are complete"
	VIKNO_TESTING=1 $(PY) manage.py makemigrations --check --dry-run
	@db="$${DATABASE_URL:-sqlite}"; echo "==> pytest on $${db%%:*}"
	$(BIN)/pytest -n 2 -q

lint: bootstrap ## ruff and the import contracts
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: bootstrap ## mypy with the Django plugin
	VIKNO_TESTING=1 $(BIN)/mypy config vikno

bench: compilemessages ## run every bench/*.py (they print ratios, not pass/fail)
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks in bench/"; exit 0; fi; \
	for f in "$${files[@]}"; do \
		echo "==> $$f"; VIKNO_TESTING=1 $(PY) "$$f"; \
	done

messages: bootstrap ## extract msgids into vikno/locale (needs GNU gettext) and count the gaps
	@command -v xgettext >/dev/null || { echo "makemessages needs GNU gettext: apt-get install gettext"; exit 1; }
	@mkdir -p vikno/locale
	VIKNO_TESTING=1 $(PY) manage.py makemessages -l uk -l en \
		--ignore .venv --ignore .tools --ignore var --ignore node_modules
	@$(PY) bin/compilemessages.py

clean: ## remove the environments, caches and compiled catalogues (keeps var/ data)
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find vikno/locale -name '*.mo' -delete 2>/dev/null || true
