"""Metrics for imbalanced problems, where the positive class is what matters."""

# License: BSD 3 clause

from numbers import Real

import numpy as np
from sklearn.metrics import precision_recall_curve
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = ["recall_at_precision"]


def recall_at_precision(y_true, scores, precision=0.9, *, pos_label=None,
                        sample_weight=None):
    """Highest recall reachable while precision stays at or above a target.

    A fraud team fixes the share of alerts that must be real fraud (the
    precision) and asks how much of the fraud it then catches (the recall).
    Every distinct score is tried as a threshold (predict positive when
    ``scores >= threshold``); among the thresholds whose precision is at least
    ``precision``, the largest recall is returned.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True binary labels.
    scores : array-like of shape (n_samples,)
        Scores of the positive class: probabilities (e.g.
        ``predict_proba(X)[:, 1]``) or any monotone score such as
        ``decision_function(X)``.
    precision : float, default=0.9
        The precision to hold, in [0, 1].
    pos_label : int, float, bool or str, default=None
        The positive label. ``None`` means 1 when the labels are {0, 1} or
        {-1, 1}; other labels need it set.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    recall : float
        The highest recall, in [0, 1], at a threshold with precision >=
        ``precision``. ``0.0`` when no threshold reaches that precision, and
        when ``y_true`` has no positive row.

    See Also
    --------
    sklearn.metrics.precision_recall_curve : every (precision, recall) pair.
    sklearn.metrics.average_precision_score : the area under that curve.

    Examples
    --------
    >>> from sklearn_activesynth.metrics import recall_at_precision
    >>> y_true = [0, 0, 1, 1]
    >>> scores = [0.1, 0.4, 0.35, 0.8]
    >>> recall_at_precision(y_true, scores, precision=0.9)  # only 0.8 is pure
    0.5
    >>> recall_at_precision(y_true, scores, precision=0.6)  # 2 of 3 above 0.35
    1.0
    >>> recall_at_precision([1, 0], [0.2, 0.9], precision=0.9)  # never reached
    0.0
    """
    if not isinstance(precision, Real) or isinstance(precision, bool) or \
            not 0.0 <= precision <= 1.0:
        raise ValueError(
            f"precision must be a number in [0, 1], got {precision!r}."
        )
    y_true = column_or_1d(y_true)
    scores = column_or_1d(scores)
    check_consistent_length(y_true, scores, sample_weight)
    labels = np.unique(y_true)
    if len(labels) > 2:
        raise ValueError(
            f"recall_at_precision needs binary y_true; got {len(labels)} classes "
            f"{labels.tolist()[:10]}."
        )
    if pos_label is None:
        if not set(labels.tolist()) <= {0, 1} and not set(labels.tolist()) <= {-1, 1}:
            raise ValueError(
                f"y_true takes values {labels.tolist()}; pass pos_label to say which "
                "one is the positive class."
            )
        pos_label = 1
    positives = y_true == pos_label
    if sample_weight is not None:
        sample_weight = column_or_1d(sample_weight).astype(float)
        if not np.any(sample_weight[positives] > 0):
            return 0.0
    elif not np.any(positives):
        return 0.0
    prec, rec, _ = precision_recall_curve(
        y_true, scores, pos_label=pos_label, sample_weight=sample_weight,
        drop_intermediate=False,
    )
    # the curve ends with the artificial point (precision=1, recall=0); it
    # says nothing about reaching the target, so leave it out
    prec, rec = prec[:-1], rec[:-1]
    reached = prec >= precision
    if not np.any(reached):
        return 0.0
    return float(np.max(rec[reached]))
