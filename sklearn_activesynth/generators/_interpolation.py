"""Interpolation between an anchor and one of its neighbours (same class, or any)."""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

from ..utils._compat import Interval, StrOptions
from ..utils._seeding import check_random_state
from ..utils.tabular import take_rows
from .base import BaseGenerator, GeneratorTags, Synthesized

__all__ = ["InterpolationGenerator", "SmallClassWarning"]


class SmallClassWarning(UserWarning):
    """A class has too few training rows for the generator's ``k_neighbors``.

    :class:`InterpolationGenerator` then interpolates within such a class
    with fewer neighbours (every other row of the class), and makes no rows
    for a class with a single training row (it has no partner). Warned once
    per ``fit``; each ``generate`` call reports the rows concerned
    (``n_rows_small_classes``, ``n_rows_without_partners``), which the
    classifier copies into ``history_``.
    """


def _label(c):
    """A class label as the user wrote it (``1``, ``'fraud'``), not ``np.int64(1)``."""
    return repr(c.item() if isinstance(c, np.generic) else c)


class InterpolationGenerator(BaseGenerator):
    """Built-in generator: new rows between an anchor and one of its neighbours.

    For each requested row, an anchor ``a`` (chosen by the loop, or at random
    when untargeted) and one of its ``k_neighbors`` nearest training rows
    ``b`` are combined: numeric columns become ``a + lam * (b - a)`` with
    ``lam ~ U(0, 1)``; integer columns are rounded; each categorical column is
    copied from ``b`` with probability ``lam`` and from ``a`` otherwise, so
    categories always come from a real parent. The partner ``b`` is of the
    anchor's class by default (SMOTE's rule); with ``partners="any_class"`` it
    may be of any class, which fills the space *between* classes. Labels are
    always the anchor's. Distances use standardised numeric columns plus
    one-hot categoricals (a category mismatch counts like one standard
    deviation).

    Needs only the core dependencies; works on DataFrames with mixed dtypes,
    arrays and sparse matrices.

    Parameters
    ----------
    k_neighbors : int, default=5
        Neighbours considered for each anchor. A class with ``k_neighbors``
        rows or fewer (with "any_class": a training set that small) uses
        every other row of the class instead, and a class with a single row
        gets no synthetic rows: ``fit`` warns once
        (:class:`SmallClassWarning`) and each ``generate`` call reports the
        rows concerned in ``Synthesized.report``: ``n_rows_small_classes``
        (made with fewer neighbours) and ``n_rows_without_partners`` (asked
        for a single-row class, not made; the result has fewer rows than
        requested).
    partners : {"same_class", "any_class"}, default="same_class"
        Where an anchor's partner comes from. "same_class": one of its
        ``k_neighbors`` nearest rows of its own class, so new rows stay inside
        the class's hull. "any_class": one of its ``k_neighbors`` nearest rows
        of any class (boundary filling). A row between an anchor and a partner
        of another class still carries the anchor's label, which can be wrong
        there: pair it with ``ActiveSynthesisClassifier(teacher="knn")``,
        which relabels such rows or drops them.
    algorithm : {"auto", "ball_tree", "kd_tree", "brute"}, default="auto"
        Passed to :class:`~sklearn.neighbors.NearestNeighbors`.
    max_candidates : int or None, default=50_000
        Partners are searched among at most this many rows of each class (of
        all rows together with ``partners="any_class"``; a random subsample
        drawn once in ``fit``), which keeps a round linear in the number of
        rows. ``None`` searches all rows (exact SMOTE-style
        neighbours; quadratic on very large classes).
    n_jobs : int, default=None
        Parallel neighbour queries.
    random_state : int, RandomState instance or None, default=None
        Seeds the candidate subsample (only used when a class, or with
        "any_class" the training set, has more than ``max_candidates`` rows).
    target_type : {"classes", "continuous"} or None, default=None
        What ``y`` holds. "classes": class labels (SMOTE, as above).
        "continuous": a numeric target (SMOTER): the partner ``b`` is one of
        the anchor's ``k_neighbors`` nearest training rows of any target, and
        the new row's target is interpolated with the same weight as its
        features, ``y_a + lam * (y_b - y_a)``, so it always lies between two
        real targets. With ``partners="same_class"`` the distance also counts
        the standardised target as one more column, so partners are near in
        the features *and* in the target (rows with close targets: a rare,
        extreme target is interpolated with its rare neighbours rather than
        pulled towards the common ones); ``partners="any_class"`` uses the
        features only. ``None`` means "classes", unless the estimator that
        fits the generator says otherwise
        (:class:`~sklearn_activesynth.ActiveSynthesisRegressor` sets
        "continuous" on its copy).
    noise : {"smogn"} or None, default=None
        Only with ``target_type="continuous"``. ``None``: SMOTER, every row is
        interpolated. ``"smogn"``: SMOGN's rule (Branco, Torgo and Ribeiro
        2017): when the chosen partner is farther from the anchor than half
        the median distance between the anchor and its ``k_neighbors``
        neighbours (an unsafe, distant pair), the new row is the anchor
        perturbed with Gaussian noise instead, each numeric column (the
        target too) moved by ``N(0, 1) * std * t`` with ``std`` the column's
        training standard deviation and ``t = min(perturbation, half the
        median distance)`` (SMOGN's cap); categories stay the anchor's and
        integer columns are rounded. Distances are those of the neighbour search
        (standardised columns). Each ``generate`` call reports
        ``n_rows_noise`` and the result's provenance has ``method``
        ("interpolation" or "noise") per row.
    perturbation : float, default=0.02
        SMOGN's ``pert``: the largest noise, in standard deviations of each
        column, for ``noise="smogn"``.

    Attributes
    ----------
    classes_ : ndarray
        Labels seen in ``fit``.
    schema_ : TabularSchema
        Column kinds and scales of the training data.

    See Also
    --------
    imblearn.over_sampling.SMOTENC : the same interpolation around every
        minority row rather than around chosen anchors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.generators import InterpolationGenerator
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
    >>> gen = InterpolationGenerator(k_neighbors=3).fit(X, y)
    >>> X_new, y_new = gen.generate(6, random_state=0)
    >>> X_new.shape, sorted(set(y_new.tolist()))
    ((6, 3), [0, 1])

    A continuous target (SMOTER) is interpolated with the features:

    >>> y_cont = X[:, 0] * 10.0
    >>> gen = InterpolationGenerator(k_neighbors=3, target_type="continuous")
    >>> X_new, y_new = gen.fit(X, y_cont).generate(6, random_state=0)
    >>> bool(np.allclose(y_new, X_new[:, 0] * 10.0))
    True

    SMOGN: distant pairs give a Gaussian perturbation of the anchor instead
    (seeded like the rest):

    >>> gen = InterpolationGenerator(k_neighbors=3, target_type="continuous",
    ...                              noise="smogn", perturbation=0.02)
    >>> result = gen.fit(X, y_cont).generate(40, random_state=0)
    >>> result.report["n_rows_noise"] == int(np.sum(result.provenance["method"] == "noise"))
    True
    >>> again = gen.generate(40, random_state=0)
    >>> bool(np.array_equal(result.X, again.X) and result.report["n_rows_noise"] > 0)
    True
    """

    _parameter_constraints = {
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "partners": [StrOptions({"same_class", "any_class"})],
        "algorithm": [StrOptions({"auto", "ball_tree", "kd_tree", "brute"})],
        "max_candidates": [Interval(Integral, 2, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "target_type": [StrOptions({"classes", "continuous"}), None],
        "noise": [StrOptions({"smogn"}), None],
        "perturbation": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, k_neighbors=5, *, partners="same_class", algorithm="auto",
                 max_candidates=50_000, n_jobs=None, random_state=None, target_type=None,
                 noise=None, perturbation=0.02):
        self.k_neighbors = k_neighbors
        self.partners = partners
        self.algorithm = algorithm
        self.max_candidates = max_candidates
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.target_type = target_type
        self.noise = noise
        self.perturbation = perturbation

    @property
    def _continuous(self):
        return self.target_type == "continuous"

    def __generator_tags__(self):
        return GeneratorTags(conditional=True, uses_anchors=True, accepts_sparse=True,
                             continuous_target=True)

    def _fit(self, X, y):
        if self.noise is not None and not self._continuous:
            raise ValueError(
                f"InterpolationGenerator(noise={self.noise!r}) perturbs a continuous "
                "target (SMOGN); set target_type='continuous' (the regressor does this "
                "on its copy when target_type is None) or noise=None for class labels.")
        if self._continuous:
            return self._fit_continuous(X, y)
        rng = check_random_state(self.random_state)
        self._X = X
        self._y = np.asarray(y)
        self._class_rows = {}
        self._candidates = {}
        self._nn = {}
        self._k = {}
        self._partner_cache = {}
        self._any_candidates = None
        self._any_nn = None
        self._any_k = 0
        self._any_partner_cache = {}
        limit = None if self.max_candidates is None else \
            max(self.max_candidates, self.k_neighbors + 1)
        any_class = self.partners == "any_class"
        for c in self.classes_:
            rows = np.flatnonzero(self._y == c)
            self._class_rows[c] = rows
            if any_class:
                continue  # one index over all rows below; no per-class size limit
            # a class with no more rows than k_neighbors interpolates with every
            # other row of the class; a single row has no partner at all
            self._k[c] = k = min(self.k_neighbors, len(rows) - 1)
            if k == 0:
                continue
            cand = rows
            if limit is not None and len(rows) > limit:
                cand = np.sort(rng.choice(rows, size=limit, replace=False))
            self._candidates[c] = cand
            self._nn[c] = self._index(cand, k)
        if any_class:
            n = len(self._y)
            self._any_k = min(self.k_neighbors, n - 1)
            if self._any_k > 0:
                cand = np.arange(n)
                if limit is not None and n > limit:
                    cand = np.sort(rng.choice(n, size=limit, replace=False))
                self._any_candidates = cand
                self._any_nn = self._index(cand, self._any_k)
        self._warn_small_classes()
        return self

    def _warn_small_classes(self):
        """One SmallClassWarning naming the classes with fewer neighbours."""
        k = self.k_neighbors
        if self.partners == "any_class":
            n = len(self._y)
            if self._any_k < k:
                warnings.warn(
                    f"InterpolationGenerator(k_neighbors={k}, partners='any_class') got "
                    f"{n} training row(s); "
                    + (f"it interpolates with {self._any_k} neighbour(s) instead."
                       if self._any_k else "a single row has no partner, so no "
                       "synthetic rows will be made."), SmallClassWarning, stacklevel=4)
            return
        fewer = {c: len(self._class_rows[c]) for c in self.classes_ if 0 < self._k[c] < k}
        alone = [c for c in self.classes_ if self._k[c] == 0]
        if not fewer and not alone:
            return
        parts = []
        if fewer:
            listed = ", ".join(f"{_label(c)} ({n} rows)" for c, n in fewer.items())
            parts.append(f"class(es) {listed} interpolate with every other row of their "
                         "class (fewer neighbours)")
        if alone:
            parts.append(f"class(es) {', '.join(map(_label, alone))} have a single training "
                         "row, so no synthetic rows are made for them")
        warnings.warn(
            f"InterpolationGenerator(k_neighbors={k}) needs {k + 1} training rows of a "
            f"class to use {k} neighbours: {'; '.join(parts)}. Each generate call reports "
            "the rows concerned (n_rows_small_classes, n_rows_without_partners).",
            SmallClassWarning, stacklevel=4)

    def _encode(self, rows, chunk=None):
        """Training rows ``rows`` encoded in float32 (which halves the index's
        memory and is exact enough to rank neighbours), ``chunk`` rows at a
        time (default: about 32,768 values): the float64 intermediates of the
        encoding never exist for all rows at once. Each row's encoding depends
        on that row only, so the result is the same as in one piece."""
        encode = self.schema_.encode
        if chunk is None:
            chunk = max(512, 2**15 // max(1, self.schema_.n_features))
        if len(rows) <= chunk or sp.issparse(self._X):
            return encode(take_rows(self._X, rows), dtype=np.float32)
        first = encode(take_rows(self._X, rows[:chunk]), dtype=np.float32)
        Z = np.empty((len(rows), first.shape[1]), dtype=np.float32)
        Z[:chunk] = first
        for start in range(chunk, len(rows), chunk):
            Z[start:start + chunk] = encode(take_rows(self._X, rows[start:start + chunk]),
                                            dtype=np.float32)
        return Z

    def _index(self, rows, k):
        """A neighbour index over the training rows ``rows``."""
        Z = self._encode(rows)
        algo = "brute" if sp.issparse(Z) else self.algorithm
        return NearestNeighbors(
            n_neighbors=k + 1, algorithm=algo, n_jobs=self.n_jobs
        ).fit(Z)

    # -- a continuous target (SMOTER)
    def _fit_continuous(self, X, y):
        try:
            y = np.asarray(y, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "InterpolationGenerator(target_type='continuous') needs a numeric y; "
                f"got {np.asarray(y).dtype} ({exc}).") from exc
        if not np.isfinite(y).all():
            raise ValueError("InterpolationGenerator(target_type='continuous') needs a "
                             "finite y (no NaN or infinity).")
        rng = check_random_state(self.random_state)
        self._X, self._y = X, y
        if self.noise is not None:
            # each numeric column's spread, in its own units (0 for a constant
            # column: no noise there)
            num = self.schema_.numeric_values(X)
            if sp.issparse(num):
                mean = np.asarray(num.mean(axis=0)).ravel()
                sq = np.asarray(num.multiply(num).mean(axis=0)).ravel()
                self._num_std = np.sqrt(np.maximum(sq - mean ** 2, 0.0))
            else:
                self._num_std = np.nan_to_num(np.nanstd(np.asarray(num, dtype=float),
                                                        axis=0))
        scale = float(np.std(y))
        self._y_center, self._y_scale = float(np.mean(y)), scale if scale > 0 else 1.0
        n = len(y)
        self._any_k = min(self.k_neighbors, n - 1)
        self._any_partner_cache = {}
        self._any_nn = self._any_candidates = None
        if self._any_k < self.k_neighbors:
            warnings.warn(
                f"InterpolationGenerator(k_neighbors={self.k_neighbors}) got {n} training "
                "row(s); " + (f"it interpolates with {self._any_k} neighbour(s) instead."
                              if self._any_k else "a single row has no partner, so no "
                              "synthetic rows will be made."), SmallClassWarning,
                stacklevel=4)
        if self._any_k > 0:
            limit = None if self.max_candidates is None else \
                max(self.max_candidates, self.k_neighbors + 1)
            cand = np.arange(n)
            if limit is not None and n > limit:
                cand = np.sort(rng.choice(n, size=limit, replace=False))
            self._any_candidates = cand
            Z = self._encode_rows(cand)
            algo = "brute" if sp.issparse(Z) else self.algorithm
            self._any_nn = NearestNeighbors(n_neighbors=self._any_k + 1, algorithm=algo,
                                            n_jobs=self.n_jobs).fit(Z)
        return self

    def _encode_rows(self, rows):
        """Training rows ``rows`` as the neighbour search sees them; with a
        continuous target and ``partners="same_class"``, the standardised
        target is one more column."""
        Z = self._encode(rows)
        if not (self._continuous and self.partners == "same_class"):
            return Z
        t = ((self._y[rows] - self._y_center) / self._y_scale).astype(np.float32)[:, None]
        return sp.hstack([Z, sp.csr_matrix(t)], format="csr") if sp.issparse(Z) \
            else np.hstack([Z, t])

    def _generate_continuous(self, n_samples, targets, rng):
        targeted = targets is not None and len(targets.anchor_indices) > 0
        if targeted:
            seeds = np.repeat(np.asarray(targets.anchor_indices),
                              self._rows_per_anchor(n_samples, targets, rng))
        else:
            seeds = rng.randint(len(self._y), size=n_samples)
        k = self._any_k
        report = {"n_rows_small_classes": int(len(seeds)) if 0 < k < self.k_neighbors else 0,
                  "n_rows_without_partners": 0 if k > 0 else int(len(seeds))}
        if k == 0:
            seeds = seeds[:0]
        partners = np.empty(len(seeds), dtype=int)
        uniq = inv = choice = None
        if len(seeds):
            uniq, inv = np.unique(seeds, return_inverse=True)
            inv = inv.ravel()
            choice = self._nearest(self._any_nn, self._any_candidates,
                                   self._any_partner_cache, uniq, k)
            partners[:] = choice[inv, rng.randint(k, size=len(seeds))]
        lam = rng.uniform(size=len(seeds))
        if self.noise is None:
            X_new = self._combine(seeds, partners, lam, rng)
            y_new = self._y[seeds] + lam * (self._y[partners] - self._y[seeds])
            positions = seeds if targeted else np.full(len(seeds), -1)
            return Synthesized(X_new, y_new, anchor_positions=positions, report=report)
        # SMOGN: a partner beyond half the median distance to the anchor's
        # neighbours is unsafe; the anchor is perturbed instead
        noisy = np.zeros(len(seeds), dtype=bool)
        t = np.zeros(len(seeds))
        if len(seeds):
            d_nb = self._pair_distances(np.repeat(uniq, k), choice.ravel()).reshape(-1, k)
            half_median = (np.median(d_nb, axis=1) / 2.0)[inv]
            d_pair = self._pair_distances(seeds, partners)
            noisy = d_pair > half_median
            t = np.minimum(self.perturbation, half_median)
        partners = np.where(noisy, seeds, partners)  # a noisy row starts from its anchor
        X_new = self._combine(seeds, partners, np.where(noisy, 0.0, lam), rng,
                              noise_rows=noisy, noise_scale=t)
        y_noise = rng.normal(size=len(seeds)) * float(np.std(self._y)) * t
        y_new = np.where(noisy, self._y[seeds] + y_noise,
                         self._y[seeds] + lam * (self._y[partners] - self._y[seeds]))
        report["n_rows_noise"] = int(noisy.sum())
        positions = seeds if targeted else np.full(len(seeds), -1)
        method = np.where(noisy, "noise", "interpolation").astype(object)
        return Synthesized(X_new, y_new, anchor_positions=positions, report=report,
                           provenance={"method": method})

    def _pair_distances(self, a, b):
        """Euclidean distance between training rows ``a[i]`` and ``b[i]`` as the
        neighbour search sees them."""
        if len(a) == 0:
            return np.zeros(0)
        diff = self._encode_rows(np.asarray(a)) - self._encode_rows(np.asarray(b))
        if sp.issparse(diff):
            return np.sqrt(np.asarray(diff.multiply(diff).sum(axis=1), dtype=float).ravel())
        diff = np.asarray(diff, dtype=float)
        return np.sqrt((diff * diff).sum(axis=1))

    def _generate(self, n_samples, targets, rng):
        if self._continuous:
            return self._generate_continuous(n_samples, targets, rng)
        targeted = targets is not None and len(targets.anchor_indices) > 0
        if targeted:
            anchors = np.asarray(targets.anchor_indices)
            # the per-anchor counts, scaled to the requested total
            seeds = np.repeat(anchors, self._rows_per_anchor(n_samples, targets, rng))
        else:
            per_class = self._requested_class_counts(n_samples, None, self._y)
            seeds = np.concatenate([
                rng.choice(self._class_rows[c], size=n, replace=True)
                for c, n in per_class.items()
            ] or [np.empty(0, dtype=int)]).astype(int)
        y_seed = self._y[seeds]
        # rows of a class (or a training set) with a single row have no partner
        if self.partners == "any_class":
            has_partner = np.full(len(seeds), self._any_k > 0)
            small = np.full(len(seeds), 0 < self._any_k < self.k_neighbors)
        else:
            k_seed = np.array([self._k[c] for c in y_seed.tolist()], dtype=int)
            has_partner = k_seed > 0
            small = has_partner & (k_seed < self.k_neighbors)
        report = {"n_rows_small_classes": int(small.sum()),
                  "n_rows_without_partners": int((~has_partner).sum())}
        if not has_partner.all():
            seeds, y_seed = seeds[has_partner], y_seed[has_partner]
        partners = np.empty(len(seeds), dtype=int)
        # one neighbour search per group of seeds: all of them against one index
        # over every class, or each class against its own index
        if self.partners == "any_class":
            groups = [(np.arange(len(seeds)), self._any_nn, self._any_candidates,
                       self._any_partner_cache, self._any_k)] if len(seeds) else []
        else:
            groups = [(np.flatnonzero(y_seed == c), self._nn[c], self._candidates[c],
                       self._partner_cache, self._k[c]) for c in np.unique(y_seed)]
        for where, nn, candidates, cache, k in groups:
            uniq, inv = np.unique(seeds[where], return_inverse=True)
            choice = self._nearest(nn, candidates, cache, uniq, k)
            pick = rng.randint(k, size=len(where))
            partners[where] = choice[inv.ravel(), pick]
        lam = rng.uniform(size=len(seeds))
        X_new = self._combine(seeds, partners, lam, rng)
        # targeted rows are made around their anchor; untargeted ones for no anchor
        positions = seeds if targeted else np.full(len(seeds), -1)
        return Synthesized(X_new, y_seed, anchor_positions=positions, report=report)

    def _nearest(self, nn, candidates, cache, rows, k):
        """The ``k`` nearest ``candidates`` of each row in ``nn``'s index, the
        row itself excluded; answers are kept in ``cache``."""
        todo = np.array([r for r in rows.tolist() if r not in cache], dtype=int)
        if len(todo):
            Zq = self._encode_rows(todo)
            _, nbr = nn.kneighbors(Zq)
            own = candidates[nbr]
            # first k neighbours that are not the anchor itself (vectorised)
            not_self = own != todo[:, None]
            order = np.argsort(~not_self, axis=1, kind="stable")[:, :k]
            for r, p in zip(todo.tolist(), np.take_along_axis(own, order, axis=1)):
                cache[r] = p
        return np.stack([cache[r] for r in rows.tolist()]) if len(rows) else \
            np.empty((0, k), dtype=int)

    def _combine(self, a, b, lam, rng, noise_rows=None, noise_scale=None):
        schema = self.schema_
        A = schema.numeric_values(take_rows(self._X, a))
        B = schema.numeric_values(take_rows(self._X, b))
        if sp.issparse(A):
            num = (A + sp.diags(lam) @ (B - A)).tocsr()
        else:
            num = A + lam[:, None] * (B - A)
        if noise_rows is not None and np.any(noise_rows):
            # Gaussian noise of std * t on the numeric columns of the noisy rows
            # (of a sparse matrix: on its stored entries, keeping the sparsity)
            std, t = self._num_std, np.asarray(noise_scale, dtype=float)
            if sp.issparse(num):
                num = num.copy()
                row = np.repeat(np.arange(num.shape[0]), np.diff(num.indptr))
                hit = noise_rows[row]
                num.data = num.data.astype(float)
                num.data[hit] += rng.normal(size=int(hit.sum())) * \
                    std[num.indices[hit]] * t[row[hit]]
            else:
                num = np.array(num, dtype=float)
                m = int(noise_rows.sum())
                num[noise_rows] += rng.normal(size=(m, num.shape[1])) * std[None, :] * \
                    t[noise_rows, None]
        cats = {}
        if schema.categorical:
            from_b = rng.uniform(size=len(a)) < lam
            for c in schema.categorical:
                va = self._X[c].to_numpy()[a]
                vb = self._X[c].to_numpy()[b]
                cats[c] = np.where(from_b, vb, va)
        out = schema.restore(num, cats)
        if isinstance(out, pd.DataFrame):
            out.index = pd.RangeIndex(len(out))
        return out
