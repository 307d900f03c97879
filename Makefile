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

.PHONY: help setup setup-colab test-colab student lab test lint pytest notebooks execute report prefetch colab-links clean

help:
	@echo "make lab          set up .venv, then open the course in JupyterLab"
	@echo "make test         set up .venv, then ruff, pytest on tests/ and every notebook under nbval"
	@echo "make test-colab   the same tests in Colab's runtime (.venv-colab, pinned by .ci/colab-runtime.txt)"
	@echo "make execute      re-run every notebook in place (fresh committed outputs) and write the report"
	@echo "make report       run every notebook, write build/report.md and the README's syllabus table"
	@echo "make lab-smoke    start make lab in the background, run a cell through its API, stop it (CI)"
	@echo "make nbgitpuller-link HUB=https://hub.example.org   links that open the student edition on a JupyterHub"
	@echo "make student      write the student edition (student/: no outputs, no Solutions section)"
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

# JupyterLab serves the repository, opened at notebooks/ (student/ is beside it). It refuses to
# start as root (Docker, many cloud VMs) without --allow-root: that is passed then only.
# LAB_ARGS adds server options, e.g. LAB_ARGS="--no-browser --ServerApp.port=8899".
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

.PHONY: lab-smoke nbgitpuller-link

# CI's check of `make lab`: starts it on a free port with a token, lists notebooks/ and runs a
# notebook cell through the server's REST and websocket APIs, then shuts it down (time-limited).
lab-smoke: setup
	$(BIN)/python tests/lab_smoke.py

# Links that open the student edition on a JupyterHub with nbgitpuller, and on Binder.
nbgitpuller-link: setup
	@test -n "$(HUB)" || { echo "usage: make nbgitpuller-link HUB=https://hub.example.org [BRANCH=main]"; exit 1; }
	@$(BIN)/python -m helpers.workshop $(HUB) $(or $(BRANCH),main)

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
	$(BIN)/python -m helpers.student

report: setup
	$(BIN)/python -m helpers.report

# The student edition: lessons without outputs and without the Solutions section (student/).
student: setup
	$(BIN)/python -m helpers.student

prefetch: setup
	$(BIN)/python -m helpers.data

colab-links: setup
	@test -n "$(REPO)" || { echo "usage: make colab-links REPO=owner/name"; exit 1; }
	$(BIN)/python -m helpers.colab $(REPO)

clean:
	rm -rf build .pytest_cache .ruff_cache
