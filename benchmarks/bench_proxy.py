"""What a proxy model costs uncertainty sampling (seed 003 §2.2.2), and what it saves.

Part 1, accuracy. Per dataset and seed: a stratified 30 % test split; of the rest,
a stratified seed set of 2 % (at least 3 rows per class) is labelled and the other
rows are the unlabelled pool. ``ActiveSynthesisClassifier(HistGradientBoosting
Classifier(), oracle=<the known labels>, acquisition=Acquisition(...), n_synthetic=0,
validation_fraction=None)`` then asks for 2 % of the pool per round for ``--rounds``
rounds (no synthesis: acquisition alone; ``min_samples_leaf=5``, since the default 20
cannot split a seed set of 10-40 rows), with three query strategies:

- ``random``: random labelling, the control;
- ``margin (task)``: margin sampling with the task model (HistGradientBoosting);
- ``margin (LR proxy)``: margin sampling with ``Acquisition(query_estimator=
  make_pipeline(StandardScaler(), LogisticRegression()))``, refitted each round on the
  same rows.

The learning curve is the test PR-AUC (average precision) of the task model after each
round (refitted on the seed set plus the rows acquired so far, which is the loop's
model); the area under it (AULC) is its mean over rounds 0..R, as issue 15 defines it.

Part 2, speed. A pool of ``--n-pool`` rows x 30 features (default 1,000,000): rows
ranked per second by ``UncertaintySampling("margin").rank`` with the task model
(HistGradientBoosting, 100 trees, fitted on 2,000 rows) against the proxy (fit on the
same 2,000 rows + ranking), one BLAS/OpenMP thread.

Run from the repository root::

    .venv/bin/python benchmarks/bench_proxy.py                     # about 3 minutes on 2 cores
    .venv/bin/python benchmarks/bench_proxy.py --seeds 0 1 --rounds 6 --n-pool 200000

The tables are printed and written to ``benchmarks/out/proxy.md``.
"""

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.acquisition import Acquisition, UncertaintySampling
from sklearn_activesynth.datasets import make_fraud_transactions

OUT = Path(__file__).resolve().parent / "out"
METHODS = ("random", "margin (task)", "margin (LR proxy)")


def proxy():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def task():
    # min_samples_leaf=20 (the default) cannot split a seed set of 10-40 rows
    return HistGradientBoostingClassifier(min_samples_leaf=5, random_state=0)


def datasets():
    """Binary tabular problems that ship with scikit-learn or this library."""
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast_cancer", X, y
    X, y = load_digits(return_X_y=True)
    yield "digits_9_vs_rest", X, (y == 9).astype(int)
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=8,
                               weights=[0.9], flip_y=0.02, class_sep=0.8, random_state=0)
    yield "make_classification_10pct", X, y
    X, y = make_fraud_transactions(4000, fraud_rate=0.03, as_frame=False, random_state=0)
    yield "fraud_transactions_3pct", X, y


def seed_set(y, share, rng):
    """A stratified seed set: ``share`` of the rows, at least 3 per class."""
    rows = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        n = max(3, int(round(share * len(members))))
        rows.append(rng.choice(members, n, replace=False))
    return np.sort(np.concatenate(rows))


def learning_curve(X, y, seed_rows, acquired, batch, rounds, X_te, y_te):
    """Test PR-AUC of the task model after each round (round 0: the seed set)."""
    curve = []
    for r in range(rounds + 1):
        rows = np.concatenate([seed_rows, acquired[:r * batch]])
        model = clone(task()).fit(X[rows], y[rows])
        curve.append(average_precision_score(y_te, model.predict_proba(X_te)[:, 1]))
    return curve


def one_run(name, X, y, seed, method, args):
    idx_tr, idx_te = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y,
                                      random_state=seed)
    X_tr, y_tr = X[idx_tr], y[idx_tr]
    rng = np.random.RandomState(seed)
    seed_rows = seed_set(y_tr, 0.02, rng)
    batch = max(1, int(round(0.02 * (len(y_tr) - len(seed_rows)))))
    y_fit = np.full(len(y_tr), np.nan)
    y_fit[seed_rows] = y_tr[seed_rows]
    strategy = "random" if method == "random" else "margin"
    acq = Acquisition(strategy, budget_init=batch,
                      query_estimator=proxy() if "proxy" in method else None)
    clf = ActiveSynthesisClassifier(
        task(), oracle=lambda rows, indices: y_tr[indices], acquisition=acq,
        n_synthetic=0, validation_fraction=None, uncertainty_cv=None, tol=0.0,
        max_iter=args.rounds, random_state=seed)
    t0 = time.perf_counter()
    clf.fit(X_tr, y_fit)
    fit_s = time.perf_counter() - t0
    curve = learning_curve(X_tr, y_tr, seed_rows, clf.acquired_indices_, batch,
                           args.rounds, X[idx_te], y[idx_te])
    h = clf.history_.set_index("round").loc[1:]
    return dict(dataset=name, seed=seed, method=method, aulc=float(np.mean(curve)),
                final=float(np.mean(curve[-3:])), first=curve[0], batch=batch,
                n_seed=len(seed_rows), labels=len(clf.acquired_indices_),
                positives=int(y_tr[clf.acquired_indices_].sum()), fit_s=fit_s,
                query_model_s=float(h.get("seconds_query_model",
                                          pd.Series(0.0, index=h.index)).sum()),
                curve=" ".join(f"{v:.3f}" for v in curve))


def speed(args):
    """Rows ranked per second: the task model against the proxy (fit + rank)."""
    rng = np.random.RandomState(0)
    w = rng.normal(size=30)

    def rows(n):
        Z = rng.standard_normal((n, 30)).astype(np.float32)
        return Z, (Z @ w / np.sqrt(30) + 0.5 * rng.standard_normal(n) > 1.3).astype(int)

    X_fit, y_fit = rows(2000)
    pool, _ = rows(args.n_pool)
    model = task().fit(X_fit, y_fit)
    out = []
    for label, make in (("task model (HGB)", lambda: model),
                        ("LR proxy (fit + rank)", lambda: proxy().fit(X_fit, y_fit))):
        t0 = time.perf_counter()
        ranker = make()
        UncertaintySampling("margin").rank(ranker, pool, 200)
        seconds = time.perf_counter() - t0
        out.append(dict(model=label, seconds=seconds, rows_per_s=args.n_pool / seconds))
        print(f"{label}: {seconds:.1f} s, {args.n_pool / seconds:,.0f} rows/s", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--n-pool", type=int, default=1_000_000)
    parser.add_argument("--datasets", nargs="*", default=None,
                        help="names to keep (default: all)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    runs = []
    with threadpool_limits(1):
        for name, X, y in datasets():
            if args.datasets and name not in args.datasets:
                continue
            for seed in args.seeds:
                for method in METHODS:
                    row = one_run(name, X, y, seed, method, args)
                    runs.append(row)
                    print(f"{name} seed {seed} {method}: AULC {row['aulc']:.3f}, "
                          f"final {row['final']:.3f}, {row['positives']} positives of "
                          f"{row['labels']} labels, {row['fit_s']:.1f} s", flush=True)
        fast = speed(args)
    runs = pd.DataFrame(runs)

    table = runs.groupby(["dataset", "method"], sort=False).agg(
        aulc=("aulc", "mean"), aulc_sd=("aulc", "std"), final=("final", "mean"),
        positives=("positives", "mean"), labels=("labels", "mean"),
        fit_s=("fit_s", "mean")).reset_index()
    wide = runs.pivot_table(index=["dataset", "seed"], columns="method", values="aulc")
    diff = wide["margin (LR proxy)"] - wide["margin (task)"]
    paired = diff.groupby(level="dataset", sort=False).agg(["mean", "min", "max"])
    paired["proxy_wins"] = (diff > 0).groupby(level="dataset", sort=False).sum()
    paired["task_wins"] = (diff < 0).groupby(level="dataset", sort=False).sum()
    vs_random = (wide[["margin (task)", "margin (LR proxy)"]].sub(wide["random"], axis=0)
                 .groupby(level="dataset", sort=False).mean())

    lines = [f"# Proxy model for uncertainty sampling ({len(args.seeds)} seeds, "
             f"{args.rounds} rounds of 2 % of the pool)", "",
             "Test PR-AUC area under the learning curve (mean over rounds 0..R), mean ± sd "
             "over seeds; final = mean of the last three rounds; positives = positive rows "
             "among the labels acquired.", "",
             "| dataset | method | AULC | sd | final PR-AUC | positives / labels | fit s |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in table.itertuples():
        lines.append(f"| {r.dataset} | {r.method} | {r.aulc:.3f} | {r.aulc_sd:.3f} | "
                     f"{r.final:.3f} | {r.positives:.1f} / {r.labels:.0f} | {r.fit_s:.1f} |")
    lines += ["", "Paired by seed, AULC of the LR proxy minus AULC of the task model:", "",
              "| dataset | mean | min | max | proxy better | task better | "
              "task − random | proxy − random |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in paired.iterrows():
        lines.append(f"| {name} | {r['mean']:+.3f} | {r['min']:+.3f} | {r['max']:+.3f} | "
                     f"{int(r['proxy_wins'])} | {int(r['task_wins'])} | "
                     f"{vs_random.loc[name, 'margin (task)']:+.3f} | "
                     f"{vs_random.loc[name, 'margin (LR proxy)']:+.3f} |")
    lines += ["", f"Ranking speed on {args.n_pool:,} rows x 30 features (float32), margin, "
              "200 rows asked for:", "", "| ranking model | seconds | rows/s |",
              "|---|---:|---:|"]
    for r in fast:
        lines.append(f"| {r['model']} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} |")
    lines += ["", f"Python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
              f"{sklearn.__version__}, {os.cpu_count()} CPUs, one BLAS/OpenMP thread."]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    (OUT / "proxy.md").write_text(text)
    runs.to_csv(OUT / "proxy_runs.csv", index=False)
    return runs


if __name__ == "__main__":
    main()
