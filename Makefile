# The workbench's master entry point (DIME's "master script"): every target starts with setup.
SHELL := /bin/bash
# Compiled bytecode: without it every process re-compiles the stack on import (docs/scale.md).
unexport PYTHONDONTWRITEBYTECODE
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.8
LOCK := requirements/dev.lock
STAMP := $(VENV)/.setup-stamp
PARAMS ?= $(wildcard params/20*.yaml)
# 0.05 = 850,000 users (scale 1 is the 1.70 crore platform): `make bench` within 10 minutes on
# 2 cores; at 0.1 it took 13 min 15 s (benchmarks/results/2026-12-02-scale-0.1.md).
BENCH_SCALE ?= 0.05

.PHONY: setup run test lab bench lint format clean help chromium docs

help:  ## list targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

setup: $(STAMP)  ## create .venv, install the pinned set, register the `nlw` kernel

# Re-run only when the lock or the project metadata change: quick when already done.
$(STAMP): $(LOCK) pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/python -m pip install -q uv==$(UV_VERSION)
	$(UV) pip sync -q --compile-bytecode --python $(BIN)/python $(LOCK)
	$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name nlw --display-name "Python (nlw)" >/dev/null
	@# Committed notebooks never carry outputs: git strips them when a notebook is added (a git
	@# filter in .git/config; cell ids kept). Not in a git clone (an unpacked archive): nothing.
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(BIN)/nbstripout --install && \
	  git config filter.nbstripout.clean '"$(CURDIR)/$(BIN)/python" -m nbstripout --keep-id' && \
	  git config diff.ipynb.textconv '"$(CURDIR)/$(BIN)/python" -m nbstripout --keep-id -t'; \
	fi
	@touch $@

run: setup chromium  ## synthesise data if missing, evaluate every edition in params/, write outputs/ (HTML and PDF)
	$(BIN)/nlw run $(PARAMS)

test: setup chromium  ## the whole test suite (lint, units, notebooks, browser)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not slow"

chromium:  ## headless Chromium and a Devanagari font for browser tests and PDF printing
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi lohit || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-lohit-deva >/dev/null; }

# As root (a container), JupyterLab refuses to start without --allow-root.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup  ## JupyterLab on the nlw kernel
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

# Every module by name: a package's __all__ (functions, not submodules) would hide its modules.
MODULES = $(BIN)/python -c "import pkgutil, evaluation as e; \
  print(' '.join(['evaluation', *sorted(m.name for m in pkgutil.walk_packages(e.__path__, 'evaluation.'))]))"

docs: setup  ## API reference from the docstrings (pdoc, offline) in docs/api/ (git-ignored)
	rm -rf docs/api
	$(BIN)/python -W "ignore:The module specification" -W "ignore:Found 'open_edition'" \
	  -m pdoc --docformat numpy --output-directory docs/api $$($(MODULES))
	@echo "API reference: docs/api/index.html"

bench: setup  ## benchmarks (not part of tests); BENCH_SCALE=0.05 by default
	$(BIN)/nlw bench --scale $(BENCH_SCALE)

lint: setup  ## ruff, the type checker (mypy) and the layer rule (import-linter)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports pyproject.toml

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

lock:  ## re-pin the environment after editing pyproject dependencies
	$(UV) pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock
	$(UV) pip compile -q pyproject.toml --python-version 3.11 -o requirements/run.lock

clean:  ## remove generated data and outputs (keeps .venv)
	rm -rf outputs/* data/processed/* data/raw/synthetic
