"""Memory of a fit: the row buffer (the training split and the synthetic rows in
one array, the rounds' matrices and the out-of-fold matrices taken from it
without copies) and float32 rows kept float32."""

import hashlib
import tracemalloc
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth._loop import RowBuffer


class _Recording(LogisticRegression):
    """LogisticRegression keeping every array it was fitted on (and a hash of it)."""

    calls = []

    def fit(self, X, y, sample_weight=None):
        type(self).calls.append(dict(
            X=X, n=X.shape[0],
            digest=hashlib.sha256(np.ascontiguousarray(X).tobytes()
                                  + np.asarray(y).tobytes()).hexdigest()))
        return super().fit(X, y, sample_weight=sample_weight)


def _fit(X, y, n_jobs=None, **kw):
    _Recording.calls = []
    clf = ActiveSynthesisClassifier(_Recording(), max_iter=3, n_jobs=n_jobs,
                                    random_state=0, **kw).fit(X, y)
    return clf, list(_Recording.calls)


@pytest.fixture
def data():
    return make_classification(n_samples=600, n_features=6, weights=[0.85],
                               random_state=0)


# without the guard every round's rows are kept; with it, rejected rounds' rows
# are overwritten by the next round's
@pytest.mark.parametrize("validation_fraction", [None, 0.2])
def test_rounds_and_folds_fit_on_the_buffer_and_match_copies(data, validation_fraction):
    X, y = data
    kw = dict(validation_fraction=validation_fraction)
    with threadpool_limits(1):
        clf, calls = _fit(X, y, **kw)
        # the folds run in two threads: each fold's matrix is a copy
        with parallel_config(backend="threading"):
            ref, ref_calls = _fit(X, y, n_jobs=2, **kw)
    if validation_fraction is None:
        assert len(clf.synthetic_y_) > 0
    else:
        assert (clf.history_["status"] == "rejected").any()
    model_0 = calls[0]["X"]
    in_place = [c for c in calls[1:-1] if np.shares_memory(c["X"], model_0)]
    # every out-of-fold fit and every round's refit (all but the final refit)
    assert len(in_place) == len(calls) - 2
    assert not np.shares_memory(calls[-1]["X"], model_0)
    # with the folds in threads, only the rounds' refits (5 folds a round fewer)
    shared = [c for c in ref_calls[1:-1] if np.shares_memory(c["X"], ref_calls[0]["X"])]
    assert len(shared) == len(in_place) - 5 * clf.n_iter_
    # the same rows and labels in every fit, so the same results
    assert sorted(c["digest"] for c in calls) == sorted(c["digest"] for c in ref_calls)
    np.testing.assert_array_equal(clf.synthetic_X_, ref.synthetic_X_)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))
    # the fitted estimator keeps no view of the loop's buffer
    assert not np.shares_memory(clf.synthetic_X_, model_0)


def test_row_buffer_appends_in_place_and_falls_back_to_copies():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 3))
    idx = np.arange(0, 20, 2)
    buf = RowBuffer(X, idx, capacity=4)
    np.testing.assert_array_equal(buf.X_tr, X[idx])
    a = buf.append(buf.X_tr, [], rng.normal(size=(3, 3)))
    assert np.shares_memory(a, buf.data)
    assert np.shares_memory(buf.matrix(buf.X_tr, [a]), buf.data)
    # no room for two more rows, and another dtype: the rows are left as they are
    b = rng.normal(size=(2, 3))
    assert buf.append(buf.X_tr, [a], b) is b
    c = buf.append(buf.X_tr, [a], np.ones((1, 3), dtype=np.float32))
    assert not np.shares_memory(c, buf.data)
    # blocks that are not the buffer's next rows: a concatenation of them
    out = buf.matrix(buf.X_tr, [b])
    assert not np.shares_memory(out, buf.data)
    np.testing.assert_array_equal(out, np.vstack([X[idx], b]))
    np.testing.assert_array_equal(buf.matrix(buf.X_tr, [a]), np.vstack([X[idx], a]))


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_row_buffer_without_rows_restores_them(chunk):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    buf = RowBuffer(X, np.arange(40), capacity=10)
    buf.append(buf.X_tr, [], X[40:])
    before = buf.data.copy()
    rows = np.sort(rng.choice(40, size=9, replace=False))
    with buf.without(rows, 50, chunk=chunk) as (M, removed):
        assert np.shares_memory(M, buf.data)
        np.testing.assert_array_equal(M, np.delete(before, rows, axis=0))
        np.testing.assert_array_equal(removed, before[rows])
    np.testing.assert_array_equal(buf.data, before)
    # and when the fit inside raises
    with pytest.raises(RuntimeError, match="fit failed"):
        with buf.without(rows[:4], 50, chunk=chunk):
            raise RuntimeError("fit failed")
    np.testing.assert_array_equal(buf.data, before)


def _traced_peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_float32_rows_stay_float32_and_take_less_memory():
    # float32 rows stay float32 in the generator, the synthetic rows, every matrix
    # the base model is fitted on (see also test_loop's dtype test), and the fit's
    # peak of memory drops with them: no float64 copy of the training rows is made
    # (the schema's statistics and the loop's checks read them as they are)
    X, y = make_classification(n_samples=20_000, n_features=30, weights=[0.9],
                               random_state=0)
    X32 = X.astype(np.float32)
    _Recording.calls = []
    clf = ActiveSynthesisClassifier(_Recording(), max_iter=2, keep_generator=True,
                                    random_state=0).fit(X32, y)
    assert {c["X"].dtype for c in _Recording.calls} == {np.dtype(np.float32)}
    assert clf.synthetic_X_.dtype == np.float32 and len(clf.synthetic_y_) > 0
    X_gen, _ = clf.generator_.generate(10, random_state=0)
    assert X_gen.dtype == np.float32
    peaks = {}
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # convergence: not measured here
        for name, rows in (("float64", X), ("float32", X32)):
            peaks[name] = _traced_peak(
                lambda rows=rows: ActiveSynthesisClassifier(
                    LogisticRegression(), max_iter=2, random_state=0).fit(rows, y))
    # the rows are half the bytes; labels, positions and scores per row are not
    assert peaks["float32"] < 0.8 * peaks["float64"], peaks


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_an_estimator_that_works_in_place_does_not_change_the_loops_rows(kind):
    # StandardScaler(copy=False) / LinearRegression(copy_X=False) would scale the
    # loop's training rows in place at every fit (the rows the folds, the
    # generator and the next rounds reuse, and the user's X at the final refit):
    # the loop fits copies, and the fit is the copy=True fit
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_activesynth import ActiveSynthesisRegressor

    if kind == "classifier":
        X, y = make_classification(n_samples=600, n_features=6, weights=[0.8],
                                   random_state=0)

        def make(copy):
            return ActiveSynthesisClassifier(
                make_pipeline(StandardScaler(copy=copy), LogisticRegression()),
                validation_fraction=None, random_state=0)
    else:
        rng = np.random.RandomState(0)
        X = rng.normal(size=(400, 5))
        y = X @ np.arange(1.0, 6.0) + rng.normal(size=400)

        def make(copy):
            return ActiveSynthesisRegressor(
                make_pipeline(StandardScaler(copy=copy), LinearRegression(copy_X=copy)),
                validation_fraction=None, random_state=0)
    X = X * 10 + 5
    fits = []
    for copy in (True, False):
        X_user = X.copy()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fits.append(make(copy).fit(X_user, y))
        np.testing.assert_array_equal(X_user, X)  # the user's rows are untouched
        inplace = [w for w in caught if "write into the rows" in str(w.message)]
        assert len(inplace) == (0 if copy else 1)
    assert len(fits[0].synthetic_y_) > 0
    np.testing.assert_array_equal(fits[0].synthetic_X_, fits[1].synthetic_X_)
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))
    # the user's estimator keeps its parameters
    assert fits[1].estimator.get_params()["standardscaler__copy"] is False
