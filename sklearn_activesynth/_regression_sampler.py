"""ActiveSynthesisRegressionSampler: over-sampling of rare target ranges.

imbalanced-learn's samplers refuse a continuous target: ``SamplerMixin.fit_resample``
calls ``check_classification_targets(y)`` (its issues #105 and #571 ask for
regression since 2016). Its ``Pipeline`` only needs a step with
``fit_resample``, so this sampler does not subclass ``BaseSampler`` (as
:class:`~sklearn_activesynth.ActiveSynthesisSampler` does not): it is used
in an imbalanced-learn ``Pipeline`` as any sampler is, and needs no
imbalanced-learn at all.

The rows are made by the regressor's loop (:class:`RegressionSamplerLoop`, a
:class:`~._regressor.RegressionFitLoop`) with the sampler's quota: the
target ranges play the part the classes play in
:class:`~sklearn_activesynth.ActiveSynthesisSampler`.
"""

import warnings
from collections import OrderedDict
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import OneToOneFeatureMixin
from sklearn.linear_model import Ridge
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._base import (
    _STRATEGIES,
    _BaseActiveSynthesis,
    _check_sample_weight,
    _default_estimator,
)
from ._loop import (
    FilterStage,
    FitStage,
    GenerationStage,
    GuardStage,
    QuotaStage,
    Stage,
    UncertaintyStage,
)
from ._regressor import RegressionFitLoop, _ContinuousTarget
from ._sampler import (
    ResamplingShortfallWarning,
    _copy_into,
    _loop_input,
    _restore_X,
    _SamplerInputTags,
    _Tags,
)
from .targeting import Region, RegressionTargeting, Targets, target_ranges
from .uncertainty import resolve_regression_uncertainty
from .uncertainty._regression import REGRESSION_MEASURES
from .utils._compat import HasMethods, Interval, StrOptions
from .utils._threads import fit_thread_limits
from .utils.tabular import concat_rows, take_rows

__all__ = ["ActiveSynthesisRegressionSampler", "range_table"]


def range_table(y, relevance, threshold):
    """The rare and common ranges of the target's line, as a table.

    The ranges are :func:`~sklearn_activesynth.targeting.target_ranges`'
    (``bins="relevance"``: a maximal run of sorted targets whose relevance is
    ``>= threshold`` is a rare range, SMOGN's "bumps", the runs between them
    common ranges); here neighbouring ranges meet half-way between their
    closest targets, the first starting at ``-inf`` and the last ending at
    ``+inf``, so every number belongs to exactly one range.

    Parameters
    ----------
    y : ndarray of float
    relevance : ndarray of float
        ``phi(y)``, one per target.
    threshold : float

    Returns
    -------
    ranges : DataFrame
        One row per range, in target order: ``lo``, ``hi``, ``rare`` and
        ``n_real`` (the real targets in it).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth._regression_sampler import range_table
    >>> y = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 12.0])
    >>> range_table(y, (y > 5).astype(float), 0.5).to_dict("list")
    {'lo': [-inf, 6.5], 'hi': [6.5, inf], 'rare': [False, True], 'n_real': [4, 2]}
    """
    relevance = np.asarray(relevance, dtype=float)
    range_of, bounds = target_ranges(y, bins="relevance", relevance=relevance,
                                     threshold=threshold)
    n_ranges = len(bounds)
    edges = (bounds[:-1, 1] + bounds[1:, 0]) / 2.0
    # ranges alternate between rare and common: the first range's rarity is
    # that of the smallest target
    first_rare = bool(relevance[np.argmin(y)] >= threshold) if len(y) else False
    return pd.DataFrame({"lo": np.r_[-np.inf, edges], "hi": np.r_[edges, np.inf],
                         "rare": (np.arange(n_ranges) % 2 == 0) == first_rare,
                         "n_real": np.bincount(range_of, minlength=n_ranges).astype(int)})


def _user_ranges(strategy, y):
    """The ranges of a dict ``{(lo, hi): rows wanted}``, checked."""
    rows = []
    for key, wanted in strategy.items():
        if not (isinstance(key, tuple) and len(key) == 2 and
                all(isinstance(v, Real) and not np.isnan(v) for v in key) and
                key[0] <= key[1]):
            raise ValueError(
                f"sampling_strategy's keys are target ranges (lo, hi) with lo <= hi; got "
                f"{key!r}. E.g. {{(10_000.0, float('inf')): 500}} asks for 500 rows "
                "with a target of at least 10,000 after resampling.")
        if not isinstance(wanted, Integral) or isinstance(wanted, bool) or wanted < 0:
            raise ValueError(
                f"sampling_strategy[{key!r}] must be a count of rows wanted after "
                f"resampling (an integer >= 0); got {wanted!r}.")
        lo, hi = float(key[0]), float(key[1])
        rows.append((lo, hi, int(np.sum((y >= lo) & (y <= hi))), int(wanted)))
    rows.sort()
    for (lo1, hi1, *_), (lo2, hi2, *_) in zip(rows[:-1], rows[1:]):
        if lo2 <= hi1:
            raise ValueError(
                f"The target ranges ({lo1}, {hi1}) and ({lo2}, {hi2}) of "
                "sampling_strategy overlap; a synthetic row must count for one range only.")
    return pd.DataFrame({"lo": [r[0] for r in rows], "hi": [r[1] for r in rows],
                         "rare": True, "n_real": [r[2] for r in rows],
                         "n_wanted": [r[3] for r in rows]})


def _range_of(ranges, y):
    """Index (row of ``ranges``) of the range holding each target; -1 for none."""
    y = np.asarray(y, dtype=float)
    out = np.full(len(y), -1, dtype=np.intp)
    for i, (lo, hi) in enumerate(zip(ranges["lo"], ranges["hi"])):
        out[(out < 0) & (y >= lo) & (y <= hi)] = i
    return out


class RegressionSamplerLoop(RegressionFitLoop):
    """The regressor's loop with a quota per target range (the sampler's)."""

    fits_query_committee = keeps_committee = False   # a sampler has no query

    def __init__(self, owner, estimator, fit_params, *, quota, ranges):
        self.ranges = ranges
        super().__init__(owner, estimator, fit_params, final_refit=False, quota=quota)

    def quota_groups(self, state, y):
        return _range_of(self.ranges, y)


class RangeTargetingStage(Stage):
    """The regression sampler's targeting: each range's rows of the round go
    to its most uncertain real rows (one row each, the budget spread evenly
    over all of them when it exceeds their number; seed 000 §2.3)."""

    name = "targeting"

    def run(self, loop, state, rnd):
        ask = loop.round_ask(state, rnd.t)
        of = loop.quota_groups(state, state.y_tr)
        y, u = np.asarray(state.y_tr, dtype=float), rnd.u_tr
        anchors, counts, region_of, regions = [], [], [], []
        for r, n in ask.items():
            rows = np.flatnonzero(of == r)
            if n <= 0 or len(rows) == 0:
                continue
            t = RegressionTargeting("uncertain", n_anchors=int(min(len(rows), n))).build(
                X=take_rows(state.X_tr, rows), y=y[rows], scores=u[rows], budget=int(n),
                rng=state.rng)
            at = sum(len(a) for a in anchors)
            regions.append(Region(int(r), np.arange(at, at + len(t.anchor_indices))))
            anchors.append(rows[t.anchor_indices])
            counts.append(t.anchor_counts)
            region_of.append(np.full(len(t.anchor_indices), int(r)))
        if not anchors:
            rnd.end("empty_budget")
            return {}
        idx = np.concatenate(anchors)
        rnd.targets = Targets(
            anchor_indices=idx, anchors=take_rows(state.X_tr, idx), anchor_y=y[idx],
            anchor_scores=u[idx], anchor_counts=np.concatenate(counts),
            anchor_regions=np.concatenate(region_of), regions=regions, class_counts={},
            uncertainty_fn=loop.uncertainty_fn(state.model))
        rnd.proba_tr = None
        return dict(n_anchors=len(idx), n_regions=len(regions))


class ActiveSynthesisRegressionSampler(OneToOneFeatureMixin, _BaseActiveSynthesis):
    """Over-sample the rare target ranges of a regression problem (SMOTER-style),
    with rows placed where a regressor is unsure.

    ``fit_resample(X, y)`` takes a continuous ``y`` and returns the real rows,
    unchanged and in their order, followed by synthetic rows whose targets lie
    in the rare ranges of ``y``. **How many** rows each range gets is
    ``sampling_strategy``; **where** they go is decided by the regressor's
    active synthesis loop: over ``max_iter`` rounds the committee variance of
    ``estimator`` (seed 000 §2.2.1, out-of-bag) is scored on the real rows,
    each range's rows are anchored on its most uncertain rows and
    interpolated with their nearest rows in features and target (SMOTER, by
    :class:`~sklearn_activesynth.generators.InterpolationGenerator`), and the
    model is refitted, so later rounds aim at what the earlier rows left
    unsure. A synthetic row counts for the range its target falls in; rows
    whose target falls elsewhere are dropped and asked for again.

    A relevance function ``phi(y)`` in [0, 1] (SMOGN's: extremes are
    relevant) splits the target's line into alternating rare ranges (runs of
    sorted targets with ``phi >= relevance_threshold``) and common ranges,
    which meet half-way between their closest targets (see
    ``target_ranges_``).

    Like every imbalanced-learn sampler it acts only during ``fit`` of an
    imbalanced-learn ``Pipeline``; it does not subclass imbalanced-learn's
    ``BaseSampler``, whose ``fit_resample`` refuses a continuous ``y``, and
    needs no imbalanced-learn. The containers of ``X`` and ``y`` are kept
    (a DataFrame with its columns and dtypes, a Series with its name; the
    targets come back as floats).

    Parameters
    ----------
    estimator : regressor, default=None
        The regressor whose uncertainty guides where rows go (normally the
        pipeline's final regressor, or a cheaper stand-in). ``None`` means
        ``Ridge()`` (an encoding Pipeline ending in it for DataFrames with
        non-numeric columns or missing values).
    sampling_strategy : "auto", float, dict or callable, default="auto"
        How many rows the rare ranges get, with the meanings
        imbalanced-learn's over-samplers give it, the common range with the
        most rows standing for the majority class:

        - ``"auto"``: every rare range brought up to the row count of the
          largest common range (as SMOTE's "auto" brings every class up to
          the majority's count);
        - float in (0, 1]: every rare range brought up to that share of the
          largest common range's count (an error if one already has more);
        - dict ``{(lo, hi): rows wanted after resampling}``: your own
          ranges (closed intervals that do not overlap; ``float("inf")`` for
          an open end), the relevance unused: e.g. ``{(1e4, float("inf")):
          500}``;
        - callable ``f(y) -> dict`` as above.
    relevance : "boxplot" or callable, default="boxplot"
        ``phi``: "boxplot" is
        :func:`~sklearn_activesynth.targeting.boxplot_relevance` of ``y`` (0
        between the quartiles, 1 beyond the 1.5 IQR fences); a callable
        ``f(y) -> relevance in [0, 1]`` (e.g. ``lambda y: (y > 1e4) * 1.0``).
    relevance_threshold : float, default=0.5
        Relevance from which a target is rare (SMOGN's ``rel_thres``).
    generator : generator object, default=None
        Makes the rows; ``None`` means ``InterpolationGenerator()`` (run with
        ``target_type="continuous"``: SMOTER).
    filters : list of filter objects, default=None
        Applied to each round's rows after the schema check (which drops
        targets that are not finite or far outside the real ones).
    uncertainty : {"ensemble_variance", "predictive_std"}, scorer or callable, \
            default="ensemble_variance"
        As in :class:`~sklearn_activesynth.ActiveSynthesisRegressor`.
    uncertainty_cv : int or None, default=5
        As in :class:`~sklearn_activesynth.ActiveSynthesisRegressor`.
    max_iter : int, default=3
        Rounds the rows are spread over (at least 1); up to 3 top-up rounds
        ask for rows still owed after them.
    scoring, patience
        The validation guard's score (R² by default) and patience; used only
        when ``validation_fraction`` is set.
    validation_fraction : float or None, default=None
        ``None``: no guard, every round's rows are kept (like SMOTE). A float
        holds that share of the rows out; a round whose rows lower the
        validation score is set aside and its rows are asked for again.
    tol : float, default=1e-6
        As in :class:`~sklearn_activesynth.ActiveSynthesisRegressor`; below
        it one top-up round adds every row still owed.
    generator_timeout, keep_generator, n_jobs, random_state, verbose
        As in :class:`~sklearn_activesynth.ActiveSynthesisRegressor`. The same
        ``random_state`` gives the same rows.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        ``(lo, hi) -> synthetic rows`` asked for, per rare range.
    target_ranges_ : DataFrame
        One row per range: ``lo``, ``hi``, ``rare``, ``n_real``,
        ``n_requested`` and ``n_added``.
    sampling_shortfall_ : dict
        ``(lo, hi) -> rows asked for but not added`` (empty when all were; a
        :class:`~sklearn_activesynth.ResamplingShortfallWarning` says why).
    synthetic_X_, synthetic_y_, synthetic_round_, synthetic_provenance_, \
history_, n_iter_, termination_condition_, generator_, filters_, \
n_features_in_, feature_names_in_
        As in :class:`~sklearn_activesynth.ActiveSynthesisRegressor`;
        ``synthetic_provenance_`` also has ``target_range``, the row of
        ``target_ranges_`` each synthetic row counts for, and its
        ``anchor_index`` names the real row it was made from (imbalanced-
        learn's ``sample_indices_`` names selected rows; an over-sampler
        that makes new rows has none). ``termination_condition_`` is
        "nothing_to_add" when no range is owed rows.
    estimator_ : estimator
        The last accepted model of the loop.

    See Also
    --------
    ActiveSynthesisSampler : the same for class labels.
    ActiveSynthesisRegressor : the loop inside a regressor (with the guard
        on by default).

    References
    ----------
    Torgo, Ribeiro, Pfahringer, Branco, "SMOTE for Regression" (2013);
    Branco, Torgo, Ribeiro, "SMOGN" (2017): relevance, rare ranges. Active
    Synthesis (seed 000), §2.2-2.3: where the rows go.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth import ActiveSynthesisRegressionSampler
    >>> rng = np.random.RandomState(0)
    >>> x = np.r_[rng.uniform(0, 1, 180), rng.uniform(4, 5, 20)]   # a rare high tail
    >>> X, y = np.c_[x, rng.normal(size=200)], 3 * x
    >>> sampler = ActiveSynthesisRegressionSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape
    (360, 2)
    >>> bool((X_res[:200] == X).all()), bool((y_res[200:] >= 12).all())
    (True, True)
    >>> sampler.target_ranges_[["rare", "n_real", "n_added"]].to_dict("list")
    {'rare': [False, True], 'n_real': [180, 20], 'n_added': [0, 160]}

    In an imbalanced-learn Pipeline it resamples during ``fit`` only:

    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import Ridge
    >>> pipe = make_pipeline(ActiveSynthesisRegressionSampler(sampling_strategy=0.5,
    ...                                                       random_state=0), Ridge())
    >>> pipe.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        **{k: v for k, v in _BaseActiveSynthesis._parameter_constraints.items()
           if k not in ("selector", "curriculum", "n_synthetic", "targeting",
                        "integration")},
        "sampling_strategy": [Interval(Real, 0, 1, closed="right"), StrOptions({"auto"}),
                              dict, callable],
        "relevance": [StrOptions({"boxplot"}), callable],
        "relevance_threshold": [Interval(Real, 0, 1, closed="both")],
        "generator": [HasMethods(["fit", "generate"]), None],
        "uncertainty": [StrOptions(set(REGRESSION_MEASURES)), callable],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    _strategy_defaults = {
        **{k: _STRATEGIES[k] for k in ("estimator", "generator")},
        "uncertainty": lambda self: resolve_regression_uncertainty(self.uncertainty),
    }

    # what the loop reads besides the parameters: rows, not weights, are
    # returned; the ranges' own targeting replaces the loop's
    targeting = "uncertain"
    integration = "concat"
    n_synthetic = 0

    def __init__(
        self,
        estimator=None,
        *,
        sampling_strategy="auto",
        relevance="boxplot",
        relevance_threshold=0.5,
        generator=None,
        filters=None,
        uncertainty="ensemble_variance",
        uncertainty_cv=5,
        max_iter=3,
        scoring=None,
        validation_fraction=None,
        patience=2,
        tol=1e-6,
        generator_timeout=None,
        keep_generator=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.generator = generator
        self.filters = filters
        self.uncertainty = uncertainty
        self.uncertainty_cv = uncertainty_cv
        self.max_iter = max_iter
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.generator_timeout = generator_timeout
        self.keep_generator = keep_generator
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags = _copy_into(_Tags, tags)
        tags.input_tags = _copy_into(_SamplerInputTags, tags.input_tags)
        return tags

    def _get_estimator(self, X=None):
        if self.estimator is not None:
            return self.estimator
        return _default_estimator(X, final=Ridge())

    def _stages(self):
        return [UncertaintyStage(), RangeTargetingStage(), GenerationStage(), FilterStage(),
                QuotaStage(), FitStage(), GuardStage()]

    def _validate_targets(self, y, n_rows, unlabelled):
        if y.shape[0] != n_rows:
            raise ValueError(
                f"X and y have different lengths: X has {n_rows} rows, y has {y.shape[0]}. "
                "Pass one target per row.")
        if y.dtype.kind in "fcO":
            missing = np.asarray(pd.isna(y), dtype=bool)
            if missing.any():
                raise ValueError(
                    f"Input y contains NaN: {type(self).__name__} needs a target on every "
                    f"row, but {int(missing.sum())} are missing (the first at row "
                    f"{int(np.flatnonzero(missing)[0])}). Drop them first (X[mask], "
                    "y[mask] with mask = ~pd.isna(y)), or learn from them with "
                    "ActiveSynthesisRegressor(oracle=...), which asks an oracle for them.")
        return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")

    def _plan(self, y):
        """The ranges and the rows each rare range is owed: (ranges, quota)."""
        strategy = self.sampling_strategy
        if callable(strategy):
            strategy = strategy(y.copy())
            if not isinstance(strategy, dict):
                raise ValueError(
                    f"sampling_strategy, a callable, must return a dict {{(lo, hi): rows "
                    f"wanted}}; it returned {type(strategy).__name__}.")
        if isinstance(strategy, dict):
            ranges = _user_ranges(strategy, y)
            short = ranges[ranges["n_wanted"] < ranges["n_real"]]
            if len(short):
                lo, hi, n, w = short.iloc[0][["lo", "hi", "n_real", "n_wanted"]]
                raise ValueError(
                    f"sampling_strategy asks for {int(w)} rows in the range ({lo}, {hi}), "
                    f"which already has {int(n)}: an over-sampler adds rows, it never "
                    "removes them. Ask for at least as many as there are.")
            empty = ranges[(ranges["n_real"] == 0) & (ranges["n_wanted"] > 0)]
            if len(empty):
                lo, hi = empty.iloc[0][["lo", "hi"]]
                raise ValueError(
                    f"No target of y lies in the range ({lo}, {hi}) of sampling_strategy, "
                    "so there is no real row to make rows from; widen the range.")
            ranges["n_requested"] = ranges.pop("n_wanted") - ranges["n_real"]
            return ranges
        phi = RegressionTargeting(relevance=self.relevance).relevance_of(y, y)
        ranges = range_table(y, phi, self.relevance_threshold)
        common = ranges.loc[~ranges["rare"], "n_real"]
        ratio = 1.0 if strategy == "auto" else float(strategy)
        if not len(common):
            raise ValueError(
                f"Every target of y has relevance >= relevance_threshold="
                f"{self.relevance_threshold}: no range is common, so there is nothing to "
                "bring the rare ones up to. Raise relevance_threshold, or pass a dict "
                "{(lo, hi): rows wanted}.")
        target = int(ratio * common.max())
        over = ranges[ranges["rare"] & (ranges["n_real"] > target)]
        if len(over) and strategy != "auto":
            raise ValueError(
                f"sampling_strategy={strategy} asks for {target} rows per rare range "
                f"({strategy} of the largest common range's {int(common.max())}), but the "
                f"range ({over['lo'].iloc[0]}, {over['hi'].iloc[0]}) already has "
                f"{int(over['n_real'].iloc[0])}; an over-sampler never removes rows. "
                "Raise the ratio.")
        ranges["n_requested"] = np.where(ranges["rare"],
                                         np.maximum(target - ranges["n_real"], 0), 0)
        return ranges

    def _run(self, X, y, params):
        self._validate_params()
        X, y, _ = self._validate_input(_loop_input(X), y)
        fit_params, sample_weight = self._fit_params(params)
        sample_weight = _check_sample_weight(sample_weight, len(y))
        ranges = self._plan(y)
        quota = {i: int(n) for i, n in enumerate(ranges["n_requested"]) if n > 0}
        estimator = self._get_estimator(X)
        loop = RegressionSamplerLoop(self, estimator, fit_params, quota=quota, ranges=ranges)
        with fit_thread_limits(self.n_jobs, loop.estimator):
            result = loop.run(X, y, y, _ContinuousTarget(), sample_weight)
        self._set_fit_result(result)
        of = _range_of(ranges, self.synthetic_y_)
        self.synthetic_provenance_["target_range"] = of
        ranges["n_added"] = np.bincount(of[of >= 0], minlength=len(ranges)).astype(int)
        self.target_ranges_ = ranges[["lo", "hi", "rare", "n_real", "n_requested",
                                      "n_added"]]
        keys = list(zip(ranges["lo"].tolist(), ranges["hi"].tolist()))
        self.sampling_strategy_ = OrderedDict(
            (keys[i], int(n)) for i, n in quota.items())
        self.sampling_shortfall_ = {
            keys[i]: int(n - ranges["n_added"].iloc[i]) for i, n in quota.items()
            if ranges["n_added"].iloc[i] < n}
        if self.sampling_shortfall_:
            warnings.warn(
                f"{type(self).__name__} added fewer rows than sampling_strategy asks for: "
                f"short by {self.sampling_shortfall_} ((lo, hi) -> rows). The loop stopped "
                f"with {self.termination_condition_!r}. The generator's rows fell outside "
                "the ranges or the filters dropped them in every round; see history_ and "
                "target_ranges_.", ResamplingShortfallWarning, stacklevel=3)
        return X, y

    def fit(self, X, y, **params):
        """Run the loop; the synthetic rows are kept in ``synthetic_X_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Continuous targets (finite).
        **params : dict
            Passed to the estimator's ``fit`` (``sample_weight`` weighs the
            real rows in the loop's models; it does not travel with the rows).

        Returns
        -------
        self : object
        """
        self._run(X, y, params)
        return self

    def fit_resample(self, X, y, **params):
        """Run the loop; return the real rows followed by the synthetic rows.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Continuous targets (finite).
        **params : dict
            Passed to the estimator's ``fit`` (see :meth:`fit`).

        Returns
        -------
        X_resampled : {ndarray, sparse matrix, DataFrame, list} of shape \
(n_samples_new, n_features)
            ``X``'s container: its rows, unchanged, then the synthetic rows.
        y_resampled : {ndarray, Series, list} of shape (n_samples_new,)
            ``y``'s container, as floats.
        """
        X_loop, y_loop = self._run(X, y, params)
        check_is_fitted(self)
        X_res = concat_rows([X_loop, self.synthetic_X_]) if len(self.synthetic_y_) \
            else X_loop
        y_res = np.concatenate([np.asarray(y_loop, dtype=float),
                                np.asarray(self.synthetic_y_, dtype=float)])
        return _restore_X(X_res, X), _restore_target(y_res, y)


def _restore_target(y_res, y):
    """The resampled targets in ``y``'s container, as floats (a synthetic target
    interpolated between two integers is not an integer)."""
    if isinstance(y, pd.Series):
        return pd.Series(y_res, name=y.name)
    if isinstance(y, pd.DataFrame):
        return pd.DataFrame(y_res.reshape(-1, 1), columns=y.columns)
    if isinstance(y, list):
        return y_res.tolist()
    return y_res
