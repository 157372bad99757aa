"""A fraud analyst's review queue: which transactions to review next.

Run from the repository root::

    .venv/bin/python examples/review_queue.py [--rounds 6] [--out .]
    .venv/bin/python examples/review_queue.py --quick       # smaller, ~10 s

The fraud team has a few hundred transactions reviewed already and many thousands
nobody has looked at; the analysts can review 200 a day. Every morning:

1. fit the model on the transactions reviewed so far
   (``ActiveSynthesisClassifier`` around a HistGradientBoosting model, synthetic rows
   where it is unsure, as everywhere in this library);
2. ask it for the next 200 to review: ``clf.query(unreviewed, n_samples=200,
   exclude=already_sent)`` returns positions in the unreviewed table, the rows it is
   least sure about first (margin sampling);
3. the analysts label them (simulated here: the labels the data set knows), and the
   model is refitted on everything reviewed.

The same number of reviews picked at random is the control. The learning curve (test
PR-AUC against the number of reviewed transactions) of both goes to
``review_queue.png`` in ``--out``. ``make_fraud_transactions`` simulates the
transactions (2 % fraud, mixed numeric and categorical columns); the test split is
never reviewed. Needs matplotlib for the plot (``pip install
'sklearn-activesynth[plot]'``); without it the table is printed only.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.datasets import make_fraud_transactions

PER_DAY = 200


def make_model(seed):
    """What the team fits each morning: gradient boosting on the raw columns
    (categoricals read from the DataFrame's dtypes), with active synthesis."""
    return ActiveSynthesisClassifier(
        HistGradientBoostingClassifier(categorical_features="from_dtype",
                                       min_samples_leaf=10, random_state=seed),
        max_iter=2, random_state=seed)


def review(X_pool, y_pool, X_seen, y_seen, X_test, y_test, *, rounds, seed, choose):
    """Rounds of fit -> pick 200 -> the analysts answer -> refit. Returns the curve
    (reviewed, PR-AUC) and the positions of the pool reviewed, in order."""
    reviewed = np.empty(0, dtype=np.intp)
    curve = []
    for day in range(rounds + 1):
        rows = np.concatenate([np.arange(len(y_seen)), len(y_seen) + reviewed])
        X_fit = pd.concat([X_seen, X_pool.iloc[reviewed]], ignore_index=True)
        y_fit = np.concatenate([y_seen, y_pool[reviewed]])
        clf = make_model(seed).fit(X_fit, y_fit)
        curve.append((len(rows), average_precision_score(
            y_test, clf.predict_proba(X_test)[:, 1])))
        if day == rounds:
            break
        queue = choose(clf, X_pool, reviewed, day)
        reviewed = np.concatenate([reviewed, queue])   # the analysts' answers: y_pool
    return curve, reviewed


def by_the_model(clf, X_pool, reviewed, day):
    """Tomorrow's queue: the 200 transactions the model is least sure about,
    never one already reviewed."""
    return clf.query(X_pool, n_samples=PER_DAY, exclude=reviewed)


def at_random(seed):
    rng = np.random.RandomState(seed)

    def choose(clf, X_pool, reviewed, day):
        left = np.setdiff1d(np.arange(len(X_pool)), reviewed)
        return rng.choice(left, PER_DAY, replace=False)
    return choose


def plot(curves, path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for name, curve in curves.items():
        n, ap = zip(*curve)
        ax.plot(n, ap, marker="o", lw=1.5, label=name)
    ax.set_xlabel("transactions reviewed (labelled)")
    ax.set_ylabel("test PR-AUC")
    ax.set_title(f"Review queue: {PER_DAY} reviews a day", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-samples", type=int, default=30000)
    parser.add_argument("--n-reviewed", type=int, default=600,
                        help="transactions reviewed before the first day")
    parser.add_argument("--rounds", type=int, default=6, help="days of reviews")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=".", help="folder for review_queue.png")
    parser.add_argument("--quick", action="store_true",
                        help="6,000 transactions, 3 days (what the test suite runs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.rounds, args.n_reviewed = 6000, 3, 400
    start = time.perf_counter()
    X, y = make_fraud_transactions(args.n_samples, fraud_rate=0.02,
                                   random_state=args.seed)
    rest, test = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y,
                                  random_state=args.seed)
    seen, pool = train_test_split(rest, train_size=args.n_reviewed, stratify=y[rest],
                                  random_state=args.seed)
    X_seen, y_seen = X.iloc[seen].reset_index(drop=True), y[seen]
    X_pool, y_pool = X.iloc[pool].reset_index(drop=True), y[pool]   # labels: hidden
    X_test, y_test = X.iloc[test], y[test]
    print(f"{len(y):,} transactions, {y.mean():.1%} fraud: {len(seen)} reviewed "
          f"({y_seen.sum()} frauds), {len(pool):,} never looked at, {len(test):,} kept "
          f"for testing. {PER_DAY} reviews a day for {args.rounds} days.")

    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # small classes in early rounds
        data = (X_pool, y_pool, X_seen, y_seen, X_test, y_test)
        active, queued = review(*data, rounds=args.rounds, seed=args.seed,
                                choose=by_the_model)
        random, picked = review(*data, rounds=args.rounds, seed=args.seed,
                                choose=at_random(args.seed))

        # what the first day's queue looks like to an analyst: the model fitted on
        # the transactions reviewed before it, its 200 least sure transactions
        first = make_model(args.seed).fit(X_seen, y_seen)
        queue = first.query(X_pool, n_samples=PER_DAY)
        assert (queue == queued[:PER_DAY]).all()   # the queue the first day reviewed
        top = X_pool.iloc[queue[:5]].assign(
            p_fraud=first.predict_proba(X_pool.iloc[queue[:5]])[:, 1].round(3),
            fraud=y_pool[queue[:5]])
    print(f"\nThe first day's review queue, 5 of {PER_DAY} (the model's least sure "
          "first; 'fraud' is the analysts' answer):")
    print(top[["amount", "merchant_category", "channel", "hour", "new_device",
               "country_mismatch", "p_fraud", "fraud"]].to_string())

    table = pd.DataFrame({"reviewed": [n for n, _ in active],
                          "PR-AUC, review queue": [ap for _, ap in active],
                          "PR-AUC, random review": [ap for _, ap in random],
                          "frauds found, queue": [int(y_seen.sum() + y_pool[
                              queued[:n - len(y_seen)]].sum()) for n, _ in active],
                          "frauds found, random": [int(y_seen.sum() + y_pool[
                              picked[:n - len(y_seen)]].sum()) for n, _ in random]})
    print("\nLearning curve (test PR-AUC against transactions reviewed):")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        path = plot({"review queue (clf.query)": active, "random review": random},
                    out / "review_queue.png")
        print(f"\nLearning curves: {path}")
    except ImportError:
        print("\n(matplotlib is not installed: no plot)")
    print(f"\nDone in {time.perf_counter() - start:.1f} s. One split and one seed: see "
          "benchmarks/bench_proxy.py for repeated runs.")
    return dict(active=active, random=random, queued=queued, picked=picked, table=table)


if __name__ == "__main__":
    main()
