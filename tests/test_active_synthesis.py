import logging
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_activesynth import ActiveSynthesisClassifier, GeneratorFailedWarning
from sklearn_activesynth.filters import FilterResult
from sklearn_activesynth.generators import BaseGenerator, InterpolationGenerator, SmallClassWarning
from sklearn_activesynth.integration import CurriculumIntegration, WeightedIntegration
from sklearn_activesynth.targeting import Targeting
from sklearn_activesynth.uncertainty import EnsembleVariance, entropy
from sklearn_activesynth.utils.estimator_checks import make_check_frame


@pytest.fixture
def binary():
    return make_classification(n_samples=400, n_features=6, n_informative=4,
                               weights=[0.85], random_state=0)


def overlapping_gaussians(n=600, seed=0):
    """Two classes, N((-1, 0), I) and N((1, 0), I): the Bayes boundary is x0 = 0."""
    rng = np.random.RandomState(seed)
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(size=(n, 2))
    X[:, 0] += np.where(y == 1, 1.0, -1.0)
    return X, y


def rare_cluster(seed=0):
    """A common class-1 cluster far right, and a rare class-1 cluster of 15 rows
    sitting on the edge of class 0, where a k-NN model is unsure."""
    rng = np.random.RandomState(seed)
    X0 = rng.normal(size=(400, 2))
    X1 = rng.normal(loc=(4, 0), scale=0.5, size=(100, 2))
    Xr = rng.normal(loc=(0, 2.2), scale=0.35, size=(15, 2))
    X = np.vstack([X0, X1, Xr])
    y = np.array([0] * 400 + [1] * 115)
    return X, y


# ----------------------------------------------------------------- scikit-learn idioms
def test_grid_search_over_nested_parameters_in_a_pipeline():
    xgboost = pytest.importorskip("xgboost")
    X, y = make_classification(n_samples=240, n_features=5, weights=[0.8], random_state=1)
    pipe = make_pipeline(
        StandardScaler(),
        ActiveSynthesisClassifier(xgboost.XGBClassifier(n_estimators=10, n_jobs=1),
                                  uncertainty_cv=3, keep_generator=True, random_state=0),
    )
    grid = GridSearchCV(pipe, {
        "activesynthesisclassifier__estimator__max_depth": [2, 4],
        "activesynthesisclassifier__generator__k_neighbors": [3, 5],
        "activesynthesisclassifier__max_iter": [1, 3],
    }, cv=3).fit(X, y)
    assert len(grid.cv_results_["params"]) == 8
    best = grid.best_estimator_[-1]
    assert best.generator_.k_neighbors == grid.best_params_[
        "activesynthesisclassifier__generator__k_neighbors"]
    assert best.estimator_.max_depth == grid.best_params_[
        "activesynthesisclassifier__estimator__max_depth"]


def test_cross_val_score_clone_and_pickle(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), random_state=0)
    scores = cross_val_score(clf, X, y, cv=3, scoring="average_precision")
    assert scores.shape == (3,) and np.all(scores > 0.3)
    fitted = clone(clf).fit(X, y)
    assert not hasattr(clone(fitted), "estimator_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    pd.testing.assert_frame_equal(restored.history_, fitted.history_)


def test_same_random_state_same_rows_and_predictions(binary):
    X, y = binary
    make = lambda seed: ActiveSynthesisClassifier(  # noqa: E731
        DecisionTreeClassifier(max_depth=3, random_state=0), validation_fraction=None,
        random_state=seed)
    a, b, c = make(3).fit(X, y), make(3).fit(X, y), make(4).fit(X, y)
    assert len(a.synthetic_y_) > 0
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.synthetic_X_, c.synthetic_X_)


@pytest.mark.parametrize("estimator, has_proba, has_decision", [
    (LogisticRegression(), True, True),
    (DecisionTreeClassifier(), True, False),
    (LinearSVC(), False, True),
])
def test_delegation_follows_the_estimator(binary, estimator, has_proba, has_decision):
    clf = ActiveSynthesisClassifier(estimator, max_iter=1, random_state=0)
    assert hasattr(clf, "predict_proba") == has_proba
    assert hasattr(clf, "decision_function") == has_decision
    X, y = binary
    clf.fit(X, y)
    assert hasattr(clf, "predict_proba") == has_proba
    assert hasattr(clf, "decision_function") == has_decision
    assert clf.predict(X).shape == (len(X),)


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Records the sample_weight of every fit."""

    calls = []

    def fit(self, X, y, sample_weight=None):
        RecordingClassifier.calls.append(None if sample_weight is None else
                                         np.asarray(sample_weight).copy())
        self._lr = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self._lr.classes_
        return self

    def predict(self, X):
        return self._lr.predict(X)

    def predict_proba(self, X):
        return self._lr.predict_proba(X)


def test_sample_weight_reaches_the_estimator_without_routing(binary):
    X, y = binary
    RecordingClassifier.calls = []
    w = np.linspace(0.5, 2.0, len(y))
    clf = ActiveSynthesisClassifier(RecordingClassifier(), max_iter=0).fit(X, y, sample_weight=w)
    assert len(RecordingClassifier.calls) == 1
    np.testing.assert_allclose(RecordingClassifier.calls[0], w)
    assert clf.n_iter_ == 0


def test_sample_weight_metadata_routing(binary):
    X, y = binary
    w = np.linspace(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        RecordingClassifier.calls = []
        base = RecordingClassifier().set_fit_request(sample_weight=True)
        clf = ActiveSynthesisClassifier(base, max_iter=1, uncertainty_cv=None,
                                        integration="concat", random_state=0)
        clf.fit(X, y, sample_weight=w)
        # every fit got weights; the final refit got the real rows' weights first
        assert all(c is not None for c in RecordingClassifier.calls)
        np.testing.assert_allclose(RecordingClassifier.calls[-1][: len(y)], w)
        if len(clf.synthetic_y_):
            np.testing.assert_allclose(RecordingClassifier.calls[-1][len(y):], 1.0)
        # an estimator that did not request it gets an error, as scikit-learn does
        with pytest.raises(Exception, match="sample_weight"):
            ActiveSynthesisClassifier(RecordingClassifier(), max_iter=0).fit(
                X, y, sample_weight=w)


# ---------------------------------------------------------------- the loop's claims
def test_max_iter_zero_equals_the_base_estimator(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0, random_state=0).fit(X, y)
    base = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), base.predict_proba(X))
    assert len(clf.synthetic_y_) == 0 and clf.n_iter_ == 0


def test_targeted_rows_lie_closer_to_the_boundary_than_random_anchors():
    X, y = overlapping_gaussians()
    common = dict(n_synthetic=150, max_iter=1, validation_fraction=None, random_state=0)
    targeted = ActiveSynthesisClassifier(LogisticRegression(),
                                         targeting=Targeting(n_anchors=30),
                                         **common).fit(X, y)
    control = ActiveSynthesisClassifier(LogisticRegression(),
                                        targeting=Targeting("random", n_anchors=30),
                                        **common).fit(X, y)
    d_t = np.abs(targeted.synthetic_X_[:, 0]).mean()
    d_r = np.abs(control.synthetic_X_[:, 0]).mean()
    assert len(targeted.synthetic_y_) == len(control.synthetic_y_) == 150
    assert d_t < 0.5 * d_r, (d_t, d_r)


def test_uncertainty_in_the_rare_region_falls_across_rounds():
    X, y = rare_cluster()
    rng = np.random.RandomState(1)
    region = rng.normal(loc=(0, 2.2), scale=0.35, size=(200, 2))
    mean_u = []
    for max_iter in range(4):
        clf = ActiveSynthesisClassifier(
            KNeighborsClassifier(n_neighbors=15), max_iter=max_iter,
            targeting=Targeting(n_anchors=20),
            n_synthetic=30, validation_fraction=None, patience=5, random_state=0,
        ).fit(X, y)
        mean_u.append(entropy(clf.predict_proba(region)).mean())
    assert mean_u[1] < mean_u[0] and mean_u[3] < mean_u[1], mean_u
    assert mean_u[3] < 0.9 * mean_u[0], mean_u
    # and rows of the rare cluster's class were made inside it
    near = np.linalg.norm(clf.synthetic_X_ - [0, 2.2], axis=1) < 1.0
    assert np.sum(near & (clf.synthetic_y_ == 1)) >= 10


def test_history_provenance_and_termination(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=3, patience=3,
                                    random_state=0).fit(X, y)
    h = clf.history_
    assert list(h["round"]) == list(range(clf.n_iter_ + 1))
    for col in ["mean_uncertainty_train", "max_uncertainty_train", "mean_uncertainty_val",
                "val_score", "n_generated", "n_accepted", "seconds_uncertainty",
                "seconds_generation", "seconds_fit"]:
        assert col in h.columns
    assert clf.termination_condition_ in {"max_iter", "no_improvement", "converged"}
    prov = clf.synthetic_provenance_
    assert len(prov) == len(clf.synthetic_y_) == h["n_accepted"].fillna(0).sum()
    assert set(prov.columns) >= {"round", "region", "anchor_index", "generator",
                                 "anchor_uncertainty", "label"}
    # interpolation labels are their anchor's label; anchors are rows of X
    np.testing.assert_array_equal(y[prov["anchor_index"]], clf.synthetic_y_)
    np.testing.assert_array_equal(clf.synthetic_round_, prov["round"])
    # accepted rounds never lowered the validation score
    accepted = h[h["accepted"]]["val_score"].to_numpy()
    assert np.all(np.diff(accepted) >= -1e-12)


def test_the_guard_rejects_harmful_rounds():
    X, y = make_classification(n_samples=300, n_features=4, random_state=2)

    class FlippingGenerator(InterpolationGenerator):
        """Interpolates but gives every row the wrong label: pure harm."""

        def _generate(self, n_samples, targets, rng):
            X_new, y_new = super()._generate(n_samples, targets, rng)
            return X_new, 1 - y_new

    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=FlippingGenerator(),
                                    targeting="random", n_synthetic=1.0, max_iter=2,
                                    random_state=0).fit(X, y)
    assert not clf.history_.loc[1:, "accepted"].any()
    assert len(clf.synthetic_y_) == 0
    assert clf.termination_condition_ == "no_improvement"


def test_verbose_prints_one_line_per_round_that_stays(binary, capsys):
    X, y = binary
    clf = ActiveSynthesisClassifier(max_iter=3, patience=3, verbose=1,
                                    random_state=0).fit(X, y)
    out = capsys.readouterr()
    assert out.err == "" and "\r" not in out.out      # lines, not a redrawn bar
    lines = out.out.splitlines()
    assert len(lines) == len(clf.history_) + 1          # round 0, each round, the end
    for line, (_, row) in zip(lines, clf.history_.iterrows()):
        assert line.startswith(f"[ActiveSynthesisClassifier] round {row['round']}/3: ")
        assert f"validation average_precision={row['val_score']:.4f}" in line
        if row["round"] > 0:
            assert f"{int(row['n_generated'])} generated, {int(row['n_accepted'])} accepted" in line
            assert ("accepted," if row["accepted"] else "rejected,") in line
    assert lines[-1] == (f"[ActiveSynthesisClassifier] done after {clf.n_iter_} round(s) "
                         f"({clf.termination_condition_}): {len(clf.synthetic_y_)} "
                         f"synthetic rows kept, final refit "
                         f"{clf.history_['seconds_final_refit'].iloc[-1]:.1f} s")


def test_verbose_2_adds_the_seconds_of_each_stage(binary, capsys):
    X, y = binary
    ActiveSynthesisClassifier(max_iter=1, verbose=2, random_state=0).fit(X, y)
    round_1 = capsys.readouterr().out.splitlines()[1]
    for stage in ["uncertainty", "targeting", "generation", "filtering", "fit", "scoring"]:
        assert f"{stage} " in round_1.rpartition("(")[2]


def test_verbose_0_prints_nothing_and_logs_at_debug(binary, capsys, caplog):
    X, y = binary
    with caplog.at_level(logging.DEBUG, logger="sklearn_activesynth"):
        ActiveSynthesisClassifier(max_iter=2, verbose=0, random_state=0).fit(X, y)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(m.startswith("round 1/2: ") for m in messages)


INTEGRATIONS_AT_04 = {
    "concat": "concat",
    "weighted": WeightedIntegration(synthetic_weight=0.4),
    "curriculum": CurriculumIntegration(synthetic_weight=0.4),
    "uncertainty": "uncertainty",
}


@pytest.mark.parametrize("integration", ["concat", "weighted", "curriculum", "uncertainty"])
def test_integration_modes_reach_the_final_refit(binary, integration):
    X, y = binary
    RecordingClassifier.calls = []
    clf = ActiveSynthesisClassifier(RecordingClassifier(),
                                    integration=INTEGRATIONS_AT_04[integration],
                                    validation_fraction=None,
                                    max_iter=2, random_state=0).fit(X, y)
    n_syn = len(clf.synthetic_y_)
    assert n_syn > 0
    w = RecordingClassifier.calls[-1]  # the final refit: real rows first
    if integration == "concat":
        assert w is None
        return
    share = w[len(y):].sum() / w.sum()
    if integration == "weighted":
        assert share == pytest.approx(0.4)
    elif integration == "curriculum":  # alpha(t) still on its way from 1 to 0.6
        assert 0 < share < 0.4
    else:  # proportional to uncertainty: the anchors' rows weigh more than average
        assert w[len(y):].mean() > w[: len(y)].mean()
        assert w.min() > 0  # no real row dropped


def test_estimator_without_sample_weight_gets_resampling_with_one_warning(binary):
    X, y = binary
    with pytest.warns(UserWarning, match="weighted resampling") as record:
        ActiveSynthesisClassifier(KNeighborsClassifier(), integration="weighted",
                                  validation_fraction=None, max_iter=2,
                                  random_state=0).fit(X, y)
    assert sum("weighted resampling" in str(w.message) for w in record) == 1


@pytest.mark.parametrize("uncertainty", ["margin", "least_confidence", "ensemble_variance",
                                         EnsembleVariance(n_members=3)])
def test_uncertainty_options(binary, uncertainty):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), uncertainty=uncertainty,
                                    max_iter=1, random_state=0).fit(X, y)
    assert clf.history_.loc[1, "mean_uncertainty_train"] > 0


def test_callable_uncertainty_and_out_of_fold_default():
    X, y = overlapping_gaussians(300)
    seen = []

    def closeness_to_boundary(est, X_):
        seen.append(len(X_))
        return 1.0 / (1.0 + np.abs(X_[:, 0]))

    clf = ActiveSynthesisClassifier(LogisticRegression(), uncertainty=closeness_to_boundary,
                                    max_iter=1, uncertainty_cv=3, random_state=0).fit(X, y)
    # called once per held-out fold (3) plus on the validation rows
    assert len(seen) == 4
    anchors = X[clf.synthetic_provenance_["anchor_index"]]
    assert len(anchors) and np.abs(anchors[:, 0]).max() < np.quantile(np.abs(X[:, 0]), 0.2)
    # extra trees are over-confident on their own training rows, not out-of-fold
    forest = ExtraTreesClassifier(n_estimators=20, random_state=0)
    in_sample = ActiveSynthesisClassifier(forest, uncertainty_cv=None, max_iter=1,
                                          random_state=0).fit(X, y)
    oof = ActiveSynthesisClassifier(forest, max_iter=1, random_state=0).fit(X, y)
    u_in = in_sample.history_.loc[1, "mean_uncertainty_train"]
    u_oof = oof.history_.loc[1, "mean_uncertainty_train"]
    assert u_oof > 2 * u_in, (u_oof, u_in)


# ----------------------------------------------------------------------- inputs
def test_mixed_dataframe_through_a_column_transformer_pipeline():
    X, y = make_check_frame(n_samples=300)
    pre = ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["kind", "city"]),
        ("num", StandardScaler(), ["amount", "count"]),
    ])
    clf = ActiveSynthesisClassifier(make_pipeline(pre, LogisticRegression()),
                                    integration="weighted", random_state=0).fit(X, y)
    syn = clf.synthetic_X_
    assert isinstance(syn, pd.DataFrame) and list(syn.columns) == list(X.columns)
    assert (syn.dtypes == X.dtypes).all()
    assert len(syn) > 0
    assert clf.predict(X.head(5)).shape == (5,)
    np.testing.assert_array_equal(clf.feature_names_in_, X.columns)


def test_string_labels_multiclass_and_xgboost():
    xgboost = pytest.importorskip("xgboost")
    X, y = make_classification(n_samples=300, n_classes=3, n_informative=4, random_state=0)
    labels = np.array(["low", "mid", "high"])[y]
    clf = ActiveSynthesisClassifier(xgboost.XGBClassifier(n_estimators=10, n_jobs=1),
                                    random_state=0).fit(X, labels)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.scoring_ == "balanced_accuracy"
    assert set(clf.synthetic_y_) <= set(labels)
    assert list(clf.classes_) == sorted(set(labels))


def test_sparse_input(binary):
    X, y = binary
    Xs = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0))
    clf = ActiveSynthesisClassifier(LogisticRegression(), random_state=0).fit(Xs, y)
    assert sp.issparse(clf.synthetic_X_) or len(clf.synthetic_y_) == 0
    assert clf.predict(Xs).shape == (len(y),)


def test_nan_allowed_when_the_estimator_takes_it(binary):
    X, y = binary
    X = X.copy()
    X[::7, 0] = np.nan
    ActiveSynthesisClassifier(HistGradientBoostingClassifier(max_iter=20), max_iter=1,
                              random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        ActiveSynthesisClassifier(LogisticRegression()).fit(X, y)


def test_fraud_transactions_end_to_end():
    from sklearn_activesynth.datasets import make_fraud_transactions

    X, y = make_fraud_transactions(n_samples=3000, fraud_rate=0.03, random_state=0)
    clf = ActiveSynthesisClassifier(
        HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=30,
                                       random_state=0),
        max_iter=2, validation_fraction=None, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (3000, 2)
    assert len(clf.synthetic_y_) > 0
    assert (clf.synthetic_X_.dtypes == X.dtypes).all()
    assert set(clf.synthetic_X_["merchant_category"]) <= set(X["merchant_category"])


# ------------------------------------------------------------------- bad input
@pytest.mark.parametrize("X, y, match", [
    (np.ones((10, 2)), np.zeros(10), "two classes"),
    (np.ones((10, 2)), np.zeros(9), "inconsistent numbers of samples|different lengths"),
    (np.array([[np.inf, 1.0]] * 10), np.tile([0, 1], 5), "infinity"),
])
def test_bad_input_is_a_clear_error(X, y, match):
    with pytest.raises(ValueError, match=match):
        ActiveSynthesisClassifier(LogisticRegression()).fit(X, y)


def test_class_smaller_than_neighbours_is_fitted_with_a_warning():
    X, y = make_classification(n_samples=100, random_state=0)
    y = y.copy()
    y[:] = 0
    y[:4] = 1
    with pytest.warns(SmallClassWarning, match="class\\(es\\) 1 \\(4 rows\\)"):
        clf = ActiveSynthesisClassifier(LogisticRegression(), validation_fraction=None,
                                        random_state=0).fit(X, y)
    assert "n_rows_small_classes" in clf.history_


@pytest.mark.parametrize("params, name", [
    ({"max_iter": -1}, "max_iter"),
    ({"targeting": "most"}, "targeting"),
    ({"targeting": Targeting(anchors="most")}, "anchors"),
    ({"integration": "mix"}, "integration"),
    ({"n_synthetic": -0.5}, "n_synthetic"),
    ({"validation_fraction": 1.5}, "validation_fraction"),
    ({"estimator": "tree"}, "estimator"),
])
def test_invalid_parameters_name_the_parameter(binary, params, name):
    X, y = binary
    with pytest.raises(InvalidParameterError, match=name):
        ActiveSynthesisClassifier(**params).fit(X, y)


def test_inputs_are_never_modified():
    X, y = make_check_frame(n_samples=200)
    X0, y0 = X.copy(deep=True), y.copy()
    pre = ColumnTransformer([("cat", OneHotEncoder(), ["kind", "city"])], remainder="passthrough")
    ActiveSynthesisClassifier(make_pipeline(pre, LogisticRegression(max_iter=500)),
                              random_state=0).fit(X, y)
    pd.testing.assert_frame_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    Xa, ya = make_classification(n_samples=200, random_state=0)
    Xa0, ya0 = Xa.copy(), ya.copy()
    w = np.ones(200)
    ActiveSynthesisClassifier(random_state=0).fit(Xa, ya, sample_weight=w)
    np.testing.assert_array_equal(Xa, Xa0)
    np.testing.assert_array_equal(ya, ya0)
    np.testing.assert_array_equal(w, 1.0)


# ----------------------------------------------------------- failing generators
class FailingGenerator(BaseGenerator):
    """Fails every ``generate`` call (an outage)."""

    def _fit(self, X, y):
        return self

    def _generate(self, n_samples, targets, rng):
        raise ConnectionError("service unavailable")


class FlakyGenerator(InterpolationGenerator):
    """Fails the first ``generate`` call, then works."""

    def _generate(self, n_samples, targets, rng):
        if not getattr(self, "_failed_once", False):
            self._failed_once = True
            raise RuntimeError("transient")
        return super()._generate(n_samples, targets, rng)


def test_failing_generator_is_retried_reported_and_warned(binary):
    X, y = binary
    with pytest.warns(GeneratorFailedWarning, match="service unavailable"):
        clf = ActiveSynthesisClassifier(LogisticRegression(), generator=FailingGenerator(),
                                        random_state=0).fit(X, y)
    h = clf.history_
    assert (h.loc[1:, "status"] == "generator_failed").all()
    assert (h.loc[1:, "generator_attempts"] == 3).all()
    assert "ConnectionError" in h.loc[1, "error"]
    # the model is the real-only model: no real row dropped, nothing corrupted
    base = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), base.predict_proba(X))


def test_flaky_generator_recovers_on_retry(binary):
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error", GeneratorFailedWarning)
        clf = ActiveSynthesisClassifier(LogisticRegression(), generator=FlakyGenerator(),
                                        max_iter=1, validation_fraction=None,
                                        random_state=0).fit(X, y)
    assert clf.history_.loc[1, "generator_attempts"] == 2
    assert len(clf.synthetic_y_) > 0


@pytest.mark.parametrize("anchors", ["errors", "diverse"])
@pytest.mark.parametrize("allocation", ["anchors", "balanced", {0: 0.5, 1: 0.5}])
def test_anchor_strategies_and_allocations_run_through_the_loop(binary, anchors, allocation):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(),
                                    targeting=Targeting(anchors, class_allocation=allocation),
                                    n_synthetic=40, max_iter=1,
                                    validation_fraction=None, random_state=0).fit(X, y)
    assert clf.history_.loc[1, "n_generated"] == 40
    if allocation != "anchors":
        assert np.sum(clf.synthetic_y_ == 1) == 20


class DropClassOne:
    """A filter that removes every synthetic row labelled 1 and scores rows."""

    def fit(self, X, y):
        self.fitted_on_ = len(y)
        return self

    def filter(self, X, y, context):
        assert context.model is not None and context.round >= 1
        return FilterResult(y != 1, scores=np.where(y == 1, 0.0, 1.0),
                            report={"dropped_ones": int(np.sum(y == 1))})


class KeepFirstHalf:
    """A duck-typed filter that returns a plain boolean mask."""

    def filter(self, X, y, context):
        return np.arange(len(y)) < len(y) // 2


def test_filters_remove_rows_and_are_counted(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), filters=[DropClassOne()],
                                    targeting=Targeting(class_allocation="balanced"),
                                    validation_fraction=None, keep_generator=True,
                                    max_iter=2, random_state=0).fit(X, y)
    h = clf.history_
    assert (h.loc[1:, "n_rejected_DropClassOne"] > 0).all()
    assert np.all(clf.synthetic_y_ == 0) and len(clf.synthetic_y_) > 0
    assert (clf.synthetic_provenance_["quality_DropClassOne"] == 1.0).all()
    assert (h.loc[1:, "dropped_ones"] == h.loc[1:, "n_rejected_DropClassOne"]).all()
    assert clf.filters_[0][1].fitted_on_ == len(y)
    with pytest.raises(TypeError, match="filter"):
        ActiveSynthesisClassifier(filters=[object()], random_state=0).fit(X, y)


def test_a_filter_may_return_a_plain_mask(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), filters=[KeepFirstHalf()],
                                    validation_fraction=None, max_iter=1,
                                    random_state=0).fit(X, y)
    row = clf.history_.iloc[1]
    assert row["n_generated"] > 0
    assert row["n_rejected_KeepFirstHalf"] == row["n_generated"] - row["n_generated"] // 2
    assert row["n_accepted"] == row["n_generated"] // 2
    assert not any(c.startswith("quality_") for c in clf.synthetic_provenance_.columns)


class ReportingGenerator(InterpolationGenerator):
    """Reports per-call figures and a per-row request id, as the LLM generator will."""

    def _generate(self, n_samples, targets, rng):
        result = super()._generate(n_samples, targets, rng)
        result.report.update(requests=2, prompt_tokens=100)
        result.provenance["request_id"] = np.arange(len(result.y)) % 2
        return result


def test_generator_reports_reach_history_and_provenance(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=ReportingGenerator(),
                                    validation_fraction=None, max_iter=1,
                                    random_state=0).fit(X, y)
    assert clf.history_.loc[1, "requests"] == 2
    assert set(clf.synthetic_provenance_["request_id"]) == {0, 1}


def test_predict_works_without_the_generator(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(keep_generator=True, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    del clf.generator_
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
