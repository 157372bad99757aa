"""Targeting: which real rows anchor the synthesis, in which regions, how many rows each.

The loop scores every training row's uncertainty, then:

1. :func:`allocate_classes` splits the round's synthetic budget across classes;
2. :func:`select_anchors` picks anchor rows (most uncertain, random — the
   control every targeting claim has to beat —, out-of-fold errors, or
   uncertainty with a diversity penalty, seed 003 §2.2.1/§2.2.3);
3. :func:`find_regions` clusters the anchors into regions and describes each
   (feature ranges, category frequencies, the classes the model confuses there)
   so that generators that cannot use anchor rows (an LLM) can use words.

The result is a :class:`Targets` object handed to ``generator.generate``.
:class:`Targeting` groups the knobs of all three steps into one object, the
``targeting=`` parameter of the estimators (a string names its anchor
strategy).
"""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, MiniBatchKMeans

from .utils._compat import Interval, StrOptions
from .utils._seeding import MAX_SEED
from .utils.tabular import take_rows

__all__ = [
    "Targeting",
    "resolve_targeting",
    "Region",
    "Targets",
    "ANCHOR_STRATEGIES",
    "allocate_classes",
    "select_anchors",
    "find_regions",
    "build_targets",
    "kth_neighbour_distance",
    "RegressionTargeting",
    "resolve_regression_targeting",
    "boxplot_relevance",
    "target_ranges",
    "allocate_ranges",
    "REGRESSION_ANCHORS",
    "RANGE_ALLOCATIONS",
]

ANCHOR_STRATEGIES = ("uncertain", "random", "errors", "diverse", "uncertain_sparse",
                     "random_matched")


class Region:
    """A cluster of anchors and its human-readable description.

    ``description`` (a dict: anchor count, mean uncertainty, label mix,
    confusions, per-column quantiles or category frequencies) and ``text``
    (the same in one line) are computed on first access: only generators that
    use words need them.
    """

    def __init__(self, region_id, anchor_positions, description=None, text=None,
                 describe=None):
        self.region_id = region_id
        self.anchor_positions = anchor_positions
        self._description = description
        self._text = text
        self._describe = describe

    @property
    def description(self):
        if self._description is None:
            self._description = self._describe() if self._describe else {}
        return self._description

    @property
    def text(self):
        if self._text is None:
            self._text = _describe_text(self.region_id, self.description) \
                if self.description else ""
        return self._text

    def __repr__(self):
        return f"Region({self.region_id}, n_anchors={len(self.anchor_positions)})"


@dataclass
class Targets:
    """What the loop asks a generator for in one round.

    Attributes
    ----------
    anchor_indices : ndarray of int
        Positions of the anchors in the rows the generator was fitted on.
    anchors : DataFrame, ndarray or sparse
        The anchor rows themselves (the generator's training container).
    anchor_y : ndarray
        The anchors' labels (original label values).
    anchor_scores : ndarray of float
        Their uncertainty.
    anchor_counts : ndarray of int
        How many synthetic rows each anchor should seed.
    anchor_regions : ndarray of int
        Region id of each anchor.
    regions : list of Region
    class_counts : dict
        Label -> number of rows to produce (the sum of ``anchor_counts`` per label).
    uncertainty_fn : callable or None
        ``uncertainty_fn(X) -> scores``: the current model's uncertainty on
        candidate rows (same measure as the loop's), for generators that
        select among candidates (given to :func:`build_targets`).
    report : dict
        Figures of the targeting step that the loop copies into the round's
        ``history_`` row (e.g. the rows each target range got, see
        :class:`RegressionTargeting`).
    """

    anchor_indices: np.ndarray
    anchors: object
    anchor_y: np.ndarray
    anchor_scores: np.ndarray
    anchor_counts: np.ndarray
    anchor_regions: np.ndarray
    regions: list
    class_counts: dict
    uncertainty_fn: object = None
    report: dict = field(default_factory=dict)

    @property
    def n_samples(self):
        return int(np.sum(self.anchor_counts))


AUTO_ANCHORS_FRACTION, AUTO_ANCHORS_MAX = 0.1, 1000


def _as_count(n, total):
    if n == "auto":
        return max(1, min(int(round(AUTO_ANCHORS_FRACTION * total)), AUTO_ANCHORS_MAX))
    if isinstance(n, (float, np.floating)) and n <= 1.0:
        return max(1, int(round(n * total)))
    return int(n)


def allocate_classes(budget, y, *, anchor_labels=None, allocation="anchors", classes=None):
    """Split ``budget`` synthetic rows across classes.

    Parameters
    ----------
    budget : int
    y : ndarray
        Labels of the training rows (used by "proportional" and "balanced").
    anchor_labels : ndarray, optional
        Labels of the uncertain rows; "anchors" follows their mix, so the rare
        class gets the share the model's confusion gives it.
    allocation : {"anchors", "balanced", "proportional", "minority"} or dict
        A dict maps label -> fraction (normalised) or label -> count.
    classes : ndarray, optional
        All classes (default ``np.unique(y)``).

    Returns
    -------
    counts : dict label -> int, summing to ``budget``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.targeting import allocate_classes
    >>> allocate_classes(10, np.array([0] * 8 + [1] * 2), allocation="balanced")
    {0: 5, 1: 5}
    """
    classes = np.unique(y) if classes is None else np.asarray(classes)
    if isinstance(allocation, dict):
        unknown = set(allocation) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"class_allocation names classes {sorted(map(str, unknown))} that are "
                f"not in y; the classes are {classes.tolist()}."
            )
        w = np.array([float(allocation.get(c, 0.0)) for c in classes])
        if np.any(w < 0) or w.sum() <= 0:
            raise ValueError("class_allocation values must be >= 0 and not all zero.")
        if np.all(w == np.round(w)) and w.sum() > 1 and np.isclose(w.sum(), budget):
            return {c: int(v) for c, v in zip(classes.tolist(), w)}
    elif allocation == "anchors":
        src = y if anchor_labels is None or len(anchor_labels) == 0 else anchor_labels
        w = np.array([np.sum(src == c) for c in classes], dtype=float)
    elif allocation == "proportional":
        w = np.array([np.sum(y == c) for c in classes], dtype=float)
    elif allocation == "balanced":
        w = np.ones(len(classes))
    elif allocation == "minority":
        counts = np.array([np.sum(y == c) for c in classes], dtype=float)
        w = (counts.max() - counts)
        if w.sum() == 0:
            w = np.ones(len(classes))
    else:
        raise ValueError(f"Unknown class_allocation {allocation!r}.")
    w = w / w.sum()
    raw = w * budget
    counts = np.floor(raw).astype(int)
    # largest remainders get the leftover rows, so the sum is exact
    for i in np.argsort(-(raw - counts), kind="stable")[: budget - counts.sum()]:
        counts[i] += 1
    return {c: int(n) for c, n in zip(classes.tolist(), counts)}


def _top(scores, n, rng):
    """Indices of the ``n`` largest scores, largest first; ties broken at random
    (so equal scores, e.g. all zero, do not favour low indices)."""
    scores = np.asarray(scores, dtype=float)
    n = min(int(n), len(scores))
    if n <= 0:
        return np.empty(0, dtype=int)
    jitter = rng.random_sample(len(scores))
    if n < len(scores):
        # only rows tied with the n-th largest need the random tie-break
        kth = np.partition(scores, len(scores) - n)[len(scores) - n]
        cand = np.flatnonzero(scores >= kth)
    else:
        cand = np.arange(len(scores))
    order = np.lexsort((jitter[cand], -scores[cand]))
    return cand[order[:n]]


def select_anchors(strategy, n_anchors, *, scores, rng, candidates=None, proba=None,
                   y_encoded=None, X_encoded=None, diversity=0.5, density_weight=0.5,
                   neighbour_distance=None):
    """Pick ``n_anchors`` training rows.

    Parameters
    ----------
    strategy : {"uncertain", "random", "errors", "diverse"}
        - "uncertain": the highest uncertainty;
        - "random": uniformly at random (the control);
        - "errors": rows whose out-of-fold prediction is wrong, the most
          confidently wrong first, then the most uncertain;
        - "diverse": greedy selection of
          :math:`(1-\\delta)\\,u(x)/\\max u + \\delta \\min(1, d(x, S)/r)`, with
          ``d(x, S)`` the distance to the anchors ``S`` already chosen and ``r``
          the typical distance between rows: seed 003's uncertainty-plus-diversity
          score (§2.2.1) with its batch redundancy penalty (§2.2.3) read as
          k-center greedy, so anchors do not all fall in one clump.
    n_anchors : int
    scores : ndarray of shape (n_rows,)
        Uncertainty of every row.
    rng : RandomState
    candidates : ndarray of int, optional
        Restrict the choice to these row positions (e.g. one class).
    proba : ndarray of shape (n_rows, n_classes), optional
        Out-of-fold probabilities, needed by "errors".
    y_encoded : ndarray of int, optional
        Encoded labels, needed by "errors".
    X_encoded : ndarray, optional
        Numeric view of the rows, needed by "diverse".
    diversity : float, default=0.5
        Weight ``delta`` of the distance term for "diverse".
    density_weight : float, default=0.5
        Weight ``lambda`` of the sparseness term for "uncertain_sparse".
    neighbour_distance : ndarray of shape (n_rows,), optional
        :func:`kth_neighbour_distance` of the rows, for "uncertain_sparse"; computed
        from ``X_encoded`` when not given (the loop computes it once per fit:
        the real rows do not move between rounds).

    Returns
    -------
    indices : ndarray of int
    """
    candidates = np.arange(len(scores)) if candidates is None else np.asarray(candidates)
    n_anchors = min(int(n_anchors), len(candidates))
    if n_anchors <= 0:
        return np.empty(0, dtype=int)
    s = np.asarray(scores, dtype=float)[candidates]
    if strategy in ("random", "random_matched"):
        return np.sort(rng.choice(candidates, size=n_anchors, replace=False))
    if strategy == "uncertain":
        return candidates[_top(s, n_anchors, rng)]
    if strategy == "errors":
        if proba is None or y_encoded is None:
            raise ValueError("anchors='errors' needs out-of-fold probabilities.")
        p = proba[candidates]
        wrong = p.argmax(axis=1) != y_encoded[candidates]
        # confidence in the wrong answer; right rows ranked after all wrong ones
        wrong_conf = np.where(wrong, 1.0 + p.max(axis=1), s / (s.max() + 1e-12))
        return candidates[_top(wrong_conf, n_anchors, rng)]
    if strategy == "diverse":
        if X_encoded is None:
            raise ValueError("anchors='diverse' needs the encoded rows.")
        return candidates[_greedy_diverse(s, X_encoded[candidates] if not hasattr(
            X_encoded, "tocsr") else X_encoded[candidates].toarray(), n_anchors,
            diversity, rng)]
    if strategy == "uncertain_sparse":
        if neighbour_distance is None:
            if X_encoded is None:
                raise ValueError("anchors='uncertain_sparse' needs the encoded rows.")
            neighbour_distance = kth_neighbour_distance(X_encoded, rng)
        sparse = _sparseness(np.asarray(neighbour_distance)[candidates])
        u = s / (s.max() + 1e-12) if s.max() > 0 else s
        return candidates[_top((1 - density_weight) * u + density_weight * sparse,
                               n_anchors, rng)]
    raise ValueError(f"Unknown anchor strategy {strategy!r}; use one of {ANCHOR_STRATEGIES}.")


def kth_neighbour_distance(X_encoded, rng, k=5, max_reference=20000):
    """Distance of every row to its ``k``-th nearest training row (itself
    excluded), searched among at most ``max_reference`` rows.

    Parameters
    ----------
    X_encoded : ndarray or sparse matrix of shape (n_rows, n_features)
    rng : RandomState
        Draws the reference subsample when there are more rows than
        ``max_reference``.
    k : int, default=5
    max_reference : int, default=20000

    Returns
    -------
    distance : ndarray of shape (n_rows,)
    """
    from sklearn.neighbors import NearestNeighbors

    n = X_encoded.shape[0]
    ref = np.arange(n) if n <= max_reference else np.sort(
        rng.choice(n, size=max_reference, replace=False))
    k_eff = int(min(k, len(ref) - 1))
    if k_eff < 1:
        return np.zeros(n)
    nn = NearestNeighbors(n_neighbors=k_eff + 1).fit(X_encoded[ref])
    dist, _ = nn.kneighbors(X_encoded)
    # the first neighbour is the row itself when it is in the reference set
    return dist[:, k_eff]


def _sparseness(d):
    """``min(1, d / d_95)``: 0 in dense regions, 1 in the sparsest 5 %."""
    q = np.percentile(d, 95) if len(d) else 0.0
    return np.minimum(1.0, d / q) if q > 0 else np.zeros(len(d))


def _greedy_diverse(scores, Z, n, diversity, rng, max_pool=20000, max_steps=2000):
    """Greedy selection of ``(1 - diversity) * u / max(u) + diversity * min(1, d / r)``
    where ``d`` is the distance to the nearest anchor already chosen and ``r`` the
    typical distance between two rows (k-center greedy with an uncertainty prior)."""
    pool = _top(scores, min(len(scores), max(4 * n, n + 200), max_pool), rng)
    if len(pool) <= n:
        return pool
    u = scores[pool]
    u = u / (np.max(u) + 1e-12)
    # r from the scale of all candidates, not of the pool: a tight clump of
    # uncertain rows must look redundant
    sample = np.asarray(Z[rng.choice(len(scores), size=min(len(scores), 500),
                                     replace=False)], dtype=float)
    # mean squared distance over all ordered pairs (self-pairs count as 0);
    # pdist gives each unordered pair once, without the (n, n, d) broadcast
    d2 = pdist(sample, "sqeuclidean")
    r = np.sqrt(2.0 * d2.sum() / len(sample) ** 2) if np.any(d2 > 0) else 1.0
    Zp = np.asarray(Z[pool], dtype=float)
    novelty = np.ones(len(pool))
    chosen = np.zeros(len(pool), dtype=bool)
    per_step = max(1, int(np.ceil(n / max_steps)))
    picked = []
    while len(picked) < n:
        gain = (1 - diversity) * u + diversity * novelty
        gain[chosen] = -np.inf
        take = _top(gain, min(per_step, n - len(picked)), rng)
        chosen[take] = True
        picked.extend(take.tolist())
        for j in take:
            d = np.sqrt(((Zp - Zp[j]) ** 2).sum(1)) / r
            np.minimum(novelty, np.minimum(d, 1.0), out=novelty)
    return pool[np.asarray(picked)]


def _describe_text(region_id, desc):
    parts = [f"Region {region_id}: {desc['n_anchors']} uncertain rows"]
    if desc.get("classes"):
        mix = ", ".join(f"{k}: {v}" for k, v in desc["classes"].items())
        parts.append(f"labels {{{mix}}}")
    if desc.get("confused_with"):
        conf = "; ".join(f"{a} predicted as {b} ({n})" for a, b, n in desc["confused_with"])
        parts.append(f"confusions: {conf}")
    for col, q in list(desc["features"]["numeric"].items())[:12]:
        parts.append(f"{col} in [{q['q25']:.4g}, {q['q75']:.4g}] (median {q['median']:.4g})")
    for col, freq in list(desc["features"]["categorical"].items())[:12]:
        top = ", ".join(f"{k} {v:.0%}" for k, v in freq.items())
        parts.append(f"{col}: {top}")
    return "; ".join(parts)


def _region_describer(rows, X, y, scores, schema, predicted):
    # the region's own labels, scores and predictions are taken now: the lazy
    # description must not keep arrays over all the training rows alive
    yr, sr = y[rows], scores[rows]
    pr = None if predicted is None else predicted[rows]

    def describe():
        cls, cnt = np.unique(yr, return_counts=True)
        desc = {
            "n_anchors": int(len(rows)),
            "mean_uncertainty": float(np.mean(sr)),
            "classes": {str(c): int(n) for c, n in zip(cls, cnt)},
            "features": schema.describe(take_rows(X, rows)),
        }
        if pr is not None:
            pairs = pd.Series(list(zip(map(str, yr), map(str, pr))))
            pairs = pairs[[a != b for a, b in pairs]]
            desc["confused_with"] = [
                (a, b, int(n)) for (a, b), n in pairs.value_counts().head(3).items()
            ]
        return desc

    return describe


def find_regions(anchor_positions, *, X, X_encoded, y, scores, schema, rng, n_regions="auto",
                 predicted=None):
    """Cluster anchors into regions and describe each.

    Parameters
    ----------
    anchor_positions : ndarray of int
        Anchor rows (positions in ``X``).
    X : DataFrame, ndarray or sparse
        Raw training rows (for descriptions in the user's own terms).
    X_encoded : ndarray or sparse
        Numeric view used for clustering.
    y : ndarray
        Original labels of all rows.
    scores : ndarray
        Uncertainty of all rows.
    schema : TabularSchema
    rng : RandomState
    n_regions : int or "auto", default="auto"
        "auto" uses ``min(8, max(1, n_anchors // 25))``.
    predicted : ndarray, optional
        Out-of-fold predicted labels of all rows, for the confusion summary.

    Returns
    -------
    anchor_regions : ndarray of int
    regions : list of Region
    """
    n_anchor = len(anchor_positions)
    if n_regions == "auto":
        k = int(min(8, max(1, n_anchor // 25)))
    else:
        k = int(min(n_regions, max(1, n_anchor)))
    if k <= 1 or n_anchor < 2:
        labels = np.zeros(n_anchor, dtype=int)
    else:
        Z = (schema.encode(take_rows(X, anchor_positions)) if X_encoded is None
             else X_encoded[anchor_positions])
        seed = rng.randint(MAX_SEED)
        km = (MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=2048)
              if n_anchor > 10000 else KMeans(n_clusters=k, random_state=seed, n_init=1))
        labels = km.fit_predict(Z)
    regions = []
    for r in range(int(labels.max()) + 1 if n_anchor else 0):
        pos = np.flatnonzero(labels == r)
        regions.append(Region(r, pos, describe=_region_describer(
            anchor_positions[pos], X, y, scores, schema, predicted)))
    return labels, regions


def build_targets(*, X, y, y_encoded, classes, scores, budget, rng, strategy="uncertain",
                  n_anchors=0.1, allocation="anchors", X_encoded=None, proba=None,
                  schema=None, n_regions="auto", diversity=0.5, density_weight=0.5,
                  matched_strategy="uncertain", neighbour_distance=None,
                  uncertainty_fn=None):
    """Anchors, per-anchor counts, regions and class counts for one round.

    With ``allocation="anchors"`` anchors are chosen over all rows and the
    budget follows their labels. Any other allocation fixes the class counts
    first and chooses anchors within each class in proportion, so that
    ``strategy="random"`` with the class counts of a targeted run is the
    class-matched random control. ``strategy="random_matched"`` builds that
    control within one fit: the class mix of the anchors "uncertain" would
    pick this round, with anchors drawn at random inside each class, so the
    synthetic rows have exactly the targeted run's class counts and only
    their position in feature space differs (``matched_strategy`` names the
    strategy whose class mix is copied: "uncertain" by default). With any
    allocation other than "anchors" it is the same as "random".
    """
    n_total = len(y)
    n_anch = min(_as_count(n_anchors, n_total), n_total)
    sel_kw = dict(scores=scores, rng=rng, proba=proba, y_encoded=y_encoded,
                  X_encoded=X_encoded, diversity=diversity, density_weight=density_weight,
                  neighbour_distance=neighbour_distance)
    if allocation == "anchors" and strategy == "random_matched":
        # the class mix of the uncertain anchors, random rows within each class
        mix = y[select_anchors(matched_strategy, n_anch, **sel_kw)]
        anchors = np.sort(np.concatenate([
            select_anchors("random", int(np.sum(mix == c)),
                           candidates=np.flatnonzero(y == c), **sel_kw)
            for c in classes.tolist()
        ]).astype(int))
        class_counts = allocate_classes(budget, y, anchor_labels=y[anchors],
                                        allocation="anchors", classes=classes)
    elif allocation == "anchors":
        anchors = select_anchors(strategy, n_anch, **sel_kw)
        class_counts = allocate_classes(budget, y, anchor_labels=y[anchors],
                                        allocation="anchors", classes=classes)
        # a class with budget needs at least one anchor of its own
    else:
        class_counts = allocate_classes(budget, y, allocation=allocation, classes=classes)
        per_class = allocate_classes(n_anch, y, allocation={
            c: max(v, 0) for c, v in class_counts.items()} if budget else "proportional",
            classes=classes)
        anchors = np.concatenate([
            select_anchors(strategy, max(per_class[c], 1 if class_counts[c] else 0),
                           candidates=np.flatnonzero(y == c), **sel_kw)
            for c in classes.tolist()
        ]).astype(int)
    anchor_y = y[anchors]
    counts = np.zeros(len(anchors), dtype=int)
    for c, n_c in class_counts.items():
        idx = np.flatnonzero(anchor_y == c)
        if n_c == 0:
            continue
        if len(idx) == 0:
            class_counts[c] = 0
            continue
        # spread the class's rows evenly, the remainder on the most uncertain anchors
        base, extra = divmod(n_c, len(idx))
        counts[idx] = base
        order = idx[_top(scores[anchors[idx]], extra, rng)]
        counts[order] += 1
    keep = counts > 0
    anchors, counts = anchors[keep], counts[keep]
    regions_of, regions = find_regions(
        anchors, X=X, X_encoded=X_encoded, y=y, scores=scores, schema=schema, rng=rng,
        n_regions=n_regions,
        predicted=None if proba is None else classes[proba.argmax(axis=1)],
    )
    return Targets(
        anchor_indices=anchors,
        anchors=take_rows(X, anchors),
        anchor_y=y[anchors],
        anchor_scores=np.asarray(scores)[anchors],
        anchor_counts=counts,
        anchor_regions=regions_of,
        regions=regions,
        class_counts={c: int(n) for c, n in class_counts.items() if n > 0},
        uncertainty_fn=uncertainty_fn,
    )


class Targeting(BaseEstimator):
    """Where each round's synthetic rows are aimed: anchors, regions, class mix.

    The ``targeting=`` parameter of
    :class:`~sklearn_activesynth.ActiveSynthesisClassifier` and
    :class:`~sklearn_activesynth.ActiveSynthesisSampler`; a string there is
    ``Targeting(anchors=that_string)``. Nested parameters are tunable, e.g.
    ``GridSearchCV(clf, {"targeting__density_weight": [0.3, 0.7]})``.

    Parameters
    ----------
    anchors : {"uncertain", "random", "random_matched", "errors", "diverse", \
            "uncertain_sparse"}, default="uncertain"
        Which real rows the synthesis is aimed at: the most uncertain; random
        rows; random rows with the class mix ``matched_anchors`` would give
        ("random_matched": **the control** any claim about targeting has to
        beat, since aiming at uncertain rows mostly changes the class mix of
        the synthetic rows); rows the model gets wrong out-of-fold, confidently
        wrong first; uncertainty with a diversity penalty so anchors do not
        clump; or uncertainty plus sparseness ("uncertain_sparse", weighted by
        ``density_weight``). See :func:`select_anchors`.
        Measured against the class-matched control (``benchmarks/TARGETING.md``):
        "uncertain" wins calibration with LogisticRegression on rare
        sub-populations (and beats real-only there) and on imbalanced tabular
        data (still below real-only), and ties or loses elsewhere;
        "uncertain_sparse" is the best choice for a kernel SVC on 20-100 rows
        but loses PR-AUC on rare slices; "errors" is harmful.
    n_anchors : "auto", int or float, default="auto"
        Anchors per round: a count, or a fraction of the training rows.
        "auto" takes 10 % of the training rows, at most 1,000: on large data
        the most uncertain thousand rows are the targets, not a tenth of the
        data, and the neighbour search stays cheap.
    class_allocation : {"anchors", "balanced", "proportional", "minority"} \
            or dict, default="anchors"
        How a round's rows are split across classes. "anchors" follows the
        labels of the anchors, so a rare class the model confuses gets its
        share. A dict maps label -> fraction; with ``anchors="random"`` and
        the class mix of a targeted run it gives the class-matched control.
    n_regions : int or "auto", default="auto"
        Clusters of anchors, each with a description (feature ranges,
        categories, confused classes) for generators that use words.
    diversity : float, default=0.5
        Weight of the diversity penalty for ``anchors="diverse"``.
    density_weight : float, default=0.5
        Weight of the sparseness term for ``anchors="uncertain_sparse"``
        (0: plain uncertainty, 1: sparseness only).
    matched_anchors : {"uncertain", "errors", "diverse", "uncertain_sparse"}, \
            default="uncertain"
        With ``anchors="random_matched"``: the strategy whose class mix the
        random anchors copy each round, so that each targeting strategy can be
        compared with its own class-matched control. Ignored otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.targeting import Targeting
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 2))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> scores = np.exp(-np.abs(X[:, 0]))  # uncertain near the boundary x0 = 0
    >>> targets = Targeting("uncertain", n_anchors=4).build(
    ...     X=X, y=y, y_encoded=y, classes=np.array([0, 1]), scores=scores,
    ...     budget=8, rng=rng)
    >>> targets.n_samples, len(targets.anchor_indices)
    (8, 4)
    >>> bool(np.all(np.abs(X[targets.anchor_indices, 0]) < 0.3))
    True
    """

    _parameter_constraints = {
        "anchors": [StrOptions(set(ANCHOR_STRATEGIES))],
        "n_anchors": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
        ],
        "class_allocation": [
            StrOptions({"anchors", "balanced", "proportional", "minority"}),
            dict,
        ],
        "n_regions": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "diversity": [Interval(Real, 0, 1, closed="both")],
        "density_weight": [Interval(Real, 0, 1, closed="both")],
        "matched_anchors": [
            StrOptions({"uncertain", "errors", "diverse", "uncertain_sparse"})],
    }

    def __init__(self, anchors="uncertain", *, n_anchors="auto", class_allocation="anchors",
                 n_regions="auto", diversity=0.5, density_weight=0.5,
                 matched_anchors="uncertain"):
        self.anchors = anchors
        self.n_anchors = n_anchors
        self.class_allocation = class_allocation
        self.n_regions = n_regions
        self.diversity = diversity
        self.density_weight = density_weight
        self.matched_anchors = matched_anchors

    def _strategies(self):
        return {self.anchors} | (
            {self.matched_anchors} if self.anchors == "random_matched" else set())

    @property
    def needs_encoding(self):
        """True if anchor selection needs the encoded rows (distances)."""
        return bool(self._strategies() & {"diverse", "uncertain_sparse"})

    @property
    def needs_neighbour_distance(self):
        """True if anchor selection needs each row's k-th neighbour distance."""
        return "uncertain_sparse" in self._strategies()

    def build(self, *, X, y, y_encoded, classes, scores, budget, rng, X_encoded=None,
              proba=None, schema=None, neighbour_distance=None, uncertainty_fn=None):
        """Targets for one round (see :func:`build_targets`).

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            The real training rows.
        y, y_encoded : ndarray
            Their labels, original and encoded ``0..k-1``.
        classes : ndarray
        scores : ndarray
            Uncertainty of each row.
        budget : int
            Synthetic rows to ask for.
        rng : RandomState
        X_encoded, proba, schema, neighbour_distance : optional
            What some strategies need (:attr:`needs_encoding`,
            :attr:`needs_neighbour_distance`).
        uncertainty_fn : callable, optional
            The current model's uncertainty on new rows, handed to generators
            that choose among candidates.

        Returns
        -------
        targets : Targets
        """
        self._validate_params()
        return build_targets(
            X=X, y=y, y_encoded=y_encoded, classes=classes, scores=scores, budget=budget,
            rng=rng, strategy=self.anchors, n_anchors=self.n_anchors,
            allocation=self.class_allocation, X_encoded=X_encoded, proba=proba,
            schema=schema, n_regions=self.n_regions, diversity=self.diversity,
            density_weight=self.density_weight, matched_strategy=self.matched_anchors,
            neighbour_distance=neighbour_distance, uncertainty_fn=uncertainty_fn,
        )


def resolve_targeting(spec):
    """``Targeting(anchors=spec)`` for a string, the object itself otherwise."""
    return Targeting(anchors=spec) if isinstance(spec, str) else spec


# ------------------------------------------------------------- regression
REGRESSION_ANCHORS = ("uncertain", "random", "rare")


def boxplot_relevance(y_train):
    """The default relevance of a continuous target (SMOGN-like, boxplot-based).

    Relevance ``phi(y)`` in [0, 1] is 0 over the central half of the training
    targets (between the quartiles Q1 and Q3), rises smoothly (``3t^2 - 2t^3``,
    the shape of SMOGN's PCHIP curve with flat ends) to 1 at the boxplot
    fences ``Q3 + 1.5 IQR`` and ``Q1 - 1.5 IQR``, and is 1 beyond them. So
    extreme targets, and a sparse range out in a tail, are relevant; with the
    default threshold 0.5 a target is rare beyond ``Q3 + 0.75 IQR`` (or below
    ``Q1 - 0.75 IQR``): about 4.5 % of each tail of a normal target, none of a
    uniform one. (SMOGN ramps from the median to the adjacent values instead,
    which makes the upper part of the common range relevant too.)

    Parameters
    ----------
    y_train : array-like of shape (n_samples,)

    Returns
    -------
    relevance : callable
        ``relevance(y) -> ndarray`` of values in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.targeting import boxplot_relevance
    >>> phi = boxplot_relevance(np.arange(100.0))   # Q1 24.75, Q3 74.25
    >>> phi(np.array([50.0, 80.0, 111.375, 250.0])).round(2).tolist()
    [0.0, 0.02, 0.5, 1.0]
    """
    q1, q3 = np.percentile(np.asarray(y_train, dtype=float), [25, 75])
    iqr = q3 - q1

    def relevance(y):
        y = np.asarray(y, dtype=float)
        if iqr <= 0:
            return ((y > q3) | (y < q1)).astype(float)
        t = np.clip(np.maximum(y - q3, q1 - y) / (1.5 * iqr), 0.0, 1.0)
        return t * t * (3.0 - 2.0 * t)

    return relevance


RANGE_ALLOCATIONS = ("anchors", "relevance", "deficit", "proportional")


def target_ranges(y, *, bins="relevance", relevance=None, threshold=0.5):
    """Cut the target axis into ranges: the regression counterpart of classes.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The training targets (finite).
    bins : "relevance" or int, default="relevance"
        "relevance": SMOGN's "bumps", the maximal runs of the sorted targets
        on one side of ``threshold`` (with a boxplot relevance: the low tail,
        the common middle, the high tail; a uniform target is one range). An
        int ``k``: ``k`` quantile bins (fewer when targets repeat).
    relevance : ndarray of shape (n_samples,), optional
        ``phi(y)`` of every row, needed by ``bins="relevance"``.
    threshold : float, default=0.5
        Relevance from which a target is rare.

    Returns
    -------
    range_of : ndarray of int of shape (n_samples,)
        The range of each row, ``0..n_ranges-1`` in increasing order of ``y``.
    bounds : ndarray of shape (n_ranges, 2)
        The smallest and largest training target of each range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.targeting import boxplot_relevance, target_ranges
    >>> y = np.r_[np.linspace(0, 1, 20), 9.0, 10.0]
    >>> range_of, bounds = target_ranges(y, relevance=boxplot_relevance(y)(y))
    >>> np.bincount(range_of).tolist(), bounds.tolist()
    ([20, 2], [[0.0, 1.0], [9.0, 10.0]])
    >>> np.bincount(target_ranges(y, bins=2)[0]).tolist()
    [11, 11]
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    if n == 0:
        return np.empty(0, dtype=int), np.empty((0, 2))
    if isinstance(bins, str):
        if bins != "relevance":
            raise ValueError(f"bins must be 'relevance' or an int >= 1, got {bins!r}.")
        if relevance is None:
            raise ValueError("target_ranges(bins='relevance') needs the relevance of y.")
        order = np.argsort(y, kind="stable")
        rare = np.asarray(relevance, dtype=float)[order] >= threshold
        # a new range where the sorted targets cross the threshold (equal
        # targets have equal relevance, so they never straddle two ranges)
        run = np.r_[0, np.cumsum(rare[1:] != rare[:-1])]
        range_of = np.empty(n, dtype=int)
        range_of[order] = run
    else:
        k = int(bins)
        if k < 1:
            raise ValueError(f"bins must be 'relevance' or an int >= 1, got {bins!r}.")
        edges = np.quantile(y, np.linspace(0, 1, k + 1)[1:-1])
        codes = np.searchsorted(edges, y, side="right")
        range_of = np.unique(codes, return_inverse=True)[1].ravel()  # no empty bin
    n_ranges = int(range_of.max()) + 1
    bounds = np.array([[y[range_of == r].min(), y[range_of == r].max()]
                       for r in range(n_ranges)])
    return range_of, bounds


def _largest_remainders(total, weights):
    """``total`` split in proportion to ``weights`` (ints summing to ``total``)."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return np.zeros(0, dtype=int)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
    raw = w * int(total)
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: int(total) - counts.sum()]:
        counts[i] += 1
    return counts


def allocate_ranges(budget, range_of, *, allocation="anchors", anchor_ranges=None,
                    relevance=None):
    """Split ``budget`` synthetic rows across target ranges (the regression
    counterpart of :func:`allocate_classes`).

    Parameters
    ----------
    budget : int
    range_of : ndarray of int of shape (n_samples,)
        The range of each training row (:func:`target_ranges`).
    allocation : {"anchors", "relevance", "deficit", "proportional"}, default="anchors"
        - "anchors": in proportion to the anchors in each range (the ranges
          get what the anchor choice gives them);
        - "relevance": in proportion to the mean relevance ``phi`` of each
          range's rows (a range of common targets, relevance 0, gets none);
        - "deficit": in proportion to the rows a range lacks to match the
          largest range (SMOGN's balancing: the rarer the range, the more
          rows; the largest gets none);
        - "proportional": in proportion to the rows of each range.
        When every weight is zero the ranges share the budget in proportion
        to their rows.
    anchor_ranges : ndarray of int, optional
        The range of each anchor, for "anchors".
    relevance : ndarray of shape (n_samples,), optional
        ``phi`` of every row, for "relevance".

    Returns
    -------
    counts : ndarray of int of shape (n_ranges,)
        Rows per range, summing to ``budget``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.targeting import allocate_ranges
    >>> range_of = np.repeat([0, 1, 2], [10, 80, 10])
    >>> allocate_ranges(30, range_of, allocation="deficit").tolist()
    [15, 0, 15]
    >>> allocate_ranges(30, range_of, allocation="proportional").tolist()
    [3, 24, 3]
    """
    range_of = np.asarray(range_of, dtype=int)
    n_ranges = int(range_of.max()) + 1 if len(range_of) else 0
    sizes = np.bincount(range_of, minlength=n_ranges).astype(float)
    if allocation == "anchors":
        src = range_of if anchor_ranges is None or len(anchor_ranges) == 0 \
            else np.asarray(anchor_ranges, dtype=int)
        w = np.bincount(src, minlength=n_ranges).astype(float)
    elif allocation == "relevance":
        if relevance is None:
            raise ValueError("allocation='relevance' needs the relevance of the rows.")
        rel = np.bincount(range_of, weights=np.asarray(relevance, dtype=float),
                          minlength=n_ranges)
        w = np.divide(rel, sizes, out=np.zeros(n_ranges), where=sizes > 0)
    elif allocation == "deficit":
        w = sizes.max() - sizes if n_ranges else sizes
    elif allocation == "proportional":
        w = sizes
    else:
        raise ValueError(f"Unknown range allocation {allocation!r}; use one of "
                         f"{RANGE_ALLOCATIONS}.")
    if w.sum() <= 0:
        w = sizes
    return _largest_remainders(budget, w)


def _fmt(v):
    return f"{v:.4g}"


def _range_describer(rng_id, bounds, n_rows, mean_rel, anchors, X, y, scores, schema):
    rows_y, rows_u = y[anchors], scores[anchors]
    X_a = take_rows(X, anchors) if schema is not None else None

    def describe():
        desc = {
            "n_anchors": int(len(anchors)),
            "mean_uncertainty": float(np.mean(rows_u)) if len(rows_u) else 0.0,
            "target_range": (float(bounds[0]), float(bounds[1])),
            "anchor_target_range": (float(rows_y.min()), float(rows_y.max()))
            if len(rows_y) else None,
            "n_rows_in_range": int(n_rows),
            "mean_relevance": float(mean_rel),
        }
        if schema is not None:
            desc["features"] = schema.describe(X_a)
        return desc

    def text():
        d = describe()
        parts = [f"Target range {rng_id}: [{_fmt(bounds[0])}, {_fmt(bounds[1])}] "
                 f"({n_rows} real rows, mean relevance {mean_rel:.2f}); "
                 f"{d['n_anchors']} anchors"]
        for col, q in list((d.get("features") or {}).get("numeric", {}).items())[:12]:
            parts.append(f"{col} in [{q['q25']:.4g}, {q['q75']:.4g}] "
                         f"(median {q['median']:.4g})")
        return "; ".join(parts)

    return describe, text


class _RangeRegion(Region):
    """A target range as a region (its text says the range, not a class mix)."""

    def __init__(self, region_id, anchor_positions, describe, text):
        super().__init__(region_id, anchor_positions, describe=describe)
        self._text_fn = text

    @property
    def text(self):
        if self._text is None:
            self._text = self._text_fn()
        return self._text


class RegressionTargeting(BaseEstimator):
    """Where a regressor's synthetic rows are aimed: anchors, target ranges, rows per range.

    The ``targeting=`` parameter of
    :class:`~sklearn_activesynth.ActiveSynthesisRegressor`; a string there is
    ``RegressionTargeting(anchors=that_string)``.

    There are no classes: the target axis is cut into **ranges**
    (:func:`target_ranges`; by default SMOGN's relevance "bumps": the rare
    low tail, the common middle, the rare high tail) and the round's
    budget is allocated over them (:func:`allocate_ranges`), as the
    classifier allocates it over classes. By default (``range_allocation=
    "anchors"``) a range gets rows in proportion to the anchors in it, so
    ``anchors="rare"`` sends the whole budget to the rare ranges and
    ``"uncertain"`` to wherever the model is unsure; "relevance" and
    "deficit" fix the split first (by the ranges' mean relevance, or by the
    rows they lack to match the largest range, SMOGN's balancing) and then
    choose each range's anchors within it. Within a range the rows are
    spread evenly over its anchors (the remainder on the preferred ones).

    What a round got is recorded: each range is a region (the ``region``
    column of ``synthetic_provenance_`` is the range of the row's anchor;
    the region's description holds its ``target_range``), and the round's
    ``history_`` row has ``n_target_ranges``, ``target_ranges`` (the bounds,
    ``"0: [lo, hi]; 1: ..."``) and ``range_rows_<k>``, the rows asked for in
    range ``k`` (summing to the round's budget).

    Parameters
    ----------
    anchors : {"uncertain", "random", "rare"}, default="uncertain"
        "uncertain": the rows with the highest uncertainty. "random": random
        rows (the control). "rare": the rows whose target is rare, relevance
        ``phi(y) >= relevance_threshold`` (see ``relevance``), the most
        relevant first and, among equally relevant rows, the most uncertain;
        when no row is relevant enough, the most relevant rows.
    n_anchors : "auto", int or float, default="auto"
        Anchors per round: a count, or a fraction of the training rows;
        "auto": 10 % of them, at most 1,000. With "rare" (and
        ``range_allocation="anchors"``), at most the number of relevant rows.
    relevance : "boxplot" or callable, default="boxplot"
        The relevance function over the target (SMOGN's ``phi``: extremes
        and sparse ranges are relevant), used by "rare", by the "relevance"
        ranges and allocation: "boxplot" is :func:`boxplot_relevance` of the
        training targets; a callable ``f(y) -> relevance in [0, 1]`` is used
        as it is (e.g. high claim amounts only:
        ``lambda y: (y > 10_000).astype(float)``).
    relevance_threshold : float, default=0.5
        Relevance from which a row counts as rare (SMOGN's ``rel_thres``).
    target_bins : "relevance" or int, default="relevance"
        How the target axis is cut into ranges: "relevance" (the runs of
        sorted targets on one side of ``relevance_threshold``), or an int
        ``k``: ``k`` quantile bins of the training targets.
    range_allocation : {"anchors", "relevance", "deficit", "proportional"}, \
            default="anchors"
        How a round's budget is split across the ranges (see
        :func:`allocate_ranges`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.targeting import RegressionTargeting
    >>> rng = np.random.RandomState(0)
    >>> y = np.r_[rng.uniform(0, 1, 95), rng.uniform(9, 10, 5)]   # 5 rare targets
    >>> X = y[:, None] + rng.normal(scale=0.1, size=(100, 1))
    >>> targets = RegressionTargeting("rare").build(
    ...     X=X, y=y, scores=np.zeros(100), budget=20, rng=rng)
    >>> bool(np.all(y[targets.anchor_indices] > 9)), targets.n_samples
    (True, 20)
    >>> targets.report["range_rows_0"], targets.report["range_rows_1"]
    (0, 20)

    Balancing the ranges instead (SMOGN's choice), with any anchors:

    >>> targets = RegressionTargeting("random", range_allocation="deficit").build(
    ...     X=X, y=y, scores=np.zeros(100), budget=20, rng=rng)
    >>> targets.report["target_ranges"]
    '0: [0.01879, 0.9884]; 1: [9.005, 9.829]'
    >>> bool(np.all(y[targets.anchor_indices] > 9))
    True
    """

    _parameter_constraints = {
        "anchors": [StrOptions(set(REGRESSION_ANCHORS))],
        "n_anchors": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
        ],
        "relevance": [StrOptions({"boxplot"}), callable],
        "relevance_threshold": [Interval(Real, 0, 1, closed="both")],
        "target_bins": [StrOptions({"relevance"}), Interval(Integral, 1, None, closed="left")],
        "range_allocation": [StrOptions(set(RANGE_ALLOCATIONS))],
    }

    # what the loop computes for a Targeting; this one needs neither
    needs_encoding = False
    needs_neighbour_distance = False

    def __init__(self, anchors="uncertain", *, n_anchors="auto", relevance="boxplot",
                 relevance_threshold=0.5, target_bins="relevance",
                 range_allocation="anchors"):
        self.anchors = anchors
        self.n_anchors = n_anchors
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.target_bins = target_bins
        self.range_allocation = range_allocation

    def relevance_of(self, y_train, y):
        """Relevance of the targets ``y`` (the default is fitted on ``y_train``)."""
        fn = boxplot_relevance(y_train) if self.relevance == "boxplot" else self.relevance
        phi = np.asarray(fn(np.asarray(y, dtype=float)), dtype=float).ravel()
        if phi.shape != (len(np.asarray(y)),) or not np.all(np.isfinite(phi)):
            raise ValueError(
                "The relevance function must return one finite number per target "
                f"(values in [0, 1]); it returned shape {phi.shape} for {len(y)} targets"
                + ("" if phi.shape != (len(y),) else " with NaN or infinity") + ".")
        return phi

    def _pick(self, strategy, n, candidates, scores, phi, rng):
        """``n`` anchors among ``candidates`` (positions), in order of preference."""
        n = min(int(n), len(candidates))
        if n <= 0:
            return np.empty(0, dtype=int)
        if strategy == "random":
            return np.sort(rng.choice(candidates, size=n, replace=False))
        if strategy == "uncertain":
            return candidates[_top(scores[candidates], n, rng)]
        # rare: the most relevant first, then the most uncertain
        jitter = rng.random_sample(len(candidates))
        order = np.lexsort((jitter, -scores[candidates], -phi[candidates]))
        return candidates[order[:n]]

    def build(self, *, X, y, scores, budget, rng, schema=None, **ignored):
        """Targets for one round.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix
            The real training rows (the generator's).
        y : ndarray of float
            Their targets.
        scores : ndarray
            Uncertainty of each row.
        budget : int
            Synthetic rows to ask for.
        rng : RandomState
        schema : TabularSchema, optional
            When given, each range's description also summarises its anchors'
            features (for generators that use words).
        **ignored
            What the loop hands a classifier's targeting (classes, encoded
            labels, probabilities...): not used.

        Returns
        -------
        targets : Targets
            Its ``regions`` are the target ranges that have anchors (a
            region's ``region_id`` is the range's number) and its ``report``
            the rows per range.
        """
        self._validate_params()
        y = np.asarray(y, dtype=float)
        scores = np.asarray(scores, dtype=float)
        n = len(y)
        n_anch = min(_as_count(self.n_anchors, n), n)
        needs_phi = self.anchors == "rare" or self.target_bins == "relevance" or \
            self.range_allocation == "relevance"
        phi = self.relevance_of(y, y) if needs_phi and n else np.zeros(n)
        range_of, bounds = target_ranges(y, bins=self.target_bins, relevance=phi,
                                         threshold=self.relevance_threshold)
        n_ranges = len(bounds)
        budget = int(budget)
        if self.range_allocation == "anchors":
            candidates = np.arange(n)
            if self.anchors == "rare":
                rare = np.flatnonzero(phi >= self.relevance_threshold)
                if len(rare):
                    n_anch = min(n_anch, len(rare))
            anchors = self._pick(self.anchors, n_anch, candidates, scores, phi, rng)
            range_counts = allocate_ranges(budget, range_of, allocation="anchors",
                                           anchor_ranges=range_of[anchors]) \
                if len(anchors) else np.zeros(n_ranges, dtype=int)
        else:
            range_counts = allocate_ranges(budget, range_of,
                                           allocation=self.range_allocation,
                                           relevance=phi)
            sizes = np.bincount(range_of, minlength=n_ranges)
            # the anchors follow the rows: at least one for a range with rows to make
            per_range = np.minimum(np.maximum(
                _largest_remainders(n_anch, range_counts) if budget else
                np.zeros(n_ranges, dtype=int), (range_counts > 0).astype(int)), sizes)
            anchors = np.concatenate([
                self._pick(self.anchors, per_range[r], np.flatnonzero(range_of == r),
                           scores, phi, rng) for r in range(n_ranges)
            ] or [np.empty(0, dtype=int)]).astype(int)
        anchors = np.asarray(anchors, dtype=int)
        anchor_range = range_of[anchors]
        counts = np.zeros(len(anchors), dtype=int)
        for r in range(n_ranges):
            idx = np.flatnonzero(anchor_range == r)  # in order of preference
            if len(idx) == 0 or range_counts[r] == 0:
                continue
            base, extra = divmod(int(range_counts[r]), len(idx))
            counts[idx] = base
            counts[idx[:extra]] += 1
        keep = counts > 0
        anchors, counts, anchor_range = anchors[keep], counts[keep], anchor_range[keep]
        # what was asked for per range (a range without anchors got nothing)
        given = np.bincount(anchor_range, weights=counts, minlength=n_ranges).astype(int)
        sizes = np.bincount(range_of, minlength=n_ranges)
        mean_rel = np.divide(np.bincount(range_of, weights=phi, minlength=n_ranges), sizes,
                             out=np.zeros(n_ranges), where=sizes > 0)
        regions = []
        for r in np.unique(anchor_range).tolist():
            pos = np.flatnonzero(anchor_range == r)
            describe, text = _range_describer(r, bounds[r], int(sizes[r]), mean_rel[r],
                                              anchors[pos], X, y, scores, schema)
            regions.append(_RangeRegion(r, pos, describe, text))
        report = {"n_target_ranges": int(n_ranges),
                  "target_ranges": "; ".join(f"{r}: [{_fmt(lo)}, {_fmt(hi)}]"
                                             for r, (lo, hi) in enumerate(bounds))}
        report.update({f"range_rows_{r}": int(given[r]) for r in range(n_ranges)})
        return Targets(
            anchor_indices=anchors, anchors=take_rows(X, anchors), anchor_y=y[anchors],
            anchor_scores=scores[anchors], anchor_counts=counts,
            anchor_regions=anchor_range.astype(int), regions=regions,
            class_counts={}, uncertainty_fn=ignored.get("uncertainty_fn"), report=report)


def resolve_regression_targeting(spec):
    """``RegressionTargeting(anchors=spec)`` for a string, the object itself otherwise."""
    return RegressionTargeting(anchors=spec) if isinstance(spec, str) else spec
