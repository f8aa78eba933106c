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
	@missing=""; \
	for tool in wrk nginx redis-server varnishd; do command -v $$tool >/dev/null 2>&1 || missing=1; done; \
	ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light redis-server varnish varnish-modules >/dev/null; \
	  else echo "bench needs: sudo apt-get install wrk nginx-light redis-server varnish varnish-modules"; exit 1; fi; fi
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
