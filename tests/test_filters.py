"""Realism, confidence, privacy and combined-quality filters: each removes what it claims."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier, FilterContext
from sklearn_activesynth.filters import (
    ConfidenceFilter,
    PrivacyFilter,
    QualityFilter,
    RealismFilter,
)
from sklearn_activesynth.generators import InterpolationGenerator
from sklearn_activesynth.utils._tabular import TabularSchema
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
    keep = filt.filter(X_syn, None, context)
    assert not keep[200:].any(), "a near-copy of a real row was kept"
    assert keep[:200].mean() > 0.85
    assert filt.last_scores_.shape == (240,) and (filt.last_scores_[200:] < filt.threshold_).all()
    assert filt.threshold_ == pytest.approx(np.quantile(filt.real_nn_distances_, 0.05))


def test_privacy_filter_drops_exact_copies_even_when_real_rows_repeat():
    X = np.repeat(np.arange(20.0).reshape(10, 2), 3, axis=0)  # every real row thrice
    filt = PrivacyFilter().fit(X)
    assert filt.threshold_ == 0.0
    keep = filt.filter(np.vstack([X[:3], X[:3] + 0.5]))
    np.testing.assert_array_equal(keep, [False, False, False, True, True, True])


def test_confidence_filter_removes_label_flipped_rows(real, fresh):
    X, _, context = real
    X_syn, y_syn = fresh
    rng = np.random.RandomState(0)
    flipped = rng.choice(len(y_syn), 40, replace=False)
    y_bad = y_syn.copy()
    y_bad[flipped] = np.where(y_syn[flipped] == "fraud", "legit", "fraud")
    filt = ConfidenceFilter()
    keep = filt.filter(X_syn, y_bad, context)
    honest = np.setdiff1d(np.arange(len(y_syn)), flipped)
    assert 1 - keep[flipped].mean() >= 0.9, "flipped rows kept"
    assert keep[honest].mean() >= 0.95
    assert ((filt.last_scores_ >= 0) & (filt.last_scores_ <= 1)).all()
    # a flipped row's own label gets a low probability
    assert filt.last_scores_[flipped].mean() < 0.2 < filt.last_scores_[honest].mean()


def test_confidence_filter_can_drop_trivially_easy_rows(real, fresh):
    _, _, context = real
    X_syn, y_syn = fresh
    all_kept = ConfidenceFilter().filter(X_syn, y_syn, context)
    filt = ConfidenceFilter(easy_threshold=0.99)
    keep = filt.filter(X_syn, y_syn, context)
    assert keep.sum() < all_kept.sum()
    assert (filt.last_scores_[keep] < 0.99).all()
    assert (filt.last_scores_[~keep & all_kept] >= 0.99).all()


@pytest.mark.parametrize("reference", ["local", "global"])
def test_realism_filter_removes_most_out_of_distribution_rows(real, fresh, reference):
    X, _, context = real
    X_syn = pd.concat([fresh[0].iloc[:100], _out_of_distribution(fresh[0], 20)],
                      ignore_index=True)
    filt = RealismFilter(reference=reference).fit(X)
    keep = filt.filter(X_syn, None, context)
    assert 1 - keep[100:].mean() >= 0.8, "out-of-distribution rows kept"
    assert keep[:100].mean() >= 0.8
    assert filt.threshold_ == pytest.approx(np.quantile(filt.last_holdout_scores_, 0.05))
    assert np.all((filt.last_scores_ >= 0) & (filt.last_scores_ <= 1))


def test_local_realism_does_not_punish_rows_for_being_where_they_were_asked(real):
    """Rows concentrated near a few anchors (what targeting produces) but
    realistic: a discriminator against all real rows learns the concentration,
    the local reference does not."""
    X, y, context = real
    gen = InterpolationGenerator().fit(X, y)
    fraud = np.flatnonzero(y == "fraud")
    anchors = fraud[np.argsort(X["amount"].to_numpy()[fraud])[:5]]
    X_t, _ = gen.generate(targets=make_targets(X, y, anchors, [16] * 5), random_state=0)
    kept = {ref: RealismFilter(reference=ref, random_state=0).fit(X).filter(X_t, None, context)
            for ref in ("local", "global")}
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
    filt = QualityFilter().fit(X)
    keep = filt.filter(X_all, y_all, context)
    good = np.arange(10, 100)
    assert 1 - keep[flipped].mean() >= 0.7, "mislabelled rows kept"
    assert 1 - keep[100:].mean() >= 0.9, "out-of-distribution rows kept"
    assert keep[good].mean() >= 0.75
    q = filt.last_scores_
    np.testing.assert_allclose(q, np.sqrt(filt.last_realism_ * filt.last_confidence_))
    assert np.all((q >= 0) & (q <= 1)) and np.array_equal(keep, q > 0.3)
    # h as a callable, tau_q = 0: everything but zero scores is kept
    custom = QualityFilter(threshold=0.0, combine=lambda r, c: 0.3 * r + 0.7 * c).fit(X)
    custom.filter(X_all, y_all, context)
    np.testing.assert_allclose(custom.last_scores_,
                               0.3 * custom.last_realism_ + 0.7 * custom.last_confidence_)


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
                 QualityFilter().fit(X)):
        keep = filt.filter(X.iloc[:0], y[:0], context)
        assert keep.shape == (0,)
    one = RealismFilter().fit(X).filter(X.iloc[:1], y[:1], context)
    np.testing.assert_array_equal(one, [True])  # cannot be judged: kept


def test_unfitted_filters_use_the_context_or_say_what_is_missing(real):
    X, y, context = real
    assert PrivacyFilter().filter(X.iloc[:5], y[:5], context).shape == (5,)
    with pytest.raises(NotFittedError):
        PrivacyFilter().filter(X.iloc[:5])
    with pytest.raises(NotFittedError):
        RealismFilter().filter(X.iloc[:5])
    with pytest.raises(ValueError, match="needs the current model"):
        ConfidenceFilter().filter(X.iloc[:5], y[:5], None)


def test_filters_are_clonable_estimators():
    for filt in (RealismFilter(threshold=0.3, reference="global"), ConfidenceFilter(0.8),
                 PrivacyFilter(quantile=0.1), QualityFilter(0.1, combine="min",
                                                           realism=RealismFilter(cv=2))):
        copy = clone(filt)
        assert copy.get_params(deep=False).keys() == filt.get_params(deep=False).keys()
        assert repr(copy) == repr(filt)
