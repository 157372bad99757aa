"""Fit a fresh clone of an estimator, with sample weights whatever it accepts.

One place for what the loop and the committee scorers do every time they
train a model: clone, hand ``sample_weight`` to the right ``fit`` argument
(a Pipeline's final step takes it as ``<step>__sample_weight``), fall back to
a weighted resample of the rows when the estimator takes no weights, and seed
torch for a torch/skorch net without touching the caller's torch stream.
"""

# License: BSD 3 clause

import contextlib
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter

from ..integration import weighted_resample
from ._seeding import MAX_SEED, seed_unset_random_states
from .tabular import take_rows

__all__ = ["fit_clone"]


def _final_step(estimator):
    """The estimator itself, or a Pipeline's last step."""
    return estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator


def _is_torch_net(estimator):
    """Whether ``estimator`` (or a Pipeline's last step) is a skorch-style torch net."""
    final = _final_step(estimator)
    return hasattr(final, "module") and hasattr(final, "get_iterator")


def _sample_weight_params(estimator, sample_weight):
    """The ``fit`` keyword arguments that hand ``sample_weight`` to
    ``estimator``, or None when its ``fit`` (a Pipeline's: its final step's)
    takes no ``sample_weight``."""
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        if last is not None and last != "passthrough" and \
                has_fit_parameter(last, "sample_weight"):
            return {f"{name}__sample_weight": sample_weight}
        return None
    if has_fit_parameter(estimator, "sample_weight"):
        return {"sample_weight": sample_weight}
    return None


def _takes_sample_weight(estimator):
    """Whether :func:`fit_clone` can hand weights to ``estimator`` directly
    (otherwise it resamples the rows)."""
    return _sample_weight_params(estimator, None) is not None


def _random_state(random_state):
    """A RandomState from ``random_state`` that never is numpy's global one."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.RandomState(random_state)


def _torch_seeding(estimator, random_state):
    """``seeded_torch`` around a torch net's fit when a seed is given, else a no-op."""
    if random_state is None or not _is_torch_net(estimator):
        return contextlib.nullcontext()
    from ._torch import import_torch, seeded_torch

    final = _final_step(estimator)
    import_torch(type(final).__name__)
    if isinstance(random_state, numbers.Integral):
        seed = int(random_state)
    else:
        seed = int(_random_state(random_state).randint(MAX_SEED))
    return seeded_torch(seed, getattr(final, "device", "cpu") or "cpu")


def fit_clone(estimator, X, y, sample_weight=None, *, fit_params=None, random_state=None,
              on_resample=None, seed_unset=False):
    """Fit a clone of ``estimator`` on ``(X, y)``, with weights if given.

    ``estimator`` itself is never fitted or modified.

    - ``sample_weight`` goes to ``fit`` as ``sample_weight``, or, for a
      :class:`~sklearn.pipeline.Pipeline`, to its final step as
      ``<step>__sample_weight``.
    - An estimator (or a Pipeline's final step) whose ``fit`` takes no
      ``sample_weight`` is fitted on a weighted resample of the rows instead:
      as many rows as ``X`` has, drawn with replacement with probability
      proportional to the weights, from ``random_state``. ``on_resample`` is
      called with the clone first, so the caller can warn (once).
    - A torch/skorch net (or a Pipeline ending in one) is fitted with torch's
      global generator forked and seeded from ``random_state`` (module
      initialisation, batch order, dropout), when ``random_state`` is not
      None; the caller's torch stream is left where it was.

    Parameters
    ----------
    estimator : estimator
        The unfitted template; it is cloned.
    X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,) or None, default=None
    fit_params : dict or None, default=None
        Other keyword arguments of ``fit``, passed through unchanged (not
        resampled with the rows).
    random_state : int, RandomState instance or None, default=None
        Seeds the weighted resample and a torch net's fit. ``None``: the
        resample draws fresh entropy (numpy's global generator is never used)
        and a torch net is fitted from torch's global generator as it is.
    on_resample : callable or None, default=None
        ``on_resample(clone)``, called before a weighted resample.
    seed_unset : bool, default=False
        With a ``random_state``: also give every ``random_state`` parameter of
        the clone (nested ones included) that is ``None`` a seed drawn from
        it, as scikit-learn's ensembles seed their members, so that the fit
        is reproducible; parameters the user set are kept.

    Returns
    -------
    fitted : estimator
        The fitted clone.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_activesynth.utils import fit_clone
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> w = np.array([1.0, 1.0, 1.0, 3.0])
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression())
    >>> fitted = fit_clone(pipe, X, y, w)   # weights reach logisticregression__sample_weight
    >>> fitted.predict([[2.5]])
    array([1])
    >>> knn = fit_clone(KNeighborsClassifier(n_neighbors=1), X, y, w, random_state=0,
    ...                 on_resample=lambda est: print(f"{type(est).__name__}: resampled"))
    KNeighborsClassifier: resampled
    """
    est = clone(estimator)
    if seed_unset and random_state is not None:
        # an int seed is drawn from without building a RandomState (see
        # seed_unset_random_states); a RandomState is drawn from as it is
        seed_unset_random_states(est, random_state)
    params = dict(fit_params or {})
    if sample_weight is not None:
        kw = _sample_weight_params(est, sample_weight)
        if kw is not None:
            params.update(kw)
        else:
            if on_resample is not None:
                on_resample(est)
            idx = weighted_resample(sample_weight, _random_state(random_state))
            X, y = take_rows(X, idx), np.asarray(y)[idx]
    with _torch_seeding(est, random_state):
        est.fit(X, y, **params)
    return est
