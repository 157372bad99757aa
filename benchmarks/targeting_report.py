"""Tables, the decision rule and budget plots for ``bench_targeting.py``.

``python benchmarks/bench_targeting.py --report`` reads ``runs.csv`` and writes
``report.md`` (every variant against its class-matched control, plain random
anchors, real-only and SMOTE, per cell and per regime) and ``budget_<regime>_<metric>.png``.

The decision rule (issue "make targeting earn its name"): a variant *wins* a
regime (per model) on a metric when, among the cells where synthesis changes the score
(the variant or its control moves the metric by at least ``CHANGE`` on
average against real-only), it beats the class-matched control with a paired
two-sided Wilcoxon p < 0.1 (and a favourable mean) in at least half, and its
mean difference over the cells is not negative.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

METRICS = {"pr_auc": True, "accuracy": True, "brier": False, "ece": False, "log_loss": False,
           "slice_pr_auc": True, "slice_recall": True}
CELL = ["regime", "dataset", "estimator", "n_train", "budget"]
CHANGE = {"pr_auc": 0.005, "accuracy": 0.005, "brier": 0.002, "ece": 0.005, "log_loss": 0.005,
          "slice_pr_auc": 0.005, "slice_recall": 0.01}
ALPHA = 0.1


def _p(diff):
    diff = np.asarray(diff, dtype=float)
    diff = diff[~np.isnan(diff)]
    if len(diff) < 5 or np.allclose(diff, 0):
        return 1.0
    return float(wilcoxon(diff, zero_method="zsplit").pvalue)


def paired(runs, metric):
    """One row per cell and variant: means of target / control / random /
    real / SMOTE, the paired target − control difference (signed so that
    positive = better), its Wilcoxon p, wins/losses over seeds."""
    higher = METRICS[metric]
    sign = 1.0 if higher else -1.0
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    if metric not in ok:
        return pd.DataFrame()
    ok = ok[ok[metric].notna()]
    real = ok[ok.side == "real"].set_index(["regime", "dataset", "estimator", "n_train",
                                            "seed"])[metric]
    smote_all = ok[ok.side == "smote"].set_index([*CELL, "seed"])[metric]
    out = []
    loops = ok[ok.side.isin(["target", "control", "random"])]
    warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
    for key, g in loops.groupby([*CELL, "variant"]):
        regime, dataset, est, n_train, budget, variant = key
        wide = g.pivot_table(index="seed", columns="side", values=metric)
        if "target" not in wide or "control" not in wide:
            continue
        wide = wide.dropna(subset=["target", "control"])
        if wide.empty:
            continue
        smote = smote_all.reindex([(regime, dataset, est, n_train, budget, sd)
                                   for sd in wide.index])
        smote.index = wide.index
        r = real.reindex([(regime, dataset, est, n_train, s) for s in wide.index]).to_numpy()
        d = sign * (wide["target"] - wide["control"]).to_numpy()
        row = dict(regime=regime, dataset=dataset, estimator=est, n_train=int(n_train),
                   budget=budget, variant=variant, n_seeds=len(wide),
                   target=wide["target"].mean(), control=wide["control"].mean(),
                   random=wide["random"].mean() if "random" in wide else np.nan,
                   real=np.nanmean(r), smote=smote.mean(),
                   diff=float(np.mean(d)), wins=int(np.sum(d > 0)), losses=int(np.sum(d < 0)),
                   p=_p(d),
                   vs_real=float(np.nanmean(sign * (wide["target"].to_numpy() - r))),
                   control_vs_real=float(np.nanmean(sign * (wide["control"].to_numpy() - r))),
                   vs_smote=float(np.nanmean(sign * (wide["target"] - smote).to_numpy())))
        row["changes"] = bool(max(abs(row["vs_real"]), abs(row["control_vs_real"]))
                              >= CHANGE[metric])
        if "random" in wide:
            dr = sign * (wide["target"] - wide["random"]).to_numpy()
            row["diff_vs_random"] = float(np.nanmean(dr))
            row["p_vs_random"] = _p(dr)
        out.append(row)
    return pd.DataFrame(out)


def verdicts(table, metric):
    """Per regime, model and variant (every budget a cell): the decision rule."""
    rows = []
    for (regime, estimator, variant), g in table.groupby(["regime", "estimator", "variant"]):
        ch = g[g["changes"]]
        sig_win = int(np.sum((ch["p"] < ALPHA) & (ch["diff"] > 0)))
        sig_loss = int(np.sum((ch["p"] < ALPHA) & (ch["diff"] < 0)))
        mean_diff = float(ch["diff"].mean()) if len(ch) else np.nan
        wins = len(ch) > 0 and sig_win >= len(ch) / 2 and mean_diff >= 0
        rows.append(dict(regime=regime, estimator=estimator, variant=variant, metric=metric,
                         cells=len(g),
                         cells_changed=len(ch), significant_wins=sig_win,
                         significant_losses=sig_loss,
                         mean_diff_changed=mean_diff, mean_diff_all=float(g["diff"].mean()),
                         seed_wins=int(g["wins"].sum()), seed_losses=int(g["losses"].sum()),
                         target_vs_real=float(g["vs_real"].mean()),
                         control_vs_real=float(g["control_vs_real"].mean()),
                         target_vs_smote=float(g["vs_smote"].mean()),
                         target_vs_random=float(g["diff_vs_random"].mean())
                         if "diff_vs_random" in g and g["diff_vs_random"].notna().any()
                         else np.nan,
                         verdict="WINS" if wins else ("worse" if (mean_diff < 0 and sig_loss
                                                                    > sig_win) else "no")))
    return pd.DataFrame(rows)


def _fmt(df, floats=3):
    def f(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else f"{v:.{floats}f}"
        return str(v)
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(f(r[c]) for c in cols) + " |")
    return "\n".join(lines)


def budget_plots(runs, out, metrics=("pr_auc", "brier")):
    """Per regime and metric: mean gain over real-only (same seed) against the
    synthetic budget, one panel per estimator and training size, averaged over
    the regime's datasets: targeted vs class-matched random vs plain random
    anchors (and SMOTE at the same budgets)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    ok = runs[runs["error"].isna()]
    ids = ["regime", "dataset", "estimator", "n_train", "seed"]
    for regime, g in ok.groupby("regime"):
        curve_variants = [v for v, gv in g[g.side == "target"].groupby("variant")
                          if gv.budget.nunique() >= 3]
        if not curve_variants:
            continue
        for metric in metrics:
            if metric not in g or g[metric].isna().all():
                continue
            real = g[g.side == "real"].set_index(ids)[metric].rename("real")
            gg = g.join(real, on=ids)
            gg["gain"] = gg[metric] - gg["real"]
            # one panel per model and training size (mean over datasets); with
            # fewer than 3 such panels, one per dataset as well
            groups = [(est, n, None) for est, n in
                      sorted(gg.groupby(["estimator", "n_train"]).groups)]
            if len(groups) < 3:
                groups += [(est, n, d) for (est, n, d) in
                           sorted(gg.groupby(["estimator", "n_train", "dataset"]).groups)]
            ncol = min(4, len(groups))
            nrow = int(np.ceil(len(groups) / ncol))
            fig, axes = plt.subplots(nrow, ncol, figsize=(max(7.0, 4.2 * ncol), 3.2 * nrow),
                                     squeeze=False)
            for ax, (est, n_train, dataset) in zip(axes.ravel(), groups):
                sub = gg[(gg.estimator == est) & (gg.n_train == n_train)]
                if dataset is not None:
                    sub = sub[sub.dataset == dataset]
                for variant in curve_variants:
                    for side, style in (("target", "-o"), ("control", "--s"),
                                        ("random", ":^")):
                        m = sub[(sub.variant == variant) & (sub.side == side)]
                        m = m.groupby("budget")["gain"].mean()
                        if len(m) >= 2:
                            label = {"target": variant,
                                     "control": f"{variant}: class-matched random",
                                     "random": "random anchors"}[side]
                            ax.plot(m.index, m.values, style, label=label, ms=4)
                sm = sub[sub.side == "smote"].groupby("budget")["gain"].mean()
                if len(sm) >= 2:
                    ax.plot(sm.index, sm.values, "-", color="grey", lw=1, label="SMOTE")
                ax.axhline(0, color="black", lw=0.8)
                ax.set_xscale("log")
                names = sorted(sub.dataset.unique())
                what = names[0] if len(names) == 1 else f"mean of {len(names)} datasets"
                ax.set_title(f"{est}, {n_train} real rows: {what}", fontsize=8)
                ax.set_xlabel("synthetic rows / real rows", fontsize=7)
                ax.set_ylabel(f"{metric} − real-only", fontsize=7)
                ax.tick_params(labelsize=6)
            for ax in axes.ravel()[len(groups):]:
                ax.axis("off")
            axes.ravel()[0].legend(fontsize=6)
            better = "higher" if METRICS[metric] else "lower"
            fig.suptitle(f"{regime}: {metric} gain over real-only vs synthetic budget "
                         f"({better} is better; mean over datasets and seeds)", fontsize=9)
            fig.tight_layout()
            path = Path(out) / f"budget_{regime}_{metric}.png"
            fig.savefig(path, dpi=90)
            plt.close(fig)
            files.append(path)
    return files


def regime_table(g, metrics=None):
    """Markdown table of one regime's verdicts (rows: metric x variant)."""
    if metrics is not None:
        g = g[g.metric.isin(metrics)]
    tab = g.assign(**{
        "sig +/−/changed": [f"{a}/{b}/{c}" for a, b, c in zip(
            g.significant_wins, g.significant_losses, g.cells_changed)],
        "seeds +/−": [f"{a}/{b}" for a, b in zip(g.seed_wins, g.seed_losses)],
    })[["metric", "estimator", "variant", "cells", "mean_diff_all", "sig +/−/changed", "seeds +/−",
        "target_vs_real", "control_vs_real", "target_vs_smote", "target_vs_random",
        "verdict"]]
    tab = tab.rename(columns={"mean_diff_all": "vs control", "target_vs_real": "vs real",
                              "control_vs_real": "control vs real",
                              "target_vs_smote": "vs SMOTE", "target_vs_random": "vs random"})
    order = {m: i for i, m in enumerate(METRICS)}
    tab = tab.sort_values(["metric", "estimator", "variant"],
                          key=lambda c: c.map(order) if c.name == "metric" else c)
    return _fmt(tab, floats=4)


def fill_markdown(path, verdicts, metrics=("pr_auc", "brier", "ece", "slice_pr_auc",
                                           "slice_recall"), tag="verdicts"):
    """Replace the text between ``<!-- TAG:REGIME -->`` and ``<!-- /TAG -->``
    in ``path`` with that regime's verdict table (regimes without runs are
    left alone), so a hand-written page keeps the measured tables in sync
    with runs.csv."""
    import re

    path = Path(path)
    text = path.read_text()

    def table(m):
        # REGIME[:ESTIMATOR[:VARIANT,VARIANT...]]
        key = m.group(1).split(":")
        g = verdicts[verdicts.regime == key[0]]
        if len(key) > 1:
            g = g[g.estimator == key[1]]
        if len(key) > 2:
            g = g[g.variant.isin(key[2].split(","))]
        if not len(g):
            return m.group(0)
        return f"<!-- {tag}:{m.group(1)} -->\n{regime_table(g, metrics)}\n<!-- /{tag} -->"

    new = re.sub(rf"<!-- {tag}:([\w:,]+) -->.*?<!-- /{tag} -->", table, text, flags=re.S)
    path.write_text(new)
    return path


def write_report(out, *, first_seed=None, regimes=None, dest=None, markdown=None):
    """Write the report of ``out/runs.csv`` into ``dest`` (default ``out``).

    ``first_seed`` keeps only seeds >= it (a confirmation run on fresh seeds),
    ``regimes`` only those regimes; ``markdown``: a page whose verdict tables
    (see :func:`fill_markdown`) are refreshed.
    """
    out = Path(out)
    runs = pd.read_csv(out / "runs.csv")
    if first_seed is not None:
        runs = runs[runs.seed >= first_seed]
    if regimes:
        runs = runs[runs.regime.isin(regimes)]
    out = Path(dest) if dest is not None else out
    out.mkdir(parents=True, exist_ok=True)
    runs = runs.drop_duplicates(subset=["regime", "dataset", "estimator", "n_train", "budget",
                                        "seed", "variant", "side"], keep="last")
    title = "# Targeting against the class-matched control: tables"
    if first_seed is not None:
        title += f" (seeds >= {first_seed} only)"
    parts = [title + "\n",
             f"{len(runs)} runs; {int(runs['error'].notna().sum())} failed "
             "(listed at the end).\n",
             "`diff` = target − class-matched control, signed so that positive is better "
             "(for Brier, ECE and log-loss: lower); `p` = paired two-sided Wilcoxon over "
             "seeds; `changes` = the variant or its control moves the metric by at least "
             f"{CHANGE} against real-only.\n"]
    all_verdicts = []
    tables = {}
    for metric in METRICS:
        t = paired(runs, metric)
        if t.empty:
            continue
        tables[metric] = t
        all_verdicts.append(verdicts(t, metric))
    v = pd.concat(all_verdicts, ignore_index=True)
    v.to_csv(out / "verdicts.csv", index=False)
    parts.append("## Verdicts per regime and model (every budget is a cell)\n")
    parts.append("Differences are means over cells, signed so that positive is better: "
                 "`vs control` = target − class-matched control (all cells), "
                 "`sig +/−/changed` = cells with p < 0.1 for / against the target among the "
                 "cells where synthesis changes the score; `vs real`, `vs SMOTE`, "
                 "`vs random` = target − real-only / SMOTE / plain random anchors; "
                 "`control vs real` = what the control itself does.\n")
    for regime, g in v.groupby("regime"):
        parts.append(f"\n### {regime}\n")
        parts.append(regime_table(g))
    for metric, t in tables.items():
        t.to_csv(out / f"paired_{metric}.csv", index=False)
        parts.append(f"\n## {metric}\n")
        cols = ["regime", "dataset", "estimator", "n_train", "budget", "variant", "n_seeds",
                "real", "smote", "random", "control", "target", "diff", "wins", "losses",
                "p", "changes"]
        parts.append(_fmt(t[cols].sort_values(["regime", "dataset", "estimator", "n_train",
                                               "budget", "variant"]), floats=4))
    err = runs[runs["error"].notna()]
    if len(err):
        parts.append("\n## Failed runs\n")
        parts.append(_fmt(err[["regime", "dataset", "estimator", "n_train", "budget", "seed",
                               "variant", "side", "error"]]))
    files = budget_plots(runs, out)
    if markdown is not None:
        fill_markdown(markdown, v, tag="verdicts" if first_seed is None else "confirm")
    (out / "report.md").write_text("\n".join(parts) + "\n")
    print(f"wrote {out / 'report.md'} and {len(files)} plots")
    return v
