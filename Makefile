# Two commands do all the set-up on a fresh clone:
#   make run   - create .venv, install, serve the web app on 127.0.0.1:8000
#   make test  - the same set-up, then the whole test suite
#   make messages - extract the interface strings into kb/web/locale/messages.pot, update the catalogs
#   make countries - rewrite kb/records/country-names.json from Babel's CLDR data
#   make lock - rewrite constraints.txt, the exact versions installed, from the newest allowed releases
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install validate index schema messages countries lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/kb serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

validate: install
	$(BIN)/kb validate practices

index: install
	$(BIN)/kb index

schema: install
	$(BIN)/kb schema

LOCALE := kb/web/locale

# the interface strings (babel.cfg): the template of every message id, with its English text as a note
# for translators, then each language's catalog
messages: install
	$(BIN)/pybabel --quiet extract -F babel.cfg -k t -k N_ --no-location --sort-output \
		--project integration-practices-kb --version 0.1.0 \
		--copyright-holder "integration-practices-kb contributors" -o $(LOCALE)/messages.pot.new .
	$(BIN)/python -c "from pathlib import Path; from kb.web.i18n import write_template; \
		write_template(Path('$(LOCALE)/messages.pot.new'))"
	$(BIN)/pybabel --quiet update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date

# the French and English country names, from the installed Babel's CLDR data (kb/records/countries.py)
countries: install
	$(BIN)/python -c "from kb.records import countries; countries.write_names_file()"

# constraints.txt anew: the newest releases pyproject.toml allows, installed in a scratch environment
LOCK_VENV := .venv-lock
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
