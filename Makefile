# The two commands: `make run` (serve the site) and `make test` (run every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate demo serve art clean help

# DEBUG is off unless set (metaverse/settings.py): the development targets ask for it, whatever
# the shell says. mypy loads the settings too (django-stubs).
run test lint migrate demo: export DEBUG := 1

help:
	@echo "make run    - install, migrate, load the demo world and serve http://$(HOST):$(PORT)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff (lint + format check) and mypy"
	@echo "make format - apply ruff's formatting and safe fixes"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py check
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(BIN)/python manage.py serve --bind $(HOST) --port $(PORT)

# axe-core (npm), which the browser tests inject to check accessibility; skipped without npm.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

test: $(VENV)/.dev node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

art: $(VENV)/.runtime
	$(BIN)/python -m tools.art.avatars
	$(BIN)/python -m tools.art.tileset
	$(BIN)/python -m tools.demo_maps

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache .test-db.sqlite3
