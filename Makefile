# k49tut: `make demo` runs the tutorial on the offline sample, `make test` runs the tests.
# Every target sets up .venv first, so either command works on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev,site
# `make test-min`: a second environment, at the minimum versions pyproject.toml declares.
MIN_VENV    ?= .venv-min
MIN_BIN     := $(MIN_VENV)/bin
CONSTRAINTS ?= .ci/constraints-min.txt
# What ruff lints: the code and the notebooks. It fixes and formats only the code.
CODE    := src tests scripts benchmarks solutions setup.py
LINTED  := $(CODE) notebooks
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

# Options of `make run-all`, e.g. make run-all DATASET=sample EPOCHS=3 BUDGET=quick PARTS=3,4.
# Each is passed to `k49tut run` only when set; unset, the run takes k49tut's defaults
# (k49tut/defaults.py: dataset k49, 10 epochs, seed 49, into outputs/; budget auto).
RUN_OPTIONS := DATASET EPOCHS SEED BUDGET DATA_DIR OUTPUT_DIR PARTS TIMEOUT BATCH_SIZE
flag = --$(subst _,-,$(shell echo $(1) | tr A-Z a-z))
RUN_FLAGS = $(foreach v,$(RUN_OPTIONS),$(if $($(v)),$(call flag,$(v)) $($(v))))
# `make references NOTEBOOKS=04_inside`: the parts whose checked outputs are re-recorded.
NOTEBOOKS  ?=

# Hide TensorFlow's C++ log lines (oneDNN stays on: it is 1.65x faster here), and the
# notice of ipykernel 6's debugger about frozen modules.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYDEVD_DISABLE_FILE_VALIDATION ?= 1

.PHONY: help install test test-fast min-env test-min python-env test-python lint format demo run-all site data references clean

# Variables `make help` shows by their values.
SHOWN := MIN_VENV

help:  ## list the targets, with this make's values of their settings
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	    | sed $(foreach v,$(SHOWN),-e 's|$$($(v))|$($(v))|g') \
	    | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

install: $(STAMP)  ## create .venv, install k49tut (editable), the notebook and test tools (EXTRAS=dev,site,gpu for CUDA)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

demo: install  ## the whole tutorial on the offline sample, into outputs/ (6.5 to 25 minutes on 2 cores)
	$(MAKE) --no-print-directory run-all DATASET=sample

site: install  ## the executed tutorial as a website in build/site, from OUTPUT_DIR (outputs/: run make demo first)
	$(BIN)/python scripts/build_site.py $(or $(OUTPUT_DIR),outputs) build/site

run-all: install  ## execute the notebooks headless (k49tut run; options: DATASET EPOCHS SEED BUDGET DATA_DIR OUTPUT_DIR PARTS TIMEOUT BATCH_SIZE)
	$(BIN)/k49tut run $(RUN_FLAGS)

# The tests that read the tutorial's run (tests/test_notebooks.py) run on one worker, so
# each notebook runs once per session; the other tests run beside them on a second.
PYTEST_PARALLEL := -n 2 --dist loadfile

test: install  ## everything: unit tests, doctests, the notebooks on the sample and their checked outputs (6 to 21 minutes on 2 cores)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-fast: install  ## the tests that execute no notebook (about a minute): run it after every edit
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not notebooks"

# The wheel, installed as pip users get it, at the minimum versions: the whole suite, with
# the doctests of the installed package (not its copies of the notebooks: the tests run
# notebooks/), then ruff. `min-env` builds the environment afresh (the wheel holds this
# tree's code); `make -o min-env test-min` runs the tests in the one already built (CI
# builds it while the demo runs).
min-env:  ## build $(MIN_VENV): the wheel of this tree at the minimum versions pyproject.toml declares
	rm -rf $(MIN_VENV) build/test-min
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_BIN)/python -m pip install --quiet --upgrade pip
	$(MIN_BIN)/python -m pip wheel --quiet --no-deps --wheel-dir build/test-min .
	$(MIN_BIN)/python -m pip install --quiet -c $(CONSTRAINTS) "$$(ls build/test-min/k49tut-*.whl)[dev]"

test-min: min-env  ## the tests at the declared minimum versions, from a wheel in $(MIN_VENV) (7 to 22 minutes)
	$(MIN_BIN)/python -m pip list --format freeze | grep -iE '^(tensorflow|keras|numpy|pandas|papermill|nbconvert|ipykernel)=='
	$(MIN_BIN)/python -m pytest $(PYTEST_PARALLEL) $(CURDIR)/tests --pyargs k49tut
	$(MIN_BIN)/ruff check --quiet $(LINTED) && $(MIN_BIN)/ruff format --quiet --check $(LINTED)

# `make test-python PY=python3.12`: a third environment on another Python (.venv-py3.12),
# the suite that executes no notebook, then Part 1 run once with its checks. CI runs it on
# every Python pyproject.toml declares besides the one `make test` uses (`python-env`
# first, while the demo runs, then `make -o python-env test-python`).
PY      ?= python3
PY_VENV  = .venv-py$(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

python-env:  ## build .venv-pyX.Y for PY=pythonX.Y: k49tut (editable) and the test tools
	rm -rf $(PY_VENV)
	$(PY) -m venv $(PY_VENV)
	$(PY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PY_VENV)/bin/python -m pip install --quiet -e ".[dev]"

test-python: python-env  ## the fast suite and Part 1 on another Python: make test-python PY=python3.12
	$(PY_VENV)/bin/python -m pip list --format freeze | grep -iE '^(tensorflow|keras|numpy)=='
	$(PY_VENV)/bin/python -m pytest $(PYTEST_PARALLEL) -m "not notebooks" -p no:cacheprovider
	$(PY_VENV)/bin/python -m pytest -p no:cacheprovider tests/test_notebooks.py -k "part1 or 01_eda"

lint: install  ## ruff: lint the code and the notebooks, check the code's formatting
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: install  ## ruff: apply safe fixes and format the code (never the notebooks)
	$(BIN)/ruff check --fix-only $(CODE)
	$(BIN)/ruff format $(CODE)

data: install  ## download and verify real Kuzushiji-49 into data/ (about 77 MB)
	$(BIN)/k49tut download

references: install  ## re-record the checked outputs (tests/references/); NOTEBOOKS=04_inside for one part
	$(BIN)/python scripts/make_references.py $(NOTEBOOKS)

clean:  ## remove outputs/, build/ (the website), .pytest_cache and the test environments (keeps .venv and data/)
	rm -rf outputs .pytest_cache build $(MIN_VENV) .venv-py3.*
