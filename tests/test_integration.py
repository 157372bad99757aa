import numpy as np
import pytest

from sklearn_activesynth.integration import (
    curriculum_alpha,
    integration_weights,
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
