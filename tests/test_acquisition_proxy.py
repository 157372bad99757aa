"""A proxy model and committees for ranking a pool (issue 15, points 1 and 4).

Constructed cases where the right answer is computed independently: the
rows a proxy acquires are the ranking of the same proxy fitted by hand on the
same rows, a committee's ranking is the variance of the members it was
fitted with, and the task model is never asked about the pool when a proxy
ranks it.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.acquisition import (
    Acquisition,
    HybridSampling,
    UncertaintySampling,
)
from sklearn_activesynth.uncertainty import (
    DeepEnsembleVariance,
    EnsembleVariance,
    ensemble_variance,
)

N_LABELLED = 60


def two_gaussians(n=400, seed=0):
    """Classes N((-1.5, 0), I) and N((1.5, 0), I) with unequal spreads (so a
    Gaussian naive Bayes boundary is curved, a logistic one straight)."""
    rng = np.random.RandomState(seed)
    y = rng.permutation(np.repeat([0, 1], n // 2))
    X = rng.normal(size=(n, 2)) * np.where(y == 1, 2.0, 0.6)[:, None]
    X[:, 0] += np.where(y == 1, 1.5, -1.5)
    return X, y


@pytest.fixture(scope="module")
def data():
    X, y_true = two_gaussians()
    y = y_true.astype(float)
    y[N_LABELLED:] = np.nan
    return X, y_true, y


def lookup(y_true):
    def oracle(rows, indices):
        return y_true[indices]
    return oracle


class PredictRecordingLR(LogisticRegression):
    """LogisticRegression that records every row it is asked to predict
    (class-level: the loop predicts with clones)."""

    seen = []

    def _record(self, X):
        PredictRecordingLR.seen.append(np.array(X, dtype=float, copy=True))

    def predict_proba(self, X):
        self._record(X)
        return super().predict_proba(X)

    def decision_function(self, X):
        self._record(X)
        return super().decision_function(X)

    def predict(self, X):
        self._record(X)
        return super().predict(X)


class RecordingCommittee(EnsembleVariance):
    """EnsembleVariance that keeps what it was fitted on and what it scored."""

    def fit_committee(self, estimator, X, y, sample_weight=None, **kw):
        members, in_bag = super().fit_committee(estimator, X, y, sample_weight, **kw)
        self.fitted_on_ = (np.array(X, copy=True), np.array(y, copy=True), members)
        return members, in_bag

    def score_committee(self, members, X, n_classes, exclude=None):
        self.scored_ = getattr(self, "scored_", []) + [np.array(X, copy=True)]
        return super().score_committee(members, X, n_classes, exclude)


def margin_ranking(model, X_pool, n):
    """The ``n`` rows with the largest margin uncertainty, by hand; ties to the
    lower position."""
    p = np.sort(model.predict_proba(X_pool), axis=1)
    u = 1.0 - (p[:, -1] - p[:, -2])
    return np.lexsort((np.arange(len(u)), -u))[:n]


def rows_in(rows, X):
    """Which rows of ``rows`` appear in ``X`` (exact float matches)."""
    seen = {tuple(r) for r in X}
    return np.array([tuple(r) in seen for r in rows], dtype=bool)


# ---------------------------------------------------------------- the proxy in fit
def test_the_proxy_ranks_as_itself_fitted_on_the_same_rows(data):
    X, y_true, y = data
    lab, unl = np.arange(N_LABELLED), np.arange(N_LABELLED, len(y))
    budget = 8
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), oracle=lookup(y_true),
        acquisition=Acquisition(budget_init=budget, query_estimator=GaussianNB()),
        validation_fraction=None, max_iter=2, random_state=0).fit(X, y)
    first, second = clf.acquired_indices_[:budget], clf.acquired_indices_[budget:]

    # round 1: the proxy learns the labelled rows (no synthetic row yet)
    proxy_1 = GaussianNB().fit(X[lab], y_true[lab])
    np.testing.assert_array_equal(first, unl[margin_ranking(proxy_1, X[unl], budget)])
    # the task model would have asked for other rows: the test can fail
    task_1 = LogisticRegression().fit(X[lab], y_true[lab])
    assert set(first) != set(unl[margin_ranking(task_1, X[unl], budget)])

    # round 2: labelled + round 1's acquired rows + round 1's accepted synthetic rows
    syn = clf.synthetic_round_ == 1
    assert syn.any() and clf.history_.loc[1, "accepted"]
    rows = np.concatenate([lab, first])
    proxy_2 = GaussianNB().fit(np.vstack([X[rows], clf.synthetic_X_[syn]]),
                               np.concatenate([y_true[rows], clf.synthetic_y_[syn]]))
    left = np.setdiff1d(unl, first)
    np.testing.assert_array_equal(second, left[margin_ranking(proxy_2, X[left], budget)])

    h = clf.history_.set_index("round")
    assert h.loc[1:, "query_model"].tolist() == ["GaussianNB", "GaussianNB"]
    assert (h.loc[1:, "seconds_query_model"] >= 0).all()

    # query_estimator_: the proxy refitted on the final model's rows
    final = np.concatenate([lab, clf.acquired_indices_])
    ref = GaussianNB().fit(np.vstack([X[final], clf.synthetic_X_]),
                           np.concatenate([y_true[final], clf.synthetic_y_]))
    assert isinstance(clf.query_estimator_, GaussianNB)
    np.testing.assert_allclose(clf.query_estimator_.predict_proba(X),
                               ref.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(clf.query_estimator_.classes_, [0, 1])


def test_the_task_model_is_never_asked_about_the_pool_when_a_proxy_ranks(data):
    X, y_true, y = data
    kw = dict(oracle=lookup(y_true), max_iter=2, random_state=0)

    def never_acquired_rows_predicted(acquisition):
        PredictRecordingLR.seen = []
        clf = ActiveSynthesisClassifier(PredictRecordingLR(), acquisition=acquisition,
                                        **kw).fit(X, y)
        left = np.setdiff1d(np.arange(N_LABELLED, len(y)), clf.acquired_indices_)
        seen = np.vstack(PredictRecordingLR.seen)
        return int(rows_in(X[left], seen).sum()), clf

    n_proxy, clf = never_acquired_rows_predicted(
        Acquisition(budget_init=5, query_estimator=GaussianNB()))
    assert n_proxy == 0
    assert isinstance(clf.query_estimator_, GaussianNB)
    # without a proxy, the task model scores every unlabelled row each round
    n_task, clf = never_acquired_rows_predicted(Acquisition(budget_init=5))
    assert n_task == len(y) - N_LABELLED - len(clf.acquired_indices_)
    assert not hasattr(clf, "query_estimator_")


def test_the_proxy_is_tunable_and_never_fitted_itself(data):
    X, y_true, y = data
    proxy = GaussianNB()
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                    acquisition=Acquisition(query_estimator=proxy),
                                    max_iter=1, random_state=0)
    assert "acquisition__query_estimator" in clf.get_params()
    clf.set_params(acquisition__query_estimator__var_smoothing=1e-3)
    assert proxy.var_smoothing == 1e-3
    clf.fit(X, y)
    assert not hasattr(proxy, "classes_")        # cloned, never fitted itself
    assert clf.query_estimator_.var_smoothing == 1e-3

    # folds test on labelled rows only; an oracle that looks rows up by index
    frame = pd.DataFrame(X, columns=["a", "b"])
    truth = pd.Series(y_true, index=frame.index)
    search = GridSearchCV(
        ActiveSynthesisClassifier(LogisticRegression(),
                                  oracle=lambda rows: truth.loc[rows.index],
                                  acquisition=Acquisition(budget_init=5), max_iter=1,
                                  random_state=0),
        {"acquisition__query_estimator": [None, GaussianNB()]},
        cv=PredefinedSplit(np.where(np.isnan(y), -1, np.arange(len(y)) % 2)),
        error_score="raise").fit(frame, y)
    assert len(search.cv_results_["params"]) == 2
    best = search.best_estimator_
    assert (best.acquisition.query_estimator is None) == (not hasattr(best, "query_estimator_"))


def test_a_proxy_without_sample_weight_is_resampled_with_one_warning(data):
    X, y_true, y = data
    from sklearn.neighbors import KNeighborsClassifier

    w = np.ones(len(y))
    w[:10] = 3.0
    with pytest.warns(UserWarning, match="query_estimator.*no sample_weight"):
        clf = ActiveSynthesisClassifier(
            LogisticRegression(), oracle=lookup(y_true),
            acquisition=Acquisition(budget_init=5,
                                    query_estimator=KNeighborsClassifier(15)),
            max_iter=2, random_state=0).fit(X, y, sample_weight=w)
    assert len(clf.acquired_indices_) == 10


# ---------------------------------------------------------------- the proxy in query
def test_query_ranks_with_a_fitted_proxy_and_never_asks_the_final_model(data):
    X, y_true, _ = data
    lab = np.arange(200)
    pool = X[200:]
    clf = ActiveSynthesisClassifier(PredictRecordingLR(), max_iter=0,
                                    random_state=0).fit(X[lab], y_true[lab])
    proxy = GaussianNB().fit(X[lab], y_true[lab])
    PredictRecordingLR.seen = []
    positions, scores = clf.query(pool, 15, query_estimator=proxy, return_scores=True)
    assert PredictRecordingLR.seen == []
    np.testing.assert_array_equal(positions, margin_ranking(proxy, pool, 15))
    want = UncertaintySampling("margin").rank(proxy, pool, 15)
    np.testing.assert_array_equal(scores, want.scores)
    # the final model ranks otherwise: the proxy was used
    assert set(positions) != set(clf.query(pool, 15))
    assert len(PredictRecordingLR.seen) > 0
    # any strategy, with the proxy
    hybrid = clf.query(pool, 5, strategy=HybridSampling(diversity=0.5), query_estimator=proxy)
    np.testing.assert_array_equal(
        hybrid, HybridSampling(diversity=0.5).rank(proxy, pool, 5, random_state=0).positions)
    # a proxy fitted on the user's labels or on their codes is of the same problem
    strings = np.array(["legit", "fraud"])[y_true[lab]]
    clf_s = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(X[lab], strings)
    proxy_s = GaussianNB().fit(X[lab], strings)
    np.testing.assert_array_equal(clf_s.query(pool, 15, query_estimator=proxy_s), positions)


def test_query_refuses_an_unfitted_proxy_or_another_problem(data):
    X, y_true, _ = data
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(X, y_true)
    with pytest.raises(NotFittedError, match="keeps no training rows"):
        clf.query(X[:50], 3, query_estimator=GaussianNB())
    three = GaussianNB().fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="must have this model's classes"):
        clf.query(X[:50], 3, query_estimator=three)
    shifted = GaussianNB().fit(X, y_true + 5)
    with pytest.raises(ValueError, match="must have this model's classes"):
        clf.query(X[:50], 3, query_estimator=shifted)


# ------------------------------------------------------------------------- committees
def test_query_scores_a_fitted_committee_by_its_members_variance(data):
    X, y_true, _ = data
    pool = X[200:]
    bag = BaggingClassifier(LogisticRegression(), n_estimators=7, random_state=0)
    clf = ActiveSynthesisClassifier(bag, max_iter=0, random_state=0).fit(X[:200],
                                                                         y_true[:200])
    positions, scores = clf.query(pool, 10, strategy="ensemble_variance",
                                  return_scores=True)
    members = clf.estimator_.estimators_
    by_hand = ensemble_variance(np.stack([
        m.predict_proba(pool[:, f]) for m, f in
        zip(members, clf.estimator_.estimators_features_)]))
    # bagging on all features: the members see every column
    assert all(len(f) == 2 for f in clf.estimator_.estimators_features_)
    np.testing.assert_array_equal(positions,
                                  np.lexsort((np.arange(len(by_hand)), -by_hand))[:10])
    np.testing.assert_allclose(scores, np.sort(by_hand)[::-1][:10])
    # as the proxy of a model that is no committee, and in the hybrid
    plain = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(X[:200],
                                                                           y_true[:200])
    np.testing.assert_array_equal(
        plain.query(pool, 10, strategy=EnsembleVariance(), query_estimator=clf.estimator_),
        positions)
    assert plain.query(pool, 4, strategy=HybridSampling(uncertainty="ensemble_variance"),
                       query_estimator=clf.estimator_).shape == (4,)
    # a committee at the end of a Pipeline sees the preprocessed rows
    forest = make_pipeline(StandardScaler(), RandomForestClassifier(10, random_state=0))
    forest.fit(X[:200], y_true[:200])
    Xt = forest[:-1].transform(pool)
    want = ensemble_variance(np.stack([t.predict_proba(Xt) for t in forest[-1].estimators_]))
    np.testing.assert_array_equal(
        plain.query(pool, 10, strategy="ensemble_variance", query_estimator=forest),
        np.lexsort((np.arange(len(want)), -want))[:10])
    # a model that is no committee: the reason, and what to do
    with pytest.raises(ValueError, match="not a fitted committee.*training rows"):
        plain.query(pool, 3, strategy="ensemble_variance")


def test_the_loop_fits_the_committee_on_the_rounds_training_rows(data):
    X, y_true, y = data
    lab, unl = np.arange(N_LABELLED), np.arange(N_LABELLED, len(y))
    scorer = RecordingCommittee(n_members=4)
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), oracle=lookup(y_true),
        acquisition=Acquisition(UncertaintySampling(scorer), budget_init=6),
        validation_fraction=None, max_iter=1, random_state=0).fit(X, y)
    X_fit, y_fit, members = scorer.fitted_on_
    np.testing.assert_array_equal(X_fit, X[lab])       # the round's training rows
    np.testing.assert_array_equal(y_fit, y_true[lab])
    assert len(members) == 4 and all(isinstance(m, LogisticRegression) for m in members)
    assert all(np.array_equal(s, X[unl]) for s in scorer.scored_)   # the unlabelled rows
    u = ensemble_variance(np.stack([m.predict_proba(X[unl]) for m in members]))
    np.testing.assert_array_equal(clf.acquired_indices_,
                                  unl[np.lexsort((np.arange(len(u)), -u))[:6]])
    assert clf.history_.loc[1, "query_committee_size"] == 4
    # with a proxy, the members are clones of the proxy
    scorer = RecordingCommittee(n_members=3)
    ActiveSynthesisClassifier(
        LogisticRegression(), oracle=lookup(y_true),
        acquisition=Acquisition(UncertaintySampling(scorer), budget_init=6,
                                query_estimator=GaussianNB()),
        max_iter=1, random_state=0).fit(X, y)
    assert all(isinstance(m, GaussianNB) for m in scorer.fitted_on_[2])
    # the string works in fit as in query, and so does a deep ensemble's scorer
    for spec in ("ensemble_variance", UncertaintySampling(DeepEnsembleVariance(n_members=2))):
        clf = ActiveSynthesisClassifier(
            LogisticRegression(), oracle=lookup(y_true),
            acquisition=Acquisition(spec, budget_init=6), max_iter=1,
            random_state=0).fit(X, y)
        assert len(clf.acquired_indices_) == 6
        assert clf.history_.loc[1, "query_committee_size"] >= 2


def test_mc_dropout_ranks_a_pool_in_query_and_in_fit(data):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from sklearn_activesynth.nn import make_tabular_mlp
    from sklearn_activesynth.uncertainty import MCDropout

    X, y_true, y = data
    net = make_tabular_mlp(hidden_dims=(16,), max_epochs=5, random_state=0)
    clf = ActiveSynthesisClassifier(net, max_iter=0, random_state=0).fit(X[:200],
                                                                         y_true[:200])
    pool = X[200:]
    scorer = MCDropout(n_passes=8, random_state=0)
    u = scorer(clf.estimator_, pool)
    assert np.ptp(u) > 0
    np.testing.assert_array_equal(clf.query(pool, 10, strategy=scorer),
                                  np.lexsort((np.arange(len(u)), -u))[:10])
    fit = ActiveSynthesisClassifier(
        clone(net), oracle=lookup(y_true), n_synthetic=0,
        acquisition=Acquisition(UncertaintySampling(scorer), budget_init=5), max_iter=1,
        uncertainty_cv=None, random_state=0).fit(X, y)
    assert len(fit.acquired_indices_) == 5
