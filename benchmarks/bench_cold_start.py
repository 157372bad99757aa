"""Cold start: how many rounds until the oracle labels a row of a second class.

Per dataset and seed: ``--n-given`` rows of the majority class are labelled, every
other row is unlabelled, and ``ActiveSynthesisClassifier(LogisticRegression(),
oracle=<the known labels>, acquisition=Acquisition(budget_init=10, cold_start=...),
n_synthetic=0, max_iter=30)`` runs until a second class is labelled (the fit then
goes on; we stop it there with ``max_iter`` = that round, by reading ``history_``).
Reported: the round in which the second class came (``n_classes_labelled == 2``),
or "> 30" when 30 rounds (300 labels) found none (``ColdStartError``).

Cold-start strategies: ``coverage`` (the default, ``CoreSetSampling``: the rows
farthest from the labelled rows and each other), ``density`` (``HybridSampling(
lam=0, diversity=1)``: the most typical rows, spread) and ``RandomSampling()``.

Run from the repository root (about a minute on 2 cores)::

    .venv/bin/python benchmarks/bench_cold_start.py
"""

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.acquisition import Acquisition, ColdStartError, RandomSampling
from sklearn_activesynth.datasets import make_fraud_transactions

OUT = Path(__file__).resolve().parent / "out"
STRATEGIES = {"coverage": lambda: "coverage", "density": lambda: "density",
              "random": RandomSampling}


def datasets():
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast_cancer (37 % positive)", X, y
    X, y = load_digits(return_X_y=True)
    yield "digits 0 vs rest (10 %)", X, (y == 0).astype(int)
    X, y = make_classification(3000, 10, weights=[0.95], random_state=0)
    yield "make_classification (5 %)", X, y
    X, y = make_fraud_transactions(5000, fraud_rate=0.02, as_frame=False, random_state=0)
    yield "fraud_transactions (2 %)", X, y


def rounds_to_second_class(X, y, given, strategy, seed, max_rounds):
    y_fit = np.full(len(y), np.nan)
    y_fit[given] = y[given]
    clf = ActiveSynthesisClassifier(
        LogisticRegression(max_iter=1000), oracle=lambda rows, indices: y[indices],
        acquisition=Acquisition(budget_init=10, cold_start=strategy),
        n_synthetic=0, uncertainty_cv=None, max_iter=max_rounds, random_state=seed)
    try:
        clf.fit(X, y_fit)
    except ColdStartError:
        return np.inf
    h = clf.history_
    return int(h.loc[h["n_classes_labelled"] == 2, "round"].iloc[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-given", type=int, default=10)
    parser.add_argument("--max-rounds", type=int, default=30)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    rows = []
    with threadpool_limits(1):
        for name, X, y in datasets():
            majority = np.flatnonzero(y == np.bincount(y).argmax())
            for seed in args.seeds:
                given = np.random.RandomState(seed).choice(majority, args.n_given,
                                                           replace=False)
                for label, make in STRATEGIES.items():
                    r = rounds_to_second_class(X, y, given, make(), seed, args.max_rounds)
                    rows.append(dict(dataset=name, seed=seed, strategy=label, rounds=r))
                    print(name, seed, label, r, flush=True)
    runs = pd.DataFrame(rows)

    def show(values):
        return " ".join(f"> {args.max_rounds}" if np.isinf(v) else str(int(v))
                        for v in values)

    table = runs.groupby(["dataset", "strategy"], sort=False)["rounds"].apply(show)
    table = table.unstack("strategy")[list(STRATEGIES)]
    lines = ["# Cold start: rounds of 10 labels until a second class is labelled", "",
             f"{args.n_given} labelled rows of the majority class; one value per seed "
             f"({', '.join(map(str, args.seeds))}); > {args.max_rounds}: none found.", "",
             "| dataset | " + " | ".join(STRATEGIES) + " |",
             "|---|" + "---|" * len(STRATEGIES)]
    for name, r in table.iterrows():
        lines.append(f"| {name} | " + " | ".join(r[s] for s in STRATEGIES) + " |")
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    (OUT / "cold_start.md").write_text(text)
    return runs


if __name__ == "__main__":
    main()
