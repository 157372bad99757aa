# One command each: `make demo`, `make test`. Each creates (or reuses) a virtual
# environment, installs what it needs, and runs: `make demo` a light one in .venv-demo
# (the core and imbalanced-learn, no torch, SDV, Dask or openai), `make test` .venv with
# every extra and .venv-core, the core install without extras (see `test` below).
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
# The core install: what `pip install sklearn-activesynth` resolves (no extras;
# pandas 3 today, where SDV holds .venv at pandas 2), plus the test runners only.
CORE_VENV ?= .venv-core
CORE_BIN  := $(CORE_VENV)/bin
CORE_TEST_DEPS := "pytest>=7.4" "pytest-timeout>=2.2" "hypothesis>=6.100"
PYTEST_ARGS := -q --doctest-modules sklearn_activesynth tests
PANDAS_V := -c "import pandas; print('pandas', pandas.__version__)"

# The demo's environment: the core plus imbalanced-learn (the SMOTENC row). --no-compile:
# Python compiles only the modules the demo imports, on first import.
DEMO_VENV ?= .venv-demo
DEMO_BIN  := $(DEMO_VENV)/bin

.PHONY: all demo test test-core test-all bench bench-quick install install-core install-demo clean

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

$(CORE_BIN)/python:
	$(PYTHON) -m venv $(CORE_VENV)

$(CORE_VENV)/.installed: $(CORE_BIN)/python setup.cfg pyproject.toml
	$(CORE_BIN)/python -m pip install --quiet -e . $(CORE_TEST_DEPS)
	touch $@

install-core: $(CORE_VENV)/.installed

$(DEMO_VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile \
		-e ".[imblearn]"
	touch $@

install-demo: $(DEMO_VENV)/.installed

demo: install-demo
	$(DEMO_BIN)/python examples/demo.py

# The tests and every docstring example of the package (numpydoc Examples
# sections), run twice; fails if either run fails (both always run):
# 1. full: .venv with every extra (EXTRAS=test), so pandas 2 (SDV pins it);
# 2. core-only: .venv-core, the package without extras (pandas 3), where the
#    tests and examples that need an extra skip, and tests/test_lazy_imports.py
#    fails if a module imports an extra at import time. Modules that need an
#    extra to import at all (nn) are left out by --doctest-ignore-import-errors.
test: install install-core
	@rc=0; \
	echo "== full environment ($(VENV), extras: $(EXTRAS), $$($(BIN)/python $(PANDAS_V)))"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || rc=1; \
	echo "== core-only environment ($(CORE_VENV), no extras, $$($(CORE_BIN)/python $(PANDAS_V)))"; \
	$(CORE_BIN)/python -m pytest $(PYTEST_ARGS) --doctest-ignore-import-errors || rc=1; \
	exit $$rc

# the core-only run alone
test-core: install-core
	$(CORE_BIN)/python -m pytest $(PYTEST_ARGS) --doctest-ignore-import-errors

test-all: install
	$(BIN)/python -m pytest -q -m "slow or not slow" --doctest-modules sklearn_activesynth tests

# Speed/memory of the loop itself, then the cross-validation benchmark on the public
# datasets (CSVs in $SKLEARN_ACTIVESYNTH_DATA, else ../shared/datasets), written to a
# fresh folder under benchmark_results/; BENCH_ARGS="--resume --out DIR" continues a run.
BENCH_ARGS ?=
bench: install
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_fit_time.py
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/bench_predict.py
	OMP_NUM_THREADS=1 $(BIN)/python -m sklearn_activesynth.benchmark --preset results $(BENCH_ARGS)

# The harness on built-in data only (no data folder needed), in about a minute.
bench-quick: install
	OMP_NUM_THREADS=1 $(BIN)/python -m sklearn_activesynth.benchmark --preset quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(CORE_VENV) $(DEMO_VENV) build *.egg-info .pytest_cache
