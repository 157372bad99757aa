"""The decision rule of benchmarks/TARGETING.md (benchmarks/targeting_report.py)."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
targeting_report = pytest.importorskip("targeting_report")


def _runs(target_shift, control_shift=0.05, n_cells=4, n_seeds=8, metric="pr_auc",
          noise=0.002, seed=0):
    """Runs of one regime: real-only around 0.5, the control ``control_shift``
    above it, the target ``target_shift`` above the control, per seed."""
    rng = np.random.RandomState(seed)
    rows = []
    for cell in range(n_cells):
        for s in range(n_seeds):
            base = dict(regime="r", dataset=f"d{cell}", estimator="lr", n_train=100, seed=s,
                        error=np.nan)
            real = 0.5 + rng.normal(scale=0.01)
            rows.append(dict(base, budget=0.0, variant="real_only", side="real",
                             **{metric: real}))
            rows.append(dict(base, budget=0.3, variant="smote", side="smote",
                             **{metric: real}))
            ctrl = real + control_shift + rng.normal(scale=noise)
            rows.append(dict(base, budget=0.3, variant="v", side="control", **{metric: ctrl}))
            rows.append(dict(base, budget=0.3, variant="v", side="target",
                             **{metric: ctrl + target_shift + rng.normal(scale=noise)}))
    return pd.DataFrame(rows)


def test_a_consistent_gain_over_the_control_wins():
    table = targeting_report.paired(_runs(0.02), "pr_auc")
    assert len(table) == 4 and (table["p"] < 0.1).all() and (table["diff"] > 0).all()
    v = targeting_report.verdicts(table, "pr_auc")
    assert v.loc[0, "verdict"] == "WINS" and v.loc[0, "significant_wins"] == 4


def test_no_difference_does_not_win_and_a_loss_is_worse():
    runs = _runs(0.0)
    # the target adds exactly what the control adds
    runs.loc[runs.side == "target", "pr_auc"] = runs.loc[runs.side == "control",
                                                          "pr_auc"].to_numpy()
    v = targeting_report.verdicts(targeting_report.paired(runs, "pr_auc"), "pr_auc")
    assert v.loc[0, "verdict"] == "no" and v.loc[0, "cells_changed"] == 4
    v = targeting_report.verdicts(targeting_report.paired(_runs(-0.02), "pr_auc"), "pr_auc")
    assert v.loc[0, "verdict"] == "worse" and v.loc[0, "significant_losses"] == 4


def test_lower_is_better_metrics_are_signed():
    # a lower Brier score for the target is a gain
    table = targeting_report.paired(_runs(-0.02, metric="brier"), "brier")
    assert (table["diff"] > 0).all()
    assert targeting_report.verdicts(table, "brier").loc[0, "verdict"] == "WINS"


def test_cells_where_synthesis_changes_nothing_do_not_count():
    # neither side moves the score against real-only: no cell is counted
    table = targeting_report.paired(_runs(0.0, control_shift=0.0, noise=1e-4), "pr_auc")
    assert not table["changes"].any()
    v = targeting_report.verdicts(table, "pr_auc")
    assert v.loc[0, "cells_changed"] == 0 and v.loc[0, "verdict"] == "no"
