"""One fit of the active synthesis loop, as a list of stages (seed 000, §2.1-2.4).

``FitLoop.run`` prepares the fit (split, generator, filters, model_0), runs
rounds, and refits the final model. A round is the stages in order::

    [acquisition ->] uncertainty -> targeting -> generation -> filtering -> fit -> scoring

(acquisition only with an oracle: seed 003 §2.2, real labels for the
unlabelled rows the model ranks first).

Each stage is a :class:`Stage`: ``run(loop, state, rnd)`` reads what it needs
from the fit's :class:`LoopState` and the round's :class:`Round`, writes its
results on the round, and returns its ``history_`` fields. Timing and history
writing happen in one place (:meth:`FitLoop.run_round`). A stage ends the round
early with ``rnd.end(status)``. See ``docs/design.md`` for the data flow and how
to add a stage.
"""

import contextlib
import inspect
import logging
import numbers
import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.metaestimators import available_if

from ._checks import (
    GeneratorTimeoutError,
    call_with_timeout,
    conform_synthesized,
    plausible_bounds,
    restore_dtypes,
    usable_rows,
)
from .acquisition import OracleFailedWarning, missing_label_mask
from .filters import FilterContext, FilterResult
from .generators.base import as_synthesized, get_generator_tags
from .integration import resolve_integration
from .selection import normalised_gain, resolve_selector, ucb_values, usability_score
from .targeting import kth_neighbour_distance, resolve_targeting
from .uncertainty import SoftmaxUncertainty, predict_proba_like, resolve_uncertainty
from .utils import fit_clone
from .utils._seeding import MAX_SEED, check_random_state, seed_unset_random_states
from .utils.tabular import TabularSchema, concat_rows, take_concat, take_rows
from .utils._parallel import delayed, n_workers, parallel
from .utils._threads import limit_threads, task_workers, worker_thread_limit

logger = logging.getLogger("sklearn_activesynth")

GENERATOR_RETRIES = 2
#: Extra calls of an oracle that raised, per round (as for the generator).
ORACLE_RETRIES = GENERATOR_RETRIES
#: The sampler's last rounds after the planned ones, while rows are still owed.
TOP_UP_ROUNDS = 3


class GeneratorFailedWarning(UserWarning):
    """A generator kept failing; the fit went on without its rows."""


# ----------------------------------------------------------------------- state
@dataclass
class SyntheticPool:
    """The accepted synthetic rows: blocks of rows, encoded labels, the
    uncertainty of each row's anchor, and provenance blocks."""

    X: list = field(default_factory=list)
    y: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    u: np.ndarray = field(default_factory=lambda: np.empty(0))
    provenance: list = field(default_factory=list)

    def __len__(self):
        return len(self.y)

    def plus(self, X, y, u, provenance):
        """A new pool with one more block (the pool itself is not changed)."""
        # the pool's target dtype: int codes (classes), floats (a continuous target)
        return SyntheticPool(self.X + [X], np.concatenate([self.y, y]).astype(self.y.dtype),
                             np.concatenate([self.u, u]), self.provenance + [provenance])


class RowBuffer:
    """The real training rows and room for the synthetic rows, in one array.

    Rows ``[0, n_tr)`` of one preallocated array are the training rows (the
    loop's ``X_tr`` is a view of them); each round's kept synthetic rows are
    written right after the accepted ones, so a round's real + synthetic
    matrix is a view of the first rows instead of a new copy of everything.
    Rows already accepted are never written again; a round's rows that the
    guard rejects are overwritten by the next round's. Dense ndarrays only.
    Whatever does not fit (no room left, another dtype, blocks that are not
    the buffer's rows) is concatenated as before, so results never depend on
    the buffer.
    """

    def __init__(self, X, indices, capacity):
        indices = np.asarray(indices, dtype=np.intp)
        self.n_tr = len(indices)
        self.data = np.empty((self.n_tr + capacity, X.shape[1]), dtype=X.dtype)
        # mode="wrap" takes straight into ``out`` (mode="raise" buffers a copy of
        # the rows first); the positions come from our own split
        np.take(X, indices, axis=0, out=self.data[:self.n_tr], mode="wrap")

    @property
    def X_tr(self):
        return self.data[:self.n_tr]

    def _at(self, block, row):
        """Whether ``block`` is the buffer's rows from ``row`` on."""
        return (isinstance(block, np.ndarray) and block.base is self.data
                and block.ndim == 2 and block.flags.c_contiguous
                and block.dtype == self.data.dtype
                and block.__array_interface__["data"][0]
                == self.data.__array_interface__["data"][0] + row * self.data.strides[0])

    def _end(self, X_tr, blocks):
        """The row after ``X_tr`` followed by ``blocks`` if they are the
        buffer's rows in that order, else None."""
        if not self._at(X_tr, 0) or X_tr.shape[0] != self.n_tr:
            return None
        end = self.n_tr
        for b in blocks:
            if not self._at(b, end):
                return None
            end += b.shape[0]
        return end

    def append(self, X_tr, blocks, X_new):
        """``X_new`` written after ``blocks`` in the buffer (its view), or
        ``X_new`` itself where it does not fit."""
        end = self._end(X_tr, blocks)
        if end is None or not isinstance(X_new, np.ndarray) or X_new.ndim != 2 or \
                X_new.dtype != self.data.dtype or end + X_new.shape[0] > len(self.data):
            return X_new
        out = self.data[end:end + X_new.shape[0]]
        out[...] = X_new
        return out

    def end(self, X_tr, blocks):
        """The number of rows of ``X_tr`` followed by ``blocks`` when they are
        the buffer's first rows, else None."""
        return self._end(X_tr, blocks)

    @contextlib.contextmanager
    def without(self, rows, end, chunk=None):
        """The buffer's first ``end`` rows without the training rows ``rows``
        (sorted), as a view of its first rows: the other rows move up in place,
        in order, and go back on exit. Yields ``(matrix, removed rows)``.

        An out-of-fold fit's matrix without a copy of the rows it keeps (the
        removed rows are copied: one fold's worth). Nothing else may read the
        buffer meanwhile: the loop uses it for folds run one after another in
        this process only.
        """
        data = self.data
        if chunk is None:  # rows moved at a time: about 256 KiB
            chunk = max(64, (1 << 18) // max(1, data.strides[0]))
        rows = np.asarray(rows, dtype=np.intp)
        removed = data[rows]
        keep = np.ones(end, dtype=bool)
        keep[rows] = False
        moved = []  # (a chunk's kept rows, the row they moved to)
        n = 0
        try:
            for start in range(0, end, chunk):
                src = np.flatnonzero(keep[start:start + chunk]) + start
                if n != start or len(src) != min(chunk, end - start):
                    # the rows move up (n <= start): the ones still to move are untouched
                    data[n:n + len(src)] = data[src]
                    moved.append((src, n))
                n += len(src)
            yield data[:n], removed
        finally:
            for src, at in reversed(moved):  # down again, last chunk first
                data[src] = data[at:at + len(src)].copy()
            data[rows] = removed

    def matrix(self, X_tr, blocks):
        """``X_tr`` followed by ``blocks``: a view of the buffer when they are
        its rows, else a new matrix."""
        end = self._end(X_tr, blocks)
        if end is None:
            return concat_rows([X_tr] + list(blocks))
        return self.data[:end]


@dataclass
class LoopState:
    """What one fit holds between rounds (the estimator holds none of it)."""

    # fixed for the fit (with an oracle, its answers extend the training rows)
    X_tr: object
    y_tr: np.ndarray          # encoded 0..k-1
    y_tr_orig: np.ndarray
    w_tr: object              # the user's sample_weight of the training rows, or None
    X_val: object
    y_val_orig: np.ndarray
    train_idx: np.ndarray     # positions in the X passed to fit
    val_idx: np.ndarray
    classes: np.ndarray
    label_encoder: object
    rng: np.random.RandomState
    budget: int               # synthetic rows asked for per round
    generator: object = None
    filters: list = field(default_factory=list)   # (name, fitted filter)
    schema: object = None
    real_has_nan: np.ndarray = None
    bounds: tuple = None      # per numeric column, the plausible synthetic range
    # moving
    model: object = None
    current: float = np.nan   # validation score of ``model``
    best: float = np.nan
    pool: SyntheticPool = field(default_factory=SyntheticPool)
    u_tr: np.ndarray = None   # last round's uncertainty of the training rows
    u_val: np.ndarray = field(default_factory=lambda: np.empty(0))
    no_improve: int = 0
    termination: str = "max_iter"
    top_up: bool = False      # the sampler's last rounds: no guard, no early stop
    history: list = field(default_factory=list)
    # per-fit caches of work that does not change between rounds
    Z_tr: object = None
    d_tr: np.ndarray = None
    initial: float = np.nan   # validation score of the real-only model_0
    generators: list = field(default_factory=list)  # (name, fitted generator)
    selection: object = None  # the selector's per-arm statistics (SelectionStats)
    uncertainty_of: object = None  # the model the cached uncertainty belongs to
    waiting: object = None    # the curriculum's rows not yet released
    signals_cache: dict = field(default_factory=dict)
    fold_plan: object = None  # the out-of-fold splits' per-label work (_StratifiedFolds)
    # acquisition (an oracle): the unlabelled rows, and the training rows the
    # generator was fitted on (the first n_gen of X_tr; acquired rows follow)
    acquisition: object = None
    n_gen: int = None
    rows: RowBuffer = None  # X_tr and the synthetic rows in one array (or None)

    @property
    def n_tr(self):
        return len(self.y_tr)


@dataclass
class AcquisitionState:
    """The unlabelled rows of one fit with an oracle, and what it answered."""

    X: object                 # the unlabelled rows passed to fit, in X's container
    idx: np.ndarray           # their positions in the X passed to fit
    remaining: np.ndarray     # bool per row: still unlabelled
    w: np.ndarray = None      # their sample_weight (None: none given)
    positions: list = field(default_factory=list)  # acquired, positions in X, in order
    codes: list = field(default_factory=list)      # their encoded labels
    stopped: bool = False     # the oracle timed out: never called again in this fit

    @property
    def n_left(self):
        return int(self.remaining.sum())


@dataclass
class ColdStart:
    """What the cold-start rounds leave for the fit (see :meth:`FitLoop.cold_start`)."""

    acquisition: AcquisitionState  # positions acquired so far, rows still unlabelled
    y: np.ndarray             # the labels given to fit, with the acquired ones filled in
    y_enc: np.ndarray         # encoded 0..k-1 from the labels seen; -1 where unlabelled
    label_encoder: object
    rng: np.random.RandomState
    history: list             # round 0 and one row per cold-start round
    t: int                    # the last cold-start round


@dataclass
class Round:
    """One round's scratch space; stages write their results here."""

    t: int
    row: dict
    status: str = None        # set by rnd.end(): the round stops after the stage
    n_acquired: int = 0       # real rows the oracle labelled this round
    u_tr: np.ndarray = None
    proba_tr: np.ndarray = None
    targets: object = None
    batch: object = None      # the generator's Synthesized rows
    keep: np.ndarray = None
    y_new: np.ndarray = None  # encoded labels of the kept rows
    anchor_pos: np.ndarray = None
    provenance: dict = None
    n_excess: int = 0          # rows returned beyond the request (cut)
    candidate: SyntheticPool = None
    cand_model: object = None
    score: float = np.nan
    # an arm's overrides (selection): its targeting, generator, name, and how many
    # times the round's budget it asks for (a usability band keeps a share)
    targeting: object = None
    generator: object = None
    arm: str = None
    oversample: float = 1.0
    fit_args: tuple = None    # an arm's candidate fit, deferred: (y, weights, seed)

    def end(self, status):
        self.status = status
        self.row["status"] = status


# ---------------------------------------------------------------- the guard
class _EncodedModel(ClassifierMixin, BaseEstimator):
    """A base model fitted on encoded labels, seen with the original labels
    (so any scikit-learn scorer, ``pos_label`` included, works unchanged)."""

    def __init__(self, model=None, classes=None):
        self.model = model
        self.classes = classes

    @property
    def classes_(self):
        return self.classes

    def predict(self, X):
        return self.classes[np.asarray(self.model.predict(X), dtype=int)]

    @available_if(lambda self: hasattr(self.model, "predict_proba"))
    def predict_proba(self, X):
        return self.model.predict_proba(X)

    @available_if(lambda self: hasattr(self.model, "decision_function"))
    def decision_function(self, X):
        return self.model.decision_function(X)


class _CachedOutputs(ClassifierMixin, BaseEstimator):
    """A fitted model's outputs on the validation rows, answered for row
    positions: ``at(rows)`` is a view whose ``predict*`` methods take
    ``X_view`` (the positions as a column) and return the cached rows, so a
    scorer can re-score a bootstrap resample without predicting again."""

    def __init__(self, model=None, X=None, outputs=None, rows=None):
        self.model, self.X, self.rows = model, X, rows
        if outputs is None and model is not None:
            outputs = {m: getattr(model, m)(X) for m in
                       ("predict", "predict_proba", "decision_function") if hasattr(model, m)}
        self.outputs = outputs

    @property
    def classes_(self):
        return self.model.classes_

    @property
    def X_view(self):
        return np.asarray(self.rows).reshape(-1, 1)

    def at(self, rows):
        return _CachedOutputs(self.model, None, self.outputs, np.asarray(rows))

    def _out(self, method, X):
        return self.outputs[method][np.asarray(X).ravel().astype(int)]

    def predict(self, X):
        return self._out("predict", X)

    @available_if(lambda self: "predict_proba" in self.outputs)
    def predict_proba(self, X):
        return self._out("predict_proba", X)

    @available_if(lambda self: "decision_function" in self.outputs)
    def decision_function(self, X):
        return self._out("decision_function", X)


def _positive_scores(cached):
    out = cached.outputs
    if out.get("predict_proba") is not None:
        return np.asarray(out["predict_proba"])[:, 1]
    return np.asarray(out["decision_function"]).ravel()


def _weighted_average_precision(y, cached, weights):
    """Average precision of the positive class (label 1) for each row of
    ``weights`` (resample counts): scikit-learn's step-wise formula,
    AP = sum_k (R_k - R_{k-1}) P_k over the distinct score thresholds."""
    scores = _positive_scores(cached)
    order = np.argsort(-scores, kind="mergesort")
    s_sorted, y_sorted = scores[order], (y[order] == 1)
    w = weights[:, order]
    # the last row of each group of tied scores closes a threshold
    ends = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), len(s_sorted) - 1]
    tp = np.cumsum(w * y_sorted, axis=1)[:, ends]
    total = np.cumsum(w, axis=1)[:, ends]
    pos = tp[:, -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(total > 0, tp / total, 1.0)
        recall = np.where(pos > 0, tp / pos, 0.0)
    step = np.diff(np.c_[np.zeros(len(w)), recall], axis=1)
    return np.sum(step * precision, axis=1)


def _weighted_balanced_accuracy(y, cached, weights):
    """Balanced accuracy (mean per-class recall) for each row of ``weights``."""
    pred = np.asarray(cached.outputs["predict"])
    recalls = []
    for c in np.unique(y):
        mine = y == c
        n_c = weights[:, mine].sum(axis=1)
        hit = weights[:, mine & (pred == c)].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            recalls.append(np.where(n_c > 0, hit / n_c, np.nan))
    return np.nanmean(np.vstack(recalls), axis=0)


class ValidationGuard:
    """The validation score behind the no-harm guard.

    ``scoring=None`` picks average precision for binary problems with scores,
    balanced accuracy otherwise; the built-in default sees encoded labels
    (positive class = 1), a user's scorer sees the user's labels.
    """

    def __init__(self, scoring, estimator, classes, label_encoder, X_val, y_val):
        self.X_val, self.y_val = X_val, y_val
        self.classes, self.label_encoder = classes, label_encoder
        self.user_scoring = scoring is not None
        if len(y_val) == 0:
            self.scoring, self.scorer = None, None
            return
        # encoded once: every score, Brier score and resample reads them
        self.y_val_encoded = label_encoder.transform(y_val)
        if scoring is None:
            has_scores = hasattr(estimator, "predict_proba") or \
                hasattr(estimator, "decision_function")
            scoring = ("average_precision" if len(classes) == 2 and has_scores
                       else "balanced_accuracy")
        self.scoring = scoring
        self.scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring

    @property
    def active(self):
        return self.scorer is not None

    def brier(self, model):
        """Multiclass Brier score (mean squared distance of the probabilities to
        the one-hot labels) of ``model`` on the validation rows; NaN without
        ``predict_proba``."""
        if not hasattr(model, "predict_proba") or len(self.y_val) == 0:
            return np.nan
        proba = np.asarray(model.predict_proba(self.X_val), dtype=float)
        y = self.y_val_encoded
        onehot = np.zeros_like(proba)
        onehot[np.arange(len(y)), y] = 1.0
        return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))

    def fast_kind(self, *models):
        """The vectorised bootstrap scorer for the built-in default scores, or
        None (a user's scorer is called once per resample).

        scikit-learn's scorers validate their inputs on every call (about 2 ms),
        which made 100 resamples of two models the largest cost of a
        selector's round; :func:`_weighted_average_precision` and
        :func:`_weighted_balanced_accuracy` compute the same formulas for a
        matrix of resample weights at once (tested against scikit-learn's
        functions with ``sample_weight``)."""
        if self.user_scoring or self.scoring is None:
            return None
        if self.scoring == "average_precision" and all(
                m.outputs.get("predict_proba") is not None or
                m.outputs.get("decision_function") is not None for m in models):
            return _weighted_average_precision
        if self.scoring == "balanced_accuracy":
            return _weighted_balanced_accuracy
        return None

    def score(self, model):
        """The validation score of ``model`` (on the resampled rows when
        ``model`` is a :class:`_CachedOutputs` view)."""
        if self.scorer is None:
            return np.nan
        X, y_val, y_enc = self.X_val, self.y_val, self.y_val_encoded
        if isinstance(model, _CachedOutputs):
            X, y_val, y_enc = model.X_view, y_val[model.rows], y_enc[model.rows]
        if not self.user_scoring:
            return float(self.scorer(model, X, y_enc))
        return float(self.scorer(_EncodedModel(model, self.classes), X, y_val))

    def accepts(self, score, current):
        return self.scorer is None or score >= current - 1e-12

    def win_rate(self, model, other, n_bootstrap, rng):
        """Share of stratified bootstrap resamples of the validation rows on
        which ``model`` scores above ``other`` (ties count half).

        Each model predicts the validation rows once; the resamples re-score
        those outputs, so any scorer works unchanged."""
        a, b = _CachedOutputs(model, self.X_val), _CachedOutputs(other, self.X_val)
        y = self.y_val_encoded
        by_class = [np.flatnonzero(y == c) for c in np.unique(y)]
        fast = self.fast_kind(a, b)
        if fast is not None:
            # resamples as row counts (stratified), scored all at once
            counts = np.zeros((n_bootstrap, len(y)))
            for rows in by_class:
                counts[:, rows] = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)),
                                                  size=n_bootstrap)
            sa, sb = fast(y, a, counts), fast(y, b, counts)
            return float(np.mean(np.where(np.abs(sa - sb) <= 1e-12, 0.5, sa > sb)))
        wins = 0.0
        for _ in range(n_bootstrap):
            idx = np.concatenate([rng.choice(rows, len(rows)) for rows in by_class])
            sa, sb = self.score(a.at(idx)), self.score(b.at(idx))
            wins += 1.0 if sa > sb + 1e-12 else 0.5 if abs(sa - sb) <= 1e-12 else 0.0
        return wins / n_bootstrap

    def improves(self, score, best):
        return self.scorer is None or score > best + 1e-12


# ------------------------------------------------------------------- stages
class Stage:
    """One step of a round. Subclasses set ``name`` (history has
    ``seconds_<name>``) and implement ``run(loop, state, rnd) -> dict``."""

    name = "stage"

    def run(self, loop, state, rnd):
        raise NotImplementedError


class AcquisitionStage(Stage):
    """Real labels for the unlabelled rows the current model ranks first (seed
    003 §2.2), first in the round when the estimator has an ``oracle``.

    The acquisition's strategy ranks the rows still unlabelled
    (``BaseQueryStrategy.rank``, seeded from the loop's generator) and the
    oracle is asked for the best ``B_t`` of them (``Acquisition.budget(t - 1)``
    in round ``t``). Rows it answers with a known class join the training rows
    (never the validation rows); the current model is refitted on the real
    training rows plus the accepted synthetic rows and rescored: real labels
    are kept without the guard. An oracle that raises (retried up to
    ``ORACLE_RETRIES`` times), times out (``generator_timeout``; never called
    again), returns the wrong number of labels or labels outside the classes
    is recorded (``oracle_error``) and warned about once; every row it did
    not answer stays unlabelled. The generator is not refitted: acquired
    rows train the model but do not anchor synthetic rows."""

    name = "acquisition"

    def __init__(self, acquisition):
        self.acquisition = acquisition

    def run(self, loop, state, rnd):
        acq = state.acquisition
        budget = self.acquisition.budget(rnd.t - 1)
        fields = dict(acquisition_budget=budget, n_asked=0, n_acquired=0,
                      **{f"n_acquired_{_label_name(c)}": 0 for c in state.classes},
                      n_unanswered=0, n_unlabelled_left=acq.n_left, oracle_attempts=0,
                      oracle_error=None, val_score_acquired=np.nan)
        seed = state.rng.randint(MAX_SEED)
        n_ask = min(budget, acq.n_left)
        if n_ask == 0 or acq.stopped:
            return fields
        strategy = loop.query_strategy(self.acquisition)
        t0 = time.perf_counter()
        ranker, report = self.ranking_model(loop, state, rnd, strategy)
        if report:
            fields.update(report, seconds_query_model=time.perf_counter() - t0)
        ranked = strategy.rank(ranker, acq.X, n_ask, exclude=~acq.remaining,
                               random_state=seed, labelled=state.X_tr, n_jobs=loop.n_jobs)
        for k in ("lam", "bandwidth", "n_candidates", "n_reference"):
            if k in ranked.report:
                fields[f"query_{k}"] = ranked.report[k]
        asked = ranked.positions
        fields["n_asked"] = len(asked)
        answer, attempts, error = self.ask(loop, acq, asked)
        fields["oracle_attempts"] = attempts
        codes, answered, error = self.read_answer(loop, state, answer, len(asked), error)
        if error is not None:
            fields["oracle_error"] = error
            loop.warn_once(
                "oracle_failed",
                f"The oracle failed in round {rnd.t} ({error}); the rows it did not "
                "answer stay unlabelled. See history_['oracle_error'].",
                OracleFailedWarning)
        got = np.flatnonzero(answered)
        fields["n_unanswered"] = len(asked) - len(got)
        if len(got) == 0:
            return fields
        self.add_rows(loop, state, acq, asked[got], codes[got], rnd)
        fields.update(n_acquired=len(got), n_unlabelled_left=acq.n_left,
                      val_score_acquired=state.current)
        fields.update(loop.acquired_fields(state, codes[got]))
        return fields

    def ranking_model(self, loop, state, rnd, strategy):
        """The model that ranks the unlabelled rows, and its history fields.

        The current model, unless the acquisition has a proxy
        (``query_estimator``: a clone fitted on the round's training rows, the
        labelled ones plus the accepted synthetic rows, with the current
        model's weights) or the strategy a committee scorer (its members
        fitted on the same rows: clones of the proxy, else of the task
        model)."""
        proxy = self.acquisition.query_estimator
        scorer = strategy._uncertainty_scorer()
        committee = scorer is not None and scorer.requires == "committee"
        if proxy is None and not committee:
            return state.model, {}
        pool = state.pool
        X_fit = concat_rows([state.X_tr] + pool.X)
        y_fit = np.concatenate([state.y_tr, pool.y]).astype(loop.target_dtype)
        w = loop.weights(state.n_tr, len(pool), rnd.t - 1, state.w_tr, state.u_tr, pool.u,
                         loop.mixing_signals(state, pool))
        seed = state.rng.randint(MAX_SEED)
        report, model = {}, state.model
        if proxy is not None:
            model = loop.fit_proxy(proxy, X_fit, y_fit, w, seed)
            report["query_model"] = type(proxy).__name__
        if committee:
            template = loop.estimator if proxy is None else proxy
            members, _ = scorer.fit_committee(
                template, X_fit, y_fit, w,
                fit_params=loop.fit_params if proxy is None else None,
                random_state=seed,
                n_jobs=task_workers(loop.n_jobs, template, getattr(scorer, "n_members", 1)))
            model = loop.committee_model(members, state, model)
            report["query_committee_size"] = len(members)
        return model, report

    @staticmethod
    def ask(loop, acq, asked):
        """The oracle's answer for the rows ``asked`` (positions in ``acq.X``):
        (answer or None, attempts, error or None). Only calls that raise are
        retried; a malformed answer is not (the oracle would be asked the same
        rows again for nothing)."""
        oracle = loop.oracle
        rows, indices = take_rows(acq.X, asked), acq.idx[asked]
        if loop.oracle_takes_indices:
            call = lambda: oracle(rows, indices=indices)  # noqa: E731
        else:
            call = lambda: oracle(rows)  # noqa: E731
        errors = []
        for attempt in range(ORACLE_RETRIES + 1):
            try:
                return call_with_timeout(call, loop.generator_timeout, "the oracle"), \
                    attempt + 1, None
            except GeneratorTimeoutError as exc:  # it may still run: never call it again
                acq.stopped = True
                return None, attempt + 1, f"TimeoutError: {exc}"
            except Exception as exc:  # the oracle is user code: any failure is contained
                errors.append(f"{type(exc).__name__}: {exc}")
        return None, len(errors), errors[-1]

    @staticmethod
    def read_answer(loop, state, answer, n_asked, error):
        """Encoded targets of the asked rows, which of them were answered, and
        the error (None if the answer was usable as a whole)."""
        if error is None:
            labels, error = answer_labels(answer, n_asked)
        if error is not None:
            return (np.zeros(n_asked, dtype=loop.target_dtype), np.zeros(n_asked, bool),
                    error)
        return loop.encode_answer(state, labels)

    @staticmethod
    def add_rows(loop, state, acq, asked, codes, rnd):
        """The answered rows join the training rows; the current model is
        refitted on them and the accepted synthetic rows, and rescored."""
        acq.remaining[asked] = False
        fit_pos = acq.idx[asked]
        acq.positions.extend(fit_pos.tolist())
        acq.codes.extend(codes.tolist())
        n_before = state.n_tr
        state.X_tr = concat_rows([state.X_tr, take_rows(acq.X, asked)])
        state.y_tr = np.concatenate([state.y_tr, codes]).astype(loop.target_dtype)
        state.y_tr_orig = np.concatenate([state.y_tr_orig, loop.decode(state, codes)])
        state.train_idx = np.concatenate([state.train_idx, fit_pos])
        if state.w_tr is not None:
            state.w_tr = np.concatenate([state.w_tr, acq.w[asked]])
        if state.u_tr is not None and len(state.u_tr) == n_before:
            # until the next uncertainty stage scores them: the mean of the others
            state.u_tr = np.concatenate([state.u_tr, np.full(len(codes),
                                                             np.mean(state.u_tr))])
        # per-fit caches of the training rows are stale now
        state.Z_tr = state.d_tr = None
        state.signals_cache = {}
        pool = state.pool
        w = loop.weights(state.n_tr, len(pool), rnd.t - 1, state.w_tr, state.u_tr, pool.u,
                         loop.mixing_signals(state, pool))
        state.model = loop.fit(concat_rows([state.X_tr] + pool.X),
                               np.concatenate([state.y_tr, pool.y]).astype(loop.target_dtype),
                               w,
                               state.rng.randint(MAX_SEED))
        # the labelled set changed: the scores before are of another problem
        state.best = state.current = loop.guard.score(state.model)
        rnd.n_acquired = len(codes)


def answer_labels(answer, n_asked):
    """An oracle's answer as a 1-D array of ``n_asked`` labels, or the reason it
    is not one: (labels or None, error or None)."""
    try:
        labels = np.asarray(answer, dtype=object if isinstance(answer, list) else None)
    except Exception as exc:  # an object numpy cannot read as labels
        return None, f"returned {type(answer).__name__}, not labels ({exc})"
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1 or len(labels) != n_asked:
        what = (f"{len(labels)} labels" if labels.ndim == 1 else
                f"an answer of shape {labels.shape}")
        return None, f"returned {what} for {n_asked} rows"
    return labels, None


def _label_kind(value):
    """"string", "number" or None (neither, or not finite): labels of one fit
    are of one kind."""
    if isinstance(value, (str, np.str_)):
        return "string"
    if isinstance(value, (bool, np.bool_)):
        return "number"
    if isinstance(value, (numbers.Number, np.number)):
        try:
            return "number" if np.isfinite(float(value)) else None
        except (TypeError, ValueError):
            return None
    return None


def _label_name(label):
    """A class as it appears in a history column name (``1.0`` as ``1``)."""
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)


class UncertaintyStage(Stage):
    """Score the training rows (out-of-fold by default) and the validation rows."""

    name = "uncertainty"

    def run(self, loop, state, rnd):
        cached = state.uncertainty_of
        if loop.selector is not None and cached is not None and cached[0] is state.model:
            # the bandit kept the model: its uncertainty has not changed
            rnd.u_tr, rnd.proba_tr, state.u_val = cached[1:]
        else:
            rnd.u_tr, rnd.proba_tr, state.u_val = loop.score_uncertainty(state, rnd.t)
            if loop.selector is not None:
                state.uncertainty_of = (state.model, rnd.u_tr, rnd.proba_tr, state.u_val)
        state.u_tr = u_tr = rnd.u_tr
        u_val = state.u_val
        fields = dict(
            mean_uncertainty_train=float(np.mean(u_tr)),
            max_uncertainty_train=float(np.max(u_tr)),
            mean_uncertainty_val=float(np.mean(u_val)) if len(u_val) else np.nan,
            max_uncertainty_val=float(np.max(u_val)) if len(u_val) else np.nan,
        )
        if fields["mean_uncertainty_train"] < loop.tol and not state.top_up:
            rnd.end("converged")
            if rnd.t == 1 and loop.quota is None:
                warnings.warn(
                    f"Mean uncertainty on the training rows "
                    f"({fields['mean_uncertainty_train']:.3g}) is below tol={loop.tol} "
                    "before any synthesis, so none was done. Estimators with hard 0/1 "
                    "probabilities (a fully grown tree, 1-NN) look certain everywhere; "
                    "use uncertainty='ensemble_variance' or lower tol.", UserWarning)
        return fields


class TargetingStage(Stage):
    """Anchors, regions and class counts for this round's budget."""

    name = "targeting"

    def run(self, loop, state, rnd):
        targeting = loop.targeting if rnd.targeting is None else rnd.targeting
        # the real training rows do not move between rounds (until an oracle adds
        # some): encode them and measure their neighbour distances once
        if targeting.needs_encoding and state.Z_tr is None:
            state.Z_tr = state.schema.encode(state.X_tr)
            if targeting.needs_neighbour_distance:
                state.d_tr = kth_neighbour_distance(state.Z_tr, state.rng)
        X_a, y_a, y_enc_a, u_a, proba_a, Z_a, d_a = (
            state.X_tr, state.y_tr_orig, state.y_tr, rnd.u_tr, rnd.proba_tr, state.Z_tr,
            state.d_tr)
        if state.n_gen is not None and state.n_gen < state.n_tr:
            # acquired rows follow the rows the generator was fitted on; it was not
            # refitted, so anchors come from its rows only
            n = state.n_gen
            X_a = take_rows(state.X_tr, np.arange(n))
            y_a, y_enc_a, u_a = y_a[:n], y_enc_a[:n], u_a[:n]
            proba_a, Z_a, d_a = (None if v is None else v[:n] for v in (proba_a, Z_a, d_a))
        budget = int(np.ceil(state.budget * rnd.oversample))
        if loop.quota is not None:  # the sampler: how many rows of each class this round
            share = {c: int(np.ceil(n * rnd.oversample))
                     for c, n in loop.round_quota(state, rnd.t).items()}
            budget = sum(share.values())
            if budget == 0:
                rnd.end("empty_budget")
                return {}
            targeting = clone(targeting).set_params(class_allocation=share)
        rnd.targets = targeting.build(
            X=X_a, y=y_a, y_encoded=y_enc_a, classes=state.classes,
            scores=u_a, budget=budget, rng=state.rng, X_encoded=Z_a,
            proba=proba_a, schema=state.schema, neighbour_distance=d_a,
            uncertainty_fn=loop.uncertainty_fn(state.model),
        )
        rnd.proba_tr = None
        return dict(getattr(rnd.targets, "report", None) or {},
                    n_anchors=len(rnd.targets.anchor_indices),
                    n_regions=len(rnd.targets.regions))


class GenerationStage(Stage):
    """Ask the generator for the targeted rows and check them against the schema.

    A call that raises, times out or returns something that cannot be rows of
    the training data is a failure; failures are retried a bounded number of
    times (once for a generator that retries internally), recorded and warned
    about once."""

    name = "generation"

    def run(self, loop, state, rnd):
        targets = rnd.targets
        if targets.n_samples == 0:
            rnd.end("empty_budget")
            return {}
        generator = state.generator if rnd.generator is None else rnd.generator
        seed = state.rng.randint(MAX_SEED)
        retries_itself = getattr(get_generator_tags(generator), "retries_internally", False)
        attempts = 1 if retries_itself else GENERATOR_RETRIES + 1
        fields, errors = {}, []
        for attempt in range(attempts):
            try:
                out = call_with_timeout(
                    lambda: generator.generate(
                        targets.n_samples, targets=targets,
                        random_state=(seed + attempt) % MAX_SEED),
                    loop.generator_timeout, f"{type(generator).__name__}.generate")
                batch = as_synthesized(out, targets=targets, generator=generator)
                rnd.batch, rnd.n_excess = conform_synthesized(
                    batch, schema=state.schema, n_requested=targets.n_samples,
                    n_train=state.n_tr)
                _add_report(fields, rnd.row, rnd.batch.report)
                return dict(fields, generator_attempts=attempt + 1)
            except GeneratorTimeoutError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                rnd.end("generator_timeout")
                break  # the call may still be running: never call it again this fit
            except Exception as exc:  # a generator is user code: any failure is contained
                errors.append(f"{type(exc).__name__}: {exc}")
                _add_report(fields, rnd.row, getattr(exc, "report", None))
        if rnd.status is None:
            rnd.end("generator_failed")
        loop.warn_once(
            "generator_failed",
            f"{type(generator).__name__}.generate failed in round {rnd.t} after "
            f"{len(errors)} attempt(s) ({errors[-1]}); the round was skipped and the "
            "model kept. See history_.", GeneratorFailedWarning)
        return dict(fields, generator_attempts=len(errors), error=errors[-1])


def _add_report(fields, row, report):
    """Merge a generator's figures into the round's fields; numbers of several
    attempts add up (every request counts), other values keep the last."""
    for k, v in (report or {}).items():
        if k in row:
            continue  # the loop's own fields win
        if isinstance(v, (int, float, np.integer, np.floating)) and \
                not isinstance(v, bool) and k in fields:
            fields[k] = fields[k] + v
        else:
            fields[k] = v


class FilterStage(Stage):
    """The schema check, then each filter (the teacher is one) in order."""

    name = "filtering"

    def run(self, loop, state, rnd):
        batch = rnd.batch
        y_new = np.asarray(batch.y)
        n = len(y_new)
        keep = loop.usable_rows(state, batch.X, y_new)
        fields = dict(n_generated=int(n + rnd.n_excess),
                      n_rejected_schema=int(np.sum(~keep) + rnd.n_excess))
        provenance = dict(batch.provenance)
        context = FilterContext(
            model=state.model, classes=state.classes, label_encoder=state.label_encoder,
            X_real=state.X_tr, y_real=state.y_tr_orig, schema=state.schema, round=rnd.t,
            random_state=state.rng.randint(MAX_SEED),
        )
        # the usable rows in the training dtypes, once: filters and the model see them
        typed_idx = np.flatnonzero(keep)
        X_typed = restore_dtypes(take_rows(batch.X, typed_idx), state.schema, state.X_tr)
        for name, filt in state.filters:
            idx = np.flatnonzero(keep)
            result = filt.filter(take_rows(X_typed, np.searchsorted(typed_idx, idx)),
                                 y_new[idx], context)
            if not isinstance(result, FilterResult):  # a duck-typed filter's plain mask
                result = FilterResult(np.asarray(result, dtype=bool))
            if result.mask.shape != idx.shape:
                raise ValueError(
                    f"Filter {name} returned a mask of shape {result.mask.shape} for "
                    f"{len(idx)} rows; it must return one boolean per row.")
            fields[f"n_rejected_{name}"] = int(np.sum(~result.mask))
            fields.update(result.report)
            if result.scores is not None and len(result.scores) == len(idx):
                col = np.full(n, np.nan)
                col[idx] = result.scores
                provenance[f"quality_{name}"] = col
            if result.y is not None:
                y_new = y_new.copy() if y_new.dtype == state.classes.dtype else \
                    y_new.astype(state.classes.dtype)
                y_new[idx] = result.y
            keep[idx[~result.mask]] = False
        kept = np.flatnonzero(keep)
        X_kept = X_typed if len(kept) == len(typed_idx) else \
            take_rows(X_typed, np.searchsorted(typed_idx, kept))
        rnd.batch = batch.__class__(X=X_kept, y=y_new[keep],
                                    anchor_positions=batch.anchor_positions[keep])
        rnd.provenance = {k: v[keep] for k, v in provenance.items()}
        rnd.y_new = (state.label_encoder.transform(y_new[keep]) if keep.any()
                     else np.empty(0, dtype=int))
        return fields


class QuotaStage(Stage):
    """The sampler's stage after filtering: keep at most the rows each class still
    owes (a teacher may relabel rows, a top-up asks for more than owed), the
    rows of the most uncertain anchors first."""

    name = "quota"

    def run(self, loop, state, rnd):
        y_new, n_kept = rnd.y_new, len(rnd.y_new)
        left = loop.quota_left(state)
        pos = rnd.batch.anchor_positions
        u = np.where(pos >= 0, rnd.u_tr[np.maximum(pos, 0)], -np.inf)
        keep = np.zeros(n_kept, dtype=bool)
        groups = loop.quota_groups(state, y_new)
        for c, n in left.items():
            rows = np.flatnonzero(groups == c)
            keep[rows[np.argsort(-u[rows], kind="stable")[:n]]] = True
        if not keep.all():
            idx = np.flatnonzero(keep)
            batch = rnd.batch
            rnd.batch = batch.__class__(X=take_rows(batch.X, idx), y=np.asarray(batch.y)[idx],
                                        anchor_positions=pos[idx])
            rnd.y_new = y_new[idx]
            rnd.provenance = {k: v[idx] for k, v in rnd.provenance.items()}
        return dict(n_filtered=n_kept, n_over_quota=int(n_kept - keep.sum()))


class CurriculumStage(Stage):
    """The complexity curriculum (seed 003 §2.3.3, ``curriculum=``): of the
    round's kept rows and the rows still waiting from earlier rounds, those
    with complexity c(x) <= c_t go on to the fit; the others wait.

    c(x) is the curriculum's measure (the current model's uncertainty of the
    row, or its k-NN hardness among the real rows); the threshold c_t rises
    from the ``c_min`` to the ``c_max`` quantile of the real training rows'
    complexity over ``n_rounds`` rounds. Waiting rows are kept per arm."""

    name = "curriculum"

    def run(self, loop, state, rnd):
        cur = loop.curriculum
        if state.waiting is None:
            state.waiting = {}
        waiting = state.waiting.pop(rnd.arm, None)
        if waiting is not None:  # rows of earlier rounds first, then this round's
            batch = rnd.batch
            keys = list(dict.fromkeys(list(waiting["provenance"]) + list(rnd.provenance)))
            n_w, n_b = len(waiting["y_new"]), len(rnd.y_new)
            rnd.provenance = {k: np.concatenate([
                waiting["provenance"].get(k, np.full(n_w, np.nan)),
                rnd.provenance.get(k, np.full(n_b, np.nan))]) for k in keys}
            rnd.batch = batch.__class__(
                X=concat_rows([waiting["X"], batch.X]),
                y=np.concatenate([waiting["y"], np.asarray(batch.y)]),
                anchor_positions=np.concatenate([waiting["pos"], batch.anchor_positions]))
            rnd.y_new = np.concatenate([waiting["y_new"], rnd.y_new]).astype(int)
        n = len(rnd.y_new)
        if n == 0:
            return dict(n_waiting=0, n_released=0)
        kw = {}
        if cur.complexity == "knn":
            if state.Z_tr is None:
                state.Z_tr = state.schema.encode(state.X_tr)
            kw = dict(Z_real=state.Z_tr, y_real=state.y_tr)
            c_real = cur.real_complexity(**kw)
            c_rows = cur.row_complexity(Z_synthetic=state.schema.encode(rnd.batch.X),
                                        y_synthetic=rnd.y_new, **kw)
        else:
            c_real = cur.real_complexity(uncertainty=rnd.u_tr)
            c_rows = cur.row_complexity(
                uncertainty=loop.uncertainty_fn(state.model)(rnd.batch.X))
        threshold = cur.threshold(rnd.t, c_real)
        ready = np.ones(n, bool) if state.top_up else np.asarray(
            cur.ready(rnd.t, c_rows, c_real), dtype=bool)
        rnd.provenance["complexity"] = np.asarray(c_rows, dtype=float)
        wait = np.flatnonzero(~ready)
        if len(wait):
            batch = rnd.batch
            state.waiting[rnd.arm] = dict(
                X=take_rows(batch.X, wait), y=np.asarray(batch.y)[wait],
                pos=batch.anchor_positions[wait], y_new=rnd.y_new[wait],
                provenance={k: v[wait] for k, v in rnd.provenance.items()})
            go = np.flatnonzero(ready)
            rnd.batch = batch.__class__(X=take_rows(batch.X, go),
                                        y=np.asarray(batch.y)[go],
                                        anchor_positions=batch.anchor_positions[go])
            rnd.y_new = rnd.y_new[go]
            rnd.provenance = {k: v[go] for k, v in rnd.provenance.items()}
        return dict(curriculum_threshold=float(threshold), n_waiting=int(len(wait)),
                    n_released=int(ready.sum()))


class FitStage(Stage):
    """Integrate the kept rows with the real ones and refit a candidate model."""

    name = "fit"

    def run(self, loop, state, rnd):
        y, w, seed = self.prepare(loop, state, rnd)
        rnd.cand_model = loop.fit(loop.real_and_synthetic(state, rnd.candidate.X), y, w,
                                  seed)
        return {}

    @staticmethod
    def prepare(loop, state, rnd):
        """The candidate pool (the accepted rows plus this round's) into
        ``rnd.candidate``; returns the rest of its fit's arguments: the
        encoded targets, the integration weights and the clone's seed (drawn
        here, so a deferred fit draws in the same order)."""
        pos = rnd.batch.anchor_positions
        u_new = np.where(pos >= 0, rnd.u_tr[np.maximum(pos, 0)], np.mean(rnd.u_tr))
        X_new = rnd.batch.X if state.rows is None else \
            state.rows.append(state.X_tr, state.pool.X, rnd.batch.X)
        rnd.candidate = state.pool.plus(X_new, rnd.y_new, u_new,
                                        loop.provenance_block(state, rnd))
        w = loop.weights(state.n_tr, len(rnd.candidate), rnd.t, state.w_tr, rnd.u_tr,
                         rnd.candidate.u, loop.mixing_signals(state, rnd.candidate))
        y = np.concatenate([state.y_tr, rnd.candidate.y]).astype(loop.target_dtype)
        return y, w, state.rng.randint(MAX_SEED)


class GuardStage(Stage):
    """Keep the candidate only if the validation score did not drop."""

    name = "scoring"

    def run(self, loop, state, rnd):
        rnd.score = loop.guard.score(rnd.cand_model)
        accepted = state.top_up or loop.guard.accepts(rnd.score, state.current)
        fields = dict(val_score=rnd.score, accepted=bool(accepted))
        if state.top_up:
            rnd.row["status"] = "top_up"
        if accepted:
            state.pool = rnd.candidate
            state.model, state.current = rnd.cand_model, rnd.score
            fields["n_accepted"] = int(len(rnd.y_new))
        else:
            rnd.row["status"] = "rejected"
        fields["n_synthetic_total"] = int(len(state.pool))
        return fields


# ---------------------------------------------------------------- selection
@dataclass
class SelectionStats:
    """The selector's running statistics, one entry per arm."""

    arms: list
    sums: np.ndarray
    pulls: np.ndarray
    rounds_kept: np.ndarray
    rows_kept: np.ndarray

    @classmethod
    def new(cls, arms):
        k = len(arms)
        return cls(arms, np.zeros(k), np.zeros(k, dtype=int), np.zeros(k, dtype=int),
                   np.zeros(k, dtype=int))

    def frame(self, c):
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(self.pulls > 0, self.sums / np.maximum(self.pulls, 1), np.nan)
        return pd.DataFrame({
            "arm": [a.name for a in self.arms], "pulls": self.pulls.copy(),
            "mean_reward": mean, "ucb": ucb_values(self.sums, self.pulls, c),
            "rounds_kept": self.rounds_kept.copy(), "rows_kept": self.rows_kept.copy()})


class SelectionStage(Stage):
    """The bandit's round (``selector=``): pull arms by UCB value, build each
    pulled arm's rows with the arm stages (targeting, generation, filtering...,
    fit), reward each by its normalised validation gain, and keep the best
    candidate only when its gain is clear (see :mod:`sklearn_activesynth.selection`).
    """

    name = "selection"

    def __init__(self, arm_stages):
        self.arm_stages = arm_stages

    def run(self, loop, state, rnd):
        selector, stats = loop.selector, state.selection
        chosen = selector.choose(stats.sums, stats.pulls, state.rng)
        fields, tried, timed_out, pulled = {}, [], False, []
        for i in chosen:
            arm = stats.arms[i]
            if timed_out and arm.synthesizes:
                continue  # a generator call may still be running: no more calls this fit
            sub = self.pull(loop, state, rnd, arm)
            timed_out = timed_out or (sub is not None and sub.status == "generator_timeout")
            pulled.append((i, sub))
        # the pulled arms' candidate models are independent fits: in parallel
        # (the estimator's n_jobs), each seeded where its arm drew the seed
        self.fit_candidates(loop, state, [sub for _, sub in pulled
                                          if sub is not None and sub.fit_args is not None])
        for i, sub in pulled:
            reward = 0.0
            if sub is not None and sub.cand_model is not None:
                sub.score = loop.guard.score(sub.cand_model)
                reward = normalised_gain(sub.score, state.current)
                tried.append((reward, i, sub))
            elif sub is not None and sub.row.get("error"):
                fields["error"] = sub.row["error"]
            for k, v in (sub.row.items() if sub is not None else ()):
                if k in ("round", "status") or k.startswith("seconds_"):
                    continue  # the selection stage's own time covers the arms' stages
                if (k.startswith("n_") or k == "generator_attempts") and \
                        isinstance(v, (int, np.integer, float, np.floating)):
                    fields[k] = fields.get(k, 0) + v  # counts add up over the arms
                else:
                    fields[k] = v  # other figures: the last arm's
            # without validation rows (one arm, guard off) every reward is 0
            stats.pulls[i] += 1
            stats.sums[i] += reward
        fields.update(self.decide(loop, state, rnd, tried))
        table = stats.frame(selector.c)
        for _, r in table.iterrows():
            fields[f"arm_{r['arm']}_pulls"] = int(r["pulls"])
            fields[f"arm_{r['arm']}_reward"] = float(r["mean_reward"])
            fields[f"arm_{r['arm']}_ucb"] = float(r["ucb"]) if np.isfinite(r["ucb"]) \
                else np.nan
        fields["arms_pulled"] = ",".join(stats.arms[i].name for i in chosen)
        if timed_out:
            rnd.end("generator_timeout")  # the fit stops after this round (see stop_reason)
        return fields

    def pull(self, loop, state, rnd, arm):
        """One arm's candidate: a sub-round through the arm stages (None for the
        no-synthesis arm)."""
        if not arm.synthesizes:
            return None
        sub = Round(rnd.t, dict(round=rnd.t), u_tr=rnd.u_tr, proba_tr=rnd.proba_tr,
                    targeting=loop.arm_targeting[arm.name],
                    generator=loop.arm_generator(state, arm), arm=arm.name,
                    oversample=1.0 if arm.band is None else 1.0 / (arm.band[1] - arm.band[0]))
        for stage in self.arm_stages:
            t0 = time.perf_counter()
            if isinstance(stage, FitStage):  # the last arm stage: fitted with the others'
                sub.fit_args = stage.prepare(loop, state, sub)
                break
            sub.row.update(stage.run(loop, state, sub))
            key = f"seconds_{stage.name}"
            sub.row[key] = sub.row.get(key, 0.0) + time.perf_counter() - t0
            if sub.status is not None:
                return sub
            if isinstance(stage, FilterStage):
                self.score_usability(loop, state, sub, arm)
        return sub

    @staticmethod
    def fit_candidates(loop, state, subs):
        """Fit the pulled arms' candidate models (``sub.cand_model``) as
        parallel tasks of the estimator's ``n_jobs``; the result does not
        depend on it."""
        if not subs:
            return
        n_jobs = task_workers(loop.n_jobs, loop.estimator, len(subs))
        per_worker = worker_thread_limit(n_jobs, loop.estimator, len(subs))
        # module-level task, the arrays as arguments (as the out-of-fold fits)
        results = parallel(n_jobs)(
            delayed(_fit_candidate)(loop.estimator, loop.fit_params, per_worker, seed,
                                    y, w, state.X_tr, *sub.candidate.X)
            for sub, (y, w, seed) in ((sub, sub.fit_args) for sub in subs))
        for sub, (model, resampled) in zip(subs, results):
            if resampled:
                loop.warn_once("resample", _resample_message(resampled))
            sub.cand_model, sub.fit_args = model, None

    @staticmethod
    def score_usability(loop, state, sub, arm):
        """Usability of the kept rows (into the provenance); a band arm keeps
        the rows inside its band."""
        n = len(sub.y_new)
        if n == 0 or state.schema is None or sp.issparse(state.X_tr):
            return
        if state.Z_tr is None:
            state.Z_tr = state.schema.encode(state.X_tr)
        Z_acc = (state.schema.encode(concat_rows(state.pool.X)) if len(state.pool)
                 else None)
        scores = usability_score(state.schema.encode(sub.batch.X), sub.y_new,
                                 state.Z_tr, state.y_tr, Z_accepted=Z_acc,
                                 random_state=state.rng.randint(MAX_SEED))
        for col in scores.columns:
            sub.provenance[col] = scores[col].to_numpy()
        if arm.band is None:
            return
        u = scores["usability"].to_numpy()
        lo, hi = np.quantile(u, arm.band[0]), np.quantile(u, arm.band[1])
        keep = (u >= lo) & (u <= hi)
        want = int(np.ceil(n * (arm.band[1] - arm.band[0])))
        if keep.sum() > want:  # ties at the edges: the most usable first
            keep[:] = False
            keep[np.argsort(-u, kind="stable")[:want] if arm.band[1] >= 1.0 else
                 np.argsort(u, kind="stable")[int(np.floor(n * arm.band[0])):][:want]] = True
        idx = np.flatnonzero(keep)
        batch = sub.batch
        sub.batch = batch.__class__(X=take_rows(batch.X, idx), y=np.asarray(batch.y)[idx],
                                    anchor_positions=batch.anchor_positions[idx])
        sub.y_new = sub.y_new[idx]
        sub.provenance = {k: v[idx] for k, v in sub.provenance.items()}
        sub.row["n_outside_band"] = int(n - len(idx))

    def decide(self, loop, state, rnd, tried):
        """Keep the best candidate if its gain is clear; the fields for history_."""
        stats = state.selection
        if not tried:
            rnd.row["status"] = "no_synthesis"
            return dict(arm_chosen="none", reward=0.0, accepted=False,
                        n_synthetic_total=int(len(state.pool)))
        reward, i, best = max(tried, key=lambda r: (r[0], -r[1]))
        arm = stats.arms[i]
        must_add = loop.quota is not None  # the sampler owes rows: the best arm adds them
        if must_add or not loop.guard.active:
            # no validation rows (a split that could not be made): one arm's rows are
            # kept as with the guard off; among several, none can be told apart
            clear, win = must_add or len(stats.arms) == 1, np.nan
        else:
            win = loop.guard.win_rate(best.cand_model, state.model, loop.selector.n_bootstrap,
                                      state.rng)
            clear = reward > loop.selector.min_gain and win >= loop.selector.confidence
        fields = {}
        if clear and not must_add and getattr(loop.selector, "keep_calibration", False):
            b_new, b_cur = loop.guard.brier(best.cand_model), loop.guard.brier(state.model)
            fields.update(val_brier=b_new, val_brier_current=b_cur)
            clear = not b_new > b_cur + 1e-12  # NaN (no probabilities): no check
        fields.update(arm_chosen=arm.name if clear else "none", reward=reward,
                      win_rate=win, val_score=best.score, accepted=bool(clear))
        if clear:
            state.pool = best.candidate
            state.model, state.current = best.cand_model, best.score
            stats.rounds_kept[i] += 1
            stats.rows_kept[i] += len(best.y_new)
            fields["n_accepted"] = int(len(best.y_new))
            rnd.row["status"] = "top_up" if state.top_up else "ok"
        else:
            rnd.row["status"] = "rejected"
        rnd.score = best.score if clear else state.current
        fields["n_synthetic_total"] = int(len(state.pool))
        return fields


# --------------------------------------------------------------------- loop
@dataclass
class LoopResult:
    """What a fit leaves on the estimator."""

    estimator: object
    generator: object
    filters: list
    synthetic_X: object
    synthetic_y: np.ndarray
    synthetic_provenance: pd.DataFrame
    history: pd.DataFrame
    n_iter: int
    termination: str
    validation_indices: np.ndarray
    scoring: object
    selection: object = None
    acquired_indices: np.ndarray = None   # with an oracle: positions in X, in order
    acquired_labels: np.ndarray = None
    query_estimator: object = None        # the proxy fitted on the final model's rows
    classes: np.ndarray = None            # the classes of the fit (after a cold start:
    #                                       those labelled when a second one appeared)


class FitLoop:
    """One fit of the loop for ``owner`` (an estimator; its parameters are read,
    never written).

    What depends on the kind of target (class labels here; a continuous target
    in :class:`~sklearn_activesynth._regressor.RegressionFitLoop`) goes through
    a few hooks: ``target_dtype`` (the dtype of the encoded targets),
    ``resolve_uncertainty`` / ``resolve_targeting`` (the parameters' strings),
    :meth:`make_guard`, :meth:`cv_folds`, :meth:`usable_rows` and :meth:`decode`.
    """

    #: dtype of the encoded targets the estimator is fitted on (class codes)
    target_dtype = int
    resolve_uncertainty = staticmethod(resolve_uncertainty)
    resolve_targeting = staticmethod(resolve_targeting)

    def __init__(self, owner, estimator, fit_params, *, final_refit, quota=None):
        self.owner = owner
        # the sampler: encoded class -> synthetic rows to add over the fit (None:
        # the classifier's budget of ``n_synthetic`` rows per round)
        self.quota = quota
        self.estimator = estimator  # resolved for this X by the estimator
        self.uncertainty = self.resolve_uncertainty(owner.uncertainty)
        self.targeting = self.resolve_targeting(owner.targeting)
        self.integration = resolve_integration(owner.integration)
        self.fit_params = fit_params
        self.final_refit = final_refit
        self.tol, self.patience = owner.tol, owner.patience
        self.max_iter, self.n_jobs = owner.max_iter, owner.n_jobs
        self.uncertainty_cv = owner.uncertainty_cv
        self.generator_timeout = owner.generator_timeout
        self.selector = resolve_selector(getattr(owner, "selector", None))
        self.curriculum = getattr(owner, "curriculum", None)
        # acquisition (the classifier only): who labels rows, what marks a row unlabelled
        self.oracle = getattr(owner, "oracle", None)
        self.missing_label = getattr(owner, "missing_label", np.nan)
        self.oracle_takes_indices = _takes_indices(self.oracle)
        self.acquisition = owner._get_acquisition() if self.oracle is not None else None
        gens = owner.generator
        if isinstance(gens, list):
            if not gens:
                raise ValueError("generator=[] holds no generator; pass one, a list of "
                                 "several with a selector, or None.")
            for i, g in enumerate(gens):
                if not (hasattr(g, "fit") and hasattr(g, "generate")):
                    raise TypeError(f"generator[{i}] ({type(g).__name__}) has no fit and "
                                    "generate methods; see sklearn_activesynth.generators.")
            if len(gens) > 1 and self.selector is None:
                raise ValueError(
                    f"generator is a list of {len(gens)} generators: a portfolio that a "
                    "selector chooses from. Set selector='ucb' (or an UCBSelector), or "
                    "pass one generator.")
        self.stages = owner._stages()
        if self.selector is not None:  # the bandit runs the arm stages once per pulled arm
            once = (AcquisitionStage, UncertaintyStage)  # once per round, before the arms
            head = [st for st in self.stages if isinstance(st, once)]
            arm_stages = [st for st in self.stages
                          if not isinstance(st, once + (GuardStage,))]
            self.stages = head + [SelectionStage(arm_stages)]
        self._warned = set()
        self.estimator, inplace = _copying_clone(self.estimator)
        if inplace:
            self.warn_once("inplace", (
                f"The estimator's {', '.join(inplace)}=False would let it write into the "
                "rows it is fitted on, which the loop reuses across out-of-fold fits and "
                "rounds (and which may be your X); the loop fits copies with "
                f"{', '.join(inplace)}=True instead. The results are what copy=True gives."))

    # -- helpers the stages share
    def warn_once(self, key, message, category=UserWarning):
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, category, stacklevel=3)

    def fit(self, X, y, weights, seed):
        """A clone of the estimator fitted with ``weights`` (one mechanism: fit_clone)."""
        return fit_clone(
            self.estimator, X, y, weights, fit_params=self.fit_params, random_state=seed,
            seed_unset=True, on_resample=lambda est: self.warn_once(
                "resample", _resample_message(type(est).__name__)))

    def fit_proxy(self, proxy, X, y, weights, seed):
        """A clone of the acquisition's ``query_estimator`` fitted on the rows the
        task model learns (its fit parameters are the task model's, not given)."""
        return fit_clone(
            proxy, X, y, weights, random_state=seed, seed_unset=True,
            on_resample=lambda est: self.warn_once(
                "resample_proxy", f"{type(est).__name__}.fit (the query_estimator) takes "
                "no sample_weight; the integration weights are applied by weighted "
                "resampling of its rows instead."))

    def real_and_synthetic(self, state, blocks):
        """The training rows followed by the synthetic ``blocks`` (a view of the
        row buffer where they are its rows)."""
        if state.rows is None:
            return concat_rows([state.X_tr] + list(blocks))
        return state.rows.matrix(state.X_tr, blocks)

    def weights(self, n_real, n_syn, round_, real_weight, u_real, u_syn, signals=None):
        """Integration weights times the user's real-row weights; None if all 1.

        ``signals`` (for a strategy with ``needs_signals``, dynamic mixing): the
        measured progress and real-synthetic consistency, see
        :meth:`mixing_signals`."""
        if n_syn == 0:
            return real_weight
        extra = {"signals": signals} if getattr(self.integration, "needs_signals",
                                                False) else {}
        w = self.integration.weights(
            n_real=n_real, n_synthetic=n_syn, round_=round_,
            real_uncertainty=u_real, synthetic_uncertainty=u_syn, **extra)
        if real_weight is not None:
            w = w.copy()
            w[:n_real] *= real_weight
        if real_weight is None and np.all(w == 1.0):
            return None
        return w

    def mixing_signals(self, state, pool):
        """Dynamic mixing's inputs for ``pool`` (None unless the integration
        asks): ``gain``, the normalised validation gain of the current model
        over the real-only model_0 (P_t), and ``consistency``, 1 - 2|AUC - 1/2|
        of a discriminator telling the real training rows from the pool's
        rows (C_t; 1 = indistinguishable). Cached per pool."""
        if not getattr(self.integration, "needs_signals", False) or len(pool) == 0:
            return None
        key = (len(pool), id(pool.X[-1]))
        if key not in state.signals_cache:
            from .integration import consistency_score

            consistency = 1.0
            if state.schema is not None and not sp.issparse(state.X_tr):
                if state.Z_tr is None:
                    state.Z_tr = state.schema.encode(state.X_tr)
                consistency = consistency_score(
                    state.Z_tr, state.schema.encode(concat_rows(pool.X)),
                    random_state=state.rng.randint(MAX_SEED))
            state.signals_cache = {key: dict(
                gain=normalised_gain(state.current, state.initial),
                consistency=float(consistency))}
        return state.signals_cache[key]

    def arm_generator(self, state, arm):
        """The fitted generator an arm uses (its name or position in the list)."""
        if arm.generator is None:
            return state.generator
        names = [n for n, _ in state.generators]
        if isinstance(arm.generator, str):
            if arm.generator not in names:
                raise ValueError(f"Arm {arm.name!r} names generator {arm.generator!r}; "
                                 f"the estimator's generators are {names}.")
            return state.generators[names.index(arm.generator)][1]
        if not 0 <= arm.generator < len(names):
            raise ValueError(f"Arm {arm.name!r} asks for generator {arm.generator}; the "
                             f"estimator has {len(names)}.")
        return state.generators[arm.generator][1]

    def quota_groups(self, state, y):
        """The quota's key of each encoded target (the sampler's: the class
        code itself; the regression sampler's: the target range)."""
        return y

    def quota_left(self, state):
        """The sampler: quota key (encoded class) -> rows still owed (accepted
        rows count)."""
        groups = self.quota_groups(state, state.pool.y)
        return {c: max(int(n) - int(np.sum(groups == c)), 0) for c, n in self.quota.items()}

    def round_quota(self, state, t):
        """The sampler: label -> rows to ask for in round ``t`` (see :meth:`round_ask`)."""
        return {state.classes[c]: n for c, n in self.round_ask(state, t).items()}

    def round_ask(self, state, t):
        """The sampler: quota key -> rows to ask for in round ``t``. Planned rounds
        split what is owed evenly over the rounds left; a top-up round asks for
        all of it, more by the share of rows the schema check and the filters
        have dropped so far (the quota stage cuts any surplus)."""
        left = self.quota_left(state)
        if state.top_up:
            made = sum(h.get("n_generated", 0) for h in state.history if h["round"] > 0)
            kept = sum(h.get("n_filtered", 0) for h in state.history if h["round"] > 0)
            rate = min(max(kept / made, 0.1), 1.0) if made else 1.0
            ask = {c: int(np.ceil(n / rate)) for c, n in left.items()}
        else:
            rounds_left = max(self.max_iter - t + 1, 1)
            ask = {c: -(-n // rounds_left) for c, n in left.items()}
        return ask

    def top_up(self, state, termination):
        """The sampler's last rounds: every class's owed rows, without the guard
        or early stops, until none are owed or a round adds none. A shortfall
        left after them is the sampler's to report."""
        state.top_up = True
        t = max(h["round"] for h in state.history) + 1
        for _ in range(TOP_UP_ROUNDS):
            owed = sum(self.quota_left(state).values())
            if owed == 0:
                break
            status = self.run_round(state, t).status
            t += 1
            if status == "generator_timeout":
                return "generator_failed"
            if sum(self.quota_left(state).values()) == owed:
                break
        return termination

    def uncertainty_fn(self, model):
        """The current model's uncertainty on new rows, for generators that
        choose among candidates (committee scorers fall back to entropy)."""
        scorer = self.uncertainty

        def fn(X):
            if scorer.requires == "proba":
                return np.asarray(scorer.from_proba(predict_proba_like(model, X)), float)
            if scorer.requires == "committee":
                if hasattr(model, "predict_proba") or hasattr(model, "decision_function"):
                    return SoftmaxUncertainty("entropy")(model, X)
                return np.zeros(X.shape[0])  # a voting-only model: no row is preferred
            return np.asarray(scorer(model, X), dtype=float)
        return fn

    def score_uncertainty(self, state, t):
        """Uncertainty of the training rows (out-of-fold by default) and of the
        validation rows in round ``t``: (u_train, proba_train or None, u_val).

        The training set is the real training rows followed by the pool's
        synthetic blocks (weighted as round ``t - 1`` weighed them); each
        fold's matrix is built straight from them so that the combined
        matrix never exists next to a fold's copy."""
        scorer, rng = self.uncertainty, state.rng
        n_classes, n_real = len(state.classes), state.n_tr
        pool = state.pool
        y_comb = np.concatenate([state.y_tr, pool.y]).astype(self.target_dtype)
        w_comb = self.weights(n_real, len(pool), t - 1, state.w_tr, state.u_tr, pool.u,
                              self.mixing_signals(state, pool))
        if scorer.requires == "committee":
            members, in_bag = scorer.fit_committee(
                self.estimator, self.real_and_synthetic(state, pool.X), y_comb, w_comb,
                fit_params=self.fit_params, random_state=rng.randint(MAX_SEED),
                n_jobs=task_workers(self.n_jobs, self.estimator,
                                    getattr(scorer, "n_members", 1)))
            if self.keeps_committee:  # the regressor's query ranks with them
                self.last_committee = members
            exclude = in_bag[:, :n_real] if self.uncertainty_cv is not None else None
            u, proba = scorer.score_committee(members, state.X_tr, n_classes, exclude)
            u_val = (scorer.score_committee(members, state.X_val, n_classes)[0]
                     if state.X_val.shape[0] else np.empty(0))
            return u, proba, u_val

        def score_fn(m, X):
            return _score_rows(scorer, m, X)

        u_val = score_fn(state.model, state.X_val)[0] if state.X_val.shape[0] \
            else np.empty(0)
        folds = (None if self.uncertainty_cv is None
                 else self.cv_folds(state, self.uncertainty_cv, rng))
        if folds is None:
            u, p = score_fn(state.model, state.X_tr)
            return u, p, u_val
        seeds = rng.randint(MAX_SEED, size=len(folds))
        # a fold's training rows are the other folds' rows (sorted, as the splitters
        # give them): keep the test rows only; the training index arrays of every
        # fold together take 4x (cv - 1) as much memory as the rows' positions
        folds = [(None if len(tr) + len(te) == n_real else tr, te) for tr, te in folds]

        # workers x BLAS/OpenMP threads stay within n_jobs, and a base estimator's own
        # n_jobs divides the workers (utils/_threads.py)
        per_worker = worker_thread_limit(self.n_jobs, self.estimator, len(folds))
        n_jobs = task_workers(self.n_jobs, self.estimator, len(folds))
        # the arrays are arguments of a module-level function, not captured by a
        # closure: joblib memory-maps large array arguments for process workers
        # (loky) and the Dask backend scatters them, once per call for all the
        # folds; a closure would carry the whole fit state to every task
        if state.rows is not None and n_workers(n_jobs) == 1 and \
                all(tr is None for tr, _ in folds) and \
                state.rows.end(state.X_tr, pool.X) == len(y_comb):
            # one fold after another here: each fold's matrix is the row buffer's
            # rows with the fold's test rows taken out in place (no fold copy)
            results = [_fit_and_score_fold(
                self.estimator, self.fit_params, scorer, per_worker, seeds[k], tr, te,
                n_real, y_comb, w_comb, state.X_tr, *pool.X, buffer=state.rows)
                for k, (tr, te) in enumerate(folds)]
        else:
            results = parallel(n_jobs)(
                delayed(_fit_and_score_fold)(
                    self.estimator, self.fit_params, scorer, per_worker, seeds[k], tr, te,
                    n_real, y_comb, w_comb, state.X_tr, *pool.X)
                for k, (tr, te) in enumerate(folds))
        u, proba = np.empty(n_real), None
        for te, (u_k, p_k), resampled in results:
            if resampled:
                self.warn_once("resample", _resample_message(resampled))
            u[te] = u_k
            if p_k is not None:
                if proba is None:
                    proba = np.zeros((n_real, p_k.shape[1]))
                proba[te] = p_k
        return u, proba, u_val

    def cv_folds(self, state, n_splits, rng):
        """Out-of-fold (train, test) splits of the real training rows for the
        uncertainty, or None to score them in-sample (warned once)."""
        n_splits = min(n_splits, int(np.bincount(state.y_tr,
                                                 minlength=len(state.classes)).min()))
        if n_splits < 2:
            self.warn_once("oof", "A class has fewer than 2 training rows, so "
                           "uncertainty is scored in-sample instead of out-of-fold.")
            return None
        seed = rng.randint(MAX_SEED)
        plan = state.fold_plan
        if plan is None or plan.y is not state.y_tr or plan.n_splits != n_splits:
            # the labels only change when an oracle adds rows (a new y_tr)
            plan = state.fold_plan = _StratifiedFolds(state.y_tr, n_splits)
        return plan.split(seed)

    def make_guard(self, state):
        """The validation guard on ``state``'s validation rows."""
        return ValidationGuard(self.owner.scoring, self.estimator, state.classes,
                               state.label_encoder, state.X_val, state.y_val_orig)

    def usable_rows(self, state, X, y):
        """The schema check of a generated batch: a boolean mask of usable rows."""
        return usable_rows(X, y, schema=state.schema, classes=state.classes,
                           real_has_nan=state.real_has_nan, bounds=state.bounds)

    def decode(self, state, codes):
        """Targets as the user gave them, from the encoded ones."""
        return state.classes[codes]

    def query_strategy(self, acquisition):
        """The query strategy object of an ``Acquisition`` (its ``strategy``)."""
        return acquisition.resolve_strategy()

    def encode_answer(self, state, labels):
        """An oracle's labels (a 1-D array, one per asked row) as encoded
        targets, the mask of the rows they answer (``missing_label`` answers
        none) and the error, None when every label is usable: a label that is
        not a class of the fit answers nothing."""
        codes = np.full(len(labels), -1, dtype=np.intp)
        missing = missing_label_mask(labels, self.missing_label)
        index = {c: i for i, c in enumerate(state.classes.tolist())}
        unknown = []
        for i in np.flatnonzero(~missing):
            try:
                codes[i] = index[labels[i].item() if hasattr(labels[i], "item")
                                 else labels[i]]
            except (KeyError, TypeError):
                unknown.append(labels[i])
        error = None
        if unknown:
            shown = sorted({repr(v) for v in unknown})[:5]
            error = (f"returned {len(unknown)} label(s) not among the classes "
                     f"{state.classes.tolist()}: {', '.join(shown)}")
        return codes, codes >= 0, error

    def acquired_fields(self, state, codes):
        """History fields of a round's acquired targets: the count per class."""
        counts = np.bincount(codes, minlength=len(state.classes))
        return {f"n_acquired_{_label_name(c)}": int(n) for c, n in zip(state.classes, counts)}

    def committee_model(self, members, state, model):
        """A committee fitted on the round's rows, seen as one model by the strategies."""
        from .acquisition import _Committee

        return _Committee(members, len(state.classes), model=model)

    #: whether :meth:`finish` fits a committee for ``query`` (the regressor's)
    fits_query_committee = False
    #: whether the uncertainty stage's last committee is kept (the regressor's
    #: ``committee_``), and its members
    keeps_committee = False
    last_committee = None

    def fit_query_committee(self, X, y, weights, state):
        """Fit and keep what ``query`` ranks with besides the final model (a
        regressor's committee); the classifier keeps nothing."""

    def provenance_block(self, state, rnd):
        targets, pos = rnd.targets, rnd.batch.anchor_positions
        region_of = dict(zip(targets.anchor_indices.tolist(),
                             targets.anchor_regions.tolist()))
        has = pos >= 0
        return pd.DataFrame({**{
            "round": np.full(len(pos), rnd.t, dtype=int),
            "region": np.array([region_of.get(p, -1) for p in pos], dtype=int),
            "anchor_index": np.where(has, state.train_idx[np.maximum(pos, 0)], -1),
            "generator": type(state.generator if rnd.generator is None
                              else rnd.generator).__name__,
            "anchor_uncertainty": np.where(has, rnd.u_tr[np.maximum(pos, 0)], np.nan),
            "label": rnd.batch.y,
        }, **({"arm": rnd.arm} if rnd.arm is not None else {}), **rnd.provenance})

    # -- the fit
    def run(self, X, y, y_enc, label_encoder, sample_weight, labelled=None,
            cold_start=None):
        """Prepare, run the rounds, refit; returns a :class:`LoopResult`.

        ``labelled`` (a boolean mask, or None: every row) marks the rows with
        a label; ``y_enc`` is -1 on the others. Unlabelled rows train nothing
        and validate nothing; with an oracle they are the pool it is asked
        about, otherwise they are dropped here. ``cold_start`` (a query
        strategy that needs no model, or None): the labelled rows hold a
        single class, so ``y_enc`` and ``label_encoder`` are None; rounds of
        :meth:`cold_start` come first."""
        cold = None
        if cold_start is not None:
            cold = self.cold_start(X, y, labelled, sample_weight, cold_start)
            y, y_enc, label_encoder = cold.y, cold.y_enc, cold.label_encoder
        state = self.prepare(X, y, y_enc, label_encoder, sample_weight, labelled, cold=cold)
        for row in state.history:  # round 0, the real-only model (cold-start rounds)
            self.report(self.round_line(row))
        termination = state.termination
        first = 1 if cold is None else cold.t + 1
        rounds = range(first, self.max_iter + 1) if termination == "max_iter" else range(0)
        if self.quota is not None and not any(self.quota.values()):
            rounds, termination = range(0), "nothing_to_add"
        for t in rounds:
            rnd = self.run_round(state, t)
            termination = self.stop_reason(state, rnd) or termination
            # a finished round's targets, batch and candidate model are not needed
            # by the next round nor by the final refit
            del rnd
            if termination != "max_iter":
                break
        if self.quota is not None and termination not in ("generator_failed",
                                                          "nothing_to_add"):
            termination = self.top_up(state, termination)
        result = self.finish(X, y_enc, state, termination, sample_weight, labelled)
        refit = state.history[-1].get("seconds_final_refit") if state.history else None
        self.report(f"done after {result.n_iter} round(s) ({termination}): "
                    f"{len(result.synthetic_y)} synthetic rows kept"
                    + (f", final refit {refit:.1f} s" if refit is not None else ""))
        return result

    def report(self, line):
        """A progress line: printed to stdout with ``verbose >= 1`` (lines stay,
        as scikit-learn's estimators print them), logged at DEBUG level always."""
        logger.debug(line)
        if self.owner.verbose:
            print(f"[{type(self.owner).__name__}] {line}", flush=True)

    def round_line(self, row):
        """One round in one line: status, validation score, rows, seconds (and,
        with ``verbose >= 2``, the seconds of each stage)."""
        t, status = row["round"], row["status"]
        status = {"ok": "accepted", "initial": "real rows only"}.get(status, status)
        parts = [f"round {t}/{self.max_iter}: {status}"]
        score, scoring = row.get("val_score"), self.guard.scoring
        if score is not None and np.isfinite(score):
            name = scoring if isinstance(scoring, str) else getattr(
                scoring, "__name__", "score")
            parts.append(f"validation {name}={score:.4f}")
        if t > 0 and row.get("n_asked") is not None:
            parts.append(f"{row.get('n_acquired', 0)} of {row['n_asked']} labels acquired")
        if t > 0 and status != "cold_start":
            parts.append(f"{row.get('n_generated', 0)} generated, "
                         f"{row.get('n_accepted', 0)} accepted")
        if row.get("error"):
            parts.append(f"error: {str(row['error'])[:100]}")
        seconds = {k[len("seconds_"):]: v for k, v in row.items()
                   if k.startswith("seconds_") and v is not None and np.isfinite(v)}
        parts.append(f"{sum(seconds.values()):.1f} s")
        if self.owner.verbose >= 2 and seconds:
            parts[-1] += " (" + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()) + ")"
        return ", ".join(parts)

    def run_round(self, state, t):
        """One round: every stage in order, timed, its fields in one history row."""
        rnd = Round(t, dict(round=t, status="ok", accepted=False, generator_attempts=0,
                            error=None, n_generated=0, n_rejected_schema=0, n_accepted=0))
        for stage in self.stages:
            t0 = time.perf_counter()
            rnd.row.update(stage.run(self, state, rnd))
            rnd.row[f"seconds_{stage.name}"] = time.perf_counter() - t0
            if rnd.status is not None:
                break
        state.history.append(rnd.row)
        self.report(self.round_line(rnd.row))
        return rnd

    def stop_reason(self, state, rnd):
        """Why the loop stops after this round (None: go on)."""
        if rnd.status == "converged":
            return "converged"
        if rnd.status == "generator_timeout":
            return "generator_failed"
        if rnd.n_acquired:
            # new real labels: the loop goes on while the oracle answers (patience
            # counts rounds that add nothing)
            if rnd.status is None and self.guard.active and \
                    self.guard.improves(rnd.score, state.best):
                state.best = rnd.score
            state.no_improve = 0
            return None
        if rnd.status is None and self.guard.improves(rnd.score, state.best):
            if self.guard.active:
                state.best = max(state.best, rnd.score)
            state.no_improve = 0
            return None
        state.no_improve += 1
        return "no_improvement" if state.no_improve >= self.patience else None

    def cold_start(self, X, y, labelled, sample_weight, strategy):
        """Rounds of acquisition without a model, while the labelled rows hold a
        single class; returns a :class:`ColdStart` once a second class is
        labelled.

        Each round ranks the rows still unlabelled with ``strategy`` (one that
        needs no model: by default the density of the pool with a diversity
        penalty), on the representation of the estimator's preprocessing
        (a Pipeline's steps before the last, fitted on every row of ``X``
        without labels; else the standardised numeric encoding), and asks the
        oracle for ``budget(t - 1)`` of them, as :class:`AcquisitionStage`
        does. Any label of the kind of ``y``'s labels (a string, or a finite
        number; an integer for integer ``y``) is accepted: the classes are
        those seen when the second one appears. Raises
        :class:`~sklearn_activesynth.acquisition.ColdStartError` (with the
        labels acquired) when the rounds, the pool or the oracle run out
        first."""
        from .acquisition import ColdStartError

        rng = check_random_state(self.owner.random_state)
        given = y[labelled]
        kind = _label_kind(given[0].item() if hasattr(given[0], "item") else given[0])
        integer, strings = y.dtype.kind in "iu", y.dtype.kind in "US"
        y = y.astype(object) if strings else y.copy()   # room for longer strings
        have = labelled.copy()
        unl = np.flatnonzero(~labelled)
        acq = AcquisitionState(X=take_rows(X, unl), idx=unl,
                               remaining=np.ones(len(unl), dtype=bool),
                               w=None if sample_weight is None else sample_weight[unl])
        ranker = self.cold_representation(X)
        history = [dict(round=0, status="cold_start", accepted=False, val_score=np.nan,
                        n_unlabelled_left=acq.n_left, n_classes_labelled=1)]
        got_labels, t, reason = [], 0, None
        for t in range(1, self.max_iter + 1):
            t0 = time.perf_counter()
            budget = self.acquisition.budget(t - 1)
            n_ask = min(budget, acq.n_left)
            if acq.stopped:
                reason = "the oracle timed out and is not called again"
            elif n_ask == 0:
                reason = ("no unlabelled row is left" if acq.n_left == 0 else
                          f"the budget of round {t} is 0 rows")
            if reason is not None:
                t -= 1
                break
            row = dict(round=t, status="cold_start", accepted=False, val_score=np.nan,
                       acquisition_budget=budget, n_asked=0, n_acquired=0, n_unanswered=0,
                       n_unlabelled_left=acq.n_left, oracle_attempts=0, oracle_error=None)
            ranked = strategy.rank(ranker, acq.X, n_ask, exclude=~acq.remaining,
                                   random_state=rng.randint(MAX_SEED),
                                   labelled=take_rows(X, np.flatnonzero(have)),
                                   n_jobs=self.n_jobs)
            for k in ("lam", "bandwidth", "n_candidates", "n_reference"):
                if k in ranked.report:
                    row[f"query_{k}"] = ranked.report[k]
            asked = ranked.positions
            answer, attempts, error = AcquisitionStage.ask(self, acq, asked)
            ok = np.zeros(len(asked), dtype=bool)
            labels = None
            if error is None:
                labels, error = answer_labels(answer, len(asked))
            if labels is not None:
                missing = missing_label_mask(labels, self.missing_label)
                bad = []
                for i in np.flatnonzero(~missing):
                    v = labels[i].item() if hasattr(labels[i], "item") else labels[i]
                    if _label_kind(v) == kind and not (integer and not float(v).is_integer()):
                        labels[i], ok[i] = (int(v) if integer else v), True
                    else:
                        bad.append(labels[i])
                if bad:
                    shown = sorted({repr(v) for v in bad})[:5]
                    error = (f"returned {len(bad)} label(s) not of the kind of y's labels "
                             f"({kind}s{', integers' if integer else ''}): "
                             f"{', '.join(shown)}")
            if error is not None:
                row["oracle_error"] = error
                self.warn_once(
                    "oracle_failed",
                    f"The oracle failed in round {t} ({error}); the rows it did not "
                    "answer stay unlabelled. See history_['oracle_error'].",
                    OracleFailedWarning)
            got = np.flatnonzero(ok)
            acq.remaining[asked[got]] = False
            pos = acq.idx[asked[got]]
            acq.positions.extend(pos.tolist())
            for p_, i in zip(pos, got):
                y[p_] = labels[i]
            have[pos] = True
            n_classes = len(np.unique(y[have]))
            row.update(n_asked=len(asked), n_acquired=len(got),
                       n_unanswered=len(asked) - len(got), n_unlabelled_left=acq.n_left,
                       oracle_attempts=attempts, n_classes_labelled=n_classes,
                       seconds_acquisition=time.perf_counter() - t0)
            got_labels.append(y[pos])
            history.append(row)   # reported with model_0's row, after prepare
            if n_classes >= 2:
                break
        else:
            reason = f"max_iter={self.max_iter} rounds were run"
        if len(np.unique(y[have])) < 2:
            positions = np.asarray(acq.positions, dtype=np.intp)
            raise ColdStartError(
                f"Cold start: the labelled rows given to fit hold one class "
                f"({given[0]!r}), and {reason} before the oracle labelled a row of another "
                f"class ({len(positions)} rows labelled in {t} round(s), all "
                f"{given[0]!r}). No classifier can be fitted on one class. Raise max_iter "
                "or the acquisition's budget, or label a row of another class yourself. "
                "The rows the oracle labelled are in this error's acquired_indices and "
                "acquired_labels (positions in the X passed to fit).",
                acquired_indices=positions, acquired_labels=y[positions],
                history=pd.DataFrame(history, columns=history_columns(history)))
        if strings:  # back to a string dtype, as wide as the longest label
            y = np.array(y.tolist())
        label_encoder = LabelEncoder().fit(y[have])
        y_enc = np.full(len(y), -1, dtype=np.intp)
        y_enc[have] = label_encoder.transform(y[have])
        acq.codes = y_enc[acq.positions].tolist()
        for row, labels in zip(history[1:], got_labels):  # per class, as in later rounds
            for c in label_encoder.classes_:
                row[f"n_acquired_{_label_name(c)}"] = int(np.sum(labels == c))
        return ColdStart(acquisition=acq, y=y, y_enc=y_enc, label_encoder=label_encoder,
                         rng=rng, history=history, t=t)

    def cold_representation(self, X):
        """What a cold start ranks with: the estimator's preprocessing (a
        Pipeline's steps before the last, fitted on every row of ``X`` without
        labels) ending in ``"passthrough"``, or None (the standardised numeric
        encoding; also when the preprocessing needs labels)."""
        est = self.estimator
        if not (isinstance(est, Pipeline) and len(est.steps) > 1):
            return None
        try:
            pre = clone(est[:-1]).fit(X)
        except (TypeError, ValueError):  # a step that learns from labels
            return None
        return Pipeline(pre.steps + [("cold_start", "passthrough")])

    def prepare(self, X, y, y_enc, label_encoder, sample_weight, labelled=None, cold=None):
        """Split, fit the filters and the generator, fit and score model_0.

        After a cold start (``cold``, a :class:`ColdStart`): no validation
        rows (the labelled rows given to fit hold one class, and acquired rows
        never validate); the training rows are the given rows and the rows
        acquired so far; model_0's history row is the last cold-start round."""
        owner = self.owner
        rng = check_random_state(owner.random_state) if cold is None else cold.rng
        if cold is not None:
            train_idx = np.concatenate([np.flatnonzero(labelled),
                                        np.asarray(cold.acquisition.positions, dtype=np.intp)])
            val_idx = train_idx[:0]
            if owner.validation_fraction is not None:
                warnings.warn(
                    "Cold start: the labelled rows given to fit hold a single class, so no "
                    "validation rows can be drawn from them (rows the oracle labelled never "
                    "validate: they are a biased sample); every round's synthetic rows are "
                    "accepted without the validation guard (a selector, which rewards its "
                    "arms on validation rows, keeps none).", UserWarning)
        elif labelled is None:
            train_idx, val_idx = self.split(y_enc, rng)
        else:  # the split is drawn from the labelled rows only
            rows = np.flatnonzero(labelled)
            train_idx, val_idx = (rows[i] for i in self.split(y_enc[rows], rng))
        n_tr = len(train_idx)
        budget = owner.n_synthetic if self.quota is None else 0
        budget = int(round(budget * n_tr)) if isinstance(budget, float) else int(budget)
        buffer = self.row_buffer(X, train_idx, budget, cold)
        y = np.asarray(y)
        state = LoopState(
            X_tr=take_rows(X, train_idx) if buffer is None else buffer.X_tr,
            y_tr=y_enc[train_idx], y_tr_orig=y[train_idx],
            w_tr=None if sample_weight is None else sample_weight[train_idx],
            X_val=take_rows(X, val_idx), y_val_orig=y[val_idx],
            train_idx=train_idx, val_idx=val_idx, classes=label_encoder.classes_,
            label_encoder=label_encoder, rng=rng, budget=budget, rows=buffer,
        )
        self.guard = self.make_guard(state)
        state.n_gen = n_tr
        if cold is not None:
            state.acquisition = cold.acquisition
            state.history = cold.history
        elif self.oracle is not None:
            unl = (np.empty(0, dtype=np.intp) if labelled is None
                   else np.flatnonzero(~labelled))
            state.acquisition = AcquisitionState(
                X=take_rows(X, unl), idx=unl, remaining=np.ones(len(unl), dtype=bool),
                w=None if sample_weight is None else sample_weight[unl])
        X_real, y_real = X, y
        if labelled is not None:  # the filters learn labelled rows only
            rows = np.flatnonzero(labelled) if cold is None else np.sort(train_idx)
            X_real, y_real = take_rows(X, rows), y[rows]
        state.filters = self.fit_filters(owner.filters, X_real, y_real, state)
        # the generator's own randomness follows ours, so one seed fixes the fit;
        # a list is a portfolio (the selector's arms choose among them)
        gens = owner._get_generator()
        gens = list(gens) if isinstance(gens, (list, tuple)) else [gens]
        state.generators = [(name, _seeded_clone(g, rng))
                            for name, g in zip(generator_names(gens), gens)]
        state.generator = state.generators[0][1]
        if self.selector is not None:
            self.prepare_arms(state)
        if self.max_iter == 0:
            return state
        t0 = time.perf_counter()
        gen_error = self.fit_generators(state)
        gen_fit_seconds = time.perf_counter() - t0
        schema = getattr(state.generator, "schema_", None)
        state.schema = schema if isinstance(schema, TabularSchema) else TabularSchema(state.X_tr)
        num = (None if sp.issparse(state.X_tr)
               # float32 or integer rows: the checks need no float64 copy of them
               else state.X_tr if isinstance(state.X_tr, np.ndarray) and
               np.issubdtype(state.X_tr.dtype, np.number)
               else state.schema.numeric_values(state.X_tr))
        state.real_has_nan = (np.zeros(0, bool) if num is None
                              else ~np.isfinite(num).all(axis=0))
        state.bounds = plausible_bounds(np.zeros((0, 0)) if num is None else num)
        t0 = time.perf_counter()
        state.model = self.fit(state.X_tr, state.y_tr, state.w_tr, rng.randint(MAX_SEED))
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        state.best = state.current = state.initial = self.guard.score(state.model)
        initial = dict(
            round=0, status="initial", accepted=True, val_score=state.current,
            seconds_generator_fit=gen_fit_seconds, seconds_fit=fit_s,
            seconds_scoring=time.perf_counter() - t0, error=gen_error)
        if cold is not None:  # model_0 ends the round that brought the second class
            initial["round"] = cold.t
            state.history[-1].update(initial)
        else:
            state.history.append(initial)
        if state.acquisition is not None:  # the pool the oracle will be asked about
            state.history[-1]["n_unlabelled_left"] = state.acquisition.n_left
        if gen_error is not None:
            state.termination = "generator_failed"
            warnings.warn(
                f"The generator {type(state.generator).__name__} failed to fit "
                f"({gen_error}) after {GENERATOR_RETRIES + 1} attempts; the model is "
                "trained on the real rows only. See history_.", GeneratorFailedWarning)
        return state

    @staticmethod
    def synthetic_rows(state, pool):
        """The pool's rows in one matrix of their own (never a view of the row
        buffer, which would keep the training split alive)."""
        out = concat_rows(pool.X)
        if state.rows is not None and isinstance(out, np.ndarray) and \
                out.base is state.rows.data:
            out = out.copy()
        return out

    def row_buffer(self, X, train_idx, budget, cold):
        """A :class:`RowBuffer` of the training rows with room for the synthetic
        rows the fit can keep, or None where one does not apply: X is not a
        dense numeric array, no round runs, an oracle adds real rows, or a
        selector's arms build several candidates in one round."""
        if not (isinstance(X, np.ndarray) and X.ndim == 2 and
                np.issubdtype(X.dtype, np.number)) or self.max_iter == 0 or \
                self.oracle is not None or cold is not None or self.selector is not None:
            return None
        n_tr = len(train_idx)
        planned = (sum(self.quota.values()) if self.quota is not None
                   else budget * self.max_iter)
        # never more room than one round's matrix would have taken without the
        # buffer (a large budget over many rounds falls back to copies later)
        return RowBuffer(X, train_idx, max(min(planned, n_tr + budget), 0))

    def split(self, y_enc, rng):
        """Stratified training / validation positions (no validation: all train)."""
        owner = self.owner
        n = len(y_enc)
        idx = np.arange(n)
        if owner.validation_fraction is None or self.max_iter == 0:
            return idx, idx[:0]
        counts = np.bincount(y_enc)
        n_val = int(np.ceil(owner.validation_fraction * n))
        if counts.min() < 2 or n_val < len(counts) or n - n_val < len(counts):
            warnings.warn(
                f"Cannot split a stratified validation set of {owner.validation_fraction} "
                f"from {n} rows with class counts {counts.tolist()}; every round's "
                "synthetic rows are accepted without the validation guard.", UserWarning)
            return idx, idx[:0]
        seed = rng.randint(MAX_SEED)
        split = _stratified_split(y_enc, n_val, seed)
        tr, va = split if split is not None else train_test_split(
            idx, test_size=owner.validation_fraction, stratify=y_enc, random_state=seed)
        # stratification rounds a small class's share down to 0 rows on one side
        # (2 frauds, 20 %: none to validate on); every class has >= 2 rows here,
        # so one row of it can move across
        for c in range(len(counts)):
            if not np.any(y_enc[va] == c):
                pick = tr[y_enc[tr] == c][0]
                tr, va = tr[tr != pick], np.append(va, pick)
            elif not np.any(y_enc[tr] == c):
                pick = va[y_enc[va] == c][0]
                va, tr = va[va != pick], np.append(tr, pick)
        return np.sort(tr), np.sort(va)

    def fit_filters(self, filters, X, y, state):
        """Fitted clones of the filters, named for ``history_``: each learns every
        real row (a near-copy of a validation row is a copy too) or, if it says
        ``fit_on = "train"`` (the teacher), the training rows only."""
        fitted = []
        for i, filt in enumerate(filters or []):
            if not hasattr(filt, "filter"):
                raise TypeError(
                    f"filters[{i}] ({type(filt).__name__}) has no filter(X, y, context) "
                    "method; see sklearn_activesynth.filters.")
            filt = clone(filt, safe=False)
            if hasattr(filt, "get_params"):  # its discriminator, teacher... follow our seed
                seed_unset_random_states(filt, state.rng)
            if hasattr(filt, "fit") and self.max_iter > 0:
                if getattr(filt, "fit_on", "all") == "train":
                    filt.fit(state.X_tr, state.y_tr_orig)
                else:
                    filt.fit(X, y)
            names = [n for n, _ in fitted]
            name = type(filt).__name__
            fitted.append((name if name not in names else f"{name}_{i}", filt))
        return fitted

    def prepare_arms(self, state):
        """The selector's arms, their targeting objects and statistics."""
        names = [n for n, _ in state.generators]
        arms = self.selector.resolve_arms(sampler=self.quota is not None,
                                          generators=names if len(names) > 1 else None)
        if self.owner.validation_fraction is None and len(arms) > 1 and self.max_iter:
            raise ValueError(
                f"The selector has {len(arms)} arms and rewards them on validation rows, "
                "but validation_fraction=None holds none out; set validation_fraction "
                "(e.g. 0.2) or give the selector a single arm.")
        for arm in arms:  # names and positions are checked before any fitting
            if arm.synthesizes:
                self.arm_generator(state, arm)
                arm.generator = self._generator_name(state, arm)  # a name from now on
        self.arm_targeting = {a.name: resolve_targeting(a.targeting)
                              for a in arms if a.synthesizes}
        state.selection = SelectionStats.new(arms)

    def fit_generators(self, state):
        """Fit every generator of the portfolio; the error if none could be
        fitted, else None. With several, a generator that fails is dropped with
        its arms (warned about once)."""
        if len(state.generators) == 1:
            return self.fit_generator(state)
        fitted, errors = [], []
        for name, gen in state.generators:
            state.generator = gen
            error = self.fit_generator(state)
            (errors.append(f"{name}: {error}") if error else fitted.append((name, gen)))
        if not fitted:
            state.generator = state.generators[0][1]
            return "; ".join(errors)
        if errors:
            warnings.warn(
                f"{len(errors)} of the {len(state.generators)} generators failed to fit "
                f"({'; '.join(errors)}); their arms are dropped. See history_.",
                GeneratorFailedWarning)
            ok = {n for n, _ in fitted}
            stats = state.selection
            if stats is not None:
                keep = [i for i, a in enumerate(stats.arms) if not a.synthesizes or
                        self._generator_name(state, a) in ok]
                state.selection = SelectionStats(
                    [stats.arms[i] for i in keep], stats.sums[keep], stats.pulls[keep],
                    stats.rounds_kept[keep], stats.rows_kept[keep])
        state.generators = fitted
        state.generator = fitted[0][1]
        return None

    @staticmethod
    def _generator_name(state, arm):
        names = [n for n, _ in state.generators]
        if arm.generator is None:
            return names[0]
        return arm.generator if isinstance(arm.generator, str) else names[arm.generator]

    def fit_generator(self, state):
        """Fit the generator, retrying transient failures; the last error or None.

        The generator gets a read-only view (or a copy) of the training rows:
        one that writes into them cannot corrupt the loop's training split."""
        error = None
        X_gen = read_only(state.X_tr)
        fit = state.generator.fit
        for _ in range(GENERATOR_RETRIES + 1):
            try:
                call_with_timeout(lambda: fit(X_gen, state.y_tr_orig),
                                  self.generator_timeout,
                                  f"{type(state.generator).__name__}.fit")
                return None
            except (ValueError, TypeError, ImportError):
                raise  # data, settings or a missing extra: say so now
            except GeneratorTimeoutError as exc:  # it may still run: never call it again
                return f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # transient (I/O, service, numerical): retry
                error = f"{type(exc).__name__}: {exc}"
        return error

    def finish(self, X, y_enc, state, termination, sample_weight, labelled=None):
        """Final model on all real labelled rows (given and acquired) plus the
        accepted synthetic rows."""
        pool, history = state.pool, state.history
        n_iter = len([h for h in history if h["round"] > 0])
        estimator = state.model
        acq = state.acquisition
        proxy = None if acq is None else self.acquisition.query_estimator
        query_model = None
        rows = None  # every row of X
        # the generator and filters hold the training rows: returned only when kept
        keep = getattr(self.owner, "keep_generator", True)
        generator = None if not keep else (
            state.generator if len(state.generators) <= 1
            else [g for _, g in state.generators])
        filters = state.filters if keep else None
        if labelled is not None or (acq is not None and acq.positions):
            have = np.ones(len(y_enc), bool) if labelled is None else labelled.copy()
            if acq is not None and acq.positions:
                y_enc = y_enc.copy()
                y_enc[acq.positions] = acq.codes
                have[acq.positions] = True
            rows = np.flatnonzero(have)
        if self.final_refit or estimator is None:  # no round ran (max_iter=0): fit one
            t0 = time.perf_counter()
            u_all = None
            if self.integration.needs_uncertainty and len(pool):
                u_all = np.zeros(len(y_enc))
                u_all[state.train_idx] = state.u_tr
                u_all[state.val_idx] = state.u_val if len(state.val_idx) else 0.0
            signals = self.mixing_signals(state, pool)  # before the rows are dropped
            # the final matrix is the largest object: drop what the refit does not
            # need first (the training split, the guard's validation rows, and the
            # generator and filters unless they are kept)
            state.X_tr = state.X_val = self.guard.X_val = None
            if not keep:
                state.generator, state.generators, state.filters = None, [], []
            if state.rows is not None:
                # the synthetic rows (synthetic_X_) out of the row buffer, which
                # goes with the training split
                synthetic_X = concat_rows(pool.X) if pool.X else None
                if synthetic_X is not None and synthetic_X.base is state.rows.data:
                    synthetic_X = synthetic_X.copy()
                pool = state.pool = replace(
                    pool, X=[] if synthetic_X is None else [synthetic_X])
                state.rows = None
            X_fin, y_fin, w_fin = X, y_enc, sample_weight
            if rows is not None:
                X_fin, y_fin = take_rows(X, rows), y_enc[rows]
                w_fin = None if sample_weight is None else sample_weight[rows]
                u_all = None if u_all is None else u_all[rows]
            w = self.weights(len(y_fin), len(pool), n_iter, w_fin, u_all, pool.u, signals)
            X_all = concat_rows([X_fin] + pool.X)
            y_all = np.concatenate([y_fin, pool.y]).astype(self.target_dtype)
            estimator = self.fit(X_all, y_all, w, state.rng.randint(MAX_SEED))
            if history:
                history[-1]["seconds_final_refit"] = time.perf_counter() - t0
            if proxy is not None:  # the proxy learns what the final model learned
                query_model = self.fit_proxy(proxy, X_all, y_all, w,
                                             state.rng.randint(MAX_SEED))
            if self.fits_query_committee:
                self.fit_query_committee(X_all, y_all, w, state)
            del X_all
        elif proxy is not None or self.fits_query_committee:  # the last model's rows
            X_last = self.real_and_synthetic(state, pool.X)
            y_last = np.concatenate([state.y_tr, pool.y]).astype(self.target_dtype)
            w_last = self.weights(state.n_tr, len(pool), n_iter, state.w_tr, state.u_tr,
                                  pool.u, self.mixing_signals(state, pool))
            if proxy is not None:
                query_model = self.fit_proxy(proxy, X_last, y_last, w_last,
                                             state.rng.randint(MAX_SEED))
            if self.fits_query_committee:
                self.fit_query_committee(X_last, y_last, w_last, state)
        provenance = (pd.concat(pool.provenance, ignore_index=True) if len(pool.provenance)
                      else pd.DataFrame(
            {c: pd.Series(dtype=d) for c, d in PROVENANCE_COLUMNS.items()}))
        return LoopResult(
            estimator=estimator, filters=filters, generator=generator,
            synthetic_X=self.synthetic_rows(state, pool) if pool.X else
            take_rows(X, np.arange(0)),
            synthetic_y=self.decode(state, pool.y), synthetic_provenance=provenance,
            history=pd.DataFrame(history, columns=history_columns(history)),
            n_iter=n_iter, termination=termination, validation_indices=state.val_idx,
            scoring=self.guard.scoring,
            selection=None if state.selection is None else
            state.selection.frame(self.selector.c),
            acquired_indices=None if acq is None else np.asarray(acq.positions, dtype=np.intp),
            acquired_labels=None if acq is None else
            self.decode(state, np.asarray(acq.codes, dtype=self.target_dtype)),
            query_estimator=query_model, classes=state.classes)


DEFAULT_STAGES = (UncertaintyStage, TargetingStage, GenerationStage, FilterStage,
                  FitStage, GuardStage)

PROVENANCE_COLUMNS = {
    "round": "int64", "region": "int64", "anchor_index": "int64",
    "generator": "object", "anchor_uncertainty": "float64", "label": "object",
}

HISTORY_COLUMNS = [
    "round", "status", "accepted", "val_score",
    "mean_uncertainty_train", "max_uncertainty_train",
    "mean_uncertainty_val", "max_uncertainty_val",
    "n_anchors", "n_regions", "n_generated", "n_rejected_schema", "n_accepted",
    "n_synthetic_total", "generator_attempts", "error",
    "seconds_generator_fit", "seconds_uncertainty", "seconds_targeting",
    "seconds_generation", "seconds_filtering", "seconds_fit", "seconds_scoring",
    "seconds_final_refit",
]


def _resample_message(name):
    return (f"{name}.fit takes no sample_weight; the integration weights are applied "
            "by weighted resampling of the rows instead.")


def _score_rows(scorer, model, X):
    """(uncertainty, probabilities or None) of ``model`` on ``X``."""
    if scorer.requires == "proba":
        p = predict_proba_like(model, X)
        return np.asarray(scorer.from_proba(p), dtype=float), p
    return np.asarray(scorer(model, X), dtype=float), None


def _fit_and_score_fold(estimator, fit_params, scorer, thread_limit, seed, tr, te, n_real,
                        y_comb, w_comb, X_tr, *blocks, buffer=None):
    """One out-of-fold fit: a clone fitted on the training rows ``tr`` (None:
    every real row outside ``te``) and every synthetic block, scored on the
    rows ``te``; a parallel task of
    :meth:`FitLoop.score_uncertainty`.

    ``buffer`` (a :class:`RowBuffer` holding ``X_tr`` and the blocks, or None):
    the fold's matrix is taken out of it in place instead of copied.

    Returns ``(te, (u, proba), resampled)``: ``resampled`` names the estimator
    when its ``fit`` took no ``sample_weight`` (the caller warns once)."""
    resampled = []
    if tr is None:  # the rows outside the test fold
        outside = np.ones(n_real, dtype=bool)
        outside[te] = False
        tr = np.flatnonzero(outside)
        del outside
    rows = np.concatenate([tr, np.arange(n_real, len(y_comb))])
    y, w = y_comb[rows], None if w_comb is None else w_comb[rows]
    del rows
    if buffer is not None:
        with buffer.without(te, len(y_comb)) as (X, X_te), limit_threads(thread_limit):
            m = fit_clone(estimator, X, y, w,
                          fit_params=fit_params, random_state=seed, seed_unset=True,
                          on_resample=lambda est: resampled.append(type(est).__name__))
            scores = _score_rows(scorer, m, X_te)
            del m, X  # before the rows go back: nothing outlives the fold
        return te, scores, resampled[0] if resampled else None
    X = take_concat(X_tr, tr, list(blocks))
    del tr  # the fit is the peak of memory: only its own arrays stay
    with limit_threads(thread_limit):
        m = fit_clone(estimator, X, y, w,
                      fit_params=fit_params, random_state=seed, seed_unset=True,
                      on_resample=lambda est: resampled.append(type(est).__name__))
        del X
        scores = _score_rows(scorer, m, take_rows(X_tr, te))
    return te, scores, resampled[0] if resampled else None


def _stratified_split(y, n_test, seed):
    """``train_test_split(np.arange(len(y)), test_size=n_test, stratify=y,
    random_state=seed)``'s (train, test) positions for class codes ``y``
    (0..k-1, each at least twice), or None where this scikit-learn lacks the
    helper it uses.

    scikit-learn's StratifiedShuffleSplit (1.9) collects the positions in Python
    lists of numpy scalars and permutes those (~15 ms at 100,000 rows, most of
    the split); this is its algorithm on arrays: the same draws from the same
    generator, so the same positions in the same order (tested against
    ``train_test_split``). The loop has checked what the splitter would raise
    for (a class with fewer than 2 rows, fewer rows than classes on a side)."""
    try:
        from sklearn.utils.extmath import _approximate_mode
    except ImportError:  # pragma: no cover - a scikit-learn without the helper
        return None
    # y holds codes 0..k-1, each at least twice: np.unique's classes are
    # 0..k-1 and its inverse is y itself
    y = np.asarray(y)
    n_train = len(y) - n_test
    class_counts = np.bincount(y)
    class_indices = np.split(np.argsort(y, kind="stable"), np.cumsum(class_counts)[:-1])
    rng = np.random.RandomState(seed)
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(class_counts)):
        rows = class_indices[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.append(rows[:n_i[i]])
        test.append(rows[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


class _StratifiedFolds:
    """``StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y)``
    for fixed labels ``y`` and one seed per round: the same (train, test)
    positions, with what depends on the labels alone done once.

    scikit-learn's splitter re-validates and re-sorts the labels at every call
    (three quarters of its time, ~5 ms a round at 80,000 rows). This is its
    algorithm (scikit-learn 1.9): classes numbered by first appearance, each
    fold's share of each class from a round robin over the sorted labels, and
    per class in turn its block of fold numbers shuffled by the seed's
    generator. ``tests/test_loop.py`` checks the splits equal scikit-learn's.
    The loop only asks for ``n_splits`` no larger than the smallest class, so
    none of the splitter's errors or warnings apply."""

    def __init__(self, y, n_splits):
        self.y, self.n_splits = y, n_splits
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, class_perm = np.unique(first, return_inverse=True)
        y_encoded = class_perm[inverse]
        y_order = np.sort(y_encoded)
        self.allocation = np.asarray([
            np.bincount(y_order[i::n_splits], minlength=len(first))
            for i in range(n_splits)])
        self.rows_of = [np.flatnonzero(y_encoded == k) for k in range(len(first))]

    def split(self, seed):
        rng = np.random.RandomState(seed)
        test_folds = np.empty(len(self.y), dtype="i")
        for k, rows in enumerate(self.rows_of):
            folds_for_class = np.arange(self.n_splits).repeat(self.allocation[:, k])
            rng.shuffle(folds_for_class)
            test_folds[rows] = folds_for_class
        return [(np.flatnonzero(test_folds != i), np.flatnonzero(test_folds == i))
                for i in range(self.n_splits)]


def _fit_candidate(estimator, fit_params, thread_limit, seed, y, w, X_tr, *blocks):
    """One selector arm's candidate model: a clone fitted on the training rows
    and the candidate's synthetic blocks; a parallel task of
    :meth:`SelectionStage.fit_candidates`. Returns ``(model, resampled)``."""
    resampled = []
    with limit_threads(thread_limit):
        model = fit_clone(estimator, concat_rows([X_tr] + list(blocks)), y, w,
                          fit_params=fit_params, random_state=seed, seed_unset=True,
                          on_resample=lambda est: resampled.append(type(est).__name__))
    return model, resampled[0] if resampled else None


def _copying_clone(estimator):
    """``estimator``, or a clone of it with every nested ``copy``/``copy_X``
    parameter set to True where one is False; and the names of those set.

    An estimator that works in place (``StandardScaler(copy=False)``,
    ``LinearRegression(copy_X=False)``) would change the rows it is fitted on:
    the loop's training rows, reused by every out-of-fold fit, the generator
    and the next rounds (and the user's ``X`` in the final refit)."""
    if not hasattr(estimator, "get_params"):
        return estimator, []
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # an estimator whose get_params is not scikit-learn's
        return estimator, []
    keys = [k for k, v in params.items()
            if k.rsplit("__", 1)[-1] in ("copy", "copy_X") and v is False]
    if not keys:
        return estimator, []
    return clone(estimator).set_params(**dict.fromkeys(keys, True)), keys


def _takes_indices(oracle):
    """Whether an oracle takes the keyword ``indices`` (the rows' positions in X)."""
    if oracle is None:
        return False
    try:
        return "indices" in inspect.signature(oracle).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False


def generator_names(generators):
    """Names of a portfolio's generators: the class name, ``_2``, ``_3``... for repeats."""
    names, seen = [], {}
    for g in generators:
        base = type(g).__name__
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return names


def _seeded_clone(estimator, rng):
    """A clone whose unset random_state parameters are drawn from ``rng``."""
    est = clone(estimator)
    return seed_unset_random_states(est, rng) if hasattr(est, "get_params") else est


def read_only(X):
    """``X`` as the generator may see it: a read-only view of an array, a copy
    of anything whose buffers cannot be locked (DataFrames without pandas'
    copy-on-write, sparse matrices)."""
    if isinstance(X, np.ndarray):
        view = X.view()
        view.flags.writeable = False
        return view
    if isinstance(X, pd.DataFrame) and _copy_on_write():
        return X.copy(deep=False)
    return X.copy()


def _copy_on_write():
    """True when pandas copies a shared frame before writing (always from pandas 3)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.options.mode.copy_on_write is True


def history_columns(history):
    extra = [k for h in history for k in h if k not in HISTORY_COLUMNS]
    return HISTORY_COLUMNS + list(dict.fromkeys(extra))
