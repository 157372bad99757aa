"""The Markdown report and the files written next to ``runs.csv``."""

from pathlib import Path

import numpy as np
import pandas as pd

from ._methods import METHODS
from ._stats import efficiency_table, method_label, ok_runs, summarize, wilcoxon_table

__all__ = ["write_report", "report_markdown", "markdown_table"]

TABLE_METRICS = ["pr_auc", "roc_auc", "balanced_accuracy", "f1", "recall_at_precision",
                 "ece", "brier", "accuracy"]
TEST_METRICS = ["pr_auc", "balanced_accuracy", "roc_auc"]
LOWER_IS_BETTER = {"ece", "brier", "test_uncertainty", "fit_seconds", "predict_seconds"}
METHOD_ORDER = ["real_only", "real_tuned", "calibrated", "smote", "borderline_smote",
                "adasyn", "untargeted", "random", "random_matched", "active",
                "active_defaults", "smote_balanced", "sampler_balanced", "selection",
                "arm_uncertain", "arm_random_matched", "arm_balance",
                "arm_uncertain_usable"]


def markdown_table(df, *, index=False):
    """A DataFrame as a GitHub Markdown table (no ``tabulate`` needed)."""
    if index:
        df = df.reset_index()
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(cols))) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join("" if (isinstance(v, float) and np.isnan(v))
                                       else str(v) for v in row) + " |")
    return "\n".join(lines)


def _order(labels):
    def key(lab):
        base = lab.split("[")[0]
        return (METHOD_ORDER.index(base) if base in METHOD_ORDER else 99, lab)
    return sorted(labels, key=key)


def _multi_generator(df):
    return df.loc[df["generator"].astype(str) != "none", "generator"].nunique() > 1


def _with_labels(df):
    multi = _multi_generator(df)
    return df.assign(label=[method_label(m, g, multi)
                            for m, g in zip(df["method"], df["generator"])])


def _fmt(mean, std, digits=3):
    if pd.isna(mean):
        return "n/a"
    return f"{mean:.{digits}f} ± {std:.{digits}f}" if pd.notna(std) else f"{mean:.{digits}f}"


def _degenerate_runs(runs):
    """Runs flagged ``degenerate`` (constant predictions)."""
    if "degenerate" not in runs:
        return runs.iloc[:0]
    flag = runs["degenerate"].astype("string").fillna("").astype(str)
    return runs[flag != ""]


def _score_tables(runs, metric, budget):
    """One wide table per (estimator, fraction): datasets x methods, mean ± std;
    the best mean of each row in bold; † marks a cell with degenerate runs."""
    summ = summarize(runs, [metric], budget=budget)
    if summ.empty:
        return []
    summ = _with_labels(summ)
    bad = _with_labels(_degenerate_runs(runs)) if len(_degenerate_runs(runs)) else None
    flagged = set() if bad is None else set(
        zip(bad["estimator"], bad["fraction"], bad["dataset"], bad["label"]))
    out = []
    lower = metric in LOWER_IS_BETTER
    for (est, frac), grp in summ.groupby(["estimator", "fraction"], sort=True):
        labels = _order(grp["label"].unique())
        rows = []
        for ds, sub in grp.groupby("dataset", sort=True):
            sub = sub.set_index("label")
            means = sub[f"{metric}_mean"]
            best = means.min() if lower else means.max()
            row = {"dataset": ds}
            for lab in labels:
                if lab in sub.index:
                    cell = _fmt(sub.at[lab, f"{metric}_mean"], sub.at[lab, f"{metric}_std"])
                    if np.isclose(sub.at[lab, f"{metric}_mean"], best):
                        cell = f"**{cell}**"
                    if (est, frac, ds, lab) in flagged:
                        cell += " †"
                    row[lab] = cell
                else:
                    row[lab] = ""
            rows.append(row)
        out.append((est, frac, markdown_table(pd.DataFrame(rows))))
    return out


def _test_tables(runs, metric, reference, budget, methods=None):
    tab = wilcoxon_table(runs, metric, reference, budget=budget, methods=methods,
                         lower_is_better=metric in LOWER_IS_BETTER)
    if tab.empty:
        return [], tab
    tab = _with_labels(tab)
    out = []
    for (est, frac), grp in tab.groupby(["estimator", "fraction"], sort=True):
        labels = _order(grp["label"].unique())
        rows = []
        datasets = sorted(d for d in grp["dataset"].unique() if not d.startswith("all ("))
        datasets += [d for d in ("all (runs)", "all (dataset means)")
                     if d in set(grp["dataset"])]
        for ds in datasets:
            sub = grp[grp["dataset"] == ds].set_index("label")
            row = {"dataset": ds}
            for lab in labels:
                if lab not in sub.index:
                    row[lab] = ""
                    continue
                r = sub.loc[lab]
                mark = {"win": " **win**", "loss": " **loss**"}.get(r["verdict"], "")
                row[lab] = (f"{r['mean_diff']:+.3f} ({r['wins']}/{r['ties']}/{r['losses']}, "
                            f"p={r['p_value']:.3g}){mark}")
            rows.append(row)
        out.append((est, frac, markdown_table(pd.DataFrame(rows))))
    return out, tab


def _cost_table(runs, budget):
    summ = summarize(runs, ["synthetic_rows", "fit_seconds", "predict_seconds",
                            "uncertainty_reduction", "ece"], budget=budget)
    if summ.empty:
        return ""
    summ = _with_labels(summ)
    agg = summ.groupby(["estimator", "label"]).agg(
        synthetic_rows=("synthetic_rows_mean", "mean"),
        fit_seconds=("fit_seconds_mean", "mean"),
        predict_seconds=("predict_seconds_mean", "mean"),
        uncertainty_reduction=("uncertainty_reduction_mean", "mean"),
        ece=("ece_mean", "mean")).reset_index()
    agg["order"] = [_order(list(agg["label"].unique())).index(lab) for lab in agg["label"]]
    agg = agg.sort_values(["estimator", "order"]).drop(columns="order")
    agg["synthetic_rows"] = agg["synthetic_rows"].round(0).astype("Int64")
    for c in ("fit_seconds", "predict_seconds"):
        agg[c] = agg[c].map(lambda v: f"{v:.2f}")
    for c in ("uncertainty_reduction", "ece"):
        agg[c] = agg[c].map(lambda v: "n/a" if pd.isna(v) else f"{v:+.3f}" if
                            c == "uncertainty_reduction" else f"{v:.3f}")
    agg = agg.rename(columns={"label": "method", "synthetic_rows": "synthetic rows used",
                              "fit_seconds": "fit s", "predict_seconds": "predict s",
                              "uncertainty_reduction": "test uncertainty reduction"})
    return markdown_table(agg)


def report_markdown(runs, *, budget=None, metrics=TABLE_METRICS, test_metrics=TEST_METRICS,
                    plots=()):
    """The Markdown report of a benchmark (tables only; see :func:`write_report`).

    Parameters
    ----------
    runs : DataFrame
    budget : float, default=None
        The headline synthetic budget (other budgets appear only in the
        efficiency section).
    metrics : list of str
        Metrics with a mean ± std table.
    test_metrics : list of str
        Metrics with Wilcoxon tables.
    plots : list of str
        PNG file names to embed.

    Returns
    -------
    text : str
    """
    ok = ok_runs(runs)
    failed = len(runs) - len(ok)
    lines = ["# Benchmark results", ""]
    ds = sorted(ok["dataset"].unique())
    seeds = sorted(ok["seed"].unique())
    lines.append(
        f"{len(ok)} runs ({failed} failed) over {len(ds)} datasets ({', '.join(ds)}); "
        f"estimators {', '.join(sorted(ok['estimator'].unique()))}; real-data fractions "
        f"{', '.join(f'{f:.0%}' for f in sorted(ok['fraction'].unique()))}; "
        f"{len(seeds)} seeds; synthetic budget {budget:.0%} of the real training rows"
        if budget is not None and len(ok) else f"{len(ok)} runs ({failed} failed).")
    if len(ok):
        mi = ok["max_iter"].dropna().unique()
        vf = ok["validation_fraction"].dropna().unique()
        pt = ok["precision_target"].dropna().unique()
        guard = ("off (validation_fraction=None: every round kept, exact budgets), unlike "
                 "the library's default (validation_fraction=0.2"
                 + ("; `active_defaults` runs the library as shipped)" if "active_defaults"
                    in set(ok["method"]) else ")")
                 if not len(vf) else "validation_fraction=" + ", ".join(map(str, vf)))
        lines.append("")
        lines.append(
            f"Loop: max_iter={', '.join(str(int(v)) for v in mi)}, validation guard {guard}. "
            f"recall_at_precision holds precision {', '.join(map(str, pt))}. "
            "Mean ± std over seeds; the best mean of each row in bold.")
    lines += ["", "## Methods", ""]
    present = set(ok["method"])
    for m in METHOD_ORDER:
        if m in present:
            lines.append(f"- `{m}`: {METHODS[m]}")
    for metric in metrics:
        tables = _score_tables(ok, metric, budget)
        if not tables:
            continue
        lines += ["", f"## {metric} (mean ± std)"]
        for est, frac, table in tables:
            lines += ["", f"**{est}, {frac:.0%} real data**", "", table]
    refs = [("real_only", None, "each method against real-only"),
            ("smote", None, "each method against SMOTE"),
            ("random_matched", ["active"],
             "active synthesis against the class-matched random-anchor control "
             "(same generator, budget, rounds and class mix)"),
            ("smote_balanced", ["sampler_balanced"],
             "ActiveSynthesisSampler against SMOTE/SMOTENC, both at full balancing")]
    for metric in test_metrics:
        for ref, meths, what in refs:
            if ref not in present:
                continue
            tables, _ = _test_tables(ok, metric, ref, budget, meths)
            if not tables:
                continue
            lines += ["", f"## Wilcoxon signed-rank, {metric}: {what}", "",
                      "Cell: mean difference (method - reference; for ECE reference - "
                      "method), (wins/ties/losses over seeds, two-sided p). "
                      "**win**/**loss**: p < 0.05. Pooled rows: all runs of all datasets, "
                      "and the per-dataset mean differences."]
            for est, frac, table in tables:
                lines += ["", f"**{est}, {frac:.0%} real data**", "", table]
    if {"active", "random_matched"} <= present:
        for metric in test_metrics[:1]:
            eff = efficiency_table(ok, metric)
            if not eff.empty:
                eff = eff.assign(
                    control_best=eff["control_best"].round(4),
                    targeted_best=eff["targeted_best"].round(4),
                    control_rows=eff["control_rows"].round(0),
                    targeted_rows_needed=eff["targeted_rows_needed"].round(0),
                    rows_saved=eff["rows_saved"].map(
                        lambda v: "not reached" if pd.isna(v) else f"{v:.0%}"))
                eff = eff[["dataset", "estimator", "fraction", "generator", "budgets",
                           "control_best", "control_best_budget", "control_rows",
                           "targeted_best", "targeted_budget_needed",
                           "targeted_rows_needed", "rows_saved"]]
                lines += ["", f"## Synthetic-data efficiency ({metric})", "",
                          "The class-matched random control's best mean score over the "
                          "budgets, and the synthetic rows active synthesis needs to reach "
                          "it (smallest budget whose mean score is at least as high; seed "
                          "000 §3.1 expects 50-70 % fewer rows).", "",
                          markdown_table(eff)]
    cost = _cost_table(ok, budget)
    if cost:
        lines += ["", "## Cost and calibration (mean over datasets and seeds)", "",
                  "Test uncertainty reduction: 1 - mean test entropy / real-only's, in "
                  "the same cell.", "", cost]
    degenerate = _degenerate_runs(ok)
    if len(degenerate):
        from ._runner import DEGENERATE

        lines += ["", "## Degenerate runs", "",
                  f"{len(degenerate)} run(s) whose model predicts a constant (marked † in "
                  "the tables): their scores measure no ranking, and a mean over seeds "
                  "that includes them says little.", ""]
        lines += [f"- `{k}`: {v}" for k, v in DEGENERATE.items()
                  if k in set(degenerate["degenerate"])]
        grp = degenerate.groupby(["dataset", "estimator", "fraction", "method",
                                  "degenerate"]).agg(seeds=("seed", lambda s: sorted(
                                      int(v) for v in s))).reset_index()
        lines += ["", markdown_table(grp.assign(
            fraction=grp["fraction"].map(lambda f: f"{f:.0%}"),
            seeds=grp["seeds"].map(lambda v: ", ".join(map(str, v)))))]
    if failed:
        err = runs.loc[~runs.index.isin(ok.index)]
        top = err.groupby(["method", "error"]).size().sort_values(ascending=False).head(10)
        lines += ["", "## Failed runs", ""]
        lines += [f"- `{m}` ({n}x): {e}" for (m, e), n in top.items()]
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def write_report(runs, output_dir, *, budget=None, plots=True, reliability=None,
                 metrics=("pr_auc", "balanced_accuracy")):
    """Write ``summary.csv``, ``wilcoxon.csv``, ``efficiency.csv``, the PNG
    plots and ``results.md`` (which embeds them) into ``output_dir``.

    Returns
    -------
    files : list of Path
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    summarize(runs, budget=None).to_csv(out / "summary.csv", index=False, float_format="%.6g")
    files.append(out / "summary.csv")
    tests = [wilcoxon_table(runs, m, ref, budget=budget,
                            methods=["active"] if ref == "random_matched" else None,
                            lower_is_better=m in LOWER_IS_BETTER)
             for m in TEST_METRICS for ref in ("real_only", "smote", "random_matched",
                                                 "smote_balanced")]
    pd.concat([t for t in tests if len(t)] or [pd.DataFrame()]).to_csv(
        out / "wilcoxon.csv", index=False, float_format="%.6g")
    files.append(out / "wilcoxon.csv")
    eff = pd.concat([efficiency_table(runs, m) for m in TEST_METRICS] or [pd.DataFrame()])
    eff.to_csv(out / "efficiency.csv", index=False, float_format="%.6g")
    files.append(out / "efficiency.csv")
    pngs = []
    if plots:
        from ._plots import plot_efficiency_curves, plot_fraction_curves, plot_reliability

        ok = ok_runs(runs)
        for est in sorted(ok["estimator"].unique()):
            for metric in metrics:
                p = out / f"fraction_{metric}_{est}.png"
                plot_fraction_curves(ok, p, metric=metric, estimator=est, budget=budget)
                pngs.append(p)
            p = out / f"efficiency_{metrics[0]}_{est}.png"
            if efficiency_table(ok[ok["estimator"] == est], metrics[0]).shape[0]:
                plot_efficiency_curves(ok, p, metric=metrics[0], estimator=est)
                pngs.append(p)
            if reliability is not None and len(reliability):
                for frac in sorted(ok["fraction"].unique()):
                    p = out / f"reliability_{est}_{int(round(frac * 100))}.png"
                    plot_reliability(reliability, p, estimator=est, fraction=frac,
                                     budget=budget)
                    pngs.append(p)
        pngs += sorted(out.glob("uncertainty_map_*.png"))
        files += pngs
    text = report_markdown(runs, budget=budget, plots=[p.name for p in pngs])
    (out / "results.md").write_text(text)
    files.append(out / "results.md")
    return files
