# painpath: two set-up commands, `make run` and `make test`; `make bench` measures speed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
EXAMPLE ?= examples/radicular-ready.bundle.json
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test bench lint typecheck vignettes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The main job on the embedded default: assess a shipped example, then list the knowledge base.
run: $(STAMP)
	$(BIN)/painpath assess $(EXAMPLE) --as-of 2026-06-01 --format text
	$(BIN)/painpath knowledge

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite: lint, types, unit and property tests, and the public vignettes.
test: lint typecheck
	$(BIN)/pytest -q -n 2 -p no:cacheprovider
	$(BIN)/python $(SHARED)/tools/check_vignettes.py $(SHARED)/vignettes $(BIN)/painpath

bench: $(STAMP)
	$(BIN)/python bench/bench_read.py
	$(BIN)/python bench/bench_assess.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
