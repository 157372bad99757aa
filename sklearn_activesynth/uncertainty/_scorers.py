"""Uncertainty scorer objects: configurable, clonable, usable as ``uncertainty=``."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, StrOptions
from ..utils._fitting import _takes_sample_weight, fit_clone
from ..utils._parallel import delayed, parallel
from ..utils._seeding import MAX_SEED, check_random_state
from ..utils.tabular import take_rows
from ._base import (
    REQUIRES,
    BaseUncertaintyScorer,
    CallableUncertainty,
    _missing_methods,
    predict_proba_like,
)
from ._measures import ensemble_variance, entropy, least_confidence, margin

__all__ = ["SoftmaxUncertainty", "EnsembleVariance", "predict_proba_like",
           "resolve_uncertainty"]

MEASURES = {
    "entropy": entropy,
    "margin": margin,
    "least_confidence": least_confidence,
}


class SoftmaxUncertainty(BaseUncertaintyScorer):
    """Uncertainty from one model's predicted class probabilities.

    Requires ``"proba"``: the loop hands it predicted probabilities
    (out-of-fold on the training rows by default); ``scorer(estimator, X)``
    scores a fitted model directly.

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

    requires = "proba"

    _parameter_constraints = {
        "measure": [StrOptions(set(MEASURES))],
    }

    def __init__(self, measure="entropy"):
        self.measure = measure

    def from_proba(self, proba):
        """Scores from predicted probabilities.

        Parameters
        ----------
        proba : ndarray of shape (n_samples, n_classes)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        self._validate_params()
        return MEASURES[self.measure](proba)


def _fit_rows(estimator, X, y, sample_weight, indices, fit_params, seed):
    """``fit_clone`` on rows ``indices`` (all rows when None), in a worker."""
    if indices is not None:
        X, y = take_rows(X, indices), y[indices]
        sample_weight = None if sample_weight is None else sample_weight[indices]
    return fit_clone(estimator, X, y, sample_weight, fit_params=fit_params,
                     random_state=seed, seed_unset=True)


def _warn_resample(estimator):
    warnings.warn(
        f"{type(estimator).__name__}.fit takes no sample_weight; the committee "
        "members are fitted on weighted resamples of their rows instead.",
        UserWarning,
    )


def _member_proba(member, X, n_classes):
    """Probabilities aligned on classes 0..n_classes-1 (a bootstrap sample can miss a class).

    A member with neither ``predict_proba`` nor ``decision_function`` votes:
    its prediction as a one-hot row, so the committee variance is the
    members' disagreement."""
    if hasattr(member, "predict_proba") or hasattr(member, "decision_function"):
        proba = predict_proba_like(member, X)
        codes = np.asarray(member.classes_, dtype=int)
    else:
        pred = np.asarray(member.predict(X), dtype=int)
        codes = np.arange(n_classes)
        proba = (pred[:, None] == codes[None, :]).astype(float)
    if proba.shape[1] == n_classes:
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, codes] = proba
    return full


class EnsembleVariance(BaseUncertaintyScorer):
    r"""Committee disagreement: variance of bootstrap members' probabilities.

    Inside :class:`~sklearn_activesynth.ActiveSynthesisClassifier` a committee of
    ``n_members`` clones of the wrapped estimator is fitted on bootstrap samples
    of the current training set, in parallel with joblib; each training row is
    scored only by the members that did not see it (out-of-bag; a row fewer
    than two of them left out is scored by all of them) unless the
    classifier's ``uncertainty_cv=None``. Used directly, ``scorer(estimator, X)``
    takes a fitted ensemble that exposes ``estimators_`` (bagging, random forest).

    .. math:: U(x) = \frac{1}{k}\sum_{i=1}^{k}(f_{M_i}(x) - \bar f_M(x))^2

    (seed 000, §2.2.1), summed over classes. Requires ``"committee"``.

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

    requires = "committee"

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

    def fit_committee(self, estimator, X, y, sample_weight=None, *, fit_params=None,
                      random_state=None, n_jobs=None):
        """Fit ``n_members`` bootstrap clones of ``estimator`` on ``(X, y)``.

        Each member is fitted with
        :func:`~sklearn_activesynth.utils.fit_clone` on its bootstrap rows
        (``sample_weight`` reaches a Pipeline's final step; an estimator
        without ``sample_weight`` gets a weighted resample of its rows, with a
        warning).

        Parameters
        ----------
        estimator : estimator
            The unfitted template (never fitted itself).
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            Labels encoded as integers ``0..n_classes-1``.
        sample_weight : ndarray of shape (n_samples,) or None, default=None
        fit_params : dict or None, default=None
            Other ``fit`` arguments, passed unchanged to every member.
        random_state : int, RandomState instance or None, default=None
            Seeds the bootstrap samples (and weighted resamples).
        n_jobs : int or None, default=None
            Members fitted in parallel with joblib.

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
        # each member's seed: its weighted resample, and its own random_state
        # parameters where the user left them unset (reproducible members)
        seeds = rng.randint(MAX_SEED, size=self.n_members)
        if sample_weight is not None and not _takes_sample_weight(estimator):
            _warn_resample(estimator)
        members = parallel(n_jobs)(
            delayed(_fit_rows)(estimator, X, y, sample_weight, idx, fit_params, seed)
            for idx, seed in zip(draws, seeds)
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
        """Committee variance on ``X``; ``exclude[i, j]`` hides member i's vote on row j.

        Parameters
        ----------
        members : list of fitted estimators
        X : array-like of shape (n_rows, n_features)
        n_classes : int
        exclude : ndarray of bool of shape (n_members, n_rows) or None, default=None

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        mean_proba : ndarray of shape (n_rows, n_classes)
        """
        proba = np.stack([_member_proba(m, X, n_classes) for m in members])
        if exclude is not None:
            # a row fewer than two members left out is scored by all of them: a
            # single vote has a variance of 0, which would hide its uncertainty
            exclude = exclude & ((~exclude).sum(axis=0) >= 2)
            proba[exclude] = np.nan
        return ensemble_variance(proba), np.nanmean(proba, axis=0)


def resolve_uncertainty(spec):
    """The scorer object for a value of ``uncertainty=``.

    Parameters
    ----------
    spec : str, BaseUncertaintyScorer or callable
        ``"entropy"``, ``"margin"`` or ``"least_confidence"``:
        :class:`SoftmaxUncertainty` with that measure; ``"ensemble_variance"``:
        :class:`EnsembleVariance` with its defaults; a
        :class:`BaseUncertaintyScorer`: itself (not copied); any other callable
        ``f(fitted_estimator, X) -> scores``: :class:`CallableUncertainty`.

    Returns
    -------
    scorer : BaseUncertaintyScorer

    Raises
    ------
    ValueError
        For an unknown string.
    TypeError
        For a scorer missing a method its ``requires`` asks for, or anything
        else that is neither a scorer nor callable.

    Examples
    --------
    >>> from sklearn_activesynth.uncertainty import resolve_uncertainty
    >>> resolve_uncertainty("margin")
    SoftmaxUncertainty(measure='margin')
    >>> resolve_uncertainty("ensemble_variance").requires
    'committee'
    """
    if isinstance(spec, str):
        if spec == "ensemble_variance":
            return EnsembleVariance()
        if spec in MEASURES:
            return SoftmaxUncertainty(spec)
        names = sorted(MEASURES) + ["ensemble_variance"]
        raise ValueError(
            f"Unknown uncertainty {spec!r}. Use one of {names}, a scorer object such "
            "as EnsembleVariance(n_members=10) or MCDropout(), or a callable "
            "f(fitted_estimator, X) -> scores.")
    if isinstance(spec, BaseUncertaintyScorer):
        if spec.requires not in REQUIRES:
            raise ValueError(
                f"{type(spec).__name__}.requires is {spec.requires!r}; it must be one "
                f"of {REQUIRES}.")
        missing = _missing_methods(spec)
        if missing:
            raise TypeError(
                f"{type(spec).__name__} declares requires={spec.requires!r} but does not "
                f"implement {', '.join(missing)}; see BaseUncertaintyScorer.")
        return spec
    if callable(spec):
        return CallableUncertainty(spec)
    raise TypeError(
        f"uncertainty must be a string, a BaseUncertaintyScorer or a callable "
        f"f(fitted_estimator, X) -> scores; got {type(spec).__name__}.")
