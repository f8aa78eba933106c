# Herald: `make run` serves the demo network; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install migrate seed test check lint imports typecheck pytest browser bench lock clean

# Debian ships venv apart (python3-venv); as root, install it when it is missing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { [ "$$(id -u)" = 0 ] && rm -rf $(VENV) && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	  $(PYTHON) -m venv $(VENV); }

# The versions that were tested: requirements.lock (with hashes), made by `make lock`.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# A dependency added to pyproject.toml but not locked fails here, not at run time.
	$(BIN)/python -m pip check
	touch $(STAMP)

# Pin the newest versions pyproject.toml allows (run after changing its dependencies).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --generate-hashes \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

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

lint: install imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layers of herald/ (contracts in pyproject.toml, [tool.importlinter]).
imports: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy herald tests conftest.py

pytest: install browser
	HERALD_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Everything but the slow tests (faults, scale-out, browser): a few minutes.
check: lint typecheck install
	HERALD_ENV=test $(BIN)/pytest -m 'not slow' $(PYTEST_ARGS)

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
	$(BIN)/python bench/desk_list.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
