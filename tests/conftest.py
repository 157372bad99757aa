import importlib.util

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

# Docstring examples (``--doctest-modules``) that need an extra: skipped where
# it is not installed, as the test modules skip with ``importorskip``. The
# core-only run of ``make test`` (no extras) relies on this; an example that
# needs an extra and is not listed here fails there. (Whole modules that need
# an extra at import time, ``nn`` and ``generators._torch_modules``, are left
# out of that run by ``--doctest-ignore-import-errors``; every other module
# must import without extras, see tests/test_lazy_imports.py.)
DOCTEST_EXTRAS = {
    "sklearn_activesynth._sampler.ActiveSynthesisSampler": ("imblearn",),
    "sklearn_activesynth._regression_sampler.ActiveSynthesisRegressionSampler": ("imblearn",),
    "sklearn_activesynth.generators._llm.LLMGenerator": ("openai",),
    "sklearn_activesynth.generators._skorch_image.SkorchImageGenerator": ("torch", "skorch"),
    "sklearn_activesynth.uncertainty._torch.BayesianPredictiveVariance": ("torch", "skorch"),
    "sklearn_activesynth.uncertainty._torch.MCDropout": ("torch", "skorch"),
    "sklearn_activesynth.uncertainty._regression.MCDropoutVariance": ("torch", "skorch"),
    "sklearn_activesynth.plotting.FitHistoryDisplay": ("matplotlib",),
    "sklearn_activesynth.plotting.ProvenanceDisplay": ("matplotlib",),
    "sklearn_activesynth.plotting.UncertaintyMapDisplay": ("matplotlib",),
    "sklearn_activesynth.plotting.AcquisitionCurveDisplay": ("matplotlib",),
}


def pytest_report_header(config):
    # which run this is: `make test` runs the suite with every extra (pandas 2)
    # and in the core install (pandas 3)
    import pandas
    import sklearn

    extras = ["torch", "skorch", "sdv", "openai", "xgboost", "imblearn", "distributed",
              "matplotlib"]
    have = [m for m in extras if importlib.util.find_spec(m) is not None]
    return (f"numpy {np.__version__}, pandas {pandas.__version__}, scikit-learn "
            f"{sklearn.__version__}; extras installed: {', '.join(have) or 'none'}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        needs = DOCTEST_EXTRAS.get(getattr(item, "name", None), ())
        missing = [m for m in needs if importlib.util.find_spec(m) is None]
        if missing:
            item.add_marker(pytest.mark.skip(
                reason=f"docstring example needs {', '.join(missing)} (an extra)"))


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_native_pool():
    # The suite fits hundreds of tiny models: OpenMP/BLAS thread pools only add
    # contention on a 2-core machine (HistGradientBoosting on 3,000 rows went
    # from 0.5 s to minutes when another process held the cores).
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch's own intra-op pool, limited like the native pools above."""
    torch = pytest.importorskip("torch")
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's bundled 8x8 digits, shuffled once."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    p = np.random.RandomState(0).permutation(len(y))
    return X[p], y[p]


@pytest.fixture
def rng():
    return np.random.RandomState(0)
