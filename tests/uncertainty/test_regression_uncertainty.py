"""Regression uncertainty: the committee's formula inside the loop, quantile-interval
width, out-of-fold predictive std, user callables, every measure in the regressor."""

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.linear_model import BayesianRidge, QuantileRegressor, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.uncertainty import (
    CommitteeVariance,
    MCDropoutVariance,
    PredictiveStd,
    QuantileIntervalWidth,
    resolve_regression_uncertainty,
)
from sklearn_activesynth.uncertainty._regression import REGRESSION_MEASURES


def _linear(n=120, seed=0, noise=0.5):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([3.0, -2.0, 1.0]) + noise * rng.normal(size=n)
    return X, y


def _heteroscedastic(n=300, seed=0):
    """y = x0 + noise whose scale is 0.1 for x0 < 0.5 and 1.0 above."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 1, size=(n, 2))
    scale = np.where(X[:, 0] < 0.5, 0.1, 1.0)
    return X, X[:, 0] + scale * rng.normal(size=n)


def _fast_hgb():
    return HistGradientBoostingRegressor(loss="quantile", max_iter=40)


# -------------------------------------------- committee variance, in the loop
class _RecordingCommittee(CommitteeVariance):
    """The real CommitteeVariance, keeping what the loop handed it and got back."""

    def fit_committee(self, estimator, X, y, sample_weight=None, **kw):
        members, in_bag = super().fit_committee(estimator, X, y, sample_weight, **kw)
        self.log_.append(("fit", members, in_bag))
        return members, in_bag

    def score_committee(self, members, X, n_classes=None, exclude=None):
        out = super().score_committee(members, X, n_classes, exclude)
        self.log_.append(("score", members, np.asarray(X).copy(), exclude, out[0]))
        return out


def test_committee_variance_inside_the_loop_is_the_seed_formula_out_of_bag():
    X, y = _linear(150)
    scorer = _RecordingCommittee(n_members=4)
    scorer.log_ = []
    reg = ActiveSynthesisRegressor(Ridge(), uncertainty=scorer, max_iter=2, tol=0.0,
                                   patience=5, random_state=0).fit(X, y)
    fits = [e for e in scorer.log_ if e[0] == "fit"]
    train_scores = [e for e in scorer.log_ if e[0] == "score" and e[3] is not None]
    assert len(fits) == len(train_scores) == reg.n_iter_ == 2
    for (_, members, in_bag), (_, same, X_tr, exclude, u) in zip(fits, train_scores):
        assert same is members
        n_real = X_tr.shape[0]
        # exclude is the members' in-bag rows among the real training rows
        np.testing.assert_array_equal(exclude, in_bag[:, :n_real])
        preds = np.array([m.predict(X_tr) for m in members])       # (k, n_real)
        expected = np.empty(n_real)
        for j in range(n_real):
            # out-of-bag members vote; a row fewer than two of them left out: all
            voters = ~in_bag[:, j] if (~in_bag[:, j]).sum() >= 2 else np.ones(4, bool)
            f = preds[voters, j]
            k = len(f)
            fbar = f.sum() / k
            expected[j] = ((f - fbar) ** 2).sum() / k   # (1/k) sum_i (f_i - fbar)^2
        np.testing.assert_allclose(u, expected, rtol=1e-10, atol=1e-14)
        assert (u > 0).all()      # every row has at least two votes: no spurious 0
    # what history_ reports is that score
    np.testing.assert_allclose(reg.history_["mean_uncertainty_train"].iloc[1:3],
                               [s[4].mean() for s in train_scores], rtol=1e-12)


# ------------------------------------------------------ predictive std, callables
def _gp():
    # a fixed kernel, a tiny noise term: the std is ~0 on a training row
    return GaussianProcessRegressor(kernel=RBF(1.5), alpha=1e-6, optimizer=None)


def test_predictive_std_is_out_of_fold_by_default():
    X, y = _linear(100)
    mean_u = {}
    for cv in (5, None):
        reg = ActiveSynthesisRegressor(_gp(), uncertainty="predictive_std", max_iter=1,
                                       uncertainty_cv=cv, random_state=0).fit(X, y)
        mean_u[cv] = reg.history_["mean_uncertainty_train"].iloc[1]
    assert mean_u[None] < 1e-2          # in-sample: the GP interpolates its rows
    assert mean_u[5] > 20 * mean_u[None]


def test_user_callable_scores_rows_its_model_did_not_see():
    X, y = _linear(100)
    calls = []

    def spread(model, X_rows):
        calls.append((model.X_train_.copy(), np.asarray(X_rows).copy()))
        return model.predict(X_rows, return_std=True)[1]

    reg = ActiveSynthesisRegressor(_gp(), uncertainty=spread, max_iter=1,
                                   random_state=0).fit(X, y)
    assert len(calls) >= 6                              # 5 folds + the validation rows
    scored = 0
    for X_fit, X_rows in calls:
        same = (X_rows[:, None, :] == X_fit[None, :, :]).all(axis=2)
        assert not same.any()
        scored += len(X_rows)
    assert scored >= len(X) - 1          # every real row, out-of-fold or validation
    assert reg.history_["mean_uncertainty_train"].iloc[1] > 0.01


# -------------------------------------------------------- quantile interval width
def test_quantile_width_is_larger_where_the_noise_is_larger():
    X, y = _heteroscedastic()
    scorer = QuantileIntervalWidth(alpha=0.2, estimator=_fast_hgb())
    pairs, in_bag = scorer.fit_committee(None, X, y, random_state=0)
    assert len(pairs) == 5 and in_bag.shape == (5, len(y))
    assert (in_bag.sum(axis=0) == 4).all()               # each row left out once
    width, _ = scorer.score_committee(pairs, X, exclude=in_bag)   # out-of-fold
    noisy = X[:, 0] >= 0.5
    assert width[noisy].mean() > 3 * width[~noisy].mean()
    # a 80 % interval of noise N(0, 1) is about 2.56 wide, of N(0, 0.1) 0.26
    assert 1.5 < np.median(width[noisy]) < 4.0
    assert np.median(width[~noisy]) < 0.8


def test_quantile_width_out_of_fold_is_the_pair_that_did_not_see_the_row():
    X, y = _heteroscedastic(120)
    scorer = QuantileIntervalWidth(estimator=QuantileRegressor(alpha=0.0), cv=3)
    pairs, in_bag = scorer.fit_committee(None, X, y, random_state=1)
    width, mean = scorer.score_committee(pairs, X, exclude=in_bag)
    assert mean is None
    for i, (lower, upper) in enumerate(pairs):
        rows = ~in_bag[i]
        np.testing.assert_allclose(
            width[rows], np.abs(upper.predict(X[rows]) - lower.predict(X[rows])))
        assert lower.quantile == pytest.approx(0.05) and upper.quantile == pytest.approx(0.95)
    # without exclusion: the mean width of the pairs
    all_w, _ = scorer.score_committee(pairs, X[:5])
    np.testing.assert_allclose(all_w, np.mean([scorer(p, X[:5]) for p in pairs], axis=0))


def test_quantile_width_estimators_and_seeds():
    X, y = _heteroscedastic(150)
    pipe = make_pipeline(StandardScaler(), QuantileRegressor(alpha=0.0))
    scorer = QuantileIntervalWidth(alpha=0.5, estimator=pipe)
    pairs, _ = scorer.fit_committee(None, X, y, random_state=0)
    assert pairs[0][0][-1].quantile == 0.25 and pairs[0][1][-1].quantile == 0.75
    assert pipe[-1].quantile == 0.5                       # the user's object is untouched
    pair = (GradientBoostingRegressor(loss="quantile", alpha=0.1, n_estimators=20),
            GradientBoostingRegressor(loss="quantile", alpha=0.9, n_estimators=20))
    scorer = QuantileIntervalWidth(estimator=pair)
    a = scorer.score_committee(scorer.fit_committee(None, X, y, random_state=3)[0], X)[0]
    b = scorer.score_committee(scorer.fit_committee(None, X, y, random_state=3)[0], X)[0]
    np.testing.assert_array_equal(a, b)
    assert (a > 0).all()
    # cv=None: one pair on every row
    pairs, in_bag = QuantileIntervalWidth(estimator=pair, cv=None).fit_committee(
        None, X, y, random_state=0)
    assert len(pairs) == 1 and in_bag.all()


def test_quantile_width_clear_errors():
    X, y = _heteroscedastic(60)
    with pytest.raises(ValueError, match="no `quantile` parameter"):
        QuantileIntervalWidth(estimator=Ridge()).fit_committee(None, X, y)
    with pytest.raises(ValueError, match="loss='quantile'"):
        QuantileIntervalWidth(estimator=HistGradientBoostingRegressor()).fit_committee(
            None, X, y)
    with pytest.raises(ValueError, match="exactly two"):
        QuantileIntervalWidth(estimator=(Ridge(),)).fit_committee(None, X, y)
    with pytest.raises(TypeError, match="pair"):
        QuantileIntervalWidth()(Ridge().fit(X, y), X)
    with pytest.raises(ValueError, match="alpha"):
        QuantileIntervalWidth(alpha=1.5).fit_committee(None, X, y)


def test_quantile_interval_aims_the_regressor_at_the_noisy_half():
    X, y = _heteroscedastic(200)
    reg = ActiveSynthesisRegressor(
        uncertainty=QuantileIntervalWidth(estimator=_fast_hgb()), max_iter=1,
        validation_fraction=None, random_state=0).fit(X, y)
    anchors = reg.synthetic_provenance_["anchor_index"].to_numpy()
    assert len(anchors) > 0
    assert np.mean(X[anchors, 0] >= 0.5) > 0.8
    # in the target's units: tol scales with the standard deviation
    assert QuantileIntervalWidth.score_units == "target"


# ------------------------------------------------------ every measure, resolved
def test_registry_and_resolution():
    assert set(REGRESSION_MEASURES) == {"ensemble_variance", "predictive_std",
                                        "mc_dropout", "quantile_interval"}
    assert isinstance(resolve_regression_uncertainty("mc_dropout"), MCDropoutVariance)
    assert isinstance(resolve_regression_uncertainty("quantile_interval"),
                      QuantileIntervalWidth)
    assert {CommitteeVariance.score_units, MCDropoutVariance.score_units} == {"squared"}
    assert {PredictiveStd.score_units, QuantileIntervalWidth.score_units} == {"target"}
    with pytest.raises(ValueError, match="quantile_interval"):
        resolve_regression_uncertainty("quantile")


@pytest.mark.parametrize("uncertainty, estimator", [
    ("ensemble_variance", None),
    ("predictive_std", BayesianRidge()),
    ("quantile_interval", None),
    (lambda model, X: np.abs(model.predict(X)), None),
])
def test_regressor_fits_with_each_measure(uncertainty, estimator):
    X, y = _linear(120)
    fits = [ActiveSynthesisRegressor(estimator, uncertainty=uncertainty, max_iter=1,
                                     random_state=0).fit(X, y) for _ in range(2)]
    a, b = fits
    assert a.predict(X).shape == (120,) and a.score(X, y) > 0.9
    assert np.isfinite(a.history_["mean_uncertainty_train"].iloc[1])
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


_WITHOUT_TORCH = r"""
import importlib.abc, sys
import numpy as np

class _NoTorch(importlib.abc.MetaPathFinder):   # as if the torch extra were not installed
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("torch", "skorch"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, _NoTorch())
from sklearn_activesynth import ActiveSynthesisRegressor
X = np.random.RandomState(0).normal(size=(60, 2))
try:
    ActiveSynthesisRegressor(uncertainty="mc_dropout", max_iter=1, random_state=0).fit(
        X, X[:, 0])
except ImportError as exc:
    print(exc)
"""


def test_mc_dropout_without_torch_names_the_extra():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", _WITHOUT_TORCH], capture_output=True,
                         text=True, env=env, timeout=120)
    assert "MCDropoutVariance needs torch" in out.stdout, out.stderr[-2000:]
    assert "sklearn-activesynth[torch]" in out.stdout


@pytest.mark.parametrize("column", ["str", "string", "datetime"])
def test_quantile_interval_takes_the_frames_the_default_estimator_takes(column):
    # the fuzz (tests/test_fuzz_regression.py) found uncertainty="quantile_interval"
    # failing on frames the default estimator fits: the quantile
    # HistGradientBoostingRegressor read the string / date columns itself
    import pandas as pd

    from sklearn_activesynth import ActiveSynthesisRegressionSampler

    rng = np.random.RandomState(0)
    values = {"str": rng.choice(["u", "v"], 60),
              "string": pd.array(rng.choice(["p", "q"], 60).astype(object), dtype="string"),
              "datetime": pd.to_datetime(rng.randint(0, 10**9, 60), unit="s")}[column]
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "c": values})
    y = 2 * X["a"].to_numpy() + rng.normal(size=60)
    X_before = X.copy()
    reg = ActiveSynthesisRegressor(uncertainty="quantile_interval", max_iter=1,
                                   random_state=0).fit(X, y)
    assert np.all(np.isfinite(reg.predict(X)))
    X_res, y_res = ActiveSynthesisRegressionSampler(
        uncertainty="quantile_interval", max_iter=1, random_state=0).fit_resample(X, y)
    assert list(X_res.columns) == list(X.columns) and len(X_res) == len(y_res)
    pd.testing.assert_frame_equal(X, X_before)
