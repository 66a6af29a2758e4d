# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
# The first interpreter that really runs and is 3.11+ (pyenv shims exist for versions that do not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Exact versions with their hashes, so every clone installs what CI tested.
LOCK := requirements.lock
# `make lock` resolves with uv, kept in a venv of its own so .venv holds only what the lock says.
TOOLS := .tools
UV_VERSION := 0.13.8

.PHONY: install lock run test bench lint format demo migrate catalogs catalogs-update

install: $(STAMP) catalogs

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing pyproject.toml's dependencies: pins what changed and keeps the rest;
# `make lock ARGS=--upgrade` moves every pin to the newest release pyproject.toml allows.
lock:
	test -x $(TOOLS)/bin/uv || { $(PYTHON) -m venv $(TOOLS) && \
		$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(TOOLS)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet --custom-compile-command 'make lock' -o $(LOCK) $(ARGS)

run: install
	$(PY) -m bot

migrate: install
	$(PY) -m db migrate

# A made-up channel with 90 days of history; e.g. `make demo ARGS="--days 30 --user-id 123"`.
demo: install
	$(PY) -m services.demo $(ARGS)

# One worker per core (pytest-xdist): most tests wait on sockets and timers, so the suite fits
# CI's time only in parallel. worksteal: the few long tests (entrypoint, fuzz) unbalance chunks.
test: install
	$(PY) -m pytest -n auto --dist worksteal

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

# Texts and translations (README, "Texts and translations"): each feature is one gettext domain,
# its English the template services/locales/<feature>.pot (committed, edited by hand), named by
# key in the feature's text modules bot/i18n_texts/<feature>.py and services/i18n_texts/<feature>.py.
LOCALES_DIR := services/locales
TRANSLATED_LOCALES := ru
DOMAINS = $(sort $(basename $(notdir $(wildcard $(LOCALES_DIR)/*.pot))))
PYBABEL := $(VENV)/bin/pybabel
MO_FILES = $(patsubst %.po,%.mo,$(wildcard $(LOCALES_DIR)/*/LC_MESSAGES/*.po))

# Each locale's .po of each domain brought in line with its template (a new domain gets a new
# .po; changed English turns fuzzy), then compiled. `make catalogs-update DOMAINS=stats` touches
# one feature's catalogs only.
catalogs-update: $(STAMP)
	@for domain in $(DOMAINS); do for locale in $(TRANSLATED_LOCALES); do \
		po=$(LOCALES_DIR)/$$locale/LC_MESSAGES/$$domain.po; \
		if [ -f $$po ]; then command=update; options=--ignore-pot-creation-date; \
		else command=init; options=; fi; \
		$(PYBABEL) -q $$command $$options --no-wrap -D $$domain -l $$locale \
			-i $(LOCALES_DIR)/$$domain.pot -d $(LOCALES_DIR) || exit 1; \
	done; done
	@$(MAKE) --no-print-directory catalogs

# The compiled catalogs the bot loads (not committed: make install builds them).
catalogs: $(MO_FILES)

$(LOCALES_DIR)/%.mo: $(LOCALES_DIR)/%.po | $(STAMP)
	$(PYBABEL) -q compile -i $< -o $@
