# Two commands matter: `make run` and `make test`. Everything installs into ./.venv from uv.lock.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
# `make run` keeps its data here (git-ignored) and its embedded DynamoDB on this port.
DATA_DIR ?= .data
DYNAMODB_PORT ?= 8001

.PHONY: install run test lint typecheck imports unit bench package soak clean lock

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

# uv.lock pins every package; --frozen refuses to install anything the lock does not name.
$(VENV)/.installed: $(UV) uv.lock pyproject.toml
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --all-extras --quiet --python $(PY)
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/flowlogic serve --data-dir $(DATA_DIR) --dynamodb-port $(DYNAMODB_PORT)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy

imports: install
	$(VENV)/bin/lint-imports

unit: install
	$(PY) -m pytest

test: install lint typecheck imports unit

bench: install
	$(PY) -m benchmarks

# The Lambda bundle (arm64, Python 3.12, runtime dependencies only) under build/; prints sizes.
package: install
	$(PY) -m deploy.bundle

# The service under many concurrent virtual users for SECONDS, then every invariant checked;
# a short run is part of `make test` (tests/e2e/test_soak.py).
SECONDS ?= 60
USERS ?= 6
soak: install
	$(PY) -m benchmarks.soak --seconds $(SECONDS) --users $(USERS)

lock: $(UV)
	$(UV) lock

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache .hypothesis
