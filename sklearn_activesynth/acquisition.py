"""Which real rows to label next: query strategies (seed 003, §2.2).

A query strategy ranks the rows of an unlabelled pool for labelling, best
first, with a fitted classifier. Every strategy subclasses
:class:`BaseQueryStrategy` and implements one method of the protocol,
``rank(estimator, X_pool, n_samples, *, exclude=None, random_state=None,
batch_size=10_000) -> QueryResult`` (it unpacks as ``positions, scores``):

- :class:`UncertaintySampling`: margin, entropy, least confidence, or any
  uncertainty scorer of :mod:`sklearn_activesynth.uncertainty` that scores a
  fitted model;
- :class:`HybridSampling`: the seed's ``s(x) = λ·u(x) + (1 − λ)·d(x)``, with
  ``d`` the density of the pool around ``x`` (§2.2.1) and ``λ`` adapted to the
  model;
- :class:`CoreSetSampling`: the rows farthest from the labelled rows and
  each other (k-center greedy), no model needed: the default of a cold start;
- :class:`RandomSampling`: the control every other strategy is measured
  against.

Committee scorers (``"ensemble_variance"``) score a fitted committee: an
ensemble with ``estimators_`` in ``query``, or the committee that
:class:`Acquisition` fits on the round's training rows in ``fit``.

:class:`Acquisition` groups a strategy with the seed's label budget per round
(§2.2.3, ``B_t = min(B_max, B_init + ΔB·t)``), a proxy model that ranks in
place of the task model (§2.2.2, ``query_estimator``) and the strategy of a
cold start (labelled rows of a single class): the ``acquisition=`` parameter
of :class:`~sklearn_activesynth.ActiveSynthesisClassifier`, whose ``fit`` then
asks its ``oracle`` for the labels of the best-ranked unlabelled rows each
round.

The pool is scored in chunks of ``batch_size`` rows and only the running best
rows are kept, so memory beyond the pool itself is bounded by a few chunks,
whatever the pool's size; the strategies keep no copy of it. With ``n_jobs``
the pool is split into contiguous segments scored in parallel
(:class:`sklearn.utils.parallel.Parallel`, so under whatever backend
``joblib.parallel_config`` sets, Dask included), each returning only its
best rows. A pool given as a Dask array or Dask DataFrame is scored block by
block by tasks on the Dask workers and never gathered. The result is the
same in every case. Uncertainty and
hybrid sampling take ``diversity=α > 0`` for the batch objective of §2.2.3,
``Σ s(x) − α Σ sim(x_i, x_j)``, maximised greedily over the best
``n_candidates`` rows (never quadratic in the pool).

:meth:`sklearn_activesynth.ActiveSynthesisClassifier.query` is the way most
users reach these strategies.
"""

# License: BSD 3 clause

import math
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_array

from .uncertainty import (
    BaseUncertaintyScorer,
    SoftmaxUncertainty,
    predict_proba_like,
    resolve_uncertainty,
)
from .utils._compat import HasMethods, Interval, StrOptions
from .utils._dask import is_dask_collection, row_blocks, take_block_rows
from .utils._parallel import delayed, n_workers, parallel
from .utils._seeding import check_random_state
from .utils.tabular import TabularSchema, take_rows

__all__ = [
    "Acquisition",
    "BaseQueryStrategy",
    "ColdStartError",
    "CoreSetSampling",
    "HybridSampling",
    "OracleFailedWarning",
    "PoolExhaustedWarning",
    "QueryResult",
    "RandomSampling",
    "UncertaintySampling",
    "resolve_query_strategy",
    "resolve_regression_query_strategy",
]

#: Rows scored at a time when the caller does not say.
DEFAULT_BATCH_SIZE = 10_000
#: Largest kernel block (rows × reference rows) held at once by the density.
_KERNEL_BLOCK = 1 << 18
#: Strings accepted for the uncertainty of the strategies.
_MEASURES = ("margin", "entropy", "least_confidence")


class PoolExhaustedWarning(UserWarning):
    """Fewer rows are left in the pool than were asked for; all of them are returned."""


class ColdStartError(ValueError):
    """A cold start (labelled rows of one class) ended before the oracle
    labelled a row of a second class: no classifier can be fitted.

    The labels the oracle gave are not lost: ``acquired_indices`` (positions
    in the ``X`` passed to ``fit``), ``acquired_labels`` and ``history`` (the
    rounds, as ``history_`` would show them) are attributes of the error.
    """

    def __init__(self, message, *, acquired_indices=None, acquired_labels=None,
                 history=None):
        super().__init__(message)
        self.acquired_indices = acquired_indices
        self.acquired_labels = acquired_labels
        self.history = history


class OracleFailedWarning(UserWarning):
    """The oracle raised, timed out or gave answers that cannot be used; the rows
    it did not answer stay unlabelled (see ``history_["oracle_error"]``)."""


@dataclass(eq=False)
class QueryResult:
    """What :meth:`BaseQueryStrategy.rank` returns; unpacks as ``positions, scores``.

    Parameters
    ----------
    positions : ndarray of int of shape (n_returned,)
        Positions (``0 .. len(X_pool) - 1``, never index labels) of the rows
        to label, best first.
    scores : ndarray of float of shape (n_returned,)
        Their scores, non-increasing (higher: label it sooner). With a
        diversity penalty, the score each row had when it was picked (its
        own score minus the penalty from the rows picked before it).
    report : dict, default={}
        Figures of the ranking: ``strategy``, ``n_pool``, ``n_excluded``,
        ``n_returned``, and what the strategy chose from the data
        (``lam``, ``bandwidth``, ``n_reference``, ``n_candidates``); an
        acquisition loop records them in ``history_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth.acquisition import UncertaintySampling
    >>> X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> model = LogisticRegression().fit(X, y)
    >>> result = UncertaintySampling("margin").rank(model, np.array([[3.0], [0.1], [-1.0]]), 2)
    >>> positions, scores = result
    >>> positions.tolist(), result.report["n_pool"]
    ([1, 2], 3)
    """

    positions: np.ndarray
    scores: np.ndarray
    report: dict = field(default_factory=dict)

    def __iter__(self):
        yield self.positions
        yield self.scores

    def __len__(self):
        return len(self.positions)


# ----------------------------------------------------------------------------
# rows, exclusions, the running best


def _as_rows(X):
    """A 2-D row container (DataFrame, ndarray, memmap, sparse) as it is; lists as arrays."""
    if isinstance(X, pd.DataFrame) or sp.issparse(X) or \
            (isinstance(X, np.ndarray) and X.ndim == 2):
        return X
    return check_array(X, dtype=None, ensure_all_finite=False, accept_sparse=["csr", "csc"])


def _chunk(X, start, stop):
    """Rows ``start:stop`` (a view for arrays and memory maps)."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[start:stop]
    if sp.issparse(X):
        return X[start:stop]
    return X[start:stop]


def _check_exclude(exclude, n_pool):
    """Sorted unique positions to leave out."""
    if exclude is None:
        return np.empty(0, dtype=np.intp)
    ex = np.asarray(exclude)
    if ex.dtype == bool:
        if ex.shape != (n_pool,):
            raise ValueError(
                f"exclude is a boolean mask of shape {ex.shape}; a mask needs one entry per "
                f"pool row ({n_pool}). Otherwise pass the positions to leave out.")
        return np.flatnonzero(ex)
    ex = ex.ravel()
    if ex.size == 0:
        return np.empty(0, dtype=np.intp)
    if ex.dtype.kind not in "iu":
        if ex.dtype.kind == "f" and np.all(np.isfinite(ex)) and np.all(ex == np.round(ex)):
            ex = ex.astype(np.intp)
        else:
            raise ValueError(
                "exclude must hold integer positions into X_pool (0 .. len(X_pool) - 1), "
                f"got values of dtype {ex.dtype}. Pass positions, not index labels: "
                "e.g. X_pool.index.get_indexer(labels).")
    if ex.min() < 0 or ex.max() >= n_pool:
        raise ValueError(
            f"exclude holds positions outside the pool: the pool has {n_pool} rows, so "
            f"positions run from 0 to {n_pool - 1}; got values from {ex.min()} to "
            f"{ex.max()}. Pass positions into this X_pool, not index labels.")
    return np.unique(ex.astype(np.intp))


def _check_int(value, name, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return int(value)


def _best(neg, pos, k):
    """Indices of the ``k`` best rows, best meaning the smallest ``(neg, pos)``
    pair (``neg`` is minus the score), so ties go to the lower position and the
    choice does not depend on how the pool was chunked. Unordered."""
    if len(neg) <= k:
        return np.arange(len(neg))
    kth = np.partition(neg, k - 1)[k - 1]
    better = np.flatnonzero(neg < kth)
    ties = np.flatnonzero(neg == kth)
    ties = ties[np.argsort(pos[ties], kind="stable")[:k - len(better)]]
    return np.concatenate([better, ties])


class _RunningBest:
    """The ``k`` best rows seen so far (positions, scores, optionally their
    representation); memory: O(k + one chunk)."""

    def __init__(self, k):
        self.k = k
        self.pos = np.empty(0, dtype=np.intp)
        self.neg = np.empty(0, dtype=float)
        self.Z = None

    def push(self, pos, scores, Z=None):
        self.merge(pos, -np.where(np.isnan(scores), -np.inf, scores), Z)

    def merge(self, pos, neg, Z=None):
        """Add rows given by minus their scores (the best rows of another part)."""
        keep = _best(neg, pos, self.k)
        pos, neg = pos[keep], neg[keep]
        Z = None if Z is None else Z[keep]
        pos = np.concatenate([self.pos, pos])
        neg = np.concatenate([self.neg, neg])
        if Z is not None:
            Z = Z if self.Z is None else (
                sp.vstack([self.Z, Z], format="csr") if sp.issparse(Z) else
                np.concatenate([self.Z, Z]))
        keep = _best(neg, pos, self.k)
        self.pos, self.neg = pos[keep], neg[keep]
        self.Z = None if Z is None else Z[keep]

    def result(self):
        order = np.lexsort((self.pos, self.neg))
        Z = None if self.Z is None else self.Z[order]
        return self.pos[order], -self.neg[order], Z


def _best_rows(strategy, estimator, X, start, excluded, plan, rng, k, represent, keep_Z,
               batch_size):
    """The ``k`` best rows of ``X``, the pool's rows ``start .. start + len(X)``:
    ``(positions in the pool, minus the scores, representations or None)``.

    ``excluded``: sorted pool positions to leave out (those in this part).
    Scored ``batch_size`` rows at a time; one part of
    :meth:`BaseQueryStrategy.rank` (the whole pool, a segment scored in
    parallel, or a block of a Dask pool on a worker)."""
    best = _RunningBest(k)
    n = X.shape[0]
    for a in range(0, n, batch_size):
        b = min(a + batch_size, n)
        X_chunk = _chunk(X, a, b)
        Z = plan["representation"](X_chunk) if represent else None
        scores = np.asarray(strategy._score(estimator, X_chunk, Z, plan, rng),
                            dtype=float).ravel()
        if scores.shape[0] != b - a:
            raise ValueError(
                f"{type(strategy).__name__}._score returned {scores.shape[0]} scores for "
                f"{b - a} rows; it must return one per row.")
        pos = np.arange(start + a, start + b, dtype=np.intp)
        lo, hi = np.searchsorted(excluded, [start + a, start + b])
        if hi > lo:
            keep = np.ones(b - a, dtype=bool)
            keep[excluded[lo:hi] - start - a] = False
            pos, scores = pos[keep], scores[keep]
            Z = None if Z is None else Z[keep]
        best.push(pos, scores, Z if keep_Z else None)
    return best.pos, best.neg, best.Z


class _Shared:
    """What every block task of a Dask pool needs (one graph key, shipped once
    per worker rather than once per block)."""

    def __init__(self, strategy, estimator, plan):
        self.strategy, self.estimator, self.plan = strategy, estimator, plan


def _best_rows_of_block(shared, X, start, excluded, k, represent, keep_Z, batch_size):
    return _best_rows(shared.strategy, shared.estimator, X, start, excluded, shared.plan,
                      None, k, represent, keep_Z, batch_size)


def _segments(n_pool, batch_size, n_segments):
    """At most ``n_segments`` contiguous ``(start, stop)`` ranges of whole chunks."""
    n_chunks = -(-n_pool // batch_size)
    step = -(-n_chunks // max(1, n_segments)) * batch_size
    return [(a, min(a + step, n_pool)) for a in range(0, n_pool, step)]


# ----------------------------------------------------------------------------
# the representation the estimator sees, and the RBF similarity on it


class _Representation:
    """``f(x)``: the output of a Pipeline's preprocessing steps, else the
    standardised numeric encoding of :class:`~sklearn_activesynth.utils.TabularSchema`
    learned from the reference rows; plus the RBF bandwidth."""

    def __init__(self, estimator, X_ref, bandwidth):
        if isinstance(estimator, _Committee):  # members of a model: its representation
            estimator = estimator.model
        if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
            self._transform = estimator[:-1].transform
        else:
            self._transform = TabularSchema(X_ref).encode
        self.Z_ref = self(X_ref)
        self.ref_sq = _row_sq_norms(self.Z_ref)
        if bandwidth == "median":
            bandwidth = _median_distance(self.Z_ref, self.ref_sq)
        self.bandwidth = float(bandwidth)
        self.gamma = 1.0 / (2.0 * self.bandwidth ** 2)

    def __call__(self, X):
        Z = self._transform(X)
        if isinstance(Z, pd.DataFrame):
            Z = Z.to_numpy(dtype=float)
        if sp.issparse(Z):
            return Z.tocsr().astype(float)
        Z = np.asarray(Z, dtype=float)
        return np.nan_to_num(Z.reshape(len(Z), -1), copy=False)

    def similarity(self, Z, Y, Y_sq):
        """``sim(a, b) = exp(-||a - b||² / (2 h²))`` between the rows of ``Z`` and ``Y``."""
        d2 = _sq_distances(Z, Y, Y_sq)
        d2 *= -self.gamma
        return np.exp(d2, out=d2)

    def density(self, Z):
        """``d(x) = mean_i sim(f(x), f(x_i))`` over the reference rows, in blocks."""
        step = max(1, _KERNEL_BLOCK // max(1, self.Z_ref.shape[0]))
        out = np.empty(Z.shape[0])
        for a in range(0, Z.shape[0], step):
            out[a:a + step] = self.similarity(Z[a:a + step], self.Z_ref,
                                              self.ref_sq).mean(axis=1)
        return out


def _sq_distances(Z, Y, Y_sq):
    """Squared Euclidean distances between the rows of ``Z`` and ``Y`` (dense or
    sparse), in one (n_Z, n_Y) allocation."""
    d2 = safe_sparse_dot(Z, Y.T, dense_output=True)
    d2 = np.asarray(d2, dtype=float)
    d2 *= -2.0
    d2 += _row_sq_norms(Z)[:, None]
    d2 += Y_sq[None, :]
    return np.maximum(d2, 0.0, out=d2)


def _row_sq_norms(Z):
    if sp.issparse(Z):
        return np.asarray(Z.multiply(Z).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", Z, Z)


def _median_distance(Z, sq):
    """The median heuristic: the median distance between two different reference rows."""
    if Z.shape[0] < 2:
        return 1.0
    d2 = _sq_distances(Z, Z, sq)
    d = np.concatenate([d2[i, i + 1:] for i in range(len(d2) - 1)])
    del d2
    np.sqrt(d, out=d)
    h = float(np.median(d))
    if h > 0 and np.isfinite(h):
        return h
    positive = d[d > 0]  # mostly duplicates: the typical gap between different rows
    return float(np.median(positive)) if positive.size else 1.0


def _reference_positions(n_pool, n_reference, rng):
    """A uniform sample of pool positions, sorted (O(n_reference), not O(n_pool))."""
    if n_pool <= n_reference:
        return np.arange(n_pool)
    return np.sort(sample_without_replacement(n_pool, n_reference, random_state=rng))


def _available_sample(n_pool, excluded, n, rng):
    """A uniform sample of ``n`` pool positions not in ``excluded`` (sorted), all
    of them when fewer are available; memory O(n + len(excluded)), not
    O(n_pool): ``n + len(excluded)`` positions are drawn, the excluded ones
    dropped, and ``n`` of the rest kept at random (still uniform)."""
    n_draw = min(n_pool, n + len(excluded))
    drawn = _reference_positions(n_pool, n_draw, rng)
    drawn = drawn[~np.isin(drawn, excluded, assume_unique=True)]
    if len(drawn) > n:
        drawn = np.sort(drawn[sample_without_replacement(len(drawn), n, random_state=rng)])
    return drawn


def _resolve_scorer(spec, owner):
    return resolve_uncertainty(spec)


class _Committee:
    """Fitted members of a committee seen as one model: what a committee scorer
    (``requires = "committee"``) scores a pool with.

    ``members`` were fitted on labels encoded ``0..n_classes - 1``;
    ``predict_proba`` is their mean. ``n_classes=None``: regressors, whose
    ``predict`` is the mean of the members' predictions. ``model`` (a fitted
    model, or None) gives the representation for density and diversity (a
    Pipeline's preprocessing).
    """

    def __init__(self, members, n_classes, model=None):
        self.members, self.model = list(members), model
        self.n_classes = None if n_classes is None else int(n_classes)
        if self.n_classes is not None:
            self.classes_ = np.arange(self.n_classes)

    def predict_proba(self, X):
        from .uncertainty._scorers import _member_proba

        return np.mean([_member_proba(m, X, self.n_classes) for m in self.members], axis=0)

    def predict(self, X):
        if self.n_classes is not None:
            return np.argmax(self.predict_proba(X), axis=1)
        return np.mean([np.asarray(m.predict(X), dtype=float).ravel()
                        for m in self.members], axis=0)


class _Columns:
    """A bagging member that reads only its own columns of ``X``."""

    def __init__(self, member, features):
        self.member, self.features = member, np.asarray(features)

    def predict(self, X):
        X = X.tocsr() if sp.issparse(X) else np.asarray(X)
        return self.member.predict(X[:, self.features])


def _committee_of(estimator, owner):
    """``(transform, members, n_classes)`` of a fitted committee: a
    :class:`_Committee`, or a fitted ensemble of classifiers (``n_classes``:
    their number of classes) or of regressors (``n_classes=None``) exposing
    ``estimators_`` (bagging, random forests, voting), alone or as a
    Pipeline's last step (``transform``: the Pipeline's preprocessing, else
    None)."""
    if isinstance(estimator, _Committee):
        return None, estimator.members, estimator.n_classes
    transform, final = None, estimator
    if isinstance(estimator, Pipeline):
        transform, final = estimator[:-1].transform, estimator[-1]
    members = getattr(final, "estimators_", None)
    if isinstance(members, np.ndarray):
        members = members.ravel().tolist()
    if members and hasattr(final, "classes_") and all(is_classifier(m) for m in members):
        return transform, list(members), len(final.classes_)
    if members and is_regressor(final) and all(is_regressor(m) for m in members):
        features = getattr(final, "estimators_features_", None)
        if features is not None:  # bagging: each member reads its own columns
            members = [_Columns(m, f) for m, f in zip(members, features)]
        return transform, list(members), None
    raise ValueError(
        f"{owner} was given the committee scorer of a ranking, but "
        f"{type(final).__name__} is not a fitted committee: a committee's members are "
        "fitted on the training rows, which ranking a pool does not have. Rank with a "
        "fitted ensemble (e.g. BaggingClassifier, RandomForestClassifier, "
        "RandomForestRegressor: members in estimators_), pass one as "
        "query(..., query_estimator=...), or let fit fit the committee "
        "(ActiveSynthesisClassifier(oracle=..., acquisition=Acquisition(strategy="
        "UncertaintySampling('ensemble_variance'))); ActiveSynthesisRegressor keeps a "
        "committee_ for its query), where the training rows are at hand; otherwise use a "
        "scorer of the fitted model ('margin', 'entropy', MCDropout for torch nets, "
        "PredictiveStd for a Bayesian regressor, or f(fitted_estimator, X)).")


def _uncertainty_scale(scorer, n_classes, u_ref):
    """What puts ``u`` on [0, 1]: the measure's maximum for the built-in
    measures, else the largest score on the reference rows."""
    if isinstance(scorer, SoftmaxUncertainty) and n_classes is not None and n_classes > 1:
        return {"margin": 1.0, "entropy": math.log(n_classes),
                "least_confidence": 1.0 - 1.0 / n_classes}[scorer.measure]
    top = float(np.max(u_ref)) if len(u_ref) else 0.0
    return top if top > 0 and np.isfinite(top) else 1.0


def _score_uncertainty(scorer, estimator, X):
    if scorer.requires == "committee":
        transform, members, n_classes = _committee_of(estimator, type(scorer).__name__)
        scores = scorer.score_committee(members, X if transform is None else transform(X),
                                        n_classes)[0]
    elif scorer.requires == "proba":
        scores = scorer.from_proba(predict_proba_like(estimator, X))
    else:
        scores = scorer(estimator, X)
    scores = np.asarray(scores, dtype=float).ravel()
    if scores.shape[0] != X.shape[0]:
        raise ValueError(
            f"The uncertainty scorer {type(scorer).__name__} returned {scores.shape[0]} "
            f"scores for {X.shape[0]} rows; it must return one score per row.")
    return scores


# ----------------------------------------------------------------------------
# the protocol


class BaseQueryStrategy(BaseEstimator):
    """Base class of query strategies: rank an unlabelled pool for labelling.

    A strategy is a scikit-learn estimator (its parameters tune in
    ``GridSearchCV`` as nested parameters of whatever holds it) that learns
    nothing: :meth:`rank` takes the fitted model and the pool and returns the
    positions of the rows to label, best first. It keeps no copy of the pool.

    Subclasses implement ``_score(estimator, X_chunk, Z_chunk, plan, rng) ->
    scores`` (one score per row, higher: label it sooner) and, when they need
    something from the whole pool before scoring it, ``_plan(estimator,
    X_pool, rng, plan) -> None`` (fill the dict ``plan``, which ``_score``
    receives). A strategy that needs ``f(x)``, the representation the
    estimator sees, returns True from ``_needs_representation()`` (or has a
    ``diversity`` parameter above 0): ``plan["representation"]`` then maps
    rows to it and holds the reference sample (``Z_ref``), and ``Z_chunk`` is
    the chunk's representation (``None`` otherwise, or when ``_plan`` sets
    ``plan["uses_Z"] = False``). The base class handles the chunks, the
    exclusions, the running best rows, the §2.2.3 diversity penalty and the
    parallel scoring.

    A strategy whose ``_score`` does not draw from ``rng`` sets the class
    attribute ``_score_uses_rng = False``: its pool can then be scored in
    parallel segments (``n_jobs``) and, for a Dask pool, by tasks on the
    workers (``_score`` then gets ``rng=None``). With the default, ``True``,
    the chunks are scored in order in the calling process, so the draws do
    not depend on how the pool is split (a Dask pool's blocks are then
    computed one at a time and brought to the calling process).

    Examples
    --------
    A strategy that asks for the rows with the largest first feature:

    >>> import numpy as np
    >>> from sklearn_activesynth.acquisition import BaseQueryStrategy
    >>> class LargestFirst(BaseQueryStrategy):
    ...     def _score(self, estimator, X, Z, plan, rng):
    ...         return np.asarray(X)[:, 0]
    >>> LargestFirst().rank(None, np.array([[1.0], [5.0], [3.0]]), 2).positions.tolist()
    [1, 2]
    """

    _parameter_constraints: dict = {}
    #: Whether ``_score`` draws from its ``rng`` (see the class docstring).
    _score_uses_rng = True

    def rank(self, estimator, X_pool, n_samples, *, exclude=None, random_state=None,
             batch_size=DEFAULT_BATCH_SIZE, labelled=None, n_jobs=None):
        """The ``n_samples`` rows of ``X_pool`` to label next, best first.

        Parameters
        ----------
        estimator : fitted classifier
            The model whose uncertainty ranks the pool. For a Pipeline, the
            output of its preprocessing steps is the representation used for
            density and diversity.
        X_pool : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_pool, n_features)
            Unlabelled rows, as the estimator takes them. A memory-mapped
            array is read one chunk at a time. A Dask array or DataFrame is
            scored by one task per block on the Dask scheduler in use (the
            workers of a ``distributed.Client``), each returning only its
            best rows; the blocks' lengths are computed first when unknown
            (a DataFrame's partitions), and a strategy that needs reference
            rows (density, diversity) gathers only those rows.
        n_samples : int
            Rows to return. When fewer rows are available (the pool minus
            ``exclude``), all of them are returned with a
            :class:`PoolExhaustedWarning`.
        exclude : array-like of int or bool mask, default=None
            Positions never to return (rows already sent for labelling and not
            answered yet).
        random_state : int, RandomState instance or None, default=None
            Seeds the reference sample of the pool (density, bandwidth) and
            random scores. Draws happen in that order.
        batch_size : int, default=10_000
            Rows scored at a time: the memory beyond the pool is a few chunks
            of this size (per parallel segment or Dask block). The result
            does not depend on it.
        labelled : {array-like, sparse matrix, DataFrame} or None, default=None
            Rows already labelled (as the estimator takes them), for
            strategies that measure how well the labelled rows cover the pool
            (:class:`CoreSetSampling`); the others ignore it.
        n_jobs : int or None, default=None
            Contiguous segments of an in-memory pool scored in parallel
            (:class:`sklearn.utils.parallel.Parallel`: loky, threads, Dask,
            whatever ``joblib.parallel_config`` sets), each of whole chunks.
            ``None``: one, unless a ``joblib.parallel_config`` says otherwise
            (under the Dask backend: as many as the cluster has threads).
            ``1``: one, in this process, under any backend. Ignored for a
            Dask pool (its blocks are the tasks) and for
            strategies whose scores draw from ``random_state``
            (:class:`RandomSampling`). The result does not depend on it.

        Returns
        -------
        result : QueryResult
            ``positions`` (int ndarray into ``X_pool``, best first),
            ``scores`` and a ``report``; unpacks as ``positions, scores``.
            For a Dask pool, ``report["n_blocks"]`` is the number of blocks.
        """
        self._validate_params()
        blocks = None
        if is_dask_collection(X_pool):
            blocks, lengths = row_blocks(X_pool, "X_pool")
            n_pool = int(lengths.sum())
        else:
            X_pool = _as_rows(X_pool)
            n_pool = X_pool.shape[0]
        n_samples = _check_int(n_samples, "n_samples", 1)
        batch_size = _check_int(batch_size, "batch_size", 1)
        excluded = _check_exclude(exclude, n_pool)
        n_available = n_pool - len(excluded)
        if n_samples > n_available:
            warnings.warn(
                f"{n_samples} rows were asked for but only {n_available} of the pool's "
                f"{n_pool} rows are left ({len(excluded)} excluded); all {n_available} are "
                "returned.", PoolExhaustedWarning, stacklevel=2)
            n_samples = n_available
        rng = check_random_state(random_state)
        report = {"strategy": type(self).__name__, "n_pool": int(n_pool),
                  "n_excluded": len(excluded)}
        if n_samples == 0:
            report["n_returned"] = 0
            return QueryResult(np.empty(0, dtype=np.intp), np.empty(0), report)
        return self._rank(estimator, X_pool, n_samples, excluded, rng, batch_size,
                          labelled, report, n_jobs=n_jobs,
                          blocks=None if blocks is None else (blocks, lengths))

    def _rank(self, estimator, X_pool, n_samples, excluded, rng, batch_size, labelled,
              report, n_jobs=None, blocks=None):
        """Score the pool in chunks, keep the running best (see :meth:`rank`).
        ``blocks``: ``(row blocks, their lengths)`` of a Dask pool, else None."""
        n_pool = report["n_pool"]
        n_available = n_pool - len(excluded)
        if blocks is not None:
            blocks, lengths = blocks

        diversity = float(getattr(self, "diversity", 0.0) or 0.0)
        plan = {"representation": None}
        if diversity > 0 or self._needs_representation():
            n_ref = getattr(self, "n_reference", 500)
            ref = _reference_positions(n_pool, n_ref, rng)
            X_ref = take_rows(X_pool, ref) if blocks is None else \
                take_block_rows(blocks, lengths, ref)
            plan["representation"] = _Representation(
                estimator, X_ref, getattr(self, "bandwidth", "median"))
            plan["X_ref"] = X_ref
            report.update(n_reference=len(ref),
                          bandwidth=plan["representation"].bandwidth)
        self._plan(estimator, X_pool, rng, plan)
        plan.pop("X_ref", None)
        rep = plan["representation"]
        represent = rep is not None and (diversity > 0 or plan.get("uses_Z", True))

        n_candidates = n_samples
        if diversity > 0:
            n_candidates = self._n_candidates(n_samples, n_available)
            report["n_candidates"] = n_candidates
        best = _RunningBest(n_candidates)
        part = dict(k=n_candidates, represent=represent, keep_Z=diversity > 0,
                    batch_size=batch_size)
        if blocks is not None:
            report["n_blocks"] = len(blocks)
            for pos, neg, Z in self._rank_blocks(estimator, blocks, lengths, excluded,
                                                 plan, rng, part):
                best.merge(pos, neg, Z)
        else:
            n_segments = 1 if self._score_uses_rng else n_workers(n_jobs)
            segments = _segments(n_pool, batch_size, n_segments)
            if len(segments) == 1:
                best.merge(*_best_rows(self, estimator, X_pool, 0, excluded, plan, rng,
                                       **part))
            else:
                for pos, neg, Z in parallel(n_jobs)(
                        delayed(_best_rows)(self, estimator, _chunk(X_pool, a, b), a,
                                            _within(excluded, a, b), plan, None, **part)
                        for a, b in segments):
                    best.merge(pos, neg, Z)
        positions, scores, Z = best.result()
        if diversity > 0:
            positions, scores = _greedy_diverse(positions, scores, Z, n_samples,
                                                diversity, rep)
        if "lam" in plan:
            report["lam"] = plan["lam"]
        report["n_returned"] = len(positions)
        return QueryResult(positions, scores, report)

    def _rank_blocks(self, estimator, blocks, lengths, excluded, plan, rng, part):
        """The best rows of each block of a Dask pool: ``(positions, -scores, Z)``."""
        import dask

        starts = np.concatenate([[0], np.cumsum(lengths)])
        if self._score_uses_rng:  # the draws follow the pool's order: one block at a time
            for b, block in enumerate(blocks):
                yield _best_rows(self, estimator, block.compute(), int(starts[b]),
                                 _within(excluded, starts[b], starts[b + 1]), plan, rng,
                                 **part)
            return
        # the model and the plan are one key of the graph, sent once to each worker
        shared = dask.delayed(_Shared(self, estimator, plan), traverse=False)
        tasks = [dask.delayed(_best_rows_of_block)(
            shared, block, int(starts[b]), _within(excluded, starts[b], starts[b + 1]),
            **part) for b, block in enumerate(blocks)]
        yield from dask.compute(*tasks)

    def _needs_representation(self):
        return False

    def _needs_model(self):
        """Whether ranking uses the fitted model (False: ``rank(None, ...)``
        works, as in a cold start, where there is no model yet)."""
        return True

    def _uncertainty_scorer(self):
        """The resolved uncertainty scorer the ranking uses, or None."""
        return None

    def _plan(self, estimator, X_pool, rng, plan):
        """Prepare what scoring needs from the whole pool (fill ``plan``).
        ``X_pool`` is the pool as given (a Dask collection for a Dask pool)."""

    def _score(self, estimator, X, Z, plan, rng):  # pragma: no cover - abstract
        raise NotImplementedError(
            f"{type(self).__name__} must implement _score(estimator, X, Z, plan, rng).")

    def _n_candidates(self, n_samples, n_available):
        n = getattr(self, "n_candidates", "auto")
        n = max(10 * n_samples, 100) if n == "auto" else max(int(n), n_samples)
        return int(min(n, n_available))


def _within(excluded, start, stop):
    """The sorted positions of ``excluded`` in ``start .. stop - 1``."""
    lo, hi = np.searchsorted(excluded, [start, stop])
    return excluded[lo:hi]


def _greedy_diverse(positions, scores, Z, n_samples, alpha, rep):
    """Greedy maximisation of ``Σ_S s(x) − α Σ_{i<j in S} sim(x_i, x_j)`` (§2.2.3)
    over the candidates (sorted best first): each step adds the candidate with
    the largest marginal gain ``s(x) − α Σ_{j in S} sim(x, x_j)``. Cost:
    O(n_candidates × n_samples) similarities."""
    gain = scores.astype(float).copy()
    sq = _row_sq_norms(Z)
    picked, picked_gain = [], []
    for _ in range(n_samples):
        i = int(np.argmax(gain))
        picked.append(i)
        picked_gain.append(gain[i])
        gain[i] = -np.inf
        zi = Z[i:i + 1]
        gain -= alpha * rep.similarity(Z, zi, sq[i:i + 1]).ravel()
    return positions[np.asarray(picked, dtype=np.intp)], np.asarray(picked_gain, dtype=float)


_DIVERSITY_CONSTRAINTS = {
    "diversity": [Interval(Real, 0, None, closed="left")],
    "n_candidates": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "bandwidth": [StrOptions({"median"}), Interval(Real, 0, None, closed="neither")],
    "n_reference": [Interval(Integral, 2, None, closed="left")],
}


class UncertaintySampling(BaseQueryStrategy):
    """Label the rows the model is least sure about first.

    Parameters
    ----------
    measure : {"margin", "entropy", "least_confidence"}, scorer or callable, \
            default="margin"
        The uncertainty ``u(x)``: a measure of the predicted probabilities
        (``predict_proba``, or a softmax of ``decision_function``), a
        :class:`~sklearn_activesynth.uncertainty.BaseUncertaintyScorer` that
        scores a fitted model (``requires = "proba"`` or ``"model"``, e.g.
        :class:`~sklearn_activesynth.uncertainty.MCDropout`) or a callable
        ``f(fitted_estimator, X) -> scores``. A committee scorer
        (``"ensemble_variance"``, ``requires = "committee"``) scores a
        fitted committee: an ensemble of classifiers with ``estimators_``
        (bagging, random forests), alone or ending a Pipeline, or the
        committee :class:`Acquisition` fits each round inside ``fit``, where
        the training rows are at hand; for any other model :meth:`rank`
        raises a ``ValueError`` saying so.
    diversity : float, default=0.0
        ``α`` of the batch objective of seed 003 §2.2.3,
        ``Σ u(x) − α Σ_{pairs} sim(x_i, x_j)``, in units of ``u``; 0 ranks
        by ``u`` alone. The batch is built greedily from the
        ``n_candidates`` most uncertain rows: each step takes the row whose
        ``u`` minus ``α`` times its similarity to the rows already taken is
        largest.
    n_candidates : "auto" or int, default="auto"
        Rows the diverse batch is chosen from ("auto": ``max(10 ×
        n_samples, 100)``); only used with ``diversity > 0``.
    bandwidth : "median" or float, default="median"
        ``h`` of the similarity ``sim(a, b) = exp(-||a - b||² / (2 h²))`` on
        the representation the estimator sees; "median": the median distance
        between rows of the reference sample. Only used with
        ``diversity > 0``.
    n_reference : int, default=500
        Rows of the pool drawn at random to set the bandwidth (and, without a
        Pipeline, the standardisation). Only used with ``diversity > 0``.

    See Also
    --------
    HybridSampling : uncertainty plus the density of the pool.
    RandomSampling : the control.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth.acquisition import UncertaintySampling
    >>> X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> model = LogisticRegression().fit(X, y)
    >>> pool = np.array([[-3.0], [0.2], [2.5], [-0.1]])
    >>> positions, scores = UncertaintySampling("margin").rank(model, pool, 2)
    >>> positions.tolist()   # the two rows nearest the boundary at 0
    [3, 1]
    """

    _parameter_constraints = {
        "measure": [StrOptions(set(_MEASURES) | {"ensemble_variance"}), callable],
        **_DIVERSITY_CONSTRAINTS,
    }

    def __init__(self, measure="margin", *, diversity=0.0, n_candidates="auto",
                 bandwidth="median", n_reference=500):
        self.measure = measure
        self.diversity = diversity
        self.n_candidates = n_candidates
        self.bandwidth = bandwidth
        self.n_reference = n_reference

    _score_uses_rng = False

    def _uncertainty_scorer(self):
        return _resolve_scorer(self.measure, type(self).__name__)

    def _plan(self, estimator, X_pool, rng, plan):
        plan["scorer"] = scorer = self._uncertainty_scorer()
        if scorer.requires == "committee":  # say so before the pool is scored
            _committee_of(estimator, type(scorer).__name__)

    def _score(self, estimator, X, Z, plan, rng):
        return _score_uncertainty(plan["scorer"], estimator, X)


class HybridSampling(BaseQueryStrategy):
    r"""Uncertainty and representativeness: ``s(x) = λ·u(x) + (1 − λ)·d(x)``.

    The hybrid score of seed 003 §2.2.1. ``u(x)`` is the model's
    uncertainty and ``d(x) = (1/N) Σ_i sim(f(x), f(x_i))`` the density of the
    pool around ``x``: ``f`` is the representation the estimator sees (the
    output of a Pipeline's preprocessing steps, ``pipe[:-1].transform``; for
    any other estimator the standardised numeric encoding of
    :meth:`~sklearn_activesynth.utils.TabularSchema.encode`, one-hot
    categoricals included) and ``sim(a, b) = exp(-||a - b||² / (2 h²))``.
    The sum runs over a uniform random sample of ``n_reference`` pool rows
    (all of them for a smaller pool), so the cost is ``O(n_pool ×
    n_reference)``, not quadratic. Both terms are put on ``[0, 1]`` before
    they are mixed, with constants fixed before the pool is scored (so the
    ranking does not depend on ``batch_size``): ``u`` divided by the measure's
    largest value (margin 1, entropy ``log C``, least confidence
    ``1 − 1/C``; for other scorers its largest value on the reference
    sample), ``d`` by its largest value on the reference sample.

    Parameters
    ----------
    lam : "auto" or float in [0, 1], default="auto"
        ``λ``. 1 ranks by uncertainty alone, 0 by density alone. "auto"
        adapts it to the model: ``λ = 1 − ū``, where ``ū`` is the mean
        normalised uncertainty of the model on the reference sample. A model
        unsure about most of the pool (a cold start, few labels) has an
        uncertainty that does not tell rows apart, so density leads; as
        labels accumulate and the model becomes sure about most rows, ``λ``
        grows toward 1 and uncertainty leads. The value used is in the
        result's ``report["lam"]``.
    uncertainty : {"entropy", "margin", "least_confidence"}, scorer or \
            callable, default="entropy"
        ``u(x)``, as ``measure`` of :class:`UncertaintySampling` (the seed's
        choice is the predictive entropy).
    n_reference : int, default=500
        Rows of the pool ``d`` is estimated against (and the bandwidth and,
        without a Pipeline, the standardisation are learned from).
    bandwidth : "median" or float, default="median"
        ``h``; "median": the median distance between two reference rows (the
        median heuristic).
    diversity : float, default=0.0
        ``α`` of the batch objective of §2.2.3, ``Σ s(x) − α Σ_{pairs}
        sim(x_i, x_j)``, in units of ``s``; see :class:`UncertaintySampling`.
    n_candidates : "auto" or int, default="auto"
        Rows the diverse batch is chosen from; see :class:`UncertaintySampling`.

    See Also
    --------
    UncertaintySampling : ``lam=1``.

    Examples
    --------
    With ``lam=0`` the densest rows come first:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth.acquisition import HybridSampling
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(50, 2)), np.repeat([0, 1], 25)
    >>> model = LogisticRegression().fit(X, y)
    >>> pool = np.vstack([np.zeros((5, 2)), [[8.0, 8.0]]])   # five alike, one far away
    >>> positions, scores = HybridSampling(lam=0.0).rank(model, pool, 6, random_state=0)
    >>> int(positions[-1])
    5
    >>> result = HybridSampling().rank(model, pool, 2, random_state=0)
    >>> 0.0 <= result.report["lam"] <= 1.0
    True
    """

    _parameter_constraints = {
        "lam": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both")],
        "uncertainty": [StrOptions(set(_MEASURES) | {"ensemble_variance"}), callable],
        **_DIVERSITY_CONSTRAINTS,
    }

    _score_uses_rng = False

    def __init__(self, lam="auto", uncertainty="entropy", *, n_reference=500,
                 bandwidth="median", diversity=0.0, n_candidates="auto"):
        self.lam = lam
        self.uncertainty = uncertainty
        self.n_reference = n_reference
        self.bandwidth = bandwidth
        self.diversity = diversity
        self.n_candidates = n_candidates

    def _needs_representation(self):
        return True

    def _needs_model(self):
        # lam=0 is density alone: the model is never asked (a cold start ranks so)
        return self.lam == "auto" or float(self.lam) > 0

    def _uncertainty_scorer(self):
        if not self._needs_model():
            return None
        return _resolve_scorer(self.uncertainty, type(self).__name__)

    def _plan(self, estimator, X_pool, rng, plan):
        rep, X_ref = plan["representation"], plan["X_ref"]
        d_ref = rep.density(rep.Z_ref)
        d_scale = float(d_ref.max()) if len(d_ref) and d_ref.max() > 0 else 1.0
        scorer = self._uncertainty_scorer()
        if scorer is None:  # lam=0: density alone
            plan.update(scorer=None, u_scale=1.0, d_scale=d_scale, lam=0.0, uses_Z=True)
            return
        u_ref = _score_uncertainty(scorer, estimator, X_ref)
        n_classes = None
        if isinstance(scorer, SoftmaxUncertainty):
            n_classes = predict_proba_like(estimator, take_rows(X_ref, [0])).shape[1]
        u_scale = _uncertainty_scale(scorer, n_classes, u_ref)
        if self.lam == "auto":
            lam = float(np.clip(1.0 - np.mean(u_ref / u_scale), 0.0, 1.0))
        else:
            lam = float(self.lam)
        plan.update(scorer=scorer, u_scale=u_scale, d_scale=d_scale, lam=lam,
                    uses_Z=lam < 1)

    def _score(self, estimator, X, Z, plan, rng):
        lam = plan["lam"]
        s = np.zeros(X.shape[0])
        if lam > 0:
            s += lam * _score_uncertainty(plan["scorer"], estimator, X) / plan["u_scale"]
        if lam < 1:
            s += (1.0 - lam) * plan["representation"].density(Z) / plan["d_scale"]
        return s


class RandomSampling(BaseQueryStrategy):
    """Label rows in a uniformly random order: the control.

    Every claim about a query strategy is measured against it. The scores
    are independent uniform draws, one per pool row (excluded rows included,
    so excluding rows does not change the others' draws), so the result
    depends only on ``random_state``, not on ``batch_size`` or the model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.acquisition import RandomSampling
    >>> pool = np.zeros((100, 3))
    >>> a, _ = RandomSampling().rank(None, pool, 5, random_state=0)
    >>> b, _ = RandomSampling().rank(None, pool, 5, random_state=0)
    >>> bool((a == b).all()), len(set(a.tolist()))
    (True, 5)
    """

    def __init__(self):
        pass

    def _needs_model(self):
        return False

    def _score(self, estimator, X, Z, plan, rng):
        return rng.random_sample(X.shape[0])


class CoreSetSampling(BaseQueryStrategy):
    """Cover the pool: label the rows farthest from everything labelled.

    k-center greedy (the core-set batch of Sener & Savarese, 2018): each
    row picked is the pool row whose distance to its nearest labelled row,
    or row picked before it, is largest, on the representation the estimator
    sees (a Pipeline's preprocessing, else the standardised numeric encoding
    learned from the candidates). It needs no model, so it serves the cold
    start of :class:`Acquisition` (labelled rows of a single class): rows
    far from the one known class are where another class is most likely,
    even when that class is rare and atypical (fraud), which the densest
    rows of the pool are not. The score of a row is its distance when it
    was picked (non-increasing).

    The pool is reduced to a uniform random sample of ``n_candidates``
    available rows first, so the memory is ``O(n_candidates)`` (plus the
    excluded positions) whatever the pool's size, and the cost
    ``O(n_candidates × (n_labelled + n_samples))`` distances. Without ``labelled`` rows (``query``), the first row picked
    is the candidate nearest the candidates' mean.

    Parameters
    ----------
    n_candidates : int, default=20_000
        Rows of the pool, drawn uniformly at random, the batch is chosen
        from (all of them in a smaller pool).

    See Also
    --------
    HybridSampling : ``lam=0`` ranks by density instead: the most typical rows.

    Examples
    --------
    One labelled row at 0: the row farthest from it comes first (3.0), then
    the one farthest from both (-2.0), then the one farthest from all three
    (1.0, at distance 1 from 0):

    >>> import numpy as np
    >>> from sklearn_activesynth.acquisition import CoreSetSampling
    >>> pool = np.array([[0.5], [3.0], [-2.0], [1.0], [2.9]])
    >>> CoreSetSampling().rank(None, pool, 3, labelled=np.zeros((1, 1))).positions.tolist()
    [1, 2, 3]
    """

    _parameter_constraints = {
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, n_candidates=20_000):
        self.n_candidates = n_candidates

    def _needs_model(self):
        return False

    def _rank(self, estimator, X_pool, n_samples, excluded, rng, batch_size, labelled,
              report, n_jobs=None, blocks=None):
        available = _available_sample(report["n_pool"], excluded, self.n_candidates, rng)
        # a Dask pool: only the candidate rows are gathered
        X_cand = take_rows(X_pool, available) if blocks is None else \
            take_block_rows(*blocks, available)
        rep = _Representation(estimator, X_cand, 1.0)
        Z, sq = rep.Z_ref, rep.ref_sq
        d2 = np.full(len(available), np.inf)
        if labelled is not None and _as_rows(labelled).shape[0] > 0:
            labelled = _as_rows(labelled)
            for a in range(0, labelled.shape[0], batch_size):
                Z_lab = rep(_chunk(labelled, a, a + batch_size))
                step = max(1, _KERNEL_BLOCK // max(1, Z_lab.shape[0]))
                lab_sq = _row_sq_norms(Z_lab)
                for b in range(0, len(available), step):
                    near = _sq_distances(Z[b:b + step], Z_lab, lab_sq).min(axis=1)
                    np.minimum(d2[b:b + step], near, out=d2[b:b + step])
        picked, dist = [], []
        for _ in range(n_samples):
            if np.isinf(d2).all():  # nothing labelled yet: start at the centre
                centre = np.asarray(Z.mean(axis=0)).reshape(1, -1)
                i = int(np.argmin(_sq_distances(Z, centre, _row_sq_norms(centre))))
                dist.append(np.nan)
            else:
                i = int(np.argmax(d2))
                dist.append(float(np.sqrt(d2[i])))
            picked.append(i)
            np.minimum(d2, _sq_distances(Z, Z[i:i + 1], sq[i:i + 1]).ravel(), out=d2)
            d2[i] = -np.inf
        scores = np.asarray(dist, dtype=float)
        if np.isnan(scores[0]):  # the centre comes first
            scores[0] = np.inf
        report.update(n_candidates=len(available), n_returned=len(picked))
        return QueryResult(available[np.asarray(picked, dtype=np.intp)], scores, report)


_STRATEGY_NAMES = {
    "auto": lambda: UncertaintySampling("margin"),   # a classifier's default
    "margin": lambda: UncertaintySampling("margin"),
    "entropy": lambda: UncertaintySampling("entropy"),
    "least_confidence": lambda: UncertaintySampling("least_confidence"),
    "ensemble_variance": lambda: UncertaintySampling("ensemble_variance"),
    "hybrid": HybridSampling,
    "coreset": CoreSetSampling,
    "random": RandomSampling,
}


def resolve_query_strategy(spec):
    """The strategy object for a value of ``strategy=``.

    Parameters
    ----------
    spec : str, BaseQueryStrategy, BaseUncertaintyScorer or callable
        "auto" (a classifier's default): "margin"; "margin", "entropy", "least_confidence", "ensemble_variance":
        :class:`UncertaintySampling` with that measure; "hybrid":
        :class:`HybridSampling` with its defaults; "coreset":
        :class:`CoreSetSampling`; "random": :class:`RandomSampling`; a strategy: itself (not
        copied); an uncertainty scorer or a callable ``f(fitted_estimator, X)
        -> scores``: :class:`UncertaintySampling` with it.

    Returns
    -------
    strategy : BaseQueryStrategy

    Examples
    --------
    >>> from sklearn_activesynth.acquisition import resolve_query_strategy
    >>> resolve_query_strategy("entropy")
    UncertaintySampling(measure='entropy')
    >>> resolve_query_strategy("random")
    RandomSampling()
    """
    if isinstance(spec, BaseQueryStrategy):
        return spec
    if isinstance(spec, str):
        if spec in _STRATEGY_NAMES:
            return _STRATEGY_NAMES[spec]()
        raise ValueError(
            f"Unknown query strategy {spec!r}. Use one of {sorted(_STRATEGY_NAMES)}, a "
            "strategy object such as HybridSampling(lam=0.5) or "
            "UncertaintySampling('margin', diversity=0.5) from "
            "sklearn_activesynth.acquisition, an uncertainty scorer, or a callable "
            "f(fitted_estimator, X) -> scores.")
    if isinstance(spec, BaseUncertaintyScorer) or callable(spec):
        return UncertaintySampling(spec)
    raise TypeError(
        "strategy must be a string, a BaseQueryStrategy, an uncertainty scorer or a "
        f"callable f(fitted_estimator, X) -> scores; got {type(spec).__name__}.")


#: Strategy strings a regressor takes (``query(strategy=...)``, ``Acquisition``).
REGRESSION_STRATEGIES = ("auto", "ensemble_variance", "predictive_std", "hybrid",
                         "coreset", "random")


def _regression_scorer(spec, uncertainty):
    """The uncertainty scorer ``spec`` as a regressor's, or a clear error for a
    measure of class probabilities."""
    from .uncertainty import EnsembleVariance, resolve_regression_uncertainty

    if isinstance(spec, str) and spec in _MEASURES or \
            getattr(spec, "requires", None) == "proba" or isinstance(spec, EnsembleVariance):
        shown = spec if isinstance(spec, str) else type(spec).__name__
        raise ValueError(
            f"{shown!r} ranks rows by class probabilities, which a regressor does not "
            "have. ActiveSynthesisRegressor ranks a pool by its predictive variance: use "
            "'ensemble_variance' (the committee variance of seed 000 §2.2.1, the "
            "default), 'predictive_std' (a Bayesian regressor's own standard deviation), "
            "'hybrid', 'coreset', 'random', a regression scorer of "
            "sklearn_activesynth.uncertainty (CommitteeVariance(), PredictiveStd()), or "
            "f(fitted_estimator, X) -> scores.")
    if isinstance(spec, str) and spec == "ensemble_variance":
        resolved = resolve_regression_uncertainty(uncertainty)
        # the regressor's own committee settings (n_members) when it has one
        return resolved if resolved.requires == "committee" else \
            resolve_regression_uncertainty(spec)
    return spec


def resolve_regression_query_strategy(spec, uncertainty="ensemble_variance"):
    """The strategy object a regressor ranks a pool with.

    What :func:`resolve_query_strategy` is for a classifier, for
    :class:`~sklearn_activesynth.ActiveSynthesisRegressor` (its ``query`` and
    its ``acquisition``): the pool is ranked by the regressor's predictive
    variance. Measures of class probabilities ("margin", "entropy",
    "least_confidence", ``SoftmaxUncertainty``, the classifiers'
    ``EnsembleVariance``) raise a ``ValueError`` that says what to use.

    Parameters
    ----------
    spec : str, BaseQueryStrategy, BaseUncertaintyScorer, callable or None
        None or "auto": :class:`UncertaintySampling` with ``uncertainty``;
        "ensemble_variance", "predictive_std": :class:`UncertaintySampling`
        with :class:`~sklearn_activesynth.uncertainty.CommitteeVariance`
        (the regressor's, when its ``uncertainty`` is one) or
        :class:`~sklearn_activesynth.uncertainty.PredictiveStd`; "hybrid":
        :class:`HybridSampling` with ``uncertainty``; "coreset":
        :class:`CoreSetSampling`; "random": :class:`RandomSampling`. A
        strategy: itself, or a copy whose ``measure`` / ``uncertainty``
        "ensemble_variance" is the regression committee variance (the
        object passed is never modified); a regression uncertainty scorer or a
        callable ``f(fitted_estimator, X) -> scores``:
        :class:`UncertaintySampling` with it.
    uncertainty : str, scorer or callable, default="ensemble_variance"
        The regressor's ``uncertainty`` (what "auto" ranks by).

    Returns
    -------
    strategy : BaseQueryStrategy

    Examples
    --------
    >>> from sklearn_activesynth.acquisition import resolve_regression_query_strategy
    >>> resolve_regression_query_strategy(None)
    UncertaintySampling(measure=CommitteeVariance())
    >>> resolve_regression_query_strategy("coreset")
    CoreSetSampling()
    >>> resolve_regression_query_strategy("margin")
    Traceback (most recent call last):
    ...
    ValueError: 'margin' ranks rows by class probabilities, which a regressor ...
    """
    from .uncertainty import resolve_regression_uncertainty

    if spec is None or isinstance(spec, str) and spec == "auto":
        return UncertaintySampling(resolve_regression_uncertainty(uncertainty))
    if isinstance(spec, str):
        if spec in ("ensemble_variance", "predictive_std"):
            return UncertaintySampling(
                _regression_scorer(spec, uncertainty) if spec == "ensemble_variance"
                else resolve_regression_uncertainty(spec))
        if spec == "hybrid":
            return HybridSampling(uncertainty=resolve_regression_uncertainty(uncertainty))
        if spec in ("coreset", "random"):
            return _STRATEGY_NAMES[spec]()
        _regression_scorer(spec, uncertainty)  # a class measure: says so
        raise ValueError(
            f"Unknown query strategy {spec!r} for a regressor. Use one of "
            f"{sorted(REGRESSION_STRATEGIES)}, a strategy object of "
            "sklearn_activesynth.acquisition, a regression uncertainty scorer, or a "
            "callable f(fitted_estimator, X) -> scores.")
    if isinstance(spec, BaseQueryStrategy):
        name = ("measure" if isinstance(spec, UncertaintySampling) else
                "uncertainty" if isinstance(spec, HybridSampling) else None)
        if name is None:
            return spec
        value = getattr(spec, name)
        if isinstance(spec, HybridSampling) and not spec._needs_model():
            return spec  # lam=0: density alone, no uncertainty is asked
        scorer = _regression_scorer(value, uncertainty)
        return spec if scorer is value else clone(spec).set_params(**{name: scorer})
    if isinstance(spec, BaseUncertaintyScorer) or callable(spec):
        return UncertaintySampling(_regression_scorer(spec, uncertainty))
    raise TypeError(
        "strategy must be a string, a BaseQueryStrategy, an uncertainty scorer or a "
        f"callable f(fitted_estimator, X) -> scores; got {type(spec).__name__}.")


# ----------------------------------------------------------------------------
# acquisition inside fit: the strategy and the label budget per round


class Acquisition(BaseEstimator):
    r"""Which unlabelled rows ``fit`` asks the oracle about, and how many per round.

    The ``acquisition=`` parameter of
    :class:`~sklearn_activesynth.ActiveSynthesisClassifier` and
    :class:`~sklearn_activesynth.ActiveSynthesisRegressor` (used together
    with their ``oracle``): in each round of ``fit`` the current model ranks
    the rows still unlabelled with ``strategy`` and the oracle is asked for
    the labels of the best :math:`B_t` of them, with the budget schedule of
    seed 003 §2.2.3,

    .. math:: B_t = \min(B_{max},\ B_{init} + \Delta B \cdot t),

    where round ``r`` of ``fit`` (``r = 1 .. max_iter``) uses ``t = r - 1``:
    the first round asks for ``budget_init`` rows. A round asks for fewer
    when fewer rows are left unlabelled. The object learns nothing; its
    parameters tune in ``GridSearchCV`` as ``acquisition__strategy``,
    ``acquisition__budget_step``, ``acquisition__query_estimator``, ...
    (and, for a strategy object, ``acquisition__strategy__diversity``, ...).

    **Proxy model** (seed 003 §2.2.2). With ``query_estimator`` set, each
    round a clone of it is fitted on the round's training rows (the labelled
    training rows, acquired ones included, plus the accepted synthetic rows,
    with the weights the model gets) and ranks the unlabelled rows in place
    of the task model, which is then never asked about them. A cheap proxy
    (a ``LogisticRegression`` for a gradient-boosting or a neural task
    model) makes ranking a big pool cheap; uncertainty sampling is known to
    work best when the model that queries is the model that learns, so
    measure what it costs (``benchmarks/bench_proxy.py``). The seed
    distils the proxy from the task model's probabilities; here it learns
    the same labels the task model learns.

    **Committees.** A committee scorer (``"ensemble_variance"``,
    :class:`~sklearn_activesynth.uncertainty.EnsembleVariance`,
    :class:`~sklearn_activesynth.uncertainty.DeepEnsembleVariance`) in the
    strategy gets its committee fitted each round on the same training
    rows: clones of the proxy when there is one, else of the task model.

    **Cold start.** When the labelled rows given to ``fit`` hold a single
    class (no positive yet), no model can be fitted: the rounds rank the
    unlabelled rows with ``cold_start`` (by default the rows that cover the
    pool best: farthest from the labelled rows and from each other) until
    the oracle's answers bring a second class; the first model is then
    fitted and the rounds go on with ``strategy``.

    Parameters
    ----------
    strategy : str, query strategy, uncertainty scorer or callable, \
            default="auto"
        How the unlabelled rows are ranked: anything
        :func:`resolve_query_strategy` accepts ("margin", "entropy",
        "least_confidence", "hybrid", "random", a :class:`BaseQueryStrategy`
        such as ``UncertaintySampling("margin", diversity=0.5)``, an
        uncertainty scorer of the fitted model, or ``f(fitted_estimator, X)
        -> scores``). "auto": margin sampling for a classifier (the
        strongest single strategy on tabular data in the literature); for
        :class:`~sklearn_activesynth.ActiveSynthesisRegressor` its
        predictive variance, by its own ``uncertainty`` (the committee
        variance by default; see :func:`resolve_regression_query_strategy`:
        a regressor refuses the measures of class probabilities).
    budget_init : int, default=10
        :math:`B_{init}`: rows asked for in the first round (``t = 0``).
    budget_step : int, default=0
        :math:`\Delta B`: rows added to the request with each round; 0 asks
        for ``budget_init`` rows every round.
    budget_max : int or None, default=None
        :math:`B_{max}`: the most rows asked for in one round. ``None``: no
        cap.
    query_estimator : classifier or None, default=None
        The proxy that ranks the unlabelled rows: cloned and fitted each
        round on the round's training rows (labels encoded ``0..k-1``,
        integration weights as the task model gets them), never the task
        model's own fit. ``None``: the task model ranks them. After ``fit``,
        the classifier's ``query_estimator_`` is a clone fitted on the final
        model's rows, to pass to ``query``.
    cold_start : {"coverage", "density"}, query strategy or None, \
            default="coverage"
        How unlabelled rows are ranked while the labelled rows hold a single
        class (no model can be fitted yet). "coverage":
        :class:`CoreSetSampling`, the rows farthest from the labelled rows
        and from each other (k-center greedy): far from the one known class
        is where another is most likely. "density":
        ``HybridSampling(lam=0.0, diversity=1.0)``, the most typical rows of
        the pool (the density term of seed 003 §2.2.1 alone) spread by the
        batch diversity penalty of §2.2.3. Measured in
        ``benchmarks/bench_cold_start.py`` (rounds until a second class is
        labelled): density never found a fraud in 30 rounds where coverage
        found one in the first round; on digits density was quicker. A
        strategy object that needs no model (``RandomSampling()``,
        ``HybridSampling(lam=0.0, ...)``, ``CoreSetSampling(...)``, or a
        subclass whose ``_needs_model()`` is False). ``None``: a single
        class is an error, as without an oracle.

    See Also
    --------
    sklearn_activesynth.ActiveSynthesisClassifier.query : rank a pool once,
        outside ``fit``.

    Examples
    --------
    The schedule, by hand: 20, 20 + 10, 20 + 2·10, then capped at 40.

    >>> import numpy as np
    >>> from sklearn_activesynth.acquisition import Acquisition
    >>> acq = Acquisition("margin", budget_init=20, budget_step=10, budget_max=40)
    >>> [acq.budget(t) for t in range(5)]
    [20, 30, 40, 40, 40]

    In ``fit``: 60 labelled rows, 340 unlabelled ones (``NaN``), and an oracle
    that looks the true labels up (a simulation; a review queue or a
    database would answer for real). An oracle that takes ``indices`` gets
    the rows' positions in the ``X`` passed to ``fit``.

    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> X, y_true = make_classification(n_samples=400, random_state=0)
    >>> y = y_true.astype(float)
    >>> y[60:] = np.nan
    >>> def analysts(rows, indices):
    ...     return y_true[indices]
    >>> clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=analysts,
    ...                                 acquisition=acq, max_iter=3,
    ...                                 random_state=0).fit(X, y)
    >>> clf.history_["n_acquired"].iloc[1:].astype(int).tolist()
    [20, 30, 40]
    >>> len(clf.acquired_indices_), bool(np.isnan(y[clf.acquired_indices_]).all())
    (90, True)

    A proxy ranks the pool: a gradient-boosting task model, a linear proxy
    refitted each round on the same rows.

    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> acq = Acquisition("margin", budget_init=20, query_estimator=LogisticRegression())
    >>> clf = ActiveSynthesisClassifier(HistGradientBoostingClassifier(max_iter=20),
    ...                                 oracle=analysts, acquisition=acq, max_iter=2,
    ...                                 random_state=0).fit(X, y)
    >>> clf.history_["query_model"].iloc[1:].tolist()
    ['LogisticRegression', 'LogisticRegression']
    >>> clf.query_estimator_.classes_.tolist()   # refitted on the final rows
    [0, 1]
    """

    _parameter_constraints = {
        "strategy": [StrOptions(set(_STRATEGY_NAMES) | set(REGRESSION_STRATEGIES)),
                     BaseQueryStrategy, callable],
        "budget_init": [Interval(Integral, 0, None, closed="left")],
        "budget_step": [Interval(Integral, 0, None, closed="left")],
        "budget_max": [Interval(Integral, 1, None, closed="left"), None],
        "query_estimator": [HasMethods(["fit", "predict"]), None],
        "cold_start": [StrOptions({"coverage", "density"}), BaseQueryStrategy, None],
    }

    def __init__(self, strategy="auto", *, budget_init=10, budget_step=0, budget_max=None,
                 query_estimator=None, cold_start="coverage"):
        self.strategy = strategy
        self.budget_init = budget_init
        self.budget_step = budget_step
        self.budget_max = budget_max
        self.query_estimator = query_estimator
        self.cold_start = cold_start

    def budget(self, t):
        """:math:`B_t`, the rows to ask for at iteration ``t`` (0 for the first round).

        Parameters
        ----------
        t : int
            The iteration, ``t >= 0``.

        Returns
        -------
        n_rows : int
            ``min(budget_max, budget_init + budget_step * t)``.
        """
        self._validate_params()
        t = _check_int(t, "t", 0)
        n = self.budget_init + self.budget_step * t
        return int(n if self.budget_max is None else min(self.budget_max, n))

    def resolve_strategy(self):
        """The query strategy object (see :func:`resolve_query_strategy`).

        Returns
        -------
        strategy : BaseQueryStrategy
        """
        self._validate_params()
        return resolve_query_strategy(self.strategy)

    def resolve_cold_start(self):
        """The strategy that ranks unlabelled rows while only one class is
        labelled, or None (a single class is then an error).

        Returns
        -------
        strategy : BaseQueryStrategy or None

        Raises
        ------
        ValueError
            For a strategy that needs a fitted model.
        """
        self._validate_params()
        if self.cold_start is None:
            return None
        if self.cold_start == "coverage":
            return CoreSetSampling()
        if self.cold_start == "density":
            return HybridSampling(lam=0.0, diversity=1.0)
        if self.cold_start._needs_model():
            raise ValueError(
                f"cold_start={self.cold_start!r} needs a fitted model, and a cold start "
                "(labelled rows of a single class) has none. Use 'coverage', 'density', "
                "CoreSetSampling(...), HybridSampling(lam=0.0, ...), RandomSampling(), or "
                "None to make a single class an error.")
        return self.cold_start

    def set_params(self, **params):
        """Set parameters; ``strategy__*`` and ``cold_start__*`` also work when
        those are strings (the named strategy object is made explicit first).

        Returns
        -------
        self : Acquisition
        """
        if isinstance(self.strategy, str) and "strategy" not in params and \
                any(k.startswith("strategy__") for k in params):
            self.strategy = resolve_query_strategy(self.strategy)
        if isinstance(self.cold_start, str) and "cold_start" not in params and \
                any(k.startswith("cold_start__") for k in params):
            self.cold_start = self.resolve_cold_start()
        return super().set_params(**params)


def missing_label_mask(y, missing_label):
    """Which entries of ``y`` are unlabelled: equal to ``missing_label``.

    ``NaN`` (or ``None``) as ``missing_label`` marks ``NaN`` in float labels
    and ``None``, ``NaN`` or ``pd.NA`` in object labels; integer, boolean and
    string arrays cannot hold it. Any other value marks the entries equal to
    it (never across types: ``-1`` does not mark the string ``"-1"``).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    missing_label : scalar or None

    Returns
    -------
    mask : ndarray of bool of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.acquisition import missing_label_mask
    >>> missing_label_mask(np.array([0.0, np.nan, 1.0]), np.nan).tolist()
    [False, True, False]
    >>> missing_label_mask(np.array(["a", None, "b"], dtype=object), np.nan).tolist()
    [False, True, False]
    >>> missing_label_mask(np.array([-1, 1, -1]), -1).tolist()
    [True, False, True]
    >>> missing_label_mask(np.array([-1, 1, -1]), np.nan).tolist()
    [False, False, False]
    """
    y = np.asarray(y)
    shape = y.shape[:1]
    if missing_label is None or _is_nan(missing_label):
        if y.dtype.kind in "fc" or y.dtype == object:
            return np.asarray(pd.isna(y), dtype=bool).reshape(shape)
        return np.zeros(shape, dtype=bool)
    if y.dtype == object:
        return np.fromiter((_same_label(v, missing_label) for v in y), dtype=bool,
                           count=len(y))
    if isinstance(missing_label, str) != (y.dtype.kind in "US"):
        return np.zeros(shape, dtype=bool)
    return np.asarray(y == missing_label, dtype=bool).reshape(shape)


def _is_nan(value):
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _same_label(value, missing_label):
    if isinstance(missing_label, str) != isinstance(value, (str, np.str_)):
        return False
    try:
        return bool(value == missing_label)
    except (TypeError, ValueError):
        return False
