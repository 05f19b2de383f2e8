# Two commands for users: `make build` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test setup serve clean bench

build: $(STAMP)
	$(BIN)/handbook build

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Training ledger: 100,000 records and 10,000 staff on SQLite and PostgreSQL (see benchmarks/training.py).
bench: $(STAMP)
	$(BIN)/python benchmarks/training.py

serve: $(STAMP)
	$(BIN)/mkdocs serve

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf site dist .venv
