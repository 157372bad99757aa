"""ActiveSynthesisSampler: the active synthesis loop as an imbalanced-learn sampler."""

import warnings
from dataclasses import dataclass, field, fields
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import OneToOneFeatureMixin
from sklearn.utils import InputTags, Tags
from sklearn.utils.validation import check_is_fitted

from ._base import _BaseActiveSynthesis
from ._loop import FilterStage, QuotaStage
from ._sampling_strategy import (
    SAMPLING_STRATEGY_STRINGS,
    check_sampling_strategy,
    check_target_type,
)
from .integration import ConcatIntegration
from .utils._compat import Interval, StrOptions
from .utils.tabular import concat_rows

__all__ = ["ActiveSynthesisSampler", "ResamplingShortfallWarning"]


class ResamplingShortfallWarning(UserWarning):
    """The sampler added fewer rows than ``sampling_strategy`` asks for."""


# imbalanced-learn reads two tags scikit-learn does not define: whether a
# sampler takes DataFrames and its sampler tags. Same names, no dependency.
@dataclass(slots=True)
class _SamplerInputTags(InputTags):
    dataframe: bool = True


@dataclass(slots=True)
class _SamplerTags:
    sample_indices: bool = False


@dataclass(slots=True)
class _Tags(Tags):
    sampler_tags: _SamplerTags = field(default_factory=_SamplerTags)


def _reject_unlabelled(y):
    """A sampler resamples labelled rows: a missing label (NaN, None) is an error
    that says what to do instead."""
    if y is None:
        return
    try:
        arr = np.asarray(y)
    except Exception:  # not array-like: fit says so
        return
    if arr.dtype.kind not in "fcO" or arr.size == 0:
        return
    missing = np.asarray(pd.isna(arr), dtype=bool)
    if missing.ndim > 1:
        missing = missing.any(axis=tuple(range(1, missing.ndim)))
    if missing.any():
        raise ValueError(
            f"ActiveSynthesisSampler needs a label on every row, but y has "
            f"{int(missing.sum())} missing label(s) (NaN or None; the first at row "
            f"{int(np.flatnonzero(missing)[0])}). An imbalanced-learn sampler resamples "
            "labelled rows: drop the unlabelled ones first (X[mask], y[mask] with "
            "mask = ~pd.isna(y)), or learn from them with ActiveSynthesisClassifier("
            "oracle=...), which asks an oracle for their labels.")


def _copy_into(cls, obj, **extra):
    return cls(**{f.name: getattr(obj, f.name) for f in fields(obj)}, **extra)


class ActiveSynthesisSampler(OneToOneFeatureMixin, _BaseActiveSynthesis):
    """Over-sample like SMOTE, with rows placed where a model is unsure.

    ``sampling_strategy`` decides **how many** rows each class gets, with the
    meanings it has for imbalanced-learn's over-samplers (``SMOTE``,
    ``SMOTENC``...): ``fit_resample`` returns the real rows followed by exactly
    that many synthetic rows per class. The active synthesis loop decides
    **where** they go: over ``max_iter`` rounds it scores the uncertainty of
    ``estimator`` on the real rows, aims the generator at the most uncertain
    rows of each class (``targeting``), filters the rows, and refits, so later
    rounds aim at what the earlier rows left unsure. Like every
    imbalanced-learn sampler it acts only during ``fit`` of an
    imbalanced-learn ``Pipeline``: at predict time the data passes through.

    The container of ``X`` and ``y`` is kept: a DataFrame comes back with its
    columns and dtypes (index 0..n-1), a Series with its name and dtype, an
    array or a list as such, a sparse matrix as sparse.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier whose uncertainty guides where rows go (normally the
        pipeline's final estimator, or a cheaper stand-in). ``None`` means
        ``LogisticRegression()`` for numeric data and, for a DataFrame with
        string, categorical or boolean columns or missing values, a Pipeline
        that imputes, one-hot encodes and standardises before it, as in
        :class:`~sklearn_activesynth.ActiveSynthesisClassifier`.
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows to add, as in imbalanced-learn's over-samplers:

        - ``"auto"`` or ``"not majority"``: every class but the majority
          brought up to the majority's count; ``"minority"``: only the
          smallest class; ``"not minority"``: all but the smallest;
          ``"all"``: every class;
        - float (binary ``y`` only): the minority/majority ratio wanted after
          resampling, in (0, 1];
        - dict ``{class: rows wanted after resampling}`` (classes left out
          get none);
        - callable ``f(y) -> dict`` as above.

        The counts are those of ``y`` as passed to ``fit_resample``.
    generator : generator object, default=None
        Makes the rows (see :mod:`sklearn_activesynth.generators`); ``None``
        means ``InterpolationGenerator()``.
    filters, uncertainty, uncertainty_cv
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`. Rows a
        filter or the schema check drops are asked for again in later rounds.
    targeting : str or Targeting, default="uncertain"
        Where each class's rows go: which of its real rows anchor them (see
        :class:`~sklearn_activesynth.targeting.Targeting`). The class counts
        come from ``sampling_strategy``, so ``Targeting.class_allocation``
        must stay at its default.
    max_iter : int, default=3
        Rounds the rows are spread over (at least 1): each round asks for an
        even share of what each class still owes. If rows are still owed
        after them (dropped by filters, rejected by the guard, an early stop),
        up to 3 top-up rounds ask for the rest without the guard.
    integration : "concat", default="concat"
        A sampler returns rows, not weights: only "concat" applies (other
        values raise a ValueError).
    selector : {"ucb"}, UCBSelector or None, default=None
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`, except
        that the sampler must add the rows ``sampling_strategy`` asks for: the
        arms decide *where* each round's rows come from (the best-rewarded
        arm's rows are kept), and the no-synthesis arm is replaced by an
        ``"untargeted"`` arm (random anchors). Needs ``validation_fraction``.
    curriculum : ComplexityCurriculum or None, default=None
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`.
    scoring, patience
        The validation guard's score and patience, as in
        :class:`~sklearn_activesynth.ActiveSynthesisClassifier`; used only
        when ``validation_fraction`` is set.
    validation_fraction : float or None, default=None
        ``None`` (the default): no validation guard, every round's rows are
        kept, like SMOTE. A float holds out that share of the rows (the
        generator never sees them) and a round whose rows lower the
        validation score is set aside; its rows are asked for again later.
        The guard chooses among rounds, it never cancels the resampling: the
        top-up rounds do not consult it.
    tol : float, default=1e-4
        When the mean uncertainty of the training rows falls below ``tol`` the
        planned rounds stop and one top-up round adds every row still owed.
    generator_timeout, keep_generator, n_jobs, random_state, verbose
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        ``class -> number of synthetic rows`` asked for (imbalanced-learn's
        meaning of this attribute).
    sampling_shortfall_ : dict
        ``class -> rows asked for but not added`` (empty when every row was
        added; otherwise a :class:`ResamplingShortfallWarning` said why).
    synthetic_X_, synthetic_y_, synthetic_round_, synthetic_provenance_, \
history_, n_iter_, generator_, filters_, estimator_, classes_, \
n_features_in_, feature_names_in_, selection_
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`;
        ``estimator_`` is the last accepted model of the loop (fitted on the
        training split), ``history_`` marks top-up rounds ``"top_up"``.
    termination_condition_ : str
        As in the classifier, plus ``"nothing_to_add"`` when the strategy
        asks for no rows.

    See Also
    --------
    ActiveSynthesisClassifier : the same loop inside a classifier (weights,
        validation guard on by default).

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth import ActiveSynthesisSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 269), (1, 31)]
    >>> sampler = ActiveSynthesisSampler(LogisticRegression(), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 269), (1, 269)]
    >>> half = ActiveSynthesisSampler(LogisticRegression(), sampling_strategy=0.5,
    ...                               random_state=0)
    >>> sorted(Counter(half.fit_resample(X, y)[1].tolist()).items())
    [(0, 269), (1, 134)]
    >>> pipe = make_pipeline(sampler, LogisticRegression()).fit(X, y)
    """

    _parameter_constraints = {
        **{k: v for k, v in _BaseActiveSynthesis._parameter_constraints.items()
           if k != "n_synthetic"},
        "sampling_strategy": [
            Interval(Real, 0, 1, closed="right"),
            StrOptions(set(SAMPLING_STRATEGY_STRINGS)),
            dict,
            callable,
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        sampling_strategy="auto",
        generator=None,
        filters=None,
        uncertainty="entropy",
        uncertainty_cv=5,
        targeting="uncertain",
        max_iter=3,
        integration="concat",
        selector=None,
        curriculum=None,
        scoring=None,
        validation_fraction=None,
        patience=2,
        tol=1e-4,
        generator_timeout=None,
        keep_generator=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.generator = generator
        self.filters = filters
        self.uncertainty = uncertainty
        self.uncertainty_cv = uncertainty_cv
        self.targeting = targeting
        self.max_iter = max_iter
        self.integration = integration
        self.selector = selector
        self.curriculum = curriculum
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

    # -- what cannot apply to a sampler
    def _check_sampler_params(self):
        integration = self.integration
        if not (integration == "concat" or isinstance(integration, ConcatIntegration)):
            raise ValueError(
                f"ActiveSynthesisSampler returns rows, not weights, so integration must "
                f"be 'concat'; got integration={integration!r}. To weigh synthetic rows "
                "differently from real ones, use ActiveSynthesisClassifier(integration="
                f"{integration!r}) instead of a sampler followed by a classifier.")
        targeting = self.targeting
        if not isinstance(targeting, str):
            params = targeting.get_params() if hasattr(targeting, "get_params") else {}
            if "class_allocation" not in params or not hasattr(targeting, "set_params"):
                raise ValueError(
                    f"The sampler sets each class's rows per round through the targeting's "
                    f"class_allocation, which {type(targeting).__name__} does not have. "
                    "Pass a sklearn_activesynth.targeting.Targeting (or a subclass), or "
                    "use the targeting with ActiveSynthesisClassifier.")
            if params["class_allocation"] != "anchors":
                raise ValueError(
                    "sampling_strategy decides how many rows each class gets, so the "
                    "targeting's class_allocation must stay 'anchors' (its default); got "
                    f"class_allocation={params['class_allocation']!r}. Express the class "
                    "counts with sampling_strategy, e.g. a dict {class: rows wanted}.")
        if self.validation_fraction is None:
            unused = [name for name, value, default in (
                ("scoring", self.scoring, None), ("patience", self.patience, 2))
                if value != default]
            if unused:
                warnings.warn(
                    f"{' and '.join(unused)} only act through the validation guard, which "
                    "is off (validation_fraction=None, the sampler's default); they are "
                    "ignored. Set validation_fraction (e.g. 0.2) to turn the guard on.",
                    UserWarning, stacklevel=3)

    def _stages(self):
        """The loop's stages, with the quota stage right after filtering."""
        stages = super()._stages()
        at = next(i for i, st in enumerate(stages) if isinstance(st, FilterStage)) + 1
        stages.insert(at, QuotaStage())
        return stages

    def _synthetic_quota(self, y):
        self.sampling_strategy_ = check_sampling_strategy(self.sampling_strategy, y)
        return dict(self.sampling_strategy_)

    def _run(self, X, y, params):
        """Validate, run the loop, report a shortfall; returns the loop's X, y."""
        self._validate_params()
        self._check_sampler_params()
        X, y = self._fit_loop(X, y, params, final_refit=False)
        added = dict(zip(*np.unique(self.synthetic_y_, return_counts=True)))
        self.sampling_shortfall_ = {
            c: int(n - added.get(c, 0)) for c, n in self.sampling_strategy_.items()
            if added.get(c, 0) < n}
        if self.sampling_shortfall_:
            asked = {c: int(n) for c, n in self.sampling_strategy_.items()}
            errors = [e for e in self.history_.get("error", pd.Series(dtype=object))
                      if isinstance(e, str) and e]
            warnings.warn(
                f"ActiveSynthesisSampler added fewer rows than sampling_strategy asks "
                f"for: short by {self.sampling_shortfall_} of {asked} (class -> rows). "
                f"The loop stopped with {self.termination_condition_!r}"
                + (f"; last generator error: {errors[-1]}" if errors else "")
                + ". The generator could not make them (a class with one row cannot "
                "be interpolated) or the filters dropped them in every round; see "
                "history_ and sampling_shortfall_.", ResamplingShortfallWarning,
                stacklevel=3)
        return X, y

    def fit(self, X, y, **params):
        """Run the loop; the synthetic rows are kept in ``synthetic_X_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            Passed to the estimator's ``fit`` (``sample_weight`` weighs real
            rows in the loop's models; it does not travel with the rows).

        Returns
        -------
        self : object
        """
        _reject_unlabelled(y)
        y, _ = check_target_type(y)
        self._run(_loop_input(X), y, params)
        return self

    def fit_resample(self, X, y, **params):
        """Run the loop; return the real rows followed by the synthetic rows.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels; a one-hot encoded target comes back one-hot encoded.
        **params : dict
            Passed to the estimator's ``fit`` (see :meth:`fit`).

        Returns
        -------
        X_resampled : {ndarray, sparse matrix, DataFrame, list} of shape \
(n_samples_new, n_features)
            ``X``'s container: its rows, then the synthetic rows.
        y_resampled : {ndarray, Series, DataFrame, list} of shape (n_samples_new,)
            ``y``'s container (one-hot stays one-hot).
        """
        _reject_unlabelled(y)
        y_in, (y_1d, one_hot) = y, check_target_type(y)
        X_loop, y_loop = self._run(_loop_input(X), y_1d, params)
        check_is_fitted(self)
        X_res = concat_rows([X_loop, self.synthetic_X_]) if len(self.synthetic_y_) \
            else X_loop
        y_res = np.concatenate([np.asarray(y_loop), np.asarray(self.synthetic_y_)])
        return _restore_X(X_res, X), _restore_y(y_res, y_in, one_hot)


def _all_sparse_frame(X):
    return isinstance(X, pd.DataFrame) and X.shape[1] > 0 and \
        all(isinstance(d, pd.SparseDtype) for d in X.dtypes)


def _loop_input(X):
    """What the loop sees: a DataFrame of sparse columns as a sparse matrix."""
    if _all_sparse_frame(X):
        return sp.csr_matrix(X.sparse.to_coo())
    return X


def _restore_X(X_res, X):
    """The resampled rows in the container the user passed."""
    if isinstance(X, list):
        return np.asarray(X_res).tolist()
    if _all_sparse_frame(X):
        return pd.DataFrame.sparse.from_spmatrix(X_res, columns=X.columns).astype(X.dtypes)
    if isinstance(X, np.ndarray) and isinstance(X_res, np.ndarray) and \
            X_res.dtype != X.dtype and X.dtype.kind == "f":
        return X_res.astype(X.dtype)
    return X_res


def _restore_y(y_res, y, one_hot):
    """The resampled labels in the container (and dtype) of ``y``."""
    if one_hot:
        y_arr = np.asarray(y)
        return np.eye(y_arr.shape[1], dtype=y_arr.dtype)[y_res.astype(int)]
    if isinstance(y, pd.Series):
        return pd.Series(y_res, name=y.name, dtype=y.dtype)
    if isinstance(y, pd.DataFrame):
        return pd.DataFrame(y_res.reshape(-1, 1), columns=y.columns).astype(y.dtypes)
    if isinstance(y, list):
        return y_res.tolist()
    dtype = getattr(y, "dtype", None)
    return y_res.astype(dtype) if dtype is not None and dtype != object else y_res
