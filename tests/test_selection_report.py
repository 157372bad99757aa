"""Issue 14's targets as benchmarks/selection_report.py computes them, on
hand-made runs whose right answers are worked out here, and the benchmark's
selection methods end to end on a small built-in dataset."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
selection_report = pytest.importorskip("selection_report")

ARMS = ["none", "uncertain", "random_matched", "balance", "uncertain_usable"]


def _runs(cells, *, max_iter=3):
    """``cells``: ``{(dataset, estimator): {method: dict(pr_auc=[per seed], ...)}}``
    (fraction 0.1); missing brier / fit_seconds default to 0.1 / 1.0."""
    rows = []
    for (dataset, estimator), methods in cells.items():
        for method, cols in methods.items():
            n = len(cols["pr_auc"])
            for seed in range(n):
                row = dict(dataset=dataset, fraction=0.1, estimator=estimator, seed=seed,
                           method=method, generator="none" if method in (
                               "real_only", "smote") else "interpolation",
                           budget=0.0 if method == "real_only" else 0.3,
                           max_iter=max_iter, max_rows=3000, validation_fraction=np.nan,
                           synthetic_rows=0, rounds_accepted=0, error=np.nan,
                           arm_pulls=np.nan, brier=0.1, fit_seconds=1.0)
                for k, v in cols.items():
                    row[k] = v[seed] if isinstance(v, (list, np.ndarray)) else v
                rows.append(row)
    return pd.DataFrame(rows)


def _pulls(counts):
    return json.dumps(dict(zip(ARMS, counts)))


def test_worse_cells_by_the_one_percent_rule_and_the_ten_seed_test():
    twelve_lower = list(0.80 + 0.001 * np.arange(12))
    runs = _runs({
        # -1.25 %: worse
        ("a", "lr"): {"real_only": dict(pr_auc=[0.80] * 3), "selection": dict(pr_auc=[0.79] * 3)},
        # -0.625 %: within 1 %, 3 seeds (no test): not worse
        ("b", "lr"): {"real_only": dict(pr_auc=[0.80] * 3),
                      "selection": dict(pr_auc=[0.795] * 3)},
        # better: not worse
        ("c", "lr"): {"real_only": dict(pr_auc=[0.80] * 3), "selection": dict(pr_auc=[0.85] * 3)},
        # 12 seeds, 0.5 % lower on every seed: within 1 % but one-sided Wilcoxon
        # p = 1 / 2**12 < 0.1: worse
        ("d", "lr"): {"real_only": dict(pr_auc=twelve_lower),
                      "selection": dict(pr_auc=[v * 0.995 for v in twelve_lower])},
        # the same on 5 seeds: no test below 10 seeds, not worse
        ("e", "lr"): {"real_only": dict(pr_auc=twelve_lower[:5]),
                      "selection": dict(pr_auc=[v * 0.995 for v in twelve_lower[:5]])},
    })
    table = selection_report.compare_cells(runs, "pr_auc").set_index("dataset")
    assert table["worse"].to_dict() == dict(a=True, b=False, c=False, d=True, e=False)
    assert table.loc["a", "rel_change"] == pytest.approx(-0.0125)
    assert table.loc["b", "rel_change"] == pytest.approx(-0.00625)
    assert table.loc["d", "p"] == pytest.approx(0.5 ** 12)
    assert table.loc["d", "n_seeds"] == 12
    assert np.isnan(table.loc["e", "p"]) and np.isnan(table.loc["a", "p"])
    assert selection_report.share_worse(table) == pytest.approx(2 / 5)


def test_brier_is_worse_when_higher():
    runs = _runs({
        ("a", "lr"): {"real_only": dict(pr_auc=[0.8] * 2, brier=[0.100] * 2),
                      "selection": dict(pr_auc=[0.8] * 2, brier=[0.102] * 2)},  # +2 %
        ("b", "lr"): {"real_only": dict(pr_auc=[0.8] * 2, brier=[0.100] * 2),
                      "selection": dict(pr_auc=[0.8] * 2, brier=[0.1005] * 2)},  # +0.5 %
        ("c", "lr"): {"real_only": dict(pr_auc=[0.8] * 2, brier=[0.100] * 2),
                      "selection": dict(pr_auc=[0.8] * 2, brier=[0.090] * 2)},  # better
    })
    table = selection_report.compare_cells(runs, "brier").set_index("dataset")
    assert table["worse"].to_dict() == dict(a=True, b=False, c=False)
    assert table.loc["a", "rel_change"] == pytest.approx(0.02)
    assert selection_report.share_worse(table) == pytest.approx(1 / 3)
    # PR-AUC is the same everywhere: no cell worse on it
    assert selection_report.share_worse(
        selection_report.compare_cells(runs, "pr_auc")) == 0.0


def test_medians_over_cells_of_the_per_cell_means():
    # per-cell means against real-only: +2 %, -1 %, +0.5 % -> median +0.5 %;
    # against SMOTE 0.9 / 0.95 / 0.7: (0.816-0.9)/0.9, (0.792-0.95)/0.95, (0.804-0.7)/0.7
    runs = _runs({
        ("a", "lr"): {"real_only": dict(pr_auc=[0.79, 0.81]), "smote": dict(pr_auc=[0.9, 0.9]),
                      "selection": dict(pr_auc=[0.806, 0.826])},
        ("b", "lr"): {"real_only": dict(pr_auc=[0.8, 0.8]), "smote": dict(pr_auc=[0.95, 0.95]),
                      "selection": dict(pr_auc=[0.792, 0.792])},
        ("c", "lr"): {"real_only": dict(pr_auc=[0.8, 0.8]), "smote": dict(pr_auc=[0.7, 0.7]),
                      "selection": dict(pr_auc=[0.804, 0.804])},
    })
    assert selection_report.median_relative_change(runs, "selection", "real_only") == \
        pytest.approx(0.005)
    expected = np.median([(0.816 - 0.9) / 0.9, (0.792 - 0.95) / 0.95, (0.804 - 0.7) / 0.7])
    assert selection_report.median_relative_change(runs, "selection", "smote") == \
        pytest.approx(expected)


def test_best_single_arm_in_hindsight_and_the_regret():
    runs = _runs({
        # smote is not an arm: the best arm is arm_balance (0.84), not smote (0.90)
        ("a", "lr"): {"real_only": dict(pr_auc=[0.80, 0.80]), "smote": dict(pr_auc=[0.9, 0.9]),
                      "arm_uncertain": dict(pr_auc=[0.81, 0.83]),
                      "arm_balance": dict(pr_auc=[0.83, 0.85]),
                      "selection": dict(pr_auc=[0.83, 0.83])},
        # no synthesis is the best arm; selection matches it
        ("b", "hgb"): {"real_only": dict(pr_auc=[0.70, 0.72]),
                       "arm_uncertain": dict(pr_auc=[0.69, 0.69]),
                       "arm_balance": dict(pr_auc=[0.60, 0.60]),
                       "selection": dict(pr_auc=[0.71, 0.71])},
    })
    hind = selection_report.best_arm_in_hindsight(runs).set_index("dataset")
    assert hind["best_arm"].to_dict() == dict(a="arm_balance", b="real_only")
    assert hind.loc["a", "best"] == pytest.approx(0.84)
    assert hind.loc["a", "regret"] == pytest.approx((0.83 - 0.84) / 0.84)
    assert hind.loc["b", "regret"] == pytest.approx(0.0)
    tg = selection_report.targets(runs).set_index("target")
    row = tg.loc[[t for t in tg.index if t.startswith("(c)")][0]]
    # median of -1.19 % and 0 is -0.60 %: within 1 %
    assert row["status"] == "PASS" and row["measured"] == "-0.60%"


def test_fit_time_ratio_against_the_target_and_failed_runs_are_left_out():
    # max_iter 3 -> limit (3 + 1) * 1.5 = 6; ratios 3, 5, 10 -> median 5: PASS
    runs = _runs({
        ("a", "lr"): {"real_only": dict(pr_auc=[0.8] * 3, fit_seconds=[1.0, 2.0, 0.5]),
                      "selection": dict(pr_auc=[0.8] * 3, fit_seconds=[3.0, 10.0, 5.0])},
    })
    ratio = selection_report.fit_time_ratio(runs)
    assert sorted(ratio) == pytest.approx([3.0, 5.0, 10.0])
    tg = selection_report.targets(runs).set_index("target")
    row = tg.loc[[t for t in tg.index if t.startswith("(d)")][0]]
    assert row["status"] == "PASS" and row["measured"] == "5.00" and "= 6" in row["goal"]
    # a failed selection run counts nowhere
    failed = runs.astype({"error": object})
    failed.loc[(failed["method"] == "selection") & (failed["seed"] == 1),
               ["error", "pr_auc", "fit_seconds"]] = ["ValueError: boom", np.nan, 0.01]
    assert sorted(selection_report.fit_time_ratio(failed)) == pytest.approx([3.0, 10.0])
    # with max_iter 1 the limit is 3: median 5 fails
    slow = _runs({("a", "lr"): {"real_only": dict(pr_auc=[0.8] * 3, fit_seconds=1.0),
                                "selection": dict(pr_auc=[0.8] * 3,
                                                  fit_seconds=[3.0, 5.0, 10.0])}},
                 max_iter=1)
    tg = selection_report.targets(slow).set_index("target")
    assert tg.loc[[t for t in tg.index if t.startswith("(d)")][0], "status"] == "FAIL"


def test_arm_pulls_are_summed_and_shared():
    runs = _runs({
        ("a", "lr"): {"selection": dict(pr_auc=[0.8, 0.8],
                                        arm_pulls=[_pulls([2, 1, 1, 0, 0]),
                                                   _pulls([2, 0, 1, 1, 0])])},
        ("b", "lr"): {"selection": dict(pr_auc=[0.8], arm_pulls=[_pulls([0, 0, 0, 4, 0])])},
    })
    total = selection_report.arm_pull_counts(runs).set_index("arm")
    assert list(total.index) == ARMS  # the declared order
    assert total["pulls"].tolist() == [4, 1, 2, 5, 0]
    assert total["share"].tolist() == pytest.approx([4 / 12, 1 / 12, 2 / 12, 5 / 12, 0])
    per = selection_report.arm_pull_counts(runs, by=["dataset"]).set_index(["dataset", "arm"])
    assert per.loc[("a", "none"), "share"] == pytest.approx(0.5)
    assert per.loc[("b", "balance"), "share"] == pytest.approx(1.0)


def test_where_it_loses_lists_cells_against_real_only_or_smote():
    runs = _runs({
        # 2.5 % below real-only, above SMOTE
        ("a", "lr"): {"real_only": dict(pr_auc=[0.80] * 2), "smote": dict(pr_auc=[0.70] * 2),
                      "selection": dict(pr_auc=[0.78] * 2)},
        # above real-only, 5 % below SMOTE
        ("b", "lr"): {"real_only": dict(pr_auc=[0.70] * 2), "smote": dict(pr_auc=[0.80] * 2),
                      "selection": dict(pr_auc=[0.76] * 2)},
        # within 1 % of both
        ("c", "lr"): {"real_only": dict(pr_auc=[0.80] * 2), "smote": dict(pr_auc=[0.80] * 2),
                      "selection": dict(pr_auc=[0.796] * 2)},
    })
    loses = selection_report.where_it_loses(runs)
    assert list(zip(loses["dataset"], loses["against"])) == [("a", "real_only"),
                                                             ("b", "smote")]
    assert loses["rel_change"].tolist() == pytest.approx([-0.025, -0.05])


def test_report_writes_markdown_and_pull_plots(tmp_path):
    pytest.importorskip("matplotlib")
    runs = _runs({
        ("a", "lr"): {"real_only": dict(pr_auc=[0.80] * 2), "smote": dict(pr_auc=[0.79] * 2),
                      "arm_balance": dict(pr_auc=[0.81] * 2),
                      "selection": dict(pr_auc=[0.81] * 2, fit_seconds=2.0,
                                        arm_pulls=[_pulls([1, 1, 0, 2, 0])] * 2)},
        ("b", "xgb"): {"real_only": dict(pr_auc=[0.60] * 2), "smote": dict(pr_auc=[0.65] * 2),
                       "arm_balance": dict(pr_auc=[0.55] * 2),
                       "selection": dict(pr_auc=[0.50] * 2, fit_seconds=2.0,
                                         arm_pulls=[_pulls([0, 2, 2, 0, 0])] * 2)},
    })
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runs.to_csv(run_dir / "runs.csv", index=False)
    out, images = tmp_path / "docs" / "SELECTION.md", tmp_path / "docs" / "selection"
    assert selection_report.main([str(run_dir), "--out", str(out),
                                  "--images", str(images)]) == 0
    md = out.read_text()
    for name in ("a", "b"):
        png = images / f"pulls_{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"](selection/pulls_{name}.png)" in md
    assert "python -m sklearn_activesynth.benchmark --datasets a b" in md
    assert "--max-iter 3" in md and "--methods real_only smote selection arm_balance" in md
    # cell b is worse than real-only and SMOTE: (a) fails with 1 of 2 cells
    assert "| (a) cells where selection is worse than real_only on PR-AUC (1 of 2) | 50.0%" \
        in md and "| FAIL |" in md
    assert "## Where it loses" in md and "| b | 10% | xgb | real_only |" in md
    assert "| b | 10% | xgb | smote |" in md
    assert "- `selection`: the loop with selector=UCBSelector()" in md
    assert "## PR-AUC (higher is better), mean over seeds per cell" in md
    assert "## Brier score (lower is better), mean over seeds per cell" in md


def test_benchmark_cli_runs_the_selection_methods(tmp_path):
    """End to end: the benchmark's selection methods on breast_cancer, then the
    report on its runs.csv."""
    pytest.importorskip("matplotlib")
    from sklearn_activesynth.benchmark.__main__ import main as cli_main

    out = tmp_path / "run"
    assert cli_main(["--datasets", "breast_cancer", "--methods", "real_only", "selection",
                     "arm_balance", "--estimators", "lr", "--fractions", "0.3", "--seeds",
                     "1", "--max-iter", "2", "--out", str(out), "--no-plots",
                     "--no-report", "--no-progress"]) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert "arm_pulls" in runs and "brier" in runs
    assert sorted(runs["method"]) == ["arm_balance", "real_only", "selection"]
    assert runs["error"].isna().all(), runs["error"].dropna().tolist()
    assert np.isfinite(runs["pr_auc"]).all() and np.isfinite(runs["brier"]).all()
    assert ((runs["brier"] >= 0) & (runs["brier"] <= 1)).all()
    by = runs.set_index("method")
    pulls = json.loads(by.loc["selection", "arm_pulls"])
    assert list(pulls) == ARMS and sum(pulls.values()) >= 1
    assert by.loc["selection", "validation_fraction"] == 0.2  # guard on by default
    assert pd.isna(by.loc["arm_balance", "arm_pulls"])
    assert pd.isna(by.loc["arm_balance", "validation_fraction"])  # guard off
    # one arm, guard off: every round kept, the whole budget used
    assert by.loc["arm_balance", "rounds_accepted"] == 2
    assert by.loc["arm_balance", "synthetic_rows"] == by.loc["arm_balance",
                                                             "synthetic_requested"] > 0
    files = selection_report.write_report(out)
    assert (out / "SELECTION.md").exists() and files[1].name == "pulls_breast_cancer.png"
