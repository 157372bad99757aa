"""Realism, confidence, privacy, combined-quality filters and the teacher: each
removes (or relabels) what it claims; the filter protocol checks what it returns."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

import sklearn_activesynth
from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.filters import (
    BaseFilter,
    ConfidenceFilter,
    FilterContext,
    FilterResult,
    PrivacyFilter,
    QualityFilter,
    RealismFilter,
    Teacher,
)
from sklearn_activesynth.generators import InterpolationGenerator
from sklearn_activesynth.utils import TabularSchema
from sklearn_activesynth.utils.estimator_checks import make_check_frame, make_targets


def _pipeline():
    pre = make_column_transformer(
        (StandardScaler(), ["amount", "count"]),
        (OneHotEncoder(handle_unknown="ignore"), ["kind", "city"]),
    )
    return make_pipeline(pre, LogisticRegression())


@pytest.fixture(scope="module")
def real():
    """Real rows, a model fitted on them, and the context the loop would pass."""
    X, y = make_check_frame(n_samples=400, random_state=1)
    labels = np.array(["legit", "fraud"], dtype=object)[y]
    enc = LabelEncoder().fit(labels)
    model = _pipeline().fit(X, enc.transform(labels))
    context = FilterContext(model=model, classes=enc.classes_, label_encoder=enc,
                            X_real=X, y_real=labels, schema=TabularSchema(X), round=1,
                            random_state=0)
    return X, labels, context


@pytest.fixture(scope="module")
def fresh():
    """Honest synthetic rows: new draws from the distribution of the real rows."""
    X, y = make_check_frame(n_samples=200, random_state=7)
    return X, np.array(["legit", "fraud"], dtype=object)[y]


def _out_of_distribution(X, n, seed=0):
    rng = np.random.RandomState(seed)
    ood = X.iloc[:n].copy()
    ood["amount"] = rng.uniform(300, 500, n).round(2)
    ood["count"] = rng.randint(30, 60, n)
    return ood.reset_index(drop=True)


# ------------------------------------------------------------------ each removes what it claims
def test_privacy_filter_removes_near_copies_of_real_rows(real, fresh):
    X, _, context = real
    rng = np.random.RandomState(0)
    copies = X.iloc[:30].copy()
    copies["amount"] = copies["amount"] + 0.01 * rng.choice([-1, 1], 30)  # one cent off
    exact = X.iloc[30:40]
    X_syn = pd.concat([fresh[0], copies, exact], ignore_index=True)
    filt = PrivacyFilter().fit(X, context.y_real)
    result = filt.filter(X_syn, None, context)
    keep = result.mask
    assert isinstance(result, FilterResult) and result.y is None
    assert not keep[200:].any(), "a near-copy of a real row was kept"
    assert keep[:200].mean() > 0.85
    assert result.scores.shape == (240,) and (result.scores[200:] < filt.threshold_).all()
    np.testing.assert_array_equal(result.scores, filt.distances(X_syn))
    assert filt.threshold_ == pytest.approx(np.quantile(filt.real_nn_distances_, 0.05))


def test_privacy_filter_drops_exact_copies_even_when_real_rows_repeat():
    X = np.repeat(np.arange(20.0).reshape(10, 2), 3, axis=0)  # every real row thrice
    filt = PrivacyFilter().fit(X)
    assert filt.n_distinct_real_ == 10
    # the spacing of the 10 distinct rows, not the 0 between repeats
    step = np.linalg.norm(2.0 / X.std(axis=0))
    assert filt.threshold_ == pytest.approx(step, rel=1e-5)
    keep = filt.filter(np.vstack([X[:3], X[:3] + 0.5, X[:3] + 100.0])).mask
    np.testing.assert_array_equal(keep, [False] * 6 + [True] * 3)


def _dedup_threshold(X, quantile=0.05):
    """The auto threshold computed by hand on the distinct encoded real rows."""
    Z = np.unique(TabularSchema(X).encode(X, dtype=np.float32), axis=0).astype(float)
    d = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return np.quantile(d.min(axis=1), quantile)


def test_privacy_threshold_ignores_duplicated_real_rows_on_mixed_data():
    X, y = make_check_frame(n_samples=300, random_state=3)
    # many real rows repeated (a customer with several identical transactions)
    rng = np.random.RandomState(0)
    dup = rng.choice(len(X), size=500, replace=True)
    X_dup = pd.concat([X, X.iloc[dup]], ignore_index=True)
    y_dup = np.concatenate([y, y[dup]])
    expected = _dedup_threshold(X_dup)
    assert expected > 0.0
    filt = PrivacyFilter().fit(X_dup, y_dup)
    assert filt.n_distinct_real_ == len(X.drop_duplicates())
    assert filt.threshold_ == pytest.approx(expected, rel=1e-4)
    # rows made between real neighbours, some of them very close to a real row
    gen = InterpolationGenerator().fit(X_dup, y_dup)
    X_syn, _ = gen.generate(600, random_state=0)
    result = filt.filter(X_syn)
    dcr = result.scores
    # the case matters: rows closer than the threshold but no exact copies are made
    assert ((dcr < expected) & (dcr > 1e-3)).sum() > 20
    assert result.mask.any()
    assert np.all(dcr[result.mask] > expected), "a kept row is closer to a real row than " \
        "the de-duplicated threshold"
    # the figures of the kept rows, for history_
    assert result.report["dcr_threshold"] == pytest.approx(filt.threshold_)
    assert result.report["dcr_min_kept"] == pytest.approx(dcr[result.mask].min())
    assert result.report["dcr_median_kept"] == pytest.approx(np.median(dcr[result.mask]))
    assert result.report["dcr_min_kept"] > expected


def test_privacy_filter_without_distinct_neighbours_keeps_judging_copies():
    X = np.ones((5, 2))  # one record, five times
    filt = PrivacyFilter().fit(X)
    assert filt.n_distinct_real_ == 1 and filt.threshold_ == 0.0
    result = filt.filter(np.array([[1.0, 1.0], [3.0, 1.0]]))
    np.testing.assert_array_equal(result.mask, [False, True])
    empty = filt.filter(np.array([[1.0, 1.0]]))
    assert np.isnan(empty.report["dcr_min_kept"]) and np.isnan(empty.report["dcr_median_kept"])


def test_privacy_filter_deduplicates_sparse_rows():
    X = sp.csr_matrix(np.repeat(np.array([[0.0, 1.0], [2.0, 0.0], [4.0, 5.0]]), 4, axis=0))
    filt = PrivacyFilter().fit(X)
    assert filt.n_distinct_real_ == 3 and filt.threshold_ > 0


def test_privacy_dcr_of_kept_rows_reaches_history():
    X, y = make_check_frame(n_samples=200, random_state=3)
    X = pd.concat([X, X.iloc[:150]], ignore_index=True)  # duplicated real rows
    y = np.concatenate([y, y[:150]])
    clf = ActiveSynthesisClassifier(_pipeline(), filters=[PrivacyFilter()], max_iter=2,
                                    random_state=0).fit(X, y)
    rounds = clf.history_[clf.history_["round"] > 0]
    assert {"dcr_threshold", "dcr_min_kept", "dcr_median_kept"} <= set(rounds.columns)
    threshold = rounds["dcr_threshold"].iloc[0]
    assert threshold == pytest.approx(_dedup_threshold(X), rel=1e-4)
    kept = rounds["dcr_min_kept"].dropna()
    assert len(kept) and (kept > threshold).all()


def test_confidence_filter_removes_label_flipped_rows(real, fresh):
    X, _, context = real
    X_syn, y_syn = fresh
    rng = np.random.RandomState(0)
    flipped = rng.choice(len(y_syn), 40, replace=False)
    y_bad = y_syn.copy()
    y_bad[flipped] = np.where(y_syn[flipped] == "fraud", "legit", "fraud")
    filt = ConfidenceFilter()
    result = filt.filter(X_syn, y_bad, context)
    keep, scores = result.mask, result.scores
    honest = np.setdiff1d(np.arange(len(y_syn)), flipped)
    assert 1 - keep[flipped].mean() >= 0.9, "flipped rows kept"
    assert keep[honest].mean() >= 0.95
    assert ((scores >= 0) & (scores <= 1)).all()
    # a flipped row's own label gets a low probability
    assert scores[flipped].mean() < 0.2 < scores[honest].mean()


def test_confidence_filter_can_drop_trivially_easy_rows(real, fresh):
    _, _, context = real
    X_syn, y_syn = fresh
    all_kept = ConfidenceFilter().filter(X_syn, y_syn, context).mask
    filt = ConfidenceFilter(easy_threshold=0.99)
    result = filt.filter(X_syn, y_syn, context)
    keep, scores = result.mask, result.scores
    assert keep.sum() < all_kept.sum()
    assert (scores[keep] < 0.99).all()
    assert (scores[~keep & all_kept] >= 0.99).all()


@pytest.mark.parametrize("reference", ["local", "global"])
def test_realism_filter_removes_most_out_of_distribution_rows(real, fresh, reference):
    X, _, context = real
    X_syn = pd.concat([fresh[0].iloc[:100], _out_of_distribution(fresh[0], 20)],
                      ignore_index=True)
    filt = RealismFilter(reference=reference, random_state=0).fit(X)
    result = filt.filter(X_syn, None, context)
    keep = result.mask
    assert 1 - keep[100:].mean() >= 0.8, "out-of-distribution rows kept"
    assert keep[:100].mean() >= 0.8
    # the same seed (the context's) gives the same scores; the threshold is the
    # 5 % quantile of the held-out real rows' scores
    p_syn, p_hold = filt.realism_scores(X_syn, context)
    np.testing.assert_array_equal(result.scores, p_syn)
    assert result.report["threshold"] == pytest.approx(np.quantile(p_hold, 0.05))
    np.testing.assert_array_equal(keep, p_syn >= result.report["threshold"])
    assert np.all((result.scores >= 0) & (result.scores <= 1))


def test_local_realism_does_not_punish_rows_for_being_where_they_were_asked(real):
    """Rows concentrated near a few anchors (what targeting produces) but
    realistic: a discriminator against all real rows learns the concentration,
    the local reference does not."""
    X, y, context = real
    gen = InterpolationGenerator().fit(X, y)
    fraud = np.flatnonzero(y == "fraud")
    anchors = fraud[np.argsort(X["amount"].to_numpy()[fraud])[:5]]
    X_t, _ = gen.generate(targets=make_targets(X, y, anchors, [16] * 5), random_state=0)
    kept = {ref: RealismFilter(reference=ref, random_state=0).fit(X).filter(
        X_t, None, context).mask for ref in ("local", "global")}
    assert kept["local"].mean() > kept["global"].mean() + 0.2, \
        {k: v.mean() for k, v in kept.items()}


def test_quality_filter_combines_realism_and_confidence(real, fresh):
    X, _, context = real
    X_syn, y_syn = fresh
    X_all = pd.concat([X_syn.iloc[:100], _out_of_distribution(X_syn, 20)],
                      ignore_index=True)
    y_all = np.r_[y_syn[:100], y_syn[:20]].astype(object)
    flipped = np.arange(10)
    y_all[flipped] = np.where(y_all[flipped] == "fraud", "legit", "fraud")
    filt = QualityFilter(random_state=0).fit(X)
    result = filt.filter(X_all, y_all, context)
    keep = result.mask
    good = np.arange(10, 100)
    assert 1 - keep[flipped].mean() >= 0.7, "mislabelled rows kept"
    assert 1 - keep[100:].mean() >= 0.9, "out-of-distribution rows kept"
    assert keep[good].mean() >= 0.75
    q = result.scores
    q_again, realism, confidence = filt.quality_scores(X_all, y_all, context)
    np.testing.assert_array_equal(q, q_again)
    np.testing.assert_allclose(q, np.sqrt(realism * confidence))
    assert np.all((q >= 0) & (q <= 1)) and np.array_equal(keep, q > 0.3)
    # h as a callable, tau_q = 0: everything but zero scores is kept
    custom = QualityFilter(threshold=0.0, combine=lambda r, c: 0.3 * r + 0.7 * c,
                           random_state=0).fit(X)
    custom_result = custom.filter(X_all, y_all, context)
    q_c, realism_c, confidence_c = custom.quality_scores(X_all, y_all, context)
    np.testing.assert_array_equal(custom_result.scores, q_c)
    np.testing.assert_allclose(q_c, 0.3 * realism_c + 0.7 * confidence_c)
    np.testing.assert_array_equal(custom_result.mask, q_c > 0.0)


# ------------------------------------------------------------------ protocol
def test_filters_in_the_loop_count_rejections_and_record_scores():
    X, y = make_check_frame(n_samples=300)
    filters = [PrivacyFilter(), RealismFilter(), ConfidenceFilter(), QualityFilter(),
               PrivacyFilter(quantile=0.2)]
    clf = ActiveSynthesisClassifier(_pipeline(), filters=filters, max_iter=2,
                                    n_synthetic=0.3, random_state=0).fit(X, y)
    names = ["PrivacyFilter", "RealismFilter", "ConfidenceFilter", "QualityFilter",
             "PrivacyFilter_4"]
    rounds = clf.history_.iloc[1:]
    for name in names:
        assert f"n_rejected_{name}" in rounds.columns
        assert f"quality_{name}" in clf.synthetic_provenance_.columns
    rejected = rounds[[f"n_rejected_{n}" for n in names]].sum(axis=1)
    assert (rounds["n_generated"] - rounds["n_rejected_schema"] - rejected >= 0).all()
    accepted = rounds.loc[rounds["accepted"], "n_accepted"]
    np.testing.assert_array_equal(
        accepted, (rounds["n_generated"] - rounds["n_rejected_schema"] - rejected)[
            rounds["accepted"]])
    # the user's filter objects are cloned, never fitted in place
    assert not hasattr(filters[0], "nn_") and not hasattr(filters[3], "realism_")


def test_filters_work_on_arrays_and_sparse_matrices():
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.8], random_state=0)
    for data in (X, sp.csr_matrix(X)):
        clf = ActiveSynthesisClassifier(
            LogisticRegression(), filters=[PrivacyFilter(), ConfidenceFilter(),
                                           RealismFilter(), QualityFilter()],
            max_iter=1, random_state=0).fit(data, y)
        assert "n_rejected_RealismFilter" in clf.history_.columns
        assert clf.synthetic_X_.shape[1] == 6


def test_edge_cases_empty_and_single_rows(real):
    X, y, context = real
    for filt in (PrivacyFilter().fit(X), RealismFilter().fit(X), ConfidenceFilter(),
                 QualityFilter().fit(X), Teacher().fit(X, y)):
        result = filt.filter(X.iloc[:0], y[:0], context)
        assert result.mask.shape == (0,) and result.scores.shape == (0,)
    one = RealismFilter().fit(X).filter(X.iloc[:1], y[:1], context)
    np.testing.assert_array_equal(one.mask, [True])  # cannot be judged: kept
    assert np.isnan(one.scores).all()


def test_unfitted_filters_use_the_context_or_say_what_is_missing(real):
    X, y, context = real
    assert PrivacyFilter().filter(X.iloc[:5], y[:5], context).mask.shape == (5,)
    with pytest.raises(NotFittedError):
        PrivacyFilter().filter(X.iloc[:5])
    with pytest.raises(NotFittedError):
        RealismFilter().filter(X.iloc[:5])
    with pytest.raises(ValueError, match="needs the current model"):
        ConfidenceFilter().filter(X.iloc[:5], y[:5], None)
    with pytest.raises(NotFittedError):
        Teacher().filter(X.iloc[:5], y[:5], context)


def test_filters_are_clonable_estimators():
    for filt in (RealismFilter(threshold=0.3, reference="global"), ConfidenceFilter(0.8),
                 PrivacyFilter(quantile=0.1), QualityFilter(0.1, combine="min",
                                                           realism=RealismFilter(cv=2)),
                 Teacher(LogisticRegression(C=0.5), threshold=0.6)):
        copy = clone(filt)
        assert copy.get_params(deep=False).keys() == filt.get_params(deep=False).keys()
        assert repr(copy) == repr(filt)


def test_filter_context_moved_to_filters_and_still_exported():
    assert sklearn_activesynth.FilterContext is FilterContext


# ------------------------------------------------------------------ FilterResult, BaseFilter
def test_filter_result_checks_what_it_holds():
    r = FilterResult(np.array([True, False]), scores=[1, 2], y=["a", "b"],
                     report={"threshold": 0.5})
    assert r.n_rows == 2 and r.scores.dtype == float and r.y.tolist() == ["a", "b"]
    assert FilterResult([]).mask.dtype == bool  # no rows: an empty list will do
    assert FilterResult([True, False]).report == {}
    with pytest.raises(TypeError, match="must be boolean.*scores >= threshold"):
        FilterResult(np.array([0.9, 0.1]))
    with pytest.raises(TypeError, match="must be boolean"):
        FilterResult(np.array([1, 0]))
    with pytest.raises(ValueError, match="must be 1-D"):
        FilterResult(np.ones((2, 1), dtype=bool))
    with pytest.raises(ValueError, match=r"scores has shape \(3,\); expected \(2,\)"):
        FilterResult(np.ones(2, dtype=bool), scores=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"y has shape \(1,\); expected \(2,\)"):
        FilterResult(np.ones(2, dtype=bool), y=["a"])
    with pytest.raises(TypeError, match="report must be a dict"):
        FilterResult(np.ones(2, dtype=bool), report=[("threshold", 0.5)])
    # two results are separate: the default report is not shared
    a, b = FilterResult([True]), FilterResult([True])
    a.report["x"] = 1
    assert b.report == {}


class KeepEveryOther(BaseFilter):
    """Minimal filter: no fit, a bare mask from _filter, one parameter."""

    def __init__(self, offset=0):
        self.offset = offset

    def _filter(self, X, y, context):
        return (np.arange(X.shape[0]) + self.offset) % 2 == 0


class WrongLength(BaseFilter):
    def _filter(self, X, y, context):
        return FilterResult(np.ones(X.shape[0] + 1, dtype=bool))


def test_a_minimal_subclass_gets_fit_validation_and_cloning():
    X = np.zeros((5, 2))
    filt = KeepEveryOther(offset=1)
    assert filt.fit(X, np.zeros(5)) is filt and filt.fit_on == "all"
    result = filt.filter(X, np.arange(5))
    assert isinstance(result, FilterResult) and result.scores is None and result.y is None
    np.testing.assert_array_equal(result.mask, [False, True, False, True, False])
    copy = clone(filt)
    assert copy.get_params() == {"offset": 1} and copy is not filt
    with pytest.raises(ValueError, match="got 5 rows and 4 labels"):
        filt.filter(X, np.arange(4))
    with pytest.raises(ValueError, match=r"WrongLength._filter returned 6 mask entries for 5"):
        WrongLength().filter(X)
    with pytest.raises(NotImplementedError, match="must implement _filter"):
        BaseFilter().filter(X)
    with pytest.raises(TypeError, match="fit_on is 'validation'"):
        class Bad(BaseFilter):  # noqa: F841
            fit_on = "validation"


def test_fit_on_says_which_real_rows_a_filter_learns_from():
    for filt in (RealismFilter(), ConfidenceFilter(), PrivacyFilter(), QualityFilter()):
        assert filt.fit_on == "all"
    assert Teacher.fit_on == "train"


# ------------------------------------------------------------------ Teacher
def _mirrored(n=100, seed=0):
    """Class "neg" around (-4, 0), class "pos" its mirror image around (4, 0):
    on the line x = 0 a 7-NN vote is at best 4:3."""
    X0 = np.random.RandomState(seed).normal(loc=(-4, 0), size=(n, 2))
    return np.vstack([X0, X0 * [-1, 1]]), np.array(["neg"] * n + ["pos"] * n)


def test_teacher_relabels_rows_into_the_original_label_space():
    X, y = _mirrored()
    rng = np.random.RandomState(1)
    near_pos = np.array([4.0, 0.0]) + rng.normal(scale=0.3, size=(20, 2))
    near_neg = np.array([-4.0, 0.0]) + rng.normal(scale=0.3, size=(10, 2))
    X_syn = np.vstack([near_pos, near_neg])
    y_syn = np.array(["neg"] * 30)  # the first 20 are wrong
    teacher = Teacher().fit(X, y)
    result = teacher.filter(X_syn, y_syn)
    assert result.y.dtype == y.dtype
    np.testing.assert_array_equal(result.y, ["pos"] * 20 + ["neg"] * 10)
    assert result.mask.all() and (result.scores == 1.0).all()
    assert result.report == {"n_relabeled": 20}
    # the knn teacher: 7 neighbours on the standardised encoding
    assert isinstance(teacher.estimator_, KNeighborsClassifier)
    assert teacher.estimator_.n_neighbors == 7
    np.testing.assert_array_equal(teacher.classes_, ["neg", "pos"])
    np.testing.assert_allclose(teacher.estimator_._fit_X, teacher.schema_.encode(X))
    # without labels there is nothing to count, the relabelling is the same
    unlabelled = teacher.filter(X_syn)
    np.testing.assert_array_equal(unlabelled.y, result.y)
    assert unlabelled.report == {}


def test_teacher_drops_rows_below_the_threshold():
    X, y = _mirrored()
    between = np.c_[np.zeros(20), np.random.RandomState(2).uniform(-1, 1, 20)]
    y_syn = np.array(["neg"] * 20)
    sure = Teacher(threshold=0.7).fit(X, y).filter(between, y_syn)
    assert not sure.mask.any()
    assert (sure.scores <= 4 / 7 + 1e-12).all() and (sure.scores >= 0.5).all()
    assert sure.report == {"n_relabeled": 0}  # dropped rows are not counted
    lenient = Teacher(threshold=0.5).fit(X, y).filter(between, y_syn)
    assert lenient.mask.all()
    np.testing.assert_array_equal(lenient.scores, sure.scores)
    assert lenient.report["n_relabeled"] == int(np.sum(lenient.y != "neg"))
    # few real rows: as many neighbours as there are rows
    assert Teacher().fit(X[[0, 1, 100]], y[[0, 1, 100]]).estimator_.n_neighbors == 3


def test_teacher_with_a_users_classifier_is_cloned_and_learns_codes():
    X, y = _mirrored()
    lr = LogisticRegression()
    teacher = Teacher(lr).fit(X, y)
    assert not hasattr(lr, "coef_") and teacher.estimator_ is not lr
    np.testing.assert_array_equal(teacher.estimator_.classes_, [0, 1])
    assert teacher.schema_ is None
    result = teacher.filter(np.array([[3.0, 0.0], [-3.0, 0.0]]), np.array(["neg", "neg"]))
    np.testing.assert_array_equal(result.y, ["pos", "neg"])
    assert result.report == {"n_relabeled": 1} and result.mask.all()
    np.testing.assert_allclose(result.scores,
                               teacher.estimator_.predict_proba([[3.0, 0.0], [-3.0, 0.0]])
                               .max(axis=1))


def test_teacher_on_mixed_columns_and_a_given_schema(real, fresh):
    X, y, context = real
    X_syn, y_syn = fresh
    flipped = np.where(y_syn == "fraud", "legit", "fraud")
    teacher = Teacher(threshold=0.0).fit(X, y)
    result = teacher.filter(X_syn, flipped, context)
    # most rows go back to a label the real rows support
    assert (result.y != flipped).mean() > 0.6
    assert result.report["n_relabeled"] == int(np.sum(result.y != flipped))
    schema = TabularSchema(X)
    given = Teacher(threshold=0.0).fit(X, y, schema=schema)
    assert given.schema_ is schema
    np.testing.assert_array_equal(given.filter(X_syn, flipped).y, result.y)
    with pytest.raises(ValueError, match="one label per row"):
        Teacher().fit(X, y[:-1])
