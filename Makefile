# Herald: `make run` serves the demo network; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install migrate seed test lint typecheck pytest browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/herald migrate --noinput

seed: migrate
	$(BIN)/herald seed_demo

run: seed
	$(BIN)/herald run

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: browser tests will be skipped (sudo apt-get install chromium)"; fi; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy herald tests conftest.py

pytest: install browser
	HERALD_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	@command -v wrk >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; \
	  else echo "bench needs wrk and nginx: sudo apt-get install wrk nginx-light"; exit 1; fi; }
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
