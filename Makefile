# Brygga: `make run` serves the demo on SQLite (and runs its background worker beside the server);
# `make test` runs the whole suite.
#
# The install does not depend on the machine's packaging tools: the venv's own pip (whatever
# version `python3 -m venv` brought) only installs our pinned pip, checked by hash
# (requirements-pip.lock); that pip then installs exactly the lines of requirements.lock, each
# checked by hash and without resolving anything (--no-deps), so a lock written today installs the
# same set whatever the registry publishes later. `pip check` then proves the set is consistent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input
STEP = @printf '\n\033[1m== %s\033[0m\n'

.PHONY: run test install demo lint typecheck format messages lock clean

$(BIN)/python:
	$(STEP) "[install 1/3] Creating the virtual environment $(VENV) with $$($(PYTHON) --version 2>&1)"
	@$(PYTHON) scripts/check_python.py
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock requirements-pip.lock | $(BIN)/python
	$(STEP) "[install 2/3] Installing the pinned installer (requirements-pip.lock, checked by hash)"
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-pip.lock
	$(STEP) "[install 3/3] Installing the locked dependencies (requirements.lock, checked by hash)"
	$(PIP) install --quiet --require-hashes --no-deps -r requirements.lock
	$(PIP) check
	touch $(STAMP)

install: $(STAMP)

run: install
	$(STEP) "[run 1/3] Creating or updating the SQLite database (migrate)"
	$(BIN)/python manage.py migrate --noinput
	$(STEP) "[run 2/3] Loading the fictional demo data"
	BRYGGA_DEMO=1 $(BIN)/python manage.py load_demo
	$(STEP) "[run 3/3] Serving Brygga at http://127.0.0.1:$(PORT)/ with a background worker (log in as a user above, password 'demo'; Ctrl-C stops both)"
	@$(BIN)/python manage.py db_worker --queue-name '*' --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(STEP) "[test 1/5] Chromium and curl for the tests"
	$(BIN)/python scripts/ensure_chromium.py
	$(STEP) "[test 2/5] Lint and format (ruff)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(STEP) "[test 3/5] Types (mypy)"
	$(BIN)/mypy
	$(STEP) "[test 4/5] Migrations match the models"
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(STEP) "[test 5/5] The test suite (pytest)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l sv --no-obsolete --no-location --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Re-lock requirements.lock from pyproject.toml with the pinned uv (requirements-uv.lock). Versions
# already in the lock are kept unless pyproject.toml no longer allows them; --universal writes the
# markers for every supported Python (3.11-3.13) and platform.
lock: install
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-uv.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
