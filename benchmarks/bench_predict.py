"""Predict overhead of a fitted ActiveSynthesisClassifier against its base model.

``ActiveSynthesisClassifier(LogisticRegression(), random_state=0)`` and a plain
``LogisticRegression()`` are fitted on the same training rows; then ``predict`` and
``predict_proba`` are timed on the same prediction rows (1M by default), alternating
between the two models, ``--repeats`` times (default 7); the medians are compared.
Synthetic rows never reach ``predict``, so the wrapper should cost nothing but its
input check and label mapping: target ratio <= 1.02.

Both a float64 ndarray and a pandas DataFrame (models fitted on a DataFrame with the
same column names, so feature names are checked) are measured.

Run from the repository root::

    .venv/bin/python benchmarks/bench_predict.py
    .venv/bin/python benchmarks/bench_predict.py --n-predict 100000 --repeats 5

The Markdown table is printed and written to ``benchmarks/out/predict.md``.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier

OUT = Path(__file__).resolve().parent / "out"
TARGET = 1.02
METHODS = ["predict", "predict_proba"]


def make_data(n_train, n_predict, n_features=20):
    X, y = make_classification(n_samples=n_train + n_predict, n_features=n_features,
                               n_informative=10, weights=[0.9], random_state=0)
    return X[:n_train], y[:n_train], np.ascontiguousarray(X[n_train:])


def median_times(models, X, method, repeats):
    """Median seconds of ``getattr(model, method)(X)`` per model, calls interleaved."""
    times = {name: [] for name in models}
    for name, model in models.items():  # warm-up: first-call costs are not measured
        getattr(model, method)(X[:1000])
    for _ in range(repeats):
        for name, model in models.items():
            fn = getattr(model, method)
            t0 = time.perf_counter()
            fn(X)
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}


def run(args):
    X_train, y_train, X_pred = make_data(args.n_train, args.n_predict)
    rows = []
    for kind in ["ndarray", "DataFrame"]:
        if kind == "DataFrame":
            cols = [f"x{i}" for i in range(X_train.shape[1])]
            X_tr, X_pr = pd.DataFrame(X_train, columns=cols), pd.DataFrame(X_pred, columns=cols)
        else:
            X_tr, X_pr = X_train, X_pred
        models = {
            "base": LogisticRegression().fit(X_tr, y_train),
            "active": ActiveSynthesisClassifier(LogisticRegression(),
                                                random_state=0).fit(X_tr, y_train),
        }
        # the two must agree on what they return, or the comparison means nothing
        for method in METHODS:
            a = getattr(models["active"], method)(X_pr[:10] if kind == "ndarray"
                                                  else X_pr.iloc[:10])
            b = getattr(models["base"], method)(X_pr[:10] if kind == "ndarray"
                                                else X_pr.iloc[:10])
            assert a.shape == b.shape and a.dtype == b.dtype, (method, a.dtype, b.dtype)
        for method in METHODS:
            med = median_times(models, X_pr, method, args.repeats)
            rows.append(dict(input=kind, method=method, base=med["base"],
                             active=med["active"], ratio=med["active"] / med["base"]))
            print(f"{kind:>9} {method:<13}: base {med['base'] * 1e3:.1f} ms, active "
                  f"{med['active'] * 1e3:.1f} ms, ratio {rows[-1]['ratio']:.3f}",
                  file=sys.stderr, flush=True)
    return rows


def markdown(rows, args):
    lines = [
        "# Predict overhead of ActiveSynthesisClassifier",
        "",
        f"Both models fitted on the same {args.n_train:,} rows of `make_classification("
        "n_features=20, n_informative=10, weights=[0.9], random_state=0)`; timed on "
        f"{args.n_predict:,} other rows; median of {args.repeats} calls, the two models "
        f"alternating. Target: ratio <= {TARGET}.",
        "",
        "| input | method | LogisticRegression ms | ActiveSynthesisClassifier ms | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['input']} | `{r['method']}` | {r['base'] * 1e3:.1f} | "
                     f"{r['active'] * 1e3:.1f} | **{r['ratio']:.3f}** |")
    worst = max(r["ratio"] for r in rows)
    lines += [
        "",
        f"Target ratio <= {TARGET}: **{'met' if worst <= TARGET else 'not met'}** "
        f"(worst {worst:.3f}).",
        "",
        f"Environment: Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}, {os.cpu_count()} "
        f"CPUs, BLAS/OpenMP threads: {args.n_threads or 'library default'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-train", type=int, default=100_000)
    parser.add_argument("--n-predict", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--n-threads", type=int, default=1,
                        help="BLAS/OpenMP threads (default 1: stable timings; 0: "
                             "library default)")
    args = parser.parse_args(argv)
    limits = threadpool_limits(args.n_threads) if args.n_threads else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: not measured here
            rows = run(args)
    finally:
        if limits is not None:
            limits.restore_original_limits()
    report = markdown(rows, args)
    print(report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "predict.md").write_text(report)
    print("written to benchmarks/out/predict.md", file=sys.stderr)


if __name__ == "__main__":
    main()
