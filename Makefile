# One command each: `make demo`, `make test`. Both create (or reuse) a virtual
# environment in .venv, install what they need, and run.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# Extras installed for tests and the demo. Extras that pull torch in (sdv, torch, all,
# and test, which includes sdv and skorch) get the pinned CPU build first, and keep it
# pinned while the extras resolve: an unpinned torch downloads several GB of CUDA.
comma := ,
EXTRAS ?= test
TORCH_PIN := torch==2.13.0
NEEDS_TORCH := $(if $(filter sdv torch all test,$(subst $(comma), ,$(EXTRAS))),yes,)

.PHONY: all demo test test-all bench bench-quick install clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-$(subst $(comma),-,$(EXTRAS)): $(BIN)/python setup.cfg pyproject.toml
ifneq ($(NEEDS_TORCH),)
	$(PIP) install --quiet $(TORCH_PIN)
endif
	$(PIP) install --quiet -e ".[$(EXTRAS)]" $(if $(NEEDS_TORCH),$(TORCH_PIN),)
	touch $@

install: $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

demo: install
	$(BIN)/python examples/demo.py

# the tests, and every docstring example of the package (numpydoc Examples sections)
test: install
	$(BIN)/python -m pytest -q --doctest-modules sklearn_activesynth tests

test-all: install
	$(BIN)/python -m pytest -q -m "slow or not slow" --doctest-modules sklearn_activesynth tests

# Speed/memory of the loop itself, then the cross-validation benchmark on the shared
# datasets (../shared/datasets; resumable, writes benchmarks/results/).
bench: install
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_fit_time.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_predict.py
	OMP_NUM_THREADS=1 $(BIN)/python -m sklearn_activesynth.benchmark --preset results

# The harness on built-in data only (no ../shared needed), in a few minutes.
bench-quick: install
	OMP_NUM_THREADS=1 $(BIN)/python -m sklearn_activesynth.benchmark --preset quick --out benchmark_results/quick

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
