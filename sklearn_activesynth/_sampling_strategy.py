"""imbalanced-learn's ``sampling_strategy`` for an over-sampler, without imbalanced-learn.

imbalanced-learn is an optional extra, so the sampler cannot call
``imblearn.utils.check_sampling_strategy``; this module mirrors its
over-sampling behaviour and error messages (imbalanced-learn 0.14) so that a
strategy means the same here as for ``SMOTE``. ``tests/test_sampler.py``
compares both when imbalanced-learn is installed.
"""

from collections import OrderedDict
from numbers import Real

import numpy as np
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

__all__ = ["check_sampling_strategy", "check_target_type", "SAMPLING_STRATEGY_STRINGS"]

SAMPLING_STRATEGY_STRINGS = ("auto", "minority", "not minority", "not majority", "all")

from ._base import _validate_labels


def check_target_type(y):
    """``y`` as a 1d label array, and whether it came one-hot encoded.

    A label-indicator matrix with one 1 per row (one-vs-all) is read as the
    column index of that 1, as imbalanced-learn's samplers read it; a true
    multilabel target is refused.
    """
    try:
        kind = type_of_target(y)
    except TypeError:  # labels that cannot be ordered: say so the way fit does
        _validate_labels(y, len(y))
        raise
    if kind == "multilabel-indicator":
        y = np.asarray(y)
        if np.any(y.sum(axis=1) != 1):
            raise ValueError(
                "ActiveSynthesisSampler supports binary, multiclass and one-hot encoded "
                "multiclass targets. Multilabel and multioutput targets are not "
                "supported.")
        return y.argmax(axis=1), True
    return y, False


def _counts(y):
    classes, counts = np.unique(y, return_counts=True)
    return dict(zip(classes.tolist(), counts.tolist()))


def _majority(stats):
    return max(stats, key=stats.get)


def _minority(stats):
    return min(stats, key=stats.get)


def _from_string(strategy, stats):
    n_max = max(stats.values())
    if strategy in ("auto", "not majority"):
        keep = [c for c in stats if c != _majority(stats)]
    elif strategy == "minority":
        keep = [_minority(stats)]
    elif strategy == "not minority":
        keep = [c for c in stats if c != _minority(stats)]
    elif strategy == "all":
        keep = list(stats)
    elif strategy == "majority":
        raise ValueError("'sampling_strategy'='majority' cannot be used with over-sampler.")
    else:
        raise ValueError(
            "When 'sampling_strategy' is a string, it needs to be one of "
            f"{list(SAMPLING_STRATEGY_STRINGS)}. Got '{strategy}' instead.")
    return {c: n_max - stats[c] for c in keep}


def _from_dict(strategy, stats):
    unknown = set(strategy) - set(stats)
    if unknown:
        raise ValueError(
            f"The {unknown} target class is/are not present in the data "
            f"(classes: {sorted(stats)}).")
    if any(n < 0 for n in strategy.values()):
        raise ValueError(
            "The number of samples in a class cannot be negative. "
            f"'sampling_strategy' contains some negative value: {strategy}")
    out = {}
    for c, n in strategy.items():
        if n < stats[c]:
            raise ValueError(
                "With over-sampling methods, the number of samples in a class should be "
                "greater or equal to the original number of samples. Originally, there "
                f"is {stats[c]} samples and {n} samples are asked (class {c!r}).")
        out[c] = int(n) - stats[c]
    return out


def _from_float(ratio, y, stats):
    if ratio <= 0 or ratio > 1:
        raise ValueError(
            "When 'sampling_strategy' is a float, it should be in the range (0, 1]. "
            f"Got {ratio} instead.")
    if type_of_target(y) != "binary":
        raise ValueError(
            '"sampling_strategy" can be a float only when the type of target is binary. '
            "For multi-class, use a dict.")
    n_max, majority = max(stats.values()), _majority(stats)
    out = {c: int(n_max * ratio - n) for c, n in stats.items() if c != majority}
    if any(n <= 0 for n in out.values()):
        raise ValueError(
            "The specified ratio required to remove samples from the minority class "
            "while trying to generate new samples. Please increase the ratio.")
    return out


def check_sampling_strategy(sampling_strategy, y, **kwargs):
    """Rows to add per class for an over-sampler, as imbalanced-learn computes them.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable
        As ``sampling_strategy`` of imbalanced-learn's over-samplers:

        - float (binary ``y`` only): the minority/majority ratio wanted after
          resampling;
        - "auto" (= "not majority"), "minority", "not minority", "all": the
          classes brought up to the majority's count;
        - dict ``{class: rows wanted after resampling}`` (classes left out
          are not resampled);
        - callable ``f(y, **kwargs) -> dict`` as above.
    y : array-like of shape (n_samples,)
        The labels.
    **kwargs : dict
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    rows_to_add : OrderedDict
        ``class -> number of synthetic rows``, sorted by class.

    Examples
    --------
    >>> from sklearn_activesynth._sampling_strategy import check_sampling_strategy
    >>> y = [0] * 8 + [1] * 3 + [2] * 1
    >>> dict(check_sampling_strategy("auto", y))
    {1: 5, 2: 7}
    >>> dict(check_sampling_strategy({1: 4}, y))
    {1: 1}
    """
    y = column_or_1d(np.asarray(y))
    stats = _counts(y)
    if len(stats) <= 1:
        raise ValueError(
            f"The target 'y' needs to have more than 1 class. Got {len(stats)} class "
            "instead")
    if isinstance(sampling_strategy, str):
        out = _from_string(sampling_strategy, stats)
    elif isinstance(sampling_strategy, dict):
        out = _from_dict(sampling_strategy, stats)
    elif isinstance(sampling_strategy, Real) and not isinstance(sampling_strategy, bool):
        out = _from_float(float(sampling_strategy), y, stats)
    elif callable(sampling_strategy):
        wanted = sampling_strategy(y, **kwargs)
        if not isinstance(wanted, dict):
            raise TypeError(
                "A callable sampling_strategy must return a dict {class: rows wanted "
                f"after resampling}}; got {type(wanted).__name__}.")
        out = _from_dict(wanted, stats)
    else:
        raise TypeError(
            "sampling_strategy must be a float, a str, a dict or a callable; got "
            f"{type(sampling_strategy).__name__}.")
    return OrderedDict(sorted(out.items()))
