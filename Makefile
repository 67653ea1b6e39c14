# Two commands: `make run` serves the app on demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)

.PHONY: run test install lint browser clean-data

# `make run PORT=8600` serves on another port (STREAMLIT_SERVER_PORT works too). `serve` also starts one background
# worker (`python -m nexus360 worker`: webhooks, scheduled syncs, e-mails, retention); NO_WORKER=1 leaves it out.
run: $(STAMP)
	$(PY) -m nexus360 serve $(if $(PORT),--port $(PORT)) $(if $(NO_WORKER),--no-worker)

test: $(STAMP) browser
	$(PY) -m pytest

install: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# Browser tests drive Debian's Chromium; install it when we may (root with apt), else they are skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || ./scripts/ensure-chromium

# ruff, and the architecture rules of docs/architecture.md (import-linter contracts in pyproject.toml and
# tests/test_architecture.py). `make test` runs the same checks as part of the suite.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q tests/test_architecture.py

# Stop the embedded server and delete the local demo data (asks first).
clean-data: $(STAMP)
	@read -p "Delete all local Nexus360 data in .nexus360/? [y/N] " answer; [ "$$answer" = y ] || exit 1
	$(PY) -m nexus360 server stop
	rm -rf .nexus360
