# One command each: `make demo`, `make test`. Both create (or reuse) a virtual
# environment in .venv, install what they need, and run.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# Extras installed for tests and the demo. Extras that pull torch in (sdv, torch, all)
# get the pinned CPU build first: an unpinned torch downloads several GB of CUDA.
comma := ,
EXTRAS ?= test
TORCH_PIN := torch==2.13.0
NEEDS_TORCH := $(if $(filter sdv torch all,$(subst $(comma), ,$(EXTRAS))),yes,)

.PHONY: all demo test test-all bench install clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-$(subst $(comma),-,$(EXTRAS)): $(BIN)/python setup.cfg pyproject.toml
ifneq ($(NEEDS_TORCH),)
	$(PIP) install --quiet $(TORCH_PIN)
endif
	$(PIP) install --quiet -e ".[$(EXTRAS)]"
	touch $@

install: $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

demo: install
	$(BIN)/python examples/demo.py

test: install
	$(BIN)/python -m pytest -q

test-all: install
	$(BIN)/python -m pytest -q -m "slow or not slow"

bench: install
	$(BIN)/python benchmarks/bench_fit_time.py
	$(BIN)/python benchmarks/bench_predict.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
