"""A cold start: labelled rows of a single class, an oracle and unlabelled rows
(issue 15, point 2).

Until a second class is labelled there is no model: the rounds rank the pool
without one (coverage by default, density on request), both checked against
the selection computed by hand; then the first model is fitted and the loop
goes on as usual, checked against the margin ranking of that model.
"""

import warnings

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.acquisition import (
    Acquisition,
    ColdStartError,
    CoreSetSampling,
    HybridSampling,
    OracleFailedWarning,
    RandomSampling,
    UncertaintySampling,
)
from sklearn_activesynth.datasets import make_fraud_transactions

N_GIVEN = 12


def two_modes(seed=0):
    """Class 0: a broad mode N(0, I) of 250 rows and 30 scattered rows; class 1:
    a tight mode N((4, 0), 0.5² I) of 120 rows. The first 12 rows are class 0
    and labelled; the others are unlabelled (NaN)."""
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(size=(N_GIVEN + 250, 2)),
                   rng.uniform(-7, 7, size=(30, 2)),
                   rng.normal(size=(120, 2)) * 0.5 + [4.0, 0.0]])
    y_true = np.r_[np.zeros(N_GIVEN + 280), np.ones(120)].astype(int)
    order = np.r_[np.arange(N_GIVEN), N_GIVEN + rng.permutation(len(X) - N_GIVEN)]
    X, y_true = X[order], y_true[order]
    y = np.full(len(X), np.nan)
    y[:N_GIVEN] = 0
    return X, y_true, y


@pytest.fixture(scope="module")
def data():
    return two_modes()


def lookup(y_true):
    def oracle(rows, indices):
        return y_true[indices]
    return oracle


def standardise(Z_ref, *others):
    mean, std = Z_ref.mean(axis=0), Z_ref.std(axis=0)
    return [(Z - mean) / std for Z in (Z_ref,) + others]


def sq_dist(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1)


def density_batch_by_hand(X_pool, n, alpha=1.0):
    """HybridSampling(lam=0, diversity=alpha) on a pool of at most 500 rows
    (every row is a reference row): d(x) = mean_j exp(-|z - z_j|² / 2h²) on the
    standardised pool, h the median distance between two rows, s = d / max d;
    greedy s(x) - alpha sum sim(x, picked) over the max(10 n, 100) best rows."""
    Z, = standardise(X_pool)
    D2 = sq_dist(Z, Z)
    h = np.median(np.sqrt(D2[np.triu_indices(len(Z), 1)]))
    K = np.exp(-D2 / (2 * h ** 2))
    d = K.mean(axis=1)
    s = d / d.max()
    cand = np.lexsort((np.arange(len(s)), -s))[:max(10 * n, 100)]
    gain, picked = s[cand].copy(), []
    for _ in range(n):
        i = int(np.argmax(gain))
        picked.append(cand[i])
        gain[i] = -np.inf
        gain -= alpha * K[cand, cand[i]]
    return np.array(picked), d


def coverage_batch_by_hand(X_pool, X_labelled, n):
    """k-center greedy on the pool standardised by its own mean and spread: each
    pick is the row farthest from every labelled and picked row."""
    Z, L = standardise(X_pool, X_labelled)
    d = sq_dist(Z, L).min(axis=1)
    picked = []
    for _ in range(n):
        i = int(np.argmax(d))
        picked.append(i)
        d = np.minimum(d, ((Z - Z[i]) ** 2).sum(axis=1))
        d[i] = -np.inf
    return np.array(picked)


def margin_ranking(model, X_pool, n):
    p = np.sort(model.predict_proba(X_pool), axis=1)
    u = 1.0 - (p[:, -1] - p[:, -2])
    return np.lexsort((np.arange(len(u)), -u))[:n]


def fit_cold(X, y, y_true, **kw):
    params = dict(oracle=lookup(y_true), max_iter=4, random_state=0)
    params.update(kw)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Cold start: the labelled rows")
        warnings.simplefilter("ignore", UserWarning)   # small classes at first
        return ActiveSynthesisClassifier(LogisticRegression(), **params).fit(X, y)


# -------------------------------------------------------------- the rows a cold start asks for
def test_density_asks_for_the_most_typical_rows_first(data):
    X, y_true, y = data
    unl = np.arange(N_GIVEN, len(y))
    budget = 6
    clf = fit_cold(X, y, y_true, acquisition=Acquisition(budget_init=budget,
                                                          cold_start="density"))
    first = clf.acquired_indices_[:budget]
    by_hand, d = density_batch_by_hand(X[unl], budget)
    np.testing.assert_array_equal(first, unl[by_hand])
    assert first[0] == unl[np.argmax(d)]                  # the densest row of the pool
    # typical rows: none of the scattered ones, all denser than the median row
    assert (d[first - N_GIVEN] > np.median(d)).all()
    h = clf.history_.set_index("round")
    assert h.loc[1, "query_lam"] == 0.0


def test_coverage_asks_for_the_rows_farthest_from_everything_labelled(data):
    X, y_true, y = data
    unl = np.arange(N_GIVEN, len(y))
    budget = 6
    clf = fit_cold(X, y, y_true, acquisition=Acquisition(budget_init=budget))   # default
    first = clf.acquired_indices_[:budget]
    np.testing.assert_array_equal(first,
                                  unl[coverage_batch_by_hand(X[unl], X[:N_GIVEN], budget)])
    # far rows: their distance to the labelled rows is above every unpicked row's median
    far = np.sqrt(sq_dist(X[unl], X[:N_GIVEN]).min(axis=1))
    assert np.median(far[first - N_GIVEN]) > np.quantile(far, 0.9)
    with_labels = CoreSetSampling().rank(None, X[unl], budget, labelled=X[:N_GIVEN])
    np.testing.assert_array_equal(first, unl[with_labels.positions])
    assert (np.diff(with_labels.scores) <= 0).all()


def test_the_loop_resumes_with_two_classes_once_the_oracle_gives_one(data):
    X, y_true, y = data
    unl = np.arange(N_GIVEN, len(y))
    budget = 6
    clf = fit_cold(X, y, y_true, acquisition=Acquisition(budget_init=budget,
                                                          cold_start="density"),
                   max_iter=6)
    h = clf.history_.set_index("round")
    k = int(h.index[h["n_classes_labelled"] == 2][0])   # the round that brought class 1
    assert h.loc[0, "status"] == "cold_start" and np.isnan(h.loc[0, "val_score"])
    assert (h.loc[1:k - 1, "status"] == "cold_start").all()
    assert h.loc[k, "status"] == "initial"              # model_0 ends round k
    assert (h.loc[k + 1:, "status"].isin(["ok", "rejected"])).all()
    assert k < 6 and len(h) == 7
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    acquired = clf.acquired_indices_
    assert (y_true[acquired[:k * budget]] == 1).any()
    assert (y_true[acquired[:(k - 1) * budget]] == 0).all()
    np.testing.assert_array_equal(clf.acquired_labels_, y_true[acquired])
    assert np.isnan(y[acquired]).all() and len(set(acquired)) == len(acquired)
    # per class counts of the cold rounds, as in later rounds
    assert (h.loc[1:, "n_acquired_0"] + h.loc[1:, "n_acquired_1"]
            == h.loc[1:, "n_acquired"]).all()
    # round k + 1 ranks by margin with the model of the given and acquired rows
    # (no validation rows after a cold start, no synthetic rows yet)
    rows = np.r_[np.arange(N_GIVEN), acquired[:k * budget]]
    model = LogisticRegression().fit(X[rows], y_true[rows])
    left = np.setdiff1d(unl, acquired[:k * budget])
    np.testing.assert_array_equal(acquired[k * budget:(k + 1) * budget],
                                  left[margin_ranking(model, X[left], budget)])
    assert len(clf.validation_indices_) == 0
    assert clf.n_iter_ == 6 and clf.predict(X[:3]).shape == (3,)


def test_the_validation_guard_is_off_with_a_warning(data):
    X, y_true, y = data
    with pytest.warns(UserWarning, match="Cold start: .*no validation rows"):
        ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                  max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():   # no validation asked for: nothing to warn about
        warnings.filterwarnings("error", message="Cold start")
        ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                  validation_fraction=None, max_iter=3,
                                  random_state=0).fit(X, y)


def test_coverage_finds_a_rare_atypical_class_where_density_does_not():
    X, y_true = make_fraud_transactions(2000, fraud_rate=0.02, as_frame=False,
                                        random_state=0)
    legit = np.flatnonzero(y_true == 0)[:20]
    y = np.full(len(y_true), np.nan)
    y[legit] = 0
    acq = Acquisition(budget_init=10)
    clf = fit_cold(X, y, y_true, acquisition=acq, max_iter=3, n_synthetic=0)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.history_.loc[1, "n_classes_labelled"] == 2   # in the first round
    with pytest.raises(ColdStartError):
        fit_cold(X, y, y_true, acquisition=Acquisition(budget_init=10, cold_start="density"),
                 max_iter=3, n_synthetic=0)


# -------------------------------------------------------------- what classes_ is
def test_classes_are_the_labels_seen_when_a_second_appears():
    X, y_true, _ = two_modes()
    names = np.array(["legit", "fraud"])[y_true]
    y_obj = names.astype(object)
    y_obj[N_GIVEN:] = None
    clf = fit_cold(X, y_obj, names, acquisition=Acquisition(budget_init=8))
    assert clf.classes_.tolist() == ["fraud", "legit"]
    assert set(clf.acquired_labels_.tolist()) <= {"fraud", "legit"}
    assert set(clf.predict(X).tolist()) <= {"fraud", "legit"}
    # a string array with its own missing label: a string dtype, as without a cold start
    y_str = np.where(np.arange(len(names)) < N_GIVEN, names, "?")
    clf = fit_cold(X, y_str, names, missing_label="?",
                   acquisition=Acquisition(budget_init=8))
    assert clf.classes_.dtype.kind == "U" and clf.classes_.tolist() == ["fraud", "legit"]
    # integers with missing_label=-1
    y_int = np.where(np.arange(len(names)) < N_GIVEN, y_true, -1)
    clf = fit_cold(X, y_int, y_true, missing_label=-1, acquisition=Acquisition(budget_init=8))
    assert clf.classes_.tolist() == [0, 1] and clf.classes_.dtype.kind == "i"


# -------------------------------------------------------------- when it cannot start, or end
def test_a_single_class_without_an_oracle_or_a_pool_is_still_an_error(data):
    X, y_true, y = data
    lab = ~np.isnan(y)
    match = "needs at least two classes"
    with pytest.raises(ValueError, match=match):
        ActiveSynthesisClassifier(LogisticRegression()).fit(X, y)          # no oracle
    with pytest.raises(ValueError, match=match):
        ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true)).fit(
            X[lab], y[lab])                                                # no pool
    with pytest.raises(ValueError, match=match):
        ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                  max_iter=0).fit(X, y)                    # no round
    with pytest.raises(ValueError, match=match):
        ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                  acquisition=Acquisition(cold_start=None)).fit(X, y)
    with pytest.raises(ValueError, match="needs a fitted model"):
        ActiveSynthesisClassifier(
            LogisticRegression(), oracle=lookup(y_true),
            acquisition=Acquisition(cold_start=UncertaintySampling())).fit(X, y)


def test_a_cold_start_that_never_finds_a_second_class_loses_no_label(data):
    X, _, y = data

    def only_zeros(rows):
        return np.zeros(len(rows))
    with pytest.raises(ColdStartError, match="3 round.*acquired_indices") as info:
        ActiveSynthesisClassifier(LogisticRegression(), oracle=only_zeros,
                                  acquisition=Acquisition(budget_init=5), max_iter=3,
                                  random_state=0).fit(X, y)
    err = info.value
    assert isinstance(err, ValueError)
    assert len(err.acquired_indices) == 15 and len(set(err.acquired_indices)) == 15
    assert np.isnan(y[err.acquired_indices]).all()
    np.testing.assert_array_equal(err.acquired_labels, np.zeros(15))
    assert err.history["round"].tolist() == [0, 1, 2, 3]
    assert err.history["n_acquired"].iloc[1:].tolist() == [5, 5, 5]


def test_failed_answers_in_a_cold_start_leave_their_rows_unlabelled(data):
    X, y_true, y = data
    calls = []

    def flaky(rows, indices):
        calls.append(indices)
        if len(calls) == 1:
            return ["x"] * len(rows)                 # not a number: round 1 fails
        answer = y_true[indices].astype(float)
        answer[0] = np.nan                           # not answered yet
        return answer
    with pytest.warns(OracleFailedWarning, match="not of the kind"):
        clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=flaky,
                                        acquisition=Acquisition(budget_init=5), max_iter=6,
                                        random_state=0).fit(X, y)
    h = clf.history_.set_index("round")
    assert h.loc[1, "n_acquired"] == 0 and "not of the kind" in h.loc[1, "oracle_error"]
    assert h.loc[2, "n_acquired"] == 4 and h.loc[2, "n_unanswered"] == 1
    # round 2's rows: all but the one answered NaN, which stays in the pool
    assert set(clf.acquired_indices_[:4]) == set(calls[1][1:].tolist())


def test_random_and_a_pipeline_on_a_mixed_frame():
    X, y_true = make_fraud_transactions(1500, fraud_rate=0.05, random_state=1)
    y = np.full(len(y_true), np.nan)
    y[np.flatnonzero(y_true == 0)[:30]] = 0
    pipe = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), make_column_selector(dtype_include="number")),
                           ("cat", OneHotEncoder(handle_unknown="ignore"),
                            make_column_selector(dtype_include="category"))]),
        LogisticRegression(max_iter=500))
    for cold in ("coverage", "density", RandomSampling()):
        clf = ActiveSynthesisClassifier(
            pipe, oracle=lookup(y_true), n_synthetic=0, max_iter=8, random_state=0,
            acquisition=Acquisition(budget_init=20, cold_start=cold))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            clf.fit(X, y)
        assert clf.classes_.tolist() == [0, 1], cold
    assert HybridSampling(lam=0.0)._needs_model() is False
