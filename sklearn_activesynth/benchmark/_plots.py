"""PNG plots of the benchmark (matplotlib, the ``plot`` extra): figures on an Agg
canvas, never pyplot's global figures (scikit-learn's CalibrationDisplay imports
pyplot, but draws on the axes it is given)."""

import numpy as np

from ._stats import method_label, ok_runs, summarize

__all__ = [
    "plot_fraction_curves",
    "plot_efficiency_curves",
    "plot_reliability",
    "plot_uncertainty_map",
]

DPI = 80
METRIC_LABELS = {
    "pr_auc": "PR-AUC", "roc_auc": "ROC-AUC", "balanced_accuracy": "balanced accuracy",
    "accuracy": "accuracy", "f1": "F1", "recall_at_precision": "recall at precision",
    "ece": "ECE", "brier": "Brier score", "test_uncertainty": "mean test entropy",
}


def _figure(n_panels, *, panel=(3.2, 2.6), ncols=4):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "The benchmark plots need matplotlib: pip install 'sklearn-activesynth[plot]'"
        ) from exc
    ncols = max(1, min(ncols, n_panels))
    nrows = int(np.ceil(n_panels / ncols))
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows + 0.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, axes[:n_panels]


def _finish(fig, axes, title, path):
    """Shared legend under the panels (sized to fit), title, save."""
    handles, labels = axes[0].get_legend_handles_labels() if len(axes) else ([], [])
    width, height = fig.get_size_inches()
    bottom = 0.0
    if labels:
        ncol = int(max(1, min(len(labels), width // 2.1)))
        nrow = int(np.ceil(len(labels) / ncol))
        legend_h = 0.2 * nrow + 0.15
        height += legend_h  # room for the legend, panels keep their size
        fig.set_size_inches(width, height)
        bottom = legend_h / height
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=7,
                   frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, bottom, 1, 1 - 0.35 / height))
    fig.savefig(path, dpi=DPI)
    return path


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path


def _labels(df):
    multi = df.loc[df["generator"].astype(str) != "none", "generator"].nunique() > 1
    return df.apply(lambda r: method_label(r["method"], r["generator"], multi), axis=1)


def plot_fraction_curves(runs, path, *, metric="pr_auc", estimator=None, budget=None,
                         methods=None):
    """Score against the real-data fraction, one panel per dataset, mean ± std
    over seeds, one line per method."""
    df = ok_runs(runs)
    if estimator is not None:
        df = df[df["estimator"] == estimator]
    summ = summarize(df, [metric], budget=budget)
    if methods is not None:
        summ = summ[summ["method"].isin(methods)]
    summ = summ.assign(label=_labels(summ)) if len(summ) else summ.assign(label=[])
    datasets = sorted(summ["dataset"].unique())
    fig, axes = _figure(max(1, len(datasets)))
    for ax, ds in zip(axes, datasets):
        sub = summ[summ["dataset"] == ds]
        for label, line in sub.groupby("label", sort=True):
            line = line.sort_values("fraction")
            ax.errorbar(line["fraction"] * 100, line[f"{metric}_mean"],
                        yerr=line[f"{metric}_std"].fillna(0), marker="o", ms=3,
                        capsize=2, lw=1, label=label)
        ax.set_title(ds, fontsize=9)
        ax.set_xlabel("real data (% of rows)", fontsize=8)
        ax.set_ylabel(METRIC_LABELS.get(metric, metric), fontsize=8)
        ax.tick_params(labelsize=7)
    return _finish(fig, axes, f"{METRIC_LABELS.get(metric, metric)} vs real-data fraction"
                   + (f" ({estimator})" if estimator else ""), path)


def plot_efficiency_curves(runs, path, *, metric="pr_auc", estimator=None,
                           methods=("active", "random_matched", "random")):
    """Score against the synthetic rows used (mean over seeds), one panel per
    dataset and fraction that ran at several budgets."""
    df = ok_runs(runs)
    df = df[df["method"].isin(methods)]
    if estimator is not None:
        df = df[df["estimator"] == estimator]
    summ = summarize(df, [metric, "synthetic_rows"])
    counts = summ.groupby(["dataset", "fraction", "method"])["budget"].nunique()
    keep = counts[counts > 1].reset_index()[["dataset", "fraction"]].drop_duplicates()
    panels = list(keep.itertuples(index=False, name=None))
    fig, axes = _figure(max(1, len(panels)))
    if len(summ):
        summ = summ.assign(label=_labels(summ))
    for ax, (ds, frac) in zip(axes, panels):
        sub = summ[(summ["dataset"] == ds) & (summ["fraction"] == frac)]
        for label, line in sub.groupby("label", sort=True):
            line = line.sort_values("synthetic_rows_mean")
            ax.errorbar(line["synthetic_rows_mean"], line[f"{metric}_mean"],
                        yerr=line[f"{metric}_std"].fillna(0), marker="o", ms=3,
                        capsize=2, lw=1, label=label)
        ax.set_title(f"{ds} ({frac:.0%} real)", fontsize=9)
        ax.set_xlabel("synthetic rows used", fontsize=8)
        ax.set_ylabel(METRIC_LABELS.get(metric, metric), fontsize=8)
        ax.tick_params(labelsize=7)
    return _finish(fig, axes, f"{METRIC_LABELS.get(metric, metric)} vs synthetic budget"
                   + (f" ({estimator})" if estimator else ""), path)


def plot_reliability(reliability, path, *, estimator=None, fraction=None, budget=None,
                     methods=("real_only", "calibrated", "smote", "random_matched", "active")):
    """Reliability diagrams (seed 000 §2.5, item 4): observed frequency against
    mean predicted probability, bins pooled over seeds, one panel per dataset,
    each curve drawn by :class:`sklearn.calibration.CalibrationDisplay`."""
    df = reliability
    if estimator is not None:
        df = df[df["estimator"] == estimator]
    if fraction is not None:
        df = df[np.isclose(df["fraction"], fraction)]
    if budget is not None:
        df = df[np.isclose(df["budget"], budget) | np.isclose(df["budget"], 0.0)]
    df = df[df["method"].isin(methods)]
    datasets = sorted(df["dataset"].unique())
    fig, axes = _figure(max(1, len(datasets)), panel=(2.6, 2.6))
    if len(df):
        df = df.assign(label=_labels(df))
    for ax, ds in zip(axes, datasets):
        _reliability_panel(ax, df[df["dataset"] == ds])
        ax.set_title(ds, fontsize=9)
    title = "Reliability (binary: P(y=1); multiclass: top label)"
    if estimator:
        title += f", {estimator}"
    if fraction is not None:
        title += f", {fraction:.0%} real"
    return _finish(fig, axes, title, path)


def _pool_bins(grp):
    """One curve from per-seed bins (rows of ``reliability.csv``): each bin's
    mean prediction and observed frequency over all seeds' samples, as
    :func:`sklearn.calibration.calibration_curve` gives them for the pooled
    predictions; empty bins are left out, as scikit-learn leaves them out."""
    w = grp.assign(w_pred=grp["mean_predicted"] * grp["count"],
                   w_obs=grp["observed"] * grp["count"])
    agg = w.groupby("bin")[["count", "w_pred", "w_obs"]].sum()
    agg = agg[agg["count"] > 0]
    return (agg["w_obs"] / agg["count"]).to_numpy(), (agg["w_pred"] / agg["count"]).to_numpy()


def _reliability_panel(ax, sub):
    """One CalibrationDisplay per method on ``ax`` (with scikit-learn's
    "Perfectly calibrated" diagonal); the figure gets one shared legend."""
    from sklearn.calibration import CalibrationDisplay

    displays = []
    for label, grp in sub.groupby("label", sort=True):
        prob_true, prob_pred = _pool_bins(grp)
        displays.append(CalibrationDisplay(prob_true, prob_pred, y_prob=None).plot(
            ax=ax, name=label, marker="o", markersize=3, linewidth=1))
    if ax.get_legend() is not None:
        ax.get_legend().remove()  # _finish draws one legend for the figure
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    # the display says "fraction of positives"; multiclass curves are top-label accuracy
    ax.set_xlabel("mean predicted probability", fontsize=8)
    ax.set_ylabel("observed frequency", fontsize=8)
    ax.tick_params(labelsize=7)
    return displays



def plot_uncertainty_map(model, X, y, path, *, uncertainty=None, max_points=1500,
                         embedding="auto", random_state=0, title=None):
    """Uncertainty map (seed 000 §2.2) as a PNG file: a 2-D embedding of the
    real rows, coloured by uncertainty, with the synthetic rows of ``model``
    overlaid.

    Draws :class:`sklearn_activesynth.plotting.UncertaintyMapDisplay` (use it
    directly for a figure in a notebook, other embeddings or class colours).

    Parameters
    ----------
    model : fitted ActiveSynthesisClassifier
        Its ``synthetic_X_`` / ``synthetic_provenance_`` are overlaid.
    X, y : the real rows it was fitted on.
    path : str or path
        PNG file to write.
    uncertainty : array-like of shape (n_rows,), default=None
        Uncertainty of each real row. ``None``: the out-of-fold uncertainty
        of the base estimator on the real rows (where the real-only model is
        unsure, which is what targeting reads).
    max_points : int, default=1500
        Rows shown, real and synthetic together (a random subset).
    embedding : {"auto", "pca", "tsne", "umap"}, default="auto"
        "auto" uses UMAP when umap-learn is installed, t-SNE otherwise.
    random_state : int, default=0

    Returns
    -------
    path
    """
    from ..plotting import UncertaintyMapDisplay

    if embedding == "auto":
        try:
            import umap  # noqa: F401
            embedding = "umap"
        except ImportError:
            embedding = "tsne"
    fig, axes = _figure(1, panel=(5.4, 4.4))
    disp = UncertaintyMapDisplay.from_estimator(
        model, X, y, uncertainty="oof" if uncertainty is None else uncertainty,
        embedding=embedding, max_samples=max_points, random_state=random_state,
        ax=axes[0])
    if title:
        disp.ax_.set_title(title, fontsize=9)
    return _save(fig, path)
