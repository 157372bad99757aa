import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sklearn_activesynth.generators import InterpolationGenerator
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


def test_class_with_too_few_rows_is_a_clear_error():
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0] * 9 + [1] * 3)
    with pytest.raises(ValueError, match=r"Class .*1.* has 3 training row.*k_neighbors=5"):
        InterpolationGenerator(k_neighbors=5).fit(X, y)


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
