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

Memory only (``--memory-only``: no timed run, no floor): the same peak per size, with
``--float32`` also for the same rows as float32 (the loop keeps float32 through the
generator, the candidate matrices and the final matrix when the base estimator takes
it, as ``LogisticRegression`` does), and with ``--generators`` the peak of the fit with
each optional generator (SDV's Gaussian copula and CTGAN with ``--ctgan-epochs``
epochs, the LLM generator against the package's loopback OpenAI-compatible server) at
``--generator-rows`` rows, each in a fresh process: the ``tracemalloc`` peak (numpy
and Python objects; torch's own allocations are not traced) and the peak resident
memory during the fit above the process's resident memory before it (Linux: the
high-water mark is reset through ``/proc/self/clear_refs``), both divided by
``X.nbytes``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fit_time.py                  # 10k, 100k, 1M rows
    .venv/bin/python benchmarks/bench_fit_time.py --sizes 10000 100000
    .venv/bin/python benchmarks/bench_fit_time.py --quick          # 10k only
    .venv/bin/python benchmarks/bench_fit_time.py --sizes 10000 100000 --repeats 3
    .venv/bin/python benchmarks/bench_fit_time.py --memory-only --n-features 30 --float32
    .venv/bin/python benchmarks/bench_fit_time.py --memory-only --sizes 10000 \
        --generators interpolation gaussian_copula ctgan llm

The Markdown table is printed and written to ``benchmarks/out/fit_time.md``
(``fit_memory.md`` with ``--memory-only``).
Targets: ratio <= 1.3, near-linear growth, peak memory <= 3x the training data.
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import subprocess
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


def make_data(n_samples, n_features=20):
    return make_classification(n_samples=n_samples, n_features=n_features,
                               n_informative=10, weights=[0.9], random_state=0)


def make_model(estimator, generator=None):
    return ActiveSynthesisClassifier(estimator, generator=generator, max_iter=3,
                                     random_state=0)


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


def memory_row(n_samples, n_features=20, dtype=np.float64):
    """Peak of a plain loop fit (and of LogisticRegression alone) on X in ``dtype``."""
    X, y = make_data(n_samples, n_features)
    X = X.astype(dtype)
    out = {}
    peak = traced_peak(lambda: out.setdefault("model", make_model(LogisticRegression())
                                              .fit(X, y)))
    model = out["model"]
    peak_lr = traced_peak(lambda: LogisticRegression().fit(X, y))
    return dict(n=n_samples, p=n_features, dtype=np.dtype(dtype).name,
                x_mb=X.nbytes / 2**20, peak_mb=peak / 2**20, peak_ratio=peak / X.nbytes,
                peak_lr_ratio=peak_lr / X.nbytes, synthetic=len(model.synthetic_y_),
                synthetic_dtype=model.synthetic_X_.dtype.name,
                x64_mb=n_samples * n_features * 8 / 2**20)


GENERATORS = ("interpolation", "gaussian_copula", "ctgan", "llm")


def _status_kb(field):
    """A ``VmRSS``-style field of /proc/self/status, in bytes (None off Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_peak_rss():
    """Reset the process's resident high-water mark (Linux >= 4.0); False if not."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def generator_cell(name, n_samples, n_features, ctgan_epochs):
    """One optional generator's fit: seconds, traced peak and resident peak above
    the resident memory before the fit (run in a fresh process by the caller)."""
    import contextlib
    import gc

    X, y = make_data(n_samples, n_features)
    with contextlib.ExitStack() as stack:
        def generator():
            if name == "interpolation":
                return None  # the default, InterpolationGenerator()
            if name == "gaussian_copula":
                from sklearn_activesynth.generators import GaussianCopulaGenerator
                return GaussianCopulaGenerator()
            if name == "ctgan":
                import torch
                torch.set_num_threads(1)
                from sklearn_activesynth.generators import CTGANGenerator
                return CTGANGenerator(epochs=ctgan_epochs)
            if name == "llm":
                from sklearn_activesynth.generators import LLMGenerator
                from sklearn_activesynth.testing import OpenAITestServer
                server = stack.enter_context(OpenAITestServer())
                return LLMGenerator("test-model", base_url=server.url, timeout=10.0,
                                    max_retries=2, backoff=0.01, max_backoff=1.0)
            raise ValueError(f"unknown generator {name!r}; one of {GENERATORS}")

        # a first, small fit imports everything the generator needs (torch, SDV,
        # the HTTP client): imports are not the fit's memory
        make_model(LogisticRegression(), generator()).fit(X[:400], y[:400])
        gc.collect()
        rss_before = _status_kb("VmRSS")
        reset = _reset_peak_rss()
        t0 = time.perf_counter()
        model = make_model(LogisticRegression(), generator()).fit(X, y)
        seconds = time.perf_counter() - t0
        hwm = _status_kb("VmHWM")
        rss = (hwm - rss_before) / X.nbytes if reset and hwm and rss_before else None
        n_syn = len(model.synthetic_y_)
        n_gen = int(model.history_["n_generated"].fillna(0).sum())
        del model
        gc.collect()
        peak = traced_peak(lambda: make_model(LogisticRegression(), generator()).fit(X, y))
    return dict(generator=name, n=n_samples, p=n_features, seconds=seconds,
                generated=n_gen, synthetic=n_syn, peak_ratio=peak / X.nbytes, rss_ratio=rss,
                x_mb=X.nbytes / 2**20)


def run_generator(name, n_rows, args):
    """:func:`generator_cell` in a fresh interpreter (its own resident memory)."""
    cmd = [sys.executable, __file__, "--generator-cell", name,
           "--generator-rows", str(n_rows),
           "--n-features", str(args.n_features),
           "--ctgan-epochs", str(args.ctgan_epochs), "--n-threads", str(args.n_threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
        return dict(generator=name, n=n_rows, p=args.n_features,
                    error=tail[0] if tail else f"exit {proc.returncode}")
    return json.loads(lines[-1])


def memory_markdown(rows, gen_rows, args):
    lines = [
        "# Peak memory of ActiveSynthesisClassifier.fit",
        "",
        "`ActiveSynthesisClassifier(LogisticRegression(), max_iter=3, random_state=0)` on "
        f"`make_classification(n_samples, n_features={args.n_features}, n_informative=10, "
        "weights=[0.9], random_state=0)`. **peak / X**: peak bytes allocated during "
        "`fit` (`tracemalloc`, numpy included) / `X.nbytes` of the X given to fit "
        f"(target <= {TARGET_MEMORY:g}); **peak / float64 X**: the same peak over the "
        "bytes the rows take as float64 (the memory effect of float32 input).",
        "",
        "| rows | features | dtype | X MB | peak MB | peak / X | peak / float64 X | "
        "LR alone peak / X | synthetic rows | synthetic_X_ dtype |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['p']} | {r['dtype']} | {r['x_mb']:.1f} | "
            f"{r['peak_mb']:.1f} | **{r['peak_ratio']:.2f}** | "
            f"{r['peak_mb'] / r['x64_mb']:.2f} | {r['peak_lr_ratio']:.2f} | "
            f"{r['synthetic']:,} | {r['synthetic_dtype']} |")
    if gen_rows:
        lines += [
            "",
            f"With each generator, {gen_rows[0]['p']} "
            f"features, float64, each in a fresh process (CTGAN: {args.ctgan_epochs} "
            "epochs; LLM: the package's loopback OpenAI-compatible server). **traced "
            "peak / X**: `tracemalloc` (numpy and Python objects; torch's own tensors "
            "are not traced); **RSS peak / X**: the resident high-water mark during "
            "the fit above the resident memory just before it, over `X.nbytes`.",
            "",
            "| generator | rows | fit s | rows generated | rows kept | traced peak / X | "
            "RSS peak / X |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in gen_rows:
            if "error" in r:
                lines.append(f"| {r['generator']} | {r['n']:,} | failed: {r['error']} "
                             "| | | | |")
                continue
            lines.append(
                f"| {r['generator']} | {r['n']:,} | {r['seconds']:.1f} | "
                f"{r['generated']:,} | {r['synthetic']:,} | "
                f"{r['peak_ratio']:.2f} | {fmt(r['rss_ratio'], '.2f')} |")
    lines += [
        "",
        f"Environment: Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs, "
        f"BLAS/OpenMP threads: {args.n_threads or 'library default'}.",
    ]
    return "\n".join(lines) + "\n"


def stage_seconds(model):
    hist = model.history_
    return {s: float(hist[f"seconds_{s}"].fillna(0).sum())
            for s in STAGES if f"seconds_{s}" in hist.columns}


def run_size(n_samples, memory=True, repeats=1, n_features=20):
    X, y = make_data(n_samples, n_features)
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


def profile_fit(n_samples, top=25, n_features=20):
    """cProfile of one plain loop fit: where the time outside the base fits goes."""
    X, y = make_data(n_samples, n_features)
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
        "built-in generator, on `make_classification(n_samples, "
        f"n_features={results[0]['p']}, "
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
    parser.add_argument("--n-features", type=int, default=20,
                        help="columns of make_classification (default 20)")
    parser.add_argument("--memory-only", action="store_true",
                        help="only the tracemalloc peak per size (no timed run, no "
                             "floor); written to benchmarks/out/fit_memory.md")
    parser.add_argument("--float32", action="store_true",
                        help="with --memory-only: also each size with float32 rows")
    parser.add_argument("--generators", nargs="+", default=[], choices=GENERATORS,
                        help="with --memory-only: the peak with these generators at "
                             "--generator-rows rows, each in a fresh process")
    parser.add_argument("--generator-rows", type=int, nargs="+", default=[10_000])
    parser.add_argument("--ctgan-epochs", type=int, default=5)
    parser.add_argument("--generator-cell", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    sizes = [10_000] if args.quick else sorted(args.sizes)
    limits = threadpool_limits(args.n_threads) if args.n_threads else None
    results = []
    if args.generator_cell:  # one cell of --generators, in its own process
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                print(json.dumps(generator_cell(args.generator_cell, args.generator_rows[0],
                                                args.n_features, args.ctgan_epochs)))
        finally:
            if limits is not None:
                limits.restore_original_limits()
        return
    if args.memory_only:
        rows = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for n in sizes:
                    for dtype in [np.float64] + ([np.float32] if args.float32 else []):
                        r = memory_row(n, args.n_features, dtype)
                        rows.append(r)
                        print(f"{n:>9,} rows, {r['dtype']}: peak {r['peak_mb']:.1f} MB, "
                              f"peak/X {r['peak_ratio']:.2f}", file=sys.stderr, flush=True)
        finally:
            if limits is not None:
                limits.restore_original_limits()
        gen_rows = []
        for n_rows, name in ((n, g) for n in args.generator_rows for g in args.generators):
            t0 = time.perf_counter()
            gen_rows.append(run_generator(name, n_rows, args))
            print(f"generator {name}: {gen_rows[-1]} ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
        report = memory_markdown(rows, gen_rows, args)
        print(report)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "fit_memory.md").write_text(report)
        print("written to benchmarks/out/fit_memory.md", file=sys.stderr)
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning etc.: not measured here
            for n in sizes:
                t0 = time.perf_counter()
                r = run_size(n, memory=not args.no_memory, repeats=args.repeats,
                             n_features=args.n_features)
                results.append(r)
                print(f"{n:>9,} rows: loop {r['seconds']:.2f} s, floor {r['floor']:.2f} s, "
                      f"ratio {r['ratio']:.2f} (recording run {r['recorded']:.2f} s), peak/X "
                      f"{fmt(r.get('peak_ratio'), '.2f')} "
                      f"(benchmark took {time.perf_counter() - t0:.0f} s)",
                      file=sys.stderr, flush=True)
            report = markdown(results, args)
            if args.profile:
                report += ("\n```\n" + profile_fit(sizes[-1], n_features=args.n_features)
                           + "```\n")
    finally:
        if limits is not None:
            limits.restore_original_limits()
    print(report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fit_time.md").write_text(report)
    print("written to benchmarks/out/fit_time.md", file=sys.stderr)


if __name__ == "__main__":
    main()
