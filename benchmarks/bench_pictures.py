"""Seconds to draw the displays of ``sklearn_activesynth.plotting`` on 20,000 rows.

``ActiveSynthesisClassifier(HistGradientBoostingClassifier(categorical_features=
"from_dtype"), random_state=0)`` is fitted on ``make_fraud_transactions(20000,
random_state=0)`` (a mixed-type frame; the fit is not timed), then each picture is
drawn ``--repeats`` times (default 3) on an Agg canvas and the median is reported.

The reference is what the benchmark's uncertainty map did before the displays:
out-of-fold uncertainty of the base estimator on all rows, then t-SNE (scikit-learn's
defaults) of 1,500 real plus 1,500 synthetic rows (``previous map`` below, the same work
through the display).
The default map (PCA of 2,000 rows, the fitted model's uncertainty) is compared with
it as a ratio.

Run from the repository root::

    .venv/bin/python benchmarks/bench_pictures.py
    .venv/bin/python benchmarks/bench_pictures.py --n-samples 5000 --repeats 1

The Markdown table is printed and written to ``benchmarks/out/pictures.md``.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.datasets import make_fraud_transactions  # noqa: E402
from sklearn_activesynth.plotting import (  # noqa: E402
    FitHistoryDisplay,
    ProvenanceDisplay,
    UncertaintyMapDisplay,
)

OUT = Path(__file__).resolve().parent / "out"


def cases(clf, X, y):
    return {
        "FitHistoryDisplay.from_estimator(clf)":
            lambda: FitHistoryDisplay.from_estimator(clf),
        "ProvenanceDisplay.from_estimator(clf)":
            lambda: ProvenanceDisplay.from_estimator(clf),
        "UncertaintyMapDisplay.from_estimator(clf, X, y) (PCA, 2,000 rows)":
            lambda: UncertaintyMapDisplay.from_estimator(clf, X, y, random_state=0),
        "... uncertainty=\"oof\"":
            lambda: UncertaintyMapDisplay.from_estimator(clf, X, y, uncertainty="oof",
                                                         random_state=0),
        "... embedding=\"tsne\"":
            lambda: UncertaintyMapDisplay.from_estimator(clf, X, y, embedding="tsne",
                                                         random_state=0),
        "previous map (out-of-fold, t-SNE of 3,000 rows)":
            lambda: UncertaintyMapDisplay.from_estimator(  # scikit-learn's 1,000 iterations
                clf, X, y, uncertainty="oof", embedding=TSNE(init="pca", random_state=0),
                max_samples=3000, random_state=0),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-threads", type=int, default=1,
                        help="BLAS/OpenMP threads (0: the libraries' defaults)")
    args = parser.parse_args(argv)
    limits = None if args.n_threads == 0 else args.n_threads
    X, y = make_fraud_transactions(n_samples=args.n_samples, random_state=0)
    with threadpool_limits(limits=limits), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = ActiveSynthesisClassifier(
            HistGradientBoostingClassifier(categorical_features="from_dtype"),
            random_state=0).fit(X, y)
        seconds = {}
        for name, draw in cases(clf, X, y).items():
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                disp = draw()
                disp.figure_.canvas.draw()  # render, as savefig or a notebook would
                times.append(time.perf_counter() - t0)
                plt.close(disp.figure_)
            seconds[name] = float(np.median(times))
    ref = seconds["previous map (out-of-fold, t-SNE of 3,000 rows)"]
    lines = [
        f"# Pictures: {args.n_samples:,} rows of make_fraud_transactions, "
        f"{len(clf.synthetic_y_):,} synthetic rows",
        "",
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"matplotlib {matplotlib.__version__}, {os.cpu_count()} CPUs, "
        f"BLAS/OpenMP threads: {args.n_threads or 'default'}, median of {args.repeats}.",
        "",
        "| call | seconds | / previous map |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{name}` | {s:.2f} | {s / ref:.2f} |" for name, s in seconds.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "pictures.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
