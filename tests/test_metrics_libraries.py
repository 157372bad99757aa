"""Metrics computed by a library: the MMD's kernel (scikit-learn's rbf_kernel) and
SDMetrics' quality report next to the dependency-free synthetic_quality_report."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics.pairwise import euclidean_distances, rbf_kernel

from sklearn_activesynth.metrics import (
    _generate_sdmetrics_report,
    _rbf_mmd2,
    sdmetrics_quality_report,
    synthetic_quality_report,
)


def _mmd2_by_hand(A, B):
    """The unbiased MMD^2 written out: every pair, median-heuristic bandwidth."""
    Z = np.vstack([A, B])
    D = euclidean_distances(Z, squared=True)
    d = D[np.triu_indices_from(D, 1)]
    gamma = 1.0 / np.median(d[d > 0])
    K = rbf_kernel(Z, gamma=gamma)
    n, m = len(A), len(B)
    Kaa, Kbb, Kab = K[:n, :n], K[n:, n:], K[:n, n:]
    return ((Kaa.sum() - n) / (n * (n - 1)) + (Kbb.sum() - m) / (m * (m - 1))
            - 2 * Kab.mean())


@pytest.mark.parametrize("shift", [0.0, 0.5])
def test_mmd_is_the_unbiased_estimate_with_sklearns_rbf_kernel(shift):
    rng = np.random.RandomState(0)
    A, B = rng.normal(size=(120, 4)), rng.normal(size=(90, 4)) + shift
    got = _rbf_mmd2(A, B, np.random.RandomState(0), max_rows=1000)
    assert got == pytest.approx(_mmd2_by_hand(A, B), rel=1e-9, abs=1e-12)


def test_mmd_ignores_exact_duplicates_in_the_bandwidth():
    # a duplicated row is at distance exactly 0 (pdist computes differences,
    # not |a|^2 + |b|^2 - 2ab), so it never enters the median
    rng = np.random.RandomState(1)
    A = rng.normal(size=(50, 3))
    A[:10] = A[10:20]
    B = rng.normal(size=(40, 3))
    assert _rbf_mmd2(A, B, np.random.RandomState(0), 1000) == \
        pytest.approx(_mmd2_by_hand(A, B), rel=1e-9)


# --- SDMetrics (the sdmetrics extra) ----------------------------------------------------

def test_without_sdmetrics_the_error_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sdmetrics", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "sdmetrics.reports", None)
    with pytest.raises(ImportError, match=r"sklearn-activesynth\[sdmetrics\]"):
        sdmetrics_quality_report(np.zeros((3, 1)), np.ones((3, 1)))


@pytest.fixture(scope="module")
def frames():
    pytest.importorskip("sdmetrics")
    rng = np.random.RandomState(0)
    a = rng.normal(size=300)
    real = pd.DataFrame({"a": a, "b": a + 0.5 * rng.normal(size=300),
                         "c": rng.normal(size=300),
                         "k": rng.choice(["x", "y", "z"], 300),
                         "flag": rng.uniform(size=300) < 0.3})
    a2 = rng.normal(size=200) + 0.2
    syn = pd.DataFrame({"a": a2, "b": -0.3 * a2 + rng.normal(size=200),
                        "c": rng.normal(size=200) * 1.5,
                        "k": rng.choice(["x", "y", "w"], 200),
                        "flag": rng.uniform(size=200) < 0.5})
    return real, syn


def _details(report, prop):
    d = report.get_details(prop)
    return d.drop(columns=[c for c in ("Table",) if c in d])


def _check_agrees_with_ours(report, real, syn):
    ours = synthetic_quality_report(real, syn, random_state=0).set_index(["metric", "column"])
    shapes = _details(report, "Column Shapes").set_index("Column")
    assert set(shapes.index) == set(real.columns)
    for c in ("a", "b", "c"):
        assert shapes.loc[c, "Metric"] == "KSComplement"
        assert shapes.loc[c, "Score"] == pytest.approx(1 - ours.loc[("ks", c), "value"], abs=1e-9)
    for c in ("k", "flag"):
        assert shapes.loc[c, "Metric"] == "TVComplement"
        # SDMetrics adds 1e-6 to the real count of a value only the synthetic rows have
        assert shapes.loc[c, "Score"] == pytest.approx(1 - ours.loc[("tv", c), "value"], abs=1e-6)
    pairs = _details(report, "Column Pair Trends")
    corr = pairs[pairs["Metric"] == "CorrelationSimilarity"].set_index(["Column 1", "Column 2"])
    r_real, r_syn = np.corrcoef(real[["a", "b", "c"]].T), np.corrcoef(syn[["a", "b", "c"]].T)
    for (i, j) in ((0, 1), (0, 2), (1, 2)):
        row = corr.loc[("abc"[i], "abc"[j])]
        assert row["Real Correlation"] == pytest.approx(r_real[i, j])
        if not np.isnan(row["Synthetic Correlation"]):  # left out below the threshold
            assert row["Synthetic Correlation"] == pytest.approx(r_syn[i, j])
    # only pairs whose real correlation reaches SDMetrics' threshold are scored
    scored = corr.dropna(subset=["Score"])
    assert ("a", "b") in scored.index
    assert scored.loc[("a", "b"), "Score"] == pytest.approx(
        1 - abs(r_real[0, 1] - r_syn[0, 1]) / 2)
    assert 0 <= report.get_score() <= 1


def test_sdmetrics_report_agrees_with_ours_where_they_measure_the_same(frames):
    real, syn = frames
    report = sdmetrics_quality_report(real, syn)
    _check_agrees_with_ours(report, real, syn)
    # the metadata follows TabularSchema: bool -> boolean, object -> categorical
    info = report.get_info()
    assert info["num_rows_real_data"] in (300, {"data": 300})


def test_sdmetrics_single_table_report_of_older_versions(frames):
    # versions without the unified report get the single-table one; sdmetrics
    # 0.32 still has it (deprecated), so the fallback runs here too
    real, syn = frames
    columns = {"a": {"sdtype": "numerical"}, "b": {"sdtype": "numerical"},
               "c": {"sdtype": "numerical"}, "k": {"sdtype": "categorical"},
               "flag": {"sdtype": "boolean"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        report = _generate_sdmetrics_report(real, syn, columns, False, unified=False)
    _check_agrees_with_ours(report, real, syn)


def test_sdmetrics_report_on_arrays_with_labels():
    pytest.importorskip("sdmetrics")
    rng = np.random.RandomState(0)
    X_real, X_syn = rng.normal(size=(100, 2)), rng.normal(size=(80, 2))
    report = sdmetrics_quality_report(X_real, X_syn, y_real=rng.randint(2, size=100),
                                      y_syn=rng.randint(2, size=80))
    shapes = _details(report, "Column Shapes").set_index("Column")
    assert shapes["Metric"].to_dict() == {"x0": "KSComplement", "x1": "KSComplement",
                                          "label": "TVComplement"}
    with pytest.raises(ValueError, match="both y_real and y_syn"):
        sdmetrics_quality_report(X_real, X_syn, y_real=np.zeros(100))


def test_sdmetrics_report_leaves_the_input_alone(frames):
    real, syn = frames
    before = real.copy()
    sdmetrics_quality_report(real, syn)
    pd.testing.assert_frame_equal(real, before)
