"""synthetic_quality_report: distances that move the right way, with numpy/scipy/sklearn only."""

import numpy as np
import pandas as pd
import pytest

from sklearn_activesynth.metrics import synthetic_quality_report
from sklearn_activesynth.utils.estimator_checks import make_check_frame


def _value(report, metric, column="(all)"):
    row = report[(report["metric"] == metric) & (report["column"] == column)]
    assert len(row) == 1, (metric, column)
    return float(row["value"].iloc[0])


@pytest.fixture(scope="module")
def frames():
    real, y_real = make_check_frame(n_samples=400, random_state=0)
    same, y_same = make_check_frame(n_samples=400, random_state=1)
    return real, y_real, same, y_same


def test_a_sample_of_the_same_distribution_scores_close_to_ideal(frames):
    real, y_real, same, y_same = frames
    report = synthetic_quality_report(real, same, y_real=y_real, y_syn=y_same)
    assert list(report.columns) == ["metric", "column", "value", "ideal"]
    per_col = report[report["metric"].isin(["ks", "tv"])]
    assert set(per_col["column"]) == {"amount", "count", "kind", "city", "label"}
    assert set(report.loc[report["metric"] == "ks", "column"]) == {"amount", "count"}
    assert set(report.loc[report["metric"] == "tv", "column"]) == {"kind", "city", "label"}
    assert (per_col["value"] < 0.15).all()
    assert _value(report, "discriminator_auc") < 0.65
    assert _value(report, "corr_diff") < 0.15
    assert _value(report, "dcr_share_below_real_q05") < 0.2
    assert _value(report, "mmd") < 0.02


def test_distances_grow_with_a_shift_and_copies_are_seen(frames):
    real, y_real, same, _ = frames
    shifted = same.copy()
    shifted["amount"] = shifted["amount"] * 1.8
    shifted["city"] = "Lyon"
    base = synthetic_quality_report(real, same)
    moved = synthetic_quality_report(real, shifted)
    assert _value(moved, "ks", "amount") > _value(base, "ks", "amount") + 0.3
    assert _value(moved, "tv", "city") > 0.4
    assert _value(moved, "ks", "count") == pytest.approx(_value(base, "ks", "count"))
    assert _value(moved, "discriminator_auc") > 0.9
    assert _value(moved, "mmd") > 5 * max(_value(base, "mmd"), 1e-3)
    copies = synthetic_quality_report(real, real.iloc[:150])
    assert _value(copies, "dcr_share_below_real_q05") == 1.0
    assert _value(copies, "dcr_median") == 0.0
    assert _value(base, "dcr_median") > 0


def test_correlation_difference_sees_a_broken_dependence():
    rng = np.random.RandomState(0)
    a = rng.normal(size=500)
    real = np.c_[a, a + 0.3 * rng.normal(size=500), rng.normal(size=500)]
    independent = rng.normal(size=(500, 3))
    report = synthetic_quality_report(real, independent)
    assert _value(report, "corr_diff") > 0.25
    assert _value(report, "corr_diff", "x0") > _value(report, "corr_diff", "x2")
    assert set(report["column"]) >= {"x0", "x1", "x2", "(all)"}


def test_summary_and_inputs(frames):
    real, y_real, same, y_same = frames
    report = synthetic_quality_report(real, same)
    summary = report.attrs["summary"]
    assert summary.startswith("Synthetic quality (400 real rows, 400 synthetic)")
    assert "ROC-AUC" in summary and "closest real record" in summary
    # arrays work, sparse too; a synthetic array against a real frame takes its names
    arr = synthetic_quality_report(real[["amount", "count"]].to_numpy(),
                                   same[["amount", "count"]].to_numpy())
    assert set(arr.loc[arr["metric"] == "ks", "column"]) == {"x0", "x1"}
    with pytest.raises(ValueError, match="same columns"):
        synthetic_quality_report(real, same[["count", "amount", "kind", "city"]])
    with pytest.raises(ValueError, match="both y_real and y_syn"):
        synthetic_quality_report(real, same, y_real=y_real)
    with pytest.raises(ValueError, match="columns"):
        synthetic_quality_report(real, same.iloc[:, :2])


def test_reproducible_for_a_fixed_random_state(frames):
    real, _, same, _ = frames
    a = synthetic_quality_report(real, same, random_state=3, max_rows=200)
    b = synthetic_quality_report(real, same, random_state=3, max_rows=200)
    pd.testing.assert_frame_equal(a, b)


def test_tv_counts_missing_categories_alike_under_pandas_2_and_3():
    real = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0], "k": ["a", "a", None, np.nan, "b"]})
    syn = pd.DataFrame({"x": [0.5, 1.5, 2.5, 3.5, 4.5], "k": ["a", "b", "b", "b", "b"]})
    rep = synthetic_quality_report(real, syn, random_state=0)
    tv = rep.loc[(rep["metric"] == "tv") & (rep["column"] == "k"), "value"].item()
    assert tv == pytest.approx(0.6)
