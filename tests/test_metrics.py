"""Tests for sklearn_activesynth.metrics (answers worked out by hand)."""

import doctest

import numpy as np
import pytest

from sklearn_activesynth import metrics
from sklearn_activesynth.metrics import recall_at_precision

# Sorted by score, descending: 0.8 (+), 0.4 (-), 0.35 (+), 0.1 (-).
# threshold 0.8 : TP=1 FP=0 -> precision 1.0, recall 0.5
# threshold 0.4 : TP=1 FP=1 -> precision 0.5, recall 0.5
# threshold 0.35: TP=2 FP=1 -> precision 2/3, recall 1.0
# threshold 0.1 : TP=2 FP=2 -> precision 0.5, recall 1.0
Y4 = [0, 0, 1, 1]
S4 = [0.1, 0.4, 0.35, 0.8]


@pytest.mark.parametrize(
    "precision, expected",
    [(1.0, 0.5), (0.9, 0.5), (0.7, 0.5), (2 / 3, 1.0), (0.6, 1.0), (0.5, 1.0), (0.0, 1.0)],
)
def test_small_example(precision, expected):
    assert recall_at_precision(Y4, S4, precision=precision) == expected


def test_default_precision_is_090():
    assert recall_at_precision(Y4, S4) == 0.5


def test_ten_rows():
    # scores descending with labels: 1 1 1 0 1 1 0 0 0 0 (5 positives)
    # top-3: P=3/3 R=3/5; top-5: P=4/5 R=4/5; top-6: P=5/6 R=5/5
    y = np.array([1, 1, 1, 0, 1, 1, 0, 0, 0, 0])
    s = np.linspace(1.0, 0.1, 10)
    assert recall_at_precision(y, s, precision=0.9) == pytest.approx(0.6)
    assert recall_at_precision(y, s, precision=0.8) == pytest.approx(1.0)  # 5/6 >= 0.8
    assert recall_at_precision(y, s, precision=0.84) == pytest.approx(0.6)  # 5/6, 4/5 < 0.84
    # permuting the rows changes nothing
    perm = np.random.RandomState(0).permutation(10)
    assert recall_at_precision(y[perm], s[perm], precision=0.8) == pytest.approx(1.0)


def test_ties_share_one_threshold():
    # all four rows tie: the only threshold predicts all positive, precision 0.5
    assert recall_at_precision([0, 1, 0, 1], [0.5] * 4, precision=0.9) == 0.0
    assert recall_at_precision([0, 1, 0, 1], [0.5] * 4, precision=0.5) == 1.0


def test_precision_never_reached_returns_zero():
    # the highest score is a negative: precision is 0.0, then 0.5
    assert recall_at_precision([1, 0], [0.2, 0.9], precision=0.9) == 0.0
    # scores perfectly inverted
    assert recall_at_precision([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], precision=0.6) == 0.0


def test_no_positive_rows_returns_zero():
    assert recall_at_precision([0, 0, 0], [0.1, 0.5, 0.9]) == 0.0


def test_perfect_ranking():
    assert recall_at_precision([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], precision=1.0) == 1.0


def test_string_labels_need_pos_label():
    y = np.array(["ok", "ok", "fraud", "fraud"])
    assert recall_at_precision(y, S4, precision=0.9, pos_label="fraud") == 0.5
    with pytest.raises(ValueError, match="pos_label"):
        recall_at_precision(y, S4)


def test_minus_one_plus_one_labels():
    assert recall_at_precision([-1, -1, 1, 1], S4, precision=0.9) == 0.5


def test_sample_weight():
    # weight 3 on the negative scored 0.4: threshold 0.35 has TP=2 FP=3 -> 0.4;
    # the best recall at precision >= 0.5 is then 0.5 (threshold 0.8)
    w = [1, 3, 1, 1]
    assert recall_at_precision(Y4, S4, precision=0.5, sample_weight=w) == 0.5
    assert recall_at_precision(Y4, S4, precision=0.5, sample_weight=[1, 1, 1, 1]) == 1.0


def test_returns_python_float():
    assert type(recall_at_precision(Y4, S4)) is float


@pytest.mark.parametrize("bad", [-0.1, 1.5, "high", None])
def test_bad_precision_raises(bad):
    with pytest.raises(ValueError, match="precision"):
        recall_at_precision(Y4, S4, precision=bad)


def test_multiclass_raises():
    with pytest.raises(ValueError, match="binary"):
        recall_at_precision([0, 1, 2], [0.1, 0.2, 0.3])


def test_length_mismatch_raises():
    with pytest.raises(ValueError):
        recall_at_precision([0, 1, 1], [0.1, 0.2])


def test_docstring_examples():
    failed, attempted = doctest.testmod(metrics, optionflags=doctest.ELLIPSIS)
    assert attempted > 0
    assert failed == 0
