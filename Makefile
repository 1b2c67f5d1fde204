# Ping'an Command: `make demo` runs everything, `make test` runs every test.
# The pingan CLI does the work; this file only prepares the environment first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PINGAN := $(VENV)/bin/pingan
PY_PACKAGES := backend dispatch playbooks simulators

.PHONY: demo serve test lint format typecheck frontend frontend-check bench install clean-data help

help:
	@echo "make demo       run the whole system on embedded PostgreSQL and Redis"
	@echo "make test       run the full test suite"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make typecheck  mypy --strict"
	@echo "make frontend   build the frontend into frontend/dist"
	@echo "make bench      run the benchmarks (pingan bench)"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(TOOLS) || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

# Reinstall only when the lock or the project file changes.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --extra dev --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the frontend (Node 20+): apt-get install nodejs npm"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: frontend/node_modules/.installed
	cd frontend && npm run build

frontend-check: frontend/node_modules/.installed
	cd frontend && npm run check && npm run i18n:check && npm run build

demo: install frontend
	$(PINGAN) demo

serve: install
	$(PINGAN) serve

# Two workers: the browser tests one at a time on one, every other test spread over both
# (the scheduler in tests/conftest.py). TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= 2
test: install frontend
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadscope

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy $(PY_PACKAGES)

bench: install
	$(PINGAN) bench --update-readme

clean-data:
	rm -rf "$${PINGAN_DATA_DIR:-$${XDG_DATA_HOME:-$$HOME/.local/share}/pingan}"
