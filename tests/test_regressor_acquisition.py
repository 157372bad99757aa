"""ActiveSynthesisRegressor: unlabelled targets, the oracle, and query."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import BaggingRegressor, GradientBoostingRegressor
from sklearn.linear_model import BayesianRidge, LinearRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.acquisition import (
    Acquisition,
    CoreSetSampling,
    HybridSampling,
    OracleFailedWarning,
    UncertaintySampling,
    resolve_regression_query_strategy,
)
from sklearn_activesynth.uncertainty import (
    CommitteeVariance,
    PredictiveStd,
    SoftmaxUncertainty,
    committee_variance,
)


def _data(n=300, n_labelled=60, seed=0):
    """A linear target; the first ``n_labelled`` rows labelled, the rest NaN."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y_true = X @ np.array([2.0, -1.0, 0.5]) + 0.3 * rng.normal(size=n)
    y = y_true.copy()
    y[n_labelled:] = np.nan
    return X, y_true, y


def lookup(y_true):
    def oracle(rows, indices):
        return y_true[indices]
    return oracle


# --------------------------------------------------------------- the oracle
def test_the_oracle_labels_unlabelled_rows_and_they_train_the_model():
    X, y_true, y = _data()
    reg = ActiveSynthesisRegressor(oracle=lookup(y_true), acquisition=Acquisition(
        budget_init=15, budget_step=5), max_iter=3, random_state=0).fit(X, y)
    rounds = reg.history_[reg.history_["round"] > 0]
    assert rounds["n_acquired"].astype(int).tolist() == [15, 20, 25]
    assert len(reg.acquired_indices_) == 60
    assert np.isnan(y[reg.acquired_indices_]).all()          # only unlabelled rows asked
    np.testing.assert_array_equal(reg.acquired_labels_, y_true[reg.acquired_indices_])
    assert reg.acquired_labels_.dtype == float
    assert (rounds["acquired_y_min"] <= rounds["acquired_y_max"]).all()
    assert not np.isin(reg.acquired_indices_, reg.validation_indices_).any()
    # the final model learned the labelled and the acquired rows (max_iter=0 refit)
    rows = np.r_[np.arange(60), reg.acquired_indices_]
    plain = ActiveSynthesisRegressor(Ridge(), max_iter=0).fit(X[rows], y_true[rows])
    if len(reg.synthetic_y_) == 0:
        np.testing.assert_allclose(reg.predict(X), plain.predict(X))
    assert np.isnan(y[60:]).all()   # the user's y is not written


def test_minus_one_and_zero_are_targets_not_unlabelled_rows():
    X, y_true, y = _data(n=120, n_labelled=120)
    y[:10], y[10:20] = -1.0, 0.0
    reg = ActiveSynthesisRegressor(oracle=lookup(y_true), max_iter=1,
                                   random_state=0).fit(X, y)
    assert "n_acquired" in reg.history_ and reg.history_["n_acquired"].iloc[1] == 0
    assert len(reg.acquired_indices_) == 0
    # a sentinel marks the rows instead when asked to
    y_sentinel = y_true.copy()
    y_sentinel[100:] = -999.0
    reg = ActiveSynthesisRegressor(oracle=lookup(y_true), missing_label=-999.0,
                                   max_iter=1, random_state=0).fit(X, y_sentinel)
    assert reg.history_["n_unlabelled_left"].iloc[0] == 20
    assert set(reg.acquired_indices_) <= set(range(100, 120))


def test_unlabelled_rows_without_an_oracle_are_left_out():
    X, y_true, y = _data(n=200, n_labelled=100)
    a = ActiveSynthesisRegressor(Ridge(), max_iter=0).fit(X, y)
    b = Ridge().fit(X[:100], y_true[:100])
    np.testing.assert_allclose(a.predict(X), b.predict(X))
    w = np.r_[np.ones(100), np.zeros(100)]      # weights of unlabelled rows never count
    c = ActiveSynthesisRegressor(Ridge(), max_iter=0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(c.predict(X), b.predict(X))


def test_bad_parameters_say_what_to_do():
    X, y_true, y = _data(n=80, n_labelled=40)
    with pytest.raises(ValueError, match="acquisition is set but oracle is None"):
        ActiveSynthesisRegressor(acquisition=Acquisition()).fit(X, y)
    with pytest.raises(ValueError, match="every row of y is unlabelled"):
        ActiveSynthesisRegressor().fit(X, np.full(len(y), np.nan))
    with pytest.raises(ValueError, match="'margin' ranks rows by class probabilities"):
        ActiveSynthesisRegressor(oracle=lookup(y_true), acquisition=Acquisition("margin"),
                                 max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="missing_label"):
        ActiveSynthesisRegressor(missing_label="?").fit(X, y)


def test_the_ranking_inside_fit_uses_the_strategy():
    X, y_true, y = _data()
    first = []

    def oracle(rows, indices):
        if not first:
            first.extend(indices.tolist())
        return y_true[indices]

    far = Acquisition(lambda model, rows: np.abs(np.asarray(rows)[:, 0]), budget_init=10)
    ActiveSynthesisRegressor(oracle=oracle, acquisition=far, max_iter=1,
                             random_state=0).fit(X, y)
    unl = np.arange(60, 300)
    expected = unl[np.argsort(-np.abs(X[unl, 0]), kind="stable")[:10]]
    assert sorted(first) == sorted(expected.tolist())
    # the default ("auto") fits a committee on the round's rows and ranks by its variance
    reg = ActiveSynthesisRegressor(oracle=lookup(y_true), max_iter=1,
                                   random_state=0).fit(X, y)
    assert reg.history_["query_committee_size"].iloc[1] == 5
    for strategy in ("hybrid", "coreset", "random", "predictive_std"):
        est = BayesianRidge() if strategy == "predictive_std" else Ridge()
        reg = ActiveSynthesisRegressor(est, oracle=lookup(y_true), max_iter=1,
                                       acquisition=Acquisition(strategy),
                                       random_state=0).fit(X, y)
        assert reg.history_["n_acquired"].iloc[1] == 10, strategy


def test_the_default_acquisition_asks_for_the_rows_of_largest_variance():
    # far-away rows are where a linear model's bootstrap members disagree most
    X, y_true, y = _data(n=260, n_labelled=60)
    X[250:] *= 8.0
    reg = ActiveSynthesisRegressor(oracle=lookup(y_true), max_iter=1,
                                   random_state=0).fit(X, y)
    assert set(reg.acquired_indices_) == set(range(250, 260))


def test_proxy_and_same_seed_same_acquisition():
    X, y_true, y = _data()
    acq = Acquisition(budget_init=8, query_estimator=LinearRegression())
    fits = [ActiveSynthesisRegressor(oracle=lookup(y_true), acquisition=acq, max_iter=2,
                                     random_state=1).fit(X, y) for _ in range(2)]
    a, b = fits
    np.testing.assert_array_equal(a.acquired_indices_, b.acquired_indices_)
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert isinstance(a.query_estimator_, LinearRegression)
    assert a.history_["query_model"].iloc[1] == "LinearRegression"
    assert a.query(X[60:], 4, query_estimator=a.query_estimator_,
                   strategy=UncertaintySampling(lambda m, r: -np.abs(m.predict(r))))\
        .shape == (4,)


def test_an_oracle_on_a_frame_gets_its_rows_with_their_index():
    X, y_true, y = _data(n=150, n_labelled=50)
    frame = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(1000, 1150))
    truth = pd.Series(y_true, index=frame.index)
    reg = ActiveSynthesisRegressor(oracle=lambda rows: truth.loc[rows.index], max_iter=2,
                                   random_state=0).fit(frame, pd.Series(y, index=frame.index))
    np.testing.assert_array_equal(reg.acquired_labels_, y_true[reg.acquired_indices_])


# ---------------------------------------------------------- a failing oracle
def _failing(y_true, mode):
    calls = []

    def oracle(rows, indices):
        calls.append(len(indices))
        if mode == "raise":
            raise ConnectionError("claims system down")
        if mode == "once" and len(calls) == 1:
            raise ConnectionError("a blip")
        if mode == "short":
            return y_true[indices][:-1]
        if mode == "text":
            out = y_true[indices].astype(object)
            out[0] = "pending"
            return out
        if mode == "unanswered":
            out = y_true[indices].copy()
            out[:3] = np.nan
            return out
        return y_true[indices]
    return oracle, calls


@pytest.mark.parametrize("mode", ["raise", "short", "text"])
def test_a_failing_oracle_never_crashes_the_fit(mode):
    X, y_true, y = _data()
    oracle, calls = _failing(y_true, mode)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg = ActiveSynthesisRegressor(oracle=oracle, max_iter=3, patience=3,
                                       random_state=0).fit(X, y)
    failed = [w for w in caught if issubclass(w.category, OracleFailedWarning)]
    assert len(failed) == 1                       # once per fit
    errors = reg.history_["oracle_error"].iloc[1:]
    assert errors.notna().all()
    if mode == "raise":                           # retried within the bound
        assert reg.history_["oracle_attempts"].iloc[1:].tolist() == [3, 3, 3]
        assert len(reg.acquired_indices_) == 0 and "ConnectionError" in errors.iloc[0]
    if mode == "text":                            # the numbers it gave are kept
        assert "not finite numbers" in errors.iloc[0] and "'pending'" in errors.iloc[0]
        assert reg.history_["n_acquired"].iloc[1] == 9
    assert hasattr(reg, "estimator_") and np.isfinite(reg.predict(X)).all()


def test_a_transient_failure_is_retried_and_unanswered_rows_stay_in_the_pool():
    X, y_true, y = _data()
    oracle, calls = _failing(y_true, "once")
    reg = ActiveSynthesisRegressor(oracle=oracle, max_iter=1, random_state=0).fit(X, y)
    assert reg.history_["oracle_attempts"].iloc[1] == 2
    assert reg.history_["n_acquired"].iloc[1] == 10
    assert pd.isna(reg.history_["oracle_error"].iloc[1])
    oracle, _ = _failing(y_true, "unanswered")
    reg = ActiveSynthesisRegressor(oracle=oracle, max_iter=2, random_state=0).fit(X, y)
    assert reg.history_["n_unanswered"].iloc[1:].tolist() == [3, 3]
    assert reg.history_["oracle_error"].iloc[1:].isna().all()
    assert np.isfinite(reg.acquired_labels_).all()


# -------------------------------------------------------------------- query
def test_query_ranks_the_pool_by_the_committee_variance():
    X, y_true, _ = _data(n=400)
    reg = ActiveSynthesisRegressor(max_iter=1, random_state=0).fit(X[:100], y_true[:100])
    assert len(reg.committee_) == 5
    pool = X[100:]
    positions, scores = reg.query(pool, 20, return_scores=True)
    # by hand: U(x) = (1/k) sum_i (f_i(x) - fbar(x))^2 over the kept committee
    preds = np.stack([m.predict(pool) for m in reg.committee_])
    u = ((preds - preds.mean(axis=0)) ** 2).mean(axis=0)
    np.testing.assert_allclose(scores, np.sort(u)[::-1][:20], rtol=1e-10)
    np.testing.assert_array_equal(positions, np.argsort(-u, kind="stable")[:20])
    np.testing.assert_allclose(u, committee_variance(preds))
    later = reg.query(pool, 5, exclude=positions)
    assert not set(later) & set(positions)
    # the same with the scorer spelled out, and with a batch spread by diversity
    np.testing.assert_array_equal(reg.query(pool, 20, strategy="ensemble_variance"),
                                  positions)
    spread = reg.query(pool, 5, strategy=UncertaintySampling(CommitteeVariance(),
                                                             diversity=5.0))
    assert len(set(spread)) == 5


def test_query_with_an_ensemble_or_a_bayesian_model():
    X, y_true, _ = _data(n=300)
    bag = ActiveSynthesisRegressor(BaggingRegressor(DecisionTreeRegressor(max_depth=3),
                                                    n_estimators=6, max_features=2,
                                                    random_state=0),
                                   max_iter=0, random_state=0).fit(X[:100], y_true[:100])
    assert not hasattr(bag, "committee_")        # its own members are the committee
    pool = X[100:]
    _, scores = bag.query(pool, 10, return_scores=True)
    np.testing.assert_allclose(scores, np.sort(CommitteeVariance()(bag.estimator_, pool))
                               [::-1][:10])
    bayes = ActiveSynthesisRegressor(BayesianRidge(), uncertainty="predictive_std",
                                     max_iter=0).fit(X[:100], y_true[:100])
    assert not hasattr(bayes, "committee_")
    std = bayes.estimator_.predict(pool, return_std=True)[1]
    np.testing.assert_array_equal(bayes.query(pool, 5), np.argsort(-std, kind="stable")[:5])
    with pytest.raises(ValueError, match="not a fitted committee"):
        bayes.query(pool, 5, strategy="ensemble_variance")
    lean = ActiveSynthesisRegressor(max_iter=0, keep_committee=False).fit(X[:100],
                                                                          y_true[:100])
    assert not hasattr(lean, "committee_")
    with pytest.raises(ValueError, match="keep_committee=False"):
        lean.query(pool, 5)
    assert lean.query(pool, 5, strategy="coreset").shape == (5,)
    # a boosting model's stages are no committee: it gets a committee_ of its own
    gb = ActiveSynthesisRegressor(GradientBoostingRegressor(n_estimators=10), max_iter=0,
                                  random_state=0).fit(X[:100], y_true[:100])
    assert len(gb.committee_) == 5 and gb.query(pool, 3).shape == (3,)


def test_query_diversity_options_and_class_strategies():
    X, y_true, _ = _data(n=300)
    reg = ActiveSynthesisRegressor(max_iter=0, random_state=0).fit(X[:100], y_true[:100])
    pool = X[100:]
    for strategy in ("hybrid", "coreset", "random", HybridSampling(lam=0.0),
                     CoreSetSampling(n_candidates=50)):
        assert reg.query(pool, 4, strategy=strategy).shape == (4,)
    np.testing.assert_array_equal(reg.query(pool, 4, strategy="random"),
                                  reg.query(pool, 4, strategy="random"))
    hybrid = HybridSampling(uncertainty="ensemble_variance")
    before = hybrid.get_params()
    assert reg.query(pool, 4, strategy=hybrid).shape == (4,)
    assert hybrid.get_params() == before            # the user's object is not modified
    for strategy in ("margin", "entropy", "least_confidence", UncertaintySampling("margin"),
                     HybridSampling(), SoftmaxUncertainty("entropy")):
        with pytest.raises(ValueError, match="class probabilities"):
            reg.query(pool, 4, strategy=strategy)
    with pytest.raises(ValueError, match="Unknown query strategy"):
        reg.query(pool, 4, strategy="variance!")


def test_the_regression_resolver():
    assert isinstance(resolve_regression_query_strategy(None).measure, CommitteeVariance)
    assert isinstance(resolve_regression_query_strategy(None, "predictive_std").measure,
                      PredictiveStd)
    hybrid = resolve_regression_query_strategy("hybrid", CommitteeVariance(n_members=3))
    assert hybrid.uncertainty.n_members == 3
    own = resolve_regression_query_strategy("ensemble_variance",
                                            CommitteeVariance(n_members=7))
    assert own.measure.n_members == 7


def test_acquisition_is_tunable_as_nested_parameters():
    reg = ActiveSynthesisRegressor()
    reg.set_params(acquisition__strategy__diversity=0.5, acquisition__budget_init=4)
    assert isinstance(reg.acquisition.strategy.measure, CommitteeVariance)
    assert reg.acquisition.strategy.diversity == 0.5 and reg.acquisition.budget_init == 4


def test_an_oracle_that_hangs_is_not_called_again():
    import time

    X, y_true, y = _data(n=150, n_labelled=60)
    calls = []

    def slow(rows, indices):
        calls.append(len(indices))
        time.sleep(1.0)
        return y_true[indices]

    with pytest.warns(OracleFailedWarning, match="TimeoutError"):
        reg = ActiveSynthesisRegressor(oracle=slow, generator_timeout=0.2, max_iter=3,
                                       patience=3, random_state=0).fit(X, y)
    assert len(calls) == 1                       # never called after the timeout
    assert "TimeoutError" in reg.history_["oracle_error"].iloc[1]
    assert len(reg.acquired_indices_) == 0 and np.isfinite(reg.predict(X)).all()
