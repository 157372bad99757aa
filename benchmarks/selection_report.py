"""The report of issue 14's selection benchmark: ``benchmarks/SELECTION.md``.

Run the benchmark, then the report::

    python -m sklearn_activesynth.benchmark --preset selection --out RUN_DIR
    python benchmarks/selection_report.py RUN_DIR \\
        --out benchmarks/SELECTION.md --images benchmarks/selection

It reads ``RUN_DIR/runs.csv`` and writes the Markdown report (per cell the
PR-AUC and Brier score of every method, the issue's targets with PASS/FAIL,
how often the bandit pulled each arm and where it loses) and one PNG of pull
shares per dataset.

Definitions (issue 14). A *cell* is dataset × real-data fraction × estimator;
scores are means over the seeds both methods ran. ``selection`` is *worse* than
a reference in a cell when its mean is more than 1 % (relative) worse — PR-AUC
below, Brier score above — or, with at least 10 paired seeds, a one-sided paired
Wilcoxon test gives p < 0.1 (with 5 seeds no test can reach that, so none is
used). The *best single arm in hindsight* of a cell is, among ``real_only``
(the no-synthesis arm) and the ``arm_*`` methods, the one with the best mean
PR-AUC; the regret is selection's relative PR-AUC change against it.
"""

import argparse
import json
import os
import shlex
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

CELL = ["dataset", "fraction", "estimator"]
#: metric -> True when higher is better.
METRICS = {"pr_auc": True, "brier": False}
#: The single-arm methods; ``real_only`` is the no-synthesis arm ("none").
ARM_METHODS = ("arm_uncertain", "arm_random_matched", "arm_balance", "arm_uncertain_usable")
HINDSIGHT = ("real_only",) + ARM_METHODS
METHOD_ORDER = ("real_only", "smote", "selection") + ARM_METHODS
TOL = 0.01          # 1 % relative
ALPHA = 0.1         # one-sided paired Wilcoxon
MIN_TEST_SEEDS = 10
MAX_WORSE_SHARE = 0.05
REGRET_TOL = 0.01
FIT_FACTOR = 1.5

__all__ = ["ok_runs", "cell_means", "relative_change", "compare_cells", "share_worse",
           "median_relative_change", "best_arm_in_hindsight", "fit_time_ratio",
           "arm_pull_counts", "where_it_loses", "targets", "command_from_runs",
           "pull_plots", "report_markdown", "write_report"]


def ok_runs(runs):
    """Runs that finished without an error."""
    if "error" not in runs:
        return runs
    err = runs["error"]
    return runs[err.isna() | (err.astype(str) == "")]


def cell_means(runs, metric):
    """Mean of ``metric`` over seeds: one row per cell, one column per method."""
    ok = ok_runs(runs)
    ok = ok[ok[metric].notna()]
    wide = ok.pivot_table(index=CELL, columns="method", values=metric, aggfunc="mean")
    cols = [m for m in METHOD_ORDER if m in wide] + [m for m in wide if m not in METHOD_ORDER]
    return wide[cols]


def relative_change(value, ref):
    """``(value - ref) / |ref|`` (0 when both are 0, ±inf when only ``ref`` is)."""
    value, ref = np.asarray(value, dtype=float), np.asarray(ref, dtype=float)
    diff = value - ref
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ref != 0, diff / np.abs(ref), np.where(diff == 0, 0.0,
                                                              np.sign(diff) * np.inf))
    return out if out.ndim else float(out)


def _one_sided_p(diff, higher):
    """p of a paired one-sided Wilcoxon test that the method is worse."""
    diff = np.asarray(diff, dtype=float)
    if len(diff) == 0 or np.allclose(diff, 0):
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(wilcoxon(diff, alternative="less" if higher else "greater").pvalue)


def compare_cells(runs, metric, method="selection", ref="real_only", *, tol=TOL,
                  alpha=ALPHA, min_seeds=MIN_TEST_SEEDS):
    """One row per cell: ``method`` against ``ref`` on the seeds both ran.

    Returns
    -------
    table : DataFrame
        ``dataset, fraction, estimator, n_seeds, method, ref, rel_change`` (signed
        as the metric: positive = higher), ``p`` (one-sided paired Wilcoxon that
        ``method`` is worse; NaN below ``min_seeds`` seeds) and ``worse``.
    """
    higher = METRICS.get(metric, True)
    ok = ok_runs(runs)
    ok = ok[ok["method"].isin([method, ref]) & ok[metric].notna()]
    rows = []
    for key, g in ok.groupby(CELL, sort=True):
        wide = g.pivot_table(index="seed", columns="method", values=metric, aggfunc="mean")
        if method not in wide or ref not in wide:
            continue
        wide = wide[[method, ref]].dropna()
        if wide.empty:
            continue
        m, r = float(wide[method].mean()), float(wide[ref].mean())
        rel = relative_change(m, r)
        p = (_one_sided_p((wide[method] - wide[ref]).to_numpy(), higher)
             if len(wide) >= min_seeds else np.nan)
        worse = (rel < -tol if higher else rel > tol) or (not np.isnan(p) and p < alpha)
        rows.append(dict(zip(CELL, key), n_seeds=len(wide), method=m, ref=r,
                         rel_change=rel, p=p, worse=bool(worse)))
    return pd.DataFrame(rows, columns=[*CELL, "n_seeds", "method", "ref", "rel_change",
                                       "p", "worse"])


def share_worse(table):
    """Share of the cells of :func:`compare_cells` that are worse (NaN: no cell)."""
    return float(table["worse"].mean()) if len(table) else np.nan


def median_relative_change(runs, method="selection", ref="real_only", metric="pr_auc"):
    """Median over cells of the relative change of the per-cell means."""
    table = compare_cells(runs, metric, method, ref)
    return float(np.median(table["rel_change"])) if len(table) else np.nan


def best_arm_in_hindsight(runs, metric="pr_auc", method="selection", arms=HINDSIGHT):
    """Per cell: the arm (among ``arms`` present) with the best mean ``metric``,
    and ``method``'s relative change against it (the regret, ≤ 0 is a loss).

    Means are over each method's own seeds (every method of a cell runs on the
    same seeds unless one failed).
    """
    higher = METRICS.get(metric, True)
    wide = cell_means(runs, metric)
    present = [a for a in arms if a in wide]
    if method not in wide or not present:
        return pd.DataFrame(columns=[*CELL, "best_arm", "best", "method", "regret"])
    arm_means = wide[present]
    usable = arm_means.notna().any(axis=1) & wide[method].notna()
    arm_means, sel = arm_means[usable], wide.loc[usable, method]
    best_arm = arm_means.idxmax(axis=1) if higher else arm_means.idxmin(axis=1)
    best = arm_means.max(axis=1) if higher else arm_means.min(axis=1)
    out = pd.DataFrame({"best_arm": best_arm, "best": best, "method": sel})
    out["regret"] = relative_change(out["method"].to_numpy(), out["best"].to_numpy())
    return out.reset_index()


def fit_time_ratio(runs, method="selection", ref="real_only"):
    """``method``'s fit time over ``ref``'s in the same cell and seed, per run."""
    ok = ok_runs(runs)
    ok = ok[ok["method"].isin([method, ref])]
    wide = ok.pivot_table(index=[*CELL, "seed"], columns="method", values="fit_seconds",
                          aggfunc="mean")
    if method not in wide or ref not in wide:
        return pd.Series(dtype=float)
    wide = wide[[method, ref]].dropna()
    wide = wide[wide[ref] > 0]
    return (wide[method] / wide[ref]).rename("ratio")


def arm_pull_counts(runs, by=None, method="selection"):
    """Pulls per arm summed over ``method``'s runs (its ``arm_pulls`` JSON):
    a DataFrame ``[*by], arm, pulls, share`` (share within each group)."""
    by = list(by or [])
    ok = ok_runs(runs)
    ok = ok[(ok["method"] == method) & ok["arm_pulls"].notna()]
    rows = []
    for _, r in ok.iterrows():
        text = str(r["arm_pulls"])
        if not text.strip():
            continue
        for arm, n in json.loads(text).items():
            rows.append({**{k: r[k] for k in by}, "arm": arm, "pulls": int(n)})
    if not rows:
        return pd.DataFrame(columns=[*by, "arm", "pulls", "share"])
    df = pd.DataFrame(rows)
    arms = list(dict.fromkeys(df["arm"]))  # the declared order
    df = df.groupby([*by, "arm"], sort=False, as_index=False)["pulls"].sum()
    total = df.groupby(by)["pulls"].transform("sum") if by else df["pulls"].sum()
    df["share"] = np.where(total > 0, df["pulls"] / total, np.nan)
    df["_order"] = df["arm"].map(arms.index)
    return df.sort_values([*by, "_order"]).drop(columns="_order").reset_index(drop=True)


def where_it_loses(runs, metric="pr_auc", method="selection", refs=("real_only", "smote"),
                   tol=TOL):
    """The cells where ``method``'s mean is more than ``tol`` (relative) worse
    than one of ``refs``, with the figures: one row per cell and reference."""
    tables = []
    for ref in refs:
        t = compare_cells(runs, metric, method, ref, tol=tol)
        if not len(t):
            continue
        higher = METRICS.get(metric, True)
        bad = t[t["rel_change"] < -tol] if higher else t[t["rel_change"] > tol]
        tables.append(bad.assign(against=ref))
    if not tables:
        return pd.DataFrame(columns=[*CELL, "against", "n_seeds", "method", "ref",
                                     "rel_change"])
    out = pd.concat(tables, ignore_index=True)
    return out[[*CELL, "against", "n_seeds", "method", "ref", "rel_change"]].sort_values(
        [*CELL, "against"]).reset_index(drop=True)


def _max_iter(runs):
    vals = ok_runs(runs).loc[lambda d: d["method"] == "selection", "max_iter"].dropna()
    vals = vals.unique() if len(vals) else ok_runs(runs)["max_iter"].dropna().unique()
    if len(vals) != 1:
        raise ValueError(f"expected one max_iter in the runs, got {sorted(vals)}")
    return int(vals[0])


def targets(runs):
    """Issue 14's targets as measured: a DataFrame ``target, measured, goal,
    status`` (``PASS``, ``FAIL`` or ``n/a`` when a method is missing)."""
    rows = []

    def add(name, value, goal, ok, fmt="{:+.2%}"):
        measured = "n/a" if value is None or np.isnan(value) else fmt.format(value)
        status = "n/a" if measured == "n/a" else ("PASS" if ok else "FAIL")
        rows.append(dict(target=name, measured=measured, goal=goal, status=status))

    for metric, label in (("pr_auc", "PR-AUC"), ("brier", "Brier")):
        t = compare_cells(runs, metric)
        s = share_worse(t)
        add(f"(a) cells where selection is worse than real_only on {label} "
            f"({int(t['worse'].sum()) if len(t) else 0} of {len(t)})",
            s, f"≤ {MAX_WORSE_SHARE:.0%}", s <= MAX_WORSE_SHARE, "{:.1%}")
    for ref in ("real_only", "smote"):
        v = median_relative_change(runs, "selection", ref)
        add(f"(b) median relative PR-AUC change, selection vs {ref}", v, "≥ 0", v >= 0)
    hind = best_arm_in_hindsight(runs)
    v = float(np.median(hind["regret"])) if len(hind) else np.nan
    add("(c) median relative PR-AUC, selection vs the best single arm in hindsight", v,
        f"≥ −{REGRET_TOL:.0%}", v >= -REGRET_TOL)
    ratio = fit_time_ratio(runs)
    try:
        limit = (_max_iter(runs) + 1) * FIT_FACTOR
    except ValueError:
        limit = np.nan
    v = float(np.median(ratio)) if len(ratio) else np.nan
    add("(d) fit time selection / real_only (median over runs)", v,
        f"≤ (max_iter + 1) × {FIT_FACTOR} = {limit:g}", v <= limit, "{:.2f}")
    return pd.DataFrame(rows)


def command_from_runs(runs):
    """The benchmark command that reproduces ``runs`` (every option spelled out;
    ``--n-jobs`` changes the speed, not the results)."""
    ok = runs
    datasets = list(dict.fromkeys(ok["dataset"]))
    estimators = list(dict.fromkeys(ok["estimator"]))
    fractions = sorted(ok["fraction"].unique())
    seeds = sorted(ok["seed"].unique())
    methods = [m for m in METHOD_ORDER if m in set(ok["method"])] + \
        [m for m in dict.fromkeys(ok["method"]) if m not in METHOD_ORDER]
    gens = [g for g in dict.fromkeys(ok["generator"].astype(str)) if g != "none"]
    budgets = sorted(b for b in ok["budget"].unique() if b > 0)
    parts = ["python", "-m", "sklearn_activesynth.benchmark",
             "--datasets", *datasets, "--estimators", *estimators,
             "--fractions", *[f"{f:g}" for f in fractions],
             "--seeds", str(len(seeds)), "--methods", *methods]
    if gens:
        parts += ["--generators", *gens]
    if budgets:
        parts += ["--budget", f"{budgets[0]:g}"]
    for col, opt in (("max_iter", "--max-iter"), ("max_rows", "--max-rows")):
        vals = ok[col].dropna().unique()
        if len(vals) == 1:
            parts += [opt, str(int(vals[0]))]
    # the selection methods record the guard they used (selection: 0.2 when the
    # run had none; arm_*: none): the run's own setting is on the other rows
    own = ok[~ok["method"].isin(("selection",) + ARM_METHODS)]
    vf = (own if len(own) else ok[ok["method"] == "selection"])[
        "validation_fraction"].dropna().unique()
    parts += ["--validation-fraction", f"{vf[0]:g}" if len(vf) == 1 else "none"]
    parts += ["--uncertainty-maps", "--n-jobs", "2", "--out", "RUN_DIR"]
    if seeds != list(range(len(seeds))):
        parts.append(f"# seeds run: {seeds}")
    return " ".join(shlex.quote(p) if not p.startswith("#") else p for p in parts)


def pull_plots(runs, folder):
    """One PNG per dataset: the share of the bandit's pulls per arm, per estimator."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shares = arm_pull_counts(runs, by=["dataset", "estimator"])
    files = []
    for dataset, g in shares.groupby("dataset", sort=True):
        arms = list(dict.fromkeys(g["arm"]))
        ests = list(dict.fromkeys(g["estimator"]))
        width = 0.8 / max(1, len(ests))
        fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(arms), 3.0))
        x = np.arange(len(arms))
        for i, est in enumerate(ests):
            sub = g[g["estimator"] == est].set_index("arm").reindex(arms)
            ax.bar(x + (i - (len(ests) - 1) / 2) * width, sub["share"].fillna(0), width,
                   label=est)
        ax.set_xticks(x)
        ax.set_xticklabels(arms, fontsize=7, rotation=20)
        ax.set_ylabel("share of pulls", fontsize=8)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, title="estimator", title_fontsize=7)
        ax.set_title(f"{dataset}: UCB pulls per arm (all fractions and seeds)", fontsize=8)
        fig.tight_layout()
        path = folder / f"pulls_{dataset}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        files.append(path)
    return files


def _table(df, floats=4):
    def f(v, col=""):
        if col == "fraction" and isinstance(v, (float, np.floating)):
            return f"{v:.0%}"
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else ""
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else f"{v:.{floats}f}"
        return str(v)
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(f(v, c) for v, c in zip(row, cols)) + " |")
    return "\n".join(lines)


def _pct(v):
    return "" if pd.isna(v) else f"{v:+.2%}"


def _legend():
    """The benchmark's method legend (empty when the package is not importable)."""
    try:
        from sklearn_activesynth.benchmark import METHODS
    except ImportError:  # pragma: no cover - the report reads a CSV only
        return {}
    return METHODS


def report_markdown(runs, *, command=None, images=None, image_prefix=""):
    """The report's Markdown text; ``images`` are the pull plots to link."""
    ok = ok_runs(runs)
    n_failed = len(runs) - len(ok)
    command = command or command_from_runs(runs)
    lines = ["# Selection: a UCB bandit over kinds of synthetic rows (issue 14)", "",
             "Generated by `benchmarks/selection_report.py` from the benchmark's "
             "`runs.csv`. Reproduce:", "", "```", command,
             "python benchmarks/selection_report.py RUN_DIR --out benchmarks/SELECTION.md "
             "--images benchmarks/selection", "```", "",
             f"{len(runs)} runs ({n_failed} failed), {ok['dataset'].nunique()} datasets, "
             f"{ok.groupby(CELL).ngroups} cells (dataset × fraction × estimator), "
             f"{ok['seed'].nunique()} seeds.", "",
             "A cell is *worse* when its mean over seeds is more than 1 % (relative) worse "
             "than the reference (PR-AUC below, Brier above) or, with ≥ 10 paired seeds, "
             "a one-sided paired Wilcoxon test gives p < 0.1 (not used below 10 seeds). "
             "The best single arm in hindsight is, per cell, the best mean PR-AUC among "
             "real_only (the no-synthesis arm) and the arm_* methods.", "",
             "## Targets", "", _table(targets(runs)), ""]
    legend = _legend()
    present = [m for m in METHOD_ORDER if m in set(ok["method"])]
    if legend and present:
        lines += ["## Methods", ""] + [f"- `{m}`: {legend[m]}" for m in present
                                       if m in legend] + [""]
    # (e) pulls
    pulls = arm_pull_counts(runs)
    lines += ["## How often each arm was pulled", ""]
    if len(pulls):
        by_est = arm_pull_counts(runs, by=["estimator"])
        wide = by_est.pivot_table(index="arm", columns="estimator", values="share",
                                  sort=False)
        wide.insert(0, "all", pulls.set_index("arm")["share"])
        wide.insert(0, "pulls", pulls.set_index("arm")["pulls"])
        wide = wide.reset_index()
        for c in wide.columns[2:]:
            wide[c] = wide[c].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        lines += ["Share of the selection runs' pulls (`arm_pulls`), all cells and per "
                  "estimator.", "", _table(wide), ""]
        sel = ok[ok["method"] == "selection"]
        if len(sel):
            lines += [f"Selection kept synthetic rows in "
                      f"{(sel['synthetic_rows'] > 0).mean():.0%} of its runs "
                      f"(mean {sel['synthetic_rows'].mean():.1f} rows, "
                      f"{sel['rounds_accepted'].mean():.2f} rounds kept per run).", ""]
    else:
        lines += ["No selection run recorded arm pulls.", ""]
    for path in images or ():
        name = Path(path).name
        lines += [f"![{name}]({image_prefix}{name})", ""]
    # (c) per cell
    hind = best_arm_in_hindsight(runs)
    if len(hind):
        lines += ["## Best single arm in hindsight (PR-AUC)", "",
                  "How often each arm is the best in hindsight: " + ", ".join(
                      f"{a} {n}" for a, n in hind["best_arm"].value_counts().items()) + ".",
                  "", _table(hind.assign(regret=hind["regret"].map(_pct))), ""]
    # (f) where it loses
    loses = where_it_loses(runs)
    lines += ["## Where it loses (PR-AUC more than 1 % below real_only or smote)", ""]
    if len(loses):
        lines += [_table(loses.assign(rel_change=loses["rel_change"].map(_pct))), ""]
    else:
        lines += ["Nowhere.", ""]
    loses_b = where_it_loses(runs, "brier")
    lines += ["## Where it loses on Brier (more than 1 % above real_only or smote)", ""]
    lines += ([_table(loses_b.assign(rel_change=loses_b["rel_change"].map(_pct))), ""]
              if len(loses_b) else ["Nowhere.", ""])
    # per-cell scores
    for metric, what in (("pr_auc", "PR-AUC (higher is better)"),
                         ("brier", "Brier score (lower is better)")):
        wide = cell_means(runs, metric)
        if wide.empty:
            continue
        lines += [f"## {what}, mean over seeds per cell", "", _table(wide.reset_index()), ""]
    ratio = fit_time_ratio(runs)
    if len(ratio):
        per = ratio.groupby(level="estimator").median()
        lines += ["## Fit time", "", "Median fit-time ratio selection / real_only per "
                  "estimator: " + ", ".join(f"{e} {v:.2f}" for e, v in per.items()) + ".",
                  ""]
    return "\n".join(lines)


def write_report(run_dir, out=None, images=None, command=None):
    """Read ``run_dir/runs.csv``; write the Markdown (``out``, default
    ``run_dir/SELECTION.md``) and the pull plots (``images``, default
    ``run_dir/selection``). Returns the paths written."""
    run_dir = Path(run_dir)
    runs = pd.read_csv(run_dir / "runs.csv", keep_default_na=True)
    out = Path(out) if out is not None else run_dir / "SELECTION.md"
    images = Path(images) if images is not None else out.parent / "selection"
    pngs = pull_plots(runs, images)
    prefix = os.path.relpath(images, out.parent).replace(os.sep, "/") + "/"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report_markdown(runs, command=command, images=pngs,
                                   image_prefix=prefix) + "\n")
    return [out, *pngs]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dir", help="the benchmark's output folder (holds runs.csv)")
    p.add_argument("--out", default=None, help="Markdown file (default RUN_DIR/SELECTION.md)")
    p.add_argument("--images", default=None,
                   help="folder of the pull plots (default: selection/ next to --out)")
    p.add_argument("--command", default=None,
                   help="the benchmark command to print (default: rebuilt from runs.csv)")
    args = p.parse_args(argv)
    files = write_report(args.run_dir, args.out, args.images, args.command)
    runs = pd.read_csv(Path(args.run_dir) / "runs.csv")
    for r in targets(runs).itertuples(index=False):
        print(f"{r.status:4s}  {r.target}: {r.measured} (goal {r.goal})")
    print("\n".join(map(str, files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
