# Two commands for a fresh machine: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
HUB_PORT ?= 8000
DEMO_LEARNERS ?= 5000

.PHONY: demo test lint typecheck install install-dev bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

demo: $(STAMP_RUN)
	$(BIN)/hub demo --learners $(DEMO_LEARNERS) --if-empty
	$(BIN)/hub demo-tokens
	$(BIN)/hub serve --port $(HUB_PORT)

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_module_size.py

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

test: lint typecheck
	@$(BIN)/python scripts/write_sdl.py --check
	$(BIN)/python -m pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	  exit $$status

bench: $(STAMP_DEV)
	$(BIN)/python -m bench.readbench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/hub.db var/hub.db-wal var/hub.db-shm .mypy_cache .pytest_cache .ruff_cache
