# painpath: two set-up commands, `make run` and `make test`; `make bench` measures speed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
EXAMPLE ?= examples/radicular-ready.bundle.json
AXE := node_modules/axe-core/axe.min.js
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run demo test bench lint typecheck vignettes clean install chromium stress lock audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $(STAMP)

install: $(STAMP) $(AXE)

# Browser tests: axe-core from npm (pinned by package-lock.json) and Debian's Chromium.
$(AXE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(AXE)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then apt-get update -qq && apt-get install -y -qq chromium; fi

# The main job on the embedded default (PAINPATH_HOME, default ./var): migrate, load the
# demo clinic (idempotent; prints the demo logins), then serve on 127.0.0.1:8000 until Ctrl-C.
HOST ?= 127.0.0.1
PORT ?= 8000
run: demo
	@echo "painpath: the pages are at http://$(HOST):$(PORT)/ and the API beside them (OpenAPI: http://$(HOST):$(PORT)/openapi.json);" \
	  "sign in with POST /auth/token (username, password) as one of the demo logins above. Ctrl-C stops."
	$(BIN)/painpath serve --host $(HOST) --port $(PORT)

# Migrate the database and load the demo clinic into it (shared data: SHARED, default ../shared).
demo: $(STAMP)
	$(BIN)/painpath db upgrade
	PAINPATH_SHARED="$${PAINPATH_SHARED:-$(SHARED)}" $(BIN)/painpath demo

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite: lint, types, unit and property tests, and the public vignettes.
test: lint typecheck $(AXE) chromium
	$(BIN)/pytest -q -n 2 --dist loadgroup -p no:cacheprovider
	$(BIN)/python $(SHARED)/tools/check_vignettes.py $(SHARED)/vignettes $(BIN)/painpath

# bench_screen.py: a synthetic Bulk export of SCREEN_PATIENTS patients (200,000 is about 1 GB;
# `make bench SCREEN_PATIENTS=20000` for a quick run), screened on DuckDB and Spark local[*].
SCREEN_PATIENTS ?= 200000
bench: $(STAMP)
	$(BIN)/python bench/bench_read.py
	$(BIN)/python bench/bench_assess.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_dashboard.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_cds.py
	$(BIN)/python bench/bench_screen.py --patients $(SCREEN_PATIENTS)
	$(BIN)/python bench/bench_views.py

# Reliability, the long runs (docs/reliability.md): 20 kill -9 trials per kind and backend,
# 50 schemathesis examples per operation and caller, 500 generated Bundles per target (fresh seeds),
# then the 10-minute soak on SQLite. PostgreSQL runs too when PAINPATH_TEST_DATABASE_URL is set.
STRESS_ENV := PAINPATH_STRESS=1 PAINPATH_FUZZ_EXAMPLES=50 PAINPATH_BUNDLE_EXAMPLES=500
stress: $(STAMP)
	$(STRESS_ENV) $(BIN)/pytest -q -n 2 -p no:cacheprovider tests/reliability
	$(BIN)/python bench/soak.py --duration 600 --rate 200

# The hash-pinned lock file of every dependency (runtime and test), from pyproject.toml.
UV := $(BIN)/uv
lock: $(STAMP)
	test -x $(UV) || $(BIN)/pip install --quiet uv==0.13.9
	$(UV) pip compile pyproject.toml --extra test --extra spark --generate-hashes --python-version 3.11 \
	  --universal -q -o requirements.lock

# Known vulnerabilities in the locked dependencies (needs the PyPI JSON API or OSV online;
# --strict: a dependency that cannot be checked fails the audit).
audit: $(STAMP)
	$(BIN)/pip-audit --strict --require-hashes --disable-pip -r requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
