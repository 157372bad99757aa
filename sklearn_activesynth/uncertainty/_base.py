"""The uncertainty scorer protocol: what a scorer declares it needs from the loop.

A scorer says in ``requires`` which of three things
:class:`~sklearn_activesynth.ActiveSynthesisClassifier` must hand it; the loop
reads the declaration and never probes for methods.
"""

# License: BSD 3 clause

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator

__all__ = ["BaseUncertaintyScorer", "CallableUncertainty", "predict_proba_like"]

#: What a scorer may require from the loop, and the methods it then implements.
REQUIRES = ("proba", "committee", "model")
_METHODS = {
    "proba": ("from_proba",),
    "committee": ("fit_committee", "score_committee"),
    "model": ("__call__",),
}


def _missing_methods(scorer):
    """The methods ``scorer``'s ``requires`` asks for that it does not implement."""
    missing = [m for m in _METHODS[scorer.requires] if not callable(getattr(scorer, m, None))]
    if scorer.requires == "model" and \
            type(scorer).__call__ is BaseUncertaintyScorer.__call__:
        missing.append("__call__")
    return missing


def predict_proba_like(estimator, X):
    """Class probabilities, or a softmax of ``decision_function`` when the
    estimator has no ``predict_proba`` (e.g. ``SVC(probability=False)``).

    Parameters
    ----------
    estimator : fitted classifier
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import LinearSVC
    >>> from sklearn_activesynth.uncertainty import predict_proba_like
    >>> X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> predict_proba_like(LinearSVC().fit(X, y), X).shape
    (4, 2)
    """
    if hasattr(estimator, "predict_proba"):
        return np.asarray(estimator.predict_proba(X), dtype=float)
    if hasattr(estimator, "decision_function"):
        d = np.asarray(estimator.decision_function(X), dtype=float)
        if d.ndim == 1:
            p1 = expit(d)
            return np.column_stack([1.0 - p1, p1])
        return softmax(d, axis=1)
    raise TypeError(
        f"{type(estimator).__name__} has neither predict_proba nor "
        "decision_function, so probability-based uncertainty cannot be computed. "
        "Use uncertainty='ensemble_variance' (a committee of clones whose votes "
        "disagree), wrap the estimator in sklearn.calibration.CalibratedClassifierCV, "
        "or pass a callable f(estimator, X) -> scores."
    )


class BaseUncertaintyScorer(BaseEstimator):
    """Base class of uncertainty scorers: one score per row, higher = less sure.

    A scorer declares in the class attribute ``requires`` what the loop of
    :class:`~sklearn_activesynth.ActiveSynthesisClassifier` must provide, and
    implements the matching methods:

    ``"proba"``
        Class probabilities of a fitted model (out-of-fold on the training
        rows by default). Implement ``from_proba(proba) -> scores`` for
        ``proba`` of shape (n_rows, n_classes); ``__call__(estimator, X)`` is
        provided (``from_proba`` of
        :func:`~sklearn_activesynth.uncertainty.predict_proba_like`).
    ``"committee"``
        A committee the scorer trains itself. Implement
        ``fit_committee(estimator, X, y, sample_weight=None, *, fit_params=None,
        random_state=None, n_jobs=None) -> (members, in_bag)`` (``y`` encoded
        ``0..k-1``; ``in_bag[i, j]``: member ``i`` saw row ``j``) and
        ``score_committee(members, X, n_classes, exclude=None) ->
        (scores, mean_proba)`` (``exclude[i, j]`` hides member ``i``'s vote on
        row ``j``).
    ``"model"`` (the default)
        A fitted model, scored as a whole. Implement
        ``__call__(fitted_estimator, X) -> scores`` (e.g. Monte Carlo dropout
        passes through a net).

    The loop reads ``requires`` and calls only those methods; it never probes
    for them (:func:`resolve_uncertainty` checks they exist). A plain
    callable ``f(fitted_estimator, X) -> scores`` becomes a
    :class:`CallableUncertainty` (see :func:`resolve_uncertainty`).

    See Also
    --------
    SoftmaxUncertainty : requires "proba".
    EnsembleVariance, DeepEnsembleVariance : require "committee".
    MCDropout, BayesianPredictiveVariance : require "model".

    Examples
    --------
    A scorer from probabilities: the probability of the second most likely
    class.

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth.uncertainty import BaseUncertaintyScorer
    >>> class RunnerUp(BaseUncertaintyScorer):
    ...     requires = "proba"
    ...     def from_proba(self, proba):
    ...         return np.sort(proba, axis=1)[:, -2]
    >>> X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> model = LogisticRegression().fit(X, y)
    >>> RunnerUp()(model, np.array([[0.0], [5.0]])).round(2)
    array([0.5 , 0.01])
    """

    requires = "model"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.requires not in REQUIRES:
            raise TypeError(
                f"{cls.__name__}.requires is {cls.requires!r}; it must be one of "
                f"{REQUIRES} (what the loop hands the scorer).")

    def __call__(self, estimator, X):
        """Score rows ``X`` with the fitted ``estimator`` (higher: less sure).

        Provided for ``requires = "proba"`` (``from_proba`` of the predicted
        probabilities); a ``"model"`` scorer implements it.

        Parameters
        ----------
        estimator : fitted classifier
        X : array-like of shape (n_rows, n_features)

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        """
        if self.requires == "proba":
            return np.asarray(self.from_proba(predict_proba_like(estimator, X)), dtype=float)
        raise NotImplementedError(
            f"{type(self).__name__} declares requires={self.requires!r} but does not "
            "implement __call__(estimator, X)." + (
                " A committee scorer is used through fit_committee and score_committee."
                if self.requires == "committee" else ""))


class CallableUncertainty(BaseUncertaintyScorer):
    """A function ``func(fitted_estimator, X) -> scores`` as a scorer.

    What ``ActiveSynthesisClassifier(uncertainty=f)`` makes of a plain
    callable (``requires = "model"``).

    Parameters
    ----------
    func : callable
        ``func(fitted_estimator, X)`` returning one score per row of ``X``
        (higher: less sure).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth.uncertainty import CallableUncertainty
    >>> X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> model = LogisticRegression().fit(X, y)
    >>> near_boundary = CallableUncertainty(lambda est, X: -abs(est.decision_function(X)))
    >>> int(near_boundary(model, np.array([[0.0], [3.0]])).argmax())
    0
    """

    requires = "model"

    _parameter_constraints = {"func": [callable]}

    def __init__(self, func):
        self.func = func

    def __call__(self, estimator, X):
        """``func(estimator, X)`` as a float array.

        Parameters
        ----------
        estimator : fitted classifier
        X : array-like of shape (n_rows, n_features)

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        """
        self._validate_params()
        return np.asarray(self.func(estimator, X), dtype=float)

