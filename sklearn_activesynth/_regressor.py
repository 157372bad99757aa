"""ActiveSynthesisRegressor: targeted synthetic rows for a continuous target.

The regressor runs the classifier's loop (:class:`~._loop.FitLoop`, the same
stages) through :class:`RegressionFitLoop`, which overrides the loop's hooks
for what depends on the target: floats instead of class codes, folds and the
validation split stratified on target quantiles, the committee variance of
predictions, anchors by uncertainty or target rarity, the schema check of the
targets, and an R² guard.
"""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone, is_regressor
from sklearn.ensemble import (
    AdaBoostRegressor,
    BaggingRegressor,
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    RandomForestRegressor,
    VotingRegressor,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._base import (
    _STRATEGIES,
    _BaseActiveSynthesis,
    _check_sample_weight,
    _default_estimator,
)
from ._checks import plausible_bounds, usable_rows
from ._loop import (
    DEFAULT_STAGES,
    AcquisitionStage,
    FitLoop,
    GuardStage,
    SyntheticPool,
    ValidationGuard,
    _label_kind,
)
from .acquisition import (
    DEFAULT_BATCH_SIZE,
    Acquisition,
    _Committee,
    _committee_of,
    _is_nan,
    missing_label_mask,
    resolve_regression_query_strategy,
)
from .generators.base import get_generator_tags
from .targeting import REGRESSION_ANCHORS, resolve_regression_targeting
from .uncertainty import resolve_regression_uncertainty
from .uncertainty._regression import REGRESSION_MEASURES
from .utils._compat import HasMethods, Interval, StrOptions, _fit_context
from .utils._dask import is_dask_collection, map_rows
from .utils._seeding import MAX_SEED, seed_unset_random_states
from .utils._threads import fit_thread_limits, task_workers
from .utils.tabular import take_rows

__all__ = ["ActiveSynthesisRegressor"]

#: target quantile bins the validation split is stratified on (at most)
N_STRATA = 5


class _ContinuousTarget:
    """The regressor's "label encoder": the targets are their own codes."""

    classes_ = np.empty(0)

    def transform(self, y):
        return np.asarray(y, dtype=float)

    def inverse_transform(self, y):
        return np.asarray(y, dtype=float)


def _target_strata(y):
    """Quantile bins of ``y`` (at most ``N_STRATA``, at least ten rows each),
    so that the validation rows cover the whole target range, the tails
    included; a single stratum when a bin would hold fewer than two rows."""
    y = np.asarray(y, dtype=float)
    n_bins = max(1, min(N_STRATA, len(y) // 10))
    if n_bins == 1:
        return np.zeros(len(y), dtype=int)
    edges = np.quantile(y, np.linspace(0, 1, n_bins + 1)[1:-1])
    strata = np.unique(np.searchsorted(edges, y, side="right"), return_inverse=True)[1]
    strata = strata.ravel()
    if np.bincount(strata).min() < 2:
        return np.zeros(len(y), dtype=int)
    return strata


def _weighted_errors(y, pred, weights):
    """Weighted means of the residuals' moments for each row of ``weights``
    (resample counts): ``(sum_w, e, |e|, e**2)`` with ``e = y - pred``."""
    err = y - pred
    sw = weights.sum(axis=1)
    return sw, err, weights @ np.abs(err) / sw, weights @ err ** 2 / sw


def _weighted_r2(y, pred, weights):
    """R² for each row of ``weights``, as :func:`sklearn.metrics.r2_score`
    with ``sample_weight`` (a constant target: 1 for a perfect fit, else 0)."""
    sw, _, _, mse = _weighted_errors(y, pred, weights)
    y_mean = weights @ y / sw
    var = np.sum(weights * (y[None, :] - y_mean[:, None]) ** 2, axis=1) / sw
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = 1.0 - mse / var
    return np.where(var > 0, r2, np.where(mse > 0, 0.0, 1.0))


def _weighted_explained_variance(y, pred, weights):
    """Explained variance for each row of ``weights``, as
    :func:`sklearn.metrics.explained_variance_score` with ``sample_weight``."""
    sw, err, _, _ = _weighted_errors(y, pred, weights)
    err_mean, y_mean = weights @ err / sw, weights @ y / sw
    var_err = np.sum(weights * (err[None, :] - err_mean[:, None]) ** 2, axis=1) / sw
    var_y = np.sum(weights * (y[None, :] - y_mean[:, None]) ** 2, axis=1) / sw
    with np.errstate(invalid="ignore", divide="ignore"):
        ev = 1.0 - var_err / var_y
    return np.where(var_y > 0, ev, np.where(var_err > 0, 0.0, 1.0))


def _weighted_mape(y, pred, weights):
    eps = np.finfo(np.float64).eps  # scikit-learn's floor of |y|
    return -(weights @ (np.abs(y - pred) / np.maximum(np.abs(y), eps))) / weights.sum(axis=1)


#: scikit-learn's regression scorers, computed for a matrix of resample
#: weights at once (higher is better, as the scorers return them)
_FAST_REGRESSION_SCORES = {
    "r2": _weighted_r2,
    "explained_variance": _weighted_explained_variance,
    "neg_mean_absolute_error": lambda y, p, w: -_weighted_errors(y, p, w)[2],
    "neg_mean_squared_error": lambda y, p, w: -_weighted_errors(y, p, w)[3],
    "neg_root_mean_squared_error": lambda y, p, w: -np.sqrt(_weighted_errors(y, p, w)[3]),
    "neg_mean_absolute_percentage_error": _weighted_mape,
}


class _CachedPredictions(RegressorMixin, BaseEstimator):
    """A fitted regressor's predictions on the validation rows: ``predict``
    takes row positions (a column) and returns the cached predictions, so
    one of scikit-learn's scorers can re-score a resample without predicting
    again."""

    def __init__(self, pred=None):
        self.pred = pred

    def predict(self, X):
        return self.pred[np.asarray(X).ravel().astype(int)]


def _wins(a, b):
    """1 where ``a`` is above ``b``, 0.5 for a tie, 0 below."""
    return np.where(np.abs(a - b) <= 1e-12, 0.5, (a > b).astype(float))


class RegressionGuard(ValidationGuard):
    """The no-harm guard of a regressor: a regression score on the validation
    rows (R² by default, any scorer accepted; higher is better, as for every
    scikit-learn scorer: ``"neg_mean_absolute_error"``...)."""

    def __init__(self, scoring, X_val, y_val):
        self.X_val, self.y_val = X_val, np.asarray(y_val, dtype=float)
        self.classes = self.label_encoder = None
        self.user_scoring = scoring is not None
        if len(self.y_val) == 0:
            self.scoring, self.scorer = None, None
            return
        self.scoring = "r2" if scoring is None else scoring
        self.scorer = get_scorer(self.scoring) if isinstance(self.scoring, str) \
            else self.scoring

    def score(self, model):
        if self.scorer is None:
            return np.nan
        try:
            return float(self.scorer(model, self.X_val, self.y_val))
        except ValueError as exc:
            # scikit-learn's scorers say "Input contains NaN" of the model's
            # predictions, which reads as if the user's data held NaN
            pred = np.asarray(model.predict(self.X_val), dtype=float)
            if np.all(np.isfinite(pred)):
                raise
            y_max = float(np.max(np.abs(self.y_val)))
            raise ValueError(
                f"{type(model).__name__} predicts values that are not finite (NaN or "
                f"inf) on {int(np.sum(~np.isfinite(pred)))} of the {len(pred)} validation "
                f"rows, so the validation score cannot be computed; the targets reach "
                f"|y| = {y_max:.3g}. This is an overflow of the estimator's arithmetic: "
                "rescale the target (e.g. divide y by its standard deviation, or use "
                "sklearn.compose.TransformedTargetRegressor) or the features, or pass an "
                "estimator that handles their magnitude.") from exc

    def brier(self, model):
        return np.nan

    def fast_kind(self, *models):
        return None

    def win_rate(self, model, other, n_bootstrap, rng):
        """Share of bootstrap resamples of the validation rows on which
        ``model`` scores above ``other`` (ties count half).

        The resamples are stratified on the target quantile bins of the
        validation split (:func:`_target_strata`), drawn from ``rng``. Each
        model predicts the validation rows once: scikit-learn's R², MAE, MSE,
        RMSE, MAPE and explained variance are computed from those predictions
        for all resamples at once (scikit-learn's scorers validate their
        inputs on each call, which would be most of the cost); another
        scorer given by name re-scores the cached predictions once per
        resample; a callable scorer is called once per resample on the
        resampled validation rows with the models themselves (it may need
        more than ``predict``)."""
        y = self.y_val
        strata = _target_strata(y)
        by_stratum = [np.flatnonzero(strata == s) for s in np.unique(strata)]
        fast = _FAST_REGRESSION_SCORES.get(self.scoring) \
            if isinstance(self.scoring, str) else None
        if fast is not None:
            counts = np.zeros((n_bootstrap, len(y)))
            for rows in by_stratum:
                counts[:, rows] = rng.multinomial(
                    len(rows), np.full(len(rows), 1 / len(rows)), size=n_bootstrap)
            pa = np.asarray(model.predict(self.X_val), dtype=float).ravel()
            pb = np.asarray(other.predict(self.X_val), dtype=float).ravel()
            return float(np.mean(_wins(fast(y, pa, counts), fast(y, pb, counts))))
        if isinstance(self.scoring, str):
            a = _CachedPredictions(np.asarray(model.predict(self.X_val)).ravel())
            b = _CachedPredictions(np.asarray(other.predict(self.X_val)).ravel())

            def score_at(idx):
                X_idx = idx.reshape(-1, 1)
                return (self.scorer(a, X_idx, y[idx]), self.scorer(b, X_idx, y[idx]))
        else:
            def score_at(idx):
                X_idx = take_rows(self.X_val, idx)
                return (self.scorer(model, X_idx, y[idx]), self.scorer(other, X_idx, y[idx]))
        wins = 0.0
        for _ in range(n_bootstrap):
            idx = np.concatenate([rng.choice(rows, len(rows)) for rows in by_stratum])
            sa, sb = score_at(idx)
            wins += float(_wins(np.float64(sa), np.float64(sb)))
        return wins / n_bootstrap


class ConfidentGuardStage(GuardStage):
    """The regressor's guard: keep the candidate only if the validation score
    did not drop and, with ``guard_confidence``, it beats the current model
    on at least that share of bootstrap resamples of the validation rows
    (:meth:`RegressionGuard.win_rate`; ``n_bootstrap`` of them)."""

    #: resamples of the validation rows per round (the selector's default)
    n_bootstrap = 100

    def run(self, loop, state, rnd):
        confidence = loop.guard_confidence
        if confidence is None or state.top_up or not loop.guard.active:
            fields = super().run(loop, state, rnd)
            fields["win_rate"] = np.nan
            return fields
        rnd.score = loop.guard.score(rnd.cand_model)
        win = loop.guard.win_rate(rnd.cand_model, state.model, self.n_bootstrap,
                                  loop.guard_rng)
        accepted = loop.guard.accepts(rnd.score, state.current) and win >= confidence
        fields = dict(val_score=rnd.score, win_rate=win, accepted=bool(accepted))
        if accepted:
            state.pool = rnd.candidate
            state.model, state.current = rnd.cand_model, rnd.score
            fields["n_accepted"] = int(len(rnd.y_new))
        else:
            rnd.row["status"] = "rejected"
        fields["n_synthetic_total"] = int(len(state.pool))
        return fields


class RegressionFitLoop(FitLoop):
    """The loop's hooks for a continuous target (see :class:`~._loop.FitLoop`)."""

    target_dtype = float
    query_committee = None   # fitted by fit_query_committee
    resolve_uncertainty = staticmethod(resolve_regression_uncertainty)
    resolve_targeting = staticmethod(resolve_regression_targeting)

    def split(self, y, rng):
        # stratified on target quantiles: the tails get validation rows too
        return super().split(_target_strata(y), rng)

    def prepare(self, X, y, y_enc, label_encoder, sample_weight, labelled=None, cold=None):
        state = super().prepare(X, y, y_enc, label_encoder, sample_weight, labelled,
                                cold=cold)
        state.pool = SyntheticPool(y=np.empty(0, dtype=float))
        # a scorer's unset random_state (MC dropout's masks) follows the fit's
        # seed; a clone, never the user's object
        scorer = self.uncertainty
        if any(v is None for k, v in scorer.get_params(deep=True).items()
               if k == "random_state" or k.endswith("__random_state")):
            self.uncertainty = seed_unset_random_states(clone(scorer), state.rng)
        # tol is relative to the target's scale (variance for scores in squared
        # units, standard deviation for other scores)
        y_tr = np.asarray(state.y_tr, dtype=float)
        squared = getattr(scorer, "score_units",
                          "squared" if scorer.requires == "committee" else "target") \
            == "squared"
        self.tol = self.owner.tol * float(np.var(y_tr) if squared else np.std(y_tr))
        self.y_bounds = plausible_bounds(y_tr[:, None])
        # the confident guard's resamples: a stream of its own, seeded from the
        # fit's generator without drawing from it, so that guard_confidence
        # changes which rounds are kept and nothing else (the synthetic rows of
        # the rounds both settings keep are the same)
        self.guard_rng = np.random.RandomState(np.random.MT19937(
            np.random.SeedSequence(state.rng.get_state()[1].tolist())))
        return state

    @property
    def guard_confidence(self):
        """The owner's ``guard_confidence`` (None for owners without one: the
        regression sampler)."""
        return getattr(self.owner, "guard_confidence", None)

    def stop_reason(self, state, rnd):
        if self.guard_confidence is not None and rnd.status is None and \
                rnd.row.get("status") == "rejected":
            # a candidate the confident guard rejected may score above the best
            # model so far; it is still no improvement (patience counts it), and
            # does not raise the best score
            if rnd.n_acquired:  # new real targets: the loop goes on, as it does
                state.no_improve = 0
                return None
            state.no_improve += 1
            return "no_improvement" if state.no_improve >= self.patience else None
        return super().stop_reason(state, rnd)

    def fit_generator(self, state):
        gen = state.generator
        if hasattr(gen, "__generator_tags__") and \
                not get_generator_tags(gen).continuous_target:
            # a generator written for classes may treat each distinct float as a
            # class; a plug-in's own subclass may be fine, so warn rather than refuse
            self.warn_once("continuous_target", (
                f"{type(gen).__name__} does not declare continuous targets (its "
                "GeneratorTags.continuous_target is False): a generator written for "
                "classes may treat each target value as a class. Its rows are kept only "
                "with a finite target inside the training targets' plausible range. "
                "The library's InterpolationGenerator, SDV generators and LLMGenerator "
                "declare it; set it in your generator's __generator_tags__ to silence "
                "this warning."))
        if hasattr(gen, "get_params") and \
                gen.get_params(deep=False).get("target_type", "") is None:
            gen.set_params(target_type="continuous")  # our clone, never the user's
        return super().fit_generator(state)

    def make_guard(self, state):
        return RegressionGuard(self.owner.scoring, state.X_val, state.y_val_orig)

    def cv_folds(self, state, n_splits, rng):
        n_splits = min(n_splits, state.n_tr)
        if n_splits < 2:
            self.warn_once("oof", "Fewer than 2 training rows, so uncertainty is scored "
                           "in-sample instead of out-of-fold.")
            return None
        kf = KFold(n_splits=n_splits, shuffle=True, random_state=rng.randint(MAX_SEED))
        return list(kf.split(np.zeros(state.n_tr)))

    def usable_rows(self, state, X, y):
        """The features' schema check, and a finite target inside the plausible
        range of the training targets (``PLAUSIBLE_SPANS`` spans around it)."""
        y = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce") \
            .to_numpy(dtype=float)
        keep = usable_rows(X, y, schema=state.schema, classes=y,
                           real_has_nan=state.real_has_nan, bounds=state.bounds)
        lo, hi = self.y_bounds
        with np.errstate(invalid="ignore"):
            return keep & np.isfinite(y) & (y >= lo[0]) & (y <= hi[0])

    def decode(self, state, codes):
        return np.asarray(codes, dtype=float)

    # -- acquisition (an oracle): targets are numbers, ranked by the variance
    def query_strategy(self, acquisition):
        acquisition._validate_params()
        return resolve_regression_query_strategy(acquisition.strategy,
                                                  self.owner.uncertainty)

    def encode_answer(self, state, labels):
        """The oracle's targets as floats; ``missing_label`` (and NaN, None)
        answers nothing; anything but a finite number answers nothing and is
        the error. Any real number is a target: -1 and 0 included."""
        values = np.full(len(labels), np.nan)
        missing = missing_label_mask(labels, self.missing_label) | \
            np.asarray(pd.isna(labels), dtype=bool)
        bad = []
        for i in np.flatnonzero(~missing):
            v = labels[i].item() if hasattr(labels[i], "item") else labels[i]
            if _label_kind(v) == "number" and not isinstance(v, (bool, np.bool_)):
                values[i] = float(v)
            else:
                bad.append(labels[i])
        error = None
        if bad:
            shown = sorted({repr(v) for v in bad})[:5]
            error = (f"returned {len(bad)} target(s) that are not finite numbers: "
                     f"{', '.join(shown)}")
        return values, np.isfinite(values), error

    def acquired_fields(self, state, codes):
        if len(codes) == 0:
            return {}
        return {"acquired_y_min": float(np.min(codes)),
                "acquired_y_max": float(np.max(codes))}

    def committee_model(self, members, state, model):
        return _Committee(members, None, model=model)

    @property
    def wants_committee(self):
        """Whether ``query`` needs a committee kept: a committee uncertainty,
        ``keep_committee``, and an estimator that is not an averaging ensemble
        (whose members are a committee already)."""
        return self.owner.keep_committee and self.uncertainty.requires == "committee" \
            and not _averaging_ensemble(self.estimator)

    @property
    def keeps_committee(self):
        return self.wants_committee

    @property
    def fits_query_committee(self):
        # the last round's committee serves when a round scored; otherwise one
        # is fitted on the final rows
        return self.wants_committee and self.last_committee is None

    def fit_query_committee(self, X, y, weights, state):
        self.query_committee, _ = self.uncertainty.fit_committee(
            self.estimator, X, y, weights, fit_params=self.fit_params,
            random_state=state.rng.randint(MAX_SEED),
            n_jobs=task_workers(self.n_jobs, self.estimator,
                                getattr(self.uncertainty, "n_members", 1)))

    def kept_committee(self):
        """The committee ``query`` ranks by, or None."""
        if not self.wants_committee:
            return None
        return self.query_committee if self.query_committee is not None \
            else self.last_committee


class _PredictionsOf:
    """``predict`` of the final estimator as floats: a picklable function of
    the rows that carries the fitted estimator alone (what a Dask task ships)."""

    def __init__(self, estimator):
        self.estimator = estimator

    def __call__(self, X):
        return np.asarray(self.estimator.predict(X), dtype=np.float64)


def _averaging_ensemble(estimator):
    """Whether ``estimator`` (or a Pipeline's last step) is an ensemble whose
    members each predict the target (bagging, forests, voting): their spread
    is a committee variance. Boosting's members are stages, not a committee."""
    final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    if isinstance(final, (GradientBoostingRegressor, AdaBoostRegressor)):
        return False
    return isinstance(final, (BaggingRegressor, RandomForestRegressor, ExtraTreesRegressor,
                              VotingRegressor))


class ActiveSynthesisRegressor(RegressorMixin, _BaseActiveSynthesis):
    """Wrap a regressor; add synthetic rows where it is uncertain or the target is rare.

    ``fit`` runs the active synthesis loop of
    :class:`~sklearn_activesynth.ActiveSynthesisClassifier` for a continuous
    target (seed 000 §2.1-2.4, with §2.2's regression measures): fit the
    estimator on the real training rows, score each row's uncertainty (the
    committee variance of bootstrap clones, out-of-bag by default), choose
    anchor rows (the most uncertain, or those with a rare target), ask the
    generator for rows around them with their targets (SMOTER-style
    interpolation by default), keep a round's rows only if the validation
    score (R²) does not drop, and refit on all real rows plus the accepted
    synthetic rows. ``predict`` sees no synthetic row.

    ``y`` may leave rows unlabelled (``NaN``): with an ``oracle`` each
    round starts by asking it for the targets of the unlabelled rows with
    the largest predictive variance (``acquisition``), as the classifier
    does; ``query`` ranks a pool outside ``fit``.

    Differences from the classifier: no ``selector`` or ``curriculum`` (the
    bandit and the complexity curriculum are written for classes); the
    class allocation becomes an allocation over target ranges
    (:class:`~sklearn_activesynth.targeting.RegressionTargeting`); filters
    written for classes (``ConfidenceFilter``, ``Teacher``) do not apply: the
    regression teacher is :class:`~sklearn_activesynth.filters.RegressionTeacher`;
    acquisition ranks by predictive variance, and the measures of class
    probabilities ("margin", "entropy", ...) raise an error.

    Parameters
    ----------
    estimator : estimator object, default=None
        The regressor to improve; cloned, never modified. ``None`` means
        ``Ridge()`` (fast and stable on small data, and its bootstrap
        committee disagrees where it extrapolates: far from the data, where
        synthetic rows help most), or for a DataFrame with string,
        categorical or boolean columns or missing values, the classifier's
        encoding Pipeline ending in ``Ridge()``.
    generator : generator object or None, default=None
        Produces rows with targets. ``None`` means ``InterpolationGenerator()``;
        an :class:`~sklearn_activesynth.generators.InterpolationGenerator`
        whose ``target_type`` is unset is run with
        ``target_type="continuous"`` (SMOTER: the target is interpolated with
        the same weight as the features, between an anchor and one of its
        nearest rows in features and target).
    filters : list of filter objects, default=None
        Applied to each round's rows after the built-in schema check (which
        also drops rows whose target is not a finite number inside the
        plausible range of the training targets).
    uncertainty : {"ensemble_variance", "predictive_std", "mc_dropout", \
            "quantile_interval"}, scorer or callable, default="ensemble_variance"
        "ensemble_variance": :class:`~sklearn_activesynth.uncertainty.CommitteeVariance`,
        seed 000 §2.2.1's ``U(x) = (1/k) sum_i (f_i(x) - mean f(x))^2`` over a
        bootstrap committee of 5 clones. "predictive_std":
        :class:`~sklearn_activesynth.uncertainty.PredictiveStd`, the
        estimator's own ``predict(X, return_std=True)`` (BayesianRidge,
        GaussianProcessRegressor). "mc_dropout":
        :class:`~sklearn_activesynth.uncertainty.MCDropoutVariance`, the
        variance of a torch/skorch net's predictions over 20 passes with
        dropout on (§2.2.2; the ``torch`` extra), seeded from
        ``random_state``. "quantile_interval":
        :class:`~sklearn_activesynth.uncertainty.QuantileIntervalWidth`, the
        width of a 90 % interval of two quantile models
        (``HistGradientBoostingRegressor(loss="quantile")``). A scorer object
        (to set their parameters) or a callable ``f(fitted_estimator, X) ->
        scores`` (higher: less sure) also works.
    uncertainty_cv : int or None, default=5
        Score the training rows out-of-fold: a model (or a quantile pair)
        that did not see a row scores it (the committee: out-of-bag).
        ``None``: in-sample.
    targeting : {"uncertain", "random", "rare"} or RegressionTargeting, \
            default="uncertain"
        Where the synthesis is aimed
        (:class:`~sklearn_activesynth.targeting.RegressionTargeting`): the
        most uncertain rows, random rows (the control), or the rows with a
        rare target ("rare": a relevance function over ``y``, by default
        boxplot-based: extreme targets beyond the quartiles are relevant;
        user-definable as ``RegressionTargeting("rare", relevance=f)``).
    n_synthetic : int or float, default=0.1
        Synthetic rows requested per round: a count, or a fraction of the
        training rows.
    max_iter : int, default=3
        Rounds of synthesis. ``0`` fits the estimator on the real rows only.
    integration : {"concat", "weighted", "curriculum", "uncertainty", "dynamic"}, \
            BaseIntegration or callable, default="concat"
        How synthetic rows are mixed with real ones (as for the classifier).
    scoring : str, callable or None, default=None
        Validation score of the no-harm guard; ``None``: ``"r2"``. Any
        scikit-learn regression scorer (``"neg_mean_absolute_error"``...).
    validation_fraction : float or None, default=0.2
        Share of the real rows held out for the guard, stratified on target
        quantiles. ``None`` accepts every round.
    guard_confidence : float in (0.5, 1] or None, default=None
        Keep a round's rows only when the gain is clear: besides the
        validation score not dropping, the candidate model must score above
        the current one on at least this share of 100 bootstrap resamples of
        the validation rows (stratified on target quantiles; ties count
        half; recorded as ``history_["win_rate"]``), the rule of the
        classifier's :class:`~sklearn_activesynth.selection.UCBSelector`
        (its ``confidence``, 0.8 by default). On a small validation split a
        score that does not drop is often noise; this rule keeps fewer
        rounds. ``None``: the score not dropping is enough. In the regression
        benchmark (``benchmarks/REGRESSION.md``) 0.8 harmed fewer cells than
        ``None`` by keeping rows in fewer seeds, but the rounds it kept were no
        more often right on the test rows and its median R² change was not
        better, so ``None`` stays the default.
    patience : int, default=2
        Stop after this many rounds without a validation improvement.
    tol : float, default=1e-6
        Stop when the mean training uncertainty falls below ``tol`` times the
        training targets' variance (scores in squared units:
        "ensemble_variance", "mc_dropout") or standard deviation (other
        scorers): a scale-free threshold (a well-fitted
        linear model's committee variance is typically 1e-5 of the target's
        variance, so the classifier's 1e-4 would stop most fits at once).
    generator_timeout : float or None, default=None
        Seconds one call of the generator's ``fit`` or ``generate`` may take.
    keep_generator : bool, default=False
        Keep the fitted ``generator_`` and ``filters_`` after ``fit``.
    keep_committee : bool, default=True
        With a committee ``uncertainty`` (the default), keep ``committee_``,
        what ``query`` ranks a pool by: the committee the last round scored
        the training rows with (no extra fit), or, when no round scored
        (``max_iter=0``), ``n_members`` clones fitted at the end of ``fit``
        on bootstrap samples of the final model's rows (six fits instead of
        one). ``False`` keeps none (a smaller pickle, and no extra fits for
        a real-only control that never calls ``query``); a bagging, forest
        or voting ``estimator`` is its own committee and needs none.
    refit : bool, default=True
        Refit the final model on all real rows (validation rows included)
        plus the accepted synthetic rows; ``False`` keeps the last accepted
        model.
    oracle : callable or None, default=None
        Who gives the targets of the unlabelled rows of ``y`` during ``fit``
        (a claims system, a lab, in a simulation the known targets):
        ``oracle(rows)`` gets a slice of ``X`` in ``X``'s container and
        returns one number per row (an oracle taking a keyword ``indices``
        also gets the rows' positions in ``X``). ``NaN`` or ``None`` (or
        ``missing_label``) in the answer means "not answered yet": the row
        stays unlabelled and may be asked again. An oracle that raises
        (retried twice in the round), does not return within
        ``generator_timeout`` (never called again in that fit), returns the
        wrong number of targets or values that are not finite numbers is
        recorded in ``history_`` (``oracle_error``) and warned about once
        (:class:`~sklearn_activesynth.acquisition.OracleFailedWarning`); the
        fit goes on. Rows it answers join the training rows (never the
        validation rows), the current model is refitted on them without the
        guard, and the final model learns every labelled row. ``None``:
        unlabelled rows are left out of the fit.
    acquisition : Acquisition or None, default=None
        Which unlabelled rows the ``oracle`` is asked about and how many per
        round (:class:`~sklearn_activesynth.acquisition.Acquisition`: the
        budget ``B_t = min(B_max, B_init + ΔB·t)`` of seed 003 §2.2.3, a
        proxy ``query_estimator``). Its default strategy, "auto", ranks by
        this regressor's ``uncertainty`` (the committee variance, its
        committee refitted each round on the round's training rows); also
        "predictive_std", "hybrid" (variance plus the pool's density),
        "coreset" (cover the pool), "random", or a strategy object such as
        ``UncertaintySampling(CommitteeVariance(), diversity=0.5)``.
        ``None`` with an oracle: ``Acquisition()``, 10 rows per round. Needs
        an ``oracle``.
    missing_label : float or None, default=np.nan
        The value of ``y`` that marks a row as unlabelled. By default only
        ``NaN`` (or ``None`` in object targets) does: any real number, -1
        and 0 included, is a valid target (scikit-learn's ``-1`` convention
        for unlabelled classes does not apply to a continuous target). A
        number such as ``-999.0`` makes that sentinel mark unlabelled rows
        instead. Unlabelled rows train nothing and validate nothing; without
        an ``oracle`` they are simply left out.
    n_jobs : int, default=None
        The fit's CPU budget (as for the classifier).
    random_state : int, RandomState instance or None, default=None
        Seeds everything in the fit; the same value gives the same synthetic
        rows and predictions. numpy's global generator is never used.
    verbose : int, default=0
        ``1``: one line per round; ``2``: also the seconds of each stage.

    Attributes
    ----------
    estimator_ : estimator
        The final fitted regressor.
    generator_ : generator
        Only with ``keep_generator=True``.
    filters_ : list of (name, filter)
        Only with ``keep_generator=True``.
    synthetic_X_ : DataFrame, ndarray or sparse matrix
        The accepted synthetic rows (in the training container).
    synthetic_y_ : ndarray of float
        Their targets.
    synthetic_round_ : ndarray of int
        The round in which each synthetic row was made.
    synthetic_provenance_ : DataFrame
        One row per synthetic row: ``round``, ``region`` (the target range of
        its anchor), ``anchor_index``, ``generator``, ``anchor_uncertainty``,
        ``label`` (the target).
    history_ : DataFrame
        One row per round (round 0 is the real-only model); ``range_rows_<k>``
        are the rows asked for in target range ``k`` (``target_ranges`` gives
        the bounds); ``win_rate`` is the confident guard's (NaN without
        ``guard_confidence``).
    n_iter_ : int
        Rounds run.
    termination_condition_ : str
        Why the rounds stopped.
    validation_indices_ : ndarray of int
        The validation rows (positions in ``X``).
    scoring_ : str or callable or None
        The validation score used.
    committee_ : list of estimators
        With ``keep_committee``, a committee ``uncertainty`` (the default)
        and an estimator that is not itself an averaging ensemble: the
        ``n_members`` committee members ``query`` ranks by (see
        ``keep_committee``).
    acquired_indices_ : ndarray of int
        With an ``oracle``: the positions, in the ``X`` passed to ``fit``,
        of the rows it labelled, in the order they were acquired.
    acquired_labels_ : ndarray of float
        With an ``oracle``: their targets. ``history_`` then also has per
        round ``acquisition_budget``, ``n_asked``, ``n_acquired``,
        ``acquired_y_min``, ``acquired_y_max``, ``n_unanswered``,
        ``n_unlabelled_left``, ``oracle_attempts``, ``oracle_error`` and
        ``val_score_acquired``.
    query_estimator_ : estimator
        With an ``oracle`` and ``acquisition=Acquisition(query_estimator=...)``:
        the proxy fitted on the final model's rows.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    See Also
    --------
    ActiveSynthesisClassifier : the same loop for class labels.
    ActiveSynthesisRegressionSampler : the loop as an imbalanced-learn sampler
        for a continuous target.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_activesynth import ActiveSynthesisRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=5.0, random_state=0)
    >>> reg = ActiveSynthesisRegressor(random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    >>> list(reg.history_["round"])[:2]
    [0, 1]

    Unlabelled targets are ``NaN``; an oracle gives them during ``fit``
    (here the known targets, a simulation):

    >>> import numpy as np
    >>> y_partial = y.copy()
    >>> y_partial[50:] = np.nan
    >>> reg = ActiveSynthesisRegressor(oracle=lambda rows, indices: y[indices],
    ...                                max_iter=2, random_state=0).fit(X, y_partial)
    >>> reg.history_["n_acquired"].iloc[1:].astype(int).tolist()
    [10, 10]
    """

    # the base class's constraints (written once there), less the classifier-only
    # options (a selector, its generator portfolios, the curriculum), with the
    # regression measures and anchors
    _parameter_constraints = {
        **{k: v for k, v in _BaseActiveSynthesis._parameter_constraints.items()
           if k not in ("selector", "curriculum")},
        "generator": [HasMethods(["fit", "generate"]), None],
        "uncertainty": [StrOptions(set(REGRESSION_MEASURES)), callable],
        "targeting": [StrOptions(set(REGRESSION_ANCHORS)), HasMethods(["build"])],
        "oracle": [callable, None],
        "acquisition": [Acquisition, None],
        "missing_label": [Real, None],
        "keep_committee": ["boolean"],
        "refit": ["boolean"],
        "guard_confidence": [Interval(Real, 0.5, 1, closed="right"), None],
    }

    _strategy_defaults = {
        **{k: _STRATEGIES[k] for k in ("estimator", "generator", "integration")},
        "targeting": lambda self: resolve_regression_targeting(self.targeting),
        "uncertainty": lambda self: resolve_regression_uncertainty(self.uncertainty),
        # the strategy explicit, so that acquisition__strategy__diversity tunes the
        # variance ranking (Acquisition's "auto" alone would resolve as a classifier's)
        "acquisition": lambda self: Acquisition(
            strategy=resolve_regression_query_strategy("auto", self.uncertainty)),
    }

    def __init__(
        self,
        estimator=None,
        *,
        generator=None,
        filters=None,
        uncertainty="ensemble_variance",
        uncertainty_cv=5,
        targeting="uncertain",
        n_synthetic=0.1,
        max_iter=3,
        integration="concat",
        oracle=None,
        acquisition=None,
        missing_label=np.nan,
        scoring=None,
        validation_fraction=0.2,
        guard_confidence=None,
        patience=2,
        tol=1e-6,
        generator_timeout=None,
        keep_generator=False,
        keep_committee=True,
        refit=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.generator = generator
        self.filters = filters
        self.uncertainty = uncertainty
        self.uncertainty_cv = uncertainty_cv
        self.targeting = targeting
        self.n_synthetic = n_synthetic
        self.max_iter = max_iter
        self.integration = integration
        self.oracle = oracle
        self.acquisition = acquisition
        self.missing_label = missing_label
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.guard_confidence = guard_confidence
        self.patience = patience
        self.tol = tol
        self.generator_timeout = generator_timeout
        self.keep_generator = keep_generator
        self.keep_committee = keep_committee
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _get_estimator(self, X=None):
        """``estimator``, or for ``None`` ``Ridge()`` (an encoding Pipeline
        ending in it for DataFrames with non-numeric columns or missing values)."""
        if self.estimator is not None:
            return self.estimator
        return _default_estimator(X, final=Ridge())

    def _stages(self):
        stages = [ConfidentGuardStage() if stage is GuardStage else stage()
                  for stage in DEFAULT_STAGES]
        if self.oracle is not None:  # real targets first in the round
            stages.insert(0, AcquisitionStage(self._get_acquisition()))
        return stages

    def _unlabelled_rows(self, y):
        """Rows of ``y`` equal to ``missing_label`` (NaN, None by default)."""
        missing = self.missing_label
        if missing is None or _is_nan(missing):
            return missing_label_mask(y, np.nan)
        if y.dtype.kind in "US":  # not numbers: _validate_targets says so
            return np.zeros(len(y), dtype=bool)
        values = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce")
        return np.asarray(values.to_numpy(dtype=float) == float(missing), dtype=bool)

    def _validate_targets(self, y, n_rows, unlabelled):
        if y.shape[0] != n_rows:
            raise ValueError(
                f"X and y have different lengths: X has {n_rows} rows, y has {y.shape[0]}. "
                "Pass one target per row.")
        if unlabelled is None:
            return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if unlabelled.all():
            raise ValueError(
                f"Input y contains NaN: every row of y is unlabelled (missing_label="
                f"{self.missing_label!r}); {type(self).__name__} needs labelled rows to "
                "fit its first model. Pass finite targets for the rows you know.")
        # a float copy: NaN where unlabelled (never the user's array)
        out = np.full(n_rows, np.nan)
        out[~unlabelled] = check_array(y[~unlabelled], ensure_2d=False, dtype=np.float64,
                                       input_name="y")
        return out

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Run the active synthesis loop and fit the final regressor.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Real training rows.
        y : array-like of shape (n_samples,)
            Numeric targets (finite); rows equal to ``missing_label`` (``NaN``
            by default) are unlabelled.
        **fit_params : dict
            Passed to the estimator's ``fit``. ``sample_weight`` weighs the real
            rows (combined with the integration weights). With metadata routing
            enabled, parameters are routed as the estimator requested.

        Returns
        -------
        self : object
        """
        if self.acquisition is not None and self.oracle is None:
            raise ValueError(
                "acquisition is set but oracle is None: the acquisition says which "
                "unlabelled rows to ask about and how many per round, and the oracle is "
                "who answers. Pass oracle=f(rows) -> targets, or leave acquisition=None; "
                "to rank a pool without an oracle, use query() after fit.")
        X, y, unlabelled = self._validate_input(X, y)
        labelled = None if unlabelled is None else ~unlabelled
        fit_params, sample_weight = self._fit_params(fit_params)
        sample_weight = _check_sample_weight(sample_weight, len(y), labelled)
        estimator = self._get_estimator(X)
        loop = RegressionFitLoop(self, estimator, fit_params, final_refit=self.refit)
        with fit_thread_limits(self.n_jobs, loop.estimator):
            result = loop.run(X, y, y, _ContinuousTarget(), sample_weight,
                              labelled=labelled)
        self._set_fit_result(result)
        committee = loop.kept_committee()
        if committee is not None:
            self.committee_ = committee
        elif hasattr(self, "committee_"):
            del self.committee_
        return self

    def predict(self, X):
        """Predict targets with the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_samples, n_features)
            A Dask array or DataFrame is predicted block by block on the Dask
            workers: the result is then a lazy Dask array (nothing is computed
            until you call ``.compute()``).

        Returns
        -------
        y : ndarray or dask.array.Array of shape (n_samples,)
        """
        X = self._check_predict_input(X)
        if is_dask_collection(X):
            # the task carries the fitted estimator only, not the record of the fit
            return map_rows(_PredictionsOf(self.estimator_), X, dtype=np.float64)
        return self.estimator_.predict(X)

    def _ranking_committee(self, model, own):
        """``model`` when it is a fitted committee, else this fit's
        ``committee_`` (for the final estimator), else a clear error."""
        try:
            _committee_of(model, "query")
            return model
        except ValueError:
            pass
        if own and hasattr(self, "committee_"):
            return _Committee(self.committee_, None, model=model)
        raise ValueError(
            f"strategy ranks by the committee variance, but {type(model).__name__} is not "
            "a fitted committee"
            + ("" if not own else
               f" and this fit kept none (committee_ is fitted with keep_committee=True "
               f"and a committee uncertainty such as 'ensemble_variance'; here "
               f"keep_committee={self.keep_committee!r}, uncertainty={self.uncertainty!r})")
            + ". Pass a fitted BaggingRegressor or RandomForestRegressor as "
            "query_estimator, or rank with strategy='predictive_std' (a Bayesian "
            "regressor), 'coreset' or a callable f(fitted_estimator, X) -> scores.")

    def query(self, X_pool, n_samples=1, *, strategy=None, exclude=None,
              return_scores=False, batch_size=DEFAULT_BATCH_SIZE, query_estimator=None):
        """The rows of an unlabelled pool to label next, largest predictive variance first.

        Ranks ``X_pool`` with a query strategy of
        :mod:`sklearn_activesynth.acquisition` (seed 003, §2.2) by this
        regressor's uncertainty: by default the committee variance of seed
        000 §2.2.1, ``U(x) = (1/k) Σ_i (f_i(x) − f̄(x))²``, of ``committee_``
        (bootstrap clones of the estimator, see ``keep_committee``), or of the
        estimator's own members when it is a bagging, forest or voting
        ensemble. The pool is scored
        ``batch_size`` rows at a time; randomness comes from
        ``random_state``.

        Parameters
        ----------
        X_pool : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_pool, n_features)
            Unlabelled rows with the training columns. A Dask array or
            DataFrame is scored by one task per block on the Dask workers
            (fit in memory, query out of core); only each block's best rows
            come back.
        n_samples : int, default=1
            Rows to return (all that are left, with a
            :class:`~sklearn_activesynth.acquisition.PoolExhaustedWarning`,
            when fewer are available).
        strategy : str, query strategy, uncertainty scorer, callable or None, \
                default=None
            ``None`` or "auto": this regressor's ``uncertainty``
            ("ensemble_variance": the committee variance; "predictive_std":
            a Bayesian regressor's own standard deviation).
            "ensemble_variance", "predictive_std"; "hybrid": the variance
            plus the pool's density (seed 003 §2.2.1); "coreset": the rows
            that cover the pool; "random": the control; a strategy object
            for the other knobs, e.g.
            ``UncertaintySampling(CommitteeVariance(), diversity=0.5)`` for a
            batch spread over the pool (§2.2.3); a regression uncertainty
            scorer or ``f(fitted_estimator, X) -> scores``. Measures of
            class probabilities ("margin", "entropy", "least_confidence")
            raise a ``ValueError``.
        exclude : array-like of int or bool mask, default=None
            Positions in ``X_pool`` never to return.
        return_scores : bool, default=False
            Also return the rows' scores.
        batch_size : int, default=10_000
            Rows scored at a time. The result does not depend on it.
        query_estimator : fitted regressor or None, default=None
            A proxy that ranks the pool in place of the final estimator
            (seed 003 §2.2.2), e.g. ``query_estimator_`` after a fit with
            ``acquisition=Acquisition(query_estimator=...)``; a fitted
            ``BaggingRegressor`` or random forest also serves the committee
            variance. ``None``: the final estimator (and ``committee_``).

        Returns
        -------
        positions : ndarray of int of shape (n_samples,)
            Positions in ``X_pool``, best first.
        scores : ndarray of shape (n_samples,)
            Only with ``return_scores=True``: their scores, non-increasing.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_regression
        >>> from sklearn_activesynth import ActiveSynthesisRegressor
        >>> X, y = make_regression(n_samples=300, n_features=4, noise=5.0, random_state=0)
        >>> reg = ActiveSynthesisRegressor(max_iter=0, random_state=0).fit(X[:100], y[:100])
        >>> pool = X[100:]
        >>> positions, scores = reg.query(pool, n_samples=5, return_scores=True)
        >>> positions.shape
        (5,)
        >>> from sklearn_activesynth.uncertainty import committee_variance
        >>> u = committee_variance(np.stack([m.predict(pool) for m in reg.committee_]))
        >>> bool((positions == np.argsort(-u)[:5]).all())
        True
        >>> reg.query(pool, n_samples=3, strategy="coreset").shape
        (3,)
        """
        X_pool = self._check_predict_input(X_pool)
        ranking = resolve_regression_query_strategy(strategy, self.uncertainty)
        model = self.estimator_
        if query_estimator is not None:
            try:
                check_is_fitted(query_estimator)
            except NotFittedError as exc:
                raise NotFittedError(
                    f"query_estimator {type(query_estimator).__name__} is not fitted. "
                    "query keeps no training rows, so it cannot fit a proxy: pass one "
                    "fitted on the rows this model learned (query_estimator_ after a fit "
                    "with acquisition=Acquisition(query_estimator=...)), or fit it "
                    "yourself.") from exc
            if not is_regressor(query_estimator):
                raise ValueError(
                    f"query_estimator must be a fitted regressor; got "
                    f"{type(query_estimator).__name__}.")
            model = query_estimator
        scorer = ranking._uncertainty_scorer()
        if scorer is not None and scorer.requires == "committee":
            model = self._ranking_committee(model, own=query_estimator is None)
        result = ranking.rank(model, X_pool, n_samples, exclude=exclude,
                              random_state=self.random_state, batch_size=batch_size,
                              n_jobs=self.n_jobs)
        if return_scores:
            return result.positions, result.scores
        return result.positions
