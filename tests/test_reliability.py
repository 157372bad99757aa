"""Reproducible, private by default, unbreakable by its own generators.

Each test here reproduces a defect found by probing the library as a new user
or a hostile input would, and checks its fix.
"""

import pickle
import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth import (
    ActiveSynthesisClassifier,
    ActiveSynthesisSampler,
    GeneratorFailedWarning,
)
from sklearn_activesynth.datasets import make_fraud_transactions
from sklearn_activesynth.filters import PrivacyFilter, QualityFilter, RealismFilter
from sklearn_activesynth.generators import BaseGenerator, InterpolationGenerator


@pytest.fixture
def binary():
    return make_classification(n_samples=300, n_features=5, weights=[0.8], random_state=0)


@pytest.fixture(scope="module")
def mixed():
    X, y = make_fraud_transactions(1200, fraud_rate=0.08, random_state=0)
    return X, np.asarray(y)


def _same_fit(a, b, X):
    if isinstance(a.synthetic_X_, pd.DataFrame):
        pd.testing.assert_frame_equal(a.synthetic_X_, b.synthetic_X_)
    else:
        np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


# ------------------------------------------------------------- reproducibility
def test_clones_of_an_estimator_with_unset_random_state_are_seeded(mixed):
    # HGB's early-stopping split draws from its own random_state: unset, four
    # fits of the README's model gave different rows and predictions
    X, y = mixed
    for cat in X.select_dtypes(exclude="number").columns:
        X[cat] = X[cat].astype("category")
    fits = [ActiveSynthesisClassifier(
        HistGradientBoostingClassifier(categorical_features="from_dtype", early_stopping=True,
                                       max_iter=30),
        max_iter=2, random_state=0).fit(X, y) for _ in range(3)]
    for other in fits[1:]:
        _same_fit(fits[0], other, X)
    # the user's own setting is kept, not overwritten
    mine = ActiveSynthesisClassifier(
        HistGradientBoostingClassifier(random_state=7), max_iter=1,
        random_state=0).fit(X.select_dtypes("number"), y)
    assert mine.estimator_.random_state == 7
    assert mine.get_params()["estimator__random_state"] == 7


def test_committee_members_are_seeded(binary):
    X, y = binary
    from sklearn.ensemble import RandomForestClassifier

    def fit():
        return ActiveSynthesisClassifier(RandomForestClassifier(n_estimators=5),
                                         uncertainty="ensemble_variance", max_iter=1,
                                         validation_fraction=None, random_state=0).fit(X, y)

    _same_fit(fit(), fit(), X)


def test_filters_are_seeded_from_the_loop_and_no_global_rng_is_touched(binary):
    X, y = binary

    def fit():
        filters = [RealismFilter(), QualityFilter(), PrivacyFilter(max_reference=50)]
        return ActiveSynthesisClassifier(LogisticRegression(), filters=filters, max_iter=2,
                                         validation_fraction=None, random_state=0).fit(X, y)

    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    fits = [fit() for _ in range(3)]
    after = np.random.get_state()[1]
    np.testing.assert_array_equal(before, after)  # numpy's global stream untouched
    for other in fits[1:]:
        _same_fit(fits[0], other, X)


# --------------------------------------------------------------------- privacy
def test_a_pickled_model_carries_no_real_values_unless_asked():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 4)) * 1000 + np.pi  # distinctive float values
    y = (X[:, 0] + rng.normal(scale=500, size=400) > np.pi).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    clf = ActiveSynthesisClassifier(model, max_iter=2, validation_fraction=None,
                                    random_state=0).fit(X, y)
    blob = pickle.dumps(clf)
    leaked = [v for v in X.ravel() if np.float64(v).tobytes() in blob]
    assert leaked == []
    assert len(clf.synthetic_y_) > 0 and not hasattr(clf, "generator_")
    np.testing.assert_array_equal(pickle.loads(blob).predict_proba(X), clf.predict_proba(X))
    # the opt-in keeps the generator (and its training rows), which can sample again
    kept = ActiveSynthesisClassifier(model, max_iter=2, validation_fraction=None,
                                     keep_generator=True, random_state=0).fit(X, y)
    blob_kept = pickle.dumps(kept)
    assert len(blob_kept) > len(blob) + X.nbytes // 2
    X_new, y_new = pickle.loads(blob_kept).generator_.generate(5, random_state=0)
    assert X_new.shape == (5, 4) and set(y_new) <= {0, 1}
    # a refit without the opt-in drops what an earlier fit kept
    kept.set_params(keep_generator=False).fit(X, y)
    assert not hasattr(kept, "generator_") and not hasattr(kept, "filters_")


# ---------------------------------------------------------- hostile generators
class Hostile(BaseGenerator):
    """Returns what ``kind`` says instead of well-formed rows."""

    def __init__(self, kind="ok"):
        self.kind = kind

    def _fit(self, X, y):
        self.X_, self.y_ = X, np.asarray(y)

    def _generate(self, n_samples, targets, rng):
        idx = rng.randint(len(self.y_), size=n_samples)
        X = self.X_.iloc[idx].reset_index(drop=True) if hasattr(self.X_, "iloc") \
            else self.X_[idx].copy()
        y = self.y_[idx]
        kind = self.kind
        if kind == "wide":
            return (np.c_[X, X], y) if not hasattr(X, "iloc") else (X.assign(extra=1.0), y)
        if kind == "missing_column":
            return X.drop(columns=X.columns[0]), y
        if kind == "list":
            return "not rows", y
        if kind == "labels":
            return X, y[:-1]
        if kind == "strings":
            X = X.astype(object) if not hasattr(X, "iloc") else X.copy()
            if hasattr(X, "iloc"):
                col = X.select_dtypes("number").columns[0]
                X[col] = X[col].astype(object)
                X.loc[0, col] = "lots"
            else:
                X[0, 0] = "lots"
            return X, y
        if kind == "huge":
            X = X.copy()
            if hasattr(X, "iloc"):
                X.loc[0, X.select_dtypes("number").columns[0]] = 1e300
            else:
                X[0, 0] = 1e300
            return X, y
        if kind == "category":
            X = X.copy()
            col = X.select_dtypes(exclude="number").columns[0]
            X[col] = X[col].astype(object)
            X.loc[0, col] = "never-seen"
            return X, y
        if kind == "ten_times":
            big = np.tile(np.arange(len(y)), 10)
            return (X.iloc[big] if hasattr(X, "iloc") else X[big]), y[big]
        if kind == "writes":
            self.X_[0] = 0.0  # writes into what fit was given
        return X, y


@pytest.mark.parametrize("kind", ["wide", "list", "labels"])
def test_a_malformed_result_is_a_generator_failure(binary, kind):
    X, y = binary
    with pytest.warns(GeneratorFailedWarning, match="failed"):
        clf = ActiveSynthesisClassifier(LogisticRegression(), generator=Hostile(kind),
                                        max_iter=2, patience=3, validation_fraction=None,
                                        random_state=0).fit(X, y)
    h = clf.history_.iloc[1:]
    assert (h["status"] == "generator_failed").all() and h["error"].str.len().gt(0).all()
    assert len(clf.synthetic_y_) == 0
    plain = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize("kind", ["missing_column", "wide"])
def test_a_frame_with_other_columns_is_refused_not_padded(mixed, kind):
    X, y = mixed
    sampler = ActiveSynthesisSampler(
        make_pipeline_for(X), generator=Hostile(kind), max_iter=1,
        validation_fraction=None, random_state=0)
    with pytest.warns(GeneratorFailedWarning):
        X_res, y_res = sampler.fit_resample(X, y)
    assert list(X_res.columns) == list(X.columns) and not X_res.isna().any().any()
    assert "columns" in sampler.history_.loc[1, "error"]


@pytest.mark.parametrize("kind", ["strings", "huge", "ten_times"])
def test_bad_cells_drop_their_rows_only(binary, kind):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=Hostile(kind),
                                    max_iter=1, n_synthetic=20, validation_fraction=None,
                                    random_state=0).fit(X, y)
    row = clf.history_.iloc[1]
    assert row["status"] == "ok"
    expected = {"strings": 1, "huge": 1, "ten_times": 180}[kind]
    assert row["n_rejected_schema"] == expected
    assert row["n_accepted"] == 20 - (expected if kind != "ten_times" else 0)
    syn = np.asarray(clf.synthetic_X_, dtype=float)
    assert np.isfinite(syn).all() and np.abs(syn).max() < 1e3
    assert clf.synthetic_X_.dtype == X.dtype


def test_unknown_categories_and_strings_never_reach_the_model(mixed):
    X, y = mixed
    for kind in ("category", "strings"):
        clf = ActiveSynthesisClassifier(make_pipeline_for(X), generator=Hostile(kind),
                                        max_iter=1, n_synthetic=30, validation_fraction=None,
                                        random_state=0).fit(X, y)
        assert clf.history_.loc[1, "n_rejected_schema"] == 1
        syn = clf.synthetic_X_
        assert syn.dtypes.equals(X.dtypes)
        for col in X.select_dtypes(exclude="number").columns:
            assert set(syn[col]) <= set(X[col])


def test_a_generator_cannot_write_into_the_training_rows(binary):
    X, y = binary
    X_before = X.copy()
    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=Hostile("writes"),
                                    max_iter=1, validation_fraction=None, random_state=0)
    with pytest.warns(GeneratorFailedWarning, match="read-only"):
        clf.fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_allclose(clf.predict_proba(X),
                               LogisticRegression().fit(X, y).predict_proba(X))


class Sleepy(InterpolationGenerator):
    def __init__(self, k_neighbors=5, *, where="generate", seconds=30.0):
        super().__init__(k_neighbors)
        self.where = where
        self.seconds = seconds

    def _fit(self, X, y):
        if self.where == "fit":
            threading.Event().wait(self.seconds)
        return super()._fit(X, y)

    def _generate(self, n_samples, targets, rng):
        if self.where == "generate":
            threading.Event().wait(self.seconds)
        return super()._generate(n_samples, targets, rng)


@pytest.mark.parametrize("where", ["fit", "generate"])
def test_a_hanging_generator_costs_the_timeout_not_the_fit(binary, where):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=Sleepy(where=where),
                                    generator_timeout=0.5, max_iter=3, random_state=0)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.fit(X, y)
    assert time.perf_counter() - t0 < 10  # a few rounds of fitting, one 0.5 s wait
    assert clf.termination_condition_ == "generator_failed"
    assert any(issubclass(w.category, GeneratorFailedWarning) for w in record)
    assert "TimeoutError" in " ".join(clf.history_["error"].dropna())
    assert len(clf.synthetic_y_) == 0


# ---------------------------------------------------------- inputs users send
def make_pipeline_for(X):
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    cat = X.select_dtypes(exclude="number").columns.tolist()
    num = X.select_dtypes(include="number").columns.tolist()
    return make_pipeline(make_column_transformer(
        (StandardScaler(), num), (OneHotEncoder(handle_unknown="ignore"), cat)),
        LogisticRegression(max_iter=500))


def test_the_validation_split_keeps_every_class_on_both_sides():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = np.r_[np.zeros(118), np.ones(2)].astype(int)  # 20 %: no fraud left to validate on
    X[y == 1] += 3
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, random_state=0,
                                    generator=InterpolationGenerator(k_neighbors=1))
    clf.fit(X, y)
    val = clf.validation_indices_
    assert set(y[val]) == {0, 1}
    assert set(np.delete(y, val)) == {0, 1}
    assert np.isfinite(clf.history_["val_score"]).all()


@pytest.mark.parametrize("Est", [ActiveSynthesisClassifier, ActiveSynthesisSampler])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0])
def test_bad_sample_weight_is_refused_by_both_estimators(binary, Est, bad):
    X, y = binary
    w = np.ones(len(y))
    w[3] = bad
    est = Est(LogisticRegression(), max_iter=1, random_state=0)
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=w)
    w_before = w.copy()
    with pytest.raises(ValueError, match="sample_weight"):
        Est(LogisticRegression(), max_iter=1).fit(X, y, sample_weight=w[:-1])
    np.testing.assert_array_equal(w, w_before)


def test_a_frame_without_columns_gets_a_clear_error(binary):
    _, y = binary
    for Est in (ActiveSynthesisClassifier, ActiveSynthesisSampler):
        with pytest.raises(ValueError, match=f"0 feature.*required by {Est.__name__}"):
            Est(random_state=0).fit(pd.DataFrame(index=range(len(y))), y)


class VotesOnly(ClassifierMixin, BaseEstimator):
    """A classifier that only predicts labels (no probabilities, no scores)."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_without_probabilities_the_advice_works(binary):
    X, y = binary
    with pytest.raises(TypeError, match="ensemble_variance") as info:
        ActiveSynthesisClassifier(VotesOnly(), max_iter=1, random_state=0).fit(X, y)
    assert "CalibratedClassifierCV" in str(info.value)
    clf = ActiveSynthesisClassifier(VotesOnly(), uncertainty="ensemble_variance",
                                    max_iter=1, validation_fraction=None,
                                    random_state=0).fit(X, y)
    assert clf.history_.loc[1, "max_uncertainty_train"] > 0  # the members disagree
    assert len(clf.synthetic_y_) > 0


def test_labels_of_mixed_types_get_a_clear_error(binary):
    X, _ = binary
    y = np.array(["c1", 0] * (len(X) // 2), dtype=object)
    for Est in (ActiveSynthesisClassifier, ActiveSynthesisSampler):
        with pytest.raises(ValueError, match="y mixes labels of different types"):
            Est(random_state=0).fit(X, y)


def test_labels_keep_their_type_whatever_the_container_of_x(binary):
    X, y = binary
    y_cat = pd.Series(pd.Categorical(y == 1))
    out = [ActiveSynthesisSampler(max_iter=1, random_state=0).fit_resample(X_in, y_cat)[1]
           for X_in in (X, pd.DataFrame(X))]
    assert out[0].dtype == out[1].dtype  # the Series' own dtype, both times
    assert list(out[0].cat.categories) == [False, True]


def test_a_classifier_without_rounds_is_the_real_only_model(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(max_iter=0, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X),
                               LogisticRegression().fit(X, y).predict_proba(X))
    with pytest.raises(ValueError, match="max_iter"):  # a sampler needs a round
        ActiveSynthesisSampler(max_iter=0).fit(X, y)
