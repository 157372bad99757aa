import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from sklearn_activesynth.uncertainty import (
    EnsembleVariance,
    SoftmaxUncertainty,
    ensemble_variance,
    entropy,
    least_confidence,
    margin,
    predict_proba_like,
)


def test_measures_on_known_values():
    p = np.array([[0.5, 0.5], [1.0, 0.0], [0.7, 0.3]])
    np.testing.assert_allclose(entropy(p), [np.log(2), 0.0, -(0.7 * np.log(0.7) + 0.3 * np.log(0.3))])
    np.testing.assert_allclose(entropy(p, normalize=True)[0], 1.0)
    np.testing.assert_allclose(margin(p), [1.0, 0.0, 0.6])
    np.testing.assert_allclose(least_confidence(p), [0.5, 0.0, 0.3])
    three = np.array([[0.2, 0.5, 0.3]])
    np.testing.assert_allclose(margin(three), [0.8])


def test_ensemble_variance_formula_and_nan_members():
    # two members, one row: predictions 0.9/0.1 and 0.5/0.5
    p = np.array([[[0.9, 0.1]], [[0.5, 0.5]]])
    expected = 2 * np.var([0.9, 0.5])
    np.testing.assert_allclose(ensemble_variance(p), [expected])
    p_nan = np.array([[[0.9, 0.1]], [[np.nan, np.nan]], [[0.5, 0.5]]])
    np.testing.assert_allclose(ensemble_variance(p_nan), [expected])
    assert ensemble_variance(np.array([[[0.3, 0.7]], [[0.3, 0.7]]]))[0] == 0


def test_measures_reject_bad_shapes():
    with pytest.raises(ValueError, match="2-D"):
        entropy([0.5, 0.5])
    with pytest.raises(ValueError, match="3-D"):
        ensemble_variance([[0.5, 0.5]])


def test_scorer_objects_and_decision_function_fallback():
    X, y = make_classification(n_samples=200, random_state=0)
    lr = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(SoftmaxUncertainty("entropy")(lr, X), entropy(lr.predict_proba(X)))
    svc = LinearSVC().fit(X, y)
    p = predict_proba_like(svc, X)
    assert p.shape == (200, 2) and np.allclose(p.sum(1), 1)
    forest = RandomForestClassifier(n_estimators=7, random_state=0).fit(X, y)
    u = EnsembleVariance()(forest, X)
    assert u.shape == (200,) and u.max() > 0
    with pytest.raises(TypeError, match="estimators_"):
        EnsembleVariance()(lr, X)


def test_committee_is_parallel_and_out_of_bag():
    X, y = make_classification(n_samples=150, random_state=0)
    scorer = EnsembleVariance(n_members=4)
    members, in_bag = scorer.fit_committee(LogisticRegression(), X, y, random_state=0, n_jobs=2)
    assert len(members) == 4 and in_bag.shape == (4, 150)
    u, proba = scorer.score_committee(members, X, 2, exclude=in_bag)
    assert np.all(np.isfinite(u)) and proba.shape == (150, 2)
