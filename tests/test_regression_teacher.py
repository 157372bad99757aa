"""RegressionTeacher: relabels synthetic targets, drops the rows it is unsure of."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import BayesianRidge, Ridge

from sklearn_activesynth import ActiveSynthesisRegressor
from sklearn_activesynth.filters import RegressionTeacher, Teacher
from sklearn_activesynth.generators import BaseGenerator, Synthesized
from sklearn_activesynth.uncertainty import committee_variance

COEF = np.array([3.0, -2.0, 1.0])


def _linear(n=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ COEF + 0.1 * rng.normal(size=n)


class _JitterWrongTargets(BaseGenerator):
    """Jittered real rows with random targets; every fourth row far from the data."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y, dtype=float)

    def _generate(self, n_samples, targets, rng):
        idx = rng.randint(len(self.y_), size=n_samples)
        X = self.X_[idx] + 0.1 * rng.normal(size=(n_samples, self.X_.shape[1]))
        X[::4] *= 8.0
        y = rng.uniform(self.y_.min(), self.y_.max(), size=n_samples)
        return Synthesized(X, y, anchor_positions=np.full(n_samples, -1))


def test_relabels_with_the_prediction_and_drops_the_unsure_rows():
    X, y = _linear()
    teacher = RegressionTeacher(Ridge(alpha=1e-3), random_state=0).fit(X, y)
    rng = np.random.RandomState(1)
    central = X[np.argsort(np.linalg.norm(X, axis=1))[:10]]    # well inside the data
    X_new = np.r_[central + 0.05 * rng.normal(size=(10, 3)), 10 * X[10:13]]
    y_wrong = np.full(13, 50.0)
    result = teacher.filter(X_new, y_wrong)
    np.testing.assert_allclose(result.y, teacher.estimator_.predict(X_new))
    np.testing.assert_allclose(result.y, X_new @ COEF, atol=0.2)
    assert result.mask[:10].all() and not result.mask[10:].any()   # far rows dropped
    # the score is the committee variance of its members' predictions (§2.2.1)
    preds = np.array([m.predict(X_new) for m in teacher.members_])
    np.testing.assert_allclose(result.scores, committee_variance(preds))
    assert len(teacher.members_) == 5
    # the threshold: the 0.9 quantile of the real rows' out-of-bag variances
    assert teacher.threshold_ == pytest.approx(np.quantile(teacher.real_uncertainty_, 0.9))
    assert result.report["teacher_threshold"] == teacher.threshold_
    expected_change = np.abs(result.y - 50.0)[result.mask].mean()
    assert result.report["teacher_mean_abs_change"] == pytest.approx(expected_change)


def test_real_rows_are_scored_out_of_bag():
    X, y = _linear()
    teacher = RegressionTeacher(Ridge(), n_members=6, random_state=0).fit(X, y)
    in_sample = committee_variance(np.array([m.predict(X) for m in teacher.members_]))
    # a row's out-of-bag variance uses fewer voters, never the in-sample value for all
    assert not np.allclose(teacher.real_uncertainty_, in_sample)
    assert teacher.real_uncertainty_.shape == (len(y),)


def test_thresholds_and_relabel_only():
    X, y = _linear()
    X_new = np.r_[X[:5], 10 * X[5:8]]
    keep_all = RegressionTeacher(Ridge(), max_uncertainty=None, random_state=0).fit(X, y)
    result = keep_all.filter(X_new, np.zeros(8))
    assert result.mask.all() and keep_all.threshold_ == np.inf
    strict = RegressionTeacher(Ridge(), max_uncertainty=0.0, random_state=0).fit(X, y)
    loose = RegressionTeacher(Ridge(), max_uncertainty=1.0, random_state=0).fit(X, y)
    assert strict.filter(X_new).mask.sum() <= loose.filter(X_new).mask.sum()
    assert loose.threshold_ == pytest.approx(loose.real_uncertainty_.max())


def test_predictive_std_teacher():
    X, y = _linear()
    teacher = RegressionTeacher(BayesianRidge(), uncertainty="predictive_std",
                                random_state=0).fit(X, y)
    assert teacher.members_ == []
    result = teacher.filter(np.r_[X[:4], 20 * X[4:6]])
    assert result.mask.tolist() == [True] * 4 + [False] * 2
    _, std = teacher.estimator_.predict(np.r_[X[:4], 20 * X[4:6]], return_std=True)
    np.testing.assert_allclose(result.scores, std)
    with pytest.raises(TypeError, match="return_std"):
        RegressionTeacher(Ridge(), uncertainty="predictive_std").fit(X, y)


def test_knn_default_on_a_mixed_frame_is_seeded():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=120),
                          "kind": rng.choice(["a", "b"], size=120)})
    y = frame["x"].to_numpy() * 2 + (frame["kind"] == "b") * 5.0
    fits = [RegressionTeacher(random_state=3).fit(frame, y) for _ in range(2)]
    new = pd.DataFrame({"x": [0.0, 0.1], "kind": ["b", "a"]})
    a, b = (t.filter(new, np.zeros(2)) for t in fits)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.scores, b.scores)
    assert a.y[0] > a.y[1] + 3                # the category is part of the distance


def test_bad_input_is_refused():
    X, y = _linear(20)
    with pytest.raises(ValueError, match="one target per row"):
        RegressionTeacher().fit(X, y[:-1])
    with pytest.raises(ValueError, match="finite"):
        RegressionTeacher().fit(X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="numeric targets"):
        RegressionTeacher().fit(X, np.array(["a"] * 20))
    with pytest.raises(ValueError, match="max_uncertainty"):
        RegressionTeacher(max_uncertainty=2.0).fit(X, y)
    with pytest.raises(ValueError, match="RegressionTeacher"):
        Teacher().fit(X, y)


def test_in_the_regressor_it_fixes_the_targets_and_follows_the_seed():
    X, y = _linear(200)
    user_teacher = RegressionTeacher(Ridge(alpha=1e-3))
    fits = [ActiveSynthesisRegressor(generator=_JitterWrongTargets(), filters=[user_teacher],
                                     n_synthetic=0.3, max_iter=2, keep_generator=True,
                                     random_state=0).fit(X, y) for _ in range(2)]
    reg, again = fits
    assert user_teacher.random_state is None and not hasattr(user_teacher, "estimator_")
    fitted = reg.filters_[0][1]
    assert isinstance(fitted.random_state, int)               # seeded by the fit
    rounds = reg.history_[reg.history_["round"] > 0]
    assert (rounds["n_rejected_RegressionTeacher"] > 0).all()
    assert rounds["teacher_mean_abs_change"].notna().all()
    assert len(reg.synthetic_y_) > 0 and rounds["accepted"].any()
    # every kept row carries the teacher's target and is near the data
    np.testing.assert_allclose(reg.synthetic_y_, fitted.predict(reg.synthetic_X_))
    np.testing.assert_allclose(reg.synthetic_y_, reg.synthetic_X_ @ COEF, atol=0.3)
    assert np.abs(reg.synthetic_X_).max() < 8
    assert "quality_RegressionTeacher" in reg.synthetic_provenance_
    np.testing.assert_array_equal(reg.synthetic_X_, again.synthetic_X_)
    np.testing.assert_array_equal(reg.predict(X), again.predict(X))
    # without the teacher the wrong targets are refused by the guard
    bare = ActiveSynthesisRegressor(generator=_JitterWrongTargets(), n_synthetic=0.3,
                                    max_iter=2, random_state=0).fit(X, y)
    assert len(bare.synthetic_y_) == 0
