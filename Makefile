# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
# The first interpreter that really runs and is 3.11+ (pyenv shims exist for versions that do not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint format demo migrate

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(PY) -m bot

migrate: install
	$(PY) -m db migrate

# A made-up channel with 90 days of history; e.g. `make demo ARGS="--days 30 --user-id 123"`.
demo: install
	$(PY) -m services.demo $(ARGS)

test: install
	$(PY) -m pytest

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# lint-imports holds the direction bot → services → db (contracts in pyproject.toml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
