# k49tut: `make demo` runs the tutorial on the offline sample, `make test` runs the tests.
# Every target sets up .venv first, so either command works on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# Keep TensorFlow's start-up chatter out of logs and notebook outputs.
export TF_ENABLE_ONEDNN_OPTS ?= 0
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help install test data clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.installed  ## create .venv and install k49tut (editable) with test tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

test: install  ## run the test suite
	$(BIN)/python -m pytest

data: install  ## download and verify real Kuzushiji-49 into data/ (about 77 MB)
	$(BIN)/k49tut download

clean:  ## remove generated outputs (keeps .venv and downloaded data)
	rm -rf outputs .pytest_cache
