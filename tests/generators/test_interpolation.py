import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.generators import InterpolationGenerator, SmallClassWarning
from sklearn_activesynth.utils.estimator_checks import (
    make_check_frame,
    make_targets,
    parametrize_generator_checks,
)


@parametrize_generator_checks([InterpolationGenerator(), InterpolationGenerator(k_neighbors=2)])
def test_generator_checks(generator, check):
    check(generator)


def test_rows_lie_between_anchor_and_a_same_class_neighbour():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = np.repeat([0, 1], 30)
    gen = InterpolationGenerator(k_neighbors=3).fit(X, y)
    targets = make_targets(X, y, [5], [20])
    X_new, y_new = gen.generate(targets=targets, random_state=0)
    assert np.all(y_new == 0)
    # the 3 nearest class-0 neighbours of row 5 (standardised distance) and the row
    # itself bound the new rows
    Z = (X - X.mean(0)) / X.std(0)
    d = np.linalg.norm(Z[:30] - Z[5], axis=1)
    nbrs = np.argsort(d)[1:4]
    lo = np.minimum(X[5], X[nbrs].min(0)) - 1e-9
    hi = np.maximum(X[5], X[nbrs].max(0)) + 1e-9
    assert np.all((X_new >= lo) & (X_new <= hi))


def test_integer_array_stays_integer_and_categories_come_from_parents():
    X, y = make_check_frame()
    Xi = X[["count"]].to_numpy()
    X_new, _ = InterpolationGenerator().fit(Xi, y).generate(50, random_state=0)
    assert X_new.dtype == Xi.dtype
    frame_new, _ = InterpolationGenerator().fit(X, y).generate(200, random_state=1)
    assert frame_new["count"].dtype == np.int64
    assert set(frame_new["kind"].astype(str)) <= set(X["kind"].astype(str))
    assert frame_new["kind"].dtype == X["kind"].dtype  # unseen category "atm" still declared


def test_sparse_input_gives_sparse_output():
    rng = np.random.RandomState(0)
    X = sp.random(80, 6, density=0.3, format="csr", random_state=0)
    y = rng.randint(2, size=80)
    X_new, y_new = InterpolationGenerator().fit(X, y).generate(15, random_state=0)
    assert sp.issparse(X_new) and X_new.shape == (15, 6)


def test_small_class_interpolates_with_fewer_neighbours():
    # 3 rows of class 1 with the default k_neighbors=5: was a ValueError
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 2))
    y = np.array([0] * 9 + [1] * 3)
    with pytest.warns(SmallClassWarning, match=r"class\(es\) 1 \(3 rows\)") as record:
        gen = InterpolationGenerator().fit(X, y)
    assert len([w for w in record if w.category is SmallClassWarning]) == 1
    result = gen.generate(targets=make_targets(X, y, [10], [20]), random_state=0)
    assert result.n_samples == 20 and np.all(result.y == 1)
    assert result.report == {"n_rows_small_classes": 20, "n_rows_without_partners": 0}
    # each row lies between the anchor and one of the two other class-1 rows
    lo, hi = X[9:].min(0) - 1e-9, X[9:].max(0) + 1e-9
    assert np.all((result.X >= lo) & (result.X <= hi))
    assert len(np.unique(result.X[:, 0])) > 1
    # the class-0 rows still use five neighbours
    assert gen.generate(targets=make_targets(X, y, [0], [5]), random_state=0).report == {
        "n_rows_small_classes": 0, "n_rows_without_partners": 0}


def test_single_row_class_gets_no_rows_and_is_reported():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(13, 2))
    y = np.array([0] * 10 + [1] * 2 + [2])
    with pytest.warns(SmallClassWarning, match=r"2 have a single training row"):
        gen = InterpolationGenerator().fit(X, y)
    targets = make_targets(X, y, [0, 10, 12], [4, 3, 5])
    result = gen.generate(targets=targets, random_state=0)
    assert result.n_samples == 7  # the 5 rows asked around the lone row are not made
    assert sorted(result.y.tolist()) == [0] * 4 + [1] * 3
    assert 12 not in result.anchor_positions.tolist()
    assert result.report == {"n_rows_small_classes": 3, "n_rows_without_partners": 5}
    untargeted = gen.generate(130, random_state=0)  # 10 requested for class 2
    assert 2 not in untargeted.y.tolist()
    assert untargeted.report["n_rows_without_partners"] == 10
    assert untargeted.n_samples == 120
    # no copy of the lone row leaks out
    assert not np.any(np.all(np.isclose(untargeted.X, X[12]), axis=1))


def test_any_class_partners_on_a_tiny_training_set():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    y = np.array([0, 1, 1])
    with pytest.warns(SmallClassWarning, match="2 neighbour"):
        gen = InterpolationGenerator(partners="any_class").fit(X, y)
    result = gen.generate(6, random_state=0)
    assert result.n_samples == 6
    assert result.report["n_rows_small_classes"] == 6


def test_no_warning_when_every_class_is_large_enough():
    X, y = make_check_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallClassWarning)
        gen = InterpolationGenerator(k_neighbors=3).fit(X, y)
    result = gen.generate(40, random_state=0)
    assert result.report == {"n_rows_small_classes": 0, "n_rows_without_partners": 0}


@pytest.mark.parametrize("n_small", [1, 2, 5])
def test_default_classifier_accepts_what_the_base_estimator_accepts(n_small):
    # the default generator once refused any class with <= 5 training rows
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60 + n_small, 3))
    X[60:] += 2.0
    y = np.array([0] * 30 + [1] * 30 + [2] * n_small)
    LogisticRegression().fit(X, y)  # the base estimator accepts it
    clf = ActiveSynthesisClassifier(LogisticRegression(), validation_fraction=None,
                                    random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.fit(X, y)
    small = [w for w in record if w.category is SmallClassWarning]
    assert len(small) == 1  # once per fit, not once per round
    rounds = clf.history_[clf.history_["round"] > 0]
    assert "n_rows_small_classes" in rounds and "n_rows_without_partners" in rounds
    assert clf.predict(X).shape == (len(y),)
    if n_small == 1:
        assert 2 not in set(clf.synthetic_y_.tolist())


def test_generate_validates_n_samples():
    X, y = make_check_frame()
    gen = InterpolationGenerator().fit(X, y)
    with pytest.raises(ValueError, match="n_samples"):
        gen.generate(-1)
    with pytest.raises(ValueError, match="n_samples or targets"):
        gen.generate()


def test_dataframe_index_is_fresh():
    X, y = make_check_frame()
    X.index = X.index + 1000
    X_new, _ = InterpolationGenerator().fit(X, y).generate(5, random_state=0)
    assert list(X_new.index) == list(range(5))
    assert isinstance(X_new, pd.DataFrame)


def test_synthetic_values_keep_the_real_precision():
    X, y = make_check_frame()  # amounts in cents
    X_new, _ = InterpolationGenerator().fit(X, y).generate(100, random_state=0)
    cents = X_new["amount"].to_numpy() * 100
    np.testing.assert_allclose(cents, np.round(cents), atol=1e-6)
    rng = np.random.RandomState(0)
    Xc = rng.normal(size=(50, 2))  # continuous columns are left alone
    Xc_new, _ = InterpolationGenerator().fit(Xc, np.repeat([0, 1], 25)).generate(20, random_state=0)
    assert np.mean(np.abs(Xc_new * 1e6 - np.round(Xc_new * 1e6)) > 1e-3) > 0.5


def test_tiny_magnitude_column_survives_synthesis():
    # a column whose values lie within +-1e-6 came out as 0 in every synthetic row
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"tiny": rng.uniform(1e-7, 9e-7, size=80),
                      "count": rng.randint(0, 9, size=80).astype(np.int64),
                      "amount": np.round(rng.uniform(5, 50, size=80), 2)})
    y = np.repeat([0, 1], 40)
    X_new, _ = InterpolationGenerator().fit(X, y).generate(200, random_state=0)
    tiny = X_new["tiny"].to_numpy()
    assert np.all(tiny != 0) and len(np.unique(tiny)) > 150
    for col in X:
        assert X_new[col].between(X[col].min(), X[col].max()).all(), col
    assert X_new["count"].dtype == np.int64
    cents = X_new["amount"].to_numpy() * 100
    np.testing.assert_allclose(cents, np.round(cents), atol=1e-6)


@pytest.mark.parametrize("target_type", [None, "continuous"])
def test_neighbour_index_is_encoded_in_chunks_like_in_one_piece(target_type):
    # the candidates are encoded a chunk at a time (no float64 copy of them all);
    # each row's encoding depends on that row only, so chunks change nothing
    X, y = make_check_frame()
    if target_type == "continuous":
        y = np.arange(len(y), dtype=float)
    gen = InterpolationGenerator(target_type=target_type).fit(X, y)
    rows = np.arange(len(y))[::-1]
    whole = gen.schema_.encode(X.iloc[rows], dtype=np.float32)
    np.testing.assert_array_equal(gen._encode(rows, chunk=7), whole)
    np.testing.assert_array_equal(gen._encode(rows, chunk=len(rows)), whole)
