# Two commands do all the set-up on a fresh clone:
#   make run   - create .venv, install, serve the web app on 127.0.0.1:8000
#   make test  - the same set-up, then the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install validate index schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
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

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
