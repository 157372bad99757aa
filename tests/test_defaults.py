"""The defaults on the data fraud teams have: mixed-type frames, and thread limits."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier, ActiveSynthesisSampler
from sklearn_activesynth.datasets import make_fraud_transactions
from sklearn_activesynth.utils._threads import thread_budget, worker_thread_limit


def _mixed_frame(n=300, seed=0):
    """Numbers with a missing value, a categorical, a string and a boolean column."""
    rng = np.random.RandomState(seed)
    y = rng.randint(2, size=n)
    X = pd.DataFrame({
        "amount": rng.normal(size=n) + y,
        "merchant": pd.Categorical(rng.choice(["grocery", "travel", "online"], size=n)),
        "channel": np.where(y == 1, "web", rng.choice(["web", "pos"], size=n)).astype(object),
        "new_device": rng.rand(n) < 0.3,
    })
    X.loc[3, "amount"] = np.nan
    X.loc[5, "channel"] = None
    return X, y


@pytest.mark.parametrize("Est", [ActiveSynthesisClassifier, ActiveSynthesisSampler])
def test_default_estimator_fits_a_mixed_frame(Est):
    X, y = _mixed_frame()
    X_before = X.copy()
    est = Est(max_iter=1, random_state=0)
    if Est is ActiveSynthesisClassifier:
        est.fit(X, y)
        proba = est.predict_proba(X)
        assert proba.shape == (len(y), 2) and np.isfinite(proba).all()
        # a category never seen in fit is ignored, not an error
        est.predict(X.assign(channel="phone"))
    else:
        X_res, y_res = est.fit_resample(X, y)
        assert list(X_res.columns) == list(X.columns)
    assert isinstance(est.estimator_, Pipeline)
    assert isinstance(est.estimator_[-1], LogisticRegression)
    assert est.estimator is None  # the parameter is left as the user set it
    pd.testing.assert_frame_equal(X, X_before)


def test_default_estimator_on_the_readme_data():
    X, y = make_fraud_transactions(n_samples=2000, random_state=0)
    clf = ActiveSynthesisClassifier(max_iter=1, random_state=0).fit(X, y)
    names = clf.estimator_[:-1].get_feature_names_out()
    assert any(n.startswith("categorical__merchant_category_") for n in names)
    assert "numeric__amount" in names


def test_default_estimator_on_arrays_is_exactly_logistic_regression():
    X, y = make_classification(n_samples=200, random_state=0)
    default = ActiveSynthesisClassifier(max_iter=1, random_state=0).fit(X, y)
    explicit = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1,
                                         random_state=0).fit(X, y)
    assert type(default.estimator_) is LogisticRegression
    np.testing.assert_array_equal(default.predict_proba(X), explicit.predict_proba(X))
    # a numeric frame without missing values too
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    on_frame = ActiveSynthesisClassifier(max_iter=1, random_state=0).fit(frame, y)
    assert type(on_frame.estimator_) is LogisticRegression
    np.testing.assert_allclose(on_frame.predict_proba(frame), default.predict_proba(X))


def test_set_params_on_the_default_estimator():
    X, y = make_classification(n_samples=200, random_state=0)
    clf = ActiveSynthesisClassifier(max_iter=1, random_state=0).set_params(estimator__C=0.01)
    assert isinstance(clf.estimator, LogisticRegression) and clf.estimator.C == 0.01
    assert clf.fit(X, y).estimator_.C == 0.01
    Xm, ym = _mixed_frame()
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) 'merchant', 'channel'.*"
                       r"estimator__logisticregression__C"):
        clf.fit(Xm, ym)


def test_logistic_regression_on_numeric_categoricals_still_fits():
    # a categorical of numbers converts to floats: no error for it
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["level"] = pd.Categorical(np.arange(200) % 3)
    ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, random_state=0).fit(frame, y)


class _ThreadRecorder(ClassifierMixin, BaseEstimator):
    """LogisticRegression that records the OpenMP/BLAS threads it was given."""

    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        self.threads_ = {p["user_api"]: p["num_threads"] for p in threadpool_info()}
        self.lr_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)


def test_fits_run_with_the_thread_budget_of_n_jobs():
    X, y = make_classification(n_samples=200, random_state=0)
    with threadpool_limits(limits=2):
        clf = ActiveSynthesisClassifier(_ThreadRecorder(), max_iter=1, random_state=0)
        clf.fit(X, y)
        assert set(clf.estimator_.threads_.values()) == {1}
        # the limit is lifted after fit
        assert {p["num_threads"] for p in threadpool_info()} == {2}
        clf.set_params(n_jobs=2).fit(X, y)
        assert set(clf.estimator_.threads_.values()) == {2}
        # a base estimator with its own n_jobs: the loop sets no limit of its own
        clf = ActiveSynthesisClassifier(_ThreadRecorder(n_jobs=1), max_iter=1,
                                        random_state=0).fit(X, y)
        assert set(clf.estimator_.threads_.values()) == {2}


def test_thread_budget_rules():
    lr = LogisticRegression()
    assert thread_budget(None, lr) == 1
    assert thread_budget(3, lr) == 3
    assert thread_budget(None, RandomForestClassifier(n_jobs=4)) is None
    assert thread_budget(None, Pipeline([("rf", RandomForestClassifier(n_jobs=2))])) is None
    # workers x threads never exceed the budget
    assert worker_thread_limit(4, lr, n_tasks=5) == 1
    assert worker_thread_limit(4, lr, n_tasks=2) == 2
    assert worker_thread_limit(None, lr, n_tasks=5) is None  # one worker: the fit's limit
    assert worker_thread_limit(4, RandomForestClassifier(n_jobs=2), n_tasks=5) is None
