"""Speed and memory of ``ActiveSynthesisClassifier.query`` over a big pool.

A float32 pool (10 million rows x 30 features by default, 1.2 GB) is written to a
memory-mapped ``.npy`` file in a temporary folder, one chunk at a time, and read back
with ``np.load(..., mmap_mode="r")``, so the pool is never a Python allocation. A
``ActiveSynthesisClassifier(LogisticRegression(), max_iter=0)`` is fitted on 20,000
labelled rows of the same distribution (about 5 % positives); then each strategy asks
for the next ``--n-samples`` rows (200) of the pool, scored ``--batch-size`` rows at a
time (10,000).

Per strategy it reports:

- **rows/s**: pool rows divided by the wall time of one ``query`` call (the median
  of ``--repeats`` calls, 3 by default);
- **peak traced MB**: the peak of ``tracemalloc`` (which traces numpy's buffers) during
  a second, identical call, minus what was allocated before it; the memory-mapped pool
  is not an allocation, so this is the memory ``query`` needs beyond the pool;
- **peak / chunk**: that peak divided by one chunk of the pool as the estimator sees
  it (``batch_size x n_features`` float64 values): the target is a small multiple;
- **RSS above baseline MB** (``--rss``): the peak resident memory (``ru_maxrss``) of a
  fresh process that fits the model, reads the whole pool chunk by chunk and runs the
  query, minus that of a fresh process doing the same without the query (the
  baseline: the pool's pages, the imports and the model). This is what
  ``/usr/bin/time -v`` would show, without ``tracemalloc``'s view of allocations.

Run from the repository root::

    .venv/bin/python benchmarks/bench_query.py                       # 10 M x 30
    .venv/bin/python benchmarks/bench_query.py --n-rows 1000000 --rss
    .venv/bin/python benchmarks/bench_query.py --strategies margin random

BLAS/OpenMP are pinned to one thread by default (``--n-threads 0`` keeps the
libraries' defaults). The Markdown table is printed and written to
``benchmarks/out/query.md``.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.acquisition import (
    CoreSetSampling,
    HybridSampling,
    UncertaintySampling,
)

OUT = Path(__file__).resolve().parent / "out"
STRATEGIES = {
    "margin": lambda: "margin",
    "entropy": lambda: "entropy",
    "random": lambda: "random",
    "margin+diversity": lambda: UncertaintySampling("margin", diversity=0.5),
    "hybrid": lambda: HybridSampling(),
    "coreset": lambda: CoreSetSampling(),
}
GEN_ROWS = 1_000_000


def _rows(rng, n, n_features, w):
    X = rng.standard_normal((n, n_features)).astype(np.float32)
    y = (X @ w + 0.5 * rng.standard_normal(n) > 2.2).astype(int)
    return X, y


def write_pool(path, n_rows, n_features, seed=0):
    """A float32 .npy pool written chunk by chunk (never whole in memory)."""
    rng = np.random.RandomState(seed)
    w = rng.normal(size=n_features) / np.sqrt(n_features)
    pool = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32,
                                     shape=(n_rows, n_features))
    for start in range(0, n_rows, GEN_ROWS):
        stop = min(start + GEN_ROWS, n_rows)
        pool[start:stop] = _rows(rng, stop - start, n_features, w)[0]
    pool.flush()
    del pool
    return w


def fit_model(n_features, w, seed=1):
    X, y = _rows(np.random.RandomState(seed), 20_000, n_features, w)
    return ActiveSynthesisClassifier(LogisticRegression(), max_iter=0,
                                     random_state=0).fit(X, y)


def run_query(clf, pool, strategy, args):
    return clf.query(pool, n_samples=args.n_samples, strategy=STRATEGIES[strategy](),
                     batch_size=args.batch_size)


def measure(clf, pool, strategy, args):
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        positions = run_query(clf, pool, strategy, args)
        times.append(time.perf_counter() - t0)
    seconds = float(np.median(times))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run_query(clf, pool, strategy, args)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    assert len(positions) == args.n_samples
    return seconds, peak


def child(args):
    """One fresh process: the baseline (model + every pool page) or the query too."""
    w = np.load(args.pool_path + ".w.npy")
    pool = np.load(args.pool_path, mmap_mode="r")
    with threadpool_limits(args.n_threads or None):
        clf = fit_model(pool.shape[1], w)
        checksum = 0.0
        for start in range(0, pool.shape[0], args.batch_size):
            checksum += float(pool[start:start + args.batch_size, 0].sum())
        if args.child == "query":
            run_query(clf, pool, args.strategy, args)


def max_rss_kb(args, mode, strategy):
    cmd = [sys.executable, __file__, "--child", mode, "--pool-path", args.pool_path,
           "--strategy", strategy, "--n-samples", str(args.n_samples),
           "--batch-size", str(args.batch_size), "--n-threads", str(args.n_threads)]
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with status {status}")
    return usage.ru_maxrss  # kilobytes on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-rows", type=int, default=10_000_000)
    parser.add_argument("--n-features", type=int, default=30)
    parser.add_argument("--n-samples", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES),
                        choices=list(STRATEGIES))
    parser.add_argument("--n-threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed calls per strategy (the median is reported)")
    parser.add_argument("--rss", action="store_true",
                        help="also measure peak RSS above a baseline in fresh processes")
    parser.add_argument("--dir", default=None, help="where the pool file goes")
    parser.add_argument("--child", choices=["baseline", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--pool-path", help=argparse.SUPPRESS)
    parser.add_argument("--strategy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        args.pool_path = str(Path(tmp) / "pool.npy")
        t0 = time.perf_counter()
        w = write_pool(args.pool_path, args.n_rows, args.n_features)
        np.save(args.pool_path + ".w.npy", w)
        write_s = time.perf_counter() - t0
        pool = np.load(args.pool_path, mmap_mode="r")
        chunk_bytes = args.batch_size * args.n_features * 8
        rows = []
        with threadpool_limits(args.n_threads or None):
            clf = fit_model(args.n_features, w)
            clf.query(pool[:args.batch_size], 5)          # warm-up: imports, first calls
            for name in args.strategies:
                seconds, peak = measure(clf, pool, name, args)
                row = {"strategy": name, "seconds": seconds,
                       "rows_per_s": args.n_rows / seconds, "peak_mb": peak / 1e6,
                       "peak_per_chunk": peak / chunk_bytes}
                print(f"{name}: {seconds:.1f} s, {row['rows_per_s']:,.0f} rows/s, "
                      f"peak {row['peak_mb']:.1f} MB", flush=True)
                rows.append(row)
        if args.rss:
            base = max_rss_kb(args, "baseline", "margin")
            for row in rows:
                row["rss_mb"] = (max_rss_kb(args, "query", row["strategy"]) - base) / 1024
            print(f"baseline peak RSS: {base / 1024:.0f} MB")
        del pool

    lines = [
        f"# query over {args.n_rows:,} rows x {args.n_features} features (float32 "
        f"memory map, {args.n_rows * args.n_features * 4 / 1e9:.2f} GB)", "",
        f"`ActiveSynthesisClassifier(LogisticRegression(), max_iter=0)`, "
        f"`query(pool, n_samples={args.n_samples}, batch_size={args.batch_size})`; "
        f"one chunk = {chunk_bytes / 1e6:.1f} MB (float64). Pool written in "
        f"{write_s:.0f} s.", "",
        "| strategy | seconds | rows/s | peak traced MB | peak / chunk |"
        + (" RSS above baseline MB |" if args.rss else ""),
        "|---|---:|---:|---:|---:|" + ("---:|" if args.rss else ""),
    ]
    for r in rows:
        lines.append(
            f"| {r['strategy']} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} | "
            f"{r['peak_mb']:.1f} | {r['peak_per_chunk']:.1f} |"
            + (f" {r['rss_mb']:.1f} |" if args.rss else ""))
    lines += ["", f"Python {platform.python_version()}, numpy {np.__version__}, "
              f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs, "
              f"{args.n_threads or 'default'} BLAS thread(s)."]
    text = "\n".join(lines) + "\n"
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "query.md").write_text(text)


if __name__ == "__main__":
    main()
