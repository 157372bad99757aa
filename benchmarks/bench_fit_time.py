"""Fit time and memory of ActiveSynthesisClassifier against its floor.

The floor is the base-estimator fits the configuration cannot avoid, timed alone:
``ActiveSynthesisClassifier(LogisticRegression(), max_iter=3, random_state=0)`` with
the built-in generator fits the base model

- once on the training split (model_0),
- per round, ``uncertainty_cv=5`` times out-of-fold plus once for the round's refit,
- once at the end, on all real rows plus the accepted synthetic rows.

The loop is run once with a recording LogisticRegression that keeps the arrays each
of those fits received (rows, labels, sample_weight); each fit is then replayed alone,
``LogisticRegression().fit`` on exactly the same arrays, in the same process. The sum
of the replays is the floor. The loop itself is then timed with a plain
``LogisticRegression`` (the same fits: same seed, same arrays): the recording run
keeps every fit's arrays alive (20 matrices, several times X), so each of its
allocations is fresh memory from the system, which made it up to a third slower than
the fit it records. ratio = plain loop fit time / floor. Everything else the loop
does (uncertainty scoring, targeting, generation, filtering, validation scoring,
copies) is overhead. ``--repeats R`` times the floor replay and the plain loop R
times each, one after the other, and keeps the fastest of each (a shared machine's
interruptions only ever add time). ``--clock cpu`` times both with this process's CPU time instead of
wall time (on a machine shared with other jobs).

Memory: a second, plain fit runs under ``tracemalloc`` (numpy allocations are traced);
the peak of what the fit allocates, divided by ``X.nbytes``, is reported (X itself,
allocated before, is not counted). A plain ``LogisticRegression().fit(X, y)`` is
measured the same way for reference.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fit_time.py                  # 10k, 100k, 1M rows
    .venv/bin/python benchmarks/bench_fit_time.py --sizes 10000 100000
    .venv/bin/python benchmarks/bench_fit_time.py --quick          # 10k only
    .venv/bin/python benchmarks/bench_fit_time.py --sizes 10000 100000 --repeats 3

The Markdown table is printed and written to ``benchmarks/out/fit_time.md``.
Targets: ratio <= 1.3, near-linear growth, peak memory <= 3x the training data.
"""

import argparse
import cProfile
import io
import os
import platform
import pstats
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier

OUT = Path(__file__).resolve().parent / "out"
TARGET_RATIO = 1.3
TARGET_MEMORY = 3.0
STAGES = ["generator_fit", "uncertainty", "targeting", "generation", "filtering", "fit",
          "scoring", "final_refit"]

_CALLS = []  # filled by RecordingLogisticRegression.fit (clones share nothing else)
CLOCK = time.perf_counter  # --clock cpu: time.process_time


class RecordingLogisticRegression(LogisticRegression):
    """LogisticRegression that records every fit: the arrays it got and its duration.

    ``__init__`` is inherited, so ``clone`` and ``get_params`` work unchanged.
    """

    def fit(self, X, y, sample_weight=None):
        t0 = CLOCK()
        out = super().fit(X, y, sample_weight=sample_weight)
        _CALLS.append(dict(X=X, y=y, sample_weight=sample_weight,
                           seconds=CLOCK() - t0))
        return out


def make_data(n_samples):
    return make_classification(n_samples=n_samples, n_features=20, n_informative=10,
                               weights=[0.9], random_state=0)


def make_model(estimator):
    return ActiveSynthesisClassifier(estimator, max_iter=3, random_state=0)


def timed_fit_with_recording(X, y):
    """One loop fit with the recording estimator; (seconds, model, recorded calls)."""
    _CALLS.clear()
    model = make_model(RecordingLogisticRegression())
    t0 = CLOCK()
    model.fit(X, y)
    seconds = CLOCK() - t0
    calls = list(_CALLS)
    _CALLS.clear()
    return seconds, model, calls


def timed_plain_fit(X, y):
    """Time (CLOCK) of one loop fit with a plain LogisticRegression."""
    model = make_model(LogisticRegression())
    t0 = CLOCK()
    model.fit(X, y)
    return CLOCK() - t0


def replay_floor(calls):
    """Time LogisticRegression().fit alone on exactly the arrays each fit received."""
    total = 0.0
    for call in calls:
        kw = {} if call["sample_weight"] is None else {"sample_weight": call["sample_weight"]}
        est = LogisticRegression()
        t0 = CLOCK()
        est.fit(call["X"], call["y"], **kw)
        total += CLOCK() - t0
    return total


def traced_peak(fn):
    """Peak bytes allocated while fn() runs (numpy included), per tracemalloc."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def stage_seconds(model):
    hist = model.history_
    return {s: float(hist[f"seconds_{s}"].fillna(0).sum())
            for s in STAGES if f"seconds_{s}" in hist.columns}


def run_size(n_samples, memory=True, repeats=1):
    X, y = make_data(n_samples)
    recorded, model, calls = timed_fit_with_recording(X, y)
    floors, loops = [], []
    for _ in range(repeats):  # interleaved: both see the machine in the same state
        floors.append(replay_floor(calls))
        loops.append(timed_plain_fit(X, y))
    floor, seconds = min(floors), min(loops)
    in_loop = sum(c["seconds"] for c in calls)
    n_weighted = sum(c["sample_weight"] is not None for c in calls)
    rows_fitted = [c["X"].shape[0] for c in calls]
    del calls
    res = dict(
        n=n_samples, p=X.shape[1], seconds=seconds, floor=floor, ratio=seconds / floor,
        recorded=recorded, in_loop_fits=in_loop, overhead=seconds - in_loop,
        n_fits=len(rows_fitted),
        n_weighted=n_weighted, rows_fitted=rows_fitted,
        synthetic=len(model.synthetic_y_), n_iter=model.n_iter_,
        termination=model.termination_condition_, stages=stage_seconds(model),
        x_mb=X.nbytes / 2**20,
    )
    del model
    if memory:
        peak = traced_peak(lambda: make_model(LogisticRegression()).fit(X, y))
        peak_lr = traced_peak(lambda: LogisticRegression().fit(X, y))
        res.update(peak_mb=peak / 2**20, peak_ratio=peak / X.nbytes,
                   peak_lr_ratio=peak_lr / X.nbytes)
    return res


def profile_fit(n_samples, top=25):
    """cProfile of one plain loop fit: where the time outside the base fits goes."""
    X, y = make_data(n_samples)
    prof = cProfile.Profile()
    prof.enable()
    make_model(LogisticRegression()).fit(X, y)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def fmt(v, spec):
    return "n/a" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def markdown(results, args):
    base = results[0]
    lines = [
        "# Fit time of ActiveSynthesisClassifier against its floor",
        "",
        "`ActiveSynthesisClassifier(LogisticRegression(), max_iter=3, random_state=0)`, "
        "built-in generator, on `make_classification(n_samples, n_features=20, "
        "n_informative=10, weights=[0.9], random_state=0)`.",
        "",
        "- **floor**: the base fits the configuration cannot avoid (model_0, per round "
        "5 out-of-fold fits + the round's refit, the final refit), replayed alone on "
        "exactly the arrays each fit received, in the same run.",
        f"- **loop**: {'CPU' if args.clock == 'cpu' else 'wall'} time of `fit` with a "
        "plain `LogisticRegression`"
        + (f" (fastest of {args.repeats}; the floor likewise)" if args.repeats > 1
           else "") + ". **ratio** = loop / floor (target <= "
        f"{TARGET_RATIO}). **in-loop fits**: the base fits' time measured inside "
        "the recording run (**recording run**: that run's time; it keeps every "
        "fit's arrays alive); **overhead** = loop - in-loop fits.",
        f"- **growth**: seconds per row relative to {base['n']:,} rows (1.00 = linear).",
        "- **peak / X**: peak bytes allocated during `fit` (tracemalloc, numpy "
        f"included) / `X.nbytes` (target <= {TARGET_MEMORY:g}); **LR alone**: the "
        "same for one `LogisticRegression().fit(X, y)`.",
        "",
        "| rows | X MB | loop s | floor s | ratio | recording run s | in-loop fits s | "
        "overhead s | base fits | synthetic rows | growth loop | growth floor | "
        "peak / X | LR alone peak / X |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        g_loop = (r["seconds"] / r["n"]) / (base["seconds"] / base["n"])
        g_floor = (r["floor"] / r["n"]) / (base["floor"] / base["n"])
        lines.append(
            f"| {r['n']:,} | {r['x_mb']:.0f} | {r['seconds']:.2f} | {r['floor']:.2f} | "
            f"**{r['ratio']:.2f}** | {r['recorded']:.2f} | {r['in_loop_fits']:.2f} | "
            f"{r['overhead']:.2f} | "
            f"{r['n_fits']} ({r['n_weighted']} weighted) | {r['synthetic']:,} | "
            f"{g_loop:.2f} | {g_floor:.2f} | {fmt(r.get('peak_ratio'), '.2f')} | "
            f"{fmt(r.get('peak_lr_ratio'), '.2f')} |")
    lines += [
        "",
        "Where the loop's time goes (sums of the recording run's `history_` "
        "`seconds_*` columns; "
        "`uncertainty` includes the 5 out-of-fold fits per round, `fit` the rounds' "
        "refits and model_0):",
        "",
        "| rows | " + " | ".join(STAGES) + " | rounds | termination |",
        "|---:|" + "---:|" * len(STAGES) + "---:|---|",
    ]
    for r in results:
        cells = [fmt(r["stages"].get(s), ".2f") for s in STAGES]
        lines.append(f"| {r['n']:,} | " + " | ".join(cells)
                     + f" | {r['n_iter']} | {r['termination']} |")
    worst = max(r["ratio"] for r in results)
    mem = [r["peak_ratio"] for r in results if "peak_ratio" in r]
    last = results[-1]
    g_last = (last["seconds"] / last["n"]) / (base["seconds"] / base["n"])
    lines += [
        "",
        f"Targets: ratio <= {TARGET_RATIO}: **{'met' if worst <= TARGET_RATIO else 'not met'}"
        f"** (worst {worst:.2f}); peak memory <= {TARGET_MEMORY:g}x X: **"
        + ("n/a" if not mem else ('met' if max(mem) <= TARGET_MEMORY else 'not met'))
        + "**" + (f" (worst {max(mem):.2f})" if mem else "")
        + (f"; growth at {last['n']:,} rows: {g_last:.2f}x per row" if len(results) > 1
           else "") + ".",
        "",
        f"Environment: Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs, "
        f"BLAS/OpenMP threads: {args.n_threads or 'library default'}; timed with "
        f"{'CPU time (time.process_time)' if args.clock == 'cpu' else 'wall time'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="10k rows only")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the tracemalloc run (saves one loop fit per size)")
    parser.add_argument("--n-threads", type=int, default=1,
                        help="BLAS/OpenMP threads (default 1: stable timings; 0: "
                             "library default)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="time the loop and the floor this many times each and "
                             "keep the fastest of each (default 1)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="what the loop and the floor are timed with: wall time "
                             "(default) or this process's CPU time, which other "
                             "processes on a shared machine disturb far less (every "
                             "fit runs in this process, one BLAS/OpenMP thread)")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile (by own time) of one loop fit at "
                             "the largest size")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    sizes = [10_000] if args.quick else sorted(args.sizes)
    limits = threadpool_limits(args.n_threads) if args.n_threads else None
    results = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning etc.: not measured here
            for n in sizes:
                t0 = time.perf_counter()
                r = run_size(n, memory=not args.no_memory, repeats=args.repeats)
                results.append(r)
                print(f"{n:>9,} rows: loop {r['seconds']:.2f} s, floor {r['floor']:.2f} s, "
                      f"ratio {r['ratio']:.2f} (recording run {r['recorded']:.2f} s), peak/X "
                      f"{fmt(r.get('peak_ratio'), '.2f')} "
                      f"(benchmark took {time.perf_counter() - t0:.0f} s)",
                      file=sys.stderr, flush=True)
            report = markdown(results, args)
            if args.profile:
                report += ("\n```\n" + profile_fit(sizes[-1]) + "```\n")
    finally:
        if limits is not None:
            limits.restore_original_limits()
    print(report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fit_time.md").write_text(report)
    print("written to benchmarks/out/fit_time.md", file=sys.stderr)


if __name__ == "__main__":
    main()
