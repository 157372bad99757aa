"""Issue 15's targets as benchmarks/active_report.py computes them, on hand-made
learning curves whose right answers are worked out here."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
active_report = pytest.importorskip("active_report")

HAS_MPL = importlib.util.find_spec("matplotlib") is not None


def _curves(runs, *, n_seed=10, batch=10):
    """``runs``: ``{(dataset, estimator, seed): {method: [score per round]}}``."""
    rows = []
    for (dataset, est, seed), methods in runs.items():
        for method, scores in methods.items():
            synth = method.endswith("_synth")
            for r, s in enumerate(scores):
                rows.append(dict(
                    dataset=dataset, estimator=est, seed=seed, method=method,
                    strategy=method[:-len("_synth")] if synth else method, synthesis=synth,
                    round=r, n_labels=n_seed + batch * r, n_acquired=batch if r else 0,
                    n_seed=n_seed, batch=batch, n_pool=100, n_test=43, n_classes=2,
                    metric="pr_auc", score=s, pr_auc=s, balanced_accuracy=s, brier=1 - s,
                    n_synthetic_kept=3 if synth and r % 2 else 0, fit_seconds=0.1,
                    error=""))
    return pd.DataFrame(rows)


# With a seed set of 5 and batches of 10, rounds 0..5 use 5, 15, ..., 55 labels.
RANDOM = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]      # final score 0.6, reached at 45 of 55 labels
GOOD = [0.2, 0.5, 0.65, 0.7, 0.7, 0.7]       # reaches 0.6 at 25 labels: 0.45 of the budget
FAST = [0.2, 0.62, 0.7, 0.7, 0.7, 0.7]       # at 15 labels: 0.27
SLOW = [0.2, 0.2, 0.2, 0.2, 0.3, 0.5]        # never


def _runs(n_seeds, default_curve, margin_curve, margin_synth_reach=True, n_seed=5):
    runs = {}
    for s in range(n_seeds):
        runs[("d", "lr", s)] = {
            "random": RANDOM, "random_synth": RANDOM,
            "margin": margin_curve, "margin_synth": default_curve if margin_synth_reach
            else SLOW,
        }
    return _curves(runs, n_seed=n_seed)


def test_wilcoxon_and_win_counts():
    curves = _curves({("d", "lr", s): {"random": RANDOM,
                                       "margin": [v + 0.01 * (s + 1) for v in RANDOM]}
                      for s in range(6)})
    metrics = active_report.run_metrics(curves)
    w = active_report.wilcoxon_aulc(metrics, "margin", "random")
    assert (w["n"], w["wins"], w["losses"], w["ties"]) == (6, 6, 0, 0)
    assert w["median_diff"] == pytest.approx(0.035)
    # six positive differences, no ties: the exact two-sided p is 2 / 2**6
    assert w["p"] == pytest.approx(2 / 64)
    same = active_report.wilcoxon_aulc(metrics, "random", "random")
    assert same["ties"] == 6 and np.isnan(same["p"])


def test_targets_pass_when_the_default_is_fast_and_beats_both():
    curves = _runs(5, FAST, GOOD)
    results = active_report.targets(active_report.run_metrics(curves))
    assert [ok for _, _, ok in results] == [True, True, True, True, True]
    what, measured, _ = results[0]
    assert "margin_synth" in what and measured == "0.27 (5 of 5 runs reach it)"


def test_targets_fail_when_the_default_is_slow_and_loses_reach():
    curves = _runs(5, FAST, GOOD, margin_synth_reach=False)
    res = active_report.targets(active_report.run_metrics(curves))
    # never reached in any run: the median is inf, not a share
    assert res[0][1:] == ("not reached (0 of 5 runs reach it)", False)
    assert [ok for _, _, ok in res] == [False, False, False, True, False]
    assert res[4][1] == "0 with, 5 without (of 5)"


def test_the_thresholds_of_the_targets():
    # 4 of 5 runs above random: exactly 80 %, which passes; FAST reaches random's
    # final score at 18 of 58 labels (seed set 8): 0.31, above 0.3, which fails
    runs = {("d", "lr", s): {"random": RANDOM, "margin": GOOD,
                             "margin_synth": FAST if s < 4 else [0.1] * 5 + [0.6]}
            for s in range(5)}
    curves = _curves(runs, n_seed=8, batch=10)
    res = active_report.targets(active_report.run_metrics(curves))
    assert res[1][2] and res[1][1].startswith("80% (4 wins, 1 losses")
    assert res[0][1] == f"{18 / 58:.2f} (5 of 5 runs reach it)" and not res[0][2]


def test_synthesis_table_and_where_it_loses():
    runs = {("d", "lr", 0): {"random": RANDOM, "random_synth": RANDOM,
                             "margin": GOOD, "margin_synth": FAST},
            ("d", "lr", 1): {"random": RANDOM, "random_synth": [v - 0.15 for v in RANDOM],
                             "margin": GOOD, "margin_synth": [v - 0.3 for v in GOOD]},
            ("e", "hgb", 0): {"random": RANDOM, "random_synth": RANDOM,
                              "margin": GOOD, "margin_synth": GOOD}}
    curves = _curves(runs)
    metrics = active_report.run_metrics(curves)
    syn = active_report.synthesis_table(metrics, curves)
    assert syn.loc["random", ["reached_without", "reached_with"]].tolist() == [3, 2]
    assert syn.loc["margin", ["reached_without", "reached_with"]].tolist() == [3, 2]
    assert syn.loc["random", ["aulc_wins", "aulc_losses", "aulc_ties"]].tolist() == [0, 1, 2]
    assert syn.loc["margin", ["aulc_wins", "aulc_losses", "aulc_ties"]].tolist() == [1, 1, 1]
    # rounds 1, 3, 5 of each synthesis curve kept rows (see _curves)
    assert syn.loc["margin", "fits_keeping_rows"] == pytest.approx(0.6)
    loses = active_report.where_it_loses(metrics).set_index(["dataset", "estimator"])
    assert loses.loc[("d", "lr"), "losses_vs_margin"] == 1
    assert loses.loc[("d", "lr"), "losses_vs_random"] == 1
    assert loses.loc[("e", "hgb"), "losses_vs_margin"] == 0
    assert loses.loc[("d", "lr"), "worst_diff_vs_margin"] == pytest.approx(-0.3)


def test_command_brier_and_order():
    curves = _runs(2, FAST, GOOD)
    cmd = active_report.command_from_curves(curves)
    assert cmd == ("python -m sklearn_activesynth.benchmark --mode active --datasets d "
                   "--estimators lr --seeds 2 --strategies margin --rounds 5 "
                   "--max-rows 143")
    assert "--synthesis on" in active_report.command_from_curves(
        curves[curves["synthesis"]])
    assert active_report.method_order(["margin_synth", "hybrid", "random", "margin"]) == [
        "random", "margin", "margin_synth", "hybrid"]
    b = active_report.brier_table(curves)
    assert b.loc["margin", "round_0"] == pytest.approx(0.8)
    assert b.loc["margin", "last_round"] == pytest.approx(1 - GOOD[-1])
    assert b.loc["margin", "all_rounds"] == pytest.approx(1 - np.mean(GOOD))


@pytest.mark.skipif(not HAS_MPL, reason="needs matplotlib")
def test_write_report(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    run = tmp_path / "run"
    run.mkdir()
    curves = _runs(3, FAST, GOOD)
    curves.to_csv(run / "curves.csv", index=False)
    out = tmp_path / "docs" / "ACTIVE.md"
    out.parent.mkdir()
    text = active_report.write_report(run, out, tmp_path / "docs" / "active")
    assert out.read_text() == text
    for section in ("## Targets", "## All methods", "## With and without synthesis",
                    "## Where it does not help", "## Learning curves"):
        assert section in text
    assert "![curves_d](active/curves_d.png)" in text
    assert (tmp_path / "docs" / "active" / "curves_d.png").stat().st_size > 0
    compact = pd.read_csv(tmp_path / "docs" / "active" / "curves.csv")
    assert len(compact) == len(curves) and "score" in compact and "pr_auc" not in compact
    assert "PASS" in text and "| `margin_synth` | 3 | 0.27 | 3 (100%) |" in text


def test_summary_calls_a_difference_only_below_alpha():
    # margin_synth above margin in every run: with 6 runs the exact two-sided
    # Wilcoxon p is 2 / 2**6 = 0.031 (< 0.05), with 5 runs 2 / 2**5 = 0.0625
    for n, verdict in [(6, "a difference"), (5, "no measurable difference")]:
        lines = active_report.summary_lines(active_report.run_metrics(_runs(n, FAST, GOOD)))
        margin = next(line for line in lines if "plain margin sampling" in line)
        assert f"wins {n} runs and loses 0" in margin
        assert margin.split(": ")[-1].startswith(verdict)
    lines = active_report.summary_lines(active_report.run_metrics(_runs(5, FAST, GOOD)))
    assert lines[0].startswith("- **`margin_synth`**") and "median 0.27 of the budget" \
        in lines[0] and "(random itself: 0.82)" in lines[0]
