# k49tut: `make demo` runs the tutorial on the offline sample, `make test` runs the tests.
# Every target sets up .venv first, so either command works on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev
# `make test-min`: a second environment, at the minimum versions pyproject.toml declares.
MIN_VENV    ?= .venv-min
MIN_BIN     := $(MIN_VENV)/bin
CONSTRAINTS ?= .ci/constraints-min.txt
# What ruff lints: the code and the notebooks. It fixes and formats only the code.
CODE    := src tests scripts benchmarks setup.py
LINTED  := $(CODE) notebooks
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

# Parameters of `make run-all` (e.g. make run-all DATASET=sample EPOCHS=3 BUDGET=quick).
# BUDGET: quick (sized for a CPU), full, or auto (full with a GPU, else quick).
DATASET    ?= k49
BUDGET     ?= auto
EPOCHS     ?= 10
SEED       ?= 49
DATA_DIR   ?=
OUTPUT_DIR ?= outputs

# Hide TensorFlow's C++ log lines (oneDNN stays on: it is 1.65x faster here), and the
# notice of ipykernel 6's debugger about frozen modules.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYDEVD_DISABLE_FILE_VALIDATION ?= 1

.PHONY: help install test test-min lint format demo run-all data nbval-refs clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

install: $(STAMP)  ## create .venv, install k49tut (editable), the notebook and test tools (EXTRAS=dev,gpu for CUDA)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

demo: install  ## the whole tutorial on the offline sample, into outputs/ (about 6.5 minutes on 2 cores)
	$(MAKE) --no-print-directory run-all DATASET=sample

run-all: install  ## execute the notebooks headless into $(OUTPUT_DIR)/ (DATASET, EPOCHS, SEED, BUDGET, DATA_DIR)
	$(BIN)/k49tut run --dataset $(DATASET) --epochs $(EPOCHS) --seed $(SEED) --budget $(BUDGET) \
	    --output-dir $(OUTPUT_DIR) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

test: install  ## unit tests, doctests and nbval over the notebooks on the sample
	$(BIN)/python -m pytest

# The wheel, installed as pip users get it, at the minimum versions: the whole suite, with
# the doctests of the installed package (not its copies of the notebooks: nbval checks
# tests/nbval/), then ruff.
test-min:  ## the tests at the declared minimum versions, from a wheel in $(MIN_VENV) (about 14 minutes)
	rm -rf $(MIN_VENV) build/test-min
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_BIN)/python -m pip install --quiet --upgrade pip
	$(MIN_BIN)/python -m pip wheel --quiet --no-deps --wheel-dir build/test-min .
	$(MIN_BIN)/python -m pip install --quiet -c $(CONSTRAINTS) "$$(ls build/test-min/k49tut-*.whl)[dev]"
	$(MIN_BIN)/python -m pip list --format freeze | grep -iE '^(tensorflow|keras|numpy|pandas|papermill|nbconvert|ipykernel)=='
	$(MIN_BIN)/python -m pytest --ignore-glob='*/k49tut/notebooks/*' $(CURDIR)/tests --pyargs k49tut
	$(MIN_BIN)/ruff check --quiet $(LINTED) && $(MIN_BIN)/ruff format --quiet --check $(LINTED)

lint: install  ## ruff: lint the code and the notebooks, check the code's formatting
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: install  ## ruff: apply safe fixes and format the code (never the notebooks)
	$(BIN)/ruff check --fix-only $(CODE)
	$(BIN)/ruff format $(CODE)

data: install  ## download and verify real Kuzushiji-49 into data/ (about 77 MB)
	$(BIN)/k49tut download

nbval-refs: install  ## re-record the outputs nbval checks (tests/nbval/) from notebooks/
	$(BIN)/python scripts/make_nbval_refs.py

clean:  ## remove generated outputs (keeps .venv and downloaded data)
	rm -rf outputs .pytest_cache build $(MIN_VENV)
