"""Statistics over the runs: mean ± std, paired Wilcoxon tests, data efficiency."""

import warnings

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

__all__ = ["summarize", "wilcoxon_table", "efficiency_table", "ok_runs", "method_label"]

CELL = ["dataset", "estimator", "fraction", "seed", "imbalance", "label_noise", "missing"]
GROUP = ["dataset", "estimator", "fraction", "imbalance", "label_noise", "missing",
         "method", "generator", "budget"]
SUMMARY_METRICS = ["accuracy", "balanced_accuracy", "f1", "roc_auc", "pr_auc",
                   "recall_at_precision", "ece", "brier", "test_uncertainty",
                   "uncertainty_reduction", "synthetic_rows", "fit_seconds",
                   "predict_seconds"]


def ok_runs(df):
    """Runs that finished without an error."""
    if "error" not in df:
        return df
    err = df["error"]
    return df[err.isna() | (err.astype(str) == "")]


def _at_budget(df, budget):
    if budget is None:
        return df
    return df[np.isclose(df["budget"], budget) | np.isclose(df["budget"], 0.0)]


def method_label(method, generator, multi_generator=True):
    """``method`` or ``method[generator]`` when several generators ran."""
    if generator in (None, "none") or not multi_generator or pd.isna(generator):
        return str(method)
    return f"{method}[{generator}]"


def summarize(runs, metrics=None, *, budget=None):
    """Mean, standard deviation and number of seeds per dataset, estimator,
    fraction, method, generator and budget.

    Parameters
    ----------
    runs : DataFrame
        The output of :func:`run_benchmark` (or ``runs.csv``).
    metrics : list of str, default=None
        Columns to aggregate (default: every score, cost and the synthetic
        rows used).
    budget : float, default=None
        Keep only runs at this synthetic budget (and methods without one).

    Returns
    -------
    summary : DataFrame
        ``<metric>_mean`` and ``<metric>_std`` columns plus ``n_seeds``.
    """
    metrics = [m for m in (metrics or SUMMARY_METRICS) if m in runs]
    df = _at_budget(ok_runs(runs), budget)
    if df.empty:
        return pd.DataFrame(columns=GROUP + ["n_seeds"])
    g = df.groupby(GROUP, dropna=False, sort=True)
    mean = g[metrics].mean().add_suffix("_mean")
    std = g[metrics].std(ddof=1).add_suffix("_std")
    out = pd.concat([mean, std], axis=1)
    out = out[[c for m in metrics for c in (f"{m}_mean", f"{m}_std")]]
    out["n_seeds"] = g.size()
    return out.reset_index()


def _paired_test(diff, alpha):
    diff = np.asarray(diff, dtype=float)
    diff = diff[~np.isnan(diff)]
    n = len(diff)
    wins, losses = int(np.sum(diff > 0)), int(np.sum(diff < 0))
    out = dict(n=n, mean_diff=float(np.mean(diff)) if n else np.nan,
               wins=wins, ties=n - wins - losses, losses=losses,
               statistic=np.nan, p_value=np.nan, verdict="tie")
    if n == 0:
        return out
    if wins + losses == 0:
        out.update(p_value=1.0)  # identical everywhere: no evidence either way
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = wilcoxon(diff, zero_method="wilcox", alternative="two-sided")
        out.update(statistic=float(res.statistic), p_value=float(res.pvalue))
    p = out["p_value"]
    out["verdict"] = ("win" if p < alpha and out["mean_diff"] > 0 else
                      "loss" if p < alpha and out["mean_diff"] < 0 else "tie")
    return out


def wilcoxon_table(runs, metric="pr_auc", reference="real_only", *, methods=None,
                   budget=None, alpha=0.05, pooled=True, lower_is_better=False):
    """Paired two-sided Wilcoxon signed-rank tests of each method against a reference.

    Runs are paired on the cell (dataset, estimator, fraction, seed and data
    constraints); against a synthesis reference (e.g. ``random_matched``)
    also on the generator and the budget, so each targeted run meets its own
    control. Differences are ``method - reference`` (sign flipped when
    ``lower_is_better``, e.g. ECE), so a positive difference is always a gain.

    Parameters
    ----------
    runs : DataFrame
    metric : str, default="pr_auc"
    reference : str, default="real_only"
    methods : list of str, default=None
        Methods to test (default: all but the reference).
    budget : float, default=None
        Keep only runs at this budget (and methods without one).
    alpha : float, default=0.05
        Level of the verdict: "win" (p < alpha, mean gain > 0), "loss"
        (p < alpha, mean gain < 0), else "tie".
    pooled : bool, default=True
        Add, per estimator and fraction, a test over all datasets' runs
        (``dataset="all (runs)"``) and one over the per-dataset mean
        differences (``dataset="all (dataset means)"``, Demšar 2006).
    lower_is_better : bool, default=False

    Returns
    -------
    table : DataFrame
        One row per (estimator, fraction, dataset, method, generator, budget):
        ``n`` pairs, ``mean_diff``, ``wins``/``ties``/``losses`` (seeds on
        which the method beat / tied / lost to the reference), the statistic,
        ``p_value`` and ``verdict``. With 5 seeds the smallest two-sided exact
        p-value is 0.0625, so single-dataset rows cannot reach 0.05; the pooled
        rows can.
    """
    df = _at_budget(ok_runs(runs), budget)
    df = df[df[metric].notna()]
    ref = df[df["method"] == reference]
    cols = ["estimator", "fraction", "dataset", "method", "generator", "budget", "reference",
            "n", "mean_diff", "wins", "ties", "losses", "statistic", "p_value", "verdict"]
    if ref.empty:
        return pd.DataFrame(columns=cols)
    synth_ref = (ref["generator"].astype(str) != "none").any()
    keys = CELL + (["generator", "budget"] if synth_ref else [])
    ref = ref.drop_duplicates(keys).set_index(keys)[metric].rename("ref")
    others = df[df["method"] != reference]
    if methods is not None:
        others = others[others["method"].isin(methods)]
    if others.empty:  # only the reference ran: nothing to compare
        return pd.DataFrame(columns=cols)
    merged = others.join(ref, on=keys, how="inner")
    sign = -1.0 if lower_is_better else 1.0
    merged["diff"] = sign * (merged[metric] - merged["ref"])
    rows = []
    by = ["estimator", "fraction", "method", "generator", "budget"]
    for (est, frac, meth, gen, bud), grp in merged.groupby(by, sort=True):
        for ds, sub in grp.groupby("dataset", sort=True):
            rows.append(dict(estimator=est, fraction=frac, dataset=ds, method=meth,
                             generator=gen, budget=bud, reference=reference,
                             **_paired_test(sub["diff"], alpha)))
        if pooled and grp["dataset"].nunique() > 1:
            rows.append(dict(estimator=est, fraction=frac, dataset="all (runs)", method=meth,
                             generator=gen, budget=bud, reference=reference,
                             **_paired_test(grp["diff"], alpha)))
            means = grp.groupby("dataset")["diff"].mean()
            rows.append(dict(estimator=est, fraction=frac, dataset="all (dataset means)",
                             method=meth, generator=gen, budget=bud, reference=reference,
                             **_paired_test(means, alpha)))
    return pd.DataFrame(rows, columns=cols)


def efficiency_table(runs, metric="pr_auc", *, targeted="active", control="random_matched"):
    """Synthetic rows the targeted method needs to reach the control's best score.

    For every dataset, estimator, fraction and generator with runs at several
    budgets: the control's best mean score over the budgets and the synthetic
    rows it used there; the smallest budget at which the targeted method's
    mean score reaches that level and its rows; and the saving
    ``1 - rows_targeted / rows_control`` (seed 000 §3.1 expects 50-70 %).
    ``NaN`` rows needed: the targeted method never reached it.

    Returns
    -------
    table : DataFrame
    """
    df = ok_runs(runs)
    df = df[df["method"].isin([targeted, control]) & df[metric].notna()]
    group = ["dataset", "estimator", "fraction", "imbalance", "label_noise", "missing",
             "generator"]
    rows = []
    for key, grp in df.groupby(group, sort=True):
        curve = grp.groupby(["method", "budget"])[[metric, "synthetic_rows"]].mean()
        if targeted not in curve.index.get_level_values(0) or \
                control not in curve.index.get_level_values(0):
            continue
        t, c = curve.loc[targeted].sort_index(), curve.loc[control].sort_index()
        if len(t) < 2 and len(c) < 2:
            continue
        best_b = c[metric].idxmax()
        best = c.loc[best_b, metric]
        reached = t[t[metric] >= best - 1e-12]
        need_b = reached.index.min() if len(reached) else np.nan
        rows_t = t.loc[need_b, "synthetic_rows"] if len(reached) else np.nan
        rows_c = c.loc[best_b, "synthetic_rows"]
        rows.append(dict(zip(group, key), metric=metric, budgets=len(c),
                         control_best=best, control_best_budget=best_b,
                         control_rows=rows_c, targeted_best=t[metric].max(),
                         targeted_budget_needed=need_b, targeted_rows_needed=rows_t,
                         rows_saved=(1 - rows_t / rows_c) if rows_c and
                         not np.isnan(rows_t) else np.nan))
    return pd.DataFrame(rows)
