# Glassbox: `make run` serves the site, `make test` runs the whole suite. Both start from a fresh
# clone: they create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run migrate import test test-fast lint format clean

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

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles db.sqlite3*
