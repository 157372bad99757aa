"""Does the usability score predict which synthetic rows help?

For each cell (dataset x estimator x real fraction x seed) one batch of
targeted rows is made (one round, guard off) and split into three usability
bands: the least usable third, the middle third and the most usable third of
the batch (``Arm(band=...)``: the same seed gives the three fits the same
batch). Each band alone is added to the real rows, and the gain is the test
PR-AUC change against real-only (relative). If usability predicts usefulness,
the gain rises with the band: the script reports the Spearman correlation of
band rank and gain per cell, its mean, and how often the top band beats the
bottom one.

Run from the repository root (the public CSVs are in the folder named by
``--data-dir`` or ``$SKLEARN_ACTIVESYNTH_DATA``)::

    python benchmarks/bench_usability.py --out benchmarks/usability

The datasets are ones the selection benchmark does not use.
"""

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.benchmark._datasets import load_dataset, split_dataset
from sklearn_activesynth.benchmark._methods import make_estimator, make_generator
from sklearn_activesynth.selection import Arm, UCBSelector

BANDS = {"low": (0.0, 1 / 3), "mid": (1 / 3, 2 / 3), "high": (2 / 3, 1.0)}


def run_cell(X, y, *, estimator, fraction, seed, budget):
    tr, te = split_dataset(y, fraction, seed)
    X_tr, y_tr = X.iloc[tr].reset_index(drop=True), y[tr]
    X_te, y_te = X.iloc[te].reset_index(drop=True), y[te]
    base = make_estimator(estimator, seed=seed).fit(X_tr, y_tr)
    real = average_precision_score(y_te, base.predict_proba(X_te)[:, 1])
    row = dict(real=real)
    n_syn = max(1, int(round(budget * len(y_tr))))
    for name, band in BANDS.items():
        clf = ActiveSynthesisClassifier(
            make_estimator(estimator, seed=seed),
            generator=make_generator("interpolation", y_tr),
            selector=UCBSelector(arms=[Arm(name, targeting="uncertain", band=band)]),
            n_synthetic=n_syn, max_iter=1, validation_fraction=None, n_jobs=1,
            random_state=seed).fit(X_tr, y_tr)
        ap = average_precision_score(y_te, clf.predict_proba(X_te)[:, 1])
        row[name] = ap
        row[f"{name}_usability"] = float(clf.synthetic_provenance_["usability"].mean()) \
            if len(clf.synthetic_y_) else np.nan
        row[f"{name}_rows"] = int(len(clf.synthetic_y_))
    for name in BANDS:
        row[f"gain_{name}"] = (row[name] - real) / real if real > 0 else np.nan
    gains = [row[f"gain_{n}"] for n in BANDS]
    row["spearman"] = spearmanr([0, 1, 2], gains).statistic if np.ptp(gains) > 0 else 0.0
    return row


def summarise(df):
    """The figures the report prints."""
    return dict(
        cells=int(len(df)),
        mean_spearman=float(df["spearman"].mean()),
        median_gain={n: float(df[f"gain_{n}"].median()) for n in BANDS},
        mean_gain={n: float(df[f"gain_{n}"].mean()) for n in BANDS},
        top_beats_bottom=float((df["gain_high"] > df["gain_low"]).mean()),
        mean_usability={n: float(df[f"{n}_usability"].mean()) for n in BANDS},
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--datasets", nargs="+", default=[
        "vehicle_insurance_fraud", "bank_marketing", "taiwan_credit_default",
        "coil2000_caravan_insurance", "adult"])
    p.add_argument("--estimators", nargs="+", default=["lr", "hgb"])
    p.add_argument("--fractions", nargs="+", type=float, default=[0.1, 0.3])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--budget", type=float, default=0.3)
    p.add_argument("--max-rows", type=int, default=3000)
    p.add_argument("--out", default="usability_results")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        for name in args.datasets:
            data = load_dataset(name, data_dir=args.data_dir, max_rows=args.max_rows)
            for est in args.estimators:
                for frac in args.fractions:
                    for seed in range(args.seeds):
                        row = run_cell(data.X, data.y, estimator=est, fraction=frac,
                                       seed=seed, budget=args.budget)
                        rows.append(dict(dataset=name, estimator=est, fraction=frac,
                                         seed=seed, **row))
                        print(name, est, frac, seed,
                              {k: round(row[f"gain_{k}"], 4) for k in BANDS}, flush=True)
    df = pd.DataFrame(rows)
    df.to_csv(out / "usability.csv", index=False)
    summary = summarise(df)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
