"""Tune the generator and the integration inside a Pipeline with GridSearchCV.

Run from the repository root::

    .venv/bin/python examples/grid_search_pipeline.py [--n-samples 2000]

``ActiveSynthesisClassifier`` is an ordinary scikit-learn estimator, so it sits
in a ``Pipeline`` and its nested parameters are searched like any other:
``clf__generator__k_neighbors`` reaches the interpolation generator,
``clf__integration`` (a strategy of :mod:`sklearn_activesynth.integration`) and
``clf__integration__synthetic_weight`` how synthetic rows are mixed with real
ones. Synthetic rows are made inside each training fold only, so the
cross-validated scores stay honest. A few seconds on one core.
"""

import argparse
import time
import warnings

import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.generators import InterpolationGenerator
from sklearn_activesynth.integration import WeightedIntegration


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    X, y = make_classification(n_samples=args.n_samples, n_features=12, n_informative=6,
                               weights=[0.92], flip_y=0.02, class_sep=0.8,
                               random_state=args.seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                              random_state=args.seed)
    pipe = Pipeline([
        ("scale", StandardScaler()),
        ("clf", ActiveSynthesisClassifier(
            LogisticRegression(max_iter=1000), generator=InterpolationGenerator(),
            max_iter=2, random_state=args.seed)),
    ])
    # only the weighted strategy has a synthetic_weight: search it there
    grid = [
        {"clf__integration": ["concat"], "clf__generator__k_neighbors": [3, 10]},
        {"clf__integration": [WeightedIntegration()],
         "clf__integration__synthetic_weight": [0.2, 0.5],
         "clf__generator__k_neighbors": [3, 10]},
    ]
    search = GridSearchCV(pipe, grid, scoring="average_precision", n_jobs=1,
                          cv=StratifiedKFold(3, shuffle=True, random_state=args.seed))
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        search.fit(X_tr, y_tr)
        plain = Pipeline([("scale", StandardScaler()),
                          ("clf", LogisticRegression(max_iter=1000))]).fit(X_tr, y_tr)
    res = pd.DataFrame(search.cv_results_)
    cols = ["param_clf__integration", "param_clf__integration__synthetic_weight",
            "param_clf__generator__k_neighbors", "mean_test_score", "std_test_score",
            "rank_test_score"]
    print(f"{len(y):,} rows, {y.mean():.1%} positives; 3-fold grid search on "
          f"{len(y_tr):,} training rows, scoring average precision.\n")
    print(res[cols].sort_values("rank_test_score").to_string(
        index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"\nBest parameters: {search.best_params_}")
    best = search.best_estimator_.named_steps["clf"]
    print(f"Best model kept {len(best.synthetic_y_)} synthetic rows "
          f"({best.termination_condition_}, {best.n_iter_} rounds).")
    ap_best = average_precision_score(y_te, search.predict_proba(X_te)[:, 1])
    ap_plain = average_precision_score(y_te, plain.predict_proba(X_te)[:, 1])
    print(f"\nTest average precision: tuned active synthesis {ap_best:.4f}, "
          f"plain LogisticRegression {ap_plain:.4f}.")
    print(f"Done in {time.perf_counter() - start:.1f} s.")
    return search


if __name__ == "__main__":
    main()
