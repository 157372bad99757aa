"""On a real Dask cluster: a ``LocalCluster`` of two worker processes (one thread
each, on 127.0.0.1, no dashboard), started once for the module and closed after.

Each test runs the same work on the local backend and on the cluster (through
``joblib.parallel_config("dask")`` or a Dask collection) and asks for identical
results: synthetic rows, provenance, history, predictions, cross-validation
scores, benchmark rows, query positions. Each also checks, from the cluster's
task stream, that the work did run on the workers. The core-only environment
(no ``distributed``) skips the module.
"""

import os
import time

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

import cloudpickle  # noqa: E402  (distributed depends on it)
from distributed.diagnostics.plugin import SchedulerPlugin  # noqa: E402
from joblib import parallel_config  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.acquisition import (  # noqa: E402
    CoreSetSampling,
    HybridSampling,
    UncertaintySampling,
)
from sklearn_activesynth.benchmark import RUN_KEYS  # noqa: E402
from sklearn_activesynth.benchmark.__main__ import main as cli_main  # noqa: E402
from sklearn_activesynth.utils._threads import thread_budget, worker_thread_limit  # noqa: E402

TIMING = ["fit_seconds", "predict_seconds"]


@pytest.fixture(scope="module")
def cluster():
    import psutil

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            pids = list(client.run(os.getpid).values())
            yield cluster
    # closed: no worker process may outlive the module
    deadline = time.monotonic() + 10
    alive = [p for p in pids if psutil.pid_exists(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"worker processes {alive} outlived the cluster"


@pytest.fixture
def client(cluster):
    """The module's client, the default one (a test may have opened another)."""
    client = distributed.Client(cluster, set_as_default=False)
    with client.as_current():
        yield client
    client.close()


class _Shipped(SchedulerPlugin):
    """What the scheduler is sent: the pickled size of each task, the size of each
    scattered array."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.task_bytes, self.scattered = {}, {}

    def transition(self, key, start, finish, *args, **kwargs):
        ts = self.scheduler.tasks.get(key)
        if ts is None:
            return
        name = str(key)
        if finish == "waiting" and ts.run_spec is not None:
            self.task_bytes[name] = len(cloudpickle.dumps(ts.run_spec))
        elif finish == "forgotten" and name.startswith("ndarray-"):
            self.scattered[name] = ts.nbytes


def _ran(stream, prefix):
    return [t for t in stream.data if str(t["key"]).startswith(prefix)]


def _frame(history):
    return history.drop(columns=[c for c in history.columns if c.startswith("seconds_")])


def _same_fit(a, b):
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    pd.testing.assert_frame_equal(a.synthetic_provenance_, b.synthetic_provenance_)
    pd.testing.assert_frame_equal(_frame(a.history_), _frame(b.history_))


def test_fit_on_the_cluster_is_the_local_fit(cluster, client):
    # the smoke test of the module: the out-of-fold fits of every round run as
    # tasks on the workers, the training rows are scattered once per round (not
    # sent with each fold), and the fit is the one the local backend gives
    X, y = make_classification(n_samples=2000, n_features=20, weights=[0.8],
                               random_state=0)
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=2, uncertainty_cv=3,
                                    n_jobs=2, random_state=0)
    with parallel_config(backend="loky"):
        local = clf.fit(X, y)
    shipped = _Shipped(cluster.scheduler)
    cluster.scheduler.add_plugin(shipped, name="shipped")
    try:
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            remote = ActiveSynthesisClassifier(LogisticRegression(), max_iter=2,
                                               uncertainty_cv=3, n_jobs=2,
                                               random_state=0).fit(X, y)
        time.sleep(0.5)  # the released scatter keys are forgotten asynchronously
    finally:
        cluster.scheduler.remove_plugin(name="shipped")
    _same_fit(local, remote)
    np.testing.assert_array_equal(local.predict_proba(X), remote.predict_proba(X))
    rounds = int((remote.history_["round"] > 0).sum())
    assert rounds == 2
    folds = _ran(stream, "batch_of__fit_and_score_fold")
    assert len(folds) == 3 * rounds
    assert {t["worker"] for t in folds} == set(cluster.scheduler.workers)
    # the training rows (80 % of X, the validation rows held out) travel as one
    # scattered array per round, and no fold task carries them
    x_tr_bytes = int(0.8 * X.nbytes)
    assert sum(nb >= x_tr_bytes for nb in shipped.scattered.values()) <= rounds
    fold_tasks = [b for k, b in shipped.task_bytes.items()
                  if k.startswith("batch_of__fit_and_score_fold")]
    assert len(fold_tasks) == 3 * rounds
    assert max(fold_tasks) < x_tr_bytes / 10, fold_tasks


def test_n_jobs_1_keeps_the_work_in_this_process(client, fitted_and_pool):
    # joblib's Dask backend would spread even n_jobs=1 over the cluster (and does
    # so from inside every Dask task); the package keeps n_jobs=1 sequential.
    # (scikit-learn's own calls are joblib's: the generator's NearestNeighbors
    # queries still become tasks, whatever their n_jobs.)
    X, y = make_classification(n_samples=300, n_features=6, random_state=4)
    clf, pool = fitted_and_pool
    local = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, n_jobs=1,
                                      random_state=0).fit(X, y)
    clf.set_params(n_jobs=1)
    try:
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            remote = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, n_jobs=1,
                                               random_state=0).fit(X, y)
            clf.query(pool, 5, batch_size=100)
    finally:
        clf.set_params(n_jobs=None)
    ours = [str(t["key"]) for t in stream.data
            if str(t["key"]).startswith(("batch_of__fit_and_score_fold", "batch_of__best_rows"))]
    assert not ours
    # the same calls with n_jobs=2 do run on the cluster
    with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
        ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, n_jobs=2,
                                  random_state=0).fit(X, y)
    assert _ran(stream, "batch_of__fit_and_score_fold")
    _same_fit(local, remote)


class _ThreadRecorder(ClassifierMixin, BaseEstimator):
    """LogisticRegression that records the OpenMP/BLAS threads it was given."""

    def fit(self, X, y, sample_weight=None):
        self.threads_ = {p["user_api"]: p["num_threads"] for p in threadpool_info()}
        self.lr_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)


def test_fits_under_the_dask_backend_use_one_blas_thread(client):
    # joblib's Dask backend counts the cluster's cores whatever n_jobs says, so it
    # cannot size this process's BLAS pools: one thread per fit, as Dask gives
    # its tasks (locally, n_jobs=2 gives the fits two)
    X, y = make_classification(n_samples=200, random_state=0)
    lr = LogisticRegression()
    clf = ActiveSynthesisClassifier(_ThreadRecorder(), max_iter=0, n_jobs=2, random_state=0)
    with threadpool_limits(limits=2):
        assert set(clf.fit(X, y).estimator_.threads_.values()) == {2}
        with parallel_config(backend="dask"):
            assert thread_budget(None, lr) == 1 and thread_budget(8, lr) == 1
            assert worker_thread_limit(8, lr, n_tasks=5) == 1
            assert set(clf.fit(X, y).estimator_.threads_.values()) == {1}


def test_grid_search_on_the_cluster_is_the_local_search(client):
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.8], random_state=1)
    grid = {"n_synthetic": [0.1, 0.3], "targeting": ["uncertain", "random_matched"]}
    est = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, uncertainty_cv=3,
                                    random_state=0)
    with parallel_config(backend="loky"):
        local = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y)
    with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
        remote = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y)
    assert len(stream.data) >= 8  # 4 candidates x 2 folds, on the workers
    for key in ["split0_test_score", "split1_test_score", "mean_test_score",
                "rank_test_score"]:
        np.testing.assert_array_equal(local.cv_results_[key], remote.cv_results_[key])
    assert local.best_params_ == remote.best_params_
    _same_fit(local.best_estimator_, remote.best_estimator_)
    np.testing.assert_array_equal(local.predict_proba(X), remote.predict_proba(X))


def test_benchmark_cli_on_the_cluster_is_the_local_run(cluster, client, tmp_path):
    args = ["--datasets", "breast_cancer", "--methods", "real_only", "active",
            "random_matched", "--fractions", "0.3", "--seeds", "2", "--max-iter", "1",
            "--no-plots", "--no-progress", "--no-report", "--n-jobs", "2"]
    assert cli_main(args + ["--out", str(tmp_path / "local")]) == 0
    with distributed.get_task_stream(client) as stream:
        assert cli_main(args + ["--out", str(tmp_path / "dask"),
                                "--dask", cluster.scheduler_address]) == 0
    # the cells, and only them: what runs inside a cell stays in its task
    assert len(_ran(stream, "batch_of__run_task")) == len(stream.data) >= 1
    assert {t["worker"] for t in stream.data} <= set(cluster.scheduler.workers)

    def read(name, keys):
        frame = pd.read_csv(tmp_path / name)
        return frame.sort_values(keys).reset_index(drop=True)

    local = read("local/runs.csv", RUN_KEYS).drop(columns=TIMING)
    remote = read("dask/runs.csv", RUN_KEYS).drop(columns=TIMING)
    assert len(local) == 2 * 3 and local["error"].isna().all()
    assert (local.loc[local["method"] == "active", "synthetic_rows"] > 0).all()
    pd.testing.assert_frame_equal(local, remote)
    rel_keys = RUN_KEYS + ["bin"]
    pd.testing.assert_frame_equal(read("local/reliability.csv", rel_keys),
                                  read("dask/reliability.csv", rel_keys))


@pytest.fixture(scope="module")
def fitted_and_pool():
    X, y = make_classification(n_samples=3300, n_features=6, n_informative=4,
                               random_state=2)
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, uncertainty_cv=3,
                                    random_state=0).fit(X[:300], y[:300])
    return clf, X[300:]


STRATEGIES = ["margin", HybridSampling(), UncertaintySampling("entropy", diversity=0.5),
              "random"]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=["margin", "hybrid", "diverse",
                                                      "random"])
def test_query_on_the_cluster_is_the_local_query(client, fitted_and_pool, strategy):
    clf, pool = fitted_and_pool
    exclude = np.arange(0, len(pool), 11)
    kw = dict(n_samples=25, strategy=strategy, exclude=exclude, return_scores=True,
              batch_size=128)
    positions, scores = clf.query(pool, **kw)
    # an in-memory pool, segments scored in parallel on the workers
    clf.set_params(n_jobs=2)
    try:
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            seg_positions, seg_scores = clf.query(pool, **kw)
        # a Dask array pool: one task per block, on the workers
        with distributed.get_task_stream(client) as block_stream:
            dask_positions, dask_scores = clf.query(da.from_array(pool, chunks=(700, 3)),
                                                    **kw)
    finally:
        clf.set_params(n_jobs=None)
    for p, s in [(seg_positions, seg_scores), (dask_positions, dask_scores)]:
        np.testing.assert_array_equal(p, positions)
        np.testing.assert_array_equal(s, scores)
    assert not np.isin(positions, exclude).any()
    if strategy == "random":  # draws in pool order: scored in this process
        assert not _ran(stream, "batch_of__best_rows")
    else:
        assert len(_ran(stream, "batch_of__best_rows")) == 2
        assert len(_ran(block_stream, "_best_rows_of_block")) == 5  # ceil(3000 / 700)


def test_coreset_on_a_dask_pool_is_the_in_memory_one(client, fitted_and_pool):
    # k-center greedy over a random sample of candidates: only those rows are
    # gathered from the blocks
    clf, pool = fitted_and_pool
    strategy = CoreSetSampling(n_candidates=400)
    expected = strategy.rank(clf.estimator_, pool, 10, random_state=0,
                             labelled=pool[:50], exclude=np.arange(5))
    got = strategy.rank(clf.estimator_, da.from_array(pool, chunks=(700, 6)), 10,
                        random_state=0, labelled=pool[:50], exclude=np.arange(5))
    np.testing.assert_array_equal(got.positions, expected.positions)
    np.testing.assert_array_equal(got.scores, expected.scores)


def test_predict_on_a_dask_array_is_lazy_and_equal(client, fitted_and_pool):
    clf, pool = fitted_and_pool
    X = da.from_array(pool, chunks=(1000, 6))
    with distributed.get_task_stream(client) as stream:
        labels, proba = clf.predict(X), clf.predict_proba(X)
        log_proba = clf.predict_log_proba(X)
        assert not stream.data  # nothing ran yet
        assert isinstance(labels, da.Array) and isinstance(proba, da.Array)
        assert labels.shape == (len(pool),) and proba.shape == (len(pool), 2)
        got = da.compute(labels, proba, log_proba)
    assert len(stream.data) >= 3
    np.testing.assert_array_equal(got[0], clf.predict(pool))
    np.testing.assert_array_equal(got[1], clf.predict_proba(pool))
    np.testing.assert_array_equal(got[2], clf.predict_log_proba(pool))
    with pytest.raises(ValueError, match="features"):
        clf.predict(da.from_array(pool[:, :4], chunks=(1000, 4)))


def test_dask_dataframe_pool_and_predict(client):
    dd = pytest.importorskip("dask.dataframe")  # needs pyarrow
    X, y = make_classification(n_samples=1300, n_features=4, random_state=3)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, uncertainty_cv=3,
                                    random_state=0).fit(frame.iloc[:300], y[:300])
    pool = frame.iloc[300:].reset_index(drop=True)
    ddf = dd.from_pandas(pool, npartitions=4)
    for strategy in ["margin", HybridSampling()]:
        expected = clf.query(pool, 15, strategy=strategy, return_scores=True)
        got = clf.query(ddf, 15, strategy=strategy, return_scores=True)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
    labels, proba = clf.predict(ddf), clf.predict_proba(ddf)
    assert isinstance(labels, da.Array) and isinstance(proba, da.Array)
    np.testing.assert_array_equal(labels.compute(), clf.predict(pool))
    # block by block the products are summed in another order: equal to the last bits
    np.testing.assert_allclose(proba.compute(), clf.predict_proba(pool), rtol=1e-12, atol=0)


def test_regressor_query_and_predict_on_dask_input(client):
    # the regressor's query ranks a Dask pool by committee variance block by
    # block, as the in-memory pool; predict on Dask input is lazy and equal
    from sklearn.datasets import make_regression

    from sklearn_activesynth import ActiveSynthesisRegressor

    X, y = make_regression(n_samples=2300, n_features=5, noise=5.0, random_state=4)
    reg = ActiveSynthesisRegressor(max_iter=1, random_state=0).fit(X[:300], y[:300])
    pool = X[300:]
    kw = dict(n_samples=20, exclude=np.arange(0, len(pool), 13), return_scores=True,
              batch_size=256)
    for strategy in [None, "coreset"]:
        expected = reg.query(pool, strategy=strategy, **kw)
        with distributed.get_task_stream(client) as stream:
            got = reg.query(da.from_array(pool, chunks=(500, 5)), strategy=strategy, **kw)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
        assert stream.data  # the blocks were scored on the workers
    with distributed.get_task_stream(client) as stream:
        pred = reg.predict(da.from_array(pool, chunks=(500, 5)))
        assert not stream.data and isinstance(pred, da.Array)
        values = pred.compute()
    assert len(stream.data) >= 4  # at least one task per block, on the workers
    np.testing.assert_array_equal(values, reg.predict(pool))
    with pytest.raises(ValueError, match="features"):
        reg.predict(da.from_array(pool[:, :3], chunks=(500, 3)))
