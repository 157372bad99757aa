"""Wall time on a 2-worker Dask ``LocalCluster`` against the local loky backend.

Two workloads, each run on both backends in the same process, interleaved
(local, cluster, local, cluster, ...), ``--repeats`` times after one untimed
warm-up each (loky starts its worker processes and the Dask workers import the
package on their first task):

- **benchmark CLI**: ``python -m sklearn_activesynth.benchmark`` on the built-in
  ``fraud`` dataset (methods ``real_only``, ``active``, ``random_matched``,
  fraction 0.3, ``--seeds`` seeds, so as many cells, ``--max-iter 2``): local
  ``--n-jobs 2`` (loky) against ``--dask ADDRESS`` (every cell a task on the
  cluster);
- **GridSearchCV**: 8 candidates (``n_synthetic`` x ``targeting`` x
  ``max_iter``) of ``ActiveSynthesisClassifier(LogisticRegression())`` on
  ``make_classification(--grid-rows, 20, weights=[0.8])``, ``cv=3``,
  ``n_jobs=2``: under ``joblib.parallel_config("loky")`` and
  ``parallel_config("dask")``; once with the estimator's default ``n_jobs=None``
  (on Dask, each candidate's task sends its out-of-fold fits back to the
  cluster as tasks: joblib's Dask backend runs nested calls on the cluster) and
  once with ``n_jobs=1`` (they stay in the candidate's task).

The cluster: ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``
on 127.0.0.1, started once before the timings (its start-up time is printed
apart). BLAS/OpenMP: one thread (``OMP_NUM_THREADS=1`` etc. are set before
numpy loads, and inherited by both kinds of workers). Each pair also checks
that both backends gave the same results (benchmark rows without the timing
columns; the grid's cross-validation scores).

ratio = median cluster wall time / median local wall time (< 1: the cluster is
faster). The machine's load average is printed with the table: on a shared
machine the figures move with what else runs.

Run from the repository root::

    .venv/bin/python benchmarks/bench_dask.py                  # ~2 min on 2 cores
    .venv/bin/python benchmarks/bench_dask.py --repeats 5 --seeds 8 --grid-rows 50000

The Markdown table is printed and written to ``benchmarks/out/dask.md``.
"""

import os

for _var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"]:
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def cli_run(address, out, seeds):
    """One benchmark CLI run; ``address`` None: local loky with 2 jobs."""
    from sklearn_activesynth.benchmark.__main__ import main

    args = ["--datasets", "fraud", "--methods", "real_only", "active",
            "random_matched", "--fractions", "0.3", "--seeds", str(seeds),
            "--max-iter", "2", "--n-jobs", "2", "--out", str(out), "--no-plots",
            "--no-report", "--no-progress"]
    if address is not None:
        args += ["--dask", address]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(args) == 0
    runs = pd.read_csv(Path(out) / "runs.csv").drop(columns=["fit_seconds",
                                                              "predict_seconds"])
    return runs.sort_values(["dataset", "seed", "method"]).reset_index(drop=True)


def grid_run(backend, n_rows, n_jobs=None):
    from joblib import parallel_config
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from sklearn_activesynth import ActiveSynthesisClassifier

    X, y = make_classification(n_samples=n_rows, n_features=20, weights=[0.8],
                               random_state=0)
    grid = {"n_synthetic": [0.1, 0.3], "targeting": ["uncertain", "random_matched"],
            "max_iter": [1, 2]}
    est = ActiveSynthesisClassifier(LogisticRegression(), n_jobs=n_jobs, random_state=0)
    with parallel_config(backend=backend):
        search = GridSearchCV(est, grid, cv=3, n_jobs=2).fit(X, y)
    return search.cv_results_["mean_test_score"]


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=4,
                        help="seeds of the benchmark CLI run (one cell each)")
    parser.add_argument("--grid-rows", type=int, default=10000,
                        help="rows of the GridSearchCV data")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster), \
            tempfile.TemporaryDirectory() as tmp:
        start_s = time.perf_counter() - t0
        address = cluster.scheduler_address
        times = {(w, b): [] for w in ["cli", "grid", "grid1"] for b in ["local", "dask"]}
        for rep in range(args.repeats + 1):  # rep 0: warm-up, not timed
            s_local, a = timed(cli_run, None, Path(tmp) / f"local{rep}", args.seeds)
            s_dask, b = timed(cli_run, address, Path(tmp) / f"dask{rep}", args.seeds)
            pd.testing.assert_frame_equal(a, b)
            g_local, ga = timed(grid_run, "loky", args.grid_rows)
            g_dask, gb = timed(grid_run, "dask", args.grid_rows)
            np.testing.assert_array_equal(ga, gb)
            g1_local, ga = timed(grid_run, "loky", args.grid_rows, 1)
            g1_dask, gb = timed(grid_run, "dask", args.grid_rows, 1)
            np.testing.assert_array_equal(ga, gb)
            got = {("cli", "local"): s_local, ("cli", "dask"): s_dask,
                   ("grid", "local"): g_local, ("grid", "dask"): g_dask,
                   ("grid1", "local"): g1_local, ("grid1", "dask"): g1_dask}
            if rep:
                for k, v in got.items():
                    times[k].append(v)
            print(f"{'warm-up' if rep == 0 else f'repeat {rep}'}: " + ", ".join(
                f"{w} {b} {v:.2f} s" for (w, b), v in got.items()), flush=True)
        n_runs = len(a)
    load_after = os.getloadavg()

    med = {k: statistics.median(v) for k, v in times.items()}
    lines = [
        "# Dask LocalCluster (2 worker processes, 1 thread each) against local loky "
        "(n_jobs=2)",
        "",
        f"{platform.platform()}, {os.cpu_count()} CPUs; load average before "
        f"{load_before[0]:.2f}, after {load_after[0]:.2f}; cluster start-up "
        f"{start_s:.1f} s (not in the timings); median of {args.repeats} interleaved "
        "repeats after one warm-up each.",
        "",
        "| workload | local loky s | cluster s | ratio cluster / local |",
        "|---|---|---|---|",
        f"| benchmark CLI, fraud ({n_runs} runs, {args.seeds} cells) | "
        f"{med['cli', 'local']:.2f} | {med['cli', 'dask']:.2f} | "
        f"{med['cli', 'dask'] / med['cli', 'local']:.2f} |",
        f"| GridSearchCV, 8 candidates x 3 folds, {args.grid_rows} rows, estimator "
        f"n_jobs=None | {med['grid', 'local']:.2f} | "
        f"{med['grid', 'dask']:.2f} | {med['grid', 'dask'] / med['grid', 'local']:.2f} |",
        f"| the same, estimator n_jobs=1 | {med['grid1', 'local']:.2f} | "
        f"{med['grid1', 'dask']:.2f} | "
        f"{med['grid1', 'dask'] / med['grid1', 'local']:.2f} |",
        "",
        "Results identical on both backends in every repeat (benchmark rows without "
        "their timing columns, the grid's mean test scores).",
    ]
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "dask.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
