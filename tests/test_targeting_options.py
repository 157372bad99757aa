"""Targeting and labelling options, each checked on an example whose answer is known:
``targeting="random_matched"``, ``targeting="uncertain_sparse"``
(``Targeting(density_weight=...)``), the :class:`~sklearn_activesynth.filters.Teacher`
filter (``threshold``) and ``InterpolationGenerator(partners=...)``."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.filters import FilterResult, Teacher
from sklearn_activesynth.generators import (
    BaseGenerator,
    InterpolationGenerator,
    SmallClassWarning,
    Synthesized,
)
from sklearn_activesynth.targeting import Targeting, build_targets, select_anchors
from sklearn_activesynth.utils import TabularSchema
from sklearn_activesynth.utils.estimator_checks import (
    make_targets,
    parametrize_generator_checks,
)


def _class_counts_per_round(clf):
    return {
        int(r): np.unique(clf.synthetic_y_[clf.synthetic_round_ == r],
                          return_counts=True)[1].tolist()
        for r in np.unique(clf.synthetic_round_)
    }


# ------------------------------------------------------- targeting="random_matched"
@pytest.fixture(scope="module")
def imbalanced():
    # 80/20, overlapping: the uncertain rows are mostly of the rare class, so the
    # "uncertain" class mix (2:1 for class 1 in round 1) is far from the base rate
    return make_classification(n_samples=600, n_features=6, n_informative=4,
                               weights=[0.8], class_sep=0.8, random_state=0)


def test_random_matched_has_the_uncertain_class_mix_but_not_its_anchors(imbalanced):
    X, y = imbalanced
    fits = {
        a: ActiveSynthesisClassifier(LogisticRegression(), targeting=a, max_iter=1,
                                     validation_fraction=None, random_state=0).fit(X, y)
        for a in ("uncertain", "random_matched", "random")
    }
    unc, matched, rand = fits["uncertain"], fits["random_matched"], fits["random"]
    counts = _class_counts_per_round(unc)
    assert counts == _class_counts_per_round(matched)
    # the match is not the base rate: plain random anchors give another mix
    assert counts != _class_counts_per_round(rand)
    assert counts[1][1] > counts[1][0]  # mostly the rare class
    a_unc = set(unc.synthetic_provenance_["anchor_index"])
    a_matched = set(matched.synthetic_provenance_["anchor_index"])
    assert len(a_unc & a_matched) < 0.5 * len(a_matched)
    # not concentrated at the boundary (entropy of a binary model: max log 2 = 0.69)
    u_unc = unc.synthetic_provenance_["anchor_uncertainty"].mean()
    u_matched = matched.synthetic_provenance_["anchor_uncertainty"].mean()
    assert u_unc > 0.65
    assert u_matched < u_unc - 0.1


def test_random_matched_over_several_rounds_keeps_each_rounds_mix(imbalanced):
    # after round 1 the two fits have different models, hence different uncertain
    # rows; "matched" means matched to what "uncertain" picks from the same scores,
    # which build_targets shows directly (below); here: rows in every round
    X, y = imbalanced
    clf = ActiveSynthesisClassifier(LogisticRegression(), targeting="random_matched",
                                    max_iter=3, validation_fraction=None,
                                    random_state=0).fit(X, y)
    assert sorted(set(clf.synthetic_round_)) == [1, 2, 3]
    assert (clf.history_["n_accepted"].iloc[1:] > 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_build_targets_random_matched_matches_uncertain_class_counts(seed):
    rng = np.random.RandomState(seed)
    y = np.array([0] * 270 + [1] * 30)
    X = rng.normal(size=(300, 3))
    # the rare class is the uncertain one: most of the top rows are class 1
    scores = rng.uniform(0, 0.5, size=300)
    scores[270:] += 0.3
    kw = dict(X=X, y=y, y_encoded=y, classes=np.array([0, 1]), scores=scores,
              budget=50, n_anchors=40, schema=TabularSchema(X), n_regions=1)
    t_unc = build_targets(strategy="uncertain", rng=np.random.RandomState(7), **kw)
    t_mat = build_targets(strategy="random_matched", rng=np.random.RandomState(7), **kw)
    t_rand = build_targets(strategy="random", rng=np.random.RandomState(7), **kw)
    assert t_unc.class_counts == t_mat.class_counts
    assert t_rand.class_counts != t_unc.class_counts
    for c in (0, 1):
        # the same number of anchors per class, drawn at random inside the class
        assert np.sum(t_unc.anchor_y == c) == np.sum(t_mat.anchor_y == c)
        assert t_unc.anchor_counts[t_unc.anchor_y == c].sum() == \
            t_mat.anchor_counts[t_mat.anchor_y == c].sum()
    assert scores[t_mat.anchor_indices].mean() < scores[t_unc.anchor_indices].mean() - 0.1


def test_random_matched_copies_the_class_mix_of_matched_anchors():
    """``matched_strategy`` (``Targeting(matched_anchors=...)``) picks whose
    class mix the random anchors copy: here "errors", whose wrong rows are all
    of class 0, against "uncertain", whose top rows are all of class 1."""
    rng = np.random.RandomState(0)
    y = np.array([0] * 200 + [1] * 100)
    X = rng.normal(size=(300, 3))
    scores = np.where(y == 1, 0.6, 0.1)
    proba = np.column_stack([np.full(300, 0.9), np.full(300, 0.1)])
    proba[:200] = [0.05, 0.95]  # class 0 rows confidently predicted as 1
    proba[200:] = [0.4, 0.6]
    kw = dict(X=X, y=y, y_encoded=y, classes=np.array([0, 1]), scores=scores, proba=proba,
              budget=60, n_anchors=30, schema=TabularSchema(X), n_regions=1)
    counts = {}
    for strategy, matched in [("errors", "uncertain"), ("random_matched", "errors"),
                              ("uncertain", "uncertain"), ("random_matched", "uncertain")]:
        t = build_targets(strategy=strategy, matched_strategy=matched,
                          rng=np.random.RandomState(1), **kw)
        counts[strategy, matched] = t.class_counts
    assert counts["errors", "uncertain"] == {0: 60}
    assert counts["random_matched", "errors"] == counts["errors", "uncertain"]
    assert counts["uncertain", "uncertain"] == {1: 60}
    assert counts["random_matched", "uncertain"] == counts["uncertain", "uncertain"]
    with pytest.raises(ValueError, match="matched_anchors"):
        ActiveSynthesisClassifier(
            targeting=Targeting("random_matched", matched_anchors="random")).fit(X, y)


# ----------------------------------------------------- targeting="uncertain_sparse"
def _clump_and_spread(seed=0):
    """120 rows: a dense clump of 100 and 20 rows spread out far from it."""
    rng = np.random.RandomState(seed)
    clump = rng.normal(loc=(0, 0), scale=0.05, size=(100, 2))
    spread = rng.normal(loc=(6, 6), scale=2.0, size=(20, 2))
    return np.vstack([clump, spread])


def test_uncertain_sparse_prefers_sparse_rows_among_equally_uncertain_ones():
    Z = _clump_and_spread()
    scores = np.full(120, 0.5)  # every row as uncertain as any other
    picked = select_anchors("uncertain_sparse", 10, scores=scores,
                            rng=np.random.RandomState(0), X_encoded=Z,
                            density_weight=0.5)
    assert len(picked) == 10 and np.all(picked >= 100)
    # plain uncertainty cannot tell the groups apart: it picks mostly from the clump
    plain = select_anchors("uncertain", 10, scores=scores, rng=np.random.RandomState(0))
    assert np.sum(plain < 100) >= 5


def test_density_weight_zero_is_uncertainty_and_one_is_sparseness():
    Z = _clump_and_spread()
    rng = np.random.RandomState(1)
    # distinct scores; the clump is the most uncertain
    scores = np.r_[rng.uniform(0.6, 0.7, 100), rng.uniform(0.1, 0.2, 20)]
    kw = dict(scores=scores, X_encoded=Z)
    zero = select_anchors("uncertain_sparse", 10, rng=np.random.RandomState(0),
                          density_weight=0.0, **kw)
    assert set(zero) == set(np.argsort(-scores)[:10])
    one = select_anchors("uncertain_sparse", 10, rng=np.random.RandomState(0),
                         density_weight=1.0, **kw)
    # the 10 rows farthest from their 5th nearest neighbour, whatever their score
    d5 = NearestNeighbors(n_neighbors=6).fit(Z).kneighbors(Z)[0][:, 5]
    assert set(one) == set(np.argsort(-d5)[:10])
    assert np.all(one >= 100)


def test_uncertain_sparse_end_to_end_and_density_weight_validation(imbalanced):
    X, y = imbalanced
    clf = ActiveSynthesisClassifier(LogisticRegression(),
                                    targeting=Targeting("uncertain_sparse", density_weight=0.5),
                                    max_iter=2, validation_fraction=None,
                                    random_state=0).fit(X, y)
    assert len(clf.synthetic_y_) > 0
    anchors = clf.synthetic_provenance_["anchor_index"]
    assert anchors.between(0, len(y) - 1).all()
    assert clf.predict(X).shape == (len(y),)
    with pytest.raises(ValueError, match="density_weight"):
        ActiveSynthesisClassifier(
            targeting=Targeting("uncertain_sparse", density_weight=1.5)).fit(X, y)
    # the nested name a grid search uses, on the string shortcut
    with pytest.raises(ValueError, match="density_weight"):
        ActiveSynthesisClassifier(targeting="uncertain_sparse").set_params(
            targeting__density_weight=1.5).fit(X, y)


# ----------------------------------------------------------------------- Teacher
class WrongLabelGenerator(BaseGenerator):
    """Rows in a known place with a known (deliberately chosen) label.

    ``where="class1"``: rows near the centre of the second class, labelled with
    the first class (wrong); ``where="between"``: rows on the mirror line between
    the two classes, where a symmetric k-NN vote is close to even; ``"mixed"``:
    the first half "class1", the rest "between". Row ``i`` claims training row
    ``i`` as its anchor, so the provenance shows which rows survived.
    """

    def __init__(self, where="class1"):
        self.where = where

    def _fit(self, X, y):
        self._center1 = X[y == self.classes_[1]].mean(axis=0)
        return self

    def _generate(self, n_samples, targets, rng):
        near = self._center1 + rng.normal(scale=0.3, size=(n_samples, 2))
        between = np.c_[np.zeros(n_samples), rng.uniform(-1, 1, n_samples)]
        if self.where == "class1":
            X_new = near
        elif self.where == "between":
            X_new = between
        else:
            X_new = np.where(np.arange(n_samples)[:, None] < n_samples // 2, near, between)
        return Synthesized(X_new, np.full(n_samples, self.classes_[0]),
                           anchor_positions=np.arange(n_samples))


def mirrored_classes(n=100, seed=0):
    """Class "neg" around (-4, 0) and class "pos" its mirror image around (4, 0)."""
    rng = np.random.RandomState(seed)
    X0 = rng.normal(loc=(-4, 0), size=(n, 2))
    X = np.vstack([X0, X0 * [-1, 1]])
    return X, np.array(["neg"] * n + ["pos"] * n)


def _teacher_fit(teacher, generator, threshold=0.7, filters=(), **kw):
    """Fit with ``Teacher(teacher, threshold=threshold)`` as the first filter
    (none when ``teacher`` is None), then ``filters``."""
    X, y = mirrored_classes()
    chain = ([Teacher(teacher, threshold=threshold)] if teacher is not None else []) + \
        list(filters)
    params = dict(generator=generator, filters=chain or None, max_iter=2, n_synthetic=20,
                  validation_fraction=None, keep_generator=True, random_state=0)
    params.update(kw)
    return ActiveSynthesisClassifier(LogisticRegression(), **params).fit(X, y)


def _fitted_teacher_model(clf):
    """The model the fitted Teacher filter learned (``filters_`` holds the filter)."""
    return dict(clf.filters_)["Teacher"].estimator_


def test_knn_teacher_relabels_wrong_rows_into_the_original_label_space():
    clf = _teacher_fit("knn", WrongLabelGenerator("class1"))
    rounds = clf.history_.iloc[1:]
    assert len(clf.synthetic_y_) == 40
    assert np.all(clf.synthetic_y_ == "pos")  # the right label, as a user label
    np.testing.assert_array_equal(rounds["n_relabeled"], [20, 20])
    np.testing.assert_array_equal(rounds["n_rejected_Teacher"], [0, 0])
    conf = clf.synthetic_provenance_["quality_Teacher"]
    assert (conf >= 0.7).all()
    assert (clf.synthetic_provenance_["label"] == "pos").all()


def test_without_a_teacher_the_wrong_labels_stay():
    clf = _teacher_fit(None, WrongLabelGenerator("class1"))
    assert len(clf.synthetic_y_) == 40
    assert np.all(clf.synthetic_y_ == "neg")
    assert "quality_Teacher" not in clf.synthetic_provenance_.columns
    assert "n_relabeled" not in clf.history_.columns
    assert "n_rejected_Teacher" not in clf.history_.columns
    assert "Teacher" not in dict(clf.filters_)


def test_rows_between_the_classes_are_dropped_below_the_threshold():
    # on the mirror line, the 7-NN vote is at best 4:3 (0.57)
    clf = _teacher_fit("knn", WrongLabelGenerator("between"), threshold=0.7)
    rounds = clf.history_.iloc[1:]
    np.testing.assert_array_equal(rounds["n_generated"], [20, 20])
    np.testing.assert_array_equal(rounds["n_rejected_Teacher"], [20, 20])
    np.testing.assert_array_equal(rounds["n_accepted"], [0, 0])
    assert len(clf.synthetic_y_) == 0
    # a lower threshold keeps them, with the teacher's (not more than 4/7) confidence
    low = _teacher_fit("knn", WrongLabelGenerator("between"), threshold=0.5)
    assert len(low.synthetic_y_) == 40
    assert (low.history_["n_rejected_Teacher"].iloc[1:] == 0).all()
    assert low.synthetic_provenance_["quality_Teacher"].between(0.5, 4 / 7 + 1e-9).all()


class EveryOtherFilter:
    """Keeps every other row it is shown; records the labels it saw (a duck-typed
    filter: no BaseFilter, just a filter method returning a FilterResult)."""

    def filter(self, X, y, context):
        self.seen_ = getattr(self, "seen_", []) + [np.asarray(y)]
        return FilterResult(np.arange(len(y)) % 2 == 0,
                            scores=np.arange(len(y), dtype=float))


def test_teacher_runs_before_the_filters_and_keeps_rows_aligned():
    clf = _teacher_fit("knn", WrongLabelGenerator("mixed"), max_iter=1,
                       filters=[EveryOtherFilter()])
    row = clf.history_.iloc[1]
    assert (row["n_generated"], row["n_rejected_Teacher"], row["n_relabeled"]) == \
        (20, 10, 10)
    assert row["n_rejected_EveryOtherFilter"] == 5 and row["n_accepted"] == 5
    # the filter saw only the rows the teacher kept, already relabelled
    assert [name for name, _ in clf.filters_] == ["Teacher", "EveryOtherFilter"]
    (seen,) = dict(clf.filters_)["EveryOtherFilter"].seen_
    assert len(seen) == 10 and np.all(seen == "pos")
    prov = clf.synthetic_provenance_
    # generated rows 0, 2, 4, 6, 8 survive: anchors, filter scores and teacher
    # confidences stay with their rows
    np.testing.assert_array_equal(prov["anchor_index"], [0, 2, 4, 6, 8])
    np.testing.assert_array_equal(prov["quality_EveryOtherFilter"], [0, 2, 4, 6, 8])
    assert (prov["quality_Teacher"] == 1.0).all()
    assert np.all(clf.synthetic_y_ == "pos")


def test_user_estimator_teacher_is_cloned_and_relabels():
    teacher = LogisticRegression()
    clf = _teacher_fit(teacher, WrongLabelGenerator("class1"))
    assert np.all(clf.synthetic_y_ == "pos")
    assert (clf.history_["n_relabeled"].iloc[1:] == 20).all()
    assert "quality_Teacher" in clf.synthetic_provenance_.columns
    assert not hasattr(teacher, "coef_")  # the caller's object was not fitted
    fitted = _fitted_teacher_model(clf)
    assert fitted is not teacher and hasattr(fitted, "coef_")


def test_teacher_learns_the_training_rows_only():
    X, y = mirrored_classes()
    clf = ActiveSynthesisClassifier(LogisticRegression(), filters=[Teacher("knn")],
                                    validation_fraction=0.25, max_iter=1,
                                    keep_generator=True, random_state=0).fit(X, y)
    n_val = len(clf.validation_indices_)
    assert n_val > 0
    assert _fitted_teacher_model(clf).n_samples_fit_ == len(y) - n_val


def test_teacher_threshold_is_validated():
    X, y = mirrored_classes()
    with pytest.raises(ValueError, match="threshold"):
        ActiveSynthesisClassifier(filters=[Teacher("knn", threshold=1.5)]).fit(X, y)
    with pytest.raises(ValueError, match="Teacher"):
        ActiveSynthesisClassifier(filters=[Teacher("svm")]).fit(X, y)


# ------------------------------------------- InterpolationGenerator(partners=...)
@parametrize_generator_checks([InterpolationGenerator(partners="any_class")])
def test_any_class_generator_checks(generator, check):
    check(generator)


def _two_classes_1d(seed=0):
    """Class 0 in [0, 2.5] plus rows at 4.0 and 4.5; class 1 in [7, 10] plus rows at
    5.5 and 6.0. The nearest rows of the class-0 row at 4.5 are 4.0, 5.5, 6.0."""
    rng = np.random.RandomState(seed)
    x0 = np.r_[rng.uniform(0, 2.5, 30), 4.0, 4.5]
    x1 = np.r_[rng.uniform(7, 10, 30), 5.5, 6.0]
    return np.r_[x0, x1][:, None], np.repeat([0, 1], 32)


@pytest.mark.parametrize("partners", ["same_class", "any_class"])
def test_any_class_partners_fill_the_gap_between_classes(partners):
    X, y = _two_classes_1d()
    anchor = 31  # the class-0 row at 4.5, the largest of class 0
    gen = InterpolationGenerator(k_neighbors=3, partners=partners).fit(X, y)
    X_new, y_new = gen.generate(targets=make_targets(X, y, [anchor], [200]),
                                random_state=0)
    assert np.all(y_new == 0)  # the anchor's label either way
    class0_max = X[y == 0].max()
    if partners == "same_class":
        assert np.all(X_new <= class0_max + 1e-12)
    else:
        beyond = X_new[:, 0] > class0_max
        assert 0.4 < beyond.mean() < 0.9  # two of its three partners are class 1
        assert np.all(X_new <= 6.0 + 1e-12)  # never past its farthest partner


def test_any_class_needs_rows_in_total_not_per_class():
    X, y = _two_classes_1d()
    y = y.copy()
    y[:2] = 2  # a class with 2 rows
    # same class: the 2-row class interpolates with its one other row (a warning)
    with pytest.warns(SmallClassWarning, match=r"class\(es\) 2 \(2 rows\)"):
        InterpolationGenerator(k_neighbors=3).fit(X, y)
    gen = InterpolationGenerator(k_neighbors=3, partners="any_class").fit(X, y)
    result = gen.generate(targets=make_targets(X, y, [0], [5]), random_state=0)
    assert np.all(result.y == 2) and result.report["n_rows_small_classes"] == 0
    with pytest.warns(SmallClassWarning, match="3 training row"):
        InterpolationGenerator(k_neighbors=3, partners="any_class").fit(X[:3], y[:3])
    with pytest.raises(ValueError, match="partners"):
        InterpolationGenerator(partners="other").fit(X, y)


def test_any_class_max_candidates_caps_the_partner_pool():
    X, y = _two_classes_1d()
    gen = InterpolationGenerator(k_neighbors=3, partners="any_class", max_candidates=10,
                                 random_state=0).fit(X, y)
    pool = set(gen._any_candidates.tolist())
    assert len(pool) == 10
    gen.generate(targets=make_targets(X, y, np.arange(0, 64, 4), [2] * 16),
                 random_state=0)
    used = set(np.concatenate(list(gen._any_partner_cache.values())).tolist())
    assert used <= pool


def test_any_class_with_a_knn_teacher_end_to_end():
    X, y = make_classification(n_samples=400, n_features=5, n_informative=3,
                               class_sep=0.7, random_state=3)
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), generator=InterpolationGenerator(partners="any_class"),
        filters=[Teacher("knn", threshold=0.7)], max_iter=2, validation_fraction=None,
        random_state=0).fit(X, y)
    rounds = clf.history_.iloc[1:]
    assert (rounds["n_generated"] > 0).all()
    # between the classes some rows change label and some are too close to call
    assert rounds["n_relabeled"].sum() > 0
    assert rounds["n_rejected_Teacher"].sum() > 0
    np.testing.assert_array_equal(
        rounds["n_accepted"],
        rounds["n_generated"] - rounds["n_rejected_schema"] - rounds["n_rejected_Teacher"])
    assert clf.synthetic_provenance_["quality_Teacher"].ge(0.7).all()
    assert clf.predict(X).shape == (400,)
