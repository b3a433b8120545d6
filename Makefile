# Alimento: `make run` and `make test` do every set-up step themselves, idempotently.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
STAMPS := .make-stamps
VENDOR_DIR := webapp/static/vendor
HTMX := $(VENDOR_DIR)/htmx.min.js
UPLOT := $(VENDOR_DIR)/uPlot.iife.min.js $(VENDOR_DIR)/uPlot.min.css
PYTEST_ARGS ?=
export FLASK_APP := webapp

.PHONY: install assets migrate run test test-sqlite test-postgres lint format typecheck bench soak clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/python: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

# One `npm ci` per change of the lock file; each vendored file is then copied on its own, so a
# deleted file comes back and a parallel make never runs npm twice.
$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(HTMX): $(STAMPS)/npm
	@mkdir -p $(VENDOR_DIR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR_DIR)/uPlot.%: $(STAMPS)/npm
	@mkdir -p $(VENDOR_DIR)
	cp node_modules/uplot/dist/uPlot.$* $@

install: $(STAMPS)/python $(HTMX) $(UPLOT)
assets: $(HTMX) $(UPLOT)

migrate: install
	$(FLASK) db upgrade

## Start the app in demo mode at http://127.0.0.1:5000 (sandboxes mounted, scheduler on).
run: migrate
	$(VENV)/bin/gunicorn --workers 1 --threads 8 --bind 127.0.0.1:5000 --timeout 120 wsgi:app

## The whole suite: SQLite, then PostgreSQL when ALIMENTO_TEST_POSTGRES_URL is set.
test: install
	@if [ -n "$$ALIMENTO_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  echo "Browser tests: on (Chromium found)"; \
	else \
	  echo "Browser tests: SKIPPED - no Chromium on this machine (apt-get install chromium to run them)"; \
	fi
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$ALIMENTO_TEST_POSTGRES_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL pass: skipped (set ALIMENTO_TEST_POSTGRES_URL to run it)"; fi

test-sqlite: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	ALIMENTO_TEST_DB=postgresql $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy

## Benchmarks: figures printed and written to .bench/results.json.
bench: install
	$(PY) -m bench

## 1,000 sync cycles with injected faults, then 50 random SIGKILLs of the import and the
## push (SOAK_CYCLES, CRASH_POINTS to change); prints the counts.
soak: install
	$(PY) -m tests.soak --cycles $${SOAK_CYCLES:-1000} --crash-points $${CRASH_POINTS:-50}

clean:
	rm -rf $(STAMPS) $(VENV) node_modules webapp/static/vendor .bench
