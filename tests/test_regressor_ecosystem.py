"""ActiveSynthesisRegressor in the scikit-learn ecosystem: Pipeline, searches,
TransformedTargetRegressor, cross-validation, pandas, sample_weight, metadata
routing, pickling, clone, seeds."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import TransformedTargetRegressor, make_column_transformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.acquisition import Acquisition


def _linear(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    y = X @ np.array([3.0, -2.0, 1.0, 0.5]) + 0.5 * rng.normal(size=n)
    return X, y


def _mixed_frame(n=240, seed=0):
    """Floats, integers, a category, strings with a missing value, booleans."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({
        "amount": rng.lognormal(3, 1, n),
        "age": rng.randint(18, 80, n),
        "region": pd.Categorical(rng.choice(["north", "south", "east"], n)),
        "channel": rng.choice(["web", "phone", "branch"], n).astype(object),
        "flag": rng.rand(n) > 0.7,
    })
    frame.loc[3, "channel"] = None
    y = (0.02 * frame["amount"] + 0.1 * frame["age"] + 3.0 * (frame["region"] == "south")
         + 2.0 * frame["flag"] + rng.normal(size=n)).to_numpy()
    return frame, y


class RecordingRegressor(RegressorMixin, BaseEstimator):
    """Records the sample_weight of every fit."""

    calls = []

    def fit(self, X, y, sample_weight=None):
        RecordingRegressor.calls.append(None if sample_weight is None else
                                        np.asarray(sample_weight).copy())
        self._ridge = Ridge().fit(X, y, sample_weight=sample_weight)
        self.n_features_in_ = self._ridge.n_features_in_
        return self

    def predict(self, X):
        return self._ridge.predict(X)


# ---------------------------------------------------------------- composition
def test_pipeline_and_searches_tune_nested_parameters():
    X, y = _linear()
    pipe = make_pipeline(StandardScaler(), ActiveSynthesisRegressor(max_iter=1,
                                                                    random_state=0))
    assert pipe.fit(X, y).score(X, y) > 0.9
    grid = GridSearchCV(
        ActiveSynthesisRegressor(max_iter=1, random_state=0),
        {"targeting__relevance_threshold": [0.3, 0.8], "uncertainty__n_members": [3, 4],
         "estimator__alpha": [0.1, 10.0]}, cv=KFold(2, shuffle=True, random_state=0))
    grid.fit(X, y)
    assert grid.best_score_ > 0.9
    best = grid.best_estimator_
    assert best.uncertainty.n_members in (3, 4) and best.estimator.alpha in (0.1, 10.0)
    rand = RandomizedSearchCV(make_pipeline(StandardScaler(), ActiveSynthesisRegressor(
        max_iter=1, random_state=0)), {"activesynthesisregressor__n_synthetic": [0.05, 0.2]},
        n_iter=2, cv=2, random_state=0).fit(X, y)
    assert rand.best_score_ > 0.9


def test_transformed_target_regressor_sees_the_transformed_target():
    X, _ = _linear()
    y = np.exp(0.3 * X[:, 0] + 0.2 * X[:, 1]) * 100.0     # a skewed, positive target
    reg = TransformedTargetRegressor(
        regressor=ActiveSynthesisRegressor(max_iter=2, random_state=0),
        func=np.log, inverse_func=np.exp).fit(X, y)
    inner = reg.regressor_
    assert np.all(inner.synthetic_y_ < np.log(y).max() + 1)  # log scale, not dollars
    np.testing.assert_allclose(reg.predict(X), np.exp(inner.predict(X)))
    assert reg.score(X, y) > 0.8


def test_cross_val_score_and_cross_validate():
    X, y = _linear()
    scores = cross_val_score(ActiveSynthesisRegressor(max_iter=1, random_state=0), X, y,
                             cv=3, scoring="neg_mean_absolute_error")
    assert scores.shape == (3,) and np.all(scores < 0) and np.all(scores > -1.0)
    out = cross_validate(ActiveSynthesisRegressor(max_iter=1, random_state=0), X, y, cv=3,
                         return_estimator=True)
    assert all(len(est.history_) >= 1 for est in out["estimator"])


# --------------------------------------------------------------------- pandas
def test_a_mixed_dtype_frame_in_synthetic_rows_out_in_its_dtypes():
    frame, y = _mixed_frame()
    frame_in = frame.copy()
    reg = ActiveSynthesisRegressor(max_iter=2, random_state=0).fit(frame, y)
    pd.testing.assert_frame_equal(frame, frame_in)                  # not modified
    assert type(reg.estimator_).__name__ == "Pipeline"              # encodes the columns
    assert list(reg.feature_names_in_) == list(frame.columns)
    assert reg.score(frame, y) > 0.5
    syn = reg.synthetic_X_
    assert isinstance(syn, pd.DataFrame) and list(syn.columns) == list(frame.columns)
    assert (syn.dtypes == frame.dtypes).all()
    if len(syn):
        assert set(syn["region"].dropna()) <= {"north", "south", "east"}
    with pytest.raises(ValueError, match="feature names"):
        reg.predict(frame[frame.columns[::-1]])


def test_set_output_pandas_reaches_the_regressor_as_a_frame():
    frame, y = _mixed_frame()
    pre = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["region", "flag"]),
        (StandardScaler(), ["amount", "age"]))
    pipe = make_pipeline(pre, ActiveSynthesisRegressor(Ridge(), max_iter=1,
                                                       random_state=0))
    pipe.set_output(transform="pandas")
    pipe.fit(frame, y)
    reg = pipe[-1]
    assert isinstance(reg.synthetic_X_, pd.DataFrame)
    assert list(reg.feature_names_in_) == list(pre.get_feature_names_out())
    assert pipe.predict(frame).shape == (len(y),)


def test_a_series_target_and_a_frame_pool_for_query():
    frame, y = _mixed_frame()
    target = pd.Series(y, name="claim", index=frame.index + 100)
    reg = ActiveSynthesisRegressor(max_iter=1, random_state=0).fit(frame, target)
    assert reg.query(frame.iloc[:50], 5).shape == (5,)


# -------------------------------------------------- weights, routing, pickling
def test_sample_weight_through_a_pipeline_and_cross_validation():
    X, y = _linear()
    w = np.r_[np.ones(100), np.zeros(100)]
    pipe = make_pipeline(StandardScaler(), ActiveSynthesisRegressor(max_iter=0))
    pipe.fit(X, y, activesynthesisregressor__sample_weight=w)
    ref = make_pipeline(StandardScaler(), Ridge()).fit(X, y, ridge__sample_weight=w)
    np.testing.assert_allclose(pipe.predict(X), ref.predict(X))


def test_metadata_routing():
    X, y = _linear()
    w = np.linspace(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        RecordingRegressor.calls = []
        base = RecordingRegressor().set_fit_request(sample_weight=True)
        reg = ActiveSynthesisRegressor(base, max_iter=1, uncertainty_cv=None,
                                       random_state=0).fit(X, y, sample_weight=w)
        # every fit (the committees' included) got weights
        assert RecordingRegressor.calls and \
            all(c is not None for c in RecordingRegressor.calls)
        # the final refit comes last: the committee_ kept for query is the last
        # round's, no extra fit
        assert len(reg.committee_) == 5
        final = RecordingRegressor.calls[-1]
        np.testing.assert_allclose(final[:len(y)], w)
        if len(reg.synthetic_y_):
            np.testing.assert_allclose(final[len(y):], 1.0)
        # routed from a meta-estimator: cross_validate's params
        RecordingRegressor.calls = []
        cross_validate(ActiveSynthesisRegressor(base, max_iter=0, keep_committee=False),
                       X, y, cv=2, params={"sample_weight": w})
        assert len(RecordingRegressor.calls) == 2
        np.testing.assert_allclose(np.sort(np.concatenate(RecordingRegressor.calls)),
                                   np.sort(w))
        RecordingRegressor.calls = []   # with the committee_ for query: 5 more per fold
        cross_validate(ActiveSynthesisRegressor(base, max_iter=0), X, y, cv=2,
                       params={"sample_weight": w})
        assert len(RecordingRegressor.calls) == 12
        # an estimator that did not request it gets scikit-learn's error
        with pytest.raises(Exception, match="sample_weight"):
            ActiveSynthesisRegressor(RecordingRegressor(), max_iter=0).fit(
                X, y, sample_weight=w)


def test_pickle_and_joblib_round_trips_keep_predictions_and_queries(tmp_path):
    X, y = _linear(300)
    reg = ActiveSynthesisRegressor(max_iter=2, random_state=0).fit(X[:200], y[:200])
    pool = X[200:]
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
    np.testing.assert_array_equal(again.query(pool, 10), reg.query(pool, 10))
    pd.testing.assert_frame_equal(again.history_, reg.history_)
    path = tmp_path / "reg.joblib"
    joblib.dump(reg, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), reg.predict(X))
    # an oracle that is a module-level function pickles with the model
    oracle_fit = ActiveSynthesisRegressor(oracle=_lookup, max_iter=1, random_state=0)
    y_partial = y.copy()
    y_partial[100:] = np.nan
    oracle_fit.fit(X, y_partial)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(oracle_fit)).predict(X),
                                  oracle_fit.predict(X))


_Y_TRUE = _linear(300)[1]


def _lookup(rows, indices):
    return _Y_TRUE[indices]


def test_clone_keeps_parameters_and_nothing_fitted():
    reg = ActiveSynthesisRegressor(Ridge(alpha=3.0), oracle=_lookup,
                                   acquisition=Acquisition(budget_init=4),
                                   missing_label=-999.0, random_state=1)
    X, y = _linear(300)
    y = y.copy()
    y[250:] = -999.0
    reg.fit(X, y)
    twin = clone(reg)
    assert twin.get_params()["estimator"].alpha == 3.0
    assert twin.missing_label == -999.0 and twin.acquisition.budget_init == 4
    assert not hasattr(twin, "estimator_")


# ---------------------------------------------------------------------- seeds
def test_same_random_state_same_rows_predictions_and_acquisitions():
    frame, y = _mixed_frame()
    y = y.copy()
    y_true = y.copy()
    y[180:] = np.nan

    def oracle(rows, indices):
        return y_true[indices]

    # the HistGradientBoostingRegressor's random_state is unset: seeded by the loop
    model = make_pipeline(make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         ["region", "channel", "flag"]), remainder="passthrough"),
        HistGradientBoostingRegressor(max_iter=20, early_stopping=True,
                                      validation_fraction=0.2, n_iter_no_change=3))

    def fit():
        return ActiveSynthesisRegressor(model, oracle=oracle, max_iter=2,
                                        random_state=5).fit(frame, y)
    a, b = fit(), fit()
    pd.testing.assert_frame_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.acquired_indices_, b.acquired_indices_)
    np.testing.assert_array_equal(a.predict(frame), b.predict(frame))
    np.testing.assert_array_equal(a.query(frame, 7), b.query(frame, 7))


def test_results_do_not_depend_on_n_jobs_or_the_backend():
    X, y = _linear()
    one = ActiveSynthesisRegressor(max_iter=2, random_state=0).fit(X, y)
    with joblib.parallel_config(backend="threading"):
        two = ActiveSynthesisRegressor(max_iter=2, n_jobs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(one.synthetic_X_, two.synthetic_X_)
    np.testing.assert_allclose(one.predict(X), two.predict(X), rtol=1e-12)
    np.testing.assert_array_equal(one.query(X, 9), two.query(X, 9))
