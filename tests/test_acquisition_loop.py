"""Unlabelled rows in fit and label acquisition inside the loop (issue 15, points 2-3).

Constructed cases with a known answer, real components throughout: a
simulation oracle looks the true labels up, the acquired rows are compared
with the ranking of the same model computed independently, the budget with
the seed's formula computed by hand.
"""

import time
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from sklearn_activesynth import ActiveSynthesisClassifier, ActiveSynthesisSampler
from sklearn_activesynth._loop import ORACLE_RETRIES, AcquisitionStage, UncertaintyStage
from sklearn_activesynth.acquisition import (
    Acquisition,
    OracleFailedWarning,
    RandomSampling,
    UncertaintySampling,
    missing_label_mask,
)
from sklearn_activesynth.utils._compat import InvalidParameterError

N_LABELLED = 60


def two_gaussians(n=400, seed=0):
    """Classes N((-1.5, 0), I) and N((1.5, 0), I), in random order."""
    rng = np.random.RandomState(seed)
    y = rng.permutation(np.repeat([0, 1], n // 2))
    X = rng.normal(size=(n, 2))
    X[:, 0] += np.where(y == 1, 1.5, -1.5)
    return X, y


@pytest.fixture(scope="module")
def data():
    """X, the true labels, and y with the rows after the first 60 unlabelled (NaN)."""
    X, y_true = two_gaussians()
    y = y_true.astype(float)
    y[N_LABELLED:] = np.nan
    return X, y_true, y


def lookup(y_true):
    """A simulation oracle: the true labels of the rows, found by their positions."""
    def oracle(rows, indices):
        assert len(rows) == len(indices)
        return y_true[indices]
    return oracle


class CountingOracle:
    """Calls ``answer(rows, indices)``; counts its calls."""

    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self, rows, indices):
        self.calls += 1
        return self.answer(rows, indices)


class RecordingLR(LogisticRegression):
    """LogisticRegression that records every matrix it is fitted on (class-level:
    the loop fits clones)."""

    seen = []

    def fit(self, X, y, sample_weight=None):
        RecordingLR.seen.append(np.array(X, dtype=float, copy=True))
        return super().fit(X, y, sample_weight=sample_weight)


def margin_ranking(model, X_pool, n):
    """The ``n`` rows of ``X_pool`` with the largest margin uncertainty
    1 - (p_top - p_second), by hand; ties to the lower position."""
    p = np.sort(model.predict_proba(X_pool), axis=1)
    u = 1.0 - (p[:, -1] - p[:, -2])
    return np.lexsort((np.arange(len(u)), -u))[:n]


# ------------------------------------------------------------------ the budget
def test_budget_is_the_seeds_schedule_by_hand():
    acq = Acquisition(budget_init=3, budget_step=2, budget_max=8)
    # B_t = min(B_max, B_init + dB t): 3, 5, 7, then capped at 8
    assert [acq.budget(t) for t in range(6)] == [3, 5, 7, 8, 8, 8]
    assert [acq.budget(t) for t in range(6)] == [min(8, 3 + 2 * t) for t in range(6)]
    assert [Acquisition(budget_init=4).budget(t) for t in range(3)] == [4, 4, 4]
    assert Acquisition(budget_init=1, budget_step=10).budget(100) == 1001  # no cap
    assert Acquisition(budget_init=50, budget_max=20).budget(0) == 20
    with pytest.raises(InvalidParameterError, match="budget_step"):
        Acquisition(budget_step=-1).budget(0)
    with pytest.raises(InvalidParameterError, match="strategy"):
        Acquisition(strategy="nope").budget(0)
    with pytest.raises(ValueError, match="t must be an int >= 0"):
        acq.budget(-1)


def test_the_loop_asks_for_B_t_rows_each_round(data):
    X, y_true, y = data
    acq = Acquisition(budget_init=4, budget_step=3, budget_max=9)
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                    acquisition=acq, max_iter=5, patience=1,
                                    random_state=0).fit(X, y)
    h = clf.history_.set_index("round").loc[1:]
    expected = [min(9, 4 + 3 * (r - 1)) for r in h.index]   # round r uses t = r - 1
    assert h.index.tolist() == [1, 2, 3, 4, 5]   # patience does not stop acquisition
    assert h["acquisition_budget"].tolist() == expected
    assert h["n_asked"].tolist() == expected
    assert h["n_acquired"].tolist() == expected
    n_pool = len(y) - N_LABELLED
    assert clf.history_.loc[0, "n_unlabelled_left"] == n_pool
    assert h["n_unlabelled_left"].tolist() == (n_pool - np.cumsum(expected)).tolist()
    assert h["oracle_error"].isna().all()
    # per class counts add up, and are the true classes of the rows acquired
    assert (h["n_acquired_0"] + h["n_acquired_1"]).tolist() == expected
    assert len(clf.acquired_indices_) == sum(expected)
    assert int(np.sum(y_true[clf.acquired_indices_] == 1)) == h["n_acquired_1"].sum()
    np.testing.assert_array_equal(clf.acquired_labels_, y_true[clf.acquired_indices_])
    assert clf.acquired_labels_.dtype == clf.classes_.dtype
    # only rows that were unlabelled, each once
    assert np.isnan(y[clf.acquired_indices_]).all()
    assert len(set(clf.acquired_indices_.tolist())) == len(clf.acquired_indices_)


def test_a_small_pool_is_asked_until_it_is_empty(data):
    X, y_true, y = data
    y = y.copy()
    y[N_LABELLED + 12:] = y_true[N_LABELLED + 12:]   # 12 unlabelled rows
    acq = Acquisition(budget_init=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no PoolExhaustedWarning: the loop asks for what is left
        clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                        acquisition=acq, max_iter=4, patience=5,
                                        random_state=0).fit(X, y)
    h = clf.history_.set_index("round").loc[1:]
    assert h["n_asked"].tolist() == [5, 5, 2, 0]
    assert h["n_unlabelled_left"].tolist() == [7, 2, 0, 0]
    assert sorted(clf.acquired_indices_) == list(range(N_LABELLED, N_LABELLED + 12))


# ------------------------------------------------------ which rows are acquired
def test_the_acquired_rows_are_the_ones_the_strategy_ranks_first(data):
    X, y_true, y = data
    lab = np.arange(N_LABELLED)
    unl = np.arange(N_LABELLED, len(y))
    budget = 7
    # no synthetic rows and no validation split: the model of round 1 is the
    # LogisticRegression of the labelled rows, that of round 2 the same plus the
    # rows of round 1, so both rankings can be computed independently
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), oracle=lookup(y_true), acquisition=Acquisition(budget_init=budget),
        n_synthetic=0, validation_fraction=None, max_iter=2, random_state=0).fit(X, y)
    first, second = clf.acquired_indices_[:budget], clf.acquired_indices_[budget:]

    model_1 = LogisticRegression().fit(X[lab], y_true[lab])
    np.testing.assert_array_equal(first, unl[margin_ranking(model_1, X[unl], budget)])
    # the same ranking as query() of a fitted classifier with that model
    ref = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0,
                                    validation_fraction=None).fit(X[lab], y[lab])
    np.testing.assert_array_equal(first, unl[ref.query(X[unl], budget)])

    rows = np.concatenate([lab, first])
    model_2 = LogisticRegression().fit(X[rows], y_true[rows])
    left = np.setdiff1d(unl, first)
    np.testing.assert_array_equal(second, left[margin_ranking(model_2, X[left], budget)])
    # margin sampling on two Gaussians: the rows acquired sit nearer the boundary
    # (x0 = 0) than the typical unlabelled row
    assert np.median(np.abs(X[clf.acquired_indices_, 0])) < 0.5 * np.median(np.abs(X[unl, 0]))


def test_a_strategy_object_and_random_sampling_are_used(data):
    X, y_true, y = data
    unl = np.arange(N_LABELLED, len(y))
    kw = dict(oracle=lookup(y_true), n_synthetic=0, validation_fraction=None, max_iter=1)
    entropy = ActiveSynthesisClassifier(
        LogisticRegression(), acquisition=Acquisition(UncertaintySampling("entropy"),
                                                      budget_init=5),
        random_state=0, **kw).fit(X, y)
    model = LogisticRegression().fit(X[:N_LABELLED], y_true[:N_LABELLED])
    p = model.predict_proba(X[unl])
    h = -(p * np.log(p)).sum(axis=1)
    np.testing.assert_array_equal(entropy.acquired_indices_,
                                  unl[np.lexsort((np.arange(len(h)), -h))[:5]])
    # random: reproducible from random_state, not the uncertainty ranking
    runs = [ActiveSynthesisClassifier(LogisticRegression(),
                                      acquisition=Acquisition("random", budget_init=5),
                                      random_state=seed, **kw).fit(X, y)
            for seed in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0].acquired_indices_, runs[1].acquired_indices_)
    assert set(runs[0].acquired_indices_) != set(runs[2].acquired_indices_)
    assert set(runs[0].acquired_indices_) != set(entropy.acquired_indices_)


def test_the_same_random_state_gives_the_same_fit(data):
    X, y_true, y = data
    acq = Acquisition(RandomSampling(), budget_init=6, budget_step=2)

    def fit():
        return ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                         acquisition=acq, max_iter=3,
                                         random_state=3).fit(X, y)
    a, b = fit(), fit()
    np.testing.assert_array_equal(a.acquired_indices_, b.acquired_indices_)
    np.testing.assert_array_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.validation_indices_, b.validation_indices_)


# ------------------------------------------------ where acquired rows go (and not)
def test_validation_rows_are_labelled_rows_given_to_fit_never_acquired(data):
    X, y_true, y = data
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                    acquisition=Acquisition(budget_init=20),
                                    max_iter=3, random_state=0).fit(X, y)
    val = clf.validation_indices_
    assert len(clf.acquired_indices_) == 60
    assert not set(val.tolist()) & set(clf.acquired_indices_.tolist())
    assert (val < N_LABELLED).all()   # the labelled rows given to fit
    assert len(val) == int(np.ceil(0.2 * N_LABELLED))
    # the generator was fitted on the training rows before any acquisition and
    # is not refitted: acquired rows anchor no synthetic row
    anchors = clf.synthetic_provenance_["anchor_index"]
    assert len(anchors) > 0
    assert not set(anchors.tolist()) & set(clf.acquired_indices_.tolist())


def test_unlabelled_rows_never_reach_the_estimator(data):
    X, y_true, y = data
    unl_rows = {tuple(r) for r in X[N_LABELLED:]}

    RecordingLR.seen = []
    clf = ActiveSynthesisClassifier(RecordingLR(), max_iter=2, random_state=0).fit(X, y)
    assert len(RecordingLR.seen) > 3   # model_0, out-of-fold clones, candidates, final
    assert all(not ({tuple(r) for r in seen} & unl_rows) for seen in RecordingLR.seen)
    # the final refit: every labelled row and the accepted synthetic rows
    assert len(RecordingLR.seen[-1]) == N_LABELLED + len(clf.synthetic_y_)
    assert max(len(s) for s in RecordingLR.seen) == N_LABELLED + len(clf.synthetic_y_)

    # with an oracle: only the rows it answered, and the final refit has all of them
    RecordingLR.seen = []
    clf = ActiveSynthesisClassifier(RecordingLR(), oracle=lookup(y_true),
                                    acquisition=Acquisition(budget_init=10), max_iter=2,
                                    random_state=0).fit(X, y)
    acquired = {tuple(r) for r in X[clf.acquired_indices_]}
    for seen in RecordingLR.seen:
        assert {tuple(r) for r in seen} & unl_rows <= acquired
    final = RecordingLR.seen[-1]
    assert len(final) == N_LABELLED + 20 + len(clf.synthetic_y_)
    assert acquired <= {tuple(r) for r in final}


def test_without_an_oracle_unlabelled_rows_are_left_out(data):
    X, y_true, y = data
    lab = np.arange(N_LABELLED)
    kw = dict(max_iter=2, random_state=0)
    with_unlabelled = ActiveSynthesisClassifier(LogisticRegression(), **kw).fit(X, y)
    only_labelled = ActiveSynthesisClassifier(LogisticRegression(), **kw).fit(X[lab], y[lab])
    # the same fit: the same split (as positions in each X), rows and model
    np.testing.assert_array_equal(with_unlabelled.validation_indices_,
                                  lab[only_labelled.validation_indices_])
    np.testing.assert_array_equal(with_unlabelled.synthetic_X_, only_labelled.synthetic_X_)
    np.testing.assert_array_equal(with_unlabelled.predict_proba(X),
                                  only_labelled.predict_proba(X))
    np.testing.assert_array_equal(with_unlabelled.classes_, [0.0, 1.0])
    assert "n_acquired" not in with_unlabelled.history_
    assert not hasattr(with_unlabelled, "acquired_indices_")


# ----------------------------------------------------------- what marks a row
def test_missing_label_minus_one_is_opt_in(data):
    X, y_true, _ = data
    y = y_true.copy()          # integer labels {0, 1}
    y[N_LABELLED:] = -1
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                    acquisition=Acquisition(budget_init=5),
                                    missing_label=-1, max_iter=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert len(clf.acquired_indices_) == 10
    assert (y[clf.acquired_indices_] == -1).all()
    np.testing.assert_array_equal(clf.acquired_labels_, y_true[clf.acquired_indices_])

    # {-1, 1} labels with the default missing_label: every row is labelled
    y_pm = np.where(y_true == 1, 1, -1)
    RecordingLR.seen = []
    clf = ActiveSynthesisClassifier(RecordingLR(), max_iter=0).fit(X, y_pm)
    np.testing.assert_array_equal(clf.classes_, [-1, 1])
    assert len(RecordingLR.seen[-1]) == len(y_pm)


def test_integer_labels_with_an_oracle_need_a_missing_label(data):
    X, y_true, _ = data
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true))
    with pytest.raises(ValueError, match=r"cannot hold NaN.*float labels.*missing_label"):
        clf.fit(X, y_true)
    with pytest.raises(ValueError, match="cannot hold NaN"):
        clf.fit(X, np.where(y_true == 1, "fraud", "ok"))   # a string array neither
    # without an oracle integer labels are just labels
    ActiveSynthesisClassifier(LogisticRegression(), max_iter=0).fit(X, y_true)


def test_object_labels_with_none_and_a_string_oracle(data):
    X, y_true, _ = data
    names = np.where(y_true == 1, "fraud", "ok").astype(object)
    y = names.copy()
    y[N_LABELLED:] = None
    frame = pd.DataFrame(X, columns=["a", "b"], index=np.arange(len(y)) + 1000)
    truth = pd.Series(names, index=frame.index)
    seen = []

    def analysts(rows):   # a DataFrame slice, its index kept: look the labels up by it
        seen.append(rows)
        return truth.loc[rows.index]

    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=analysts,
                                    acquisition=Acquisition(budget_init=8), max_iter=2,
                                    random_state=0).fit(frame, y)
    assert all(isinstance(rows, pd.DataFrame) for rows in seen)
    assert list(seen[0].columns) == ["a", "b"]
    np.testing.assert_array_equal(clf.classes_, ["fraud", "ok"])
    np.testing.assert_array_equal(clf.acquired_labels_, names[clf.acquired_indices_])
    h = clf.history_.set_index("round").loc[1:]
    assert (h["n_acquired_fraud"] + h["n_acquired_ok"]).tolist() == [8, 8]
    with pytest.raises(ValueError, match="missing_label='\\?' cannot mark a row"):
        ActiveSynthesisClassifier(missing_label="?").fit(X, y_true)   # numbers vs a string


def test_missing_label_mask():
    assert missing_label_mask(np.array([1.0, np.nan]), np.nan).tolist() == [False, True]
    assert missing_label_mask(np.array(["a", None, np.nan], dtype=object),
                              None).tolist() == [False, True, True]
    assert missing_label_mask(np.array(["-1", -1], dtype=object), -1).tolist() == [False, True]
    assert missing_label_mask(np.array(["?", "a"]), "?").tolist() == [True, False]
    assert missing_label_mask(np.array([0, 1]), "?").tolist() == [False, False]


def test_every_row_unlabelled_is_an_error(data):
    X, y_true, _ = data
    with pytest.raises(ValueError, match="Every row of y is unlabelled"):
        ActiveSynthesisClassifier().fit(X, np.full(len(y_true), np.nan))


def test_the_sampler_rejects_missing_labels(data):
    X, _, y = data
    with pytest.raises(ValueError, match="needs a label on every row, but y has 340 missing"):
        ActiveSynthesisSampler().fit_resample(X, y)
    with pytest.raises(ValueError, match="ActiveSynthesisClassifier\\(oracle"):
        ActiveSynthesisSampler().fit(X, np.where(np.isnan(y), None, y).astype(object))


# ------------------------------------------------------------- parameters
def test_acquisition_without_an_oracle_says_so(data):
    X, _, y = data
    with pytest.raises(ValueError, match="acquisition is set but oracle is None"):
        ActiveSynthesisClassifier(acquisition=Acquisition()).fit(X, y)


def test_an_oracle_alone_uses_the_default_acquisition(data):
    X, y_true, y = data
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true), max_iter=2,
                                    random_state=0).fit(X, y)
    default = Acquisition()
    assert clf.history_["n_asked"].iloc[1:].tolist() == [default.budget(0), default.budget(1)]
    assert clf.acquisition is None   # the parameter is not written


def test_acquisition_is_tunable_in_a_grid_search(data):
    X, y_true, y = data
    frame = pd.DataFrame(X, columns=["a", "b"])
    truth = pd.Series(y_true, index=frame.index)
    clf = ActiveSynthesisClassifier(LogisticRegression(),
                                    oracle=lambda rows: truth.loc[rows.index],
                                    max_iter=2, random_state=0)
    clf.set_params(acquisition__budget_step=5)   # None becomes Acquisition(budget_step=5)
    assert isinstance(clf.acquisition, Acquisition) and clf.acquisition.budget_step == 5
    clf.set_params(acquisition__strategy__diversity=0.5)
    assert clf.acquisition.strategy.get_params() == \
        UncertaintySampling("margin", diversity=0.5).get_params()
    assert clone(clf).get_params()["acquisition__budget_step"] == 5
    # folds test on labelled rows only; unlabelled rows are always in training
    test_fold = np.where(np.isnan(y), -1, np.arange(len(y)) % 2)
    grid = GridSearchCV(clf, {"acquisition__budget_init": [2, 12],
                              "acquisition__strategy": ["margin", "random"]},
                        cv=PredefinedSplit(test_fold)).fit(frame, y)
    best = grid.best_estimator_
    assert best.acquisition.budget_init in (2, 12)
    assert len(best.acquired_indices_) == 2 * best.acquisition.budget_init + 5


def test_the_round_order_and_the_selector(data):
    X, y_true, y = data
    clf = ActiveSynthesisClassifier(oracle=lookup(y_true))
    stages = clf._stages()
    assert isinstance(stages[0], AcquisitionStage) and isinstance(stages[1], UncertaintyStage)
    assert not any(isinstance(s, AcquisitionStage)
                   for s in ActiveSynthesisClassifier()._stages())
    # with a selector the acquisition runs once per round, before the arms
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                    acquisition=Acquisition(budget_init=6),
                                    selector="ucb", max_iter=2, random_state=0).fit(X, y)
    assert clf.history_["n_acquired"].iloc[1:].tolist() == [6, 6]
    assert len(clf.acquired_indices_) == 12


def test_sample_weight_follows_the_acquired_rows(data):
    X, y_true, y = data
    w = np.ones(len(y))
    clf = ActiveSynthesisClassifier(LogisticRegression(), oracle=lookup(y_true),
                                    acquisition=Acquisition(budget_init=5), max_iter=1,
                                    random_state=0).fit(X, y, sample_weight=w)
    assert len(clf.acquired_indices_) == 5
    with pytest.raises(ValueError, match="labelled rows"):
        w0 = np.where(np.isnan(y), 1.0, 0.0)
        ActiveSynthesisClassifier(LogisticRegression()).fit(X, y, sample_weight=w0)


# ------------------------------------------------------------ a failing oracle
def _fit(X, y, oracle, **kw):
    params = dict(acquisition=Acquisition(budget_init=5), max_iter=3, patience=5,
                  random_state=0)
    params.update(kw)
    return ActiveSynthesisClassifier(LogisticRegression(), oracle=oracle, **params).fit(X, y)


def _one_warning(record, category):
    return [w for w in record if issubclass(w.category, category)]


def test_an_oracle_that_raises_is_retried_recorded_and_warned_once(data):
    X, _, y = data

    def broken(rows, indices):
        raise ConnectionError("review queue unreachable")

    oracle = CountingOracle(broken)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = _fit(X, y, oracle)
    assert len(_one_warning(record, OracleFailedWarning)) == 1
    h = clf.history_.set_index("round").loc[1:]
    assert h["oracle_error"].str.contains("ConnectionError: review queue unreachable").all()
    assert h["oracle_attempts"].tolist() == [ORACLE_RETRIES + 1] * 3
    assert oracle.calls == 3 * (ORACLE_RETRIES + 1)
    assert h["n_acquired"].tolist() == [0, 0, 0]
    assert h["n_unlabelled_left"].tolist() == [len(y) - N_LABELLED] * 3
    assert len(clf.acquired_indices_) == 0 and clf.n_iter_ == 3


def test_a_transient_failure_is_retried_within_the_round(data):
    X, y_true, y = data
    answer = lookup(y_true)

    def flaky(rows, indices):
        if oracle.calls == 1:
            raise TimeoutError("try again")
        return answer(rows, indices)

    oracle = CountingOracle(flaky)
    clf = _fit(X, y, oracle, max_iter=1)
    assert clf.history_.loc[1, "oracle_attempts"] == 2
    assert clf.history_.loc[1, "n_acquired"] == 5


@pytest.mark.parametrize("name, answer, match", [
    ("too_few", lambda y_true: lambda rows, indices: y_true[indices][:2],
     "returned 2 labels for 5 rows"),
    ("a_matrix", lambda y_true: lambda rows, indices: np.zeros((5, 2)),
     r"shape \(5, 2\) for 5 rows"),
    ("nothing", lambda y_true: lambda rows, indices: None, "for 5 rows"),
])
def test_an_unusable_answer_is_recorded_and_no_row_is_lost(data, name, answer, match):
    X, y_true, y = data
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = _fit(X, y, answer(y_true))
    assert len(_one_warning(record, OracleFailedWarning)) == 1
    h = clf.history_.set_index("round").loc[1:]
    assert h["oracle_error"].str.contains(match).all()
    assert h["oracle_attempts"].tolist() == [1, 1, 1]   # a malformed answer is not retried
    assert h["n_acquired"].sum() == 0
    assert h["n_unlabelled_left"].tolist() == [len(y) - N_LABELLED] * 3


def test_unknown_labels_leave_their_rows_unlabelled(data):
    X, y_true, y = data

    def answers(rows, indices):   # class 2 does not exist: those rows stay in the pool
        out = y_true[indices].astype(object)
        out[:2] = ["2", 7]
        return out

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = _fit(X, y, answers)
    assert len(_one_warning(record, OracleFailedWarning)) == 1
    h = clf.history_.set_index("round").loc[1:]
    assert h["oracle_error"].str.contains(r"2 label\(s\) not among the classes").all()
    assert h["n_acquired"].tolist() == [3, 3, 3]
    assert h["n_unlabelled_left"].tolist() == [337, 334, 331]
    np.testing.assert_array_equal(clf.acquired_labels_, y_true[clf.acquired_indices_])


def test_rows_not_answered_go_back_to_the_pool(data):
    X, y_true, y = data
    asked = []

    def review_queue(rows, indices):   # answers the first three, not yet the others
        asked.append(indices.copy())
        out = y_true[indices].astype(float)
        out[3:] = np.nan
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("error", OracleFailedWarning)   # not a failure
        clf = _fit(X, y, review_queue)
    h = clf.history_.set_index("round").loc[1:]
    assert h["n_acquired"].tolist() == [3, 3, 3]
    assert h["n_unanswered"].tolist() == [2, 2, 2]
    assert h["oracle_error"].isna().all()
    np.testing.assert_array_equal(clf.acquired_indices_,
                                  np.concatenate([a[:3] for a in asked]))
    # the rows not answered are asked again later (they stayed in the pool)
    not_answered = set(asked[0][3:].tolist())
    assert not_answered & set(np.concatenate(asked[1:]).tolist())


def test_an_oracle_that_times_out_is_not_called_again(data):
    X, y_true, y = data
    answer = lookup(y_true)

    def slow(rows, indices):
        if oracle.calls == 1:
            time.sleep(0.6)
        return answer(rows, indices)

    oracle = CountingOracle(slow)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = _fit(X, y, oracle, generator_timeout=0.2)
    assert len(_one_warning(record, OracleFailedWarning)) == 1
    h = clf.history_.set_index("round").loc[1:]
    assert "did not return within" in h.loc[1, "oracle_error"]
    assert oracle.calls == 1
    assert h["n_acquired"].sum() == 0 and clf.n_iter_ == 3
