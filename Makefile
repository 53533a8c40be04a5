# Luukku — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The settings default to production (DEBUG off, a secret key required); these targets are for
# development on your own machine. `make run-prod` sets its own.
DJANGO_DEBUG ?= 1
export DJANGO_DEBUG

.PHONY: run run-prod test lint typecheck audit pytest migrate demo lock messages bench browser

# The stamp files make a second `make run` skip the install: they are newer than the lock files
# until a lock file changes.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: requirements/base.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/base.txt -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

migrate: $(VENV)/.base-installed
	$(MANAGE) migrate --no-input

demo: migrate
	$(MANAGE) load_demo_region
	$(MANAGE) train_router --if-stale --no-cv
	$(MANAGE) refresh_insights

run: demo
	$(MANAGE) demo_logins
	$(MANAGE) runserver $(HOST):$(PORT)

# The production shape on this machine (docs/operations.md): DEBUG off, PostgreSQL, Redis,
# gunicorn with uvicorn workers (HTTP and WebSockets), a Celery worker and beat, all stopped by
# Ctrl-C. Needs PostgreSQL and Redis running; DATABASE_URL and REDIS_URL override the defaults.
run-prod: $(VENV)/.base-installed
	HOST=$(HOST) PORT=$(PORT) deploy/run-prod.sh

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy

# Browser tests need Debian's chromium; install it when it is missing and we may (root).
# Debian tools some tests drive: Chromium (axe checks) and wrk (the Open311 load tool's tests).
browser:
	@for tool in chromium wrk; do command -v $$tool >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$tool >/dev/null; \
		else echo "$$tool is missing: its tests will fail (apt-get install $$tool)"; fi; }; done

pytest: $(VENV)/.dev-installed browser
	$(VENV)/bin/pytest -n auto

# Known vulnerabilities in the locked packages (pip-audit, else the offline PyPA snapshot).
audit: $(VENV)/.dev-installed
	$(PY) bin/audit-dependencies

test: lint typecheck audit pytest

# The quick benchmarks (docs/benchmarks.md): catalogue import and search, the router, panel
# sortition, insights at 10 M answers, scrubbing recall. The Open311 (bench/bench_open311.py,
# bench/reference_6aika.py), case (bench/bench_cases.py) and survey answer
# (bench/bench_surveys.py) ones start a production server on PostgreSQL and take many minutes:
# run them by hand as docs/benchmarks.md says.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/luukku_bench
bench: $(VENV)/.dev-installed
	$(PY) bench/bench_import_ptv.py --services 20000 --runs 3 --postgres-url $(BENCH_PG)
	$(PY) bench/bench_search.py
	DATABASE_URL=$(BENCH_PG)_search $(PY) bench/bench_search.py
	$(PY) bench/bench_router.py --runs 5
	$(PY) bench/bench_panels.py
	$(PY) bench/bench_insights.py
	$(PY) bench/bench_scrubbing.py --texts 10000 --clean 3000

# Recompile the locks after editing requirements/*.in (needs network access to PyPI).
lock: | $(VENV)/bin/python
	$(PIP) install --quiet uv
	cd requirements && ../$(VENV)/bin/uv pip compile --quiet --python-version 3.11 \
		--generate-hashes base.in -o base.txt
	cd requirements && ../$(VENV)/bin/uv pip compile --quiet --python-version 3.11 \
		--generate-hashes dev.in -o dev.txt

messages: $(VENV)/.dev-installed
	cd luukku && ../$(PY) ../manage.py makemessages -l fi -l sv -l en --no-obsolete
	cd luukku && ../$(PY) ../manage.py compilemessages
