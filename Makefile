# LOA Portal — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Test processes (pytest-xdist): "auto" is one per CPU core; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
# Extra pytest arguments, e.g. PYTEST_ARGS="tests/accounts -x" or PYTEST_ARGS=@selection.txt
# (one test id per line): `make test` runs the whole suite when it is empty.
PYTEST_ARGS ?=
export LOAPORTAL_VAR_DIR ?= $(CURDIR)/var

.PHONY: run prod test lint pytest package messages install clean bench

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Start the portal with demo data on the embedded database, plus the background worker.
run: install
	$(BIN)/loaportal migrate --noinput
	PORT=$(PORT) scripts/run.sh

## The portal as in production, on this machine: gunicorn over HTTPS, PostgreSQL, Redis (cache,
## sessions, task queue), two workers and a scheduler, documents in an S3-compatible store
## (README "Operations", deploy/RUNBOOK.md).
prod: install
	scripts/prod.sh

## Every check: lint, format, layers (import-linter), migrations, translation catalogs, the test suite, the package.
## The three run at the same time (the package check mostly waits on pip); each one's output is
## printed in one piece when it ends, and `make test` fails if any of them fails. Chromium is
## installed first, if missing: the catalog check may install gettext, and two apt-get at once
## would fight for dpkg's lock.
test: install
	@scripts/ensure-chromium.sh
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint pytest package

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy src/loaportal
	$(BIN)/loaportal makemigrations --check --dry-run
	scripts/check-messages.sh

pytest: install
	scripts/ensure-chromium.sh
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## `pip install .` alone gives a working portal (wheel installed in a fresh environment).
package: install
	scripts/check-package.sh

## The benchmark of issue 14 (README "Benchmarks", docs/performance.md): seeds PostgreSQL with
## 1,000,000 requests (once, kept), serves it with gunicorn in production mode, loads it with
## locust, writes benchmarks/results/<date>.json and the table in docs/performance.md. Not part
## of `make test`. Options: BENCH_ARGS="--seconds 20 --batch-decisions 100000 …" (run.py --help).
bench: install
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

## Re-extract translatable strings into the French catalog and compile it.
messages: install
	cd src/loaportal && ../../$(BIN)/loaportal makemessages -l fr --no-obsolete --add-location file
	cd src/loaportal && ../../$(BIN)/loaportal compilemessages -l fr

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
