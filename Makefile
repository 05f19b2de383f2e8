# Two commands for users: `make build` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test check golden bench setup serve clean

build: $(STAMP)
	$(BIN)/handbook build

# Tests run in one process per core (pytest-xdist); the real site is built once and shared.
test: $(STAMP)
	bash scripts/test-services.sh
	$(BIN)/python -m pytest -q -n auto

# The fast subset while editing: no site builds, no browser, a quarter of the property-test
# examples (make test runs everything, with every example). For speed:
# - each test process starts with one half of the tests in file order and takes from the other's
#   when it runs out (--dist worksteal), so a module's fixtures and imports are mostly made once;
# - the tests write and then delete some 4500 small files (projects, workbooks, databases), which in
#   memory takes a fraction of the time it takes on a disk: unless TMPDIR is set, they go to
#   /dev/shm where there is one;
# - under PYTHONDONTWRITEBYTECODE (set in some containers) every test process compiled the project
#   and pytest rewrote the asserts of every test module again, about two seconds a process: make
#   check lets Python keep them in __pycache__/ (ignored by git).
CHECK_TMPDIR := $(or $(TMPDIR),$(wildcard /dev/shm))

check: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(if $(CHECK_TMPDIR),TMPDIR=$(CHECK_TMPDIR) )$(BIN)/python -m pytest -q -n auto --dist worksteal -m "not slow and not browser" --hypothesis-profile=quick

# Rewrite tests/golden/ from the small fixture project after an intended change; review the diff.
golden: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_golden.py --update-golden

# Speed, size and exam-integrity figures on this machine (not part of make test).
bench: $(STAMP)
	$(BIN)/python benchmarks/build.py

# Live preview with the editor's guide; after a save only the pages that changed are rebuilt.
serve: $(STAMP)
	$(BIN)/mkdocs serve --dirty

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf site dist .venv
