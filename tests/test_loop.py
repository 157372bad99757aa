"""The round as stages: the extension point, the state, the grouped parameters."""

import inspect
import weakref

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier, ActiveSynthesisSampler
from sklearn_activesynth._loop import DEFAULT_STAGES, FitStage, Stage
from sklearn_activesynth.integration import WeightedIntegration
from sklearn_activesynth.targeting import Targeting, resolve_targeting
from sklearn_activesynth.utils._compat import InvalidParameterError


@pytest.fixture
def binary():
    return make_classification(n_samples=300, n_features=5, weights=[0.8], random_state=0)


class CountRealRows(Stage):
    """A stage after targeting: records how many anchors are real minority rows."""

    name = "count"

    def run(self, loop, state, rnd):
        minority = rnd.targets.anchor_y == state.classes[1]
        return {"n_minority_anchors": int(np.sum(minority))}


class StopAfterTargeting(Stage):
    name = "stop"

    def run(self, loop, state, rnd):
        rnd.end("stopped_by_stage")
        return {"stopped": True}


class WithStages(ActiveSynthesisClassifier):
    """The classifier with extra stages inserted after targeting (index 2)."""

    extra = ()

    def _stages(self):
        stages = super()._stages()
        stages[2:2] = [cls() for cls in self.extra]
        return stages


def test_a_new_stage_is_one_object_plugged_into_the_round(binary):
    X, y = binary

    class Clf(WithStages):
        extra = (CountRealRows,)

    clf = Clf(LogisticRegression(), max_iter=2, validation_fraction=None,
              random_state=0).fit(X, y)
    h = clf.history_
    assert list(h["round"]) == [0, 1, 2]
    # its fields and its timing land in the round's history row
    assert (h.loc[1:, "n_minority_anchors"] >= 0).all()
    assert (h.loc[1:, "n_minority_anchors"] <= h.loc[1:, "n_anchors"]).all()
    assert (h.loc[1:, "seconds_count"] >= 0).all()
    # and the rest of the round is unchanged by a stage that only observes
    plain = ActiveSynthesisClassifier(LogisticRegression(), max_iter=2,
                                      validation_fraction=None, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.synthetic_X_, plain.synthetic_X_)


def test_a_stage_can_end_the_round_early(binary):
    X, y = binary

    class Clf(WithStages):
        extra = (StopAfterTargeting,)

    clf = Clf(LogisticRegression(), max_iter=3, patience=5, validation_fraction=None,
              random_state=0).fit(X, y)
    h = clf.history_
    assert list(h.loc[1:, "status"]) == ["stopped_by_stage"] * 3
    assert h.loc[1:, "stopped"].all()
    # the stages after it did not run: nothing generated, nothing kept
    assert h.loc[1:, "seconds_generation"].isna().all()
    assert len(clf.synthetic_y_) == 0


def test_the_default_round_and_its_history_timings(binary):
    X, y = binary
    names = [cls.name for cls in DEFAULT_STAGES]
    assert names == ["uncertainty", "targeting", "generation", "filtering", "fit", "scoring"]
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, random_state=0).fit(X, y)
    for name in names:
        assert clf.history_.loc[1, f"seconds_{name}"] >= 0


def test_the_fit_leaves_only_documented_attributes(binary):
    X, y = binary
    clf = ActiveSynthesisClassifier(LogisticRegression(), random_state=0)
    before = set(vars(clf))
    clf.fit(X, y)
    added = set(vars(clf)) - before
    assert added == {
        "classes_", "_classes_are_codes", "n_features_in_", "estimator_",
        "synthetic_X_", "synthetic_y_", "synthetic_provenance_",
        "synthetic_round_", "history_", "n_iter_", "termination_condition_",
        "validation_indices_", "scoring_"}


def test_parameters_are_grouped(binary):
    params = inspect.signature(ActiveSynthesisClassifier).parameters
    # 17 after the grouping, + generator_timeout and keep_generator (reliability),
    # + selector and curriculum (selection): each an object with its own knobs,
    # + oracle, acquisition (strategy and budget in one object) and missing_label
    assert len(params) <= 24
    sampler = inspect.signature(ActiveSynthesisSampler).parameters
    # the sampler: sampling_strategy says how many rows, not n_synthetic; no refit;
    # imbalanced-learn samplers get labelled rows, so no oracle, acquisition or
    # missing_label (a missing label is an error that says so)
    assert set(sampler) == set(params) - {"refit", "n_synthetic", "oracle", "acquisition",
                                          "missing_label"} | {"sampling_strategy"}


def test_pipeline_with_ensemble_variance_and_weights_fits(binary):
    # a Pipeline takes sample_weight only as <step>__sample_weight: the committee
    # members, the out-of-fold clones and the refits all go through fit_clone
    X, y = binary
    clf = ActiveSynthesisClassifier(
        make_pipeline(StandardScaler(), LogisticRegression()),
        uncertainty="ensemble_variance", integration="weighted", validation_fraction=None,
        max_iter=2, random_state=0).fit(X, y)
    assert len(clf.synthetic_y_) > 0
    assert clf.history_["status"].iloc[1:].eq("ok").all()


def test_targeting_shortcuts_and_nested_tuning(binary):
    X, y = binary
    assert resolve_targeting("errors").get_params() == Targeting("errors").get_params()
    t = Targeting("uncertain_sparse")
    assert t.needs_encoding and t.needs_neighbour_distance
    assert not Targeting().needs_encoding
    assert Targeting("random_matched", matched_anchors="diverse").needs_encoding
    clf = ActiveSynthesisClassifier(targeting="uncertain_sparse", max_iter=1, random_state=0)
    clf.set_params(targeting__density_weight=0.9)
    assert clf.targeting.anchors == "uncertain_sparse"
    assert clf.targeting.density_weight == 0.9
    grid = GridSearchCV(
        ActiveSynthesisClassifier(LogisticRegression(), max_iter=1, random_state=0),
        {"targeting__n_anchors": [5, 20], "integration": ["concat", WeightedIntegration()]},
        cv=2).fit(X, y)
    assert grid.best_estimator_.targeting.n_anchors in (5, 20)
    with pytest.raises(InvalidParameterError, match="n_anchors"):
        ActiveSynthesisClassifier(targeting=Targeting(n_anchors=-1), max_iter=1,
                                  random_state=0).fit(X, y)


def test_stages_share_one_fitting_mechanism(binary):
    # the fit stage refits through the loop's fit (fit_clone): an estimator without
    # sample_weight gets weighted resampling, with one warning per fit
    from sklearn.neighbors import KNeighborsClassifier

    X, y = binary
    with pytest.warns(UserWarning, match="weighted resampling") as record:
        ActiveSynthesisClassifier(KNeighborsClassifier(), integration="weighted",
                                  max_iter=2, validation_fraction=None,
                                  random_state=0).fit(X, y)
    assert sum("weighted resampling" in str(w.message) for w in record) == 1
    assert FitStage.name == "fit"


@pytest.mark.parametrize("selector", [None, "ucb"])
def test_float32_input_stays_float32_through_the_loop(selector):
    seen = []

    class Recording(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen.append(np.asarray(X).dtype)
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = make_classification(n_samples=400, weights=[0.8], random_state=0)
    X = X.astype(np.float32)
    clf = ActiveSynthesisClassifier(Recording(), selector=selector, random_state=0).fit(X, y)
    assert len(seen) > 3 and set(seen) == {np.dtype(np.float32)}
    assert clf.synthetic_X_.dtype == np.float32


@pytest.mark.parametrize("keep_generator", [False, True])
def test_final_refit_runs_without_the_generator_unless_kept(binary, keep_generator):
    # the fitted generator holds the training rows: the final matrix (the largest
    # object of a fit) is built after it is released, unless it is kept
    from sklearn_activesynth.generators import InterpolationGenerator

    generators, alive_at_fit = [], []

    class Tracked(InterpolationGenerator):
        def fit(self, X, y):
            generators.append(weakref.ref(self))
            return super().fit(X, y)

    class Recording(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            alive_at_fit.append(any(ref() is not None for ref in generators))
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = binary
    clf = ActiveSynthesisClassifier(Recording(), generator=Tracked(), max_iter=2,
                                    keep_generator=keep_generator, random_state=0).fit(X, y)
    assert len(generators) == 1 and len(alive_at_fit) > 3  # model_0, rounds, final
    assert all(alive_at_fit[1:-1])  # the rounds' fits, while the generator is in use
    assert alive_at_fit[-1] is keep_generator
    assert hasattr(clf, "generator_") is keep_generator


def test_a_finished_round_is_not_kept_through_the_next(binary):
    # a round's targets, synthetic batch and candidate model are released once
    # the round is over: at most the current round is alive during any fit
    rounds, alive_at_fit = [], []

    class RememberRound(Stage):
        name = "remember"

        def run(self, loop, state, rnd):
            rounds.append(weakref.ref(rnd))
            return {}

    class Clf(WithStages):
        extra = (RememberRound,)

    class Recording(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            alive_at_fit.append(sum(ref() is not None for ref in rounds))
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = binary
    Clf(Recording(), max_iter=3, random_state=0).fit(X, y)
    assert len(rounds) >= 2 and max(alive_at_fit) == 1
    assert alive_at_fit[-1] == 0  # the final refit


@pytest.mark.parametrize("labels", [[0, 1], [2, 0, 1], ["b", "a", "c", "a"]])
@pytest.mark.parametrize("n_splits", [2, 5])
def test_out_of_fold_splits_are_scikit_learns(labels, n_splits):
    # the loop's folds come from its own copy of StratifiedKFold's algorithm
    # (the label work done once per fit): the same positions for every seed
    from sklearn.model_selection import StratifiedKFold

    from sklearn_activesynth._loop import _StratifiedFolds

    rng = np.random.RandomState(n_splits)
    y = np.asarray(labels)[rng.choice(len(labels), size=503,
                                      p=np.linspace(1, 3, len(labels)) / np.linspace(
                                          1, 3, len(labels)).sum())]
    plan = _StratifiedFolds(y, n_splits)
    for seed in [0, 1, 12345, 2**31 - 2]:
        ours = plan.split(seed)
        theirs = list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(
            np.zeros(len(y)), y))
        assert len(ours) == len(theirs) == n_splits
        for (tr, te), (tr_s, te_s) in zip(ours, theirs):
            np.testing.assert_array_equal(tr, tr_s)
            np.testing.assert_array_equal(te, te_s)
            assert tr.dtype == tr_s.dtype and te.dtype == te_s.dtype


@pytest.mark.parametrize("weights", [[0.5, 0.5], [0.9, 0.1], [0.6, 0.3, 0.1], [0.97, 0.02, 0.01]])
@pytest.mark.parametrize("n", [20, 101, 5000])
def test_validation_split_is_train_test_splits(weights, n):
    # the loop's stratified split is scikit-learn's algorithm on arrays: the
    # same positions in the same order for every seed
    from sklearn.model_selection import train_test_split

    from sklearn_activesynth._loop import _stratified_split

    rng = np.random.RandomState(n)
    y = rng.choice(len(weights), size=n, p=weights)
    y[:2 * len(weights)] = np.repeat(np.arange(len(weights)), 2)  # >= 2 rows a class
    for fraction in [0.2, 0.33]:
        n_test = int(np.ceil(fraction * n))
        for seed in [0, 3, 2**31 - 2]:
            tr, te = _stratified_split(y, n_test, seed)
            tr_s, te_s = train_test_split(np.arange(n), test_size=fraction, stratify=y,
                                          random_state=seed)
            np.testing.assert_array_equal(tr, tr_s)
            np.testing.assert_array_equal(te, te_s)
            assert tr.dtype == tr_s.dtype and te.dtype == te_s.dtype
