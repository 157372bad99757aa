"""ActiveSynthesisRegressor: the loop for a continuous target."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import BayesianRidge, LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.generators import BaseGenerator, InterpolationGenerator, Synthesized
from sklearn_activesynth.targeting import RegressionTargeting, boxplot_relevance
from sklearn_activesynth.uncertainty import CommitteeVariance, committee_variance


def _linear(n=200, seed=0, noise=0.5):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    y = X @ np.array([3.0, -2.0, 1.0, 0.5]) + noise * rng.normal(size=n)
    return X, y


def _sparse_range(seed=0):
    """Most targets in [0, 1]; 20 rows in the sparse range [8, 10], driven by x0."""
    rng = np.random.RandomState(seed)
    n_common, n_rare = 280, 20
    x0 = np.r_[rng.uniform(0, 1, n_common), rng.uniform(8, 10, n_rare)]
    X = np.c_[x0 + 0.05 * rng.normal(size=len(x0)), rng.normal(size=(len(x0), 2))]
    return X, x0.copy()


# ------------------------------------------------------------ uncertainty
def test_committee_variance_follows_the_seed_formula():
    X, y = _linear(80)
    scorer = CommitteeVariance(n_members=4)
    members, in_bag = scorer.fit_committee(Ridge(), X, y, random_state=0)
    X_new = X[:7] + 1.5
    scores, _ = scorer.score_committee(members, X_new)
    # by hand: U(x) = (1/k) sum_i (f_i(x) - fbar(x))^2
    for j in range(len(X_new)):
        f = [float(m.predict(X_new[j:j + 1])[0]) for m in members]
        fbar = sum(f) / len(f)
        expected = sum((fi - fbar) ** 2 for fi in f) / len(f)
        assert scores[j] == pytest.approx(expected, rel=1e-10, abs=1e-12)
    assert in_bag.shape == (4, 80)
    assert np.all(scores > 0)


def test_committee_variance_out_of_bag_uses_only_members_that_did_not_see_the_row():
    preds = np.array([[1.0, 2.0], [3.0, 2.0], [8.0, 5.0]])
    exclude = np.array([[False, True], [False, False], [True, False]])
    masked = np.where(exclude, np.nan, preds)
    out = committee_variance(masked)
    assert out[0] == pytest.approx(np.var([1.0, 3.0]))
    assert out[1] == pytest.approx(np.var([2.0, 5.0]))


def test_user_callable_uncertainty_sees_the_fitted_model():
    X, y = _linear(120)
    seen = []

    def distance_from_centre(model, X_rows):
        seen.append(type(model).__name__)
        return np.linalg.norm(np.asarray(X_rows), axis=1)

    reg = ActiveSynthesisRegressor(uncertainty=distance_from_centre, max_iter=1,
                                   random_state=0).fit(X, y)
    assert seen and set(seen) == {"Ridge"}
    anchors = reg.synthetic_provenance_["anchor_index"].to_numpy()
    if len(anchors):  # the anchors are the rows farthest from the centre
        norms = np.linalg.norm(X, axis=1)
        assert np.median(norms[anchors]) > np.quantile(norms, 0.8)


def test_predictive_std_with_a_bayesian_regressor():
    X, y = _linear(120)
    reg = ActiveSynthesisRegressor(BayesianRidge(), uncertainty="predictive_std",
                                   max_iter=1, random_state=0).fit(X, y)
    assert reg.history_["mean_uncertainty_train"].iloc[1] > 0
    with pytest.raises(TypeError, match="return_std"):
        ActiveSynthesisRegressor(Ridge(), uncertainty="predictive_std", max_iter=1,
                                 random_state=0).fit(X, y)


# -------------------------------------------------------------- targeting
def test_boxplot_relevance_is_zero_inside_the_quartiles_and_one_beyond_the_fences():
    y = np.arange(101.0)                     # Q1 25, Q3 75, IQR 50
    phi = boxplot_relevance(y)
    assert phi(np.array([25.0, 50.0, 75.0])).tolist() == [0.0, 0.0, 0.0]
    assert phi(np.array([150.0, -50.0, 500.0])).tolist() == [1.0, 1.0, 1.0]
    mid = phi(np.array([75.0 + 37.5]))[0]   # half-way to the fence
    assert mid == pytest.approx(0.5)
    assert np.all(np.diff(phi(np.linspace(75, 150, 20))) >= 0)


def test_rare_targeting_puts_synthetic_targets_in_the_sparse_range():
    X, y = _sparse_range()
    rare = ActiveSynthesisRegressor(targeting="rare", validation_fraction=None,
                                    max_iter=2, random_state=0).fit(X, y)
    syn = rare.synthetic_y_
    assert len(syn) > 0
    assert np.all((syn >= 8.0) & (syn <= 10.0))
    anchors = rare.synthetic_provenance_["anchor_index"].to_numpy()
    assert np.all(y[anchors] >= 8.0)
    # the control: random anchors land mostly in the common range
    rand = ActiveSynthesisRegressor(targeting="random", validation_fraction=None,
                                    max_iter=2, random_state=0).fit(X, y)
    assert np.mean(rand.synthetic_y_ >= 8.0) < 0.5


def test_rare_targeting_takes_a_user_relevance_function():
    X, y = _sparse_range()
    low = RegressionTargeting("rare", relevance=lambda t: (t < 0.1).astype(float))
    reg = ActiveSynthesisRegressor(targeting=low, validation_fraction=None, max_iter=1,
                                   random_state=0).fit(X, y)
    anchors = reg.synthetic_provenance_["anchor_index"].to_numpy()
    assert len(anchors) and np.all(y[anchors] < 0.1)


# -------------------------------------------------------------- generator
def test_interpolation_generator_interpolates_a_continuous_target():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = 2.0 * X[:, 0] - X[:, 1] + 5.0          # linear: interpolation stays on the plane
    gen = InterpolationGenerator(k_neighbors=4, target_type="continuous").fit(X, y)
    X_new, y_new = gen.generate(30, random_state=1)
    assert y_new.dtype == float
    assert np.allclose(y_new, 2.0 * X_new[:, 0] - X_new[:, 1] + 5.0)
    assert y_new.min() >= y.min() and y_new.max() <= y.max()
    # classes mode is untouched: labels come from the anchors
    X_c, y_c = InterpolationGenerator(k_neighbors=4).fit(X, y > 5).generate(
        10, random_state=1)
    assert set(np.unique(y_c)) <= {False, True}


def test_close_target_partners_keep_rare_targets_together():
    X, y = _sparse_range()
    rare = np.flatnonzero(y >= 8)
    gen = InterpolationGenerator(target_type="continuous").fit(X, y)
    from sklearn_activesynth.targeting import Targets
    targets = Targets(anchor_indices=rare, anchors=X[rare], anchor_y=y[rare],
                      anchor_scores=np.zeros(len(rare)), anchor_counts=np.full(len(rare), 3),
                      anchor_regions=np.zeros(len(rare), dtype=int), regions=[],
                      class_counts={})
    _, y_new = gen.generate(targets=targets, random_state=0)
    assert np.all(y_new >= 8.0)


# ------------------------------------------------------------------ guard
class _NoiseTargets(BaseGenerator):
    """Real rows with targets drawn at random over ``scale`` times the real range."""

    def __init__(self, scale=1.0, random_state=None):
        self.scale = scale
        self.random_state = random_state

    def _fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y, dtype=float)

    def _generate(self, n_samples, targets, rng):
        idx = rng.randint(len(self.y_), size=n_samples)
        span = self.y_.max() - self.y_.min()
        y = rng.uniform(-self.scale * span, self.scale * span, size=n_samples)
        return Synthesized(self.X_[idx], y, anchor_positions=np.full(n_samples, -1))


class _ContinuousNoise(_NoiseTargets):
    """The same, declaring continuous targets."""

    def __generator_tags__(self):
        tags = super().__generator_tags__()
        tags.continuous_target = True
        return tags


def test_guard_rejects_a_generator_of_wrong_targets():
    X, y = _linear(200)
    reg = ActiveSynthesisRegressor(generator=_ContinuousNoise(scale=3.0), n_synthetic=0.5,
                                   max_iter=3, patience=3, random_state=0).fit(X, y)
    rounds = reg.history_[reg.history_["round"] > 0]
    assert len(rounds) and not rounds["accepted"].any()
    assert (rounds["val_score"] < reg.history_["val_score"].iloc[0]).all()
    assert len(reg.synthetic_y_) == 0
    assert reg.scoring_ == "r2"


def test_schema_check_drops_absurd_targets():
    X, y = _linear(200)
    reg = ActiveSynthesisRegressor(generator=_ContinuousNoise(scale=1e6), max_iter=1,
                                   random_state=0).fit(X, y)
    row = reg.history_.iloc[1]
    assert row["n_generated"] > 0 and row["n_rejected_schema"] == row["n_generated"]
    assert len(reg.synthetic_y_) == 0


def test_any_regression_scorer_for_the_guard():
    X, y = _linear(150)
    reg = ActiveSynthesisRegressor(scoring="neg_mean_absolute_error", max_iter=1,
                                   random_state=0).fit(X, y)
    assert reg.scoring_ == "neg_mean_absolute_error"
    assert reg.history_["val_score"].iloc[0] < 0


# ---------------------------------------------------- seeds, API, containers
def test_same_random_state_same_rows_and_predictions_and_no_global_rng():
    X, y = _sparse_range()
    state = np.random.get_state()
    fits = [ActiveSynthesisRegressor(targeting="rare", random_state=3).fit(X, y)
            for _ in range(2)]
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and \
        state[2:] == after[2:]
    a, b = fits
    assert len(a.synthetic_y_) == len(b.synthetic_y_)
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_fitted_attributes():
    X, y = _linear(150)
    reg = ActiveSynthesisRegressor(random_state=0).fit(X, y)
    for name in ("estimator_", "history_", "synthetic_X_", "synthetic_y_",
                 "synthetic_provenance_", "synthetic_round_", "n_iter_",
                 "termination_condition_", "validation_indices_", "scoring_"):
        assert hasattr(reg, name), name
    assert not hasattr(reg, "classes_")
    assert isinstance(reg.estimator_, Ridge)
    assert reg.synthetic_y_.dtype == float
    assert len(reg.synthetic_provenance_) == len(reg.synthetic_y_)
    assert r2_score(y, reg.predict(X)) > 0.9


def test_pipeline_grid_search_pickle_and_pandas():
    X, y = _linear(150)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    pipe = make_pipeline(StandardScaler(), ActiveSynthesisRegressor(max_iter=1,
                                                                    random_state=0))
    assert pipe.fit(frame, y).score(frame, y) > 0.9
    grid = GridSearchCV(ActiveSynthesisRegressor(max_iter=1, random_state=0),
                        {"estimator": [Ridge(), LinearRegression()],
                         "targeting": ["uncertain", "rare"]}, cv=2).fit(X, y)
    assert grid.best_score_ > 0.9
    reg = ActiveSynthesisRegressor(random_state=0).fit(frame, y)
    assert list(reg.feature_names_in_) == ["a", "b", "c", "d"]
    assert isinstance(reg.synthetic_X_, pd.DataFrame)
    clone = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(clone.predict(frame), reg.predict(frame))


def test_mixed_frame_gets_an_encoding_pipeline():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=120),
                          "kind": rng.choice(["a", "b", "c"], size=120)})
    y = frame["x"].to_numpy() * 2 + (frame["kind"] == "b") * 3.0
    reg = ActiveSynthesisRegressor(max_iter=1, random_state=0).fit(frame, y)
    assert type(reg.estimator_).__name__ == "Pipeline"
    assert reg.score(frame, y) > 0.9


def test_sample_weight_reaches_the_estimator():
    X, y = _linear(150)
    w = np.ones(len(y))
    w[:75] = 0.0
    a = ActiveSynthesisRegressor(max_iter=0).fit(X, y, sample_weight=w)
    ref = Ridge().fit(X[75:], y[75:])
    np.testing.assert_allclose(a.predict(X), ref.predict(X))
    with pytest.raises(ValueError, match="sample_weight"):
        ActiveSynthesisRegressor(max_iter=0).fit(X, y, sample_weight=-w)


def test_set_params_on_string_strategies():
    reg = ActiveSynthesisRegressor(targeting="rare")
    reg.set_params(targeting__relevance_threshold=0.8, uncertainty__n_members=3)
    assert isinstance(reg.targeting, RegressionTargeting)
    assert reg.targeting.anchors == "rare" and reg.targeting.relevance_threshold == 0.8
    assert isinstance(reg.uncertainty, CommitteeVariance) and reg.uncertainty.n_members == 3


def test_non_numeric_target_is_refused():
    X, _ = _linear(20)
    with pytest.raises(ValueError):
        ActiveSynthesisRegressor().fit(X, np.array(["a"] * 20))


def test_generator_without_continuous_targets_is_warned_about():
    """A generator whose tags declare no continuous targets may treat each float
    as a class: the regressor says so (once) and still validates its rows."""
    X, y = _linear(120)
    with pytest.warns(UserWarning, match="continuous_target") as record:
        reg = ActiveSynthesisRegressor(generator=_NoiseTargets(scale=3.0), max_iter=2,
                                       random_state=0).fit(X, y)
    assert sum("continuous_target" in str(w.message) for w in record) == 1
    assert reg.n_iter_ >= 1 and np.isfinite(reg.predict(X)).all()

