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
