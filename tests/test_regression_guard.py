"""The regressor's confident guard (``guard_confidence``): a round is kept only
when the candidate beats the current model on enough bootstrap resamples of
the validation rows."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import (
    explained_variance_score,
    get_scorer,
    make_scorer,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth._regressor import _FAST_REGRESSION_SCORES, RegressionGuard
from sklearn_activesynth.generators import BaseGenerator, Synthesized

COEF = np.array([3.0, -2.0, 1.0, 0.5])


def _linear(n, seed=0, noise=0.5):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ COEF + noise * rng.normal(size=n)


class _WrongTargets(BaseGenerator):
    """Wrong targets: real feature rows, each with a target drawn uniformly over
    the real targets' range (unrelated to its features)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def __generator_tags__(self):
        tags = super().__generator_tags__()
        tags.continuous_target = True
        return tags

    def _fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y, dtype=float)

    def _generate(self, n_samples, targets, rng):
        idx = rng.randint(len(self.y_), size=n_samples)
        y = rng.uniform(self.y_.min(), self.y_.max(), size=n_samples)
        return Synthesized(self.X_[idx], y, anchor_positions=np.full(n_samples, -1))


class _TrueRows(_WrongTargets):
    """Good rows: new feature rows with the noiseless targets of the true
    linear function."""

    def _generate(self, n_samples, targets, rng):
        X = rng.normal(size=(n_samples, self.X_.shape[1]))
        return Synthesized(X, X @ COEF, anchor_positions=np.full(n_samples, -1))


# ------------------------------------------------------------- win rate
@pytest.mark.parametrize("name, metric", [
    ("r2", r2_score), ("explained_variance", explained_variance_score),
    ("neg_mean_absolute_error", mean_absolute_error),
    ("neg_mean_squared_error", mean_squared_error),
    ("neg_root_mean_squared_error", root_mean_squared_error),
    ("neg_mean_absolute_percentage_error", mean_absolute_percentage_error),
])
def test_vectorised_scores_match_scikit_learn(name, metric):
    rng = np.random.RandomState(0)
    y = rng.normal(size=30) + 2
    pred = y + rng.normal(scale=0.7, size=30)
    counts = rng.multinomial(30, np.full(30, 1 / 30), size=20).astype(float)
    sign = -1 if name.startswith("neg_") else 1
    expected = [sign * metric(y, pred, sample_weight=w) for w in counts]
    np.testing.assert_allclose(_FAST_REGRESSION_SCORES[name](y, pred, counts), expected,
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("metric", [r2_score, explained_variance_score])
def test_vectorised_scores_of_a_constant_target_follow_scikit_learn(metric):
    y, name = np.full(6, 2.0), metric.__name__.replace("_score", "")
    counts = np.ones((1, 6))
    for pred in (y, y + np.arange(6)):
        np.testing.assert_allclose(_FAST_REGRESSION_SCORES[name](y, pred, counts),
                                   [metric(y, pred)])


def _fitted_pair(n_val=60):
    X, y = _linear(40 + n_val, seed=1, noise=1.0)
    good = LinearRegression().fit(X[:40], y[:40])
    # the bad model sees only the weakest column
    bad = make_pipeline(FunctionTransformer(lambda X: X[:, 3:]), LinearRegression())
    return X[40:], y[40:], good, bad.fit(X[:40], y[:40])


@pytest.mark.parametrize("scoring", [None, "neg_mean_absolute_error",
                                     "neg_median_absolute_error",
                                     make_scorer(r2_score)])
def test_win_rate_of_a_clearly_better_model_and_of_a_model_against_itself(scoring):
    X_val, y_val, good, bad = _fitted_pair()
    guard = RegressionGuard(scoring, X_val, y_val)
    rng = np.random.RandomState(0)
    assert guard.win_rate(good, bad, 50, rng) == 1.0
    assert guard.win_rate(bad, good, 50, rng) == 0.0
    assert guard.win_rate(good, good, 50, rng) == 0.5


def test_win_rate_paths_agree_on_a_close_pair():
    # two fits on different rows of the same problem
    X, y = _linear(140, seed=0, noise=3.0)
    a = Ridge(alpha=1.0).fit(X[:40], y[:40])
    b = Ridge(alpha=1.0).fit(X[40:80], y[40:80])
    X_val, y_val = X[80:], y[80:]
    fast = RegressionGuard("r2", X_val, y_val).win_rate(a, b, 400, np.random.RandomState(0))
    slow = RegressionGuard(get_scorer("r2"), X_val, y_val).win_rate(
        a, b, 400, np.random.RandomState(0))
    assert 0.05 < fast < 0.95  # a close pair: neither wins every resample
    assert abs(fast - slow) < 0.1


# ------------------------------------------------------------ the regressor
def test_confident_guard_rejects_every_round_of_wrong_targets():
    accepted_plain = 0
    for seed in range(6):
        X, y = _linear(120, seed=seed, noise=2.0)
        kw = dict(generator=_WrongTargets(), n_synthetic=0.05, max_iter=4, patience=4,
                  random_state=seed)
        conf = ActiveSynthesisRegressor(guard_confidence=0.8, **kw).fit(X, y)
        rounds = conf.history_[conf.history_["round"] > 0]
        assert len(rounds) == 4 and not rounds["accepted"].any()
        assert (rounds["win_rate"] < 0.8).all()
        assert len(conf.synthetic_y_) == 0
        plain = ActiveSynthesisRegressor(**kw).fit(X, y)
        accepted_plain += int(plain.history_["accepted"].iloc[1:].sum())
    # a few wrong rows move the model little: the plain guard lets some of
    # these rounds through on a small validation split (what the rule is for)
    assert accepted_plain > 0


def test_confident_guard_keeps_rows_that_clearly_help():
    X, y = _linear(50, seed=0, noise=3.0)
    reg = ActiveSynthesisRegressor(generator=_TrueRows(), n_synthetic=1.0, max_iter=3,
                                   guard_confidence=0.8, random_state=0).fit(X, y)
    rounds = reg.history_[reg.history_["round"] > 0]
    assert rounds["accepted"].iloc[0]
    assert (rounds.loc[rounds["accepted"], "win_rate"] >= 0.8).all()
    assert len(reg.synthetic_y_) > 0


def test_guard_confidence_changes_which_rounds_are_kept_and_nothing_else():
    # every round helps: both settings keep all of them, so the same rows
    X, y = _linear(50, seed=0, noise=3.0)
    kw = dict(generator=_TrueRows(), n_synthetic=1.0, max_iter=2, random_state=0)
    a = ActiveSynthesisRegressor(guard_confidence=0.8, **kw).fit(X, y)
    b = ActiveSynthesisRegressor(**kw).fit(X, y)
    assert a.history_["accepted"].all() and b.history_["accepted"].all()
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_none_is_the_plain_rule():
    X, y = _linear(150, seed=3, noise=2.0)
    reg = ActiveSynthesisRegressor(max_iter=3, patience=3, random_state=0).fit(X, y)
    h = reg.history_
    assert h["win_rate"].isna().all()
    current = h["val_score"].iloc[0]
    for _, row in h.iloc[1:].iterrows():
        assert row["accepted"] == (row["val_score"] >= current - 1e-12)
        current = row["val_score"] if row["accepted"] else current


def test_confident_guard_is_reproducible_and_leaves_the_global_rng_alone():
    X, y = _linear(120, seed=4, noise=2.0)
    state = np.random.get_state()
    fits = [ActiveSynthesisRegressor(guard_confidence=0.9, random_state=5).fit(X, y)
            for _ in range(2)]
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    a, b = fits
    np.testing.assert_array_equal(a.history_["win_rate"], b.history_["win_rate"])
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_rounds_the_confident_guard_rejects_count_for_patience():
    X, y = _linear(120, seed=0, noise=2.0)
    reg = ActiveSynthesisRegressor(generator=_WrongTargets(), n_synthetic=0.05,
                                   max_iter=5, patience=2, guard_confidence=0.8,
                                   random_state=0).fit(X, y)
    assert reg.n_iter_ == 2 and reg.termination_condition_ == "no_improvement"


def test_confident_guard_without_validation_rows_accepts_as_before():
    X, y = _linear(60)
    reg = ActiveSynthesisRegressor(validation_fraction=None, guard_confidence=0.8,
                                   max_iter=1, random_state=0).fit(X, y)
    assert reg.history_["accepted"].iloc[1] and reg.history_["win_rate"].isna().all()


@pytest.mark.parametrize("value", [0.5, 0.3, 1.5, "high"])
def test_guard_confidence_is_validated(value):
    X, y = _linear(40)
    with pytest.raises(InvalidParameterError, match="guard_confidence"):
        ActiveSynthesisRegressor(guard_confidence=value).fit(X, y)
