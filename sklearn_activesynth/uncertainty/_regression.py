"""Uncertainty of a regressor on real rows (seed 000, §2.2).

Regression is where the seed's measures are native: the committee variance
of §2.2.1 is the variance of the members' predictions, and a Bayesian model's
predictive standard deviation is its own uncertainty. Used by
:class:`~sklearn_activesynth.ActiveSynthesisRegressor` (``uncertainty=``).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval
from ..utils._fitting import _takes_sample_weight
from ..utils._parallel import delayed, parallel
from ..utils._seeding import MAX_SEED, check_random_state
from ._base import BaseUncertaintyScorer, CallableUncertainty
from ._scorers import _fit_rows, _warn_resample

__all__ = ["CommitteeVariance", "PredictiveStd", "committee_variance",
           "resolve_regression_uncertainty", "REGRESSION_MEASURES"]


def committee_variance(predictions):
    r"""Seed 000 §2.2.1's committee variance of regression predictions.

    .. math:: U(x) = \frac{1}{k}\sum_{i=1}^{k}(f_i(x) - \bar f(x))^2,
       \qquad \bar f(x) = \frac{1}{k}\sum_{i=1}^{k} f_i(x)

    Parameters
    ----------
    predictions : ndarray of shape (k, n_rows)
        Each member's prediction of each row; NaN marks a member that does
        not vote on a row (``k`` is then the number of members that do).

    Returns
    -------
    scores : ndarray of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.uncertainty import committee_variance
    >>> committee_variance(np.array([[1.0, 0.0], [3.0, 0.0]]))
    array([1., 0.])
    """
    f = np.asarray(predictions, dtype=float)
    mean = np.nanmean(f, axis=0)
    return np.nanmean((f - mean[None, :]) ** 2, axis=0)


class CommitteeVariance(BaseUncertaintyScorer):
    r"""Committee (bootstrap) variance of a regressor's predictions.

    Inside :class:`~sklearn_activesynth.ActiveSynthesisRegressor` a committee
    of ``n_members`` clones of the wrapped regressor is fitted on bootstrap
    samples of the current training set (real rows plus the accepted
    synthetic rows); each real training row is scored only by the members
    that did not see it (out-of-bag) unless ``uncertainty_cv=None``, and a
    row every member saw is scored by all of them. The score is seed 000
    §2.2.1's formula, exactly (:func:`committee_variance`):

    .. math:: U(x) = \frac{1}{k}\sum_{i=1}^{k}(f_i(x) - \bar f(x))^2

    in the squared units of the target. Used directly, ``scorer(estimator,
    X)`` takes a fitted ensemble that exposes ``estimators_`` (bagging,
    random forest). Requires ``"committee"``.

    Parameters
    ----------
    n_members : int, default=5
        Number of committee members (``k``).
    max_samples : float, default=1.0
        Fraction of rows drawn (with replacement) for each member.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.ensemble import BaggingRegressor
    >>> from sklearn_activesynth.uncertainty import CommitteeVariance
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> bag = BaggingRegressor(n_estimators=4, random_state=0).fit(X, y)
    >>> CommitteeVariance()(bag, X[:3]).shape
    (3,)
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
        """Variance of the fitted ``estimator.estimators_``' predictions on ``X``."""
        check_is_fitted(estimator)
        if not hasattr(estimator, "estimators_"):
            raise TypeError(
                "CommitteeVariance()(estimator, X) needs a fitted ensemble with "
                f"`estimators_`; {type(estimator).__name__} has none. Pass it as "
                "ActiveSynthesisRegressor(uncertainty=CommitteeVariance()) to fit a "
                "bootstrap committee of the estimator instead.")
        members = estimator.estimators_
        feats = getattr(estimator, "estimators_features_", None)
        X = np.asarray(X) if feats is not None else X
        preds = [m.predict(X if feats is None else X[:, f])
                 for m, f in zip(members, feats if feats is not None else [None] * len(members))]
        return committee_variance(np.stack(preds))

    def fit_committee(self, estimator, X, y, sample_weight=None, *, fit_params=None,
                      random_state=None, n_jobs=None):
        """Fit ``n_members`` clones of ``estimator`` on bootstrap samples of ``(X, y)``.

        Returns
        -------
        members : list of fitted estimators
        in_bag : ndarray of bool of shape (n_members, n_samples)
            Which rows each member was trained on.
        """
        self._validate_params()
        rng = check_random_state(random_state)
        n = y.shape[0]
        n_draw = max(2, int(round(self.max_samples * n)))
        draws = [rng.randint(n, size=n_draw) for _ in range(self.n_members)]
        seeds = rng.randint(MAX_SEED, size=self.n_members)
        if sample_weight is not None and not _takes_sample_weight(estimator):
            _warn_resample(estimator)
        members = parallel(n_jobs)(
            delayed(_fit_rows)(estimator, X, y, sample_weight, idx, fit_params, seed)
            for idx, seed in zip(draws, seeds))
        in_bag = np.zeros((self.n_members, n), dtype=bool)
        for i, idx in enumerate(draws):
            in_bag[i, idx] = True
        return members, in_bag

    def score_committee(self, members, X, n_classes=None, exclude=None):
        """Committee variance on ``X``; ``exclude[i, j]`` hides member i's vote on row j.

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        mean : None
            (A classifier's committee returns its mean probabilities here.)
        """
        preds = np.stack([np.asarray(m.predict(X), dtype=float).ravel() for m in members])
        if exclude is not None:
            # a row every member saw is scored by all of them rather than by none
            exclude = exclude & ~exclude.all(axis=0)
            preds[exclude] = np.nan
        return committee_variance(preds), None


class PredictiveStd(BaseUncertaintyScorer):
    """A Bayesian regressor's own predictive standard deviation.

    For estimators whose ``predict`` takes ``return_std=True``
    (:class:`~sklearn.linear_model.BayesianRidge`,
    :class:`~sklearn.linear_model.ARDRegression`,
    :class:`~sklearn.gaussian_process.GaussianProcessRegressor`, or a Pipeline
    ending in one). Requires ``"model"``: inside the regressor the training
    rows are scored by out-of-fold models by default.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import BayesianRidge
    >>> from sklearn_activesynth.uncertainty import PredictiveStd
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 2))
    >>> model = BayesianRidge().fit(X, X[:, 0] + 0.1 * rng.normal(size=50))
    >>> std = PredictiveStd()(model, np.array([[0.0, 0.0], [20.0, 20.0]]))
    >>> bool(std[1] > std[0])   # far from the data: less sure
    True
    """

    requires = "model"

    def __call__(self, estimator, X):
        """``estimator.predict(X, return_std=True)``'s standard deviations."""
        try:
            out = estimator.predict(X, return_std=True)
        except TypeError as exc:
            raise TypeError(
                f"uncertainty='predictive_std' needs a regressor whose predict takes "
                f"return_std=True (BayesianRidge, GaussianProcessRegressor); "
                f"{type(estimator).__name__}'s does not ({exc}). Use "
                "uncertainty='ensemble_variance' instead.") from exc
        return np.asarray(out[1], dtype=float).ravel()


REGRESSION_MEASURES = {
    "ensemble_variance": CommitteeVariance,
    "predictive_std": PredictiveStd,
}


def resolve_regression_uncertainty(spec):
    """The scorer object for a value of ``ActiveSynthesisRegressor(uncertainty=...)``.

    ``"ensemble_variance"``: :class:`CommitteeVariance`; ``"predictive_std"``:
    :class:`PredictiveStd`; a :class:`BaseUncertaintyScorer`: itself; any
    other callable ``f(fitted_estimator, X) -> scores``:
    :class:`CallableUncertainty`.

    Examples
    --------
    >>> from sklearn_activesynth.uncertainty import resolve_regression_uncertainty
    >>> resolve_regression_uncertainty("ensemble_variance")
    CommitteeVariance()
    """
    if isinstance(spec, str):
        if spec not in REGRESSION_MEASURES:
            raise ValueError(f"Unknown regression uncertainty {spec!r}; use one of "
                             f"{sorted(REGRESSION_MEASURES)}, a scorer or a callable.")
        return REGRESSION_MEASURES[spec]()
    if isinstance(spec, BaseUncertaintyScorer):
        return spec
    if callable(spec):
        return CallableUncertainty(spec)
    raise TypeError(f"uncertainty must be a string, a scorer or a callable; got "
                    f"{type(spec).__name__}.")
