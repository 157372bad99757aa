"""Dynamic mixing (seed 003, §2.3.1) and the complexity curriculum (§2.3.3)."""

import inspect
import itertools
import math

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_activesynth.integration import (
    INTEGRATIONS,
    CallableIntegration,
    ComplexityCurriculum,
    ConcatIntegration,
    CurriculumIntegration,
    DynamicIntegration,
    UncertaintyIntegration,
    WeightedIntegration,
    consistency_score,
    resolve_integration,
)
from sklearn_activesynth.utils._compat import InvalidParameterError


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# ----------------------------------------------------------- dynamic mixing
def test_ratio_follows_the_documented_g():
    mix = DynamicIntegration()
    assert mix.ratio(40, 10) == pytest.approx(10 / 40)
    assert mix.ratio(40, 10, gain=0.5, consistency=0.8) == pytest.approx(10 / 40 * 1.5 * 0.8)
    assert mix.ratio(40, 10, gain=-0.25, consistency=0.5) == pytest.approx(10 / 40 * 0.75 * 0.5)
    # P_t is clipped to [-1, 1], C_t to [0, 1]
    assert mix.ratio(40, 10, gain=3.0) == pytest.approx(10 / 40 * 2.0)
    assert mix.ratio(40, 10, gain=-2.0) == 0.0
    assert mix.ratio(40, 10, consistency=1.7) == pytest.approx(10 / 40)
    assert mix.ratio(40, 10, consistency=-0.3) == 0.0
    # missing measurements: no gain, full consistency
    assert mix.ratio(40, 10, gain=None, consistency=float("nan")) == pytest.approx(10 / 40)
    assert mix.ratio(40, 0, gain=0.9, consistency=0.9) == 0.0


def test_ratio_needs_real_rows():
    with pytest.raises(ValueError, match="needs real rows"):
        DynamicIntegration().ratio(0, 5)
    with pytest.raises(ValueError, match="n_synthetic must be >= 0"):
        DynamicIntegration().ratio(5, -1)


@pytest.mark.parametrize("gamma, r_threshold, r_scale, r", [
    (1.0, 1.0, 0.5, 1.0), (1.0, 1.0, 0.5, 0.25), (2.0, 0.5, 0.25, 0.3),
    (0.7, 0.0, 2.0, 3.0), (5.0, 2.0, 0.1, 2.05)])
def test_beta_is_the_seed_sigmoid(gamma, r_threshold, r_scale, r):
    mix = DynamicIntegration(gamma=gamma, r_threshold=r_threshold, r_scale=r_scale)
    assert mix.beta(r) == pytest.approx(_sigmoid(gamma * (r - r_threshold) / r_scale))


def test_beta_is_one_half_at_the_threshold():
    assert DynamicIntegration(gamma=3.0, r_threshold=0.8, r_scale=0.2).beta(0.8) == 0.5


def test_weights_give_each_group_its_beta_share():
    mix = DynamicIntegration(gamma=1.5, r_threshold=0.5, r_scale=0.4)
    n_real, n_syn, gain, cons = 30, 10, 0.2, 0.9
    r = n_syn / n_real * (1 + gain) * cons
    beta = _sigmoid(1.5 * (r - 0.5) / 0.4)
    w = mix.weights(n_real=n_real, n_synthetic=n_syn, round_=2,
                    signals={"gain": gain, "consistency": cons})
    n = n_real + n_syn
    assert w.shape == (n,)
    assert w[:n_real].sum() == pytest.approx((1 - beta) * n)
    assert w[n_real:].sum() == pytest.approx(beta * n)
    assert w.mean() == pytest.approx(1.0)
    # one weight per group
    assert np.ptp(w[:n_real]) == 0 and np.ptp(w[n_real:]) == 0


def test_weights_without_synthetic_rows_are_ones():
    w = DynamicIntegration().weights(n_real=7, n_synthetic=0, round_=1,
                                     signals={"gain": 1.0, "consistency": 0.0})
    np.testing.assert_array_equal(w, np.ones(7))


def test_missing_signals_mean_no_gain_and_full_consistency():
    mix = DynamicIntegration()
    ref = mix.weights(n_real=20, n_synthetic=15, round_=1, signals={"gain": 0.0,
                                                                   "consistency": 1.0})
    for signals in (None, {}, {"gain": None}, {"gain": float("nan"), "consistency": None},
                    {"consistency": np.nan}):
        np.testing.assert_allclose(
            mix.weights(n_real=20, n_synthetic=15, round_=1, signals=signals), ref)
    # and r_t is then the ratio of the counts
    beta = _sigmoid(1.0 * (15 / 20 - 1.0) / 0.5)
    assert ref[20:].sum() == pytest.approx(beta * 35)


def test_unknown_signal_is_an_error():
    with pytest.raises(ValueError, match="Unknown signals"):
        DynamicIntegration().weights(n_real=5, n_synthetic=5, round_=1,
                                     signals={"gian": 0.3})


def _synthetic_share(mix, n_real=50, n_syn=25, **signals):
    w = mix.weights(n_real=n_real, n_synthetic=n_syn, round_=1, signals=signals)
    return w[n_real:].sum() / w.sum()


def test_synthetic_share_grows_with_gain_count_and_consistency():
    mix = DynamicIntegration()
    by_gain = [_synthetic_share(mix, gain=g) for g in (-1.0, -0.5, 0.0, 0.5, 1.0)]
    by_cons = [_synthetic_share(mix, consistency=c) for c in (0.0, 0.25, 0.5, 0.75, 1.0)]
    by_count = [_synthetic_share(mix, n_syn=n) for n in (5, 25, 50, 100)]
    for shares in (by_gain, by_cons, by_count):
        assert np.all(np.diff(shares) > 0), shares
    # C_t = 0 (a discriminator separates them) puts the ratio at 0
    assert by_cons[0] == pytest.approx(_sigmoid(-1.0 / 0.5))


@pytest.mark.parametrize("params", [
    {"gamma": 0.0}, {"gamma": -1.0}, {"r_scale": 0.0}, {"r_scale": -0.5},
    {"r_threshold": -0.1}, {"gamma": "steep"}])
def test_dynamic_parameter_validation(params):
    mix = DynamicIntegration(**params)
    with pytest.raises(InvalidParameterError):
        mix.weights(n_real=4, n_synthetic=2, round_=1)
    with pytest.raises(InvalidParameterError):
        mix.beta(0.5)


def test_dynamic_is_named_and_needs_signals():
    assert "dynamic" in INTEGRATIONS
    strategy = resolve_integration("dynamic")
    assert type(strategy) is DynamicIntegration
    assert strategy.get_params() == {"gamma": 1.0, "r_threshold": 1.0, "r_scale": 0.5}
    assert strategy.needs_signals is True
    for name in ("concat", "weighted", "curriculum", "uncertainty"):
        assert resolve_integration(name).needs_signals is False
    assert CallableIntegration(lambda *a: None).needs_signals is False


@pytest.mark.parametrize("cls", [ConcatIntegration, WeightedIntegration,
                                 CurriculumIntegration, UncertaintyIntegration,
                                 CallableIntegration])
def test_other_strategies_take_no_signals(cls):
    assert "signals" not in inspect.signature(cls.weights).parameters


def test_dynamic_clone_round_trip():
    mix = DynamicIntegration(gamma=2.5, r_threshold=0.3, r_scale=0.2)
    twin = clone(mix)
    assert twin is not mix and twin.get_params() == mix.get_params()
    twin.set_params(gamma=0.5)
    assert mix.gamma == 2.5 and twin.gamma == 0.5
    signals = {"gain": 0.1, "consistency": 0.6}
    np.testing.assert_array_equal(
        clone(mix).weights(n_real=9, n_synthetic=4, round_=1, signals=signals),
        mix.weights(n_real=9, n_synthetic=4, round_=1, signals=signals))


# ----------------------------------------------------------- consistency C_t
def test_consistency_is_high_for_one_distribution_and_low_for_separated_ones():
    rng = np.random.RandomState(0)
    real = rng.normal(size=(300, 3))
    same = rng.normal(size=(300, 3))
    near = rng.normal(1.0, 1.0, size=(300, 3))
    far = rng.normal(6.0, 1.0, size=(300, 3))
    c_same = consistency_score(real, same, random_state=0)
    c_near = consistency_score(real, near, random_state=0)
    c_far = consistency_score(real, far, random_state=0)
    assert c_same > 0.7
    assert c_far < 0.2
    assert c_same > c_near > c_far
    assert 0.0 <= c_far <= c_near <= c_same <= 1.0


def test_consistency_is_seeded_and_leaves_the_global_stream_alone():
    rng = np.random.RandomState(1)
    real, syn = rng.normal(size=(80, 2)), rng.normal(0.3, 1.0, size=(60, 2))
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = consistency_score(real, syn, random_state=7, cv=3)
    consistency_score(real, syn, random_state=None)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert consistency_score(real, syn, random_state=7, cv=3) == a


def test_consistency_standardises_with_the_real_rows():
    rng = np.random.RandomState(2)
    real = rng.normal(size=(100, 2))
    syn = rng.normal(0.5, 1.2, size=(100, 2))
    scale, shift = np.array([1000.0, 0.001]), np.array([-50.0, 3.0])
    assert consistency_score(real * scale + shift, syn * scale + shift, random_state=0) == (
        pytest.approx(consistency_score(real, syn, random_state=0)))
    # a constant column (std 0) divides by 1, not by 0
    const = np.c_[real, np.ones(100)], np.c_[syn, np.ones(100)]
    assert np.isfinite(consistency_score(*const, random_state=0))


def test_consistency_with_too_few_rows_is_one():
    rng = np.random.RandomState(3)
    real = rng.normal(size=(20, 2))
    assert consistency_score(real, rng.normal(9.0, 1.0, size=(1, 2)), random_state=0) == 1.0
    assert consistency_score(real, rng.normal(9.0, 1.0, size=(4, 2)), cv=5,
                             random_state=0) == 1.0
    assert consistency_score(real[:2], rng.normal(9.0, 1.0, size=(30, 2)), cv=3,
                             random_state=0) == 1.0
    assert consistency_score(real, np.empty((0, 2)), random_state=0) == 1.0


def test_consistency_input_errors():
    Z = np.zeros((10, 2))
    with pytest.raises(ValueError, match="columns"):
        consistency_score(Z, np.zeros((10, 3)))
    for cv in (1, 0, 2.5, True):
        with pytest.raises(ValueError, match="cv must be an int >= 2"):
            consistency_score(Z, Z, cv=cv)
    with pytest.raises(ValueError):
        consistency_score(np.zeros(10), Z)


# ------------------------------------------------------ complexity curriculum
REAL_C = np.array([0.9, 0.1, 0.4, 0.25, 0.7, 0.55, 0.3, 0.05])


@pytest.mark.parametrize("c_min, c_max, n_rounds", [(0.2, 0.9, 4), (0.5, 1.0, 3),
                                                    (0.0, 0.0, 1), (0.3, 0.3, 2)])
def test_threshold_follows_the_seed_schedule(c_min, c_max, n_rounds):
    curr = ComplexityCurriculum(c_min=c_min, c_max=c_max, n_rounds=n_rounds)
    c_lo, c_hi = np.quantile(REAL_C, c_min), np.quantile(REAL_C, c_max)
    for t in (0, 1, n_rounds, 2 * n_rounds):
        expected = c_lo + (c_hi - c_lo) * min(1.0, t / n_rounds)
        assert curr.threshold(t, REAL_C) == pytest.approx(expected)
    assert curr.threshold(0, REAL_C) == pytest.approx(c_lo)
    assert curr.threshold(n_rounds, REAL_C) == curr.threshold(2 * n_rounds, REAL_C)
    assert curr.threshold(n_rounds, REAL_C) == pytest.approx(c_hi)


def test_threshold_input_errors():
    curr = ComplexityCurriculum()
    with pytest.raises(ValueError, match="t must be >= 0"):
        curr.threshold(-1, REAL_C)
    with pytest.raises(ValueError, match="non-empty"):
        curr.threshold(0, [])
    with pytest.raises(ValueError, match="finite"):
        curr.threshold(0, [0.1, np.nan])


def test_ready_mask_only_grows_with_the_round():
    rng = np.random.RandomState(4)
    real_c, syn_c = rng.uniform(size=50), rng.uniform(-0.1, 1.1, size=200)
    curr = ComplexityCurriculum(c_min=0.1, c_max=0.95, n_rounds=5)
    masks = [curr.ready(t, syn_c, real_c) for t in range(9)]
    for before, after in itertools.pairwise(masks):
        assert np.all(after[before])  # no released row goes back to waiting
    counts = [m.sum() for m in masks]
    assert counts[0] < counts[5] and counts[5] == counts[8]
    np.testing.assert_array_equal(masks[0], syn_c <= np.quantile(real_c, 0.1))
    np.testing.assert_array_equal(masks[5], syn_c <= np.quantile(real_c, 0.95))
    # rows harder than the c_max quantile never join, NaN never joins
    assert not curr.ready(100, [np.nan, 1.09], real_c).any()


def test_uncertainty_complexity_is_the_given_uncertainty():
    curr = ComplexityCurriculum(complexity="uncertainty")
    u = [0.1, 0.5, 0.25]
    out = curr.row_complexity(uncertainty=u)
    assert out.dtype == float
    np.testing.assert_array_equal(out, u)
    np.testing.assert_array_equal(curr.real_complexity(uncertainty=np.array([0.3, 0.2])),
                                  [0.3, 0.2])
    with pytest.raises(ValueError, match="synthetic rows' uncertainty"):
        curr.row_complexity(Z_synthetic=np.zeros((3, 1)))
    with pytest.raises(ValueError, match="real rows' uncertainty"):
        curr.real_complexity()


# 1-D real rows and labels; nearest neighbours by hand (k=2):
#   x:  0   1   3   4   6   10
#   y:  0   0   1   1   1   0
Z_REAL = np.array([[0.0], [1.0], [3.0], [4.0], [6.0], [10.0]])
Y_REAL = np.array([0, 0, 1, 1, 1, 0])


def test_knn_hardness_of_synthetic_rows_by_hand():
    curr = ComplexityCurriculum(complexity="knn", n_neighbors=2)
    Z_syn = np.array([[0.4], [3.4], [2.2], [9.0]])
    y_syn = np.array([1, 1, 0, 0])
    # 0.4 (y=1): neighbours 0 (y=0, d=.4), 1 (y=0, d=.6)   -> 2/2 differ
    # 3.4 (y=1): neighbours 3 (y=1, d=.4), 4 (y=1, d=.6)   -> 0/2
    # 2.2 (y=0): neighbours 3 (y=1, d=.8), 1 (y=0, d=1.2)  -> 1/2
    # 9.0 (y=0): neighbours 10 (y=0, d=1), 6 (y=1, d=3)    -> 1/2
    out = curr.row_complexity(Z_synthetic=Z_syn, y_synthetic=y_syn, Z_real=Z_REAL,
                              y_real=Y_REAL)
    np.testing.assert_allclose(out, [1.0, 0.0, 0.5, 0.5])
    # k = 1: only the nearest real row counts
    one = ComplexityCurriculum(complexity="knn", n_neighbors=1).row_complexity(
        Z_synthetic=Z_syn, y_synthetic=y_syn, Z_real=Z_REAL, y_real=Y_REAL)
    np.testing.assert_allclose(one, [1.0, 0.0, 1.0, 0.0])


def test_knn_hardness_of_real_rows_leaves_the_row_out():
    curr = ComplexityCurriculum(complexity="knn", n_neighbors=2)
    # 0 (y=0): 1 (y=0), 3 (y=1)   -> 1/2      4 (y=1): 3 (y=1), 6 (y=1)  -> 0
    # 1 (y=0): 0 (y=0), 3 (y=1)   -> 1/2      6 (y=1): 4 (y=1), 3 (y=1)  -> 0
    # 3 (y=1): 4 (y=1), 1 (y=0)   -> 1/2     10 (y=0): 6 (y=1), 4 (y=1)  -> 1
    out = curr.real_complexity(Z_real=Z_REAL, y_real=Y_REAL)
    np.testing.assert_allclose(out, [0.5, 0.5, 0.5, 0.0, 0.0, 1.0])


def test_knn_neighbours_are_capped_by_the_real_rows():
    curr = ComplexityCurriculum(complexity="knn", n_neighbors=50)
    Z_real, y_real = np.array([[0.0], [1.0], [2.0]]), np.array(["a", "a", "b"])
    # every real row is a neighbour of the synthetic row: 1 of 3 differs
    out = curr.row_complexity(Z_synthetic=[[0.5]], y_synthetic=["a"], Z_real=Z_real,
                              y_real=y_real)
    np.testing.assert_allclose(out, [1 / 3])
    # leave-one-out: the two other rows
    np.testing.assert_allclose(curr.real_complexity(Z_real=Z_real, y_real=y_real),
                               [0.5, 0.5, 1.0])
    empty = curr.row_complexity(Z_synthetic=np.empty((0, 1)), y_synthetic=[],
                                Z_real=Z_real, y_real=y_real)
    assert empty.shape == (0,)


def test_knn_missing_inputs_are_named():
    curr = ComplexityCurriculum(complexity="knn")
    with pytest.raises(ValueError, match="needs y_synthetic, Z_real"):
        curr.row_complexity(Z_synthetic=Z_REAL, y_real=Y_REAL)
    with pytest.raises(ValueError, match="needs y_real"):
        curr.real_complexity(Z_real=Z_REAL)
    with pytest.raises(ValueError, match="at least 2 rows"):
        curr.real_complexity(Z_real=Z_REAL[:1], y_real=Y_REAL[:1])
    with pytest.raises(ValueError, match="rows and y_real"):
        curr.real_complexity(Z_real=Z_REAL, y_real=Y_REAL[:3])
    with pytest.raises(ValueError, match="columns"):
        curr.row_complexity(Z_synthetic=np.zeros((2, 2)), y_synthetic=[0, 1],
                            Z_real=Z_REAL, y_real=Y_REAL)


def test_curriculum_with_knn_releases_easy_rows_first():
    curr = ComplexityCurriculum(complexity="knn", c_min=0.0, c_max=1.0, n_rounds=2,
                                n_neighbors=2)
    real_c = curr.real_complexity(Z_real=Z_REAL, y_real=Y_REAL)  # [.5 .5 .5 0 0 1]
    syn_c = curr.row_complexity(Z_synthetic=[[0.4], [3.4], [2.2]], y_synthetic=[1, 1, 0],
                                Z_real=Z_REAL, y_real=Y_REAL)  # [1, 0, .5]
    np.testing.assert_array_equal(curr.ready(0, syn_c, real_c), [False, True, False])
    np.testing.assert_array_equal(curr.ready(1, syn_c, real_c), [False, True, True])
    np.testing.assert_array_equal(curr.ready(2, syn_c, real_c), [True, True, True])


@pytest.mark.parametrize("params", [
    {"complexity": "loss"}, {"c_min": -0.1}, {"c_max": 1.5}, {"n_rounds": 0},
    {"n_rounds": 1.5}, {"n_neighbors": 0}])
def test_curriculum_parameter_validation(params):
    curr = ComplexityCurriculum(**params)
    with pytest.raises(InvalidParameterError):
        curr.threshold(0, REAL_C)
    with pytest.raises(InvalidParameterError):
        curr.row_complexity(uncertainty=[0.1])


def test_c_min_above_c_max_is_an_error():
    curr = ComplexityCurriculum(c_min=0.8, c_max=0.6)
    for call in (lambda: curr.threshold(1, REAL_C),
                 lambda: curr.ready(1, [0.1], REAL_C),
                 lambda: curr.real_complexity(uncertainty=REAL_C)):
        with pytest.raises(ValueError, match="c_min must be <= c_max"):
            call()


def test_curriculum_clone_round_trip():
    curr = ComplexityCurriculum(complexity="knn", c_min=0.1, c_max=0.7, n_rounds=4,
                                n_neighbors=3)
    twin = clone(curr)
    assert twin is not curr and twin.get_params() == curr.get_params()
    assert ComplexityCurriculum().get_params() == {
        "complexity": "uncertainty", "c_min": 0.5, "c_max": 1.0, "n_rounds": 3,
        "n_neighbors": 5}
    np.testing.assert_array_equal(twin.real_complexity(Z_real=Z_REAL, y_real=Y_REAL),
                                  curr.real_complexity(Z_real=Z_REAL, y_real=Y_REAL))
