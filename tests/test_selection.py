"""The UCB selector over arms of synthetic rows, on constructed cases whose
right answer is known: fresh real rows help, label-flipped rows hurt."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth._loop import GeneratorFailedWarning
from sklearn_activesynth.generators import InterpolationGenerator
from sklearn_activesynth.generators.base import BaseGenerator
from sklearn_activesynth.selection import (
    Arm,
    UCBSelector,
    default_arms,
    normalised_gain,
    resolve_selector,
    ucb_values,
    usability_score,
)


def _population(seed=0, n=6000):
    return make_classification(n_samples=n, n_features=8, n_informative=5,
                               weights=[0.8], class_sep=0.8, flip_y=0.0,
                               random_state=seed)


class FreshRows(BaseGenerator):
    """Returns unseen rows of the population the training rows came from:
    more real data, so adding them helps a small-data model."""

    def __init__(self, flip=False, seed=123):
        self.flip = flip
        self.seed = seed

    def _fit(self, X, y):
        self.pool_X_, self.pool_y_ = _population(self.seed)

    def _generate(self, n_samples, targets, rng):
        idx = rng.randint(len(self.pool_y_), size=n_samples)
        y = self.pool_y_[idx]
        return self.pool_X_[idx], (1 - y) if self.flip else y


class Broken(BaseGenerator):
    def _fit(self, X, y):
        raise RuntimeError("service down")

    def _generate(self, n_samples, targets, rng):  # pragma: no cover - never fitted
        raise RuntimeError("service down")


def _small(seed=0, n=120):
    X, y = _population(seed=123)
    rng = np.random.RandomState(seed)
    idx = rng.choice(len(y), n, replace=False)
    return X[idx], y[idx]


# ------------------------------------------------------------- the formulas
def test_ucb_values_match_the_formula():
    sums, pulls = np.array([0.6, -0.2, 0.0]), np.array([3, 2, 0])
    total = 5 + 1
    expected = [0.6 / 3 + 1.5 * math.sqrt(math.log(total) / 3),
                -0.2 / 2 + 1.5 * math.sqrt(math.log(total) / 2)]
    got = ucb_values(sums, pulls, c=1.5)
    assert got[:2] == pytest.approx(expected)
    assert np.isinf(got[2])


@pytest.mark.parametrize("score, current, expected", [
    (0.85, 0.80, 0.25), (0.75, 0.80, -0.25), (0.2, 0.9, -1.0), (0.8, 0.8, 0.0),
    (1.0, 1.0, 0.0), (np.nan, 0.5, 0.0)])
def test_normalised_gain(score, current, expected):
    assert normalised_gain(score, current) == pytest.approx(expected)


def test_choose_pulls_unpulled_arms_in_order_then_by_value():
    sel = UCBSelector(c=0.0, pulls_per_round=2)
    rng = np.random.RandomState(0)
    assert sel.choose(np.zeros(4), np.zeros(4, int), rng) == [0, 1]
    assert sel.choose(np.array([0.0, 0.0, 0.0, 0.0]), np.array([1, 1, 0, 0]), rng) == [2, 3]
    # with c=0 the value is the mean reward
    assert sel.choose(np.array([-0.3, 0.4, 0.1, 0.0]), np.ones(4, int), rng) == [1, 2]


def test_usability_components():
    rng = np.random.RandomState(0)
    Z_real = rng.normal(size=(300, 2))
    y_real = (Z_real[:, 0] > 0).astype(int)
    inside = np.c_[np.full(20, 1.5), rng.normal(size=20)]      # deep in class 1
    boundary = np.c_[np.zeros(20), rng.normal(size=20)]        # on the boundary
    far = np.c_[np.full(20, 9.0), np.full(20, 9.0)]            # unrealistic duplicates
    Z = np.vstack([inside, boundary, far])
    s = usability_score(Z, np.ones(60, int), Z_real, y_real, random_state=0)
    assert list(s.columns) == ["usability", "realism", "cohesion", "diversity"]
    assert ((s.to_numpy() >= 0) & (s.to_numpy() <= 1)).all()
    assert s["cohesion"][:20].mean() > s["cohesion"][20:40].mean() + 0.15
    assert s["diversity"][40:].max() == 0.0  # exact duplicates of each other
    assert s["realism"][40:].mean() < s["realism"][:40].mean()
    assert np.allclose(s["usability"], s["realism"] * s["cohesion"] * s["diversity"])
    # a wrongly labelled row is not cohesive
    wrong = usability_score(inside, np.zeros(20, int), Z_real, y_real, random_state=0)
    assert wrong["cohesion"].mean() < 0.5 < s["cohesion"][:20].mean()


def test_arm_and_selector_validation():
    with pytest.raises(ValueError, match="band"):
        UCBSelector(arms=[Arm("x", band=(0.8, 0.2))]).resolve_arms()
    with pytest.raises(ValueError, match="unique"):
        UCBSelector(arms=[Arm("x"), Arm("x")]).resolve_arms()
    with pytest.raises(TypeError, match="Arm"):
        UCBSelector(arms=["uncertain"]).resolve_arms()
    with pytest.raises(ValueError, match="no arm"):
        UCBSelector(arms=[]).resolve_arms()
    with pytest.raises(ValueError, match="Unknown selector"):
        resolve_selector("thompson")
    assert [a.name for a in default_arms(sampler=True)][0] == "untargeted"
    names = [a.name for a in default_arms(generators=["A", "B"])]
    assert names[0] == "none" and "A:uncertain" in names and "B:balance" in names


# ---------------------------------------------------- constructed right answers
def test_an_arm_that_hurts_is_pulled_less_than_one_that_helps():
    X, y = _small()
    arms = [Arm("none", targeting=None),
            Arm("helps", targeting="random", generator=0),
            Arm("hurts", targeting="random", generator=1)]
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), generator=[FreshRows(), FreshRows(flip=True)],
        selector=UCBSelector(arms=arms, c=0.5, pulls_per_round=1), n_synthetic=60,
        max_iter=12, patience=12, random_state=0).fit(X, y)
    sel = clf.selection_.set_index("arm")
    assert sel.loc["helps", "pulls"] > sel.loc["hurts", "pulls"]
    assert sel.loc["helps", "mean_reward"] > 0 > sel.loc["hurts", "mean_reward"]
    assert sel.loc["hurts", "rows_kept"] == 0 and sel.loc["helps", "rows_kept"] > 0
    # every kept row came from the arm that helps, as the provenance says
    assert set(clf.synthetic_provenance_["arm"]) == {"helps"}
    assert set(clf.synthetic_provenance_["generator"]) == {"FreshRows"}


def test_no_synthesis_wins_when_every_synthetic_arm_hurts():
    X, y = _small()
    arms = [Arm("none", targeting=None),
            Arm("flipped_a", targeting="random"),
            Arm("flipped_b", targeting="uncertain")]
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), generator=FreshRows(flip=True),
        selector=UCBSelector(arms=arms, c=0.5, pulls_per_round=1), n_synthetic=60,
        max_iter=10, patience=10, random_state=0).fit(X, y)
    sel = clf.selection_.set_index("arm")
    assert sel["pulls"].idxmax() == "none"
    assert len(clf.synthetic_y_) == 0
    assert (sel["rows_kept"] == 0).all()
    hist = clf.history_[clf.history_["round"] > 0]
    assert set(hist["arm_chosen"]) == {"none"}
    # the final model is then the real-only model
    real = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), real.predict_proba(X), atol=1e-6)


def test_history_and_selection_record_pulls_rewards_and_ucb():
    X, y = _small()
    clf = ActiveSynthesisClassifier(LogisticRegression(), selector="ucb", max_iter=3,
                                    patience=3, random_state=0).fit(X, y)
    names = [a.name for a in default_arms()]
    assert list(clf.selection_["arm"]) == names
    hist = clf.history_
    for name in names:
        assert f"arm_{name}_pulls" in hist and f"arm_{name}_reward" in hist
        assert f"arm_{name}_ucb" in hist
    last = hist.iloc[-1]
    assert sum(last[f"arm_{n}_pulls"] for n in names) == clf.selection_["pulls"].sum()
    assert clf.selection_["pulls"].sum() == 2 * clf.n_iter_  # pulls_per_round=2
    kept = clf.synthetic_provenance_
    if len(kept):
        for col in ("usability", "realism", "cohesion", "diversity", "arm"):
            assert col in kept


def test_same_seed_same_result_and_params_are_tunable():
    X, y = _small()
    a = ActiveSynthesisClassifier(LogisticRegression(), selector="ucb", random_state=3).fit(X, y)
    b = ActiveSynthesisClassifier(LogisticRegression(), selector="ucb", random_state=3).fit(X, y)
    pd.testing.assert_frame_equal(a.selection_, b.selection_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    clf = ActiveSynthesisClassifier(LogisticRegression(), selector=UCBSelector(),
                                    max_iter=1, random_state=0)
    grid = GridSearchCV(clf, {"selector__c": [0.5, 2.0]}, cv=2).fit(X, y)
    assert grid.best_params_["selector__c"] in (0.5, 2.0)
    assert clone(clf).get_params()["selector__confidence"] == 0.8


def test_band_arm_keeps_the_usable_share():
    X, y = _small()
    arm = Arm("top", targeting="random", band=(0.5, 1.0))
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), selector=UCBSelector(arms=[arm]), n_synthetic=40,
        max_iter=1, validation_fraction=None, random_state=0).fit(X, y)
    prov = clf.synthetic_provenance_
    assert len(prov) == 40  # asked for 80, the upper half by usability kept
    assert (prov["arm"] == "top").all()
    assert clf.history_["n_outside_band"].iloc[-1] == 40


def test_selector_errors_and_portfolio_failures():
    X, y = _small()
    with pytest.raises(ValueError, match="validation_fraction"):
        ActiveSynthesisClassifier(LogisticRegression(), selector="ucb",
                                  validation_fraction=None).fit(X, y)
    with pytest.raises(ValueError, match="selector"):
        ActiveSynthesisClassifier(
            LogisticRegression(),
            generator=[InterpolationGenerator(), InterpolationGenerator()]).fit(X, y)
    with pytest.raises(ValueError, match="generator"):
        ActiveSynthesisClassifier(
            LogisticRegression(), selector=UCBSelector(arms=[Arm("a", generator="Nope")]),
            validation_fraction=None).fit(X, y)
    # a portfolio member that fails is dropped with its arms, warned about once
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = ActiveSynthesisClassifier(
            LogisticRegression(), generator=[InterpolationGenerator(), Broken()],
            selector="ucb", max_iter=2, random_state=0).fit(X, y)
    assert sum(issubclass(w.category, GeneratorFailedWarning) for w in caught) == 1
    assert not any(a.startswith("Broken") for a in clf.selection_["arm"])
    assert clf.selection_["arm"].str.startswith("InterpolationGenerator").sum() == 4


def test_sampler_arms_choose_where_rows_come_from():
    pytest.importorskip("imblearn")
    from sklearn_activesynth import ActiveSynthesisSampler

    X, y = _small()
    counts = np.bincount(y)
    sampler = ActiveSynthesisSampler(LogisticRegression(), selector="ucb",
                                     validation_fraction=0.2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res)[1] == counts.max()  # the rows sampling_strategy asks for
    assert "none" not in set(sampler.selection_["arm"])
    assert sampler.selection_["rows_kept"].sum() == counts.max() - counts[1]
    with pytest.raises(ValueError, match="adds no rows"):
        ActiveSynthesisSampler(LogisticRegression(), validation_fraction=0.2,
                               selector=UCBSelector(arms=[Arm("none", targeting=None),
                                                          Arm("a")])).fit_resample(X, y)


def test_vectorised_bootstrap_scores_match_scikit_learn():
    from sklearn.metrics import average_precision_score, balanced_accuracy_score

    from sklearn_activesynth._loop import (
        _CachedOutputs,
        _weighted_average_precision,
        _weighted_balanced_accuracy,
    )

    rng = np.random.RandomState(0)
    for _ in range(5):
        y = rng.randint(0, 3, 80)
        s = np.round(rng.rand(80), 1)  # tied scores
        cached = _CachedOutputs(outputs={"predict_proba": np.c_[1 - s, s],
                                         "predict": (s * 3).astype(int).clip(0, 2)})
        W = rng.poisson(1.0, (4, 80)).astype(float)
        yb = (y == 1).astype(int)
        np.testing.assert_allclose(
            _weighted_average_precision(yb, cached, W),
            [average_precision_score(yb, s, sample_weight=w) for w in W])
        np.testing.assert_allclose(
            _weighted_balanced_accuracy(y, cached, W),
            [balanced_accuracy_score(y, cached.outputs["predict"], sample_weight=w)
             for w in W])


def test_a_users_scorer_is_bootstrapped_too():
    X, y = _small()
    clf = ActiveSynthesisClassifier(LogisticRegression(), selector="ucb", scoring="roc_auc",
                                    max_iter=2, patience=2, random_state=0).fit(X, y)
    rates = clf.history_["win_rate"].dropna()
    assert len(rates) and ((rates >= 0) & (rates <= 1)).all()


# ------------------------------------------ dynamic mixing and the curriculum
def test_dynamic_mixing_gets_the_measured_signals_and_follows_the_formula():
    from sklearn_activesynth.integration import BaseIntegration, DynamicIntegration

    seen = []

    class Recording(DynamicIntegration):
        def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                    synthetic_uncertainty=None, signals=None):
            w = super().weights(n_real=n_real, n_synthetic=n_synthetic, round_=round_,
                                signals=signals)
            seen.append((n_real, n_synthetic, dict(signals or {}), w))
            return w

    assert issubclass(Recording, BaseIntegration)
    X, y = _small(n=200)
    mix = Recording(gamma=2.0, r_threshold=0.5, r_scale=0.25)
    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=FreshRows(),
                                    integration=mix, n_synthetic=50, max_iter=3,
                                    patience=3, random_state=0).fit(X, y)
    assert seen, "the loop never asked for weights"
    for n_real, n_syn, signals, w in seen:
        assert set(signals) == {"gain", "consistency"}
        assert -1 <= signals["gain"] <= 1 and 0 <= signals["consistency"] <= 1
        # fresh rows of the same population: the discriminator cannot tell them apart
        assert signals["consistency"] > 0.5
        r = n_syn / n_real * (1 + signals["gain"]) * signals["consistency"]
        beta = 1 / (1 + math.exp(-2.0 * (r - 0.5) / 0.25))
        n = n_real + n_syn
        assert w[n_real:].sum() == pytest.approx(beta * n)
        assert w[:n_real].sum() == pytest.approx((1 - beta) * n)
    h = clf.history_
    initial = h.loc[0, "val_score"]
    kept = h[h["accepted"].astype(bool)]["val_score"].iloc[-1]
    # the final refit's gain is the last kept model's over model_0
    assert seen[-1][2]["gain"] == pytest.approx(normalised_gain(kept, initial))


def test_curriculum_releases_rows_below_the_rising_threshold():
    from sklearn_activesynth.integration import ComplexityCurriculum

    X, y = _small(n=200)
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), curriculum=ComplexityCurriculum("knn", c_min=0.2, n_rounds=3),
        n_synthetic=60, max_iter=4, validation_fraction=None, random_state=0).fit(X, y)
    h = clf.history_.set_index("round")
    thresholds = h["curriculum_threshold"].iloc[1:].to_numpy()
    assert np.all(np.diff(thresholds) >= 0)  # c_t rises
    assert h.loc[1, "n_waiting"] > 0  # hard rows wait at first...
    prov = clf.synthetic_provenance_
    for t, rows in prov.groupby("round"):  # ...and join only below that round's c_t
        assert (rows["complexity"] <= h.loc[t, "curriculum_threshold"] + 1e-12).all()
    # rows that waited in round 1 joined later: more rows than that round alone released
    assert (prov["round"] > 1).any()


def test_kept_rounds_never_raise_the_validation_brier_score():
    X, y = _small()
    arms = [Arm("none", targeting=None), Arm("helps", targeting="random")]
    common = dict(generator=FreshRows(), n_synthetic=60, max_iter=8, patience=8,
                  random_state=0)
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), selector=UCBSelector(arms=arms, c=0.5, pulls_per_round=1),
        **common).fit(X, y)
    h = clf.history_
    kept = h[(h["round"] > 0) & h["accepted"].astype(bool)]
    assert len(kept) > 0
    assert (kept["val_brier"] <= kept["val_brier_current"] + 1e-12).all()
    # keep_calibration=False: the check is not made
    loose = ActiveSynthesisClassifier(
        LogisticRegression(),
        selector=UCBSelector(arms=arms, c=0.5, pulls_per_round=1, keep_calibration=False),
        **common).fit(X, y)
    assert "val_brier" not in loose.history_
    assert loose.selection_["rounds_kept"].sum() > 0


class FailsToGenerate(FreshRows):
    def _generate(self, n_samples, targets, rng):
        raise ConnectionError("service unavailable")


class TooSlow(FreshRows):
    def _generate(self, n_samples, targets, rng):
        import time

        time.sleep(2.0)
        return super()._generate(n_samples, targets, rng)


def test_a_failing_generator_inside_the_bandit_is_recorded_not_fatal():
    X, y = _small()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = ActiveSynthesisClassifier(LogisticRegression(), generator=FailsToGenerate(),
                                        selector="ucb", max_iter=2, patience=2,
                                        random_state=0).fit(X, y)
    assert sum(issubclass(w.category, GeneratorFailedWarning) for w in caught) == 1
    assert clf.history_["error"].dropna().str.contains("service unavailable").any()
    assert len(clf.synthetic_y_) == 0 and clf.n_iter_ == 2
    np.testing.assert_allclose(clf.predict_proba(X),
                               LogisticRegression().fit(X, y).predict_proba(X), atol=1e-6)


def test_a_generator_timeout_inside_the_bandit_stops_the_fit():
    X, y = _small()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = ActiveSynthesisClassifier(LogisticRegression(), generator=TooSlow(),
                                        selector=UCBSelector(pulls_per_round=3),
                                        generator_timeout=0.2, max_iter=3, patience=3,
                                        random_state=0).fit(X, y)
    assert clf.termination_condition_ == "generator_failed"
    assert clf.n_iter_ == 1
    # one slow call only: after the first timeout no other arm called the generator
    assert clf.history_.loc[1, "generator_attempts"] == 1
