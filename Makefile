# Cognate developer tasks. Works on a fresh machine with only python3 (3.11) installed.
#
#   make serve      run Cognate on http://127.0.0.1:9400 with data in ./.cognate
#   make lint       ruff + mypy --strict
#   make test       bootstrap, lint, then pytest (extra arguments: make test PYTEST_ARGS='-k auth -x')
#   make bench      run the directory benchmark

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; older than pyproject.toml means the dependencies changed.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=
# `ruff check` fails on a missing path; bench/ may not exist yet.
LINT_PATHS := $(wildcard src tests bench)

.PHONY: install serve lint test bench clean

# Created only when missing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -U pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/cognate serve --host 127.0.0.1 --port 9400 --data-dir ./.cognate

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy --strict src

test: $(STAMP) lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/directory.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
