"""Deep tabular generators through SDV: CTGAN, TVAE and a Gaussian copula.

Each generator fits one SDV single-table synthesizer on the real training rows
with the label as an extra categorical column (once per outer fit), then, for
every round of the loop:

1. samples, per class, exactly the rows the loop asks for with an SDV
   ``Condition`` on the label (a conditional copula for the Gaussian copula,
   rejection on the label alone for CTGAN and TVAE), ``oversample`` times as
   many when it is to choose among them;
2. keeps, of each class's candidates, those nearest the anchors of that class
   (standardised numeric distance plus category mismatches, in chunks) or
   those the current model is least sure about.

SDV range conditions are not used to reach a region: they are rejection
sampling too and fail with "Unable to sample any rows" on rare regions
(SDV issue #1424); choosing among class-conditional candidates always returns
rows. SDV (and CTGAN/TVAE) are under the Business Source License 1.1, which is
why they are an optional extra (``pip install 'sklearn-activesynth[sdv]'``),
imported only inside ``fit``.
"""

import contextlib
import copy
import io
import time
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd

from ..utils._compat import HasMethods, Interval, StrOptions
from ..utils._seeding import MAX_SEED, check_random_state, seeded_global_rngs
from ..utils.tabular import concat_rows, take_rows
from .base import BaseGenerator, GeneratorTags, Synthesized

__all__ = ["CTGANGenerator", "TVAEGenerator", "GaussianCopulaGenerator"]

_TABLE = "data"
# distance blocks hold at most this many floats (anchors x candidates)
_CHUNK_FLOATS = 4_000_000


def _import_sdv(owner):
    """The SDV pieces the adapters use, or an ImportError naming the extra."""
    try:
        import sdv  # noqa: F401  (the top-level import fails first when sdv is absent)
        from sdv.metadata import Metadata
        from sdv.sampling import Condition
        from sdv import single_table
    except ImportError as exc:
        raise ImportError(
            f"{owner} needs SDV: pip install 'sklearn-activesynth[sdv]'"
        ) from exc
    return Metadata, Condition, single_table


def _sq_distances(Za, Zc, c2):
    """Squared Euclidean distances between rows of ``Za`` and ``Zc`` (up to the
    per-row constant ``|a|^2``, which does not change a row's ranking)."""
    return c2[None, :] - 2.0 * (Za @ Zc.T)


def _assign_nearest(Z_cand, Z_anch, counts, order):
    """Greedy nearest-candidate assignment: each anchor, in ``order``, takes its
    ``counts[a]`` nearest unused candidates. Distances are computed a block of
    anchors at a time, so memory stays at ``_CHUNK_FLOATS``.

    Returns (candidate indices, anchor index of each).
    """
    n_cand = Z_cand.shape[0]
    used = np.zeros(n_cand, dtype=bool)
    c2 = np.einsum("ij,ij->i", Z_cand, Z_cand)
    picks, owners = [], []
    block = max(1, _CHUNK_FLOATS // max(n_cand, 1))
    left = n_cand
    for start in range(0, len(order), block):
        if left == 0:
            break
        idx = order[start: start + block]
        D = _sq_distances(Z_anch[idx], Z_cand, c2)
        for row, a in zip(D, idx):
            k = int(min(counts[a], left))
            if k <= 0:
                continue
            row[used] = np.inf
            sel = np.argpartition(row, k - 1)[:k] if k < n_cand else np.flatnonzero(~used)
            used[sel] = True
            left -= k
            picks.append(sel)
            owners.append(np.full(k, a))
    if not picks:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    return np.concatenate(picks), np.concatenate(owners)


def _nearest_anchor(Z_rows, Z_anch):
    """Index of the nearest anchor of every row (in blocks of rows)."""
    if Z_anch.shape[0] == 0:
        return np.full(Z_rows.shape[0], -1)
    a2 = np.einsum("ij,ij->i", Z_anch, Z_anch)
    out = np.empty(Z_rows.shape[0], dtype=int)
    block = max(1, _CHUNK_FLOATS // Z_anch.shape[0])
    for start in range(0, Z_rows.shape[0], block):
        D = _sq_distances(Z_rows[start: start + block], Z_anch, a2)
        out[start: start + block] = D.argmin(axis=1)
    return out


class _BaseSDVGenerator(BaseGenerator):
    """Shared fit/generate logic of the SDV adapters; subclasses say which
    synthesizer to build and with which parameters (``_synthesizer``)."""

    _parameter_constraints = {
        "metadata": [dict, HasMethods(["to_dict"]), None],
        "selection": [StrOptions({"anchors", "uncertainty"}), None],
        "oversample": [Interval(Integral, 1, None, closed="left")],
        "max_tries_per_batch": [Interval(Integral, 1, None, closed="left")],
        "enforce_min_max_values": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "target_type": [StrOptions({"classes", "continuous"}), None],
    }

    @property
    def _continuous(self):
        return getattr(self, "target_type", None) == "continuous"

    # ------------------------------------------------------------------ subclass hooks
    def _synthesizer(self, single_table, metadata):  # pragma: no cover - abstract
        raise NotImplementedError

    def _torch_devices(self):
        """CUDA devices whose RNG the fit must fork; None: torch is not used."""
        return None

    # ------------------------------------------------------------------ fit
    def _frame(self, X):
        """The rows as a DataFrame SDV takes: string column names, categoricals
        as object columns (CTGAN/TVAE refuse pandas' category dtype)."""
        schema = self.schema_
        if schema.is_frame:
            df = X.copy()
            df.columns = self._sdv_columns
            for c in schema.categorical:
                name = self._sdv_name[c]
                if isinstance(df[name].dtype, pd.CategoricalDtype) or \
                        pd.api.types.is_string_dtype(df[name].dtype):
                    df[name] = df[name].astype(object)
            return df.reset_index(drop=True)
        return pd.DataFrame(np.asarray(X, dtype=float), columns=self._sdv_columns)

    def _build_metadata(self, Metadata, frame):
        schema = self.schema_
        if self.metadata is None:
            md = Metadata.detect_from_dataframes({_TABLE: frame}, infer_keys=None)
            table = md._get_single_table_name()
            columns = md.tables[table].columns
            # SDV would make up values for what it takes for ids or personal data
            # (a column of city names becomes fake cities); the output must keep
            # the training values, so every column is modelled as data.
            for c in schema.categorical:
                name = self._sdv_name[c]
                if columns[name].get("sdtype") not in ("categorical", "boolean"):
                    md.update_column(name, table_name=table, sdtype="categorical")
            for c in schema.numeric:
                name = self._sdv_name[c]
                if columns[name].get("sdtype") not in ("numerical", "categorical", "boolean"):
                    md.update_column(name, table_name=table, sdtype="numerical")
            md.update_column(self.label_column_, table_name=table, sdtype=self._label_sdtype)
            return md
        given = self.metadata
        if isinstance(given, dict):
            md = Metadata.load_from_dict(copy.deepcopy(given))
        else:
            md = copy.deepcopy(given)
        table = md._get_single_table_name()
        columns = md.tables[table].columns
        expected = set(self._sdv_columns)
        named = set(columns) - {self.label_column_}
        if named != expected:
            raise ValueError(
                f"metadata describes columns {sorted(named - expected)} that X does not "
                f"have, and misses {sorted(expected - named)}; it must describe every "
                "column of X (array columns are named x0, x1, ...). The label column "
                f"{self.label_column_!r} is added as categorical."
            )
        if self.label_column_ in columns:
            md.update_column(self.label_column_, table_name=table, sdtype=self._label_sdtype)
        else:
            md.add_column(self.label_column_, table_name=table, sdtype=self._label_sdtype)
        return md

    @property
    def _label_sdtype(self):
        return "numerical" if self._continuous else "categorical"

    def _fit(self, X, y):
        name = type(self).__name__
        Metadata, self._Condition, single_table = _import_sdv(name)
        schema = self.schema_
        if schema.is_frame:
            self._sdv_columns = [str(c) for c in schema.columns]
            if len(set(self._sdv_columns)) != len(self._sdv_columns):
                raise ValueError(
                    f"{name} needs distinct column names as strings; "
                    f"{list(schema.columns)} collide once converted to str.")
        else:
            self._sdv_columns = [f"x{j}" for j in range(schema.n_features)]
        self._sdv_name = dict(zip(schema.columns, self._sdv_columns))
        label = "__label__"
        while label in self._sdv_columns:
            label = f"_{label}_"
        self.label_column_ = label
        frame = self._frame(X)
        if self._continuous:
            try:
                self._y = np.asarray(y, dtype=float)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"{name}(target_type='continuous') needs a numeric y; got "
                    f"{np.asarray(y).dtype} ({exc}).") from exc
            if not np.isfinite(self._y).all():
                raise ValueError(f"{name}(target_type='continuous') needs a finite y "
                                 "(no NaN or infinity).")
            scale = float(np.std(self._y))
            self._y_center, self._y_scale = float(np.mean(self._y)), \
                scale if scale > 0 else 1.0
            frame[label] = self._y  # a numerical column of the table
        else:
            self._y = np.asarray(y)
            codes = np.searchsorted(self.classes_, self._y)
            frame[label] = codes.astype(str)
        self.metadata_ = self._build_metadata(Metadata, frame)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*save_to_json.*")
            synth = self._synthesizer(single_table, self.metadata_)
        rng = check_random_state(self.random_state)
        # SDV trains CTGAN/TVAE with torch's and numpy's global generators: seed
        # them for the fit and put the caller's states back afterwards
        with seeded_global_rngs(rng.randint(MAX_SEED), torch_devices=self._torch_devices()):
            try:
                synth.fit({_TABLE: frame})
            except Exception as exc:
                if type(exc).__module__.startswith("sdv"):
                    # SDV refusing the data or metadata is not transient: no retry
                    raise ValueError(
                        f"{type(self).__name__}: SDV rejected the training data: {exc}"
                    ) from exc
                raise
        self.synthesizer_ = synth
        self._warned_shortfall = False
        # classes SDV's rejection sampling found none of: not asked again this fit
        self._unproducible = set()
        return self

    # ------------------------------------------------------------------ generate
    def _sample_classes(self, rows_per_code):
        """One SDV call for every class: ``{code: n_rows}`` -> rows with their label
        column (fewer than asked where SDV's rejection sampling gave up: a class the
        synthesizer rarely or never produces), or None when it found no row at all."""
        conditions = [self._Condition({self.label_column_: str(code)}, num_rows=int(n))
                      for code, n in rows_per_code.items()]
        # SDV draws a progress bar on stderr for every conditional call and warns
        # about partial results; the shortfall is reported through history_ instead
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            try:
                out = self.synthesizer_.sample_from_conditions(
                    conditions, max_tries_per_batch=self.max_tries_per_batch)
            except ValueError as exc:
                if "Unable to sample any rows" not in str(exc):
                    raise
                return None
        out = out[_TABLE] if isinstance(out, dict) else out
        return out.reset_index(drop=True)

    def _restore(self, frame):
        """SDV rows (our column names) back to the training container and dtypes."""
        schema = self.schema_
        num_cols = [self._sdv_name[c] for c in schema.numeric]
        num = frame[num_cols].to_numpy(dtype=float) if num_cols else \
            np.empty((len(frame), 0))
        cats = {c: frame[self._sdv_name[c]].to_numpy() for c in schema.categorical}
        out = schema.restore(num, cats)
        if isinstance(out, pd.DataFrame):
            out.index = pd.RangeIndex(len(out))
        return out

    def _empty(self):
        return self._restore(pd.DataFrame(
            {c: pd.Series(dtype=float) for c in self._sdv_columns}))

    def _seed_sampling(self, rng):
        self.synthesizer_.reset_sampling()
        # SDV seeds sampling with a fixed constant unless told otherwise, and offers
        # no public way to tell it (SDV 2.0): one generate call = one seed
        seed = int(rng.randint(MAX_SEED))
        set_state = getattr(self.synthesizer_, "_set_random_state", None)
        if set_state is None:  # pragma: no cover - a future SDV without it
            raise RuntimeError(
                f"{type(self).__name__} cannot seed this SDV version's sampling "
                "(no _set_random_state); please report it.")
        set_state(seed)

    def _generate_continuous(self, n_samples, targets, rng):
        """A continuous target: the synthesizer samples rows with their target
        (a numerical column), ``oversample`` times as many when selecting; the
        candidates nearest the anchors in (X, y) are kept (standardised
        features and target), or the most uncertain ones."""
        has_anchors = targets is not None and len(targets.anchor_indices) > 0
        selection = self.selection if has_anchors else None
        if selection == "uncertainty" and getattr(targets, "uncertainty_fn", None) is None:
            selection = "anchors"  # called outside the loop: no model to ask
        factor = self.oversample if selection is not None else 1
        t0 = time.perf_counter()
        self._seed_sampling(rng)
        frame = None
        if n_samples:
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                frame = self.synthesizer_.sample(num_rows=int(n_samples * factor))
            frame = frame[_TABLE] if isinstance(frame, dict) else frame
            frame = frame.reset_index(drop=True)
        y_cand = np.empty(0) if frame is None else \
            pd.to_numeric(frame[self.label_column_], errors="coerce").to_numpy(dtype=float)
        finite = np.flatnonzero(np.isfinite(y_cand))
        cand = self._restore(frame.iloc[finite]) if frame is not None else self._empty()
        y_cand = y_cand[finite]
        m = len(y_cand)
        t1 = time.perf_counter()
        k = min(n_samples, m)
        if selection is None:
            idx, owner = np.arange(k), np.full(k, -1)
        else:
            anchors = np.asarray(targets.anchor_indices)
            Z_anch = self._encode_xy(take_rows(targets.anchors, np.arange(len(anchors))),
                                     np.asarray(targets.anchor_y, dtype=float))
            Z_cand = self._encode_xy(cand, y_cand)
            if selection == "uncertainty":
                u = np.asarray(targets.uncertainty_fn(cand), dtype=float)
                idx = np.argsort(-u, kind="stable")[:k]
                owner = anchors[_nearest_anchor(Z_cand[idx], Z_anch)]
            else:
                counts = np.asarray(targets.anchor_counts, dtype=float)
                if counts.sum() <= 0:
                    counts = np.ones(len(anchors))
                raw = counts / counts.sum() * k
                per = np.floor(raw).astype(int)
                for i in np.argsort(-(raw - per), kind="stable")[: k - per.sum()]:
                    per[i] += 1
                scores = np.asarray(targets.anchor_scores, dtype=float) \
                    if targets.anchor_scores is not None else np.zeros(len(anchors))
                order = np.argsort(-scores, kind="stable")
                idx, own = _assign_nearest(Z_cand, Z_anch, per, order)
                owner = anchors[own]
        X_new = take_rows(cand, idx)
        if isinstance(X_new, pd.DataFrame):
            X_new.index = pd.RangeIndex(len(X_new))
        report = {
            "n_candidates": int(m),
            "n_shortfall": int(n_samples - len(idx)),
            "seconds_sampling": t1 - t0,
            "seconds_selection": time.perf_counter() - t1,
        }
        return Synthesized(X_new, y_cand[idx], anchor_positions=np.asarray(owner, dtype=int),
                           report=report)

    def _encode_xy(self, X, y):
        """Rows and their targets as one numeric matrix: the standardised
        features (plus category mismatches) and the standardised target."""
        Z = np.asarray(self.schema_.encode(X), dtype=float)
        t = ((np.asarray(y, dtype=float) - self._y_center) / self._y_scale)[:, None]
        return np.hstack([Z, t])

    def _generate(self, n_samples, targets, rng):
        if self._continuous:
            return self._generate_continuous(n_samples, targets, rng)
        counts = self._requested_class_counts(n_samples, targets, self._y) \
            if n_samples else {}
        has_anchors = targets is not None and len(targets.anchor_indices) > 0
        selection = self.selection if has_anchors else None
        if selection == "uncertainty" and getattr(targets, "uncertainty_fn", None) is None:
            selection = "anchors"  # called outside the loop: no model to ask
        factor = self.oversample if selection is not None else 1

        t0 = time.perf_counter()
        self._seed_sampling(rng)
        code_of = {c: i for i, c in enumerate(self.classes_.tolist())}
        unproducible = getattr(self, "_unproducible", set())
        ask = {code_of[c]: n * factor for c, n in counts.items() if c not in unproducible}
        frame = self._sample_classes(ask) if ask else None
        blocks, n_cand = {}, 0
        if frame is not None and len(frame):
            codes = frame[self.label_column_].astype(int).to_numpy()
            restored = self._restore(frame)
            n_cand = len(frame)
        for c in counts:
            if c in unproducible:
                continue
            where = np.empty(0, dtype=int) if frame is None or not len(frame) else \
                np.flatnonzero(codes == code_of[c])
            if len(where):
                blocks[c] = take_rows(restored, where)
                if isinstance(blocks[c], pd.DataFrame):
                    blocks[c] = blocks[c].reset_index(drop=True)
            else:
                unproducible.add(c)
        t1 = time.perf_counter()

        uncertainty = None
        if selection == "uncertainty" and blocks:
            allX = concat_rows(list(blocks.values()))
            u = np.asarray(targets.uncertainty_fn(allX), dtype=float)
            bounds = np.cumsum([0] + [b.shape[0] for b in blocks.values()])
            uncertainty = {c: u[bounds[i]: bounds[i + 1]] for i, c in enumerate(blocks)}
        X_parts, y_parts, pos_parts, shortfall = [], [], [], {}
        for c, n in counts.items():
            cand = blocks.get(c)
            m = 0 if cand is None else cand.shape[0]
            if m == 0:
                shortfall[c] = n
                continue
            if selection is None:
                idx = np.arange(min(n, m))
                owner = np.full(len(idx), -1)
            else:
                idx, owner = self._select(cand, c, n, targets, selection,
                                          None if uncertainty is None else uncertainty[c])
            shortfall[c] = n - len(idx)
            X_parts.append(take_rows(cand, idx))
            y_parts.append(np.full(len(idx), c, dtype=self.classes_.dtype))
            pos_parts.append(owner)
        t2 = time.perf_counter()

        if X_parts:
            X_new = concat_rows(X_parts)
            if isinstance(X_new, pd.DataFrame):
                X_new.index = pd.RangeIndex(len(X_new))
        else:
            X_new = self._empty()
        y_new = np.concatenate(y_parts) if y_parts else np.empty(0, dtype=self.classes_.dtype)
        positions = np.concatenate(pos_parts) if pos_parts else np.empty(0, dtype=int)
        report = {
            "n_candidates": int(n_cand),
            "n_shortfall": int(sum(shortfall.values())),
            "seconds_sampling": t1 - t0,
            "seconds_selection": t2 - t1,
        }
        for c in self.classes_.tolist():
            report[f"shortfall_{c}"] = int(shortfall.get(c, 0))
        short = {c: s for c, s in shortfall.items() if s > 0}
        if short and not getattr(self, "_warned_shortfall", False):
            self._warned_shortfall = True
            detail = ", ".join(f"class {c!r}: {s} of {counts[c]}" for c, s in short.items())
            warnings.warn(
                f"{type(self).__name__} could not produce every row asked for ({detail} "
                "missing): the synthesizer rarely or never generates that class. The "
                "rows it did produce are used; the shortfall per round is in history_ "
                "(shortfall_<class>). More epochs, or a larger max_tries_per_batch, "
                "may help. (Warned once per fit.)",
                UserWarning,
            )
        return Synthesized(X_new, y_new, anchor_positions=positions, report=report)

    def _select(self, cand, c, n, targets, selection, u):
        """Which ``n`` candidates of class ``c`` to keep, and the training-row
        position of the anchor each is attributed to."""
        anchor_y = np.asarray(targets.anchor_y)
        own = np.flatnonzero(anchor_y == c)
        if len(own) == 0:
            own = np.arange(len(anchor_y))  # no anchor of this class: any anchor
        anchors = np.asarray(targets.anchor_indices)[own]
        Z_anch = self.schema_.encode(take_rows(targets.anchors, own))
        Z_cand = self.schema_.encode(cand)
        m = Z_cand.shape[0]
        if selection == "uncertainty":
            k = min(n, m)
            # the most uncertain first; ties (e.g. a constant model) keep SDV's order
            idx = np.argsort(-u, kind="stable")[:k]
            owner = _nearest_anchor(Z_cand[idx], Z_anch)
            return idx, anchors[owner]
        counts = np.asarray(targets.anchor_counts)[own].astype(float)
        if counts.sum() <= 0:
            counts = np.ones(len(own))
        # scale the anchors' shares to what this class gets (after any rescaling)
        raw = counts / counts.sum() * min(n, m)
        per = np.floor(raw).astype(int)
        for i in np.argsort(-(raw - per), kind="stable")[: min(n, m) - per.sum()]:
            per[i] += 1
        scores = np.asarray(targets.anchor_scores, dtype=float)[own] \
            if targets.anchor_scores is not None else np.zeros(len(own))
        order = np.argsort(-scores, kind="stable")  # the most uncertain anchor chooses first
        idx, owner = _assign_nearest(Z_cand, Z_anch, per, order)
        return idx, anchors[owner]


_SHARED_DOC = """
    metadata : dict, sdv.metadata.Metadata or None, default=None
        SDV metadata describing the columns of X (array columns are named
        ``x0, x1, ...``). ``None`` detects it from the data; every column is
        then modelled as data (``numerical`` or ``categorical``): SDV would
        otherwise invent values for what it takes for ids or personal data,
        and the output keeps the training values. The label is always added
        as a categorical column.
    selection : {"anchors", "uncertainty"} or None, default="anchors"
        How a targeted round's candidates are chosen: ``"anchors"`` keeps,
        for each anchor, its nearest candidates of the same class
        (standardised numeric distance plus category mismatches);
        ``"uncertainty"`` keeps the candidates the current model is least
        sure about. ``None`` keeps the first class-conditional samples (no
        oversampling): the untargeted control.
    oversample : int, default=10
        Candidates sampled per requested row when selecting.
    max_tries_per_batch : int, default=20
        SDV's rejection-sampling budget per class and call; each try samples
        up to ten times the rows still missing. What it cannot produce is
        recorded as a shortfall, never waited for.
    enforce_min_max_values : bool, default=True
        Clip numeric columns to the training range (SDV).
    verbose : bool, default=False
        SDV's training progress output.
    target_type : {"classes", "continuous"} or None, default=None
        What ``y`` holds. "classes" (``None`` means it unless the estimator
        that fits the generator says otherwise): a categorical label column,
        sampled per class as above. "continuous": a numeric target, modelled
        as a numerical column of the table; each round samples ``oversample``
        times the rows asked for (unconditionally: SDV's range conditions are
        rejection sampling) and keeps, for each anchor, the candidates
        nearest it in (X, y), the standardised features and target together
        (``selection="anchors"``), or the most uncertain candidates.
        :class:`~sklearn_activesynth.ActiveSynthesisRegressor` sets
        "continuous" on its copy.
    random_state : int, RandomState instance or None, default=None
        Seeds the training (SDV trains with the global numpy and torch
        generators: they are seeded from this value for the fit and their
        previous states put back afterwards, so the caller's own streams are
        untouched; ``None`` draws the seed from numpy's global generator, like
        scikit-learn). Inside ``ActiveSynthesisClassifier`` it follows the
        classifier's ``random_state``. Sampling is seeded per ``generate``
        call from its ``random_state``.
"""

_SHARED_ATTRS = """
    Attributes
    ----------
    classes_ : ndarray
        Labels seen in ``fit``.
    schema_ : TabularSchema
        Column kinds and dtypes of the training data.
    synthesizer_ : sdv synthesizer
        The fitted SDV synthesizer.
    metadata_ : sdv.metadata.Metadata
        The metadata it was built with (label column included).
    label_column_ : str
        Name of the label column in the synthesizer's table.
"""

_SHARED_NOTES = """
    Notes
    -----
    Needs the optional ``sdv`` extra (``pip install 'sklearn-activesynth[sdv]'``;
    install ``torch==2.13.0`` first to get the CPU build). SDV is licensed
    under the Business Source License 1.1, not an open-source licence; read
    it before using these generators in a product.

    ``generate`` returns a :class:`~sklearn_activesynth.generators.Synthesized`
    whose ``report`` holds the call's figures, merged into the classifier's
    ``history_``: ``n_candidates``, ``n_shortfall``, ``shortfall_<class>``,
    ``seconds_sampling``, ``seconds_selection``; its ``anchor_positions`` give
    the training-row position of the anchor each row was chosen for (-1 when
    untargeted).

    Class counts are met exactly with an SDV ``Condition`` on the label. When
    a class cannot be produced (a rare class the synthesizer never learned),
    the rows that were produced are returned, the shortfall is recorded in
    the result's ``report`` (and so in ``history_``) and one ``UserWarning`` is
    issued per fit; ``generate`` does not raise for it. A class of which the
    rejection sampling found no row at all is not sampled again until the
    next ``fit`` (each try costs up to ten times the rows asked for). SDV range conditions
    are deliberately not used to reach a region (they are rejection sampling
    and fail on rare regions, SDV issue #1424).

    The global generators are seeded and restored around the fit, which is
    not thread-safe: do not fit two of these generators in threads of one
    process at once (processes are fine).
"""


class CTGANGenerator(_BaseSDVGenerator):
    __doc__ = """Conditional tabular GAN (SDV's CTGAN), aimed at the uncertain regions.

    Fitted once on the real training rows with the label as a categorical
    column; each round samples the requested rows per class (an SDV
    ``Condition`` on the label), ``oversample`` times as many, and keeps those
    nearest the round's anchors or those the current model is least sure
    about (seed 000 §2.3, GAN-based conditional generation).

    Parameters
    ----------
    epochs : int, default=300
        Training epochs (SDV's default; a few dozen are often enough for the
        loop, and ``generator__epochs`` tunes it in ``GridSearchCV``).
    batch_size : int, default=500
        Must be a multiple of ``pac``.
    embedding_dim : int, default=128
        Size of the generator's random input.
    generator_dim, discriminator_dim : tuple of int, default=(256, 256)
        Hidden layer sizes.
    generator_lr, discriminator_lr : float, default=2e-4
    generator_decay, discriminator_decay : float, default=1e-6
    discriminator_steps : int, default=1
    log_frequency : bool, default=True
        Sample the training condition by log frequency of the categories.
    pac : int, default=10
        Rows the discriminator judges together.
    enable_gpu : bool, default=False
        Train on CUDA when it is available (CPU otherwise).
""" + _SHARED_DOC + _SHARED_ATTRS + """
    See Also
    --------
    TVAEGenerator : a variational autoencoder, usually faster to train.
    GaussianCopulaGenerator : no neural network; seconds to fit.
    InterpolationGenerator : built in, no training.
""" + _SHARED_NOTES + """
    References
    ----------
    Xu et al., "Modeling Tabular data using Conditional GAN", NeurIPS 2019.
    Active Synthesis (seed 000), §2.3.

    Examples
    --------
    >>> from sklearn_activesynth.generators import CTGANGenerator
    >>> from sklearn_activesynth.utils.estimator_checks import make_check_frame
    >>> X, y = make_check_frame()
    >>> gen = CTGANGenerator(epochs=5, random_state=0).fit(X, y)  # doctest: +SKIP
    >>> X_new, y_new = gen.generate(10, random_state=0)  # doctest: +SKIP
    >>> list(X_new.columns) == list(X.columns)  # doctest: +SKIP
    True
    """

    _parameter_constraints = {
        **_BaseSDVGenerator._parameter_constraints,
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dim": [tuple, list],
        "discriminator_dim": [tuple, list],
        "generator_lr": [Interval(Real, 0, None, closed="neither")],
        "generator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
        "discriminator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "log_frequency": ["boolean"],
        "pac": [Interval(Integral, 1, None, closed="left")],
        "enable_gpu": ["boolean"],
    }

    def __init__(self, epochs=300, *, batch_size=500, embedding_dim=128,
                 generator_dim=(256, 256), discriminator_dim=(256, 256),
                 generator_lr=2e-4, generator_decay=1e-6, discriminator_lr=2e-4,
                 discriminator_decay=1e-6, discriminator_steps=1, log_frequency=True,
                 pac=10, enable_gpu=False, metadata=None, selection="anchors",
                 oversample=10, max_tries_per_batch=20, enforce_min_max_values=True,
                 verbose=False, random_state=None, target_type=None):
        self.epochs = epochs
        self.batch_size = batch_size
        self.embedding_dim = embedding_dim
        self.generator_dim = generator_dim
        self.discriminator_dim = discriminator_dim
        self.generator_lr = generator_lr
        self.generator_decay = generator_decay
        self.discriminator_lr = discriminator_lr
        self.discriminator_decay = discriminator_decay
        self.discriminator_steps = discriminator_steps
        self.log_frequency = log_frequency
        self.pac = pac
        self.enable_gpu = enable_gpu
        self.metadata = metadata
        self.selection = selection
        self.oversample = oversample
        self.max_tries_per_batch = max_tries_per_batch
        self.enforce_min_max_values = enforce_min_max_values
        self.verbose = verbose
        self.random_state = random_state
        self.target_type = target_type

    def __generator_tags__(self):
        return GeneratorTags(conditional=True, uses_anchors=True, requires_torch=True,
                             continuous_target=True)

    def _torch_devices(self):
        return _cuda_devices(self.enable_gpu)

    def _synthesizer(self, single_table, metadata):
        if self.batch_size % self.pac:
            raise ValueError(
                f"CTGANGenerator: batch_size={self.batch_size} must be a multiple of "
                f"pac={self.pac}.")
        return single_table.CTGANSynthesizer(
            metadata, enforce_min_max_values=self.enforce_min_max_values,
            embedding_dim=self.embedding_dim, generator_dim=tuple(self.generator_dim),
            discriminator_dim=tuple(self.discriminator_dim),
            generator_lr=self.generator_lr, generator_decay=self.generator_decay,
            discriminator_lr=self.discriminator_lr,
            discriminator_decay=self.discriminator_decay, batch_size=self.batch_size,
            discriminator_steps=self.discriminator_steps,
            log_frequency=self.log_frequency, verbose=bool(self.verbose),
            epochs=self.epochs, pac=self.pac, enable_gpu=self.enable_gpu,
        )


class TVAEGenerator(_BaseSDVGenerator):
    __doc__ = """Tabular variational autoencoder (SDV's TVAE), aimed at the uncertain regions.

    Fitted once on the real training rows with the label as a categorical
    column; each round samples the requested rows per class (an SDV
    ``Condition`` on the label), ``oversample`` times as many, and keeps those
    nearest the round's anchors or those the current model is least sure
    about.

    Parameters
    ----------
    epochs : int, default=300
        Training epochs (SDV's default; ``generator__epochs`` tunes it in
        ``GridSearchCV``).
    batch_size : int, default=500
    embedding_dim : int, default=128
        Size of the latent space.
    compress_dims, decompress_dims : tuple of int, default=(128, 128)
        Hidden layer sizes of the encoder and the decoder.
    l2scale : float, default=1e-5
        Weight decay.
    loss_factor : float, default=2
        Multiplier of the reconstruction error.
    enable_gpu : bool, default=False
        Train on CUDA when it is available (CPU otherwise).
""" + _SHARED_DOC + _SHARED_ATTRS + """
    See Also
    --------
    CTGANGenerator : a conditional GAN.
    GaussianCopulaGenerator : no neural network; seconds to fit.
""" + _SHARED_NOTES + """
    References
    ----------
    Xu et al., "Modeling Tabular data using Conditional GAN", NeurIPS 2019 (TVAE).

    Examples
    --------
    >>> from sklearn_activesynth.generators import TVAEGenerator
    >>> from sklearn_activesynth.utils.estimator_checks import make_check_frame
    >>> X, y = make_check_frame()
    >>> gen = TVAEGenerator(epochs=5, random_state=0).fit(X, y)  # doctest: +SKIP
    >>> X_new, y_new = gen.generate(10, random_state=0)  # doctest: +SKIP
    >>> X_new.dtypes.equals(X.dtypes)  # doctest: +SKIP
    True
    """

    _parameter_constraints = {
        **_BaseSDVGenerator._parameter_constraints,
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "compress_dims": [tuple, list],
        "decompress_dims": [tuple, list],
        "l2scale": [Interval(Real, 0, None, closed="left")],
        "loss_factor": [Interval(Real, 0, None, closed="neither")],
        "enable_gpu": ["boolean"],
    }

    def __init__(self, epochs=300, *, batch_size=500, embedding_dim=128,
                 compress_dims=(128, 128), decompress_dims=(128, 128), l2scale=1e-5,
                 loss_factor=2, enable_gpu=False, metadata=None, selection="anchors",
                 oversample=10, max_tries_per_batch=20, enforce_min_max_values=True,
                 verbose=False, random_state=None, target_type=None):
        self.epochs = epochs
        self.batch_size = batch_size
        self.embedding_dim = embedding_dim
        self.compress_dims = compress_dims
        self.decompress_dims = decompress_dims
        self.l2scale = l2scale
        self.loss_factor = loss_factor
        self.enable_gpu = enable_gpu
        self.metadata = metadata
        self.selection = selection
        self.oversample = oversample
        self.max_tries_per_batch = max_tries_per_batch
        self.enforce_min_max_values = enforce_min_max_values
        self.verbose = verbose
        self.random_state = random_state
        self.target_type = target_type

    def __generator_tags__(self):
        return GeneratorTags(conditional=True, uses_anchors=True, requires_torch=True,
                             continuous_target=True)

    def _torch_devices(self):
        return _cuda_devices(self.enable_gpu)

    def _synthesizer(self, single_table, metadata):
        return single_table.TVAESynthesizer(
            metadata, enforce_min_max_values=self.enforce_min_max_values,
            embedding_dim=self.embedding_dim, compress_dims=tuple(self.compress_dims),
            decompress_dims=tuple(self.decompress_dims), l2scale=self.l2scale,
            batch_size=self.batch_size, verbose=bool(self.verbose), epochs=self.epochs,
            loss_factor=self.loss_factor, enable_gpu=self.enable_gpu,
        )


class GaussianCopulaGenerator(_BaseSDVGenerator):
    __doc__ = """Gaussian copula (SDV), aimed at the uncertain regions.

    Per-column marginals joined by a Gaussian copula; no neural network, so
    it fits in seconds and its class conditions are exact conditional draws
    (not rejection). Each round samples the requested rows per class (an SDV
    ``Condition`` on the label), ``oversample`` times as many, and keeps those
    nearest the round's anchors or those the current model is least sure
    about.

    Parameters
    ----------
    default_distribution : {"beta", "norm", "truncnorm", "uniform", "gamma", \
            "gaussian_kde"}, default="beta"
        Marginal distribution of numeric columns.
    numerical_distributions : dict or None, default=None
        Column name -> distribution, overriding ``default_distribution``.
""" + _SHARED_DOC + _SHARED_ATTRS + """
    See Also
    --------
    CTGANGenerator, TVAEGenerator : neural generators for richer dependencies.
    InterpolationGenerator : built in, no training.
""" + _SHARED_NOTES + """
    References
    ----------
    Patki, Wedge and Veeramachaneni, "The Synthetic Data Vault", IEEE DSAA 2016.

    Examples
    --------
    >>> from sklearn_activesynth.generators import GaussianCopulaGenerator
    >>> from sklearn_activesynth.utils.estimator_checks import make_check_frame
    >>> X, y = make_check_frame()
    >>> gen = GaussianCopulaGenerator(random_state=0).fit(X, y)  # doctest: +SKIP
    >>> X_new, y_new = gen.generate(10, random_state=0)  # doctest: +SKIP
    >>> X_new["count"].dtype  # doctest: +SKIP
    dtype('int64')
    """

    _parameter_constraints = {
        **_BaseSDVGenerator._parameter_constraints,
        "default_distribution": [StrOptions(
            {"beta", "norm", "truncnorm", "uniform", "gamma", "gaussian_kde"})],
        "numerical_distributions": [dict, None],
    }

    def __init__(self, default_distribution="beta", *, numerical_distributions=None,
                 metadata=None, selection="anchors", oversample=10,
                 max_tries_per_batch=20, enforce_min_max_values=True, verbose=False,
                 random_state=None, target_type=None):
        self.default_distribution = default_distribution
        self.numerical_distributions = numerical_distributions
        self.metadata = metadata
        self.selection = selection
        self.oversample = oversample
        self.max_tries_per_batch = max_tries_per_batch
        self.enforce_min_max_values = enforce_min_max_values
        self.verbose = verbose
        self.random_state = random_state
        self.target_type = target_type

    def __generator_tags__(self):
        return GeneratorTags(conditional=True, uses_anchors=True, requires_torch=False,
                             continuous_target=True)

    def _synthesizer(self, single_table, metadata):
        dists = None
        if self.numerical_distributions:
            dists = {self._sdv_name.get(k, str(k)): v
                     for k, v in self.numerical_distributions.items()}
        return single_table.GaussianCopulaSynthesizer(
            metadata, enforce_min_max_values=self.enforce_min_max_values,
            numerical_distributions=dists, default_distribution=self.default_distribution,
        )


def _cuda_devices(enable_gpu):
    """The CUDA devices a GPU fit will touch ([] on CPU)."""
    if not enable_gpu:
        return []
    import torch

    return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
