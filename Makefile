# Glassbox: `make run` serves the site, `make test` runs the whole suite. Both start from a fresh
# clone: they create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

CHROMIUM ?= /usr/bin/chromium

.PHONY: help install run migrate import test test-browser lint format clean browser-deps

help:
	@echo "make run    - install, migrate, import content/ and serve http://$(HOST):$(PORT)"
	@echo "make test   - install test dependencies and run the whole suite (lint included)"
	@echo "make lint   - ruff check and format check"
	@echo "make format - ruff format and autofix"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

import: migrate
	$(PY) manage.py import_content
	$(PY) manage.py collectstatic --noinput -v0

run: import
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

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

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install lint browser-deps
	$(PY) manage.py makemigrations --check --dry-run
	CHROMIUM_PATH=$(CHROMIUM) $(PY) -m pytest

test-browser: install browser-deps
	CHROMIUM_PATH=$(CHROMIUM) $(PY) -m pytest tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles db.sqlite3*
