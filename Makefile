# The same targets for people and CI. Each target sets up what it needs itself.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.genopath-installed

.PHONY: demo test lint bench setup system-deps clean

# Debian tools used by tests and benchmarks as independent references (bcftools csq/stats, tabix, samtools).
# Installed with apt-get when missing (as root, or through sudo when it is there).
SYSTEM_TOOLS = bcftools tabix samtools
system-deps:
	@missing=""; for t in bcftools tabix bgzip samtools; do command -v $$t >/dev/null 2>&1 || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
	    echo "bcftools/tabix/samtools are missing and apt-get needs root; install: $(SYSTEM_TOOLS)"; exit 1; fi; \
	  echo "installing Debian packages: $(SYSTEM_TOOLS)"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(SYSTEM_TOOLS) >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(SYSTEM_TOOLS) >/dev/null; }; \
	fi

$(STAMP): pyproject.toml setup.py src/genopath/annotation/_kernels.c src/genopath/annotation/_csq.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP) system-deps
	$(BIN)/genopath demo --home ./genopath-demo

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP) system-deps
	@set -e; found=0; for b in benchmarks/*.py; do \
	  [ -e "$$b" ] || continue; case "$$(basename $$b)" in synth.py|measure.py) continue;; esac; found=1; echo "== $$b"; $(BIN)/python "$$b"; done; \
	  [ $$found = 1 ] || echo "no benchmarks yet: benchmarks/ holds none"

clean:
	rm -rf $(VENV) genopath-demo .pytest_cache .mypy_cache .ruff_cache
