"""expected_calibration_error and reliability_curve on answers worked out by hand."""

import numpy as np
import pytest

from sklearn_activesynth.metrics import expected_calibration_error, reliability_curve


def test_binary_scores_by_hand():
    # bins of width 0.5: {0.1, 0.3} -> mean 0.2, one positive of two; {0.9, 0.8} -> 0.85, both
    y, p = [0, 1, 1, 1], [0.1, 0.9, 0.8, 0.3]
    pred, obs, n = reliability_curve(y, p, n_bins=2)
    np.testing.assert_allclose(pred, [0.2, 0.85])
    np.testing.assert_allclose(obs, [0.5, 1.0])
    assert n.tolist() == [2, 2]
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(
        (2 * 0.3 + 2 * 0.15) / 4)


def test_top_label_for_2d_probabilities():
    proba = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]
    # confidences 0.9 (right), 0.8 (right), 0.6 (wrong), each alone in its bin
    assert expected_calibration_error([0, 1, 1], proba, n_bins=10) == pytest.approx(
        (0.1 + 0.2 + 0.6) / 3)


def test_perfect_calibration_is_zero_and_empty_bins_are_nan():
    y = np.array([1] * 3 + [0] * 7 + [1] * 8 + [0] * 2)
    p = np.array([0.3] * 10 + [0.8] * 10)
    assert expected_calibration_error(y, p, n_bins=10) == 0.0
    pred, obs, n = reliability_curve(y, p, n_bins=10)
    assert n.sum() == 20 and np.isnan(pred[0]) and np.isnan(obs[0])


@pytest.mark.parametrize("y, p, match", [
    ([0, 2], [0.1, 0.9], "0/1"),
    ([0, 1], [0.1, 1.5], r"\[0, 1\]"),
    ([0, 3], [[0.5, 0.5], [0.5, 0.5]], "column indices"),
])
def test_invalid_input(y, p, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(y, p)


def test_invalid_n_bins():
    with pytest.raises(ValueError, match="n_bins"):
        reliability_curve([0, 1], [0.2, 0.8], n_bins=0)


# --- against scikit-learn's calibration_curve, which computes the curve ---------------

def _random_scores(seed, n=500):
    rng = np.random.RandomState(seed)
    p = rng.beta(0.7, 0.7, size=n)
    p[:20] = np.round(p[:20], 1)  # values on bin edges (0.1, 0.2, ...) too
    p[20:25] = [0.0, 1.0, 0.5, 0.3, 0.7]
    y = (rng.uniform(size=n) < p).astype(int)
    return y, p


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_bins", [1, 3, 10, 15])
def test_reliability_curve_is_sklearns_calibration_curve_plus_counts(seed, n_bins):
    from sklearn.calibration import calibration_curve

    y, p = _random_scores(seed)
    pred, obs, n = reliability_curve(y, p, n_bins=n_bins)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    assert pred.shape == obs.shape == n.shape == (n_bins,)
    # the non-empty bins are scikit-learn's, in order, exactly
    np.testing.assert_array_equal(pred[n > 0], prob_pred)
    np.testing.assert_array_equal(obs[n > 0], prob_true)
    assert np.isnan(pred[n == 0]).all() and np.isnan(obs[n == 0]).all()
    assert n.sum() == len(p)
    # the counts are those of scikit-learn's bins: they rebuild its bin means
    np.testing.assert_allclose(np.nansum(pred * n), p.sum())
    np.testing.assert_allclose(np.nansum(obs * n), y.sum())


def test_bins_are_closed_on_the_right_like_sklearn():
    # 0.5 lies on the edge of two bins: scikit-learn puts it in [0, 0.5] (the
    # bins of Guo et al. are ((m-1)/M, m/M]); the hand-written binning this
    # replaced put it in [0.5, 1)
    pred, obs, n = reliability_curve([0, 1, 1], [0.2, 0.5, 0.9], n_bins=2)
    assert n.tolist() == [2, 1]
    np.testing.assert_allclose(pred, [0.35, 0.9])
    # the expected calibration error uses the same bins
    assert expected_calibration_error([0, 1, 1], [0.2, 0.5, 0.9], n_bins=2) == \
        pytest.approx((2 * abs(0.35 - 0.5) + abs(0.9 - 1.0)) / 3)


def test_top_label_curve_is_calibration_curve_of_correctness():
    from sklearn.calibration import calibration_curve

    rng = np.random.RandomState(0)
    proba = rng.dirichlet([1.0, 1.0, 1.0], size=300)
    y = rng.randint(3, size=300)
    pred, obs, n = reliability_curve(y, proba, n_bins=10)
    correct = (proba.argmax(1) == y).astype(int)
    prob_true, prob_pred = calibration_curve(correct, proba.max(1), n_bins=10)
    np.testing.assert_array_equal(pred[n > 0], prob_pred)
    np.testing.assert_array_equal(obs[n > 0], prob_true)


@pytest.mark.parametrize("seed", range(4))
def test_ece_is_the_count_weighted_gap_of_the_curve(seed):
    y, p = _random_scores(seed)
    pred, obs, n = reliability_curve(y, p, n_bins=15)
    expected = np.nansum(n * np.abs(pred - obs)) / n.sum()
    assert expected_calibration_error(y, p, n_bins=15) == pytest.approx(expected, abs=1e-12)


def test_sklearn_still_has_no_expected_calibration_error():
    # expected_calibration_error is kept because scikit-learn has none; when
    # this fails, replace it by scikit-learn's (or wrap it)
    import sklearn.metrics

    assert not [name for name in dir(sklearn.metrics) if "calibration_error" in name]


def test_nan_probabilities_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        reliability_curve([0, 1], [0.2, np.nan])
