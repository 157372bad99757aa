"""Which synthetic rows to train on: arms, a UCB selector and a usability score (seed 004).

Each round the loop can split its candidate synthetic rows into **arms** (kinds
of synthetic data: a generator × a targeting × a usability band, plus an arm
that adds *no* rows) and let a **selector** decide which arms to try and which
arm's rows to keep. :class:`UCBSelector` is the seed's upper confidence bound::

    value_a = mean_reward_a + c * sqrt(ln T / n_a)

over the arms, where ``T`` is the number of pulls so far (plus one) and ``n_a``
the pulls of arm ``a`` (an arm never pulled comes first). The reward is a
*normalised gain* of the validation score over the current model (learning
progress, not the raw score)::

    reward = clip((s_arm - s_current) / max(1 - s_current, eps), -1, 1)

so an arm that hurts earns a negative reward and is pulled less, and the
no-synthesis arm (reward 0, nothing refitted) wins when nothing helps.

Validation on small data is noisy, and choosing the best of several arms on
one validation split is optimistic. Two things keep the selector honest:

- a candidate's rows are **kept** only when its gain is clear: the best arm of
  the round must beat the current model in at least ``confidence`` of
  ``n_bootstrap`` stratified bootstrap resamples of the validation rows (and
  by more than ``min_gain``), and (``keep_calibration``) must not raise the
  Brier score on those rows; otherwise the model stays as it was;
- the validation rows are never used to report a result: the estimator's
  final model is refitted on every real row, and the library's benchmark
  scores it on a test split the loop never saw (``benchmarks/SELECTION.md``),
  so the selection's optimism cannot reach a published figure.

The **usability score** (seed 004's DPS × FCS, for tabular rows) of a
synthetic row is ``realism × cohesion × diversity``, each in [0, 1]; see
:func:`usability_score`. It is stored per row in ``synthetic_provenance_`` and
forms the usability bands of band arms (``Arm(band=(0.5, 1.0))``: the upper
half of a batch by usability).
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .targeting import Targeting, resolve_targeting
from .utils._compat import Interval
from .utils._seeding import MAX_SEED

__all__ = [
    "Arm",
    "UCBSelector",
    "default_arms",
    "resolve_selector",
    "ucb_values",
    "normalised_gain",
    "usability_score",
    "SELECTORS",
]

SELECTORS = ("ucb",)
#: The reward's floor on the head-room ``1 - s_current``.
GAIN_EPS = 1e-3


class Arm(BaseEstimator):
    """One kind of synthetic rows the selector can train on.

    Parameters
    ----------
    name : str
        The arm's name in ``history_`` (columns ``arm_<name>_*``),
        ``selection_`` and ``synthetic_provenance_["arm"]``.
    targeting : str, Targeting or None, default="uncertain"
        Where the arm's rows are aimed (the ``targeting=`` values of the
        estimators). ``None`` makes the no-synthesis arm: it adds no rows.
    generator : int, str or None, default=None
        Which generator makes the rows when the estimator's ``generator`` is a
        list (a portfolio): its position, or its name (the class name, with
        ``_2``, ``_3``... for repeats). ``None``: the first (or only) one.
    band : tuple of (float, float) or None, default=None
        Keep only the rows whose usability lies between these quantile levels
        of the arm's batch, e.g. ``(0.5, 1.0)``: the more usable half. The arm
        asks the generator for ``1 / (hi - lo)`` times the round's budget, so
        that the band still holds a full budget.

    Examples
    --------
    >>> from sklearn_activesynth.selection import Arm
    >>> Arm("usable", targeting="uncertain", band=(0.5, 1.0)).synthesizes
    True
    >>> Arm("none", targeting=None).synthesizes
    False
    """

    _parameter_constraints = {
        "name": [str],
        "targeting": [str, Targeting, None],
        "generator": [Integral, str, None],
        "band": [tuple, None],
    }

    def __init__(self, name, targeting="uncertain", generator=None, band=None):
        self.name = name
        self.targeting = targeting
        self.generator = generator
        self.band = band

    @property
    def synthesizes(self):
        """False for the no-synthesis arm."""
        return self.targeting is not None

    def check(self):
        """Validate the parameters; returns self."""
        self._validate_params()
        if self.band is not None:
            lo, hi = self.band if len(self.band) == 2 else (np.nan, np.nan)
            if not (0.0 <= lo < hi <= 1.0):
                raise ValueError(
                    f"Arm {self.name!r}: band must be (lo, hi) quantile levels with "
                    f"0 <= lo < hi <= 1, got {self.band!r}.")
            if self.targeting is None:
                raise ValueError(f"Arm {self.name!r}: a band needs rows; targeting=None "
                                 "is the no-synthesis arm.")
        if self.targeting is not None:
            resolve_targeting(self.targeting)
        return self


def default_arms(*, sampler=False, generators=None):
    """The arms a selector uses when none are given.

    - ``"none"``: no synthetic rows (the sampler, which must add rows, has
      ``"untargeted"`` instead: random anchors);
    - ``"uncertain"``: rows aimed at the most uncertain real rows;
    - ``"random_matched"``: random anchors with the class mix the uncertain
      anchors would have (the control every targeting claim has to beat);
    - ``"balance"``: random anchors, rows given to the classes below the
      majority in proportion to their deficit (SMOTE-like class balancing;
      not for the sampler, whose ``sampling_strategy`` sets the class mix);
    - ``"uncertain_usable"``: the targeted rows in the upper half by
      usability (:func:`usability_score`).

    With several generators (a list of names), each synthesising arm exists
    once per generator, named ``"<generator>:<arm>"``.

    Parameters
    ----------
    sampler : bool, default=False
    generators : list of str, default=None

    Returns
    -------
    arms : list of Arm

    Examples
    --------
    >>> from sklearn_activesynth.selection import default_arms
    >>> [a.name for a in default_arms()]
    ['none', 'uncertain', 'random_matched', 'balance', 'uncertain_usable']
    """
    kinds = [("uncertain", "uncertain", None),
             ("random_matched", "random_matched", None),
             ("balance", Targeting("random", class_allocation="minority"), None),
             ("uncertain_usable", "uncertain", (0.5, 1.0))]
    first = (Arm("untargeted", targeting="random") if sampler
             else Arm("none", targeting=None))
    arms = [first]
    names = list(generators or [None])
    if sampler:  # the sampling strategy sets the class mix: "balance" = "untargeted"
        kinds = [k for k in kinds if k[0] != "balance"]
    for gen in names:
        for name, targeting, band in kinds:
            full = name if len(names) == 1 else f"{gen}:{name}"
            arms.append(Arm(full, targeting=clone(targeting, safe=False), generator=gen,
                            band=band))
    if sampler and len(names) > 1:
        arms[0] = Arm("untargeted", targeting="random", generator=names[0])
    return arms


def ucb_values(sums, pulls, c):
    """UCB value of each arm: ``sums/pulls + c * sqrt(ln T / pulls)`` with
    ``T = pulls.sum() + 1``; an arm never pulled has value ``inf``.

    Parameters
    ----------
    sums : ndarray of shape (n_arms,)
        Each arm's total reward.
    pulls : ndarray of shape (n_arms,)
    c : float

    Returns
    -------
    values : ndarray of shape (n_arms,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.selection import ucb_values
    >>> ucb_values(np.array([0.2, -0.1, 0.0]), np.array([2, 1, 0]), c=2.0).round(3)
    array([1.765, 2.255,   inf])
    """
    sums, pulls = np.asarray(sums, dtype=float), np.asarray(pulls, dtype=float)
    total = pulls.sum() + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        values = sums / pulls + c * np.sqrt(np.log(total) / pulls)
    return np.where(pulls > 0, values, np.inf)


def normalised_gain(score, current, eps=GAIN_EPS):
    """Reward of a candidate scoring ``score`` against the current model's
    ``current``: ``clip((score - current) / max(1 - current, eps), -1, 1)``
    (0 when either is not finite).

    Examples
    --------
    >>> from sklearn_activesynth.selection import normalised_gain
    >>> round(normalised_gain(0.85, 0.80), 6)
    0.25
    """
    if not (np.isfinite(score) and np.isfinite(current)):
        return 0.0
    return float(np.clip((score - current) / max(1.0 - current, eps), -1.0, 1.0))


class UCBSelector(BaseEstimator):
    """The UCB bandit over arms of synthetic rows (seed 004): the ``selector=``
    parameter of the estimators (``selector="ucb"`` is this with its defaults).

    Each round it pulls the ``pulls_per_round`` arms with the highest UCB
    value (:func:`ucb_values`; arms never pulled first, in their order), fits
    a candidate model on the accepted rows plus each pulled arm's rows,
    rewards each arm by its :func:`normalised_gain` on the validation rows,
    and keeps the best candidate only if its gain is clear (see the module
    docstring). Pulls, rewards and UCB values are in ``history_`` (columns
    ``arm_<name>_pulls``, ``arm_<name>_reward``, ``arm_<name>_ucb``, and
    ``arm_chosen``, ``reward``), and a summary per arm in the fitted
    estimator's ``selection_``.

    Not to be confused with the SDV generators' ``selection`` parameter
    (which candidate rows an SDV generator returns).

    Parameters
    ----------
    arms : list of Arm or None, default=None
        ``None``: :func:`default_arms`. A user's arm is one more
        :class:`Arm` in the list. Names must be unique.
    c : float, default=2.0
        Exploration weight of the confidence term (the seed's code uses 2).
        Rewards lie in [-1, 1], so 2 explores an arm again after a few pulls
        unless its mean is clearly below the others'.
    pulls_per_round : int, default=2
        Arms tried each round (a batch bandit): with more arms than rounds, one
        pull a round cannot learn. Each synthesising pull costs one refit.
    confidence : float, default=0.8
        Share of bootstrap resamples of the validation rows in which the best
        candidate must beat the current model for its rows to be kept.
        0.5 is roughly "the point estimate improved"; higher keeps the
        no-synthesis default unless a gain is clear.
    n_bootstrap : int, default=100
        Stratified bootstrap resamples of the validation rows.
    min_gain : float, default=0.0
        Smallest normalised gain for which rows are kept.
    keep_calibration : bool, default=True
        Also require that the candidate's Brier score on the validation rows
        is not above the current model's (for models with
        ``predict_proba``): the default validation score (average precision)
        ranks rows and ignores calibration, which synthetic rows can spoil.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> from sklearn_activesynth.selection import UCBSelector
    >>> X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
    >>> clf = ActiveSynthesisClassifier(LogisticRegression(), selector=UCBSelector(),
    ...                                 random_state=0).fit(X, y)
    >>> list(clf.selection_.columns)
    ['arm', 'pulls', 'mean_reward', 'ucb', 'rounds_kept', 'rows_kept']
    """

    _parameter_constraints = {
        "arms": [list, None],
        "c": [Interval(Real, 0, None, closed="left")],
        "pulls_per_round": [Interval(Integral, 1, None, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="both")],
        "n_bootstrap": [Interval(Integral, 1, None, closed="left")],
        "min_gain": [Interval(Real, -1, 1, closed="both")],
        "keep_calibration": ["boolean"],
    }

    def __init__(self, arms=None, c=2.0, pulls_per_round=2, confidence=0.8,
                 n_bootstrap=100, min_gain=0.0, keep_calibration=True):
        self.arms = arms
        self.c = c
        self.pulls_per_round = pulls_per_round
        self.confidence = confidence
        self.n_bootstrap = n_bootstrap
        self.min_gain = min_gain
        self.keep_calibration = keep_calibration

    def resolve_arms(self, *, sampler=False, generators=None):
        """The arms, checked: a list of fresh :class:`Arm` clones.

        Parameters
        ----------
        sampler : bool, default=False
        generators : list of str, default=None
            Names of the estimator's generators.

        Returns
        -------
        arms : list of Arm
        """
        self._validate_params()
        arms = (default_arms(sampler=sampler, generators=generators) if self.arms is None
                else [clone(a) if isinstance(a, Arm) else a for a in self.arms])
        if not arms:
            raise ValueError("UCBSelector(arms=[]) has no arm; give at least one Arm.")
        names = []
        for i, arm in enumerate(arms):
            if not isinstance(arm, Arm):
                raise TypeError(f"arms[{i}] is a {type(arm).__name__}; use "
                                "sklearn_activesynth.selection.Arm.")
            arm.check()
            if arm.name in names:
                raise ValueError(f"Arm names must be unique; {arm.name!r} appears twice.")
            names.append(arm.name)
            if sampler and not arm.synthesizes:
                raise ValueError(
                    f"Arm {arm.name!r} adds no rows, but ActiveSynthesisSampler must add "
                    "the rows its sampling_strategy asks for; use an arm with a "
                    "targeting (the default arms have 'untargeted' instead).")
        return arms

    def choose(self, sums, pulls, rng):
        """Positions of the arms to pull this round, best UCB value first
        (ties broken at random by ``rng``)."""
        values = ucb_values(sums, pulls, self.c)
        k = min(self.pulls_per_round, len(values))
        # unpulled arms (inf) keep their declared order; others tie-break at random
        jitter = rng.uniform(0, 1e-9, size=len(values))
        order = np.lexsort((np.arange(len(values)) * np.isinf(values) + jitter,
                            -values))
        return [int(i) for i in order[:k]]


def resolve_selector(spec):
    """``None`` (no selection), ``"ucb"`` (:class:`UCBSelector()`) or a
    selector object (itself)."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in SELECTORS:
            raise ValueError(f"Unknown selector {spec!r}; use one of {SELECTORS}, an "
                             "UCBSelector or None.")
        return UCBSelector()
    if hasattr(spec, "choose") and hasattr(spec, "resolve_arms"):
        return spec
    raise TypeError(f"selector must be None, 'ucb' or an UCBSelector, got "
                    f"{type(spec).__name__}.")


# ----------------------------------------------------------------- usability
def usability_score(Z_synthetic, y_synthetic, Z_real, y_real, *, Z_accepted=None,
                    random_state=None, max_real=2000):
    """Usability of each synthetic row: ``realism × cohesion × diversity``.

    The tabular version of seed 004's DPS × FCS, on a fixed representation
    (the schema's encoding: standardised numbers, one-hot categories):

    - **realism** ``= min(1, 2 p)`` with ``p`` a discriminator's P(real) for
      the row: a logistic regression (balanced classes) telling the real rows
      from this batch, scored out-of-fold (2 folds). A row the discriminator
      cannot tell from real data has ``p ≈ 0.5`` and realism 1;
    - **cohesion** ``= d_other / (d_own + d_other)``: ``d_own`` is the distance
      to the nearest real row of the row's class, ``d_other`` to the nearest
      real row of another class; 1 deep inside its class, 0.5 on the boundary;
    - **diversity** ``= min(1, d_acc / m)``: ``d_acc`` is the distance to the
      nearest other row already there (the accepted synthetic rows and the rest
      of this batch), ``m`` the median nearest-neighbour distance among real
      rows; a near-duplicate scores 0.

    Parameters
    ----------
    Z_synthetic : ndarray of shape (n_syn, n_features)
    y_synthetic : ndarray of shape (n_syn,)
        Encoded labels.
    Z_real : ndarray of shape (n_real, n_features)
    y_real : ndarray of shape (n_real,)
    Z_accepted : ndarray of shape (n_acc, n_features), default=None
        Synthetic rows already accepted.
    random_state : int, RandomState or None, default=None
        Seeds the folds and the real-row subsample.
    max_real : int, default=2000
        Real rows used at most (a seeded subsample beyond).

    Returns
    -------
    scores : DataFrame with columns usability, realism, cohesion, diversity

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.selection import usability_score
    >>> rng = np.random.RandomState(0)
    >>> Z_real = rng.normal(size=(100, 2)); y_real = (Z_real[:, 0] > 0).astype(int)
    >>> Z_syn = np.array([[2.0, 0.0], [2.0, 0.0], [0.0, 0.0]]); y_syn = np.array([1, 1, 1])
    >>> s = usability_score(Z_syn, y_syn, Z_real, y_real, random_state=0)
    >>> bool(s["cohesion"][0] > s["cohesion"][2])  # deep in class 1 vs on the boundary
    True
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import NearestNeighbors
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    Z_syn = np.asarray(Z_synthetic, dtype=float)
    Z_real = np.asarray(Z_real, dtype=float)
    y_syn, y_real = np.asarray(y_synthetic), np.asarray(y_real)
    n = len(Z_syn)
    out = pd.DataFrame({"usability": np.ones(n), "realism": np.ones(n),
                        "cohesion": np.ones(n), "diversity": np.ones(n)})
    if n == 0 or len(Z_real) == 0:
        return out
    if len(Z_real) > max_real:
        keep = np.sort(rng.choice(len(Z_real), max_real, replace=False))
        Z_real, y_real = Z_real[keep], y_real[keep]
    # realism: out-of-fold P(real) of a balanced discriminator
    if n >= 2 and len(Z_real) >= 2:
        D = np.vstack([Z_real, Z_syn])
        t = np.r_[np.ones(len(Z_real), int), np.zeros(n, int)]
        cv = StratifiedKFold(2, shuffle=True, random_state=rng.randint(MAX_SEED))
        p = cross_val_predict(LogisticRegression(class_weight="balanced", max_iter=500),
                              D, t, cv=cv, method="predict_proba")[len(Z_real):, 1]
        out["realism"] = np.minimum(1.0, 2.0 * p)
    # cohesion: nearest real row of the own class against the nearest of the others
    d_own, d_other = np.full(n, np.inf), np.full(n, np.inf)
    for c in np.unique(np.r_[y_real, y_syn]):
        mine, real_c = y_syn == c, y_real == c
        if not mine.any():
            continue
        if real_c.any():
            d_own[mine] = NearestNeighbors(n_neighbors=1).fit(Z_real[real_c]).kneighbors(
                Z_syn[mine])[0][:, 0]
        if (~real_c).any():
            d_other[mine] = NearestNeighbors(n_neighbors=1).fit(
                Z_real[~real_c]).kneighbors(Z_syn[mine])[0][:, 0]
    with np.errstate(invalid="ignore"):
        coh = np.where(np.isinf(d_other), 1.0,
                       np.where(np.isinf(d_own), 0.0, d_other / (d_own + d_other)))
    out["cohesion"] = np.nan_to_num(coh, nan=0.5)
    # diversity: distance to the nearest other synthetic row, relative to real spacing
    if len(Z_real) >= 2:
        d_real = NearestNeighbors(n_neighbors=2).fit(Z_real).kneighbors(Z_real)[0][:, 1]
        scale = float(np.median(d_real))
        others = Z_syn if Z_accepted is None or len(Z_accepted) == 0 else \
            np.vstack([Z_syn, np.asarray(Z_accepted, dtype=float)])
        if len(others) >= 2 and scale > 0:
            d = NearestNeighbors(n_neighbors=2).fit(others).kneighbors(Z_syn)[0][:, 1]
            out["diversity"] = np.minimum(1.0, d / scale)
    out["usability"] = out["realism"] * out["cohesion"] * out["diversity"]
    return out
