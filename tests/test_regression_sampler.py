"""ActiveSynthesisRegressionSampler: fit_resample for a continuous target."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_activesynth import ActiveSynthesisRegressionSampler, ResamplingShortfallWarning
from sklearn_activesynth._regression_sampler import range_table


def _tail(seed=0, n_common=180, n_rare=20):
    """Targets mostly in [0, 3]; ``n_rare`` rows in the sparse high range [12, 15]."""
    rng = np.random.RandomState(seed)
    x = np.r_[rng.uniform(0, 1, n_common), rng.uniform(4, 5, n_rare)]
    X = np.c_[x + 0.05 * rng.normal(size=len(x)), rng.normal(size=(len(x), 2))]
    return X, 3.0 * x


def _two_tails(seed=0):
    rng = np.random.RandomState(seed)
    x = np.r_[rng.uniform(-5, -4, 15), rng.uniform(0, 1, 170), rng.uniform(4, 5, 25)]
    return np.c_[x, rng.normal(size=len(x))], x.copy()


def test_auto_brings_the_rare_range_up_to_the_common_one_and_keeps_real_rows():
    X, y = _tail()
    X_in, y_in = X.copy(), y.copy()
    sampler = ActiveSynthesisRegressionSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X, X_in)                 # inputs untouched
    np.testing.assert_array_equal(y, y_in)
    np.testing.assert_array_equal(X_res[:200], X)          # real rows first, unchanged
    np.testing.assert_array_equal(y_res[:200], y)
    ranges = sampler.target_ranges_
    assert ranges["rare"].tolist() == [False, True]
    assert ranges["n_real"].tolist() == [180, 20]
    assert ranges["n_added"].tolist() == [0, 160]
    lo = ranges["lo"].iloc[1]
    assert lo == pytest.approx((y[:180].max() + y[180:].min()) / 2)
    assert len(y_res) == 360 and np.all(y_res[200:] >= lo)
    assert dict(sampler.sampling_strategy_) == {(lo, np.inf): 160}
    assert sampler.sampling_shortfall_ == {}
    prov = sampler.synthetic_provenance_
    assert (prov["target_range"] == 1).all()
    assert np.all(y[prov["anchor_index"]] >= 12.0)        # made from rare rows only
    np.testing.assert_array_equal(sampler.synthetic_X_, X_res[200:])


def test_both_tails_of_a_boxplot_relevance_are_over_sampled():
    X, y = _two_tails()
    sampler = ActiveSynthesisRegressionSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    ranges = sampler.target_ranges_
    assert ranges["rare"].tolist() == [True, False, True]
    assert ranges["n_added"].tolist() == [170 - 15, 0, 170 - 25]
    syn = y_res[len(y):]
    assert np.sum(syn <= -4) == 155 and np.sum(syn >= 4) == 145


def test_a_ratio_a_dict_and_a_callable():
    X, y = _tail()
    half = ActiveSynthesisRegressionSampler(sampling_strategy=0.5, random_state=0)
    half.fit_resample(X, y)
    assert half.target_ranges_["n_added"].tolist() == [0, 90 - 20]
    with pytest.raises(ValueError, match="never removes rows"):
        ActiveSynthesisRegressionSampler(sampling_strategy=0.1).fit_resample(X, y)
    mine = {(12.0, float("inf")): 50, (0.0, 0.5): 100}
    own = ActiveSynthesisRegressionSampler(sampling_strategy=mine, random_state=0)
    with warnings.catch_warnings():  # a narrow range may fall a row short
        warnings.simplefilter("ignore", ResamplingShortfallWarning)
        _, y_res = own.fit_resample(X, y)
    n_low = int(np.sum((y >= 0) & (y <= 0.5)))
    ranges = own.target_ranges_
    assert ranges["n_requested"].tolist() == [100 - n_low, 30]
    assert ranges["n_added"].iloc[1] == 30
    assert 0.9 * (100 - n_low) <= ranges["n_added"].iloc[0] <= 100 - n_low
    syn = y_res[len(y):]
    assert np.sum(syn >= 12) == 30
    assert np.sum((syn >= 0) & (syn <= 0.5)) == ranges["n_added"].iloc[0]
    assert len(syn) == ranges["n_added"].sum()
    by_callable = ActiveSynthesisRegressionSampler(
        sampling_strategy=lambda t: {(12.0, np.inf): int(np.sum(t >= 12)) + 10},
        random_state=0).fit(X, y)
    assert by_callable.target_ranges_["n_added"].tolist() == [10]


@pytest.mark.parametrize("strategy, match", [
    ({(0.0, 1.0): 10}, "already has"),
    ({(0.0, 3.0): 300, (2.0, 20.0): 300}, "overlap"),
    ({(100.0, 200.0): 5}, "No target of y lies"),
    ({(5.0, 1.0): 5}, "lo <= hi"),
    ({(12.0, np.inf): 2.5}, "integer"),
    (lambda t: [1, 2], "must return a dict"),
])
def test_bad_strategies_say_what_is_wrong(strategy, match):
    X, y = _tail()
    with pytest.raises(ValueError, match=match):
        ActiveSynthesisRegressionSampler(sampling_strategy=strategy).fit_resample(X, y)


@pytest.mark.filterwarnings("ignore::sklearn_activesynth.ResamplingShortfallWarning")
def test_relevance_is_user_definable_and_nothing_to_add_passes_through():
    X, y = _tail()
    low = ActiveSynthesisRegressionSampler(relevance=lambda t: (t < 0.3).astype(float),
                                           sampling_strategy=0.5, random_state=0)
    _, y_res = low.fit_resample(X, y)
    assert low.target_ranges_["rare"].tolist() == [True, False]
    assert np.all(y_res[len(y):] < 1.0) and len(y_res) > len(y)
    flat = ActiveSynthesisRegressionSampler(relevance=lambda t: np.zeros(len(t)))
    X_res, y_res = flat.fit_resample(X, y)
    assert flat.termination_condition_ == "nothing_to_add"
    np.testing.assert_array_equal(y_res, y)
    with pytest.raises(ValueError, match="no range is common"):
        ActiveSynthesisRegressionSampler(relevance=lambda t: np.ones(len(t))).fit(X, y)


def test_targets_are_checked():
    X, y = _tail()
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="needs a target on every row"):
        ActiveSynthesisRegressionSampler().fit_resample(X, y_nan)
    with pytest.raises(ValueError):
        ActiveSynthesisRegressionSampler().fit_resample(X, np.array(["a"] * len(y)))
    with pytest.raises(ValueError, match="different lengths"):
        ActiveSynthesisRegressionSampler().fit_resample(X, y[:-1])


def test_same_random_state_same_rows_and_no_global_rng():
    X, y = _two_tails()
    state = np.random.get_state()
    runs = [ActiveSynthesisRegressionSampler(random_state=7).fit_resample(X, y)
            for _ in range(2)]
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other = ActiveSynthesisRegressionSampler(random_state=8).fit_resample(X, y)
    assert not np.array_equal(other[0], runs[0][0])


def test_each_range_is_anchored_on_its_most_uncertain_rows():
    X, y = _tail()
    # an uncertainty the test knows: the second feature
    sampler = ActiveSynthesisRegressionSampler(
        sampling_strategy={(12.0, np.inf): 30}, uncertainty=lambda m, rows:
        np.asarray(rows)[:, 1] + 10.0, max_iter=1, random_state=0).fit(X, y)
    assert sampler.history_["n_anchors"].iloc[1] == 10       # 10 rows owed, 20 rare rows
    anchors = sampler.synthetic_provenance_["anchor_index"].to_numpy()
    rare = np.arange(180, 200)
    top = rare[np.argsort(-X[rare, 1])[:10]]
    assert set(anchors) == set(top)
    # with more rows owed than rare rows, every rare row anchors some
    spread = ActiveSynthesisRegressionSampler(max_iter=1, random_state=0).fit(X, y)
    assert set(spread.synthetic_provenance_["anchor_index"]) == set(rare)


def test_frames_keep_their_columns_dtypes_and_names():
    X, y = _tail()
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1],
                          "kind": pd.Categorical(np.where(X[:, 2] > 0, "p", "n"))})
    target = pd.Series(y, name="claim")
    X_res, y_res = ActiveSynthesisRegressionSampler(random_state=0).fit_resample(frame,
                                                                                 target)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["a", "b", "kind"]
    assert (X_res.dtypes == frame.dtypes).all()
    pd.testing.assert_frame_equal(X_res.iloc[:200].reset_index(drop=True), frame)
    assert isinstance(y_res, pd.Series) and y_res.name == "claim"
    assert set(X_res["kind"].iloc[200:]) <= {"p", "n"}
    # integer targets come back as floats: interpolated targets are not integers
    _, y_int = ActiveSynthesisRegressionSampler(random_state=0).fit_resample(
        X, np.round(y * 10).astype(int))
    assert y_int.dtype == float


def test_in_an_imbalanced_learn_pipeline_and_a_grid_search():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y = _tail()
    pipe = imblearn_pipeline.make_pipeline(
        ActiveSynthesisRegressionSampler(random_state=0), Ridge())
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (200,)
    # the sampler acts in fit only: predict sees the rows as they are
    fitted = pipe.steps[0][1]
    assert len(fitted.synthetic_y_) == 160
    grid = GridSearchCV(pipe, {"activesynthesisregressionsampler__sampling_strategy":
                               ["auto", 0.5]}, cv=KFold(3, shuffle=True, random_state=0),
                        scoring="r2").fit(X, y)
    assert grid.best_score_ > 0.9


def test_target_ranges_partition_the_line():
    y = np.array([5.0, 1.0, 9.0, 2.0, 8.0, 3.0])
    rel = (np.abs(y - 5) > 2.5).astype(float)           # 1, 2 and 8, 9 are rare
    ranges = range_table(y, rel, 0.5)
    assert ranges["rare"].tolist() == [True, False, True]
    assert ranges["n_real"].tolist() == [2, 2, 2]
    assert ranges["lo"].tolist() == [-np.inf, 2.5, 6.5]
    assert ranges["hi"].tolist() == [2.5, 6.5, np.inf]


def test_a_shortfall_is_warned_about():
    from sklearn_activesynth.generators import BaseGenerator, Synthesized

    class CommonOnly(BaseGenerator):
        """Rows whose targets always land in the common range."""

        def _fit(self, X, y):
            self.X_, self.y_ = np.asarray(X), np.asarray(y, dtype=float)

        def _generate(self, n_samples, targets, rng):
            idx = rng.randint(len(self.y_), size=n_samples)
            return Synthesized(self.X_[idx], np.full(n_samples, float(np.median(self.y_))),
                               anchor_positions=np.full(n_samples, -1))

    X, y = _tail()
    with pytest.warns(ResamplingShortfallWarning, match="fewer rows"):
        sampler = ActiveSynthesisRegressionSampler(generator=CommonOnly(),
                                                   random_state=0).fit(X, y)
    assert sampler.sampling_shortfall_ == {(sampler.target_ranges_["lo"].iloc[1],
                                            np.inf): 160}
