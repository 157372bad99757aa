"""Uncertainty measures: pure functions of predicted class probabilities.

Each function takes ``proba`` of shape ``(n_samples, n_classes)`` (or a stack of
member probabilities for :func:`ensemble_variance`) and returns one score per
sample; larger means more uncertain.
"""

import numpy as np
import scipy.special

__all__ = ["entropy", "margin", "least_confidence", "ensemble_variance"]


def _check_proba(proba):
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2:
        raise ValueError(
            f"proba must be 2-D (n_samples, n_classes), got shape {proba.shape}."
        )
    return proba


def entropy(proba, *, normalize=False):
    r"""Shannon entropy of the predicted distribution (softmax response).

    :math:`U(x) = -\sum_c p(y=c|x) \log p(y=c|x)` (seed 000, §2.2, item 4),
    computed as :func:`scipy.stats.entropy` computes it row by row (natural
    logarithm).
    As scipy does, each row is first divided by its sum, so rows that sum to
    1 only up to rounding (float32 networks) give the entropy of the
    distribution they stand for; a row with no mass (all zeros) or a NaN
    gives NaN. Negative entries (rounding below 0) count as 0.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Predicted class probabilities.
    normalize : bool, default=False
        Divide by :math:`\log C` so the score lies in ``[0, 1]``.

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn_activesynth.uncertainty import entropy
    >>> entropy([[0.5, 0.5], [1.0, 0.0]]).round(3)
    array([0.693, 0.   ])
    """
    proba = _check_proba(proba)
    with np.errstate(invalid="ignore", divide="ignore"):
        # scipy.stats.entropy(pk, axis=1)'s own arithmetic, without its
        # per-call argument handling (which cost three times the sums on the
        # loop's out-of-fold rows); the same numbers (tests/uncertainty)
        pk = np.maximum(proba, 0.0)
        pk = pk / np.sum(pk, axis=1, keepdims=True)
        scores = np.sum(scipy.special.entr(pk), axis=1)
    if normalize and proba.shape[1] > 1:
        scores = scores / np.log(proba.shape[1])
    return np.maximum(scores, 0.0)  # rounding can give -1e-17; NaN stays NaN


def margin(proba):
    """One minus the gap between the two most probable classes.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        ``1 - (p_(1) - p_(2))``: 1 on a tie, 0 when one class has all the mass.

    Examples
    --------
    >>> from sklearn_activesynth.uncertainty import margin
    >>> margin([[0.5, 0.5], [0.9, 0.1]]).round(2)
    array([1. , 0.2])
    """
    proba = _check_proba(proba)
    if proba.shape[1] < 2:
        return np.zeros(proba.shape[0])
    top2 = -np.partition(-proba, 1, axis=1)[:, :2]
    return 1.0 - (top2[:, 0] - top2[:, 1])


def least_confidence(proba):
    """One minus the probability of the most likely class.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn_activesynth.uncertainty import least_confidence
    >>> least_confidence([[0.5, 0.5], [0.9, 0.1]]).round(2)
    array([0.5, 0.1])
    """
    proba = _check_proba(proba)
    return 1.0 - proba.max(axis=1)


def ensemble_variance(member_proba):
    r"""Disagreement of a committee: variance of the members' predictions.

    :math:`U(x) = \frac{1}{k}\sum_i (f_{M_i}(x) - \bar f_M(x))^2`
    (seed 000, §2.2.1), computed per class on the predicted probabilities and
    summed over classes.

    Parameters
    ----------
    member_proba : array-like of shape (n_members, n_samples, n_classes)
        Each member's predicted probabilities. Entries that are NaN (a member
        that did not score a row, e.g. out-of-bag scoring) are ignored.

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.uncertainty import ensemble_variance
    >>> p = np.array([[[0.9, 0.1]], [[0.1, 0.9]]])
    >>> ensemble_variance(p).round(2)
    array([0.32])
    """
    member_proba = np.asarray(member_proba, dtype=float)
    if member_proba.ndim != 3:
        raise ValueError(
            "member_proba must be 3-D (n_members, n_samples, n_classes), got "
            f"shape {member_proba.shape}."
        )
    counts = np.sum(~np.isnan(member_proba[..., 0]), axis=0)
    if np.any(counts == 0):
        # rows no member scored: no disagreement can be measured
        member_proba = np.where(np.isnan(member_proba), 0.0, member_proba)
    with np.errstate(invalid="ignore"):
        var = np.nanvar(member_proba, axis=0)
    return np.nan_to_num(var).sum(axis=1)
