import numpy as np
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_native_pool():
    # The suite fits hundreds of tiny models: OpenMP/BLAS thread pools only add
    # contention on a 2-core machine (HistGradientBoosting on 3,000 rows went
    # from 0.5 s to minutes when another process held the cores).
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def rng():
    return np.random.RandomState(0)
