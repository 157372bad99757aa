"""The benchmark's reliability diagram: bins pooled over seeds, drawn by scikit-learn's
CalibrationDisplay."""

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibrationDisplay, calibration_curve

from sklearn_activesynth.metrics import reliability_curve

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sklearn_activesynth.benchmark._plots import (  # noqa: E402
    _reliability_panel,
    plot_reliability,
)


def _table(scores):
    """reliability.csv rows: ``scores`` maps (method, seed) -> (y, p)."""
    rows = []
    for (method, seed), (y, p) in scores.items():
        pred, obs, n = reliability_curve(y, p, n_bins=10)
        for b in range(10):
            rows.append(dict(dataset="d", estimator="lr", fraction=0.3, seed=seed,
                             method=method, generator="none", budget=0.0, bin=b,
                             count=n[b], mean_predicted=pred[b], observed=obs[b]))
    return pd.DataFrame(rows)


def _scores(seed, n=300, bias=0.0):
    rng = np.random.RandomState(seed)
    p = rng.uniform(size=n)
    y = (rng.uniform(size=n) < np.clip(p + bias, 0, 1)).astype(int)
    return y, p


def test_pooled_curve_is_calibration_curve_of_all_seeds_predictions():
    runs = {("real_only", 0): _scores(0), ("real_only", 1): _scores(1, n=120),
            ("active", 0): _scores(2, bias=0.2), ("active", 1): _scores(3, bias=0.2)}
    df = _table(runs).assign(label=lambda d: d["method"])
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    displays = _reliability_panel(ax, df)
    assert [type(d) for d in displays] == [CalibrationDisplay] * 2
    for disp, method in zip(displays, ["active", "real_only"]):
        y = np.concatenate([runs[(method, s)][0] for s in (0, 1)])
        p = np.concatenate([runs[(method, s)][1] for s in (0, 1)])
        prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
        np.testing.assert_allclose(disp.line_.get_xdata(), prob_pred, rtol=1e-12)
        np.testing.assert_allclose(disp.line_.get_ydata(), prob_true, rtol=1e-12)
        assert disp.line_.get_label() == method
    labels = ax.get_legend_handles_labels()[1]
    assert labels.count("Perfectly calibrated") == 1  # scikit-learn's diagonal, once
    assert ax.get_legend() is None  # the figure has one shared legend instead
    assert ax.get_ylabel() == "observed frequency"


def test_plot_reliability_writes_a_png(tmp_path):
    df = _table({("real_only", 0): _scores(0), ("active", 0): _scores(1)})
    path = plot_reliability(df, tmp_path / "rel.png")
    assert path.stat().st_size > 1000
