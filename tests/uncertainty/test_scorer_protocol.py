"""The uncertainty scorer protocol: declared requirements, resolution, committees."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth.uncertainty import (
    BaseUncertaintyScorer,
    BayesianPredictiveVariance,
    CallableUncertainty,
    DeepEnsembleVariance,
    EnsembleVariance,
    MCDropout,
    SoftmaxUncertainty,
    entropy,
    margin,
    resolve_uncertainty,
)
from sklearn_activesynth.utils._seeding import MAX_SEED


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    w = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y))
    return X, y, w


@pytest.mark.parametrize("scorer, kind", [
    (SoftmaxUncertainty(), "proba"),
    (EnsembleVariance(), "committee"),
    (DeepEnsembleVariance(), "committee"),
    (MCDropout(), "model"),
    (BayesianPredictiveVariance(), "model"),
    (CallableUncertainty(lambda est, X: np.zeros(len(X))), "model"),
])
def test_each_shipped_scorer_declares_what_it_requires(scorer, kind):
    assert isinstance(scorer, BaseUncertaintyScorer)
    assert scorer.requires == kind
    assert resolve_uncertainty(scorer) is scorer  # passes the method check too


def test_resolve_strings():
    for name in ("entropy", "margin", "least_confidence"):
        scorer = resolve_uncertainty(name)
        assert type(scorer) is SoftmaxUncertainty and scorer.measure == name
    ev = resolve_uncertainty("ensemble_variance")
    assert type(ev) is EnsembleVariance
    assert ev.get_params() == EnsembleVariance().get_params()


def test_resolve_a_bad_string_says_what_is_accepted():
    with pytest.raises(ValueError, match=r"Unknown uncertainty 'entropie'.*'entropy'.*"
                                         r"'ensemble_variance'.*callable"):
        resolve_uncertainty("entropie")
    with pytest.raises(TypeError, match="got int"):
        resolve_uncertainty(3)


def test_resolve_wraps_a_plain_callable(data):
    X, y, _ = data
    model = LogisticRegression().fit(X, y)

    def closeness(est, X):
        return -np.abs(est.decision_function(X))

    scorer = resolve_uncertainty(closeness)
    assert type(scorer) is CallableUncertainty and scorer.func is closeness
    u = scorer(model, X)
    assert u.dtype == float
    np.testing.assert_allclose(u, closeness(model, X))
    copy = clone(scorer)
    np.testing.assert_allclose(copy(model, X), u)


def test_softmax_call_comes_from_the_base(data):
    X, y, _ = data
    model = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(SoftmaxUncertainty()(model, X), entropy(model.predict_proba(X)))
    np.testing.assert_allclose(SoftmaxUncertainty("margin")(model, X),
                               margin(model.predict_proba(X)))
    assert "__call__" not in vars(SoftmaxUncertainty)


def test_a_user_scorer_by_declaration(data):
    X, y, _ = data
    model = LogisticRegression().fit(X, y)

    class TopProba(BaseUncertaintyScorer):
        requires = "proba"

        def from_proba(self, proba):
            return 1.0 - proba.max(axis=1)

    scorer = resolve_uncertainty(TopProba())
    np.testing.assert_allclose(scorer(model, X), 1.0 - model.predict_proba(X).max(axis=1))


def test_declarations_are_checked():
    with pytest.raises(TypeError, match="requires is 'probabilities'"):
        class Wrong(BaseUncertaintyScorer):  # noqa: F841
            requires = "probabilities"

    class NoMethod(BaseUncertaintyScorer):
        requires = "proba"

    class NoCommittee(BaseUncertaintyScorer):
        requires = "committee"

        def fit_committee(self, estimator, X, y, sample_weight=None, **kw):
            return [], None

    class NoCall(BaseUncertaintyScorer):
        pass

    class Committee(NoCommittee):
        def score_committee(self, members, X, n_classes, exclude=None):
            return np.zeros(len(X)), None

    with pytest.raises(TypeError, match="requires='proba' but does not implement from_proba"):
        resolve_uncertainty(NoMethod())
    with pytest.raises(TypeError, match="does not implement score_committee"):
        resolve_uncertainty(NoCommittee())
    with pytest.raises(TypeError, match="does not implement __call__"):
        resolve_uncertainty(NoCall())
    assert resolve_uncertainty(Committee()).requires == "committee"
    # a committee scorer is not a model scorer: calling it says how it is used
    with pytest.raises(NotImplementedError, match="fit_committee and score_committee"):
        Committee()(None, np.zeros((2, 1)))


class _TaggedLR(LogisticRegression):
    """Records a fit parameter, to see fit_params reach every member."""

    def fit(self, X, y, sample_weight=None, tag=None):
        self.tag_ = tag
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("scorer", [EnsembleVariance(n_members=3),
                                    DeepEnsembleVariance(n_members=3)])
def test_committees_pass_fit_params_to_every_member(data, scorer):
    X, y, w = data
    members, _ = scorer.fit_committee(_TaggedLR(), X, y, w, fit_params={"tag": "t"},
                                      random_state=0)
    assert [m.tag_ for m in members] == ["t"] * 3


def test_deep_ensemble_of_a_weighted_pipeline(data):
    X, y, w = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression(solver="saga", max_iter=500))
    members, in_bag = DeepEnsembleVariance(n_members=3).fit_committee(
        pipe, X, y, sample_weight=w, random_state=0)
    assert in_bag.all()
    seeds = np.random.RandomState(0).randint(MAX_SEED, size=3)
    for member, seed in zip(members, seeds):
        assert member[-1].random_state == seed
        direct = clone(pipe).set_params(logisticregression__random_state=int(seed)).fit(
            X, y, logisticregression__sample_weight=w)
        np.testing.assert_allclose(member[-1].coef_, direct[-1].coef_)


def test_committee_without_sample_weight_resamples_once_warned(data):
    X, y, w = data
    scorer = EnsembleVariance(n_members=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        members, in_bag = scorer.fit_committee(KNeighborsClassifier(), X, y, w,
                                               random_state=0)
    msgs = [str(c.message) for c in caught if "takes no sample_weight" in str(c.message)]
    assert len(msgs) == 1 and msgs[0].startswith("KNeighborsClassifier")
    with pytest.warns(UserWarning, match="takes no sample_weight"):
        again, _ = scorer.fit_committee(KNeighborsClassifier(), X, y, w, random_state=0)
    for a, b in zip(members, again):
        np.testing.assert_array_equal(a._fit_X, b._fit_X)
    # resampled within the member's bootstrap rows: only in-bag rows are seen
    for member, bag in zip(members, in_bag):
        seen = {tuple(row) for row in member._fit_X}
        assert seen <= {tuple(row) for row in X[bag]}
    # without weights nothing is resampled and nothing is said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain, _ = scorer.fit_committee(KNeighborsClassifier(), X, y, random_state=0)
    assert len(plain) == 3
