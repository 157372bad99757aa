"""Image active synthesis on the digits: accuracy, calibration and seconds per stage.

Runs the comparison of ``examples/digits_active_synthesis.py`` at several
fractions of real data (default 5 %, 10 % and 30 % of the 1,797 digits) over
``--seeds`` seeds (default 5): a skorch CNN trained on the real digits only,
with untargeted cVAE digits (prior samples, training class mix), with targeted
cVAE digits (latent neighbourhood of the MC-dropout-uncertain real digits,
``ActiveSynthesisClassifier``), and the random-anchor control (the same loop
around random real digits). The three loops share every setting: 2 rounds,
25 % of the training rows requested per round, 3-fold out-of-fold MC dropout
(20 passes), the 20 % validation guard.

Run from the repository root::

    .venv/bin/python benchmarks/bench_digits.py
    .venv/bin/python benchmarks/bench_digits.py --fractions 0.1 --seeds 2   # quick look

The Markdown report (accuracy and ECE per fraction and method, paired
differences, synthetic digits kept, seconds per stage) is printed and written to
``benchmarks/out/digits.md``.
"""

import argparse
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import skorch
import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from digits_active_synthesis import run_seed  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.uncertainty import MCDropout  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
METHODS = ["real only", "untargeted cVAE", "targeted cVAE", "random anchors"]


class TimedScorer:
    """Callable ``uncertainty=``: MC dropout, timing the passes it runs."""

    def __init__(self, scorer):
        self.scorer = scorer
        self.seconds = 0.0

    def __call__(self, estimator, X):
        t0 = time.perf_counter()
        try:
            return self.scorer(estimator, X)
        finally:
            self.seconds += time.perf_counter() - t0


def stages(row):
    """Seconds per stage of one fit, from ``history_`` and the timed scorer."""
    model = row["model"]
    if not isinstance(model, ActiveSynthesisClassifier):
        return dict(generator_fit=0.0, sampling=0.0, mc_passes=0.0,
                    classifier_fits=row["seconds"], other=0.0)
    h = model.history_.sum(numeric_only=True)
    mc = model.uncertainty.seconds
    fits = h.get("seconds_fit", 0) + h.get("seconds_final_refit", 0) + \
        h.get("seconds_uncertainty", 0) - mc  # out-of-fold fits are in "uncertainty"
    out = dict(generator_fit=h.get("seconds_generator_fit", 0),
               sampling=h.get("seconds_generation", 0), mc_passes=mc,
               classifier_fits=fits)
    out["other"] = max(0.0, row["seconds"] - sum(out.values()))
    return out


def mean_sd(x):
    return f"{np.mean(x):.3f} ± {np.std(x, ddof=1) if len(x) > 1 else 0:.3f}"


def report(frame, args, seconds):
    fr = sorted(frame["fraction"].unique())
    methods = [m for m in METHODS if m in set(frame["method"])]
    n_real = frame.groupby("fraction")["n_real"].first()
    lines = [
        "# Image active synthesis on the digits",
        "",
        f"`{shlex.join(['benchmarks/bench_digits.py'] + (args.argv or []))}` — "
        f"{args.seeds} seeds; python {platform.python_version()}, torch "
        f"{torch.__version__}, skorch {skorch.__version__}, scikit-learn "
        f"{sklearn.__version__}; {args.n_threads or 'default'} thread(s); "
        f"{seconds:.0f} s in all.",
        "",
        "Test accuracy and expected calibration error (15 bins) on a stratified 30 % "
        "test split, mean ± standard deviation over seeds (each seed draws its own "
        "split and real subset). Columns: the share of all 1,797 digits used as real "
        "training data, and how many digits that is.",
        "",
    ]

    def table(metric, fmt):
        head = "| method | " + " | ".join(f"{f:.0%} ({n_real[f]} real)" for f in fr) + " |"
        rows = [head, "|---|" + "---:|" * len(fr)]
        for m in methods:
            cells = [fmt(frame[(frame.method == m) & (frame.fraction == f)][metric].to_numpy())
                     for f in fr]
            rows.append(f"| {m} | " + " | ".join(cells) + " |")
        return rows

    lines += ["## Accuracy", ""] + table("accuracy", mean_sd)
    lines += ["", "## ECE (lower is better)", ""] + table("ece", mean_sd)
    lines += ["", "## Synthetic digits kept (mean per fit)", ""] + table(
        "n_synthetic", lambda x: f"{np.mean(x):.0f}")

    lines += ["", "## Paired differences in accuracy (same seed, same split)", "",
              "| fraction | comparison | mean diff | sd | better / worse / tied |",
              "|---|---|---:|---:|---:|"]
    pairs = [("targeted cVAE", "real only"), ("targeted cVAE", "untargeted cVAE"),
             ("targeted cVAE", "random anchors"), ("untargeted cVAE", "real only")]
    for f in fr:
        sub = frame[frame.fraction == f].pivot(index="seed", columns="method",
                                               values="accuracy")
        for a, b in pairs:
            if a in sub and b in sub:
                d = (sub[a] - sub[b]).to_numpy()
                lines.append(
                    f"| {f:.0%} | {a} − {b} | {np.mean(d):+.4f} | "
                    f"{np.std(d, ddof=1) if len(d) > 1 else 0:.4f} | "
                    f"{np.sum(d > 1e-12)} / {np.sum(d < -1e-12)} / "
                    f"{np.sum(np.abs(d) <= 1e-12)} |")

    lines += ["", "## Seconds per fit, by stage (mean over seeds)", "",
              "`generator fit`: the cVAE, once per fit; `sampling`: encoding the anchors "
              "and decoding; `MC passes`: the MC-dropout forward passes (20 per row, "
              "training and validation rows, every round); `classifier fits`: the CNN's "
              "fits (model 0, 3 out-of-fold fits per round for the uncertainty, the "
              "round's refit, the final refit on all real plus kept synthetic digits); "
              "`other`: targeting, filtering, validation scoring, bookkeeping.", "",
              "| fraction | method | generator fit | sampling | MC passes | "
              "classifier fits | other | total |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    st = pd.DataFrame([{**stages(r), "fraction": r["fraction"], "method": r["method"],
                        "total": r["seconds"]} for r in args.rows])
    agg = st.groupby(["fraction", "method"], sort=False).mean()
    for f in fr:
        for m in methods:
            v = agg.loc[(f, m)]
            lines.append(
                f"| {f:.0%} | {m} | {v.generator_fit:.2f} | {v.sampling:.3f} | "
                f"{v.mc_passes:.2f} | {v.classifier_fits:.2f} | {v.other:.2f} | "
                f"{v.total:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.05, 0.1, 0.3])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-epochs", type=int, default=60, help="CNN training epochs")
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument("--n-threads", type=int, default=1,
                        help="torch/BLAS threads (0: the libraries' defaults)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.n_threads:
        torch.set_num_threads(args.n_threads)
    t0 = time.perf_counter()
    rows = []
    with threadpool_limits(limits=args.n_threads or None):
        for fraction in args.fractions:
            for seed in range(args.seeds):
                new = run_seed(
                    fraction, seed, methods=args.methods, max_epochs=args.max_epochs,
                    uncertainty_factory=lambda s: TimedScorer(
                        MCDropout(n_passes=20, random_state=s)))
                rows += new
                print(f"{fraction:.0%} seed {seed}: " + ", ".join(
                    f"{r['method']} {r['accuracy']:.3f} ({r['seconds']:.0f} s)" for r in new),
                    file=sys.stderr, flush=True)
    args.rows = rows
    frame = pd.DataFrame([{k: v for k, v in r.items() if k not in ("model", "X_real")}
                          for r in rows])
    text = report(frame, args, time.perf_counter() - t0)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "digits.md").write_text(text)
    print("written to benchmarks/out/digits.md", file=sys.stderr)


if __name__ == "__main__":
    main()
