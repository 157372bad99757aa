"""Regression synthesis: target ranges and their allocation, rare-target anchors,
and SMOGN noise in the interpolation generator (core dependencies only)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.generators import InterpolationGenerator
from sklearn_activesynth.targeting import (
    RegressionTargeting,
    allocate_ranges,
    boxplot_relevance,
    target_ranges,
)
from sklearn_activesynth.utils._compat import InvalidParameterError
from sklearn_activesynth.utils.estimator_checks import (
    check_generator_regression,
    make_check_regression_frame,
    make_targets,
)


def _sparse_range(seed=0, n_common=300, n_rare=15):
    """300 targets in [0, 1], 15 in the sparse range [9, 10]; x0 follows y."""
    rng = np.random.RandomState(seed)
    y = np.r_[rng.uniform(0, 1, n_common), rng.uniform(9, 10, n_rare)]
    X = np.c_[y + 0.1 * rng.normal(size=len(y)), rng.normal(size=(len(y), 2))]
    return X, y


# ------------------------------------------------------------ ranges and allocation
def test_relevance_ranges_split_the_sorted_targets_where_relevance_crosses_the_threshold():
    y = np.r_[-20.0, np.linspace(0, 1, 40), 30.0, 31.0]
    phi = boxplot_relevance(y)(y)
    range_of, bounds = target_ranges(y, relevance=phi)
    assert bounds.tolist() == [[-20.0, -20.0], [0.0, 1.0], [30.0, 31.0]]
    assert np.bincount(range_of).tolist() == [1, 40, 2]
    # by hand: a row is in the rare ranges exactly when phi >= 0.5
    assert np.array_equal(range_of != 1, phi >= 0.5)
    # the threshold moves the cut
    range_of_hi, _ = target_ranges(y, relevance=phi, threshold=1.0)
    assert np.array_equal(range_of_hi != 1, phi >= 1.0)


def test_quantile_ranges_have_equal_counts_and_never_an_empty_bin():
    y = np.arange(100.0)
    range_of, bounds = target_ranges(y, bins=4)
    assert np.bincount(range_of).tolist() == [25, 25, 25, 25]
    assert bounds[:, 0].tolist() == [0.0, 25.0, 50.0, 75.0]
    tied = np.r_[np.zeros(90), np.arange(10.0)]
    range_of, bounds = target_ranges(tied, bins=5)
    assert np.bincount(range_of).min() > 0 and len(bounds) < 5


@pytest.mark.parametrize("allocation", ["anchors", "relevance", "deficit", "proportional"])
@pytest.mark.parametrize("budget", [0, 1, 7, 100])
def test_allocation_over_ranges_sums_to_the_budget(allocation, budget):
    rng = np.random.RandomState(budget)
    y = np.r_[rng.normal(size=200), rng.uniform(8, 9, 7)]
    phi = boxplot_relevance(y)(y)
    range_of, _ = target_ranges(y, relevance=phi)
    counts = allocate_ranges(budget, range_of, allocation=allocation,
                             anchor_ranges=range_of[:20], relevance=phi)
    assert counts.sum() == budget and np.all(counts >= 0)
    assert len(counts) == range_of.max() + 1


def test_allocation_rules_by_hand():
    range_of = np.repeat([0, 1, 2], [10, 80, 10])
    assert allocate_ranges(20, range_of, allocation="deficit").tolist() == [10, 0, 10]
    assert allocate_ranges(10, range_of, allocation="proportional").tolist() == [1, 8, 1]
    assert allocate_ranges(9, range_of, allocation="anchors",
                           anchor_ranges=np.array([2, 2, 1])).tolist() == [0, 3, 6]
    phi = np.r_[np.full(10, 1.0), np.zeros(80), np.full(10, 0.5)]
    assert allocate_ranges(9, range_of, allocation="relevance",
                           relevance=phi).tolist() == [6, 0, 3]
    # nothing relevant anywhere: in proportion to the rows
    assert allocate_ranges(10, range_of, allocation="relevance",
                           relevance=np.zeros(100)).tolist() == [1, 8, 1]
    with pytest.raises(ValueError, match="Unknown range allocation"):
        allocate_ranges(5, range_of, allocation="balanced")


@pytest.mark.parametrize("anchors", ["uncertain", "random", "rare"])
@pytest.mark.parametrize("allocation", ["anchors", "relevance", "deficit", "proportional"])
def test_targets_report_the_rows_of_each_range_summing_to_the_budget(anchors, allocation):
    X, y = _sparse_range()
    scores = np.random.RandomState(1).uniform(size=len(y))
    t = RegressionTargeting(anchors, range_allocation=allocation).build(
        X=X, y=y, scores=scores, budget=37, rng=np.random.RandomState(0))
    per_range = [t.report[f"range_rows_{r}"] for r in range(t.report["n_target_ranges"])]
    assert sum(per_range) == t.n_samples == 37
    # each anchor's region is its target range
    range_of, _ = target_ranges(y, relevance=boxplot_relevance(y)(y))
    assert np.array_equal(t.anchor_regions, range_of[t.anchor_indices])
    for r, n in enumerate(per_range):
        assert t.anchor_counts[t.anchor_regions == r].sum() == n
    for region in t.regions:
        lo, hi = region.description["target_range"]
        assert np.all((y[t.anchor_indices[region.anchor_positions]] >= lo)
                      & (y[t.anchor_indices[region.anchor_positions]] <= hi))
        assert "Target range" in region.text


def test_deficit_allocation_sends_the_budget_to_the_sparse_range_even_from_random_anchors():
    X, y = _sparse_range()
    t = RegressionTargeting("random", range_allocation="deficit").build(
        X=X, y=y, scores=np.zeros(len(y)), budget=30, rng=np.random.RandomState(0))
    assert t.report["range_rows_1"] == 30 and t.report["range_rows_0"] == 0
    assert np.all(y[t.anchor_indices] >= 9)
    # the default follows the anchors: random anchors are mostly common rows
    t = RegressionTargeting("random").build(
        X=X, y=y, scores=np.zeros(len(y)), budget=30, rng=np.random.RandomState(0))
    assert t.report["range_rows_0"] > t.report["range_rows_1"]


def test_quantile_bins_and_a_user_relevance():
    X, y = _sparse_range()
    t = RegressionTargeting("uncertain", target_bins=4, range_allocation="proportional") \
        .build(X=X, y=y, scores=y.copy(), budget=40, rng=np.random.RandomState(0))
    assert t.report["n_target_ranges"] == 4
    assert [t.report[f"range_rows_{r}"] for r in range(4)] == [10, 10, 10, 10]
    # only targets above 9.5 are relevant to this user
    t = RegressionTargeting("rare", relevance=lambda v: (v > 9.5).astype(float)).build(
        X=X, y=y, scores=np.zeros(len(y)), budget=12, rng=np.random.RandomState(0))
    assert np.all(y[t.anchor_indices] > 9.5) and t.n_samples == 12


def test_a_relevance_that_returns_nonsense_is_a_clear_error():
    X, y = _sparse_range()
    bad = RegressionTargeting("rare", relevance=lambda v: np.full(3, 0.5))
    with pytest.raises(ValueError, match="one finite number per target"):
        bad.build(X=X, y=y, scores=np.zeros(len(y)), budget=5, rng=np.random.RandomState(0))
    with pytest.raises(InvalidParameterError):
        RegressionTargeting(range_allocation="balanced").build(
            X=X, y=y, scores=np.zeros(len(y)), budget=5, rng=np.random.RandomState(0))


def test_rare_targeting_puts_the_synthetic_rows_in_the_sparse_range():
    X, y = _sparse_range()
    reg = ActiveSynthesisRegressor(targeting="rare", random_state=0).fit(X, y)
    syn = reg.synthetic_y_
    assert len(syn) > 0
    assert np.mean(syn >= 8) > 0.8, np.round(syn, 2)
    # the control spreads its rows where the rows are
    ctrl = ActiveSynthesisRegressor(targeting="random", random_state=0,
                                    validation_fraction=None).fit(X, y)
    assert np.mean(ctrl.synthetic_y_ >= 8) < 0.5
    # history: rows per range, summing to the round's budget; provenance: the range
    hist = reg.history_.iloc[1:]
    per_range = hist[[c for c in hist.columns if c.startswith("range_rows_")]]
    assert np.array_equal(per_range.sum(axis=1).to_numpy(), hist["n_generated"].to_numpy())
    assert (hist["range_rows_1"] == hist["n_generated"]).all()
    assert hist["target_ranges"].iloc[0].startswith("0: [")
    assert set(reg.synthetic_provenance_["region"]) == {1}


def test_the_regressor_is_reproducible_with_range_allocation():
    X, y = _sparse_range(seed=3)
    targeting = RegressionTargeting("uncertain", range_allocation="deficit")
    a = ActiveSynthesisRegressor(targeting=targeting, random_state=0).fit(X, y)
    b = ActiveSynthesisRegressor(targeting=clone(targeting), random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


# ------------------------------------------------------------ SMOGN noise
def _smogn(**kw):
    return InterpolationGenerator(**{"k_neighbors": 5, "target_type": "continuous",
                                     "noise": "smogn", **kw})


def test_smogn_noise_is_reproducible_and_differs_from_plain_smoter():
    X, y = _sparse_range()
    anchors = np.flatnonzero(y >= 9)[:5]
    targets = make_targets(X, y, anchors, [8] * 5)
    a = _smogn().fit(X, y).generate(targets=targets, random_state=0)
    b = _smogn().fit(X, y).generate(targets=targets, random_state=0)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = _smogn().fit(X, y).generate(targets=targets, random_state=1)
    assert not np.array_equal(a.X, c.X)
    plain = InterpolationGenerator(k_neighbors=5, target_type="continuous") \
        .fit(X, y).generate(targets=targets, random_state=0)
    assert a.report["n_rows_noise"] > 0
    assert not np.array_equal(a.X, plain.X)
    noisy = a.provenance["method"] == "noise"
    assert noisy.sum() == a.report["n_rows_noise"]
    # the interpolated rows are the plain SMOTER rows' recipe: anchor, partner, lambda
    # (not checked row by row: the noise draws shift the stream); every row stays
    # near its anchor, a noisy one within a few perturbation-sized steps
    std = X.std(axis=0)
    pos = a.anchor_positions[noisy]
    step = np.abs(a.X[noisy] - X[pos]) / std
    assert np.all(step < 0.02 * 6), step.max()
    assert np.all(np.abs(a.y[noisy] - y[pos]) < 0.02 * 6 * y.std())


def test_smogn_noise_replaces_the_distant_pairs():
    # two tight clusters: an anchor's partner in the far cluster is beyond half
    # the median neighbour distance, one in its own cluster is not
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 0.01, size=(3, 2)), rng.normal(5, 0.01, size=(3, 2))]
    y = X[:, 0].copy()
    gen = _smogn(k_neighbors=4, perturbation=0.05).fit(X, y)
    res = gen.generate(targets=make_targets(X, y, [0], [200]), random_state=0)
    far = np.abs(res.X[:, 0]) > 1.0  # would be interpolated towards the far cluster
    noisy = res.provenance["method"] == "noise"
    # anchor 0's 4 neighbours: 2 near (distance ~0.01), 2 far (~7): median ~3.5,
    # so near partners interpolate and far ones become noise
    assert noisy.any() and (~noisy).any()
    assert not far.any()
    assert np.all(np.abs(res.X[~noisy] - X[:3].mean(0)) < 0.1)


def test_smogn_noise_with_a_dataframe_and_a_sparse_matrix():
    X, y = make_check_regression_frame(120)
    res = _smogn().fit(X, y).generate(40, random_state=0)
    assert list(res.X.columns) == list(X.columns) and res.X.dtypes.equals(X.dtypes)
    assert set(res.X["city"]) <= set(X["city"])
    Xs = sp.random(80, 6, density=0.3, random_state=0, format="csr")
    ys = np.asarray(Xs.sum(axis=1)).ravel()
    res = _smogn().fit(Xs, ys).generate(30, random_state=0)
    assert sp.issparse(res.X) and res.X.shape == (30, 6)
    assert np.isfinite(res.X.toarray()).all() and np.isfinite(res.y).all()


def test_smogn_generator_passes_the_regression_check():
    check_generator_regression(InterpolationGenerator(noise="smogn"))


def test_noise_needs_a_continuous_target():
    X, y = make_check_regression_frame(60)
    with pytest.raises(ValueError, match="target_type='continuous'"):
        InterpolationGenerator(noise="smogn").fit(X, (y > np.median(y)).astype(int))
    with pytest.raises(InvalidParameterError):
        InterpolationGenerator(target_type="continuous", noise="gauss").fit(X, y)
    with pytest.raises(InvalidParameterError):
        InterpolationGenerator(target_type="continuous", noise="smogn",
                               perturbation=-1).fit(X, y)


def test_the_regressor_runs_smogn_and_records_the_noisy_rows():
    X, y = _sparse_range()
    reg = ActiveSynthesisRegressor(generator=InterpolationGenerator(noise="smogn"),
                                   targeting="rare", random_state=0,
                                   validation_fraction=None).fit(X, y)
    assert "n_rows_noise" in reg.history_.columns
    prov = reg.synthetic_provenance_
    assert set(prov["method"]) <= {"noise", "interpolation"}
    assert (prov["method"] == "noise").sum() == reg.history_["n_rows_noise"].sum()
    assert isinstance(prov, pd.DataFrame) and np.mean(reg.synthetic_y_ >= 8) > 0.8
