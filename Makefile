# The same targets for people and CI. Each target sets up what it needs itself.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.genopath-installed

.PHONY: demo test lint bench setup clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/genopath demo --home ./genopath-demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	@set -e; found=0; for b in benchmarks/*.py; do \
	  [ -e "$$b" ] || continue; found=1; echo "== $$b"; $(BIN)/python "$$b"; done; \
	  [ $$found = 1 ] || echo "no benchmarks yet: benchmarks/ holds none"

clean:
	rm -rf $(VENV) genopath-demo .pytest_cache .mypy_cache .ruff_cache
