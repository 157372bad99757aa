"""Filters that judge each round's synthetic rows before they reach the model.

Seed 003 §2.3.2 scores a synthetic row by
:math:`q(x) = h(D_{disc}(x), \\mathrm{conf}(M(x)))` and keeps rows with
:math:`q(x) > \\tau_q`; seed 000 §3.3 asks that synthetic rows reveal no real
record. The filters here implement those pieces, each on its own and combined:

- :class:`RealismFilter`: a discriminator trained on real vs synthetic rows;
- :class:`ConfidenceFilter`: drops rows whose label the current model
  contradicts with high confidence (likely mislabelled), optionally the rows it
  already finds trivially easy;
- :class:`PrivacyFilter`: drops near-copies of real records;
- :class:`QualityFilter`: the combined score ``q(x) = h(realism, confidence)``.

- :class:`Teacher`: relabels rows with a classifier trained on the real
  training rows and drops those it is unsure of;
  :class:`RegressionTeacher` does the same for a continuous target (a
  regressor's prediction, dropped where its uncertainty is high).

Protocol (what ``ActiveSynthesisClassifier(filters=[...])`` calls): a filter
subclasses :class:`BaseFilter`. ``fit(X_real, y_real)`` is called once per
outer fit, on a clone, with every real row (``fit_on = "all"``, the default:
a near-copy of a validation row is a copy too) or with the training rows only
(``fit_on = "train"``: what the filter learns must not see the validation
rows). ``filter(X, y, context)`` returns a :class:`FilterResult`: a boolean
``mask`` (True = keep), optionally per-row ``scores`` (stored in
``synthetic_provenance_`` as ``quality_<FilterName>``), new labels ``y`` for
the rows (original label space), and a ``report`` of figures for the round's
row of ``history_``. ``context`` is a :class:`FilterContext` (the current model
fitted on labels encoded ``0..k-1``, the label encoder, the real rows, the
round, a seed). The rows each filter removes are counted per round in
``history_`` (``n_rejected_<FilterName>``). A subclass implements
``_filter(X, y, context)``; :meth:`BaseFilter.filter` checks the result
against the rows it was given. Filters work with any generator, on DataFrames
(mixed dtypes), arrays and sparse matrices (the realism discriminator
densifies its at most ``max_real`` real rows and the round's synthetic rows).
"""

# License: BSD 3 clause

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold
from sklearn.neighbors import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    NearestNeighbors,
)
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from .uncertainty._base import predict_proba_like
from .uncertainty._regression import CommitteeVariance
from .utils._compat import HasMethods, Interval, StrOptions
from .utils._seeding import MAX_SEED, check_random_state
from .utils.tabular import TabularSchema, take_rows

__all__ = [
    "FilterContext",
    "FilterResult",
    "BaseFilter",
    "RealismFilter",
    "ConfidenceFilter",
    "PrivacyFilter",
    "QualityFilter",
    "Teacher",
    "RegressionTeacher",
]

#: Where a filter's ``fit`` may look: every real row, or the training rows only.
FIT_ON = ("all", "train")


@dataclass
class FilterContext:
    """What a filter may use to judge one round's synthetic rows.

    Attributes
    ----------
    model : fitted estimator
        The current accepted model (fitted on encoded labels ``0..k-1``).
    classes : ndarray
        Original labels; ``label_encoder`` maps them to the model's codes.
    label_encoder : LabelEncoder
    X_real, y_real : the real training rows and their original labels.
    schema : TabularSchema
    round : int
    random_state : int
    """

    model: object
    classes: np.ndarray
    label_encoder: object
    X_real: object
    y_real: np.ndarray
    schema: object
    round: int
    random_state: int


@dataclass
class FilterResult:
    """What a filter says about the rows it was given.

    Checked when made: ``mask`` is a 1-D boolean array, ``scores`` and ``y``
    (when given) have one entry per row, ``report`` is a dict.

    Attributes
    ----------
    mask : ndarray of bool of shape (n_rows,)
        True = keep the row.
    scores : ndarray of float of shape (n_rows,) or None, default=None
        One score per row (what the filter judged); the classifier stores it
        in ``synthetic_provenance_`` as ``quality_<FilterName>``.
    y : ndarray of shape (n_rows,) or None, default=None
        New labels of the rows (original label space), for a filter that
        relabels (:class:`Teacher`); None keeps the labels.
    report : dict, default={}
        Figures about this call (e.g. the threshold used), added to the
        round's row of ``history_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.filters import FilterResult
    >>> scores = np.array([0.9, 0.2, 0.6])
    >>> result = FilterResult(scores >= 0.5, scores=scores, report={"threshold": 0.5})
    >>> result.mask, result.n_rows
    (array([ True, False,  True]), 3)
    """

    mask: np.ndarray
    scores: np.ndarray | None = None
    y: np.ndarray | None = None
    report: dict = field(default_factory=dict)

    def __post_init__(self):
        mask = np.asarray(self.mask)
        if mask.ndim != 1:
            raise ValueError(
                f"FilterResult.mask must be 1-D, one boolean per row; got shape "
                f"{mask.shape}.")
        if mask.size == 0:
            mask = mask.astype(bool)
        if mask.dtype != bool:
            raise TypeError(
                f"FilterResult.mask must be boolean (True = keep the row); got dtype "
                f"{mask.dtype}. Compare scores with a threshold, e.g. "
                "mask=scores >= threshold, and pass the scores as scores=.")
        self.mask = mask
        n = mask.shape[0]
        if self.scores is not None:
            scores = np.asarray(self.scores, dtype=float)
            if scores.shape != (n,):
                raise ValueError(
                    f"FilterResult.scores has shape {scores.shape}; expected ({n},), "
                    "one score per row of the mask.")
            self.scores = scores
        if self.y is not None:
            y = np.asarray(self.y)
            if y.shape != (n,):
                raise ValueError(
                    f"FilterResult.y has shape {y.shape}; expected ({n},), one label "
                    "per row of the mask.")
            self.y = y
        if not isinstance(self.report, dict):
            raise TypeError(
                f"FilterResult.report must be a dict of figures; got "
                f"{type(self.report).__name__}.")

    @property
    def n_rows(self):
        """Number of rows judged."""
        return self.mask.shape[0]


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


class BaseFilter(BaseEstimator):
    """Base class of filters: judge a round's synthetic rows, keep some.

    A subclass implements ``_filter(X, y, context)`` returning a
    :class:`FilterResult` (or a boolean mask, wrapped into one), and, if it
    learns from the real rows, ``fit(X_real, y_real)``. The class attribute
    ``fit_on`` says which real rows ``fit`` is given inside the classifier:
    ``"all"`` (training and validation rows) or ``"train"`` (training rows
    only).

    :meth:`filter` checks the input (one label per row) and the result (one
    mask entry, score and label per row) so the loop can rely on it.

    Examples
    --------
    A filter that keeps rows whose first column is positive:

    >>> import numpy as np
    >>> from sklearn_activesynth.filters import BaseFilter, FilterResult
    >>> class PositiveFirst(BaseFilter):
    ...     def _filter(self, X, y, context):
    ...         first = np.asarray(X)[:, 0]
    ...         return FilterResult(first > 0, scores=first)
    >>> PositiveFirst().filter(np.array([[1.0, 0.0], [-2.0, 1.0]])).mask
    array([ True, False])
    """

    fit_on = "all"

    _parameter_constraints: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.fit_on not in FIT_ON:
            raise TypeError(
                f"{cls.__name__}.fit_on is {cls.fit_on!r}; it must be one of {FIT_ON}.")

    def fit(self, X, y=None):
        """Learn from the real rows; by default there is nothing to learn.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Real rows (which ones: see ``fit_on``).
        y : array-like of shape (n_rows,) or None
            Their labels (original values).

        Returns
        -------
        self : object
        """
        return self

    def filter(self, X, y=None, context=None):
        """Judge the rows ``X``: which to keep, with scores and a report.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows, in the container the model was fitted on.
        y : array-like of shape (n_rows,) or None, default=None
            Their labels (original values).
        context : FilterContext or None, default=None
            The current model, the real rows, the round's seed.

        Returns
        -------
        result : FilterResult
            With one mask entry (and score, label) per row of ``X``.
        """
        n = _n_rows(X)
        if y is not None and len(y) != n:
            raise ValueError(
                f"{type(self).__name__}.filter got {n} rows and {len(y)} labels; pass "
                "one label per row.")
        result = self._filter(X, y, context)
        if not isinstance(result, FilterResult):
            result = FilterResult(mask=result)
        if result.n_rows != n:
            raise ValueError(
                f"{type(self).__name__}._filter returned {result.n_rows} mask entries for "
                f"{n} rows; it must return one per row.")
        return result

    def _filter(self, X, y, context):
        raise NotImplementedError(
            f"{type(self).__name__} must implement _filter(X, y, context) returning a "
            "FilterResult.")


def _dense(Z):
    return Z.toarray() if sp.issparse(Z) else Z


def _seed(context, fallback):
    """Per-round seed: the loop's, else one drawn at fit time."""
    seed = getattr(context, "random_state", None)
    return fallback if seed is None else int(seed)


def _label_confidence(context, X, y):
    """Probability the current model gives each row's own label, and the
    highest probability it gives any other label."""
    model = getattr(context, "model", None)
    if model is None:
        raise ValueError(
            "This filter needs the current model: call it with a FilterContext "
            "(ActiveSynthesisClassifier does), not context=None.")
    proba = predict_proba_like(model, X)
    codes = np.asarray(context.label_encoder.transform(np.asarray(y)), dtype=int)
    model_classes = np.asarray(getattr(model, "classes_", np.arange(proba.shape[1])))
    col = np.searchsorted(model_classes, codes)
    col = np.clip(col, 0, proba.shape[1] - 1)
    known = model_classes[col] == codes
    rows = np.arange(len(codes))
    p_own = np.where(known, proba[rows, col], 0.0)
    other = proba.copy()
    other[rows[known], col[known]] = -np.inf
    p_other = other.max(axis=1) if proba.shape[1] > 1 else np.zeros(len(codes))
    return p_own, p_other


class RealismFilter(BaseFilter):
    """Keep synthetic rows that a real-vs-synthetic discriminator finds real.

    The discriminator :math:`D_{disc}` of seed 003 §2.3.2. Each round, real
    rows are told apart from the round's synthetic rows by a classifier on the
    standardised encoding of the columns (numeric columns scaled, categories
    one-hot). The synthetic rows are scored out-of-fold (``cv`` folds: a row is
    never scored by a discriminator that saw it), with the two sides weighted
    equally, so :math:`P(\\mathrm{real}) = 0.5` means indistinguishable. A
    share ``holdout`` of the real rows never enters the discriminator's
    training: their scores show what real rows get, which sets the default
    threshold.

    Targeted rows are concentrated near the anchors by design. Against all
    real rows a discriminator learns that concentration (it estimates a
    density ratio) and would reject good rows for being where they were
    asked to be. With ``reference="local"`` (the default) the real side, and
    the held-out rows that set the threshold, are the real rows among the
    ``n_neighbors`` nearest of each synthetic row, so the discriminator can
    only tell rows apart by how they look, not by where they are: an
    implausible row still differs from its real neighbours, a realistic one
    does not. ``reference="global"`` compares with all real rows (for
    untargeted generation).

    Parameters
    ----------
    threshold : "auto" or float in [0, 1], default="auto"
        Keep rows with ``P(real) >= threshold``. ``"auto"``: the
        ``real_quantile`` quantile of the held-out real rows' ``P(real)``, so
        a synthetic row is kept when it looks at least as real as all but the
        least realistic ``real_quantile`` of real rows (an ideal generator
        loses about that share of its rows).
    real_quantile : float in [0, 1], default=0.05
        See ``threshold``.
    reference : {"local", "global"}, default="local"
        Which real rows the synthetic rows are compared with: those near them,
        or all (see above).
    n_neighbors : int, default=5
        Real neighbours per synthetic row taken into the local reference. More
        neighbours widen the reference towards all real rows (measured on
        rows targeted at five anchors: 73 % kept with 5, 64 % with 10, 15 %
        with 120, 13 % against all real rows; out-of-distribution rows were
        all removed in every setting).
    estimator : classifier or None, default=None
        The discriminator (fitted on the encoded matrix, with
        ``sample_weight`` when it takes one). ``None``:
        ``HistGradientBoostingClassifier(max_iter=100, max_leaf_nodes=15,
        min_samples_leaf=10)``.
    holdout : float in (0, 1), default=0.3
        Share of the real rows held out of the discriminator's training.
    cv : int, default=3
        Folds over the synthetic rows.
    max_real : int or None, default=5000
        Real rows used (a random subsample, drawn once in ``fit``).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample and split; inside the classifier each round's
        discriminator is seeded from the loop.

    Attributes
    ----------
    schema_ : TabularSchema
        Column kinds and scales of the real rows.

    ``filter`` returns a :class:`FilterResult` whose ``scores`` are the rows'
    out-of-fold ``P(real)`` and whose ``report["threshold"]`` is the threshold
    used; :meth:`realism_scores` gives the same scores together with those of
    the held-out real rows.

    See Also
    --------
    QualityFilter : realism and model confidence combined.
    sklearn_activesynth.metrics.synthetic_quality_report : the same
        discriminator's ROC-AUC, with other distances, for a whole data set.

    References
    ----------
    SynDA (seed 003), §2.3.2: :math:`D_{disc}` in the quality score.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.filters import RealismFilter
    >>> rng = np.random.RandomState(0)
    >>> X_real = rng.normal(size=(300, 3))
    >>> X_syn = np.vstack([rng.normal(size=(60, 3)),           # like the real rows
    ...                    rng.normal(loc=6.0, size=(20, 3))])  # far away
    >>> result = RealismFilter(random_state=0).fit(X_real).filter(X_syn)
    >>> keep = result.mask
    >>> bool(keep[:60].mean() > 0.8), bool(keep[60:].mean() < 0.2)
    (True, True)
    >>> result.scores.shape, 0 <= result.report["threshold"] <= 1
    ((80,), True)
    """

    _parameter_constraints = {
        "threshold": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both")],
        "real_quantile": [Interval(Real, 0, 1, closed="both")],
        "reference": [StrOptions({"local", "global"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "holdout": [Interval(Real, 0, 1, closed="neither")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "max_real": [Interval(Integral, 10, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, threshold="auto", *, real_quantile=0.05, reference="local",
                 n_neighbors=5, estimator=None, holdout=0.3, cv=3, max_real=5000,
                 random_state=None):
        self.threshold = threshold
        self.real_quantile = real_quantile
        self.reference = reference
        self.n_neighbors = n_neighbors
        self.estimator = estimator
        self.holdout = holdout
        self.cv = cv
        self.max_real = max_real
        self.random_state = random_state

    def fit(self, X_real, y_real=None):
        """Keep (a subsample of) the real rows, split into training and held-out.

        Parameters
        ----------
        X_real : DataFrame, ndarray or sparse matrix
        y_real : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        rng = check_random_state(self.random_state)
        n = X_real.shape[0]
        if n < 4:
            raise ValueError(f"RealismFilter needs at least 4 real rows, got {n}.")
        self.schema_ = TabularSchema(X_real)
        idx = rng.permutation(n)
        if self.max_real is not None:
            idx = idx[: self.max_real]
        n_hold = int(np.clip(round(self.holdout * len(idx)), 1, len(idx) - 2))
        hold, train = np.sort(idx[:n_hold]), np.sort(idx[n_hold:])
        self._Z_hold = _dense(self.schema_.encode(take_rows(X_real, hold)))
        self._Z_train = _dense(self.schema_.encode(take_rows(X_real, train)))
        if self.reference == "local":
            self._nn_train = NearestNeighbors().fit(self._Z_train)
            self._nn_hold = NearestNeighbors().fit(self._Z_hold)
        self._seed = int(rng.randint(MAX_SEED))
        return self

    def _reference(self, Z):
        """Real training rows and held-out rows (with multiplicity weights) the
        synthetic rows ``Z`` are compared with."""
        if self.reference == "global":
            return (self._Z_train, np.ones(self._Z_train.shape[0]),
                    self._Z_hold, np.ones(self._Z_hold.shape[0]))
        out = []
        for nn, Zr in ((self._nn_train, self._Z_train), (self._nn_hold, self._Z_hold)):
            k = min(self.n_neighbors, Zr.shape[0])
            ind = nn.kneighbors(Z, n_neighbors=k, return_distance=False).ravel()
            rows, counts = np.unique(ind, return_counts=True)
            out += [Zr[rows], counts.astype(float)]
        return tuple(out)

    def _discriminator(self, seed):
        if self.estimator is None:
            # leaves of 10 rows: a handful of implausible rows is enough to isolate
            return HistGradientBoostingClassifier(
                max_iter=100, max_leaf_nodes=15, min_samples_leaf=10,
                early_stopping=False, random_state=seed)
        est = clone(self.estimator)
        if "random_state" in est.get_params(deep=False):
            est.set_params(random_state=seed)
        return est

    def realism_scores(self, X, context=None):
        """Out-of-fold ``P(real)`` of the rows ``X``, and of the held-out real rows.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows.
        context : FilterContext, optional
            Gives the round's seed; needed only when the filter was not fitted
            (its real rows are then ``context.X_real``).

        Returns
        -------
        p_syn : ndarray of shape (n_rows,)
            NaN when there are too few rows to score out-of-fold (one row).
        p_holdout : ndarray of shape (n_holdout,)
            With ``reference="local"``: the held-out real rows near the
            synthetic rows, each repeated as often as it was a neighbour.
        """
        if not hasattr(self, "schema_"):
            if getattr(context, "X_real", None) is None:
                raise NotFittedError(
                    "RealismFilter is not fitted: call fit(X_real) or pass a context "
                    "with the real rows.")
            self.fit(context.X_real)
        seed = _seed(context, self._seed)
        Z = _dense(self.schema_.encode(X))
        n = Z.shape[0]
        p_syn = np.full(n, np.nan)
        n_splits = min(self.cv, n)
        if n_splits < 2:
            # one synthetic row: nothing to train the discriminator on without it
            return p_syn, np.full(1, np.nan)
        Z_real, w_real, Z_hold, w_hold = self._reference(Z)
        p_hold = np.zeros(Z_hold.shape[0])
        folds = KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(Z)
        n_real = Z_real.shape[0]
        for k, (tr, te) in enumerate(folds):
            Xd = np.vstack([Z_real, Z[tr]])
            yd = np.r_[np.ones(n_real), np.zeros(len(tr))]
            # equal total weight for both sides: P(real)=0.5 is "cannot tell"
            w = np.r_[0.5 * w_real / w_real.sum(), np.full(len(tr), 0.5 / len(tr))]
            w *= len(yd)
            disc = self._discriminator((seed + k) % MAX_SEED)
            if has_fit_parameter(disc, "sample_weight"):
                disc.fit(Xd, yd, sample_weight=w)
            else:
                disc.fit(Xd, yd)
            real_col = int(np.flatnonzero(np.asarray(disc.classes_) == 1)[0])
            p_syn[te] = disc.predict_proba(Z[te])[:, real_col]
            p_hold += disc.predict_proba(Z_hold)[:, real_col] / n_splits
        # held-out rows count as often as they were someone's neighbour
        return p_syn, np.repeat(p_hold, w_hold.astype(int))

    def _filter(self, X, y, context):
        """Keep the rows with ``P(real) >= threshold``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows.
        y : ignored
        context : FilterContext or None

        Returns
        -------
        result : FilterResult
            ``scores``: ``P(real)``; ``report``: ``{"threshold": tau}``.
        """
        p_syn, p_hold = self.realism_scores(X, context)
        if self.threshold == "auto":
            tau = float(np.quantile(p_hold, self.real_quantile)) \
                if np.isfinite(p_hold).all() and len(p_hold) else 0.0
        else:
            tau = float(self.threshold)
        # a row that could not be scored (a round of one row) is kept
        return FilterResult(~(p_syn < tau), scores=p_syn, report={"threshold": tau})


class ConfidenceFilter(BaseFilter):
    """Drop rows whose label the current model contradicts with high confidence.

    :math:`\\mathrm{conf}(M(x))` of seed 003 §2.3.2 used on its own: a
    synthetic row labelled ``c`` for which the current model gives another
    class a probability of at least ``threshold`` is most likely mislabelled
    (a generator that put it on the wrong side of the boundary), and would
    teach the model noise. Optionally, rows the model already finds trivially
    easy (probability of their own label at least ``easy_threshold``) are
    dropped too: they add little where the model is unsure.

    Parameters
    ----------
    threshold : float in (0, 1], default=0.9
        Drop a row when the model gives some other label at least this
        probability.
    easy_threshold : float in (0, 1] or None, default=None
        Also drop rows whose own label gets at least this probability.
        ``None`` keeps them.

    ``filter`` returns a :class:`FilterResult` whose ``scores`` are the
    probabilities the model gives each row's own label.

    See Also
    --------
    QualityFilter : realism and model confidence combined.

    References
    ----------
    SynDA (seed 003), §2.3.2: the confidence term of the quality score.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import LabelEncoder
    >>> from sklearn_activesynth import FilterContext
    >>> from sklearn_activesynth.filters import ConfidenceFilter
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(-3, 1, (50, 1)), rng.normal(3, 1, (50, 1))]
    >>> y = np.repeat(["no", "yes"], 50)
    >>> enc = LabelEncoder().fit(y)
    >>> model = LogisticRegression().fit(X, enc.transform(y))
    >>> ctx = FilterContext(model=model, classes=enc.classes_, label_encoder=enc,
    ...                     X_real=X, y_real=y, schema=None, round=1, random_state=0)
    >>> result = ConfidenceFilter().filter(np.array([[-3.0], [3.0]]),
    ...                                    np.array(["no", "no"]), ctx)
    >>> result.mask
    array([ True, False])
    >>> result.scores.round(2)   # probability of the label "no"
    array([1., 0.])
    """

    _parameter_constraints = {
        "threshold": [Interval(Real, 0, 1, closed="right")],
        "easy_threshold": [Interval(Real, 0, 1, closed="right"), None],
    }

    def __init__(self, threshold=0.9, *, easy_threshold=None):
        self.threshold = threshold
        self.easy_threshold = easy_threshold

    def _filter(self, X, y, context):
        """Keep the rows the model does not contradict (nor find trivially easy).

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows, in the container the model was fitted on.
        y : array-like of shape (n_rows,)
            Their labels (original values).
        context : FilterContext
            Must carry the current ``model`` and ``label_encoder``.

        Returns
        -------
        result : FilterResult
            ``scores``: the probability of each row's own label.
        """
        self._validate_params()
        if X.shape[0] == 0:
            return FilterResult(np.ones(0, dtype=bool), scores=np.empty(0))
        p_own, p_other = _label_confidence(context, X, y)
        keep = p_other < self.threshold
        if self.easy_threshold is not None:
            keep &= p_own < self.easy_threshold
        return FilterResult(keep, scores=p_own)


class PrivacyFilter(BaseFilter):
    """Drop synthetic rows that are near-copies of a real record.

    The distance of a synthetic row to its closest real record (DCR) is
    compared with how close real records are to each other: with
    ``threshold="auto"`` a row is dropped when its DCR is below the
    ``quantile`` quantile of the real rows' distances to their nearest other
    real row (an honest sample from the same distribution falls below it with
    probability of about ``quantile``; a copy of a real customer always
    does). Repeated real rows count once: the threshold is computed on the
    distinct real rows, so duplicates (at distance 0 from each other) do not
    pull it to 0. Exact copies are always dropped. Distances are Euclidean on the
    standardised numeric columns, one category mismatch counting as one
    standard deviation (the encoding of
    :class:`~sklearn_activesynth.utils.TabularSchema`).

    Parameters
    ----------
    threshold : "auto" or float >= 0, default="auto"
        Minimum DCR a row must exceed, in that encoded space.
    quantile : float in [0, 1], default=0.05
        See ``threshold="auto"``.
    max_reference : int, default=2000
        Distinct real rows whose nearest-neighbour distance sets the "auto"
        threshold (a random subsample; every real row is still searched for
        the DCR).
    n_jobs : int, default=None
        Parallel neighbour queries.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample.

    Attributes
    ----------
    threshold_ : float
        The DCR threshold (0.0 when every real row is the same record: then
        only its copies are dropped).
    real_nn_distances_ : ndarray
        The distinct-real-to-distinct-real nearest-neighbour distances it was
        derived from.
    n_distinct_real_ : int
        Number of distinct real rows (as encoded).

    ``filter`` returns a :class:`FilterResult` whose ``scores`` are the rows'
    DCR and whose ``report`` (merged into the round's row of ``history_``)
    gives ``dcr_threshold``, and the smallest and median DCR of the rows kept
    (``dcr_min_kept``, ``dcr_median_kept``; NaN when none is kept). With two
    privacy filters in one list, the later one's figures are reported.

    See Also
    --------
    sklearn_activesynth.metrics.synthetic_quality_report : the DCR
        distribution of a whole synthetic data set.

    References
    ----------
    Active Synthesis (seed 000), §3.3: synthetic rows must not reveal real
    records.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.filters import PrivacyFilter
    >>> rng = np.random.RandomState(0)
    >>> X_real = rng.normal(size=(200, 3))
    >>> near_copies = X_real[:5] + 1e-4
    >>> fresh = rng.normal(size=(100, 3))   # new draws from the same distribution
    >>> keep = PrivacyFilter().fit(X_real).filter(np.vstack([near_copies, fresh])).mask
    >>> keep[:5]
    array([False, False, False, False, False])
    >>> bool(keep[5:].mean() > 0.9)   # about 5 % of honest rows fall below the threshold
    True
    """

    _parameter_constraints = {
        "threshold": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "quantile": [Interval(Real, 0, 1, closed="both")],
        "max_reference": [Interval(Integral, 2, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(self, threshold="auto", *, quantile=0.05, max_reference=2000,
                 n_jobs=None, random_state=None):
        self.threshold = threshold
        self.quantile = quantile
        self.max_reference = max_reference
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X_real, y_real=None):
        """Index the real rows and derive the threshold.

        Parameters
        ----------
        X_real : DataFrame, ndarray or sparse matrix
        y_real : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        n = X_real.shape[0]
        if n < 2:
            raise ValueError(f"PrivacyFilter needs at least 2 real rows, got {n}.")
        rng = check_random_state(self.random_state)
        self.schema_ = TabularSchema(X_real)
        Z = self.schema_.encode(X_real, dtype=np.float32)
        # a repeated real row is one record: the threshold is set by distinct rows
        # (with duplicates, their distance 0 would pull it to 0 and let near-copies
        # through), and only distinct rows are searched for the DCR
        Z = Z[_distinct_rows(Z)]
        self.n_distinct_real_ = m = Z.shape[0]
        self.nn_ = NearestNeighbors(n_neighbors=1, n_jobs=self.n_jobs).fit(Z)
        if m >= 2:
            ref = rng.choice(m, size=min(m, self.max_reference), replace=False)
            dist, ind = self.nn_.kneighbors(Z[ref], n_neighbors=2)
            # the nearest distinct row other than the query itself
            own = ind[:, 0] == ref
            self.real_nn_distances_ = np.where(own, dist[:, 1], dist[:, 0]).astype(float)
        else:  # every real row is the same record: only its copies can be judged
            self.real_nn_distances_ = np.zeros(0)
        if self.threshold != "auto":
            self.threshold_ = float(self.threshold)
        elif len(self.real_nn_distances_):
            self.threshold_ = float(np.quantile(self.real_nn_distances_, self.quantile))
        else:
            self.threshold_ = 0.0
        return self

    def distances(self, X):
        """Distance of each row of ``X`` to its closest real record.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix

        Returns
        -------
        dcr : ndarray of shape (n_rows,)
        """
        if not hasattr(self, "nn_"):
            raise NotFittedError("PrivacyFilter is not fitted: call fit(X_real) first.")
        if X.shape[0] == 0:
            return np.empty(0)
        Z = self.schema_.encode(X, dtype=np.float32)
        return self.nn_.kneighbors(Z, n_neighbors=1)[0][:, 0].astype(float)

    def _filter(self, X, y, context):
        """Keep the rows whose DCR exceeds the threshold.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
        y : ignored
        context : FilterContext or None
            Used only when the filter was not fitted (``context.X_real``).

        Returns
        -------
        result : FilterResult
            ``scores``: the DCR of each row.
        """
        if not hasattr(self, "nn_"):
            if getattr(context, "X_real", None) is None:
                raise NotFittedError("PrivacyFilter is not fitted: call fit(X_real) first.")
            self.fit(context.X_real)
        dcr = self.distances(X)
        # float32 distances: an exact copy comes out as ~1e-4, not 0
        keep = dcr > max(self.threshold_, _COPY_DISTANCE)
        kept = dcr[keep]
        report = {
            "dcr_threshold": self.threshold_,
            "dcr_min_kept": float(kept.min()) if kept.size else np.nan,
            "dcr_median_kept": float(np.median(kept)) if kept.size else np.nan,
        }
        return FilterResult(keep, scores=dcr, report=report)


#: Distances at or below this (in the encoded space, computed in float32) are copies.
_COPY_DISTANCE = 1e-3


def _distinct_rows(Z):
    """Positions of the first occurrence of each distinct row of ``Z``, in order.

    Rows are compared exactly as encoded (dense or CSR); without duplicates
    this is ``arange(n)``, so nothing downstream changes.
    """
    if sp.issparse(Z):  # np.unique(axis=0) takes dense arrays only: hash each CSR row
        Z = Z.tocsr(copy=True)
        Z.sum_duplicates()
        Z.eliminate_zeros()
        seen = {}
        for i in range(Z.shape[0]):
            lo, hi = Z.indptr[i], Z.indptr[i + 1]
            key = (Z.indices[lo:hi].tobytes(), Z.data[lo:hi].tobytes())
            seen.setdefault(key, i)
        return np.sort(np.fromiter(seen.values(), dtype=np.intp, count=len(seen)))
    Z = np.ascontiguousarray(Z)
    if Z.shape[1] == 0:
        return np.arange(min(Z.shape[0], 1))
    _, first = np.unique(Z, axis=0, return_index=True)
    return np.sort(first)


_COMBINE = {
    "product": lambda r, c: r * c,
    "geometric": lambda r, c: np.sqrt(r * c),
    "mean": lambda r, c: 0.5 * (r + c),
    "min": np.minimum,
}


class QualityFilter(BaseFilter):
    """Keep rows whose combined quality ``q(x) = h(realism, confidence)`` exceeds τ_q.

    Seed 003 §2.3.2: :math:`q(x) = h(D_{disc}(x), \\mathrm{conf}(M(x)))`,
    keep :math:`q(x) > \\tau_q`. Both terms are on [0, 1]:

    - realism: where the row's out-of-fold ``P(real)`` (the discriminator of
      :class:`RealismFilter`) falls among the held-out real rows' scores, i.e.
      the share of real rows that look no more real than it (about uniform
      on [0, 1] for an ideal generator, near 0 for an implausible row);
    - confidence: the probability the current model gives the row's label
      (near 0 for a likely mislabelled row).

    Parameters
    ----------
    threshold : float in [0, 1], default=0.3
        τ_q: keep rows with ``q > threshold``. With the geometric mean, a row
        the model finds as likely as a typical real row (realism 1) is dropped
        when its label gets less than 0.09; a row whose label gets 0.9 when
        fewer than 10 % of real rows look less real than it.
    combine : {"geometric", "product", "mean", "min"} or callable, \
            default="geometric"
        ``h``: ``sqrt(r * c)``, ``r * c``, ``(r + c) / 2``, ``min(r, c)``, or
        ``h(realism, confidence) -> q`` on arrays.
    realism : RealismFilter or None, default=None
        Settings of the discriminator (its own threshold is not used).
        ``None`` means ``RealismFilter(random_state=random_state)``.
    random_state : int, RandomState instance or None, default=None
        Seeds the default discriminator (a ``realism`` you pass keeps its
        own ``random_state``). Inside the loop an unset value is drawn from
        the estimator's ``random_state``.

    Attributes
    ----------
    realism_ : RealismFilter
        The fitted discriminator settings.

    ``filter`` returns a :class:`FilterResult` whose ``scores`` are ``q``;
    :meth:`quality_scores` gives ``q`` with its two terms.

    See Also
    --------
    RealismFilter, ConfidenceFilter : the two terms as separate filters.

    References
    ----------
    SynDA (seed 003), §2.3.2.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import LabelEncoder
    >>> from sklearn_activesynth.filters import FilterContext, QualityFilter
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(-2, 1, (100, 2)), rng.normal(2, 1, (100, 2))]
    >>> y = np.repeat(["no", "yes"], 100)
    >>> enc = LabelEncoder().fit(y)
    >>> model = LogisticRegression().fit(X, enc.transform(y))
    >>> ctx = FilterContext(model=model, classes=enc.classes_, label_encoder=enc,
    ...                     X_real=X, y_real=y, schema=None, round=1, random_state=0)
    >>> X_syn = np.r_[rng.normal(-2, 1, (30, 2)), rng.normal(2, 1, (30, 2))]
    >>> y_syn = np.repeat(["yes", "yes"], 30)       # the first 30 are mislabelled
    >>> filt = QualityFilter(threshold=0.3, realism=RealismFilter(random_state=0)).fit(X)
    >>> keep = filt.filter(X_syn, y_syn, ctx).mask
    >>> bool(keep[:30].mean() < 0.2), bool(keep[30:].mean() > 0.6)
    (True, True)
    """

    _parameter_constraints = {
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "combine": [StrOptions(set(_COMBINE)), callable],
        "realism": [HasMethods(["realism_scores"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, threshold=0.3, *, combine="geometric", realism=None,
                 random_state=None):
        self.threshold = threshold
        self.combine = combine
        self.realism = realism
        self.random_state = random_state

    def fit(self, X_real, y_real=None):
        """Prepare the discriminator's real rows.

        Parameters
        ----------
        X_real : DataFrame, ndarray or sparse matrix
        y_real : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        base = RealismFilter(random_state=self.random_state) if self.realism is None \
            else self.realism
        self.realism_ = clone(base).fit(X_real, y_real)
        return self

    def quality_scores(self, X, y, context):
        """``q`` of each row, with its two terms.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows.
        y : array-like of shape (n_rows,)
            Their labels (original values).
        context : FilterContext
            Must carry the current ``model`` and ``label_encoder``; gives the
            round's seed, and the real rows when the filter was not fitted.

        Returns
        -------
        q : ndarray of shape (n_rows,)
            ``h(realism, confidence)``.
        realism : ndarray of shape (n_rows,)
            Share of held-out real rows that look no more real than the row.
        confidence : ndarray of shape (n_rows,)
            Probability the model gives the row's label.
        """
        if not hasattr(self, "realism_"):
            if getattr(context, "X_real", None) is None:
                raise NotFittedError("QualityFilter is not fitted: call fit(X_real) first.")
            self.fit(context.X_real)
        if X.shape[0] == 0:
            return np.empty(0), np.empty(0), np.empty(0)
        p_syn, p_hold = self.realism_.realism_scores(X, context)
        if np.isfinite(p_hold).all() and len(p_hold):
            ref = np.sort(p_hold)
            realism = np.searchsorted(ref, p_syn, side="right") / len(ref)
            realism = np.where(np.isfinite(p_syn), realism, 1.0)
        else:
            realism = np.ones(len(p_syn))
        confidence, _ = _label_confidence(context, X, y)
        h = _COMBINE[self.combine] if isinstance(self.combine, str) else self.combine
        q = np.asarray(h(realism, confidence), dtype=float)
        return q, realism, confidence

    def _filter(self, X, y, context):
        """Keep the rows with ``q > threshold``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
        y : array-like of shape (n_rows,)
        context : FilterContext

        Returns
        -------
        result : FilterResult
            ``scores``: ``q``.
        """
        q = self.quality_scores(X, y, context)[0]
        return FilterResult(q > self.threshold, scores=q)


_KNN_TEACHER_NEIGHBORS = 7


class Teacher(BaseFilter):
    """Relabel synthetic rows with a teacher trained on real rows; drop unsure ones.

    A generator's labels can be wrong: a row interpolated towards another
    class's neighbour, or one an LLM labelled carelessly. The teacher, a
    classifier fitted on the real training rows (never the validation rows:
    ``fit_on = "train"``), gives every synthetic row its most probable class
    and that class's probability; rows below ``threshold`` are dropped, the
    others take the teacher's label.

    Parameters
    ----------
    estimator : "knn" or classifier, default="knn"
        ``"knn"``: ``KNeighborsClassifier(n_neighbors=min(7, n_rows))`` on the
        standardised encoding of the columns (numeric columns scaled,
        categories one-hot; see
        :class:`~sklearn_activesynth.utils.TabularSchema`). A
        classifier with ``predict_proba`` is cloned and fitted on the raw
        rows, with the labels encoded ``0..k-1``.
    threshold : float in [0, 1], default=0.7
        Keep the rows whose top teacher probability is at least this.
    n_jobs : int, default=None
        Parallel neighbour queries of the ``"knn"`` teacher.

    Attributes
    ----------
    estimator_ : fitted classifier
        The teacher.
    label_encoder_ : LabelEncoder
        Maps the real labels to the teacher's codes ``0..k-1``.
    classes_ : ndarray
        The real labels.
    schema_ : TabularSchema or None
        The ``"knn"`` teacher's encoding (None for a user's classifier).

    ``filter`` returns a :class:`FilterResult` with ``y`` the teacher's labels
    (original label space), ``scores`` its top probability, and
    ``report["n_relabeled"]`` the number of kept rows whose label changed
    (when labels were given).

    See Also
    --------
    ConfidenceFilter : drops rows the current model contradicts, without
        relabelling.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.filters import Teacher
    >>> X_neg = np.random.RandomState(0).normal(-4, 1, (50, 2))
    >>> X = np.r_[X_neg, -X_neg]               # "pos" mirrors "neg" through the origin
    >>> y = np.repeat(["neg", "pos"], 50)
    >>> teacher = Teacher().fit(X, y)
    >>> result = teacher.filter(np.array([[4.0, 4.0], [0.0, 0.0], [-4.0, -4.0]]),
    ...                         np.array(["neg", "neg", "neg"]))
    >>> result.y, result.report      # the first row was mislabelled
    (array(['pos', 'neg', 'neg'], dtype='<U3'), {'n_relabeled': 1})
    >>> result.scores.round(2)       # at the origin the 7-NN vote is 4:3
    array([1.  , 0.57, 1.  ])
    >>> result.mask
    array([ True, False,  True])
    """

    fit_on = "train"

    _parameter_constraints = {
        "estimator": [StrOptions({"knn"}), HasMethods(["fit", "predict_proba"])],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, estimator="knn", threshold=0.7, *, n_jobs=None):
        self.estimator = estimator
        self.threshold = threshold
        self.n_jobs = n_jobs

    def fit(self, X, y, *, schema=None):
        """Fit the teacher on real rows.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Real (training) rows.
        y : array-like of shape (n_rows,)
            Their labels (original values).
        schema : TabularSchema or None, default=None
            The ``"knn"`` teacher's encoding; None: ``TabularSchema(X)``.
            (Pass the generator's schema to encode free-text columns as it
            does.)

        Returns
        -------
        self : object
        """
        self._validate_params()
        y = np.asarray(y)
        if y.shape != (_n_rows(X),):
            raise ValueError(
                f"Teacher.fit got {_n_rows(X)} rows and labels of shape {y.shape}; pass "
                "one label per row.")
        if y.dtype.kind == "f" and type_of_target(y) == "continuous":
            raise ValueError(
                "Teacher relabels class labels, but y is a continuous target (floats "
                "with fractional values). Use RegressionTeacher for "
                "ActiveSynthesisRegressor.")
        self.label_encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.label_encoder_.classes_
        codes = self.label_encoder_.transform(y)
        if isinstance(self.estimator, str):  # "knn"
            self.schema_ = TabularSchema(X) if schema is None else schema
            knn = KNeighborsClassifier(
                n_neighbors=min(_KNN_TEACHER_NEIGHBORS, len(codes)), n_jobs=self.n_jobs)
            self.estimator_ = knn.fit(self.schema_.encode(X), codes)
        else:
            self.schema_ = None
            self.estimator_ = clone(self.estimator).fit(X, codes)
        return self

    def predict_proba(self, X):
        """The teacher's class probabilities of rows ``X``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix

        Returns
        -------
        proba : ndarray of shape (n_rows, n_teacher_classes)
            Columns in the order of ``estimator_.classes_`` (codes into
            ``classes_``).
        """
        check_is_fitted(self, "estimator_")
        Z = self.schema_.encode(X) if self.schema_ is not None else X
        return np.asarray(self.estimator_.predict_proba(Z), dtype=float)

    def _filter(self, X, y, context):
        """Relabel the rows with the teacher's most probable class; keep the sure ones.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows.
        y : array-like of shape (n_rows,) or None
            Their labels (original values), to count the relabelled rows.
        context : ignored

        Returns
        -------
        result : FilterResult
            ``y``: the teacher's labels; ``scores``: its top probability;
            ``report``: ``{"n_relabeled": kept rows whose label changed}``.
        """
        check_is_fitted(self, "estimator_")
        n = _n_rows(X)
        if n == 0:
            return FilterResult(np.ones(0, dtype=bool), scores=np.empty(0),
                                y=self.classes_[:0],
                                report={} if y is None else {"n_relabeled": 0})
        proba = self.predict_proba(X)
        codes = np.asarray(getattr(self.estimator_, "classes_", np.arange(proba.shape[1])))
        top = proba.argmax(axis=1)
        new_codes = codes[top].astype(int)
        confidence = proba[np.arange(n), top]
        keep = confidence >= self.threshold
        y_new = self.classes_[new_codes]
        report = {}
        if y is not None:
            changed = np.asarray(y) != y_new
            report["n_relabeled"] = int(np.sum(changed & keep))
        return FilterResult(keep, scores=confidence, y=y_new, report=report)


#: folds of the out-of-fold predictive std of the real rows (RegressionTeacher)
_TEACHER_STD_FOLDS = 5


class RegressionTeacher(BaseFilter):
    """Relabel synthetic rows' targets with a regressor trained on real rows; drop
    the rows it is unsure of.

    The regression version of :class:`Teacher`, for
    :class:`~sklearn_activesynth.ActiveSynthesisRegressor`. A generator's
    targets can be off: an interpolated target between two rows whose target
    is not linear along the segment, an LLM's careless number. The teacher, a
    regressor fitted on the real training rows (never the validation rows:
    ``fit_on = "train"``), gives every synthetic row its prediction as the
    target, and scores its own uncertainty on the row:

    - ``uncertainty="committee"``: the variance of the predictions of a
      bootstrap committee of ``n_members`` clones of the teacher (seed 000
      §2.2.1, :class:`~sklearn_activesynth.uncertainty.CommitteeVariance`);
    - ``uncertainty="predictive_std"``: the teacher's own
      ``predict(X, return_std=True)`` (``BayesianRidge``,
      ``GaussianProcessRegressor``).

    Rows whose uncertainty is above the ``max_uncertainty`` quantile of the
    real training rows' uncertainties are dropped. The real rows are scored
    out-of-sample (out-of-bag for the committee, 5-fold out-of-fold for the
    predictive std), as a synthetic row is, so that the threshold is not set
    by in-sample scores that are too small.

    Parameters
    ----------
    estimator : "knn" or regressor, default="knn"
        ``"knn"``: ``KNeighborsRegressor(n_neighbors=min(7, n_rows),
        weights="distance")`` on the standardised encoding of the columns
        (:class:`~sklearn_activesynth.utils.TabularSchema`). A regressor is
        cloned and fitted on the raw rows.
    uncertainty : {"committee", "predictive_std"}, default="committee"
    max_uncertainty : float in [0, 1] or None, default=0.9
        Keep the rows whose uncertainty is at most this quantile of the real
        training rows' (``1.0``: at most the largest real one). ``None``
        keeps every row (relabel only).
    n_members : int, default=5
        Bootstrap committee size (``uncertainty="committee"``).
    random_state : int, RandomState instance or None, default=None
        Seeds the committee's bootstrap samples and members and the folds.
        Inside the regressor an unset value follows its ``random_state``.

    Attributes
    ----------
    estimator_ : fitted regressor
        The teacher, fitted on all the rows ``fit`` was given.
    members_ : list of fitted regressors
        The committee (``uncertainty="committee"``; else empty).
    schema_ : TabularSchema or None
        The ``"knn"`` teacher's encoding (None for a user's regressor).
    real_uncertainty_ : ndarray of shape (n_rows,)
        The real rows' out-of-sample uncertainties.
    threshold_ : float
        The largest uncertainty kept (``inf`` with ``max_uncertainty=None``).

    ``filter`` returns a :class:`FilterResult` with ``y`` the teacher's
    targets, ``scores`` its uncertainty (higher: less sure; stored in
    ``synthetic_provenance_`` as ``quality_RegressionTeacher``) and a
    ``report`` with ``teacher_threshold`` and, when targets were given,
    ``teacher_mean_abs_change`` (the mean absolute change of the kept rows'
    targets).

    See Also
    --------
    Teacher : the classifier's teacher.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.filters import RegressionTeacher
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> y = 3 * X[:, 0] + 0.1 * rng.normal(size=200)
    >>> teacher = RegressionTeacher(random_state=0).fit(X, y)
    >>> X_new = np.array([[0.5, 0.0], [-0.5, 0.2], [6.0, 6.0]])   # the last: far away
    >>> result = teacher.filter(X_new, np.array([10.0, -1.5, 18.0]))
    >>> result.y[:2].round(1)        # the first row's target was wrong
    array([ 1.4, -1.5])
    >>> result.mask                  # the committee disagrees on the far row
    array([ True,  True, False])
    """

    fit_on = "train"

    _parameter_constraints = {
        "estimator": [StrOptions({"knn"}), HasMethods(["fit", "predict"])],
        "uncertainty": [StrOptions({"committee", "predictive_std"})],
        "max_uncertainty": [Interval(Real, 0, 1, closed="both"), None],
        "n_members": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator="knn", *, uncertainty="committee", max_uncertainty=0.9,
                 n_members=5, random_state=None):
        self.estimator = estimator
        self.uncertainty = uncertainty
        self.max_uncertainty = max_uncertainty
        self.n_members = n_members
        self.random_state = random_state

    def _template(self, n_rows):
        if isinstance(self.estimator, str):  # "knn"
            # distance weights: a synthetic row next to a rare, extreme target
            # takes that target, not the mean of its (common) 7 neighbours
            return KNeighborsRegressor(n_neighbors=min(_KNN_TEACHER_NEIGHBORS, n_rows),
                                       weights="distance")
        return self.estimator

    def _encode(self, X):
        return self.schema_.encode(X) if self.schema_ is not None else X

    def _std(self, model, Z):
        try:
            out = model.predict(Z, return_std=True)
        except TypeError as exc:
            raise TypeError(
                f"RegressionTeacher(uncertainty='predictive_std') needs a regressor whose "
                f"predict takes return_std=True (BayesianRidge, GaussianProcessRegressor); "
                f"{type(model).__name__}'s does not ({exc}). Use "
                "uncertainty='committee'.") from exc
        return np.asarray(out[1], dtype=float).ravel()

    def fit(self, X, y):
        """Fit the teacher (and its committee) on real rows.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Real (training) rows.
        y : array-like of shape (n_rows,)
            Their targets (finite numbers).

        Returns
        -------
        self : object
        """
        self._validate_params()
        try:
            y = np.asarray(y, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "RegressionTeacher.fit needs numeric targets; for class labels use "
                f"Teacher ({exc}).") from exc
        n = _n_rows(X)
        if y.shape != (n,):
            raise ValueError(
                f"RegressionTeacher.fit got {n} rows and targets of shape {y.shape}; pass "
                "one target per row.")
        if n < 2 or not np.all(np.isfinite(y)):
            raise ValueError(
                "RegressionTeacher.fit needs at least 2 rows with finite targets; got "
                f"{n} rows, {int(np.sum(~np.isfinite(y)))} of them not finite.")
        rng = check_random_state(self.random_state)
        self.schema_ = TabularSchema(X) if isinstance(self.estimator, str) else None
        Z = self._encode(X)
        template = self._template(n)
        self.estimator_ = clone(template).fit(Z, y)
        self.members_ = []
        if self.uncertainty == "committee":
            committee = CommitteeVariance(n_members=self.n_members)
            self.members_, in_bag = committee.fit_committee(
                template, Z, y, random_state=rng.randint(MAX_SEED))
            # out-of-bag: each row by the members that did not draw it
            self.real_uncertainty_ = committee.score_committee(self.members_, Z,
                                                               exclude=in_bag)[0]
        else:
            self._std(self.estimator_, take_rows(Z, np.arange(min(n, 1))))  # fails early
            u = np.empty(n)
            folds = KFold(n_splits=min(_TEACHER_STD_FOLDS, n), shuffle=True,
                          random_state=rng.randint(MAX_SEED))
            for tr, te in folds.split(np.zeros(n)):
                model = clone(template).fit(take_rows(Z, tr), y[tr])
                u[te] = self._std(model, take_rows(Z, te))
            self.real_uncertainty_ = u
        self.threshold_ = (np.inf if self.max_uncertainty is None else
                           float(np.quantile(self.real_uncertainty_, self.max_uncertainty)))
        return self

    def predict(self, X):
        """The teacher's targets for rows ``X``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix

        Returns
        -------
        y : ndarray of shape (n_rows,)
        """
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict(self._encode(X)), dtype=float).ravel()

    def score_uncertainty(self, X):
        """The teacher's uncertainty on rows ``X`` (higher: less sure).

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix

        Returns
        -------
        scores : ndarray of shape (n_rows,)
            The committee variance, or the predictive standard deviation.
        """
        check_is_fitted(self, "estimator_")
        Z = self._encode(X)
        if self.uncertainty == "committee":
            return CommitteeVariance(n_members=self.n_members).score_committee(
                self.members_, Z)[0]
        return self._std(self.estimator_, Z)

    def _filter(self, X, y, context):
        """Relabel the rows with the teacher's prediction; keep the sure ones.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows.
        y : array-like of shape (n_rows,) or None
            Their targets, to measure how much the teacher changed them.
        context : ignored

        Returns
        -------
        result : FilterResult
        """
        check_is_fitted(self, "estimator_")
        report = {"teacher_threshold": self.threshold_}
        if _n_rows(X) == 0:
            if y is not None:
                report["teacher_mean_abs_change"] = np.nan
            return FilterResult(np.ones(0, dtype=bool), scores=np.empty(0),
                                y=np.empty(0), report=report)
        y_new = self.predict(X)
        u = self.score_uncertainty(X)
        keep = u <= self.threshold_
        if y is not None:
            change = np.abs(y_new - np.asarray(y, dtype=float))[keep]
            report["teacher_mean_abs_change"] = float(change.mean()) if len(change) \
                else np.nan
        return FilterResult(keep, scores=u, y=y_new, report=report)
