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
