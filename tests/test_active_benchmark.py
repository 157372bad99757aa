"""The active-learning mode of the benchmark (issue 15, points 6 and 7): the
metrics on hand-made learning curves whose answers are worked out here, the
learning-curve display read back from the drawn artists, and one tiny
simulation end to end on scikit-learn's breast-cancer data."""

import importlib.util

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from sklearn_activesynth.benchmark import (
    ACTIVE_COLUMNS,
    active_methods,
    area_under_curve,
    final_score,
    labels_to_target,
    method_summary,
    run_active_benchmark,
    run_metrics,
    seed_set,
)
from sklearn_activesynth.benchmark.__main__ import main as cli_main

HAS_MPL = importlib.util.find_spec("matplotlib") is not None
needs_mpl = pytest.mark.skipif(not HAS_MPL, reason="needs matplotlib (the plot extra)")


def _curves(runs):
    """``runs``: ``{(dataset, estimator, seed): {method: [score per round]}}``;
    ``n_labels`` is 10, 20, 30, ... (the seed set is 10, batches of 10)."""
    rows = []
    for (dataset, est, seed), methods in runs.items():
        for method, scores in methods.items():
            for r, s in enumerate(scores):
                rows.append(dict(dataset=dataset, estimator=est, seed=seed, method=method,
                                 round=r, n_labels=10 * (r + 1), score=s, error=""))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ metrics
def test_area_under_curve_is_the_mean_score_over_rounds():
    assert area_under_curve([0.25, 0.5, 0.75, 1.0]) == pytest.approx(0.625)
    # a round that could not be scored is left out, not counted as 0
    assert area_under_curve([0.25, np.nan, 0.75]) == pytest.approx(0.5)
    assert np.isnan(area_under_curve([np.nan]))


def test_final_score_is_the_mean_of_the_last_three_rounds():
    assert final_score([0.9, 0.1, 0.2, 0.3, 0.4]) == pytest.approx(0.3)
    assert final_score([0.1, 0.2, 0.3, 0.4], last=2) == pytest.approx(0.35)


def test_labels_to_target_is_the_first_crossing_over_the_budget():
    labels = [10, 20, 30, 40, 50]
    # first reaches 0.6 at 30 labels (not at 50, the later crossing after a dip)
    assert labels_to_target(labels, [0.2, 0.5, 0.6, 0.55, 0.7], 0.6, 50) == pytest.approx(0.6)
    # the budget is the reference's, not the curve's own last count
    assert labels_to_target(labels, [0.2, 0.7, 0.6, 0.5, 0.5], 0.6, 100) == pytest.approx(0.2)
    # reached on the seed set alone
    assert labels_to_target(labels, [0.9] * 5, 0.6, 50) == pytest.approx(0.2)
    assert labels_to_target(labels, [0.2, 0.3, 0.4, 0.5, 0.59], 0.6, 50) == np.inf
    assert np.isnan(labels_to_target(labels, [0.5] * 5, np.nan, 50))


def test_run_metrics_on_hand_made_curves():
    random = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]            # final: mean(0.5, 0.6, 0.7) = 0.6
    curves = _curves({
        ("d", "lr", 0): {
            "random": random,
            "margin": [0.2, 0.5, 0.65, 0.7, 0.7, 0.7],  # reaches 0.6 at 30 of 60 labels
            "hybrid": [0.2, 0.3, 0.3, 0.3, 0.3, 0.3],   # never
        },
        ("d", "lr", 1): {
            "random": [0.1, 0.1, 0.1, 0.1, 0.1, 0.4],   # final 0.2: reached by its own 0.4
            "margin": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        },
    })
    m = run_metrics(curves).set_index(["seed", "method"])
    assert m.loc[(0, "random"), "target"] == pytest.approx(0.6)
    assert m.loc[(0, "random"), "budget"] == 60
    # random reaches its own final score (the mean of its last three is at most their max)
    assert m.loc[(0, "random"), "labels_to_target"] == pytest.approx(50 / 60)
    assert m.loc[(0, "margin"), "labels_to_target"] == pytest.approx(30 / 60)
    assert m.loc[(0, "margin"), "aulc"] == pytest.approx(np.mean([0.2, 0.5, 0.65, 0.7, 0.7, 0.7]))
    assert m.loc[(0, "hybrid"), "labels_to_target"] == np.inf
    assert not m.loc[(0, "hybrid"), "reached"]
    assert m.loc[(1, "random"), "target"] == pytest.approx(0.2)
    assert m.loc[(1, "random"), "labels_to_target"] == pytest.approx(1.0)
    assert not m.loc[(1, "margin"), "reached"]
    assert m["complete"].all()

    s = method_summary(run_metrics(curves))
    assert s.loc["margin", "runs"] == 2
    assert s.loc["margin", "reached"] == 1
    # the median of 0.5 and inf (a run that never reaches counts as inf)
    assert s.loc["margin", "median_labels_to_target"] == np.inf
    assert (s.loc["margin", "aulc_wins"], s.loc["margin", "aulc_losses"]) == (1, 1)
    assert s.loc["margin", "aulc_win_share"] == pytest.approx(0.5)
    assert (s.loc["hybrid", "aulc_wins"], s.loc["hybrid", "aulc_losses"]) == (0, 1)
    assert (s.loc["random", "aulc_wins"], s.loc["random", "aulc_losses"]) == (0, 0)
    # against margin instead of random
    s = method_summary(run_metrics(curves), reference="margin")
    assert (s.loc["random", "aulc_wins"], s.loc["random", "aulc_losses"]) == (1, 1)


def test_a_failed_or_short_curve_is_incomplete_not_a_loss():
    curves = _curves({("d", "lr", 0): {"random": [0.2, 0.4, 0.6, 0.8],
                                       "margin": [0.3, 0.5, 0.7, 0.9],
                                       "hybrid": [0.3, 0.5]}})
    curves.loc[(curves["method"] == "margin") & (curves["round"] == 3), "error"] = "boom"
    m = run_metrics(curves).set_index("method")
    assert m.loc["random", "complete"]
    assert not m.loc["margin", "complete"] and not m.loc["hybrid", "complete"]
    assert np.isnan(m.loc["margin", "aulc"]) and np.isnan(m.loc["hybrid", "labels_to_target"])
    s = method_summary(run_metrics(curves))
    assert set(s.index) == {"random"}
    # without the reference, no target
    m = run_metrics(curves[curves["method"] != "random"])
    assert m["target"].isna().all() and not m["complete"].any()


def test_seed_set_is_stratified_with_a_floor_per_class():
    y = np.array([0] * 900 + [1] * 90 + [2] * 10)
    pos = seed_set(y, 0.02, random_state=0)
    assert np.bincount(y[pos]).tolist() == [18, 3, 3]
    assert len(np.unique(pos)) == len(pos)
    # a class with fewer rows than the floor gives all it has
    assert np.bincount(np.array([0] * 50 + [1] * 2)[seed_set(
        np.array([0] * 50 + [1] * 2), 0.1, random_state=0)]).tolist() == [5, 2]
    assert not np.array_equal(pos, seed_set(y, 0.02, random_state=1))


def test_active_methods_names():
    assert active_methods(["random", "hybrid"], (False, True)) == [
        ("random", "random", False), ("random_synth", "random", True),
        ("hybrid", "hybrid", False), ("hybrid_synth", "hybrid", True)]
    assert [m for m, _, _ in active_methods(["margin"], (True,))] == ["margin_synth"]


# ------------------------------------------------------------------ display
@pytest.fixture
def _agg():
    if not HAS_MPL:
        pytest.skip("needs matplotlib (the plot extra)")
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    yield
    plt.close("all")


@needs_mpl
def test_display_draws_one_line_per_strategy_with_the_mean_over_runs(_agg):
    from sklearn_activesynth.plotting import AcquisitionCurveDisplay

    curves = _curves({
        ("d", "lr", 0): {"random": [0.2, 0.4, 0.6], "margin": [0.3, 0.6, 0.9],
                         "margin_synth": [0.3, 0.5, 0.8]},
        ("d", "lr", 1): {"random": [0.4, 0.6, 0.8], "margin": [0.5, 0.8, 0.9],
                         "margin_synth": [0.5, 0.7, 0.6]},
    })
    disp = AcquisitionCurveDisplay.from_results(curves, score_name="test PR-AUC")
    assert list(disp.lines_) == ["random", "margin", "margin_synth"]
    assert len(disp.ax_.get_lines()) == 3
    np.testing.assert_allclose(disp.lines_["random"].get_xdata(), [10, 20, 30])
    np.testing.assert_allclose(disp.lines_["random"].get_ydata(), [0.3, 0.5, 0.7])
    np.testing.assert_allclose(disp.lines_["margin"].get_ydata(), [0.4, 0.7, 0.9])
    np.testing.assert_allclose(disp.lines_["margin_synth"].get_ydata(), [0.4, 0.6, 0.7])
    # with synthesis: dashed, in the colour of the strategy without it
    assert disp.lines_["margin_synth"].get_linestyle() == "--"
    assert disp.lines_["margin_synth"].get_color() == disp.lines_["margin"].get_color()
    assert disp.lines_["random"].get_color() != disp.lines_["margin"].get_color()
    # the band: mean ± one standard deviation over the two runs (ddof=1)
    c = disp.curves[disp.curves["method"] == "margin_synth"]
    spread = np.std([[0.3, 0.5], [0.5, 0.7], [0.8, 0.6]], axis=1, ddof=1)
    np.testing.assert_allclose(c["high"] - c["mean"], spread)
    np.testing.assert_allclose(c["mean"] - c["low"], spread)
    assert set(disp.bands_) == {"random", "margin", "margin_synth"}
    assert disp.ax_.get_ylabel() == "test PR-AUC"
    assert disp.ax_.get_xlabel() == "labels used"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == [
        "random", "margin", "margin_synth"]
    assert disp.figure_ is disp.ax_.get_figure()


@needs_mpl
def test_display_options(_agg):
    import matplotlib.pyplot as plt

    from sklearn_activesynth.plotting import AcquisitionCurveDisplay

    curves = _curves({("d", "lr", s): {"random": [0.1 * s, 0.2, 0.3 + 0.1 * s],
                                       "margin": [0.5, 0.6, 0.7]} for s in range(4)})
    _, ax = plt.subplots()
    disp = AcquisitionCurveDisplay.from_results(
        curves, methods=["margin"], band="range", ax=ax, labels={"margin": "Margin"})
    assert disp.ax_ is ax and list(disp.lines_) == ["margin"]
    assert disp.lines_["margin"].get_label() == "Margin"
    disp = AcquisitionCurveDisplay.from_results(curves, band="range", methods=["random"])
    c = disp.curves
    np.testing.assert_allclose(c["low"], [0.0, 0.2, 0.3])
    np.testing.assert_allclose(c["high"], [0.3, 0.2, 0.6])
    disp = AcquisitionCurveDisplay.from_results(curves, band=None)
    assert disp.bands_ == {}
    # another column as y (e.g. the Brier score)
    curves["brier"] = 1 - curves["score"]
    disp = AcquisitionCurveDisplay.from_results(curves, y="brier", methods=["margin"])
    np.testing.assert_allclose(disp.lines_["margin"].get_ydata(), [0.5, 0.4, 0.3])
    assert disp.ax_.get_ylabel() == "brier"
    with pytest.raises(ValueError, match="no column"):
        AcquisitionCurveDisplay.from_results(curves.drop(columns="n_labels"))
    with pytest.raises(ValueError, match="band"):
        AcquisitionCurveDisplay.from_results(curves, band="iqr")
    with pytest.raises(ValueError, match="hybrid"):
        AcquisitionCurveDisplay.from_results(curves, methods=["hybrid"])


def test_display_is_exported_with_the_others():
    import sklearn_activesynth.plotting as plotting

    assert "AcquisitionCurveDisplay" in plotting.__all__


# --------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


def test_tiny_simulation_end_to_end(breast_cancer, tmp_path):
    X, y = breast_cancer
    curves = run_active_benchmark({"bc": (X, y)}, strategies=["random", "margin"],
                                  synthesis=(False,), seeds=1, n_rounds=2,
                                  output_dir=tmp_path, progress=False)
    assert list(curves.columns) == ACTIVE_COLUMNS
    assert len(curves) == 2 * 3                      # 2 strategies x rounds 0, 1, 2
    assert (curves["error"].fillna("") == "").all(), curves["error"].tolist()
    assert set(curves["method"]) == {"random", "margin"}
    # 569 rows: 171 test rows (30 %, rounded up), a pool of 398 (about 148
    # malignant, 250 benign); seed set max(3, round(2 %)) per class: 3 + 5;
    # batches of round(2 % of 398) = 8
    n_pool, n_seed, batch = 398, 8, 8
    for _, c in curves.groupby("method"):
        c = c.sort_values("round")
        assert c["round"].tolist() == [0, 1, 2]
        assert c["n_pool"].iloc[0] == n_pool and c["n_test"].iloc[0] == len(y) - n_pool
        assert c["batch"].iloc[0] == batch
        assert c["n_seed"].iloc[0] == n_seed
        assert c["n_labels"].tolist() == [n_seed, n_seed + batch, n_seed + 2 * batch]
        assert c["n_acquired"].tolist() == [0, batch, batch]
        assert c["score"].between(0, 1).all() and c["brier"].between(0, 1).all()
        assert (c["metric"] == "pr_auc").all()
        np.testing.assert_allclose(c["score"], c["pr_auc"])
        assert (c["n_synthetic_kept"] == 0).all()
    # round 0 (the seed-set model) is the same for both strategies
    r0 = curves[curves["round"] == 0].set_index("method")
    assert r0.loc["random", "score"] == r0.loc["margin", "score"]
    on_disk = pd.read_csv(tmp_path / "curves.csv")
    assert list(on_disk.columns) == ACTIVE_COLUMNS and len(on_disk) == 6
    # resume: nothing left to run
    again = run_active_benchmark({"bc": (X, y)}, strategies=["random", "margin"],
                                 synthesis=(False,), seeds=1, n_rounds=2,
                                 output_dir=tmp_path, progress=False)
    assert len(again) == 6 and len(pd.read_csv(tmp_path / "curves.csv")) == 6
    m = run_metrics(curves)
    assert m["complete"].all() and len(m) == 2


def test_with_synthesis_random_acquires_the_same_rows(breast_cancer):
    """The benchmark gives every method the same random_state in a round, so
    random and random_synth label the same rows (their difference is the
    synthesis alone), while margin sampling labels others."""
    from sklearn_activesynth.benchmark._active import _classifier

    X, y = breast_cancer
    y_fit = np.full(len(y), np.nan)
    start = seed_set(y, 0.05, random_state=0)
    y_fit[start] = y[start]

    def oracle(rows, indices):
        return y[indices]

    got = {}
    for strategy, synthesis in [("random", False), ("random", True), ("margin", False)]:
        clf = _classifier("lr", 0, 2, strategy, synthesis, 10, oracle, 1).fit(X, y_fit)
        got[strategy, synthesis] = clf.acquired_indices_
        assert len(clf.acquired_indices_) == 10
        assert np.isnan(y_fit[clf.acquired_indices_]).all()
        if not synthesis:
            assert len(clf.synthetic_y_) == 0
    np.testing.assert_array_equal(got["random", False], got["random", True])
    assert set(got["margin", False]) != set(got["random", False])


def test_cli_active_mode(breast_cancer, tmp_path, capsys):
    out = tmp_path / "run"
    rc = cli_main(["--mode", "active", "--datasets", "breast_cancer", "--seeds", "1",
                   "--rounds", "1", "--strategies", "margin", "--synthesis", "off",
                   "--out", str(out), "--no-progress"])
    assert rc == 0
    curves = pd.read_csv(out / "curves.csv")
    assert set(curves["method"]) == {"random", "margin"} and len(curves) == 4
    printed = capsys.readouterr().out
    assert "median_labels_to_target" in printed and "active_report.py" in printed
    # a second fresh run into the same folder is refused; --resume continues it
    assert cli_main(["--mode", "active", "--datasets", "breast_cancer", "--out",
                     str(out), "--no-progress"]) == 2
    assert cli_main(["--mode", "active", "--datasets", "breast_cancer", "--seeds", "1",
                     "--rounds", "1", "--strategies", "margin", "--synthesis", "off",
                     "--out", str(out), "--resume", "--no-progress"]) == 0
    assert len(pd.read_csv(out / "curves.csv")) == 4
