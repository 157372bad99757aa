"""Query strategies and ActiveSynthesisClassifier.query: each strategy picks what
it should on a constructed pool where the right answer is known."""

import pathlib
import re
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.acquisition import (
    BaseQueryStrategy,
    CoreSetSampling,
    HybridSampling,
    PoolExhaustedWarning,
    QueryResult,
    RandomSampling,
    UncertaintySampling,
    resolve_query_strategy,
)
from sklearn_activesynth.uncertainty import (
    BaseUncertaintyScorer,
    CallableUncertainty,
    EnsembleVariance,
)
from sklearn_activesynth.utils._compat import InvalidParameterError


def two_gaussians(n=400, seed=0):
    """Classes N((-1.5, 0), I) and N((1.5, 0), I)."""
    rng = np.random.RandomState(seed)
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(size=(n, 2))
    X[:, 0] += np.where(y == 1, 1.5, -1.5)
    return X, y


@pytest.fixture(scope="module")
def linear():
    X, y = two_gaussians()
    return LogisticRegression().fit(X, y)


@pytest.fixture(scope="module")
def pool():
    return np.random.RandomState(1).uniform(-4, 4, size=(300, 2))


@pytest.fixture(scope="module")
def clf():
    X, y = two_gaussians()
    return ActiveSynthesisClassifier(LogisticRegression(), max_iter=0,
                                     random_state=0).fit(X, y)


# ----------------------------------------------------------------- each strategy's answer
def test_margin_picks_the_rows_nearest_the_decision_boundary(linear, pool):
    positions, scores = UncertaintySampling("margin").rank(linear, pool, 10)
    distance = np.abs(linear.decision_function(pool)) / np.linalg.norm(linear.coef_)
    np.testing.assert_array_equal(positions, np.argsort(distance)[:10])
    assert np.all(np.diff(scores) <= 0)
    proba = linear.predict_proba(pool[positions])
    np.testing.assert_allclose(scores, 1 - np.abs(proba[:, 1] - proba[:, 0]))


def three_symmetric_classes():
    """Three classes whose training rows are exact rotations of each other by
    120°, so a multinomial LogisticRegression is symmetric: the origin is a
    three-way tie, the bisector between two class centres a two-way tie."""
    rng = np.random.RandomState(0)
    base = rng.normal(loc=(2.0, 0.0), scale=0.8, size=(30, 2))
    base = np.vstack([base, base * [1, -1]])       # symmetric about its own axis too
    Xs, ys = [], []
    for k in range(3):
        a = 2 * np.pi * k / 3
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        Xs.append(base @ rot.T)
        ys.append(np.full(60, k))
    return np.vstack(Xs), np.concatenate(ys)


def test_entropy_picks_the_three_way_tie_in_multiclass():
    X, y = three_symmetric_classes()
    model = LogisticRegression().fit(X, y)
    # the bisector between classes 0 and 1 lies at 60°: two-way ties, one far out
    bisector = np.array([np.cos(np.pi / 3), np.sin(np.pi / 3)])
    pool = np.vstack([2.0 * bisector, [[2.0, 0.0]], [[0.0, 0.0]], 3.0 * bisector,
                      [[-1.0, -1.7]]])
    proba = model.predict_proba(pool)
    np.testing.assert_allclose(proba[2], 1 / 3, atol=1e-6)        # the origin: 3-way tie
    assert abs(proba[0, 0] - proba[0, 1]) < 1e-6                  # a 2-way tie
    for measure in ("entropy", "least_confidence"):
        positions, _ = UncertaintySampling(measure).rank(model, pool, 1)
        assert positions.tolist() == [2], measure
    # margin cannot tell a three-way from a two-way tie: both score 1
    _, scores = UncertaintySampling("margin").rank(model, pool, 2)
    np.testing.assert_allclose(scores, 1.0, atol=1e-6)


def test_random_is_uniform_and_reproducible_from_random_state(linear):
    pool = np.zeros((10, 2))
    firsts = [RandomSampling().rank(linear, pool, 1, random_state=s).positions[0]
              for s in range(2000)]
    counts = np.bincount(firsts, minlength=10)
    assert stats.chisquare(counts).pvalue > 1e-3, counts
    a = RandomSampling().rank(linear, np.zeros((500, 2)), 20, random_state=7)
    b = RandomSampling().rank(None, np.zeros((500, 2)), 20, random_state=7, batch_size=13)
    c = RandomSampling().rank(linear, np.zeros((500, 2)), 20, random_state=8)
    np.testing.assert_array_equal(a.positions, b.positions)       # not the model, not chunks
    assert not np.array_equal(a.positions, c.positions)
    assert len(set(a.positions.tolist())) == 20


def dense_and_sparse_pool():
    """20 rows packed around (0, 3), 20 rows spread on a wide circle around them."""
    rng = np.random.RandomState(0)
    dense = rng.normal(loc=(0.0, 3.0), scale=0.05, size=(20, 2))
    angle = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    spread = np.column_stack([8 * np.cos(angle), 3 + 8 * np.sin(angle)])
    pool = np.vstack([spread[:10], dense, spread[10:]])
    return pool, np.arange(10, 30)


def test_hybrid_with_lam_0_picks_the_densest_rows(linear):
    pool, dense = dense_and_sparse_pool()
    positions, _ = HybridSampling(lam=0.0).rank(linear, pool, 20, random_state=0)
    assert sorted(positions.tolist()) == dense.tolist()


def test_hybrid_with_lam_1_is_uncertainty_sampling(linear, pool):
    for measure in ("entropy", "margin"):
        hybrid = HybridSampling(lam=1.0, uncertainty=measure).rank(linear, pool, 25,
                                                                   random_state=0)
        plain = UncertaintySampling(measure).rank(linear, pool, 25)
        np.testing.assert_array_equal(hybrid.positions, plain.positions)


def test_hybrid_density_is_the_seeds_formula_on_the_pipelines_representation():
    # the pipeline keeps column 0 only: density must be measured there
    X, y = two_gaussians()
    pipe = Pipeline([("keep0", ColumnTransformer([("a", "passthrough", [0])])),
                     ("scale", StandardScaler()), ("lr", LogisticRegression())]).fit(X, y)
    rng = np.random.RandomState(3)
    # 15 rows alike in column 0 but spread in column 1; 15 the other way round
    alike0 = np.column_stack([rng.normal(0, 0.01, 15), rng.uniform(-50, 50, 15)])
    alike1 = np.column_stack([rng.choice([-1, 1], 15) * rng.uniform(3, 6, 15),
                              rng.normal(0, 0.01, 15)])
    pool = np.vstack([alike1, alike0])
    result = HybridSampling(lam=0.0).rank(pipe, pool, 30, random_state=0)
    assert sorted(result.positions[:15].tolist()) == list(range(15, 30))
    # the hand computation: every pool row is a reference row (pool < n_reference)
    Z = pipe[:-1].transform(pool)
    dist = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(-1))
    h = np.median(dist[np.triu_indices(len(Z), k=1)])
    d = np.exp(-dist ** 2 / (2 * h ** 2)).mean(axis=1)
    assert result.report["bandwidth"] == pytest.approx(h)
    np.testing.assert_allclose(result.scores, (d / d.max())[result.positions], rtol=1e-9)
    # a plain model on the raw columns sees other neighbours
    plain = HybridSampling(lam=0.0).rank(LogisticRegression().fit(X, y), pool, 15,
                                         random_state=0)
    assert sorted(plain.positions.tolist()) != list(range(15, 30))


def test_hybrid_mixes_normalised_terms_with_the_documented_lam(linear, pool):
    lam = 0.3
    result = HybridSampling(lam=lam, uncertainty="margin").rank(linear, pool, len(pool),
                                                               random_state=0)
    order = np.argsort(result.positions)
    u = UncertaintySampling("margin").rank(linear, pool, len(pool)).scores
    u = u[np.argsort(UncertaintySampling("margin").rank(linear, pool, len(pool)).positions)]
    d = HybridSampling(lam=0.0).rank(linear, pool, len(pool), random_state=0)
    d = d.scores[np.argsort(d.positions)]
    np.testing.assert_allclose(result.scores[order], lam * u + (1 - lam) * d, rtol=1e-9)


def test_auto_lam_grows_as_the_model_becomes_sure():
    # a model trained on 6 overlapping rows is unsure everywhere: density leads;
    # one trained on 400 well separated rows is sure about most of the pool
    X, y = two_gaussians()
    pool = two_gaussians(seed=1)[0] * 3
    rng = np.random.RandomState(0)
    few = LogisticRegression(C=0.01).fit(rng.normal(size=(6, 2)), [0, 1] * 3)
    many = LogisticRegression().fit(X * 3, y)
    lam_few = HybridSampling().rank(few, pool, 5, random_state=0).report["lam"]
    lam_many = HybridSampling().rank(many, pool, 5, random_state=0).report["lam"]
    assert lam_few < 0.1 and lam_many > 0.6
    # the rule: one minus the mean normalised entropy on the reference sample
    u = UncertaintySampling("entropy").rank(many, pool, len(pool)).scores
    assert lam_many == pytest.approx(1 - np.mean(u / np.log(2)))


def two_uncertain_clusters():
    """The boundary of ``linear`` is near x0 = 0: ten identical rows exactly on it
    at x1 = 4, ten identical rows just beside it at x1 = -4, and sure rows."""
    on = np.tile([[0.0, 4.0]], (10, 1))
    beside = np.tile([[0.3, -4.0]], (10, 1))
    sure = np.random.RandomState(0).uniform(3, 5, size=(30, 2))
    return np.vstack([sure[:15], on, sure[15:], beside])


def test_diversity_spreads_a_batch_over_two_uncertain_clusters():
    X, y = two_gaussians()
    model = LogisticRegression(fit_intercept=False).fit(X, y)   # boundary: x0 = 0 exactly
    model.coef_[0, 1] = 0.0
    pool = two_uncertain_clusters()
    on, beside = set(range(15, 25)), set(range(40, 50))
    plain = UncertaintySampling("margin").rank(model, pool, 4).positions
    assert set(plain.tolist()) <= on                       # one cluster's duplicates
    for strategy in (UncertaintySampling("margin", diversity=1.0),
                     HybridSampling(lam=1.0, diversity=1.0)):
        spread = strategy.rank(model, pool, 2, random_state=0)
        assert spread.positions[0] in on and spread.positions[1] in beside, strategy
        assert spread.report["n_candidates"] == 50
        assert np.all(np.diff(spread.scores) <= 0)


def test_diversity_scores_are_the_marginal_gains_of_the_batch_objective(linear, pool):
    alpha = 0.5
    result = UncertaintySampling("margin", diversity=alpha).rank(linear, pool, 5,
                                                                random_state=0)
    u = linear.predict_proba(pool[result.positions])
    u = 1 - np.abs(u[:, 1] - u[:, 0])
    Z = (pool - pool.mean(0)) / pool.std(0)      # the pool is its own reference sample
    Zp = Z[result.positions]
    h = result.report["bandwidth"]
    sim = np.exp(-((Zp[:, None] - Zp[None]) ** 2).sum(-1) / (2 * h ** 2))
    expected = [u[i] - alpha * sim[i, :i].sum() for i in range(5)]
    np.testing.assert_allclose(result.scores, expected, rtol=1e-9)


# ----------------------------------------------------------------- pool handling
def test_exclude_is_honoured(linear, pool):
    full = UncertaintySampling("margin").rank(linear, pool, 20).positions
    ex = full[[0, 3, 7]]
    rest = UncertaintySampling("margin").rank(linear, pool, 17, exclude=ex).positions
    np.testing.assert_array_equal(rest, [p for p in full if p not in set(ex)])
    mask = np.zeros(len(pool), dtype=bool)
    mask[ex] = True
    np.testing.assert_array_equal(
        UncertaintySampling("margin").rank(linear, pool, 17, exclude=mask).positions, rest)
    for strategy in (RandomSampling(), HybridSampling(diversity=0.3)):
        with pytest.warns(PoolExhaustedWarning):
            out = strategy.rank(linear, pool, 290, exclude=full, random_state=0).positions
        assert len(out) == 280
        assert not set(out.tolist()) & set(full.tolist())


def test_positions_not_index_labels(linear, pool):
    frame = pd.DataFrame(pool, columns=["a", "b"],
                         index=np.random.RandomState(0).permutation(len(pool)) + 1000)
    X, y = two_gaussians()
    model = LogisticRegression().fit(pd.DataFrame(X, columns=["a", "b"]), y)
    for strategy in ("margin", "hybrid", "random"):
        strategy = resolve_query_strategy(strategy)
        got = strategy.rank(model, frame, 10, random_state=0,
                            exclude=[0, 1]).positions
        want = strategy.rank(linear, pool, 10, random_state=0, exclude=[0, 1]).positions
        np.testing.assert_array_equal(got, want)
        assert got.max() < len(pool) and got.dtype.kind == "i"


@pytest.mark.parametrize("strategy", [
    UncertaintySampling("margin"), UncertaintySampling("entropy"), RandomSampling(),
    HybridSampling(), HybridSampling(lam=0.5, uncertainty="margin", n_reference=50),
    UncertaintySampling("least_confidence", diversity=0.5, n_candidates=40),
    HybridSampling(diversity=0.2, n_reference=64),
], ids=repr)
def test_chunked_ranking_equals_unchunked_exactly(linear, strategy):
    pool = np.random.RandomState(2).uniform(-4, 4, size=(500, 2))
    pool[100:110] = pool[100]                     # ties must break the same way
    whole = strategy.rank(linear, pool, 30, random_state=0, exclude=[5, 101],
                          batch_size=len(pool))
    for batch_size in (7, 64, 499):
        chunked = strategy.rank(linear, pool, 30, random_state=0, exclude=[5, 101],
                                batch_size=batch_size)
        np.testing.assert_array_equal(chunked.positions, whole.positions)
        np.testing.assert_array_equal(chunked.scores, whole.scores)
    # one row at a time, BLAS takes another path for the model's own product
    # (matrix-vector), which may round the last bit differently
    one = strategy.rank(linear, pool, 30, random_state=0, exclude=[5, 101], batch_size=1)
    np.testing.assert_array_equal(one.positions, whole.positions)
    np.testing.assert_allclose(one.scores, whole.scores, rtol=1e-12, atol=1e-15)


def test_ties_go_to_the_lower_position(linear):
    pool = np.tile([[0.0, 1.0]], (12, 1))
    positions, _ = UncertaintySampling("margin").rank(linear, pool, 5, batch_size=4)
    assert positions.tolist() == [0, 1, 2, 3, 4]


def test_a_sparse_pool_and_a_memory_map(linear, tmp_path):
    dense = np.random.RandomState(0).uniform(-3, 3, size=(200, 2))
    want = HybridSampling(diversity=0.2).rank(linear, dense, 8, random_state=0)
    got = HybridSampling(diversity=0.2).rank(linear, sp.csr_matrix(dense), 8,
                                             random_state=0)
    assert len(set(got.positions) & set(want.positions)) >= 6   # scaled, not centred
    mm = np.lib.format.open_memmap(tmp_path / "pool.npy", mode="w+", dtype=np.float32,
                                   shape=dense.shape)
    mm[:] = dense
    mm.flush()
    pool = np.load(tmp_path / "pool.npy", mmap_mode="r")
    got = UncertaintySampling("margin").rank(linear, pool, 8, batch_size=50).positions
    np.testing.assert_array_equal(
        got, UncertaintySampling("margin").rank(linear, dense.astype(np.float32), 8).positions)


def _peak_bytes(strategy, model, pool):
    tracemalloc.start()
    try:
        strategy.rank(model, pool, 50, random_state=0, batch_size=2000)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_pool(linear):
    # 800,000 rows: the pool is 12.8 MB, its scores alone would be 6.4 MB
    pool = np.random.RandomState(0).normal(size=(800_000, 2))
    for strategy in (UncertaintySampling("margin"), HybridSampling(n_reference=100),
                     UncertaintySampling("margin", diversity=0.5),
                     CoreSetSampling(n_candidates=2000)):
        strategy.rank(linear, pool[:5000], 10, random_state=0)   # warm-up imports
        small = _peak_bytes(strategy, linear, pool[:100_000])
        large = _peak_bytes(strategy, linear, pool)
        assert large < 1.2 * small + 100_000, (strategy, small, large)
        # a few blocks of 2,000 rows (the hybrid's kernel block: 2,000 x 100 floats)
        assert large < 0.3 * pool.nbytes, (strategy, large)


def test_coreset_draws_its_candidates_among_the_available_rows(linear):
    pool = np.random.RandomState(0).normal(size=(50_000, 2))
    excluded = np.arange(0, 50_000, 2)                     # every even position
    result = CoreSetSampling(n_candidates=500).rank(
        linear, pool, 20, exclude=excluded, random_state=0, labelled=pool[:3])
    assert (result.positions % 2 == 1).all() and len(set(result.positions)) == 20
    assert result.report["n_candidates"] == 500
    # the candidates are uniform: the batch reaches both tails of the pool
    assert pool[result.positions, 0].min() < -2 and pool[result.positions, 0].max() > 2
    again = CoreSetSampling(n_candidates=500).rank(
        linear, pool, 20, exclude=excluded, random_state=0, labelled=pool[:3])
    np.testing.assert_array_equal(result.positions, again.positions)
    # a small pool: every available row is a candidate; the farthest from the
    # labelled row comes first
    small = np.array([[0.0], [1.0], [-5.0], [2.0]])
    first = CoreSetSampling().rank(None, small, 1, exclude=[2], labelled=[[0.0]])
    assert first.positions.tolist() == [3]


# ----------------------------------------------------------------- scorers
def test_any_scorer_of_the_fitted_model_ranks(linear, pool):
    class TopTwoGap(BaseUncertaintyScorer):
        requires = "proba"

        def from_proba(self, proba):
            top2 = np.sort(proba, axis=1)[:, -2:]
            return 1.0 - (top2[:, 1] - top2[:, 0])

    margin = UncertaintySampling("margin").rank(linear, pool, 10).positions
    np.testing.assert_array_equal(UncertaintySampling(TopTwoGap()).rank(linear, pool, 10)
                                  .positions, margin)
    near = CallableUncertainty(lambda est, X: -np.abs(est.decision_function(X)))
    np.testing.assert_array_equal(
        resolve_query_strategy(near).rank(linear, pool, 10).positions, margin)
    assert HybridSampling(uncertainty=near).rank(linear, pool, 3, random_state=0)


def test_committee_scorers_are_refused_with_a_reason(linear, pool):
    for spec in ("ensemble_variance", EnsembleVariance()):
        for strategy in (UncertaintySampling(spec), HybridSampling(uncertainty=spec)):
            with pytest.raises(ValueError, match="committee.*training rows"):
                strategy.rank(linear, pool, 3)


def test_strategies_are_tunable_estimators(pool):
    strategy = HybridSampling(lam=0.3, diversity=0.1)
    assert clone(strategy).get_params()["lam"] == 0.3
    assert strategy.set_params(lam="auto").lam == "auto"
    with pytest.raises(InvalidParameterError, match="lam"):
        HybridSampling(lam=2.0).rank(None, pool, 1)
    with pytest.raises(InvalidParameterError, match="measure"):
        UncertaintySampling("variance").rank(None, pool, 1)
    assert isinstance(resolve_query_strategy("hybrid"), HybridSampling)
    assert resolve_query_strategy(strategy) is strategy
    with pytest.raises(ValueError, match="Unknown query strategy 'marginal'"):
        resolve_query_strategy("marginal")
    with pytest.raises(TypeError, match="strategy must be"):
        resolve_query_strategy(3)


def test_a_subclass_needs_only_a_score():
    class LargestFirst(BaseQueryStrategy):
        def _score(self, estimator, X, Z, plan, rng):
            return np.asarray(X)[:, 0]

    result = LargestFirst().rank(None, np.arange(30.0)[:, None], 3, batch_size=4)
    assert isinstance(result, QueryResult) and result.positions.tolist() == [29, 28, 27]


# ----------------------------------------------------------------- errors
def test_too_many_rows_asked_returns_all_available_with_a_warning(linear, pool):
    small = pool[:6]
    with pytest.warns(PoolExhaustedWarning, match="only 4 of the pool's 6 rows"):
        positions, scores = UncertaintySampling().rank(linear, small, 10, exclude=[0, 1])
    assert sorted(positions.tolist()) == [2, 3, 4, 5] and len(scores) == 4
    with pytest.warns(PoolExhaustedWarning):
        positions, _ = RandomSampling().rank(linear, small, 1, exclude=np.arange(6))
    assert positions.shape == (0,)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_samples": 0}, ValueError, "n_samples must be an int >= 1"),
    ({"n_samples": 2.5}, TypeError, "n_samples must be an int"),
    ({"exclude": [300]}, ValueError, "positions run from 0 to 299"),
    ({"exclude": [-1]}, ValueError, "positions outside the pool"),
    ({"exclude": ["a"]}, ValueError, "integer positions"),
    ({"exclude": np.ones(5, dtype=bool)}, ValueError, "one entry per pool row"),
    ({"batch_size": 0}, ValueError, "batch_size must be an int >= 1"),
])
def test_bad_arguments_say_what_to_pass(linear, pool, kwargs, error, match):
    kwargs = {"n_samples": 3, **kwargs}
    with pytest.raises(error, match=match):
        UncertaintySampling().rank(linear, pool, kwargs.pop("n_samples"), **kwargs)


# ----------------------------------------------------------------- the estimator's query
def test_query_ranks_with_the_final_estimator(clf, pool):
    positions, scores = clf.query(pool, n_samples=10, return_scores=True)
    want = UncertaintySampling("margin").rank(clf.estimator_, pool, 10)
    np.testing.assert_array_equal(positions, want.positions)
    np.testing.assert_array_equal(scores, want.scores)
    assert clf.query(pool).shape == (1,)
    later = clf.query(pool, n_samples=10, exclude=positions[:5])
    assert not set(later.tolist()) & set(positions[:5].tolist())


def test_query_is_seeded_by_random_state_and_keeps_nothing(clf, pool):
    before = dict(vars(clf))
    read_only = pool.copy()
    read_only.setflags(write=False)
    a = clf.query(read_only, 5, strategy="random")
    b = clf.query(read_only, 5, strategy="random")
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        a, RandomSampling().rank(clf.estimator_, pool, 5, random_state=0).positions)
    clf.query(read_only, 5, strategy=HybridSampling(diversity=0.5))
    assert vars(clf).keys() == before.keys()
    assert all(vars(clf)[k] is v for k, v in before.items())


def test_query_validates_the_pool_like_predict(pool):
    X, y = two_gaussians()
    unfitted = ActiveSynthesisClassifier(LogisticRegression())
    with pytest.raises(NotFittedError):
        unfitted.query(pool)
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.query(np.zeros((5, 3)))
    frame = pd.DataFrame(X, columns=["a", "b"])
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(frame, y)
    with pytest.raises(ValueError, match="feature names"):
        clf.query(pd.DataFrame(pool, columns=["b", "c"]))
    with pytest.raises(ValueError, match="Unknown query strategy"):
        clf.query(pd.DataFrame(pool, columns=["a", "b"]), strategy="nope")


def test_query_with_a_pipeline_on_a_mixed_dataframe():
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame({"amount": rng.gamma(2.0, 50.0, n),
                          "kind": rng.choice(["online", "store", "atm"], n)})
    y = ((frame["amount"] > 100) ^ (frame["kind"] == "atm")).astype(int).to_numpy()
    pipe = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), ["amount"]),
                           ("cat", OneHotEncoder(), ["kind"])]),
        LogisticRegression())
    clf = ActiveSynthesisClassifier(pipe, max_iter=0, random_state=0).fit(frame, y)
    pool = frame.sample(frac=1.0, random_state=1)          # shuffled index labels
    for strategy in ("margin", "hybrid", HybridSampling(diversity=0.5), "random"):
        positions = clf.query(pool, 20, strategy=strategy, batch_size=64)
        assert positions.shape == (20,) and len(set(positions.tolist())) == 20
        pool.iloc[positions]                                # positions, not labels
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # no feature-name warnings
        clf.query(pool, 3, strategy="hybrid")


def test_query_in_a_grid_search_friendly_way(pool):
    # the strategy object's parameters are plain estimator parameters
    grid = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2)
    X, y = two_gaussians()
    clf = ActiveSynthesisClassifier(grid, max_iter=0, random_state=0).fit(X, y)
    assert clf.query(pool, 3, strategy=HybridSampling(lam=0.5)).shape == (3,)


def test_the_design_page_example_ranks_a_frame():
    page = pathlib.Path(__file__).resolve().parents[1] / "docs" / "design.md"
    block, = [b for b in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
              if "class LargestAmountFirst" in b]
    namespace = {"np": np}
    exec(compile(block, str(page), "exec"), namespace)
    frame = pd.DataFrame({"amount": [5.0, 50.0, 20.0, 1.0]}, index=[10, 3, 7, 0])
    X, y = two_gaussians()
    clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(
        pd.DataFrame({"amount": X[:, 0]}), y)
    positions = clf.query(frame, 2, strategy=namespace["LargestAmountFirst"](),
                          exclude=[2], batch_size=3)
    assert positions.tolist() == [1, 0]
