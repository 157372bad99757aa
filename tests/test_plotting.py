"""The displays of sklearn_activesynth.plotting draw what the fit recorded.

Each test reads the drawn artists back (points, lines, bars, labels, legend
entries) and compares them with ``history_`` / ``synthetic_provenance_`` of a
real, small fit or with a constructed table. matplotlib is the ``plot`` extra:
without it these tests skip, except the one that checks the error naming it.
"""

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.datasets import make_fraud_transactions
from sklearn_activesynth.plotting import (
    FitHistoryDisplay,
    ProvenanceDisplay,
    UncertaintyMapDisplay,
    embed_rows,
)

HAS_MPL = importlib.util.find_spec("matplotlib") is not None
needs_mpl = pytest.mark.skipif(not HAS_MPL, reason="needs matplotlib (the plot extra)")


@pytest.fixture(autouse=True)
def _agg_and_close():
    if not HAS_MPL:
        yield
        return
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def binary_fit():
    X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=3, patience=3,
                                    random_state=0).fit(X, y)
    return clf, X, y


@pytest.fixture(scope="module")
def mixed_fit():
    X, y = make_fraud_transactions(n_samples=1500, fraud_rate=0.05, random_state=0)
    clf = ActiveSynthesisClassifier(
        HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=20),
        max_iter=2, validation_fraction=None, random_state=0).fit(X, y)
    return clf, X, y


def legend_texts(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


# --------------------------------------------------------------- errors
def test_an_error_names_the_plot_extra_without_matplotlib(binary_fit, monkeypatch):
    clf, X, y = binary_fit
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    for call in (lambda: FitHistoryDisplay.from_estimator(clf),
                 lambda: ProvenanceDisplay.from_estimator(clf),
                 lambda: UncertaintyMapDisplay.from_estimator(clf, X, y)):
        with pytest.raises(ImportError, match=r"sklearn-activesynth\[plot\]"):
            call()


@needs_mpl
@pytest.mark.parametrize("display", [FitHistoryDisplay, ProvenanceDisplay,
                                     UncertaintyMapDisplay])
def test_an_unfitted_or_foreign_estimator_is_refused(display, binary_fit):
    _, X, y = binary_fit
    args = (X, y) if display is UncertaintyMapDisplay else ()
    with pytest.raises(NotFittedError):
        display.from_estimator(ActiveSynthesisClassifier(), *args)
    with pytest.raises(TypeError, match="needs an ActiveSynthesisClassifier"):
        display.from_estimator(LogisticRegression().fit(X, y), *args)


# ---------------------------------------------------------- fit history
@needs_mpl
def test_fit_history_draws_each_round(binary_fit):
    clf, _, _ = binary_fit
    h = clf.history_
    disp = FitHistoryDisplay.from_estimator(clf)
    assert disp.panels_ == ["score", "uncertainty", "rows"]
    assert len(disp.axes_) == 3 and disp.figure_ is disp.axes_[0].get_figure()
    score_ax, unc_ax, rows_ax = disp.axes_
    # score: one point per round, the kept model's score is the last accepted one
    candidate, kept = disp.lines_["score"][:2]
    np.testing.assert_array_equal(candidate.get_xdata(), h["round"])
    np.testing.assert_allclose(candidate.get_ydata(), h["val_score"])
    accepted_scores = h["val_score"].where(h["accepted"]).ffill()
    np.testing.assert_allclose(kept.get_ydata(), accepted_scores)
    assert score_ax.get_ylabel() == "validation average_precision"
    assert all(ax.get_xlabel() == "round" for ax in disp.axes_)
    rejected = ~h["accepted"].astype(bool)
    assert rejected.any(), "the fixture should have a rejected round"
    np.testing.assert_array_equal(disp.lines_["score"][2].get_xdata(), h["round"][rejected])
    assert legend_texts(score_ax) == ["round's candidate", "kept model", "rejected"]
    # uncertainty: mean and max of training and validation rows, rounds 1..n
    assert legend_texts(unc_ax) == ["mean (training rows)", "max (training rows)",
                                    "mean (validation rows)", "max (validation rows)"]
    np.testing.assert_allclose(disp.lines_["uncertainty"][1].get_ydata(),
                               h["max_uncertainty_train"].iloc[1:])
    # rows: one bar per round and series, as high as the counts
    generated, accepted = disp.bars_["rows"]
    assert [p.get_height() for p in generated] == list(h["n_generated"].iloc[1:])
    assert [p.get_height() for p in accepted] == list(h["n_accepted"].iloc[1:])
    assert legend_texts(rows_ax) == ["generated", "accepted"]


@needs_mpl
def test_fit_history_draws_arms_and_acquired_labels_when_present():
    history = pd.DataFrame({
        "round": [0, 1, 2, 3], "status": ["initial", "ok", "rejected", "ok"],
        "accepted": [True, True, False, True], "val_score": [0.5, 0.6, 0.55, 0.7],
        "n_generated": [np.nan, 10, 10, 10], "n_accepted": [np.nan, 10, 0, 10],
        "arm_interpolation_reward": [np.nan, 0.1, -0.05, 0.1],
        "arm_copula_pulls": [np.nan, 0, 1, 1],
        "arm_unused": np.nan,                      # no values: not drawn
        "n_acquired": [np.nan, 5, 5, 0],
    })
    disp = FitHistoryDisplay(history, scoring="roc_auc").plot()
    assert disp.panels_ == ["score", "uncertainty", "rows", "arms", "acquired"]
    # a selector's columns: pulls per arm (and its mean reward when recorded)
    assert [ln.get_label() for ln in disp.lines_["arms"]] == ["copula"]
    np.testing.assert_allclose(disp.lines_["arms"][0].get_ydata(), [0, 1, 1])
    other = FitHistoryDisplay(history.drop(columns=["arm_copula_pulls"])).plot()
    assert [ln.get_label() for ln in other.lines_["arms"]] == ["interpolation_reward"]
    np.testing.assert_allclose(other.lines_["arms"][0].get_ydata(), [0.1, -0.05, 0.1])
    assert [p.get_height() for p in disp.bars_["acquired"][0]] == [5, 5, 0]
    # the kept model stays at 0.6 through the rejected round 2
    np.testing.assert_allclose(disp.lines_["score"][1].get_ydata(), [0.5, 0.6, 0.6, 0.7])
    np.testing.assert_array_equal(disp.lines_["score"][2].get_xdata(), [2])
    assert disp.axes_[0].get_ylabel() == "validation roc_auc"
    with pytest.raises(ValueError, match="cannot draw the panels"):
        FitHistoryDisplay(history.drop(columns=["n_acquired"])).plot(panels=["acquired"])


@needs_mpl
def test_fit_history_draws_a_selectors_pulls_and_rewards():
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    from sklearn_activesynth import ActiveSynthesisClassifier

    X, y = make_classification(n_samples=150, weights=[0.8], random_state=0)
    clf = ActiveSynthesisClassifier(LogisticRegression(), selector="ucb", max_iter=2,
                                    patience=2, random_state=0).fit(X, y)
    disp = FitHistoryDisplay.from_estimator(clf)
    assert "arms" in disp.panels_
    labels = [ln.get_label() for ln in disp.lines_["arms"]]
    names = list(clf.selection_["arm"])
    assert [lb for lb in labels if not lb.endswith(" reward")] == names
    pulls = {ln.get_label(): ln.get_ydata()[-1] for ln in disp.lines_["arms"]}
    assert [pulls[n] for n in names] == list(clf.selection_["pulls"])


@needs_mpl
def test_fit_history_honours_ax(binary_fit):
    import matplotlib.pyplot as plt

    clf, _, _ = binary_fit
    fig, axes = plt.subplots(1, 3)
    disp = FitHistoryDisplay.from_estimator(clf, ax=axes)
    assert list(disp.axes_) == list(axes) and disp.figure_ is fig
    assert disp.bounding_ax_ is None
    # one Axes, one panel: drawn on it
    fig, ax = plt.subplots()
    disp = FitHistoryDisplay.from_estimator(clf, panels="score", ax=ax)
    assert disp.axes_[0] is ax and ax.get_title() == "Validation score"
    # one Axes, three panels: its area is divided
    fig, ax = plt.subplots()
    disp = FitHistoryDisplay.from_estimator(clf, ax=ax)
    assert disp.bounding_ax_ is ax and not ax.axison
    assert len(disp.axes_) == 3 and all(a.get_figure() is fig for a in disp.axes_)
    with pytest.raises(ValueError, match="pass 3 Axes"):
        FitHistoryDisplay.from_estimator(clf, ax=plt.subplots(1, 2)[1])


@needs_mpl
def test_fit_history_without_validation_says_so():
    X, y = make_classification(n_samples=200, random_state=0)
    clf = ActiveSynthesisClassifier(max_iter=1, validation_fraction=None,
                                    random_state=0).fit(X, y)
    disp = FitHistoryDisplay.from_estimator(clf)
    assert disp.lines_["score"] == []
    assert "validation_fraction=None" in disp.axes_[0].texts[0].get_text()


# ------------------------------------------------------ uncertainty map
@needs_mpl
def test_uncertainty_map_of_a_mixed_frame_shows_real_and_synthetic_rows(mixed_fit):
    clf, X, y = mixed_fit
    X_before = X.copy()
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, max_samples=600, random_state=0)
    pd.testing.assert_frame_equal(X, X_before)  # the user's rows are not touched
    n_syn = len(clf.synthetic_y_)
    assert n_syn > 0
    shown_syn = sum(len(s.get_offsets()) for s in disp.scatter_synthetic_)
    shown_real = len(disp.scatter_real_[0].get_offsets())
    assert shown_real + shown_syn == 600
    # synthetic rows keep their share of all rows (at least a tenth of the map)
    assert shown_syn == min(n_syn, max(round(600 * n_syn / (len(y) + n_syn)), 60))
    rounds = sorted(set(clf.synthetic_provenance_["round"]))
    assert len(disp.scatter_synthetic_) == len(rounds)
    labels = legend_texts(disp.ax_)
    assert [lab.split(" (")[0] for lab in labels] == [f"synthetic, round {r}"
                                                      for r in rounds]
    assert disp.ax_.get_xlabel().startswith("PCA 1 (") and "of variance" in \
        disp.ax_.get_xlabel()
    assert disp.colorbar_ is not None
    assert "entropy (fitted model)" in disp.colorbar_.ax.get_ylabel()
    assert disp.figure_ is disp.ax_.get_figure()


@needs_mpl
def test_uncertainty_map_colours_each_row_by_its_score(binary_fit):
    clf, X, y = binary_fit
    u = np.linspace(0, 1, len(y))
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, uncertainty=u,
                                                max_samples=10_000, random_state=0)
    np.testing.assert_allclose(np.sort(disp.scatter_real_[0].get_array()), u)
    # the default: the fitted model's entropy (the loop's measure) on these rows
    from sklearn_activesynth.uncertainty import entropy

    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, max_samples=10_000)
    np.testing.assert_allclose(
        np.sort(disp.scatter_real_[0].get_array()),
        np.sort(entropy(clf.estimator_.predict_proba(X))))
    # out-of-fold: scores of clones fitted without the row
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, uncertainty="oof",
                                                max_samples=10_000, random_state=0)
    assert "out-of-fold" in disp.colorbar_.ax.get_ylabel()
    assert not np.allclose(np.sort(disp.scatter_real_[0].get_array()),
                           np.sort(entropy(clf.estimator_.predict_proba(X))))


@needs_mpl
def test_uncertainty_map_by_class(binary_fit):
    clf, X, y = binary_fit
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, color_by="class",
                                                max_samples=10_000)
    counts = np.bincount(y)
    # the majority first, so the rare class is drawn on top
    assert [len(s.get_offsets()) for s in disp.scatter_real_] == sorted(counts, reverse=True)
    assert legend_texts(disp.ax_)[:2] == [f"class 0 ({counts[0]})", f"class 1 ({counts[1]})"]
    assert disp.colorbar_ is None
    with pytest.raises(ValueError, match="needs y"):
        UncertaintyMapDisplay.from_estimator(clf, X, color_by="class")


@needs_mpl
def test_uncertainty_map_embeddings_and_checks(binary_fit):
    import matplotlib.pyplot as plt

    clf, X, y = binary_fit
    fig, ax = plt.subplots()
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, embedding="tsne",
                                                max_samples=150, random_state=0, ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.ax_.get_xlabel() == "t-SNE 1"
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, embedding=TruncatedSVD(),
                                                max_samples=150)
    assert disp.ax_.get_xlabel().startswith("TruncatedSVD 1")
    if importlib.util.find_spec("umap") is None:
        with pytest.raises(ImportError, match="umap-learn"):
            UncertaintyMapDisplay.from_estimator(clf, X, y, embedding="umap")
    with pytest.raises(ValueError, match="embedding must be"):
        UncertaintyMapDisplay.from_estimator(clf, X, y, embedding="mds")
    with pytest.raises(ValueError, match="uncertainty has 3 entries for 300 rows"):
        UncertaintyMapDisplay.from_estimator(clf, X, y, uncertainty=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="uncertainty='oof' needs y"):
        UncertaintyMapDisplay.from_estimator(clf, X, uncertainty="oof")


@needs_mpl
def test_uncertainty_map_of_a_fit_without_rounds():
    X, y = make_classification(n_samples=200, random_state=0)
    clf = ActiveSynthesisClassifier(max_iter=0, random_state=0).fit(X, y)
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y)
    assert disp.scatter_synthetic_ == [] and len(disp.scatter_real_[0].get_offsets()) == 200
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, uncertainty="oof")
    assert disp.scatter_synthetic_ == [] and len(disp.scatter_real_[0].get_offsets()) == 200
    disp = UncertaintyMapDisplay.from_estimator(clf, X, y, color_by="class")
    assert disp.real_uncertainty is None  # not drawn, not computed


def test_embed_rows_maps_sparse_rows_and_keeps_synthetic_rows_on_the_real_map():
    rng = np.random.RandomState(0)
    X = sp.random(100, 30, density=0.2, format="csr", random_state=rng)
    E_real, E_syn, name, explained = embed_rows(X, X[:5], random_state=0)
    assert E_real.shape == (100, 2) and E_syn.shape == (5, 2) and name == "PCA"
    # PCA is fitted on the real rows: a copy of a real row lands on it
    np.testing.assert_allclose(E_syn, E_real[:5], atol=1e-10)
    assert explained.shape == (2,)


# ----------------------------------------------------------- provenance
@needs_mpl
def test_provenance_counts_rows_per_round_region_generator_and_class(mixed_fit):
    clf, _, _ = mixed_fit
    prov = clf.synthetic_provenance_
    disp = ProvenanceDisplay.from_estimator(clf)
    assert disp.panels_ == ["regions", "generators", "anchor_uncertainty"]
    # heat map: rounds x regions, every accepted row counted once
    image = disp.images_["regions"].get_array()
    assert image.shape == (prov["round"].nunique(), prov["region"].nunique())
    assert image.sum() == len(prov)
    expected = prov.groupby(["round", "region"]).size().unstack(fill_value=0)
    np.testing.assert_array_equal(image, expected.to_numpy())
    # stacked bars per (generator, class), as high as the rows of each round
    segments = disp.bars_["generators"]
    labels = [s.get_label() for s in segments]
    assert labels == [f"InterpolationGenerator, class {c}"
                      for c in sorted(prov["label"].astype(str).unique())]
    totals = np.sum([[p.get_height() for p in s] for s in segments], axis=0)
    np.testing.assert_array_equal(totals, prov.groupby("round").size().to_numpy())
    # histogram of the anchors' uncertainty
    heights = [p.get_height() for p in disp.bars_["anchor_uncertainty"][0]]
    assert sum(heights) == np.isfinite(prov["anchor_uncertainty"]).sum()
    assert disp.axes_[2].get_xlabel() == "anchor_uncertainty"


@needs_mpl
def test_provenance_draws_filter_scores_and_honours_ax():
    import matplotlib.pyplot as plt

    prov = pd.DataFrame({
        "round": [1, 1, 1, 2], "region": [0, 1, -1, 0], "anchor_index": [3, 4, -1, 5],
        "generator": ["A", "A", "B", "A"], "anchor_uncertainty": [0.5, 0.6, np.nan, 0.7],
        "label": ["x", "y", "x", "x"], "quality_Teacher": [0.9, 0.8, 0.95, 0.7],
        "quality_Empty": np.nan,
    })
    fig, axes = plt.subplots(2, 2)
    disp = ProvenanceDisplay(prov).plot(ax=axes)
    assert disp.panels_ == ["regions", "generators", "anchor_uncertainty", "quality_Teacher"]
    assert list(disp.axes_) == list(axes.ravel()) and disp.figure_ is fig
    regions_ax = disp.axes_[0]
    assert [t.get_text() for t in regions_ax.get_xticklabels()] == ["none", "0", "1"]
    np.testing.assert_array_equal(disp.images_["regions"].get_array(), [[1, 1, 1], [0, 1, 0]])
    assert legend_texts(disp.axes_[1]) == ["A, class x", "A, class y", "B, class x"]
    assert sum(p.get_height() for p in disp.bars_["quality_Teacher"][0]) == 4
    assert sum(p.get_height() for p in disp.bars_["anchor_uncertainty"][0]) == 3
    assert disp.axes_[3].get_title() == "Score of Teacher"
    fig, ax = plt.subplots()
    disp = ProvenanceDisplay(prov).plot(ax=ax, panels="quality_Teacher")
    assert disp.axes_[0] is ax
    with pytest.raises(ValueError, match="cannot draw the panels"):
        ProvenanceDisplay(prov).plot(panels=["quality_Empty"])


@needs_mpl
def test_provenance_without_accepted_rows_says_so():
    X, y = make_classification(n_samples=200, random_state=0)
    clf = ActiveSynthesisClassifier(max_iter=0, random_state=0).fit(X, y)
    assert len(clf.synthetic_provenance_) == 0
    disp = ProvenanceDisplay.from_estimator(clf)
    assert disp.panels_ == ["regions", "generators"]
    assert all(ax.texts[0].get_text() == "no synthetic rows accepted" for ax in disp.axes_)


# --------------------------------------------------------------- README
def test_the_readme_shows_each_display_with_its_picture():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    section = readme.split("## Pictures", 1)[1].split("\n## ", 1)[0]
    for display, image in [("FitHistoryDisplay", "fit_history.png"),
                           ("UncertaintyMapDisplay", "uncertainty_map.png"),
                           ("ProvenanceDisplay", "provenance.png")]:
        call = f"{display}.from_estimator(clf"
        assert call in section, call
        assert f"](docs/images/{image})" in section.split(call, 1)[1], image
        path = root / "docs" / "images" / image
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size <= 100_000, f"{image} is over 100 KB"
