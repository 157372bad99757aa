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

Protocol (what ``ActiveSynthesisClassifier(filters=[...])`` calls): a filter is
an estimator with an optional ``fit(X_real, y_real)``, called once per outer
fit on a clone with the real training rows, and
``filter(X, y, context) -> boolean mask`` (True = keep), where ``context`` is a
:class:`~sklearn_activesynth.FilterContext` (the current model fitted on labels
encoded ``0..k-1``, the label encoder, the real rows, the round, a seed). A
filter sets ``last_scores_`` (one float per row it was given), which the
classifier stores in ``synthetic_provenance_`` as ``quality_<FilterName>``,
and the rows each filter removes are counted per round in ``history_``
(``n_rejected_<FilterName>``). Filters work with any generator, on DataFrames
(mixed dtypes), arrays and sparse matrices (the realism discriminator densifies
its at most ``max_real`` real rows and the round's synthetic rows).
"""

# License: BSD 3 clause

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import has_fit_parameter

from .uncertainty._scorers import predict_proba_like
from .utils._tabular import TabularSchema, take_rows

__all__ = ["RealismFilter", "ConfidenceFilter", "PrivacyFilter", "QualityFilter"]

MAX_SEED = np.iinfo(np.int32).max


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


class RealismFilter(BaseEstimator):
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
    threshold_ : float
        The threshold used by the last ``filter`` call.
    last_scores_ : ndarray of shape (n_rows,)
        ``P(real)`` of each row of the last ``filter`` call.
    last_holdout_scores_ : ndarray
        ``P(real)`` of the held-out real rows in the last call (with
        ``reference="local"``: those near the synthetic rows, each repeated as
        often as it was a neighbour).

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
    >>> keep = RealismFilter(random_state=0).fit(X_real).filter(X_syn)
    >>> bool(keep[:60].mean() > 0.8), bool(keep[60:].mean() < 0.2)
    (True, True)
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
        p_holdout : ndarray of shape (n_holdout,)
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

    def filter(self, X, y=None, context=None):
        """Mask of the rows to keep: ``P(real) >= threshold``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            Synthetic rows.
        y : ignored
        context : FilterContext, optional

        Returns
        -------
        keep : ndarray of bool of shape (n_rows,)
        """
        p_syn, p_hold = self.realism_scores(X, context)
        self.last_scores_ = p_syn
        self.last_holdout_scores_ = p_hold
        if self.threshold == "auto":
            tau = float(np.quantile(p_hold, self.real_quantile)) \
                if np.isfinite(p_hold).all() and len(p_hold) else 0.0
        else:
            tau = float(self.threshold)
        self.threshold_ = tau
        # a row that could not be scored (a round of one row) is kept
        return ~(p_syn < tau)


class ConfidenceFilter(BaseEstimator):
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

    Attributes
    ----------
    last_scores_ : ndarray of shape (n_rows,)
        Probability the model gave each row's own label in the last call.

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
    >>> ConfidenceFilter().filter(np.array([[-3.0], [3.0]]), np.array(["no", "no"]), ctx)
    array([ True, False])
    """

    _parameter_constraints = {
        "threshold": [Interval(Real, 0, 1, closed="right")],
        "easy_threshold": [Interval(Real, 0, 1, closed="right"), None],
    }

    def __init__(self, threshold=0.9, *, easy_threshold=None):
        self.threshold = threshold
        self.easy_threshold = easy_threshold

    def filter(self, X, y, context):
        """Mask of the rows to keep.

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
        keep : ndarray of bool of shape (n_rows,)
        """
        self._validate_params()
        if X.shape[0] == 0:
            self.last_scores_ = np.empty(0)
            return np.ones(0, dtype=bool)
        p_own, p_other = _label_confidence(context, X, y)
        self.last_scores_ = p_own
        keep = p_other < self.threshold
        if self.easy_threshold is not None:
            keep &= p_own < self.easy_threshold
        return keep


class PrivacyFilter(BaseEstimator):
    """Drop synthetic rows that are near-copies of a real record.

    The distance of a synthetic row to its closest real record (DCR) is
    compared with how close real records are to each other: with
    ``threshold="auto"`` a row is dropped when its DCR is below the
    ``quantile`` quantile of the real rows' distances to their nearest other
    real row (an honest sample from the same distribution falls below it with
    probability of about ``quantile``; a copy of a real customer always
    does). Exact copies are always dropped. Distances are Euclidean on the
    standardised numeric columns, one category mismatch counting as one
    standard deviation (the encoding of
    :class:`~sklearn_activesynth.utils._tabular.TabularSchema`).

    Parameters
    ----------
    threshold : "auto" or float >= 0, default="auto"
        Minimum DCR a row must exceed, in that encoded space.
    quantile : float in [0, 1], default=0.05
        See ``threshold="auto"``.
    max_reference : int, default=2000
        Real rows whose nearest-neighbour distance sets the "auto" threshold
        (a random subsample; every real row is still searched for the DCR).
    n_jobs : int, default=None
        Parallel neighbour queries.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample.

    Attributes
    ----------
    threshold_ : float
        The DCR threshold.
    real_nn_distances_ : ndarray
        The real-to-real nearest-neighbour distances it was derived from.
    last_scores_ : ndarray of shape (n_rows,)
        DCR of each row of the last call.

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
    >>> keep = PrivacyFilter().fit(X_real).filter(np.vstack([near_copies, fresh]))
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
        self.nn_ = NearestNeighbors(n_neighbors=1, n_jobs=self.n_jobs).fit(Z)
        ref = rng.choice(n, size=min(n, self.max_reference), replace=False)
        dist, ind = self.nn_.kneighbors(Z[ref], n_neighbors=2)
        # the nearest row other than the query itself (duplicates count: distance 0)
        own = ind[:, 0] == ref
        self.real_nn_distances_ = np.where(own, dist[:, 1], dist[:, 0]).astype(float)
        if self.threshold == "auto":
            self.threshold_ = float(np.quantile(self.real_nn_distances_, self.quantile))
        else:
            self.threshold_ = float(self.threshold)
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

    def filter(self, X, y=None, context=None):
        """Mask of the rows to keep: DCR above the threshold.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
        y : ignored
        context : FilterContext, optional
            Used only when the filter was not fitted (``context.X_real``).

        Returns
        -------
        keep : ndarray of bool of shape (n_rows,)
        """
        if not hasattr(self, "nn_"):
            if getattr(context, "X_real", None) is None:
                raise NotFittedError("PrivacyFilter is not fitted: call fit(X_real) first.")
            self.fit(context.X_real)
        dcr = self.distances(X)
        self.last_scores_ = dcr
        # float32 distances: an exact copy comes out as ~1e-4, not 0
        return dcr > max(self.threshold_, 1e-3)


_COMBINE = {
    "product": lambda r, c: r * c,
    "geometric": lambda r, c: np.sqrt(r * c),
    "mean": lambda r, c: 0.5 * (r + c),
    "min": np.minimum,
}


class QualityFilter(BaseEstimator):
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
        ``None`` means ``RealismFilter()``.

    Attributes
    ----------
    realism_ : RealismFilter
        The fitted discriminator settings.
    last_scores_ : ndarray of shape (n_rows,)
        ``q`` of each row of the last call.
    last_realism_, last_confidence_ : ndarray of shape (n_rows,)
        Its two terms.

    See Also
    --------
    RealismFilter, ConfidenceFilter : the two terms as separate filters.

    References
    ----------
    SynDA (seed 003), §2.3.2.

    Examples
    --------
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> from sklearn_activesynth.filters import QualityFilter
    >>> clf = ActiveSynthesisClassifier(filters=[QualityFilter(threshold=0.3)])
    """

    _parameter_constraints = {
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "combine": [StrOptions(set(_COMBINE)), callable],
        "realism": [HasMethods(["realism_scores"]), None],
    }

    def __init__(self, threshold=0.3, *, combine="geometric", realism=None):
        self.threshold = threshold
        self.combine = combine
        self.realism = realism

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
        base = RealismFilter() if self.realism is None else self.realism
        self.realism_ = clone(base).fit(X_real, y_real)
        return self

    def filter(self, X, y, context):
        """Mask of the rows to keep: ``q > threshold``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
        y : array-like of shape (n_rows,)
        context : FilterContext

        Returns
        -------
        keep : ndarray of bool of shape (n_rows,)
        """
        if not hasattr(self, "realism_"):
            if getattr(context, "X_real", None) is None:
                raise NotFittedError("QualityFilter is not fitted: call fit(X_real) first.")
            self.fit(context.X_real)
        if X.shape[0] == 0:
            self.last_scores_ = np.empty(0)
            return np.ones(0, dtype=bool)
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
        self.last_realism_, self.last_confidence_, self.last_scores_ = realism, confidence, q
        return q > self.threshold
