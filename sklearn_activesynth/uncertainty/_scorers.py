"""Uncertainty scorer objects: configurable, clonable, usable as ``uncertainty=``."""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._measures import ensemble_variance, entropy, least_confidence, margin

__all__ = ["SoftmaxUncertainty", "EnsembleVariance", "predict_proba_like"]

MEASURES = {
    "entropy": entropy,
    "margin": margin,
    "least_confidence": least_confidence,
}


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
    """
    if hasattr(estimator, "predict_proba"):
        return np.asarray(estimator.predict_proba(X), dtype=float)
    if hasattr(estimator, "decision_function"):
        d = np.asarray(estimator.decision_function(X), dtype=float)
        if d.ndim == 1:
            p1 = 1.0 / (1.0 + np.exp(-d))
            return np.column_stack([1.0 - p1, p1])
        d = d - d.max(axis=1, keepdims=True)
        e = np.exp(d)
        return e / e.sum(axis=1, keepdims=True)
    raise TypeError(
        f"{type(estimator).__name__} has neither predict_proba nor "
        "decision_function, so probability-based uncertainty cannot be computed. "
        "Use uncertainty='ensemble_variance' or a callable f(estimator, X)."
    )


class SoftmaxUncertainty(BaseEstimator):
    """Uncertainty from one model's predicted class probabilities.

    Parameters
    ----------
    measure : {"entropy", "margin", "least_confidence"}, default="entropy"
        How the predicted distribution is turned into one score per row
        (seed 000, §2.2, softmax response).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth.uncertainty import SoftmaxUncertainty
    >>> X, y = make_classification(random_state=0)
    >>> clf = LogisticRegression().fit(X, y)
    >>> SoftmaxUncertainty("margin")(clf, X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "measure": [StrOptions(set(MEASURES))],
    }

    def __init__(self, measure="entropy"):
        self.measure = measure

    def from_proba(self, proba):
        """Scores from predicted probabilities of shape (n_samples, n_classes)."""
        self._validate_params()
        return MEASURES[self.measure](proba)

    def __call__(self, estimator, X):
        """Score rows ``X`` with the fitted ``estimator``."""
        return self.from_proba(predict_proba_like(estimator, X))


def _fit_member(estimator, X, y, sample_weight, indices):
    member = clone(estimator)
    if sample_weight is None:
        member.fit(_take(X, indices), y[indices])
    else:
        member.fit(_take(X, indices), y[indices], sample_weight=sample_weight[indices])
    return member


def _take(X, indices):
    if hasattr(X, "iloc"):
        return X.iloc[indices]
    return X[indices]


def _member_proba(member, X, n_classes):
    """Probabilities aligned on classes 0..n_classes-1 (a bootstrap sample can miss a class)."""
    proba = predict_proba_like(member, X)
    if proba.shape[1] == n_classes:
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, np.asarray(member.classes_, dtype=int)] = proba
    return full


class EnsembleVariance(BaseEstimator):
    r"""Committee disagreement: variance of bootstrap members' probabilities.

    Inside :class:`~sklearn_activesynth.ActiveSynthesisClassifier` a committee of
    ``n_members`` clones of the wrapped estimator is fitted on bootstrap samples
    of the current training set, in parallel with joblib; each training row is
    scored only by the members that did not see it (out-of-bag) unless the
    classifier's ``uncertainty_cv=None``. Used directly, ``scorer(estimator, X)``
    takes a fitted ensemble that exposes ``estimators_`` (bagging, random forest).

    .. math:: U(x) = \frac{1}{k}\sum_{i=1}^{k}(f_{M_i}(x) - \bar f_M(x))^2

    (seed 000, §2.2.1), summed over classes.

    Parameters
    ----------
    n_members : int, default=5
        Number of committee members.
    max_samples : float, default=1.0
        Fraction of rows drawn (with replacement) for each member.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn_activesynth.uncertainty import EnsembleVariance
    >>> X, y = make_classification(random_state=0)
    >>> forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    >>> EnsembleVariance()(forest, X[:4]).shape
    (4,)
    """

    _parameter_constraints = {
        "n_members": [Interval(Integral, 2, None, closed="left")],
        "max_samples": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, n_members=5, max_samples=1.0):
        self.n_members = n_members
        self.max_samples = max_samples

    def __call__(self, estimator, X):
        """Variance across the fitted ``estimator.estimators_`` on ``X``."""
        check_is_fitted(estimator)
        if not hasattr(estimator, "estimators_"):
            raise TypeError(
                "EnsembleVariance()(estimator, X) needs a fitted ensemble with "
                f"`estimators_`; {type(estimator).__name__} has none. Pass it as "
                "ActiveSynthesisClassifier(uncertainty=EnsembleVariance()) to fit a "
                "bootstrap committee of the estimator instead."
            )
        n_classes = len(estimator.classes_)
        members = estimator.estimators_
        if isinstance(members, np.ndarray):
            members = members.ravel()
        return ensemble_variance(
            np.stack([_member_proba(m, X, n_classes) for m in members])
        )

    def fit_committee(self, estimator, X, y, sample_weight=None, *, random_state=None,
                      n_jobs=None):
        """Fit ``n_members`` bootstrap clones of ``estimator`` on ``(X, y)``.

        ``y`` must be encoded as integers ``0..n_classes-1``.

        Returns
        -------
        members : list of fitted estimators
        in_bag : ndarray of bool, shape (n_members, n_samples)
            Which rows each member was trained on.
        """
        self._validate_params()
        rng = check_random_state(random_state)
        n = y.shape[0]
        draws = self._bootstrap_draws(y, rng)
        members = Parallel(n_jobs=n_jobs)(
            delayed(_fit_member)(estimator, X, y, sample_weight, idx) for idx in draws
        )
        in_bag = np.zeros((self.n_members, n), dtype=bool)
        for i, idx in enumerate(draws):
            in_bag[i, idx] = True
        return members, in_bag

    def _bootstrap_draws(self, y, rng):
        """Row indices of each member's stratified bootstrap sample (every
        member sees every class)."""
        n_draw = max(2, int(round(self.max_samples * y.shape[0])))
        n_classes = int(np.max(y)) + 1
        return [
            np.concatenate([
                rng.choice(np.flatnonzero(y == c),
                           size=max(1, int(round(n_draw * np.mean(y == c)))))
                for c in range(n_classes)
                if np.any(y == c)
            ])
            for _ in range(self.n_members)
        ]

    def score_committee(self, members, X, n_classes, exclude=None):
        """Committee variance on ``X``; ``exclude[i, j]`` hides member i's vote on row j."""
        proba = np.stack([_member_proba(m, X, n_classes) for m in members])
        if exclude is not None:
            # a row every member saw is scored by all of them rather than by none
            exclude = exclude & ~exclude.all(axis=0)
            proba[exclude] = np.nan
        return ensemble_variance(proba), np.nanmean(proba, axis=0)
