# Generative Models from Scratch: the two commands are `make lab` and `make test`.
# Both set up .venv first (once; again whenever pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Colab's runtime: a second environment from one pin file, with Colab's Python (3.13).
COLAB_VENV := .venv-colab
COLAB_PINS := .ci/colab-runtime.txt
COLAB_STAMP := $(COLAB_VENV)/.installed
COLAB_PYTHON ?= $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null || \
	PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep '^3\.13' | tail -n 1) pyenv which python3.13 2>/dev/null)

.PHONY: help setup setup-colab test-colab lab test lint pytest notebooks execute report prefetch colab-links clean

help:
	@echo "make lab          set up .venv, then open the course in JupyterLab"
	@echo "make test         set up .venv, then ruff, pytest on tests/ and every notebook under nbval"
	@echo "make test-colab   the same tests in Colab's runtime (.venv-colab, pinned by .ci/colab-runtime.txt)"
	@echo "make execute      re-run every notebook in place (fresh committed outputs) and write the report"
	@echo "make report       run every notebook, write build/report.md and the README's syllabus table"
	@echo "make prefetch     download every data set into data/ for offline use (honours COURSE_DATA_MIRROR)"
	@echo "make colab-links REPO=owner/name   point every Colab badge and bootstrap cell at a fork"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed: run make with PYTHON=python3.12 (or similar)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

$(COLAB_STAMP): pyproject.toml $(COLAB_PINS)
	@test -n "$(COLAB_PYTHON)" || { echo "make test-colab needs Python 3.13 (Colab's): install it, or run make test-colab COLAB_PYTHON=/path/to/python3.13"; exit 1; }
	test -x $(COLAB_VENV)/bin/python || $(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet -c $(COLAB_PINS) -e ".[dev]"
	$(COLAB_VENV)/bin/python -m helpers.colab --check-pins $(COLAB_PINS)
	touch $(COLAB_STAMP)

setup-colab: $(COLAB_STAMP)

lab: setup
	$(BIN)/jupyter lab notebooks/

# Progress bars are switched off for test and execute runs (one summary line is printed instead).
test: setup lint
	COURSE_PROGRESS=0 $(BIN)/python -m pytest

# The same tests in Colab's runtime (Python, TensorFlow, Keras and NumPy pinned in $(COLAB_PINS)).
test-colab: setup-colab
	COURSE_PROGRESS=0 $(COLAB_VENV)/bin/python -m pytest

lint: setup
	$(BIN)/ruff check helpers tests notebooks

execute: setup
	$(BIN)/python -m helpers.report --in-place

report: setup
	$(BIN)/python -m helpers.report

prefetch: setup
	$(BIN)/python -m helpers.data

colab-links: setup
	@test -n "$(REPO)" || { echo "usage: make colab-links REPO=owner/name"; exit 1; }
	$(BIN)/python -m helpers.colab $(REPO)

clean:
	rm -rf build .pytest_cache .ruff_cache
