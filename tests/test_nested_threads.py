"""Nested parallelism: the loop's workers and a base estimator's own n_jobs."""

import threading
import time

import pytest
from joblib import cpu_count, parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.utils._threads import task_workers


class _Concurrency(ClassifierMixin, BaseEstimator):
    """A LogisticRegression that records how many of its fits run at once."""

    lock = threading.Lock()
    running = 0
    most = 0

    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        cls = type(self)
        with cls.lock:
            cls.running += 1
            cls.most = max(cls.most, cls.running)
        try:
            time.sleep(0.05)  # long enough for the other workers' fits to overlap
            self.lr_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
            self.classes_ = self.lr_.classes_
        finally:
            with cls.lock:
                cls.running -= 1
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)


@pytest.mark.parametrize("own_n_jobs, expected, uncertainty", [
    (None, 4, "entropy"), (2, 2, "entropy"), (4, 1, "entropy"),
    (None, 4, "ensemble_variance"), (2, 2, "ensemble_variance")])
def test_base_estimators_own_n_jobs_divides_the_loops_workers(own_n_jobs, expected,
                                                              uncertainty):
    # the out-of-fold fits (or the committee's members) run in the loop's 4
    # workers; a base estimator that runs 2 (4) workers of its own in every fit
    # gets 2 (1) of them at a time, so the two never multiply beyond n_jobs=4
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    _Concurrency.most = 0
    with parallel_config(backend="threading"):
        ActiveSynthesisClassifier(_Concurrency(n_jobs=own_n_jobs), max_iter=1, n_jobs=4,
                                  uncertainty=uncertainty, validation_fraction=None,
                                  random_state=0).fit(X, y)
    assert _Concurrency.most == expected


def test_task_workers_rules():
    lr = LogisticRegression()
    assert task_workers(4, lr, n_tasks=5) == 4
    assert task_workers(None, lr, n_tasks=5) is None  # joblib's default decides
    assert task_workers(4, RandomForestClassifier(n_jobs=2), n_tasks=5) == 2
    assert task_workers(4, RandomForestClassifier(n_jobs=3), n_tasks=5) == 1
    assert task_workers(4, RandomForestClassifier(n_jobs=2), n_tasks=2) == 1
    assert task_workers(1, RandomForestClassifier(n_jobs=2), n_tasks=5) == 1
    # n_jobs=-1 in the estimator (inside a pipeline too): every core
    assert task_workers(4, Pipeline([("rf", RandomForestClassifier(n_jobs=-1))]), 5) == \
        max(1, 4 // cpu_count())
    assert task_workers(4, RandomForestClassifier(n_jobs=1), n_tasks=5) == 4


def test_selector_arms_candidates_are_fitted_in_parallel():
    # the arms pulled in a round are fitted as parallel tasks of n_jobs; the fit
    # is the sequential one
    import numpy as np

    from sklearn_activesynth.selection import Arm, UCBSelector

    X, y = make_classification(n_samples=400, weights=[0.8], random_state=0)
    selector = UCBSelector(arms=[Arm("uncertain", "uncertain"),
                                 Arm("random_matched", "random_matched")],
                           pulls_per_round=2)
    fits = []
    for n_jobs in (1, 2):
        _Concurrency.most = 0
        with parallel_config(backend="threading"):
            fits.append(ActiveSynthesisClassifier(
                _Concurrency(), selector=selector, max_iter=2, n_jobs=n_jobs,
                uncertainty_cv=None, random_state=0).fit(X, y))
        assert _Concurrency.most == n_jobs
    np.testing.assert_array_equal(fits[0].synthetic_X_, fits[1].synthetic_X_)
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))
    assert fits[0].history_["arms_pulled"].iloc[1] == "uncertain,random_matched"
