"""Pictures of a fit: scikit-learn-style displays.

Each display follows scikit-learn's ``*Display`` conventions: the class method
``from_estimator`` computes what to draw from a fitted
:class:`~sklearn_activesynth.ActiveSynthesisClassifier` or
:class:`~sklearn_activesynth.ActiveSynthesisSampler` and calls ``plot``;
``plot(ax=...)`` draws on your axes (or a new figure) and returns the display,
which keeps the figure (``figure_``), the axes and the drawn artists. The
constructor takes the computed data, so a display can be rebuilt from a saved
``history_`` or ``synthetic_provenance_``.

- :class:`FitHistoryDisplay`: the validation score, the uncertainty and the
  rows generated / accepted per round.
- :class:`UncertaintyMapDisplay`: a 2-D map of real rows, coloured by
  uncertainty or class, with the synthetic rows marked by round.
- :class:`ProvenanceDisplay`: where the synthetic rows come from (regions,
  generator) and their quality scores.
- :class:`AcquisitionCurveDisplay`: learning curves of label acquisition
  (test score against labels used, per query strategy) from the results of
  the active-learning benchmark; built with ``from_results``.

matplotlib is the ``plot`` extra (``pip install 'sklearn-activesynth[plot]'``);
it is imported when a display is drawn, not when this module is imported.
"""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from .utils._seeding import MAX_SEED, check_random_state

__all__ = ["FitHistoryDisplay", "UncertaintyMapDisplay", "ProvenanceDisplay",
           "AcquisitionCurveDisplay"]

PLOT_EXTRA = "pip install 'sklearn-activesynth[plot]'"


# ----------------------------------------------------------------- helpers
def _check_matplotlib(what):
    """Import matplotlib or raise an ImportError that names the extra."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{what} needs matplotlib: {PLOT_EXTRA}") from exc


def _check_fitted_loop(estimator, what):
    from ._base import _BaseActiveSynthesis

    if not isinstance(estimator, _BaseActiveSynthesis):
        raise TypeError(
            f"{what} needs an ActiveSynthesisClassifier or ActiveSynthesisSampler; got "
            f"{type(estimator).__name__}. To draw saved results, pass them to the "
            "display's constructor instead.")
    check_is_fitted(estimator)


def _scoring_name(scoring):
    if scoring is None:
        return None
    if isinstance(scoring, str):
        return scoring
    return getattr(scoring, "__name__", None) or getattr(
        getattr(scoring, "_score_func", None), "__name__", None) or type(scoring).__name__


def _is_axes(ax):
    return hasattr(ax, "get_figure") and hasattr(ax, "plot")


def _panel_axes(ax, panels, *, panel_size=(3.8, 2.9), ncols=3):
    """Axes for ``panels``: (figure, 1-D ndarray of Axes, bounding Axes or None).

    ``ax=None``: a new figure with one subplot per panel. One Axes: drawn on
    directly for one panel; for several, its area is divided into a grid of
    panels (as scikit-learn's ``PartialDependenceDisplay`` does) and the Axes
    itself is hidden. A sequence of Axes: one per panel, in order.
    """
    n = len(panels)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(
            nrows, ncols, squeeze=False, layout="constrained",
            figsize=(panel_size[0] * ncols, panel_size[1] * nrows))
        axes = axes.ravel()
        for extra in axes[n:]:
            extra.set_visible(False)
        return fig, axes[:n], None
    if _is_axes(ax):
        if n == 1:
            return ax.get_figure(), np.array([ax], dtype=object), None
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError(
                f"ax must be an Axes made by subplots (it has no subplot spec) to hold "
                f"the {n} panels {list(panels)}; pass {n} Axes, or None for a new figure.")
        from matplotlib.gridspec import GridSpecFromSubplotSpec

        fig = ax.get_figure()
        grid = GridSpecFromSubplotSpec(nrows, ncols, subplot_spec=spec, wspace=0.45,
                                       hspace=0.6)
        ax.set_axis_off()
        axes = np.array([fig.add_subplot(grid[i]) for i in range(n)], dtype=object)
        return fig, axes, ax
    axes = np.asarray(ax, dtype=object).ravel()
    if len(axes) != n or not all(_is_axes(a) for a in axes):
        raise ValueError(
            f"ax holds {len(axes)} item(s); this display draws {n} panel(s) "
            f"{list(panels)}: pass {n} Axes (one per panel), one Axes to divide, or None.")
    return axes[0].get_figure(), axes, None


def _resolve_panels(panels, available, what):
    auto = [name for name, present in available.items() if present]
    if isinstance(panels, str) and panels == "auto":
        return auto
    if isinstance(panels, str):
        panels = [panels]
    panels = list(panels)
    unknown = [p for p in panels if p not in available]
    missing = [p for p in panels if p in available and not available[p]]
    if unknown or missing or not panels:
        raise ValueError(
            f"{what} cannot draw the panels {unknown + missing or panels}; with this data "
            f"it draws {auto} ('auto' draws them all).")
    return panels


def _integer_ticks(ax):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _note(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes,
            fontsize=9, color="0.4", wrap=True)


def _numeric(frame, column):
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


# ------------------------------------------------------------ fit history
class FitHistoryDisplay:
    """The fit round by round: validation score, uncertainty, rows.

    Draws one panel per quantity of ``history_``:

    - ``"score"``: the validation score of each round's candidate model
      (rejected rounds marked with a red cross) and of the model kept so far;
    - ``"uncertainty"``: mean and max uncertainty of the training rows (solid)
      and of the validation rows (dashed);
    - ``"rows"``: synthetic rows generated and accepted per round;
    - ``"arms"``: a selector's pulls so far per arm (``arm_<name>_pulls``,
      solid) and mean rewards (``arm_<name>_reward``, dashed, right axis);
      other numeric ``arm_*`` columns as lines, when the history has them;
    - ``"acquired"``: every ``n_acquired*`` column (real labels acquired per
      round), when the history has them.

    Build it with :meth:`from_estimator`; the constructor takes a saved
    ``history_``.

    Parameters
    ----------
    history : DataFrame
        One row per round, with a ``round`` column and the columns of
        ``history_`` (the missing ones are not drawn).
    scoring : str, default=None
        Name of the validation score, for the axis label.
    estimator_name : str, default=None
        Name of the fitted estimator, for the title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per drawn panel, in the order of ``panels_``.
    figure_ : matplotlib Figure
    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` whose area holds the panels (hidden), when
        one Axes was given for several panels; ``None`` otherwise.
    panels_ : list of str
        The drawn panels.
    lines_ : dict of str to list of Line2D
        The lines of each panel.
    bars_ : dict of str to list of BarContainer
        The bars of each panel (one container per bar series).

    See Also
    --------
    ProvenanceDisplay : where the accepted synthetic rows come from.
    UncertaintyMapDisplay : real and synthetic rows on a 2-D map.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> from sklearn_activesynth.plotting import FitHistoryDisplay
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = ActiveSynthesisClassifier(max_iter=2, random_state=0).fit(X, y)
    >>> disp = FitHistoryDisplay.from_estimator(clf)
    >>> disp.panels_
    ['score', 'uncertainty', 'rows']
    >>> disp.axes_[0].get_xlabel()
    'round'
    """

    PANELS = ("score", "uncertainty", "rows", "arms", "acquired")

    def __init__(self, history, *, scoring=None, estimator_name=None):
        self.history = history
        self.scoring = scoring
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, panels="auto", ax=None):
        """Draw the ``history_`` of a fitted estimator.

        Parameters
        ----------
        estimator : fitted ActiveSynthesisClassifier or ActiveSynthesisSampler
        panels : "auto", str or list of str, default="auto"
            Which panels to draw (see the class description); ``"auto"``
            draws score, uncertainty and rows, and arms and acquired labels
            when the history has them.
        ax : matplotlib Axes, sequence of Axes or None, default=None
            ``None``: a new figure. One Axes: its area holds the panels (or
            the one panel). A sequence: one Axes per panel.

        Returns
        -------
        display : FitHistoryDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        _check_fitted_loop(estimator, f"{cls.__name__}.from_estimator")
        return cls(estimator.history_, scoring=_scoring_name(estimator.scoring_),
                   estimator_name=type(estimator).__name__).plot(ax=ax, panels=panels)

    def _columns(self, prefix):
        h = self.history
        return [c for c in h.columns if str(c).startswith(prefix)
                and np.isfinite(_numeric(h, c)).any()]

    def plot(self, ax=None, *, panels="auto"):
        """Draw the panels.

        Parameters
        ----------
        ax : matplotlib Axes, sequence of Axes or None, default=None
            As in :meth:`from_estimator`.
        panels : "auto", str or list of str, default="auto"
            As in :meth:`from_estimator`.

        Returns
        -------
        display : FitHistoryDisplay
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        h = self.history
        if "round" not in h.columns:
            raise ValueError("history needs a 'round' column (one row per round, as "
                             "history_ of a fitted estimator).")
        available = {
            "score": True, "uncertainty": True, "rows": True,
            "arms": bool(self._columns("arm_")),
            "acquired": bool(self._columns("n_acquired")),
        }
        self.panels_ = _resolve_panels(panels, available, type(self).__name__)
        self.figure_, self.axes_, self.bounding_ax_ = _panel_axes(ax, self.panels_)
        self.lines_, self.bars_ = {}, {}
        for name, axis in zip(self.panels_, self.axes_):
            self.lines_[name], self.bars_[name] = [], []
            getattr(self, f"_plot_{name}")(axis)
            axis.set_xlabel("round")
            _integer_ticks(axis)
            if axis.get_legend_handles_labels()[1]:
                axis.legend(fontsize=7, frameon=False,
                            **({"loc": "upper center", "ncol": 2} if self.bars_[name] else {}))
        if self.bounding_ax_ is None and ax is None and self.estimator_name:
            self.figure_.suptitle(f"{self.estimator_name}: fit history", fontsize=10)
        return self

    def _col(self, name):
        h = self.history
        return _numeric(h, name) if name in h.columns else np.full(len(h), np.nan)

    def _plot_score(self, ax):
        rounds, score = self._col("round"), self._col("val_score")
        label = f"validation {self.scoring}" if self.scoring else "validation score"
        ax.set_title("Validation score", fontsize=9)
        ax.set_ylabel(label, fontsize=8)
        ok = np.isfinite(score)
        if not ok.any():
            _note(ax, "no validation score\n(validation_fraction=None)")
            return
        accepted = (self.history["accepted"].astype("boolean").fillna(False).to_numpy(bool)
                    if "accepted" in self.history.columns else np.ones(len(rounds), bool))
        kept = pd.Series(np.where(accepted & ok, score, np.nan)).ffill().to_numpy()
        self.lines_["score"] += ax.plot(rounds[ok], score[ok], marker="o", ms=4, lw=1,
                                        color="C0", label="round's candidate")
        self.lines_["score"] += ax.step(rounds, kept, where="post", color="C2", lw=1.5,
                                        label="kept model")
        rejected = ok & ~accepted
        if rejected.any():
            self.lines_["score"] += ax.plot(rounds[rejected], score[rejected], ls="none",
                                            marker="x", ms=7, mew=1.5, color="C3",
                                            label="rejected")

    def _plot_uncertainty(self, ax):
        ax.set_title("Uncertainty", fontsize=9)
        ax.set_ylabel("uncertainty", fontsize=8)
        rounds = self._col("round")
        drawn = False
        for split, style in (("train", "-"), ("val", "--")):
            for stat, color in (("mean", "C0"), ("max", "C1")):
                values = self._col(f"{stat}_uncertainty_{split}")
                ok = np.isfinite(values)
                if ok.any():
                    who = "training" if split == "train" else "validation"
                    self.lines_["uncertainty"] += ax.plot(
                        rounds[ok], values[ok], ls=style, marker="o", ms=3, lw=1,
                        color=color, label=f"{stat} ({who} rows)")
                    drawn = True
        if not drawn:
            _note(ax, "no round scored uncertainty")

    def _bars(self, ax, panel, columns, labels):
        rounds = self._col("round")
        keep = rounds > 0 if (rounds > 0).any() else np.ones(len(rounds), bool)
        width = 0.8 / len(columns)
        top = 0.0
        for k, (col, label) in enumerate(zip(columns, labels)):
            values = np.nan_to_num(self._col(col)[keep])
            offset = (k - (len(columns) - 1) / 2) * width
            self.bars_[panel].append(ax.bar(rounds[keep] + offset, values, width=width,
                                            color=f"C{k}", label=label))
            top = max(top, float(values.max(initial=0.0)))
        ax.set_ylim(0, 1.3 * top if top > 0 else 1.0)  # room for the legend

    def _plot_rows(self, ax):
        ax.set_title("Synthetic rows", fontsize=9)
        ax.set_ylabel("rows per round", fontsize=8)
        self._bars(ax, "rows", ["n_generated", "n_accepted"], ["generated", "accepted"])

    def _plot_arms(self, ax):
        ax.set_title("Arms", fontsize=9)
        rounds = self._col("round")
        columns = self._columns("arm_")
        pulls = [c for c in columns if str(c).endswith("_pulls")]
        rewards = [c for c in columns if str(c).endswith("_reward")]
        if not pulls:  # other arm_* columns: each as a line
            ax.set_ylabel("value per round", fontsize=8)
            for col in columns:
                values = self._col(col)
                ok = np.isfinite(values)
                self.lines_["arms"] += ax.plot(rounds[ok], values[ok], marker="o", ms=3,
                                               lw=1, label=str(col)[len("arm_"):])
            return
        # a selector's history: pulls so far (solid, left) and mean reward (dashed,
        # right) per arm, one colour per arm; the UCB values stay in history_
        ax.set_ylabel("pulls so far", fontsize=8)
        twin = ax.twinx()
        twin.set_ylabel("mean reward", fontsize=8)
        twin.axhline(0.0, color="0.7", lw=0.8)
        for i, col in enumerate(pulls):
            arm = str(col)[len("arm_"):-len("_pulls")]
            color = f"C{i % 10}"
            values = self._col(col)
            ok = np.isfinite(values)
            self.lines_["arms"] += ax.plot(rounds[ok], values[ok], marker="o", ms=3, lw=1,
                                           color=color, label=arm)
            reward = f"arm_{arm}_reward"
            if reward in rewards:
                values = self._col(reward)
                ok = np.isfinite(values)
                self.lines_["arms"] += twin.plot(rounds[ok], values[ok], ls="--", lw=1,
                                                 color=color, label=f"{arm} reward")
        ax.legend(fontsize=6, loc="upper left")

    def _plot_acquired(self, ax):
        ax.set_title("Acquired labels", fontsize=9)
        ax.set_ylabel("labels per round", fontsize=8)
        columns = self._columns("n_acquired")
        self._bars(ax, "acquired", columns, [str(c) for c in columns])


# -------------------------------------------------------- uncertainty map
def _embedder(embedding, random_state, n_rows):
    """(estimator with fit_transform, display name)."""
    if not isinstance(embedding, str):
        if not hasattr(embedding, "fit_transform"):
            raise TypeError(
                "embedding must be 'pca', 'tsne', 'umap' or an estimator with "
                f"fit_transform (e.g. sklearn.manifold.Isomap()); got {embedding!r}.")
        from sklearn.base import clone

        model = clone(embedding)
        if "n_components" in model.get_params():
            model.set_params(n_components=2)
        return model, type(embedding).__name__
    if embedding == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=random_state), "PCA"
    if embedding == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(2.0, (n_rows - 1) / 3)))
        # 500 iterations (scikit-learn's default is 1,000) halve the time; the
        # map of a few thousand rows has settled by then
        return TSNE(n_components=2, init="pca", perplexity=perplexity, max_iter=500,
                    random_state=random_state), "t-SNE"
    if embedding == "umap":
        try:
            from umap import UMAP
        except ImportError as exc:
            raise ImportError("embedding='umap' needs umap-learn: pip install umap-learn; "
                              "embedding='pca' or 'tsne' need nothing more.") from exc
        return UMAP(n_components=2, random_state=random_state), "UMAP"
    raise ValueError(f"embedding must be 'pca', 'tsne', 'umap' or an estimator with "
                     f"fit_transform; got {embedding!r}.")


def embed_rows(X_real, X_synthetic, *, embedding="pca", schema=None, random_state=None):
    """2-D coordinates of real and synthetic rows, fitted on the real rows.

    Rows are encoded with :meth:`~sklearn_activesynth.utils.TabularSchema.encode`
    (standardised numbers, one-hot categories; mixed DataFrames work). An
    embedding with ``transform`` (PCA, UMAP) is fitted on the real rows and
    places the synthetic rows on their map; t-SNE, which has none, embeds
    both together. Sparse rows are first reduced to 50 dimensions with
    ``TruncatedSVD``.

    Parameters
    ----------
    X_real : DataFrame, ndarray or sparse matrix
    X_synthetic : rows with the same columns, or None
    embedding : {"pca", "tsne", "umap"} or estimator, default="pca"
    schema : TabularSchema, default=None
        Fitted on ``X_real`` when None.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    E_real : ndarray of shape (n_real, 2)
    E_synthetic : ndarray of shape (n_synthetic, 2)
    name : str
        The embedding's name (``"PCA"``, ``"t-SNE"``, ...).
    explained : ndarray of shape (2,) or None
        Variance ratio of each axis (PCA only).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_activesynth.plotting import embed_rows
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "kind": ["a", "b", "a", "b"]})
    >>> E_real, E_syn, name, _ = embed_rows(X, X.iloc[:1], random_state=0)
    >>> E_real.shape, E_syn.shape, name
    ((4, 2), (1, 2), 'PCA')
    """
    from .utils.tabular import TabularSchema

    rng = check_random_state(random_state)
    seed = rng.randint(MAX_SEED)
    schema = TabularSchema(X_real) if schema is None else schema
    n_syn = 0 if X_synthetic is None else X_synthetic.shape[0]
    Zr = schema.encode(X_real)
    Zs = schema.encode(X_synthetic) if n_syn else None
    if sp.issparse(Zr):
        from sklearn.decomposition import TruncatedSVD

        k = max(2, min(50, Zr.shape[1] - 1))
        svd = TruncatedSVD(n_components=k, random_state=seed).fit(Zr)
        Zr, Zs = svd.transform(Zr), (svd.transform(Zs) if n_syn else None)
    Zr = np.nan_to_num(np.asarray(Zr, dtype=float))
    Zs = np.nan_to_num(np.asarray(Zs, dtype=float)) if n_syn else np.zeros((0, Zr.shape[1]))
    if Zr.shape[1] < 2:  # one feature: nothing to reduce
        Zr, Zs = np.hstack([Zr, np.zeros_like(Zr)]), np.hstack([Zs, np.zeros_like(Zs)])
    model, name = _embedder(embedding, seed, len(Zr) + len(Zs))
    explained = None
    if hasattr(model, "transform"):
        E_real = model.fit_transform(Zr)
        E_syn = model.transform(Zs) if len(Zs) else np.zeros((0, 2))
        explained = getattr(model, "explained_variance_ratio_", None)
    else:
        E = model.fit_transform(np.vstack([Zr, Zs]))
        E_real, E_syn = E[:len(Zr)], E[len(Zr):]
    return np.asarray(E_real, float), np.asarray(E_syn, float), name, explained


def _oof_proba(estimator, X, y, rng):
    """Out-of-fold probabilities of clones of the base estimator on X, y."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.preprocessing import LabelEncoder

    from .utils._seeding import seed_unset_random_states

    y_enc = LabelEncoder().fit_transform(np.asarray(y))
    n_splits = int(max(2, min(5, np.bincount(y_enc).min())))
    base = seed_unset_random_states(clone(estimator._get_estimator()), rng)
    return cross_val_predict(
        base, X, y_enc, method="predict_proba", n_jobs=estimator.n_jobs,
        cv=StratifiedKFold(n_splits, shuffle=True, random_state=rng.randint(MAX_SEED)))


class UncertaintyMapDisplay:
    """Real rows on a 2-D map, coloured by uncertainty or class, with the
    synthetic rows marked by round.

    The map is a PCA of the encoded rows by default (a second for 2,000
    rows), t-SNE or UMAP on request. Build it with :meth:`from_estimator`.

    Parameters
    ----------
    real_embedding : ndarray of shape (n_real, 2)
        Coordinates of the real rows.
    synthetic_embedding : ndarray of shape (n_synthetic, 2)
        Coordinates of the synthetic rows.
    real_uncertainty : ndarray of shape (n_real,), default=None
        Uncertainty of each real row (for ``color_by="uncertainty"``).
    real_labels : ndarray of shape (n_real,), default=None
        Class of each real row (for ``color_by="class"``).
    synthetic_rounds : ndarray of shape (n_synthetic,), default=None
        Round of each synthetic row.
    embedding_name : str, default="PCA"
        For the axis labels.
    explained_variance : ndarray of shape (2,), default=None
        Variance ratio of each axis (PCA), shown in the axis labels.
    uncertainty_name : str, default="uncertainty"
        For the colour bar.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    scatter_real_ : list of PathCollection
        One scatter with ``color_by="uncertainty"``, one per class with
        ``color_by="class"``.
    scatter_synthetic_ : list of PathCollection
        One scatter per round.
    colorbar_ : matplotlib Colorbar or None

    See Also
    --------
    FitHistoryDisplay, ProvenanceDisplay

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> from sklearn_activesynth.plotting import UncertaintyMapDisplay
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = ActiveSynthesisClassifier(max_iter=2, random_state=0).fit(X, y)
    >>> disp = UncertaintyMapDisplay.from_estimator(clf, X, y, random_state=0)
    >>> len(disp.scatter_real_[0].get_offsets())
    300
    """

    def __init__(self, *, real_embedding, synthetic_embedding, real_uncertainty=None,
                 real_labels=None, synthetic_rounds=None, embedding_name="PCA",
                 explained_variance=None, uncertainty_name="uncertainty"):
        self.real_embedding = real_embedding
        self.synthetic_embedding = synthetic_embedding
        self.real_uncertainty = real_uncertainty
        self.real_labels = real_labels
        self.synthetic_rounds = synthetic_rounds
        self.embedding_name = embedding_name
        self.explained_variance = explained_variance
        self.uncertainty_name = uncertainty_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, color_by="uncertainty",
                       uncertainty="model", embedding="pca", max_samples=2000,
                       random_state=None, ax=None):
        """Map ``X`` and the estimator's synthetic rows.

        Parameters
        ----------
        estimator : fitted ActiveSynthesisClassifier or ActiveSynthesisSampler
        X : DataFrame, ndarray or sparse matrix
            Real rows with the columns the estimator was fitted on (the
            training rows, or held-out rows).
        y : array-like of shape (n_rows,), default=None
            Their labels; needed for ``color_by="class"``.
        color_by : {"uncertainty", "class"}, default="uncertainty"
        uncertainty : "model", "oof" or array-like of shape (n_rows,), default="model"
            Uncertainty of each row of ``X``, with the estimator's measure
            (``entropy`` unless it was fitted with ``"margin"`` or
            ``"least_confidence"``). ``"model"``: on the probabilities of the
            fitted model (honest for held-out rows; on its own training rows a
            flexible model is over-confident). ``"oof"``: on out-of-fold
            probabilities of clones of the base estimator fitted on ``X``
            and ``y`` (5-fold, what the loop's targeting reads; costs five
            fits). An array: your own scores.
        embedding : {"pca", "tsne", "umap"} or estimator, default="pca"
            ``"pca"``: a fraction of a second for 2,000 rows. ``"tsne"``:
            :class:`sklearn.manifold.TSNE` with 500 iterations (about 8 s for
            2,000 rows on one core; pass ``TSNE()`` for scikit-learn's 1,000);
            ``"umap"`` needs umap-learn; an estimator with ``fit_transform``
            (e.g. ``sklearn.manifold.Isomap()``) is cloned and used.
        max_samples : int, default=2000
            At most this many rows on the map, real and synthetic together,
            drawn at random; synthetic rows get their share of all rows, but
            at least a tenth of the map (when there are that many).
        random_state : int, RandomState instance or None, default=None
            The sample and the embedding's seed.
        ax : matplotlib Axes, default=None
            ``None``: a new figure.

        Returns
        -------
        display : UncertaintyMapDisplay
        """
        from .uncertainty import SoftmaxUncertainty, predict_proba_like, resolve_uncertainty
        from .utils.tabular import take_rows

        _check_matplotlib(f"{cls.__name__}.from_estimator")
        _check_fitted_loop(estimator, f"{cls.__name__}.from_estimator")
        if color_by not in ("uncertainty", "class"):
            raise ValueError(f"color_by must be 'uncertainty' or 'class'; got {color_by!r}.")
        if color_by == "class" and y is None:
            raise ValueError("color_by='class' needs y, the labels of the rows of X.")
        if not isinstance(max_samples, numbers.Integral) or max_samples < 2:
            raise ValueError(f"max_samples must be an integer >= 2; got {max_samples!r}.")
        own_scores = not isinstance(uncertainty, str)
        if not own_scores and uncertainty not in ("model", "oof"):
            raise ValueError(f"uncertainty must be 'model', 'oof' or one score per row of "
                             f"X; got {uncertainty!r}.")
        if not own_scores and uncertainty == "oof" and y is None:
            raise ValueError("uncertainty='oof' needs y, the labels of the rows of X.")
        n_real = X.shape[0]
        for name, values in (("y", y), ("uncertainty", uncertainty if own_scores else None)):
            if values is not None and len(values) != n_real:
                raise ValueError(f"{name} has {len(values)} entries for {n_real} rows of X.")
        rng = check_random_state(random_state)
        syn_X = estimator.synthetic_X_
        n_syn = syn_X.shape[0]
        share = int(round(max_samples * n_syn / max(1, n_real + n_syn)))
        k_syn = min(n_syn, max(share, max_samples // 10))
        k_real = min(n_real, max_samples - k_syn)
        real = np.sort(rng.choice(n_real, size=k_real, replace=False))
        syn = np.sort(rng.choice(n_syn, size=k_syn, replace=False))
        X_real = take_rows(X, real)
        X_syn = take_rows(syn_X, syn) if k_syn else None

        scorer = resolve_uncertainty(estimator.uncertainty)
        if not isinstance(scorer, SoftmaxUncertainty):
            scorer = SoftmaxUncertainty("entropy")
        u, measure_name = None, "uncertainty"
        if own_scores:
            u = np.asarray(uncertainty, dtype=float)[real]
        elif color_by == "class":  # not drawn: not computed
            pass
        elif uncertainty == "model":
            if getattr(estimator, "estimator_", None) is None:
                raise ValueError(
                    f"This {type(estimator).__name__} kept no model (max_iter=0), so "
                    "uncertainty='model' has nothing to score: pass uncertainty='oof', "
                    "your own scores, or color_by='class'.")
            u = scorer.from_proba(predict_proba_like(estimator.estimator_, X_real))
            measure_name = f"{scorer.measure} (fitted model)"
        else:
            u = scorer.from_proba(_oof_proba(estimator, X, y, rng))[real]
            measure_name = f"{scorer.measure} (out-of-fold)"
        u = None if u is None else np.asarray(u, dtype=float)
        E_real, E_syn, name, explained = embed_rows(
            X_real, X_syn, embedding=embedding, random_state=rng)
        rounds = (np.asarray(estimator.synthetic_provenance_["round"])[syn] if k_syn
                  else np.zeros(0, dtype=int))
        disp = cls(real_embedding=E_real, synthetic_embedding=E_syn, real_uncertainty=u,
                   real_labels=None if y is None else np.asarray(y)[real],
                   synthetic_rounds=rounds, embedding_name=name,
                   explained_variance=explained, uncertainty_name=measure_name)
        return disp.plot(ax=ax, color_by=color_by)

    def plot(self, ax=None, *, color_by="uncertainty", cmap="viridis", title=None):
        """Draw the map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            ``None``: a new figure.
        color_by : {"uncertainty", "class"}, default="uncertainty"
        cmap : str or Colormap, default="viridis"
            Colours of the uncertainty.
        title : str, default=None
            ``None``: what the map shows, with the row counts.

        Returns
        -------
        display : UncertaintyMapDisplay
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        if color_by not in ("uncertainty", "class"):
            raise ValueError(f"color_by must be 'uncertainty' or 'class'; got {color_by!r}.")
        data = self.real_uncertainty if color_by == "uncertainty" else self.real_labels
        if data is None:
            need = "real_uncertainty" if color_by == "uncertainty" else "real_labels"
            raise ValueError(f"color_by={color_by!r} needs {need}, which this display has not.")
        import matplotlib as mpl

        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
        self.ax_, self.figure_ = ax, ax.get_figure()
        E = np.asarray(self.real_embedding, dtype=float)
        self.scatter_real_, self.scatter_synthetic_, self.colorbar_ = [], [], None
        if color_by == "uncertainty":
            u = np.asarray(data, dtype=float)
            order = np.argsort(u, kind="stable")  # the most uncertain on top
            vmax = float(np.nanmax(u)) if len(u) and np.nanmax(u) > 0 else 1.0
            # a square-root scale: most rows are near 0, the few uncertain ones matter
            norm = mpl.colors.PowerNorm(gamma=0.5, vmin=0.0, vmax=vmax)
            sc = ax.scatter(E[order, 0], E[order, 1], c=u[order], cmap=cmap, norm=norm,
                            s=8, alpha=0.9, linewidths=0)
            self.scatter_real_.append(sc)
            self.colorbar_ = self.figure_.colorbar(sc, ax=ax)
            self.colorbar_.set_label(f"{self.uncertainty_name} of the real rows", fontsize=8)
        else:
            labels = np.asarray(data)
            classes, counts = np.unique(labels, return_counts=True)
            colors = [c for i, c in enumerate(mpl.rcParams["axes.prop_cycle"].by_key()
                                              .get("color", ["C0"])) if i != 3] or ["C0"]
            for k in np.argsort(-counts, kind="stable"):  # the rarest class on top
                sel = labels == classes[k]
                self.scatter_real_.append(ax.scatter(
                    E[sel, 0], E[sel, 1], s=8, alpha=0.8, linewidths=0,
                    color=colors[k % len(colors)], label=f"class {classes[k]} ({sel.sum()})"))
        Es = np.asarray(self.synthetic_embedding, dtype=float).reshape(-1, 2)
        rounds = (np.zeros(len(Es), dtype=int) if self.synthetic_rounds is None
                  else np.asarray(self.synthetic_rounds))
        uniq = np.unique(rounds)
        reds = mpl.colormaps["Reds"](np.linspace(0.55, 0.95, max(1, len(uniq))))
        markers = ("x", "+", "1", "2", "3", "4")
        for k, (color, r) in enumerate(zip(reds, uniq)):
            sel = rounds == r
            self.scatter_synthetic_.append(ax.scatter(
                Es[sel, 0], Es[sel, 1], marker=markers[k % len(markers)], s=16,
                linewidths=0.8, alpha=0.7,
                color=color, label=f"synthetic, round {r} ({sel.sum()})"))
        xlab = ylab = self.embedding_name
        if self.explained_variance is not None:
            ev = np.asarray(self.explained_variance, float)
            xlab, ylab = (f"{self.embedding_name} 1 ({ev[0]:.0%} of variance)",
                          f"{self.embedding_name} 2 ({ev[1]:.0%} of variance)")
        else:
            xlab, ylab = f"{self.embedding_name} 1", f"{self.embedding_name} 2"
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_xlabel(xlab, fontsize=8)
        ax.set_ylabel(ylab, fontsize=8)
        ax.tick_params(labelsize=7)
        if ax.get_legend_handles_labels()[1]:
            ax.legend(fontsize=7, loc="best", frameon=True, framealpha=0.8, markerscale=1.5)
        ax.set_title(title or f"{len(E)} real rows and {len(Es)} synthetic rows "
                     f"({self.embedding_name} map)", fontsize=9)
        return self


# ------------------------------------------------------------- provenance
class ProvenanceDisplay:
    """Where the accepted synthetic rows come from, and how good they are.

    Draws one panel per question about ``synthetic_provenance_``:

    - ``"regions"``: rows per round and region (a heat map; regions are
      numbered anew each round, ``none`` for rows without an anchor);
    - ``"generators"``: rows per round, stacked by generator;
    - ``"anchor_uncertainty"``: the uncertainty of the anchors the rows were
      made from (a histogram);
    - ``"quality_<Filter>"``: one histogram per filter score column.

    Parameters
    ----------
    provenance : DataFrame
        One row per synthetic row, as ``synthetic_provenance_`` (columns
        ``round``, ``region``, ``generator``, ``anchor_uncertainty``,
        ``quality_*``; the missing ones are not drawn).
    estimator_name : str, default=None
        For the title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per drawn panel, in the order of ``panels_``.
    figure_ : matplotlib Figure
    bounding_ax_ : matplotlib Axes or None
        As in :class:`FitHistoryDisplay`.
    panels_ : list of str
    region_counts_ : DataFrame
        Rows per round (index) and region (columns), as drawn.
    images_ : dict of str to AxesImage
        The heat map (``"regions"``).
    bars_ : dict of str to list of BarContainer
        The bars of each panel (one container per generator or histogram).

    See Also
    --------
    FitHistoryDisplay, UncertaintyMapDisplay

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> from sklearn_activesynth.plotting import ProvenanceDisplay
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = ActiveSynthesisClassifier(max_iter=2, validation_fraction=None,
    ...                                 random_state=0).fit(X, y)
    >>> disp = ProvenanceDisplay.from_estimator(clf)
    >>> disp.panels_
    ['regions', 'generators', 'anchor_uncertainty']
    >>> int(disp.region_counts_.to_numpy().sum()) == len(clf.synthetic_y_)
    True
    """

    def __init__(self, provenance, *, estimator_name=None):
        self.provenance = provenance
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, panels="auto", ax=None):
        """Draw the ``synthetic_provenance_`` of a fitted estimator.

        Parameters
        ----------
        estimator : fitted ActiveSynthesisClassifier or ActiveSynthesisSampler
        panels : "auto", str or list of str, default="auto"
            Which panels to draw; ``"auto"``: regions, generators, and a
            histogram of every score column with values.
        ax : matplotlib Axes, sequence of Axes or None, default=None
            As in :meth:`FitHistoryDisplay.from_estimator`.

        Returns
        -------
        display : ProvenanceDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        _check_fitted_loop(estimator, f"{cls.__name__}.from_estimator")
        return cls(estimator.synthetic_provenance_,
                   estimator_name=type(estimator).__name__).plot(ax=ax, panels=panels)

    def _score_columns(self):
        p = self.provenance
        cols = [c for c in p.columns
                if c == "anchor_uncertainty" or str(c).startswith("quality_")]
        return [c for c in cols if np.isfinite(_numeric(p, c)).any()]

    def plot(self, ax=None, *, panels="auto"):
        """Draw the panels.

        Parameters
        ----------
        ax : matplotlib Axes, sequence of Axes or None, default=None
        panels : "auto", str or list of str, default="auto"

        Returns
        -------
        display : ProvenanceDisplay
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        p = self.provenance
        if "round" not in p.columns:
            raise ValueError("provenance needs a 'round' column (one row per synthetic "
                             "row, as synthetic_provenance_ of a fitted estimator).")
        scores = self._score_columns()
        available = {"regions": "region" in p.columns,
                     "generators": "generator" in p.columns,
                     **{c: True for c in scores}}
        self.panels_ = _resolve_panels(panels, available, type(self).__name__)
        self.figure_, self.axes_, self.bounding_ax_ = _panel_axes(ax, self.panels_)
        self.images_, self.bars_ = {}, {}
        self.region_counts_ = (pd.crosstab(p["round"], p["region"]) if len(p)
                               and "region" in p.columns else pd.DataFrame())
        for name, axis in zip(self.panels_, self.axes_):
            self.bars_[name] = []
            if name == "regions":
                self._plot_regions(axis)
            elif name == "generators":
                self._plot_generators(axis)
            else:
                self._plot_histogram(axis, name)
        if self.bounding_ax_ is None and ax is None:
            who = f"{self.estimator_name}: " if self.estimator_name else ""
            self.figure_.suptitle(f"{who}{len(p)} accepted synthetic rows", fontsize=10)
        return self

    def _plot_regions(self, ax):
        ax.set_title("Rows per round and region", fontsize=9)
        ax.set_xlabel("region (numbered per round)", fontsize=8)
        ax.set_ylabel("round", fontsize=8)
        counts = self.region_counts_
        if counts.empty:
            _note(ax, "no synthetic rows accepted")
            return
        values = counts.to_numpy()
        self.images_["regions"] = ax.imshow(values, aspect="auto", cmap="Blues",
                                            interpolation="nearest", vmin=0)
        ax.set_xticks(range(values.shape[1]),
                      ["none" if c == -1 else str(c) for c in counts.columns], fontsize=7)
        ax.set_yticks(range(values.shape[0]), [str(r) for r in counts.index], fontsize=7)
        if values.size <= 120:
            top = values.max()
            for (i, j), v in np.ndenumerate(values):
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 * top else "black")

    def _plot_generators(self, ax):
        from matplotlib.ticker import MaxNLocator

        p = self.provenance
        ax.set_title("Rows per round, generator and class", fontsize=9)
        ax.set_xlabel("round", fontsize=8)
        ax.set_ylabel("accepted rows", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not len(p):
            _note(ax, "no synthetic rows accepted")
            return
        label = (p["label"].astype(str) if "label" in p.columns
                 else pd.Series("", index=p.index))
        counts = pd.crosstab(p["round"], [p["generator"].astype(str), label])
        bottom = np.zeros(len(counts))
        for k, (gen, cls) in enumerate(counts.columns):
            values = counts[(gen, cls)].to_numpy()
            self.bars_["generators"].append(ax.bar(
                counts.index.to_numpy(), values, bottom=bottom, color=f"C{k}", width=0.6,
                label=f"{gen}, class {cls}" if cls != "" else gen))
            bottom = bottom + values
        ax.set_ylim(0, 1.35 * bottom.max())  # room for the legend
        ax.legend(fontsize=7, frameon=False, loc="upper center")

    def _plot_histogram(self, ax, column):
        values = _numeric(self.provenance, column)
        values = values[np.isfinite(values)]
        title = ("Uncertainty of the anchors" if column == "anchor_uncertainty"
                 else f"Score of {column[len('quality_'):]}")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(column, fontsize=8)
        ax.set_ylabel("synthetic rows", fontsize=8)
        _, _, bars = ax.hist(values, bins=min(20, max(1, len(np.unique(values)))),
                             color="C0", edgecolor="white", linewidth=0.5)
        self.bars_[column].append(bars)


# ------------------------------------------------------ acquisition curves
#: Spreads ``AcquisitionCurveDisplay`` can shade around the mean curve.
_BANDS = ("std", "range", "quartiles")


def _band(values, band):
    """(low, high) of ``values`` for one point of a curve."""
    if band == "std":
        m, s = np.mean(values), np.std(values, ddof=1) if len(values) > 1 else 0.0
        return m - s, m + s
    if band == "range":
        return np.min(values), np.max(values)
    return tuple(np.quantile(values, [0.25, 0.75]))


class AcquisitionCurveDisplay:
    """Learning curves of label acquisition: test score against labels used.

    One line per strategy (the mean over runs, e.g. seeds) and a shaded band
    for the spread over runs, as the active-learning benchmark
    (``python -m sklearn_activesynth.benchmark --mode active``) records them.
    Not scikit-learn's :class:`~sklearn.model_selection.LearningCurveDisplay`,
    which draws scores against training-set sizes of one estimator: here the
    labelled rows are chosen by each strategy.

    Build it with :meth:`from_results`; the constructor takes the computed
    curves.

    Parameters
    ----------
    curves : DataFrame
        One row per strategy and point: ``method``, ``n_labels`` (x),
        ``mean`` (y), ``low`` and ``high`` (the band; ``NaN``: none), ``n_runs``.
    score_name : str, default=None
        The y-axis label (e.g. ``"test PR-AUC"``).
    band : {"std", "range", "quartiles"} or None, default="std"
        What ``low`` and ``high`` are, for the legend.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        The mean curve of each strategy.
    bands_ : dict of str to PolyCollection
        The band of each strategy (only where one was drawn).

    See Also
    --------
    FitHistoryDisplay : the rounds of one fit, acquired labels per round
        included.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sklearn_activesynth.plotting import AcquisitionCurveDisplay
    >>> results = pd.DataFrame(dict(
    ...     method=["random"] * 4 + ["margin"] * 4, seed=[0, 0, 1, 1] * 2,
    ...     round=[0, 1] * 4, n_labels=[10, 20] * 4,
    ...     score=[0.3, 0.5, 0.4, 0.6, 0.25, 0.75, 0.5, 0.75]))
    >>> disp = AcquisitionCurveDisplay.from_results(results)
    >>> sorted(disp.lines_)
    ['margin', 'random']
    >>> disp.lines_["margin"].get_ydata().tolist()
    [0.375, 0.75]
    """

    def __init__(self, curves, *, score_name=None, band="std"):
        self.curves = curves
        self.score_name = score_name
        self.band = band

    @classmethod
    def from_results(cls, results, *, x="n_labels", y="score", by="method", band="std",
                     methods=None, score_name=None, ax=None, labels=None):
        """Average the curves of several runs and draw them.

        Parameters
        ----------
        results : DataFrame
            One row per run, strategy and round, as the benchmark's
            ``curves.csv``: columns ``by``, ``x``, ``y`` and, when present,
            ``round`` (points of one round are averaged together, ``x`` too;
            without it the points with the same ``x`` are). Rows with a
            non-finite ``y`` are left out.
        x : str, default="n_labels"
            Labels used.
        y : str, default="score"
            The test score (``"pr_auc"``, ``"brier"``, ...).
        by : str, default="method"
            One line per value of this column.
        band : {"std", "range", "quartiles"} or None, default="std"
            The spread over runs shaded around each line: mean ± one
            standard deviation, min to max, or the 25th to 75th percentile;
            ``None``: no band.
        methods : list of str, default=None
            Which values of ``by`` to draw, in this order; ``None``: all, in
            order of appearance.
        score_name : str, default=None
            The y-axis label; ``None``: ``y``.
        ax : matplotlib Axes, default=None
            ``None``: a new figure.
        labels : dict of str to str, default=None
            Legend labels of the lines (default: the values of ``by``).

        Returns
        -------
        display : AcquisitionCurveDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_results")
        if band is not None and band not in _BANDS:
            raise ValueError(f"band must be one of {list(_BANDS)} or None; got {band!r}.")
        missing = [c for c in (x, y, by) if c not in results.columns]
        if missing:
            raise ValueError(
                f"results has no column(s) {missing}; it needs {by!r} (one line per "
                f"value), {x!r} (x) and {y!r} (y), as the benchmark's curves.csv.")
        df = results[[c for c in dict.fromkeys([by, x, y, "round"]) if c in results]].copy()
        df[y] = pd.to_numeric(df[y], errors="coerce")
        df = df[np.isfinite(df[y].to_numpy(dtype=float))]
        order = list(dict.fromkeys(df[by].tolist())) if methods is None else list(methods)
        unknown = [m for m in order if m not in set(df[by])]
        if unknown:
            raise ValueError(f"No finite {y!r} for {by}={unknown}; results has "
                             f"{sorted(set(map(str, df[by])))}.")
        key = "round" if "round" in df.columns else x
        rows = []
        for m in order:
            for _, g in df[df[by] == m].groupby(key, sort=True):
                values = g[y].to_numpy(dtype=float)
                low, high = _band(values, band) if band is not None else (np.nan, np.nan)
                rows.append(dict(method=m, n_labels=float(g[x].mean()),
                                 mean=float(values.mean()), low=float(low),
                                 high=float(high), n_runs=len(values)))
        curves = pd.DataFrame(rows, columns=["method", "n_labels", "mean", "low", "high",
                                             "n_runs"])
        return cls(curves, score_name=score_name or y, band=band).plot(ax=ax, labels=labels)

    def plot(self, ax=None, *, labels=None):
        """Draw the curves.

        A strategy named ``<name>_synth`` (the benchmark's name for
        ``<name>`` with synthesis) is drawn dashed, in the colour of
        ``<name>``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            ``None``: a new figure.
        labels : dict of str to str, default=None
            Legend labels of the lines.

        Returns
        -------
        display : AcquisitionCurveDisplay
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.0, 3.6), layout="constrained")
        self.ax_, self.figure_ = ax, ax.get_figure()
        self.lines_, self.bands_ = {}, {}
        labels = labels or {}
        curves = self.curves
        order = list(dict.fromkeys(curves["method"].tolist()))
        bases = list(dict.fromkeys(m[:-len("_synth")] if str(m).endswith("_synth") else m
                                   for m in order))
        for m in order:
            c = curves[curves["method"] == m].sort_values("n_labels")
            synth = str(m).endswith("_synth")
            color = f"C{bases.index(m[:-len('_synth')] if synth else m) % 10}"
            (line,) = ax.plot(c["n_labels"], c["mean"], marker="o", ms=3, lw=1.4,
                              ls="--" if synth else "-", color=color,
                              label=labels.get(m, str(m)))
            self.lines_[m] = line
            low, high = c["low"].to_numpy(float), c["high"].to_numpy(float)
            if np.isfinite(low).any():
                self.bands_[m] = ax.fill_between(c["n_labels"], low, high, color=color,
                                                 alpha=0.12 if not synth else 0.07, lw=0)
        ax.set_xlabel("labels used", fontsize=8)
        ax.set_ylabel(self.score_name or "score", fontsize=8)
        ax.tick_params(labelsize=7)
        if self.lines_:
            spread = {"std": "± 1 std", "range": "min-max", "quartiles": "25-75 %"}
            title = "mean over runs" + (f", band {spread[self.band]}" if self.bands_ else "")
            ax.legend(fontsize=7, frameon=False, title=title, title_fontsize=7)
        return self
