# Two commands: `make run` serves the app on demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)

.PHONY: run test install lint browser clean-data

run: $(STAMP)
	$(PY) -m nexus360 serve

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

lint: $(STAMP)
	$(PY) -m ruff check .

# Stop the embedded server and delete the local demo data (asks first).
clean-data: $(STAMP)
	@read -p "Delete all local Nexus360 data in .nexus360/? [y/N] " answer; [ "$$answer" = y ] || exit 1
	$(PY) -m nexus360 server stop
	rm -rf .nexus360
