"""Uncertainty of a regressor on real rows (seed 000, §2.2).

Regression is where the seed's measures are native: the committee variance
of §2.2.1 is the variance of the members' predictions, the MC-dropout
variance of §2.2.2 the variance of a net's predictions over stochastic
passes, and a Bayesian model's predictive standard deviation is its own
uncertainty; the width of a quantile interval is a distribution-free one.
Used by :class:`~sklearn_activesynth.ActiveSynthesisRegressor`
(``uncertainty=``).

Each scorer says in ``score_units`` whether its scores are in the squared
units of the target (``"squared"``: the variances) or in its units
(``"target"``: a standard deviation, an interval width); the regressor scales
its ``tol`` by the targets' variance or standard deviation accordingly.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import HasMethods, Interval
from ..utils._fitting import _takes_sample_weight
from ..utils._parallel import delayed, parallel
from ..utils._seeding import MAX_SEED, check_random_state
from ._base import BaseUncertaintyScorer, CallableUncertainty
from ._scorers import _fit_rows, _warn_resample
from ._torch import MCDropout, _SampledUncertainty

__all__ = ["CommitteeVariance", "PredictiveStd", "MCDropoutVariance",
           "QuantileIntervalWidth", "committee_variance",
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
    row fewer than two members left out (one vote has no variance) is
    scored by all of them. The score is seed 000
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
    score_units = "squared"

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
            # a row fewer than two members left out is scored by all of them: one
            # vote has a variance of 0 by the formula (about a third of the rows
            # with five bootstrap members), which would hide its uncertainty
            exclude = exclude & ((~exclude).sum(axis=0) >= 2)
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
    score_units = "target"

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


class MCDropoutVariance(_SampledUncertainty):
    r"""Monte Carlo dropout variance for torch/skorch regressors (seed 000, §2.2.2).

    Runs ``n_passes`` stochastic forward passes of a fitted skorch net (e.g.
    ``NeuralNetRegressor``, or a Pipeline ending in one) with only its
    dropout layers in training mode, exactly as
    :class:`~sklearn_activesynth.uncertainty.MCDropout` does for classifiers
    (batch normalisation stays in evaluation mode, gradients are off, every
    submodule's mode is put back), and scores each row by the variance of its
    predictions over the passes:

    .. math:: U_{MC}(x) = \frac{1}{T}\sum_{t=1}^{T}(f^{(t)}(x) - \bar f(x))^2

    (:func:`committee_variance` of the passes), summed over the outputs of a
    multi-output net. The predictions are what the net's ``predict`` returns
    (its prediction nonlinearity applied). Requires ``"model"``: inside
    :class:`~sklearn_activesynth.ActiveSynthesisRegressor` the training rows
    are scored by out-of-fold nets by default.

    Parameters
    ----------
    n_passes : int, default=20
        Stochastic forward passes (``T``).
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks: torch's global generator is forked and
        seeded for the passes and put back afterwards (the caller's torch
        stream is not advanced). An int gives the same scores on every call.
        Inside the regressor an unset value is drawn from the regressor's
        ``random_state``.

    See Also
    --------
    MCDropout : the classifier's version (entropy, BALD or variance of the
        class probabilities).
    CommitteeVariance : the same formula over a bootstrap committee.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skorch import NeuralNetRegressor
    >>> from sklearn_activesynth.nn import TabularMLP
    >>> from sklearn_activesynth.uncertainty import MCDropoutVariance
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 3)).astype(np.float32)
    >>> y = X[:, :1] * 2.0
    >>> net = NeuralNetRegressor(TabularMLP, module__n_features=3, module__n_classes=1,
    ...                          max_epochs=5, train_split=None, verbose=0).fit(X, y)
    >>> u = MCDropoutVariance(n_passes=10, random_state=0)(net, X[:4])
    >>> u.shape, bool((u > 0).all())
    ((4,), True)
    """

    score_units = "squared"

    _parameter_constraints = {
        "n_passes": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_passes=20, random_state=None):
        self.n_passes = n_passes
        self.random_state = random_state

    # the classifier's: only torch.nn dropout layers on, and an error without one
    _set_modes = MCDropout._set_modes

    def predict_samples(self, estimator, X):
        """The net's predictions under each stochastic pass.

        Parameters
        ----------
        estimator : fitted skorch net, or Pipeline ending in one
        X : array-like

        Returns
        -------
        samples : ndarray of shape (n_passes, n_rows, n_outputs)
        """
        # MCDropout's passes, seeding and mode handling; the "probabilities"
        # are the net's predictions (its nonlinearity is the identity for an
        # MSE loss), a column per output
        if (X.shape[0] if hasattr(X, "shape") else len(X)) == 0:
            # nothing to run (a Pipeline's scaler would refuse an empty X)
            self._validate_params()
            return np.empty((self.n_passes, 0, 1))
        samples = MCDropout.predict_proba_samples(self, estimator, X)
        return samples.reshape(samples.shape[0], samples.shape[1], -1)

    def __call__(self, estimator, X):
        """Variance of the predictions over the passes, one score per row.

        Parameters
        ----------
        estimator : fitted skorch net, or Pipeline ending in one
        X : array-like

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        """
        samples = self.predict_samples(estimator, X)
        return sum(committee_variance(samples[:, :, j]) for j in range(samples.shape[2]))


def _quantile_keys(estimator):
    """The estimator's parameters named ``quantile`` (nested ones included)."""
    params = estimator.get_params(deep=True) if hasattr(estimator, "get_params") else {}
    return [k for k in params if k == "quantile" or k.endswith("__quantile")]


def _fit_pair(lower, upper, X, y, sample_weight, indices, seed):
    """The two quantile models fitted on rows ``indices``, in a worker."""
    seeds = check_random_state(seed).randint(MAX_SEED, size=2)
    return (_fit_rows(lower, X, y, sample_weight, indices, None, seeds[0]),
            _fit_rows(upper, X, y, sample_weight, indices, None, seeds[1]))


def _pair_width(pair, X):
    lower, upper = pair
    lo = np.asarray(lower.predict(X), dtype=float).ravel()
    hi = np.asarray(upper.predict(X), dtype=float).ravel()
    # two separately fitted quantile models may cross; the width of the
    # rearranged (sorted) pair is |hi - lo| (Chernozhukov et al., 2010)
    return np.abs(hi - lo)


def _encoded_for(model, X):
    """``model`` (the default quantile HistGradientBoostingRegressor) behind the
    regressor's default encoding when ``X`` is a DataFrame with columns it
    cannot read (strings, objects, dates): the regressor's default estimator
    fits such frames, so its default uncertainty must too. Numbers, booleans
    and categoricals (read natively, ``categorical_features="from_dtype"``)
    keep the bare model."""
    import pandas as pd

    from .._base import _default_estimator  # the estimators' module imports this one

    if not isinstance(X, pd.DataFrame) or all(
            pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d)
            or isinstance(d, pd.CategoricalDtype) for d in X.dtypes):
        return model
    encoded = _default_estimator(X, final=model)
    # dense output: HistGradientBoostingRegressor takes no sparse matrices
    encoded.steps[0][1].set_params(sparse_threshold=0.0)
    return encoded


class QuantileIntervalWidth(BaseUncertaintyScorer):
    """Width of a predicted quantile interval: wide where the target is uncertain.

    Two quantile regressors are fitted on the training set, one for the
    ``alpha / 2`` and one for the ``1 - alpha / 2`` quantile of the target
    given the features; a row's score is the width ``upper - lower`` of its
    predicted interval (in the units of the target). Unlike a committee's
    variance it also sees the noise of the target (aleatoric uncertainty):
    it is wide where the targets scatter, not only where the model has few
    rows.

    Requires ``"committee"``: the scorer fits its own models. Inside
    :class:`~sklearn_activesynth.ActiveSynthesisRegressor` it fits one pair
    per fold of a ``cv``-fold split of the training set (real rows plus the
    accepted synthetic rows), and each real training row is scored by the
    pair that did not see it (out-of-fold) unless ``uncertainty_cv=None``
    (then every pair scores it, mostly in-sample); validation rows get the
    mean width of the pairs. The wrapped regressor's ``fit`` parameters are
    not passed to the quantile models; ``sample_weight`` is.

    Parameters
    ----------
    alpha : float in (0, 1), default=0.1
        Miscoverage of the interval: quantiles ``alpha / 2`` and
        ``1 - alpha / 2`` (a 90 % interval by default).
    estimator : estimator, (lower, upper) pair or None, default=None
        ``None``: ``HistGradientBoostingRegressor(loss="quantile")`` (for a
        DataFrame with string, object or date columns, behind the default
        estimator's encoding, as ``estimator=None`` of the regressor). An
        estimator with a ``quantile`` parameter (nested ones too, e.g. a
        Pipeline ending in ``QuantileRegressor``) is cloned twice with
        ``quantile`` set to each end (with a ``loss`` parameter beside it,
        that must be ``"quantile"``). A pair of estimators is used as the
        lower and the upper model as given (cloned; ``alpha`` is then
        unused), e.g. two ``GradientBoostingRegressor(loss="quantile",
        alpha=...)``.
    cv : int or None, default=5
        Folds of the pairs fitted inside the regressor; ``None``: one pair
        fitted on every row (in-sample scores).

    Examples
    --------
    The noise grows with ``x``, and so does the 80 % interval (linear
    quantile regression fits it exactly):

    >>> import numpy as np
    >>> from sklearn.linear_model import QuantileRegressor
    >>> from sklearn_activesynth.uncertainty import QuantileIntervalWidth
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(0, 1, size=(300, 1))
    >>> y = X[:, 0] + X[:, 0] * rng.normal(size=300)
    >>> scorer = QuantileIntervalWidth(alpha=0.2, estimator=QuantileRegressor(alpha=0.0))
    >>> pairs, in_bag = scorer.fit_committee(None, X, y, random_state=0)
    >>> in_bag.shape                            # 5 folds' pairs, 300 rows
    (5, 300)
    >>> width, _ = scorer.score_committee(pairs, np.array([[0.1], [0.9]]))
    >>> bool(width[1] > 5 * width[0])
    True
    """

    requires = "committee"
    score_units = "target"

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "estimator": [HasMethods(["fit", "predict"]), tuple, list, None],
        "cv": [Interval(Integral, 2, None, closed="left"), None],
    }

    def __init__(self, alpha=0.1, estimator=None, cv=5):
        self.alpha = alpha
        self.estimator = estimator
        self.cv = cv

    def _templates(self):
        """The unfitted lower and upper quantile models."""
        lo_q, hi_q = self.alpha / 2, 1 - self.alpha / 2
        est = self.estimator
        if est is None:
            return (HistGradientBoostingRegressor(loss="quantile", quantile=lo_q),
                    HistGradientBoostingRegressor(loss="quantile", quantile=hi_q))
        if isinstance(est, (tuple, list)):
            if len(est) != 2 or not all(hasattr(e, "fit") and hasattr(e, "predict")
                                        for e in est):
                raise ValueError(
                    "QuantileIntervalWidth(estimator=...) as a pair must hold exactly two "
                    "regressors, (lower quantile model, upper quantile model); got "
                    f"{len(est)} item(s).")
            return clone(est[0]), clone(est[1])
        keys = _quantile_keys(est)
        if not keys:
            raise ValueError(
                f"{type(est).__name__} has no `quantile` parameter, so QuantileIntervalWidth "
                "cannot fit it to the two ends of the interval. Pass a quantile "
                "regressor (HistGradientBoostingRegressor(loss='quantile'), "
                "QuantileRegressor()), or the two fitted-to-be models as a pair: "
                "estimator=(lower_model, upper_model).")
        params = est.get_params(deep=True)
        for k in keys:
            loss_key = k[:-len("quantile")] + "loss"
            if loss_key in params and params[loss_key] != "quantile":
                raise ValueError(
                    f"{type(est).__name__} has {loss_key}={params[loss_key]!r}, so its "
                    f"`{k}` is ignored and both ends of the interval would be the same "
                    f"model. Set {loss_key}='quantile'.")
        return (clone(est).set_params(**{k: lo_q for k in keys}),
                clone(est).set_params(**{k: hi_q for k in keys}))

    def __call__(self, estimator, X):
        """Width of a fitted ``(lower, upper)`` pair's interval on ``X``.

        Parameters
        ----------
        estimator : tuple of two fitted regressors
            The lower and the upper quantile model (as ``fit_committee``
            returns them).
        X : array-like

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        """
        if not (isinstance(estimator, (tuple, list)) and len(estimator) == 2):
            raise TypeError(
                "QuantileIntervalWidth()(estimator, X) takes a fitted (lower, upper) pair "
                f"of quantile models; got {type(estimator).__name__}. Pass the scorer as "
                "ActiveSynthesisRegressor(uncertainty=QuantileIntervalWidth()) to fit "
                "the pairs on the training rows, or use fit_committee.")
        return _pair_width(estimator, X)

    def fit_committee(self, estimator, X, y, sample_weight=None, *, fit_params=None,
                      random_state=None, n_jobs=None):
        """Fit a (lower, upper) pair of quantile models per fold of ``(X, y)``.

        Parameters
        ----------
        estimator : estimator or None
            The wrapped regressor; unused (the pairs are this scorer's
            ``estimator``).
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
        sample_weight : ndarray of shape (n_samples,) or None, default=None
        fit_params : dict or None, default=None
            The wrapped regressor's; not passed to the quantile models.
        random_state : int, RandomState instance or None, default=None
            Seeds the folds and the models' unset ``random_state``.
        n_jobs : int or None, default=None
            Pairs fitted in parallel with joblib.

        Returns
        -------
        members : list of (lower, upper) fitted pairs
            One per fold (one with ``cv=None``).
        in_bag : ndarray of bool of shape (n_members, n_samples)
            Which rows each pair was fitted on.
        """
        self._validate_params()
        lower, upper = self._templates()
        if self.estimator is None:
            lower, upper = _encoded_for(lower, X), _encoded_for(upper, X)
        rng = check_random_state(random_state)
        n = np.asarray(y).shape[0]
        n_splits = None if self.cv is None else min(self.cv, n)
        if n_splits is None or n_splits < 2:
            folds = [np.arange(n)]
        else:
            kf = KFold(n_splits=n_splits, shuffle=True, random_state=rng.randint(MAX_SEED))
            folds = [tr for tr, _ in kf.split(np.zeros(n))]
        seeds = rng.randint(MAX_SEED, size=len(folds))
        if sample_weight is not None and not (_takes_sample_weight(lower)
                                              and _takes_sample_weight(upper)):
            _warn_resample(lower)
        members = parallel(n_jobs)(
            delayed(_fit_pair)(lower, upper, X, y, sample_weight, tr, seed)
            for tr, seed in zip(folds, seeds))
        in_bag = np.zeros((len(folds), n), dtype=bool)
        for i, tr in enumerate(folds):
            in_bag[i, tr] = True
        return members, in_bag

    def score_committee(self, members, X, n_classes=None, exclude=None):
        """Mean interval width of the pairs on ``X``; ``exclude[i, j]`` hides pair
        i's width of row j (a row every pair saw is scored by all of them).

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        mean : None
        """
        widths = np.stack([_pair_width(pair, X) for pair in members])
        if exclude is not None:
            exclude = exclude & ~exclude.all(axis=0)
            widths[exclude] = np.nan
        return np.nanmean(widths, axis=0), None


REGRESSION_MEASURES = {
    "ensemble_variance": CommitteeVariance,
    "predictive_std": PredictiveStd,
    "mc_dropout": MCDropoutVariance,
    "quantile_interval": QuantileIntervalWidth,
}


def resolve_regression_uncertainty(spec):
    """The scorer object for a value of ``ActiveSynthesisRegressor(uncertainty=...)``.

    ``"ensemble_variance"``: :class:`CommitteeVariance`; ``"predictive_std"``:
    :class:`PredictiveStd`; ``"mc_dropout"``: :class:`MCDropoutVariance`;
    ``"quantile_interval"``: :class:`QuantileIntervalWidth`; a
    :class:`BaseUncertaintyScorer`: itself; any other callable
    ``f(fitted_estimator, X) -> scores``: :class:`CallableUncertainty`.

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
