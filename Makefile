# One entry point for people: every target creates or reuses .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint fix bench eval-match clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,postgres]'
	@touch $(STAMP)

run: $(STAMP)  ## crawl on a schedule and serve http://127.0.0.1:8000
	$(BIN)/rolefit run

demo: $(STAMP)  ## serve the bundled sample postings
	$(BIN)/rolefit demo

test: $(STAMP)  ## the whole suite (PostgreSQL and Chromium tests skip when missing, fail on CI)
	$(BIN)/python -m pytest -m "not browser"
	@# The Chromium tests run in a process of their own, away from the state other suites leave.
	$(BIN)/python -m pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)  ## every benchmark under bench/, figures printed and saved to bench/results/
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

eval-match: $(STAMP)
	$(BIN)/python bench/eval_match.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
