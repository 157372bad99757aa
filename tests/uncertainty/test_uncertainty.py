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


# --- the library versions: scipy.stats.entropy, scipy.special.softmax / expit ------------

def _entropy_by_hand(p):
    """The formula the package computed before scipy did it: -sum p log p, 0 log 0 = 0."""
    return -np.sum(np.where(p > 0, p * np.log(np.clip(p, 1e-12, 1.0)), 0.0), axis=1)


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_entropy_is_scipys(n_classes):
    import scipy.stats

    rng = np.random.RandomState(n_classes)
    p = rng.dirichlet(np.full(n_classes, 0.5), size=200)
    p[:5] = np.eye(n_classes)[rng.randint(n_classes, size=5)]  # certain rows: 0 log 0
    np.testing.assert_array_equal(entropy(p), np.maximum(scipy.stats.entropy(p, axis=1), 0))
    np.testing.assert_allclose(entropy(p), _entropy_by_hand(p), atol=1e-12)
    np.testing.assert_allclose(entropy(p, normalize=True),
                               scipy.stats.entropy(p, axis=1) / np.log(n_classes), atol=1e-15)


def test_entropy_equals_scipys_bit_for_bit_on_awkward_rows():
    # entropy does scipy.stats.entropy's arithmetic itself (the loop scores
    # every out-of-fold row with it): unnormalised, float32-rounded, negative,
    # zero and NaN rows, and column-major input, give scipy's exact numbers
    import scipy.stats

    rng = np.random.RandomState(0)
    p = rng.dirichlet(np.full(4, 0.3), size=300)
    p[:50] *= rng.uniform(0.2, 3.0, size=(50, 1))
    p[50:100] = p[50:100].astype(np.float32)
    p[100:110, 0] = -1e-17
    p[110:115] = 0.0
    p[115:120, 1] = np.nan
    for q in (p, np.asfortranarray(p), p[:, :2], p[:, :1]):
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.maximum(scipy.stats.entropy(np.maximum(q, 0.0), axis=1), 0.0)
        np.testing.assert_array_equal(entropy(q), expected)


def test_entropy_normalizes_rows_as_scipy_does():
    # a row that sums to 0.5 is the distribution (0.5, 0.5) to scipy; the
    # hand-written formula gave 0.5 log 2 for it
    np.testing.assert_allclose(entropy([[0.25, 0.25]]), [np.log(2)])
    # a negative rounding error counts as 0, a NaN gives NaN
    np.testing.assert_allclose(entropy([[1.0, -1e-17]]), [0.0])
    assert np.isnan(entropy([[np.nan, 0.5]])[0])


def test_decision_function_probabilities_are_scipys_expit_and_softmax():
    from scipy.special import expit, softmax
    from sklearn.datasets import load_iris

    X, y = make_classification(n_samples=120, random_state=0)
    svc = LinearSVC().fit(X, y)
    d = svc.decision_function(X)
    np.testing.assert_array_equal(predict_proba_like(svc, X)[:, 1], expit(d))
    np.testing.assert_allclose(predict_proba_like(svc, X)[:, 1], 1 / (1 + np.exp(-d)))
    X3, y3 = load_iris(return_X_y=True)
    svc3 = LinearSVC().fit(X3, y3)
    d3 = svc3.decision_function(X3)
    p3 = predict_proba_like(svc3, X3)
    np.testing.assert_array_equal(p3, softmax(d3, axis=1))
    e = np.exp(d3 - d3.max(1, keepdims=True))
    np.testing.assert_allclose(p3, e / e.sum(1, keepdims=True), rtol=1e-12)
