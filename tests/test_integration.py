import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.integration import (
    CallableIntegration,
    ConcatIntegration,
    CurriculumIntegration,
    UncertaintyIntegration,
    WeightedIntegration,
    curriculum_alpha,
    integration_weights,
    resolve_integration,
    weighted_resample,
)


def test_curriculum_follows_the_seed_formula():
    for t in [0, 1, 2, 5]:
        expected = 1.0 * np.exp(-0.7 * t) + 0.3 * (1 - np.exp(-0.7 * t))
        assert curriculum_alpha(t, alpha_start=1.0, alpha_end=0.3, rate=0.7) == pytest.approx(expected)


def test_weighted_gives_each_group_its_share():
    w = integration_weights("weighted", n_real=80, n_synthetic=20, synthetic_weight=0.25)
    assert w[:80].sum() / w.sum() == pytest.approx(0.75)
    assert w.mean() == pytest.approx(1.0)
    assert np.all(integration_weights("concat", n_real=3, n_synthetic=2) == 1)


def test_curriculum_moves_weight_to_synthetic_rows_over_rounds():
    shares = [integration_weights("curriculum", n_real=50, n_synthetic=50, round_=t,
                                  synthetic_weight=0.5)[50:].sum() / 100 for t in (1, 2, 4)]
    assert shares[0] < shares[1] < shares[2] < 0.5


def test_uncertainty_weights_are_proportional_and_floored():
    w = integration_weights("uncertainty", n_real=3, n_synthetic=1,
                            real_uncertainty=np.array([0.0, 0.2, 0.4]),
                            synthetic_uncertainty=np.array([0.4]))
    assert w[0] > 0  # a confident real row is down-weighted, never dropped
    assert w[2] == pytest.approx(2 * w[1])


def test_callable_and_bad_output():
    w = integration_weights(lambda nr, ns, t, ur, us: np.r_[np.ones(nr), 0.5 * np.ones(ns)],
                            n_real=2, n_synthetic=2)
    assert list(w) == [1, 1, 0.5, 0.5]
    with pytest.raises(ValueError, match="4 finite non-negative"):
        integration_weights(lambda *a: np.ones(3), n_real=2, n_synthetic=2)


def test_weighted_resample_follows_the_weights():
    idx = weighted_resample(np.array([1.0, 0.0, 3.0]), np.random.RandomState(0))
    assert 1 not in idx and len(idx) == 3


# ------------------------------------------------------------ strategy objects
@pytest.mark.parametrize("name, cls", [
    ("concat", ConcatIntegration), ("weighted", WeightedIntegration),
    ("curriculum", CurriculumIntegration), ("uncertainty", UncertaintyIntegration)])
def test_each_name_resolves_to_its_strategy_with_the_same_weights(name, cls):
    strategy = resolve_integration(name)
    assert type(strategy) is cls
    u_r, u_s = np.array([0.1, 0.4, 0.2]), np.array([0.3, 0.05])
    for t in (0, 1, 3):
        np.testing.assert_array_equal(
            strategy.weights(n_real=3, n_synthetic=2, round_=t, real_uncertainty=u_r,
                             synthetic_uncertainty=u_s),
            integration_weights(name, n_real=3, n_synthetic=2, round_=t,
                                real_uncertainty=u_r, synthetic_uncertainty=u_s))


def test_strategy_parameters_reach_the_weights():
    w = WeightedIntegration(synthetic_weight=0.2).weights(n_real=4, n_synthetic=1, round_=1)
    assert w[:4].sum() == pytest.approx(0.8 * 5) and w[4] == pytest.approx(0.2 * 5)
    slow = CurriculumIntegration(rate=0.1).weights(n_real=1, n_synthetic=1, round_=1)
    fast = CurriculumIntegration(rate=5.0).weights(n_real=1, n_synthetic=1, round_=1)
    assert slow[1] < fast[1] <= 1.0 + 1e-12  # a fast schedule gives synthetic rows more
    assert resolve_integration(lambda *a: np.ones(3)).__class__ is CallableIntegration
    with pytest.raises(ValueError, match="Unknown integration"):
        resolve_integration("bogus")
    with pytest.raises(TypeError, match="integration must be"):
        resolve_integration(3)


def test_integration_parameters_are_tunable_through_the_estimator():
    X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
    clf = ActiveSynthesisClassifier(LogisticRegression(), integration="weighted",
                                    max_iter=1, random_state=0)
    clf.set_params(integration__synthetic_weight=0.3)  # a string is made explicit
    assert isinstance(clf.integration, WeightedIntegration)
    assert clf.integration.synthetic_weight == 0.3
    assert clone(clf).get_params()["integration__synthetic_weight"] == 0.3
    grid = GridSearchCV(
        ActiveSynthesisClassifier(LogisticRegression(), integration="weighted", max_iter=1,
                                  random_state=0),
        {"integration__synthetic_weight": [0.1, 0.9]}, cv=2).fit(X, y)
    assert grid.best_estimator_.integration.synthetic_weight in (0.1, 0.9)
    with pytest.raises(ValueError, match="synthetic_weight"):
        ActiveSynthesisClassifier(integration=WeightedIntegration(1.5), max_iter=1,
                                  validation_fraction=None, random_state=0).fit(X, y)
