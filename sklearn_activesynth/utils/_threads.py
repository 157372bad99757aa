"""How many BLAS/OpenMP threads the loop's own fits may use.

One ``fit`` of the loop fits the base estimator many times (model_0, the
out-of-fold clones of every round, each round's refit, the final refit), most of
them on a fraction of the rows. Left to themselves, OpenMP (HistGradientBoosting,
scikit-learn's Cython code) and BLAS start one thread per core for each of those
fits; with joblib workers on top, or on a machine where other processes keep the
cores busy, threads outnumber free cores, and OpenMP's worker threads spin at
every barrier waiting for a thread that is not running: the README's ten lines
took 77 s instead of 5 s that way on a busy 2-core machine
(``benchmarks/bench_threads.py``).

So the loop treats its ``n_jobs`` as its CPU budget: the fits in the calling
process run with at most ``effective_n_jobs(n_jobs)`` BLAS/OpenMP threads (one by
default, as ``n_jobs=None`` means one job), and when the out-of-fold fits run in
``k`` parallel workers, each worker gets ``budget // k`` threads (at least one), so
workers times threads never exceed the budget. A base estimator that sets its own
``n_jobs`` (an XGBoost or a random forest with ``n_jobs=4``) keeps it: the loop
then sets no BLAS/OpenMP limit of its own for its fits, and runs its out-of-fold
fits and committee members in ``workers // n_jobs`` workers (at least one), so
that the estimator's workers and the loop's never multiply beyond the loop's
``n_jobs`` (:func:`task_workers`).

Under a joblib backend that runs tasks on a cluster (Dask, Ray: any backend
other than joblib's own loky, multiprocessing, threading and sequential ones),
``effective_n_jobs`` counts the cores of the whole cluster, whatever ``n_jobs``
says, so it says nothing about the cores of this process: every fit of the loop
then gets one BLAS/OpenMP thread, here and in each task, as Dask's workers give
their tasks by default (the cluster's parallelism is its worker threads). Two
BLAS threads per fit in each of two one-thread Dask workers made a
``GridSearchCV`` over the loop several times slower on a 2-core machine
(``benchmarks/bench_dask.py``).
"""

# License: BSD 3 clause

import contextlib

from joblib import cpu_count, effective_n_jobs
from threadpoolctl import ThreadpoolController, threadpool_limits

__all__ = ["fit_thread_limits", "limit_threads", "task_workers", "thread_budget",
           "worker_thread_limit"]


def _own_n_jobs(estimator):
    """The ``n_jobs`` values set (not None) anywhere in ``estimator``'s parameters."""
    if not hasattr(estimator, "get_params"):
        return []
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # an estimator whose get_params fails: no opinion
        return []
    return [v for k, v in params.items()
            if (k == "n_jobs" or k.endswith("__n_jobs")) and v is not None]


def _cluster_backend():
    """True when the active joblib backend is not one of joblib's local ones."""
    from joblib.parallel import get_active_backend

    try:
        from joblib._parallel_backends import (
            LokyBackend,
            MultiprocessingBackend,
            SequentialBackend,
            ThreadingBackend,
        )
    except ImportError:  # pragma: no cover - joblib reorganised: assume local
        return False
    backend, _ = get_active_backend()
    return not isinstance(backend, (LokyBackend, MultiprocessingBackend, SequentialBackend,
                                    ThreadingBackend))


def thread_budget(n_jobs, estimator):
    """BLAS/OpenMP threads for the loop's fits in this process, or None for no limit.

    Parameters
    ----------
    n_jobs : int or None
        The loop's ``n_jobs`` (``None`` is one job, or what an active
        ``joblib.parallel_config`` says).
    estimator : estimator
        The base estimator; if it sets its own ``n_jobs``, no limit is set.

    Returns
    -------
    limit : int or None
        One under a cluster backend (Dask, Ray; see the module docstring).
    """
    if _own_n_jobs(estimator):
        return None
    if _cluster_backend():
        return 1
    return max(1, int(effective_n_jobs(n_jobs)))


def fit_thread_limits(n_jobs, estimator):
    """A context manager limiting BLAS/OpenMP threads for one fit of the loop."""
    limit = thread_budget(n_jobs, estimator)
    if limit is None:
        return contextlib.nullcontext()
    return ThreadpoolController().limit(limits=limit)


def worker_thread_limit(n_jobs, estimator, n_tasks):
    """BLAS/OpenMP threads for each of ``n_tasks`` jobs run by ``Parallel(n_jobs)``.

    With more than one worker, ``budget // workers`` threads each (at least one);
    ``None`` with one worker (the jobs then run in this process, under
    :func:`fit_thread_limits` already) or no budget. Enter
    :func:`limit_threads` with it *inside* each job: a limit applies to the
    process that sets it.
    """
    limit = thread_budget(n_jobs, estimator)
    n_workers = min(max(1, int(effective_n_jobs(n_jobs))), max(1, n_tasks))
    if limit is None or n_workers <= 1:
        return None
    return max(1, limit // n_workers)


def _own_threads(estimator):
    """The most workers a fit of ``estimator`` starts by its own ``n_jobs``
    (negative values count from the cores, as joblib's), or None if it sets none."""
    values = [v for v in _own_n_jobs(estimator) if isinstance(v, int)]
    if not values:
        return None
    cores = cpu_count()
    return max(max(1, cores + 1 + v if v < 0 else v) for v in values)


def task_workers(n_jobs, estimator, n_tasks):
    """The ``n_jobs`` to run ``n_tasks`` fits of ``estimator`` with.

    A base estimator that sets its own ``n_jobs`` (a random forest with
    ``n_jobs=2``) runs that many workers in every fit: the loop's workers are
    divided by it (at least one), so the two multiply to no more than the
    loop's ``n_jobs``, and the estimator's own setting is kept as it is. The
    loop's ``n_jobs`` otherwise, and under a cluster backend (its parallelism
    is the cluster's workers).

    Parameters
    ----------
    n_jobs : int or None
        The loop's ``n_jobs``.
    estimator : estimator
        The base estimator.
    n_tasks : int
        The fits to run.

    Returns
    -------
    n_jobs : int or None
    """
    own = _own_threads(estimator)
    if own is None or own <= 1 or n_jobs == 1 or _cluster_backend():
        return n_jobs
    workers = min(max(1, int(effective_n_jobs(n_jobs))), max(1, n_tasks))
    return max(1, workers // own)


def limit_threads(limit):
    """``threadpool_limits(limit)`` as a context manager; a no-op for None."""
    if limit is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=limit)
