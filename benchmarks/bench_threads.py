"""The README's ten lines with the libraries' default threads against one thread.

Each configuration runs the README's ten lines (``make_fraud_transactions(20000)``,
``ActiveSynthesisClassifier(HistGradientBoostingClassifier(categorical_features=
"from_dtype"), random_state=0).fit``) in a fresh Python process, so that the thread
settings of the environment take effect when the libraries load:

- ``default``: the environment as it is (OpenMP and BLAS each start one thread per core);
- ``one thread``: ``OMP_NUM_THREADS=1`` (and the BLAS variables) set to 1.

ratio = default wall time / one-thread wall time (median of ``--repeats`` runs each,
interleaved). Target: <= 2.

``--busy N`` starts N CPU-bound processes (a pure-Python loop each) for the whole
benchmark, which reproduces a shared machine where other work loads the cores: that is
where OpenMP's worker threads, which spin while they wait for the next parallel region,
and more threads than free cores, cost the most.

Run from the repository root::

    .venv/bin/python benchmarks/bench_threads.py               # idle machine
    .venv/bin/python benchmarks/bench_threads.py --busy 2      # 2 other CPU-bound processes

The Markdown table is printed and written to ``benchmarks/out/threads.md``.
"""

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
TARGET_RATIO = 2.0
THREAD_VARS = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"]

TEN_LINES = r"""
import time, warnings
warnings.simplefilter("ignore", FutureWarning)
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_info
from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.datasets import make_fraud_transactions

t0 = time.perf_counter()
X, y = make_fraud_transactions(n_samples={n_samples}, random_state=0)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
clf = ActiveSynthesisClassifier(HistGradientBoostingClassifier(categorical_features="from_dtype"),
                                random_state=0).fit(X_tr, y_tr)
clf.predict_proba(X_te)
seconds = time.perf_counter() - t0
pools = ",".join(sorted({{f"{{p['internal_api']}}={{p['num_threads']}}" for p in threadpool_info()}}))
print("RESULT", seconds, pools)
"""


def _spin():  # pragma: no cover - runs in a child process
    x = 0
    while True:
        x += 1


def run_once(env, n_samples):
    code = TEN_LINES.format(n_samples=n_samples)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("RESULT")][-1]
    _, seconds, pools = line.split(" ", 2)
    return float(seconds), pools


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--busy", type=int, default=0,
                        help="CPU-bound processes to run alongside (default 0)")
    args = parser.parse_args(argv)

    default_env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    one_env = {**default_env, **{k: "1" for k in THREAD_VARS}}
    configs = {"default threads": default_env, "one thread": one_env}

    spinners = [mp.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for p in spinners:
        p.start()
    try:
        times = {name: [] for name in configs}
        pools = {}
        for _ in range(args.repeats):
            for name, env in configs.items():
                seconds, pools[name] = run_once(env, args.n_samples)
                times[name].append(seconds)
                print(f"  {name}: {seconds:.1f} s ({pools[name]})", flush=True)
    finally:
        for p in spinners:
            p.terminate()
            p.join()

    med = {name: statistics.median(v) for name, v in times.items()}
    ratio = med["default threads"] / med["one thread"]
    import sklearn

    import sklearn_activesynth
    lines = [
        f"README's ten lines, make_fraud_transactions({args.n_samples}); "
        f"{os.cpu_count()} cores, {args.busy} other CPU-bound process(es); "
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"sklearn-activesynth {sklearn_activesynth.__version__}; median of "
        f"{args.repeats} runs each.",
        "",
        "| threads | runs s | median s | thread pools seen by the process |",
        "|---|---|---:|---|",
    ]
    for name in configs:
        lines.append(f"| {name} | {', '.join(f'{s:.1f}' for s in times[name])} | "
                     f"{med[name]:.1f} | {pools[name]} |")
    lines += ["", f"ratio default / one thread: **{ratio:.2f}** "
              f"(target <= {TARGET_RATIO:g}: {'met' if ratio <= TARGET_RATIO else 'NOT met'})"]
    table = "\n".join(lines)
    print(table)
    OUT.mkdir(exist_ok=True)
    (OUT / "threads.md").write_text(table + "\n")
    return ratio


if __name__ == "__main__":
    main()
