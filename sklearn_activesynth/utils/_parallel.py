"""The package's one way to run independent tasks in parallel.

Every parallel call of the package (out-of-fold fits, committee members,
segments of a query pool, benchmark cells) goes through
:class:`sklearn.utils.parallel.Parallel` (scikit-learn's configuration reaches
the workers), so ``joblib.parallel_config`` chooses the backend: loky,
threading, Dask, Ray's joblib backend.

One rule is added: ``n_jobs=1`` runs the tasks one after another in the calling
process under any backend. joblib's Dask backend runs every call on the whole
cluster whatever ``n_jobs`` says, and runs each task under the Dask backend
again, so without the rule a benchmark cell or a ``GridSearchCV`` candidate
already running as a Dask task would send each of its out-of-fold fits back to
the scheduler as a task of its own, even with ``n_jobs=1``.
"""

# License: BSD 3 clause

from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed

__all__ = ["Parallel", "delayed", "n_workers", "parallel"]


def parallel(n_jobs, **kwargs):
    """``sklearn.utils.parallel.Parallel(n_jobs, **kwargs)``; sequential for ``n_jobs=1``.

    Parameters
    ----------
    n_jobs : int or None
        As joblib's (``None``: the active ``joblib.parallel_config`` decides).
    **kwargs
        Other arguments of ``Parallel``.

    Returns
    -------
    parallel : sklearn.utils.parallel.Parallel
    """
    if n_jobs == 1:
        kwargs["backend"] = "sequential"
    return Parallel(n_jobs=n_jobs, **kwargs)


def n_workers(n_jobs):
    """How many tasks :func:`parallel` runs at once (1 for ``n_jobs=1``)."""
    if n_jobs == 1:
        return 1
    return max(1, int(effective_n_jobs(n_jobs)))
