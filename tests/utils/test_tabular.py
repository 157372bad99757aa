"""Public helpers for generator authors: TabularSchema, take_rows, take_concat, concat_rows."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import sklearn_activesynth.utils as utils
from sklearn_activesynth.utils import TabularSchema, concat_rows, take_concat, take_rows
from sklearn_activesynth.utils.estimator_checks import make_check_frame


def _frame():
    """Mixed dtypes: float with cents, int64, category (one unused category),
    object strings, bool, and a non-default index."""
    X, _ = make_check_frame(60)
    X["flag"] = np.arange(60) % 3 == 0
    X.index = np.arange(60) * 10 + 5
    return X


def test_public_names():
    assert set(utils.__all__) == {"TabularSchema", "take_rows", "take_concat", "concat_rows",
                                  "fit_clone"}
    from sklearn_activesynth.utils import tabular

    assert tabular.TabularSchema is TabularSchema
    # private helpers stay private
    assert not any(n.startswith("_") for n in tabular.__all__)


# ---------------------------------------------------------------- take_rows
def test_take_rows_keeps_container_dtypes_and_index():
    X = _frame()
    rows = take_rows(X, [4, 0, 4])
    assert isinstance(rows, pd.DataFrame) and list(rows.index) == [45, 5, 45]
    assert rows.dtypes.equals(X.dtypes)
    assert rows["kind"].cat.categories.tolist() == ["online", "phone", "store", "atm"]
    pd.testing.assert_frame_equal(rows, X.iloc[[4, 0, 4]])
    mask = np.zeros(60, dtype=bool)
    mask[[1, 2]] = True
    assert list(take_rows(X, mask).index) == [15, 25]
    series = take_rows(X["city"], [1, 2])
    assert isinstance(series, pd.Series) and series.dtype == object

    A = np.arange(12, dtype=np.int32).reshape(4, 3)
    out = take_rows(A, [3, 1])
    assert out.dtype == np.int32 and out.tolist() == [[9, 10, 11], [3, 4, 5]]

    S = sp.csr_matrix(A.astype(float))
    out = take_rows(S, [3, 1])
    assert sp.issparse(out) and out.format == "csr" and out.dtype == float
    np.testing.assert_array_equal(out.toarray(), A[[3, 1]])


# ---------------------------------------------------------------- concat_rows
def test_concat_rows_frames_keep_dtypes_and_declared_categories():
    X = _frame()
    a, b = take_rows(X, [0, 1]), take_rows(X, [2])
    # a block whose categorical column declares fewer categories
    b = b.assign(kind=b["kind"].astype(pd.CategoricalDtype(b["kind"].astype(str).unique())))
    out = concat_rows([a, None, b])
    assert list(out.index) == [0, 1, 2]
    assert out.dtypes.equals(X.dtypes)
    assert out["kind"].tolist() == X["kind"].iloc[:3].tolist()
    assert out["city"].tolist() == X["city"].iloc[:3].tolist()
    # a single block is returned as it is
    assert concat_rows([a]) is a
    assert concat_rows([None, a]) is a


def test_concat_rows_arrays_and_sparse():
    a, b = np.ones((2, 3), dtype=np.float32), np.zeros((1, 3), dtype=np.float32)
    out = concat_rows([a, b])
    assert out.dtype == np.float32 and out.shape == (3, 3)
    mixed = concat_rows([np.ones((1, 2), dtype=np.int64), np.full((1, 2), 0.5)])
    assert mixed.dtype == np.float64 and mixed.tolist() == [[1, 1], [0.5, 0.5]]
    s1 = sp.random(3, 4, density=0.5, format="csc", random_state=0)
    s2 = sp.random(2, 4, density=0.5, format="csr", random_state=1)
    out = concat_rows([s1, s2])
    assert sp.issparse(out) and out.format == "csc" and out.shape == (5, 4)
    np.testing.assert_array_equal(out.toarray(), np.vstack([s1.toarray(), s2.toarray()]))


# ---------------------------------------------------------------- take_concat
@pytest.mark.parametrize("kind", ["frame", "array", "int-array", "sparse"])
def test_take_concat_equals_take_then_concat(kind):
    X = _frame()
    if kind == "array":
        X = X[["amount", "count"]].to_numpy(dtype=float)
    elif kind == "int-array":
        X = X[["count"]].to_numpy()
    elif kind == "sparse":
        X = sp.csr_matrix(X[["amount", "count"]].to_numpy(dtype=float))
    idx = np.array([5, 1, 1, 30])
    blocks = [take_rows(X, [7, 8]), None, take_rows(X, [])]
    got = take_concat(X, idx, blocks)
    expected = concat_rows([take_rows(X, idx), take_rows(X, [7, 8])])
    assert type(got) is type(expected)
    if kind == "frame":
        pd.testing.assert_frame_equal(got, expected)
        assert got.dtypes.equals(X.dtypes)
    elif kind == "sparse":
        np.testing.assert_array_equal(got.toarray(), expected.toarray())
    else:
        assert got.dtype == X.dtype
        np.testing.assert_array_equal(got, expected)


def test_take_concat_widens_the_dtype_like_concatenate():
    X = np.arange(6, dtype=np.int64).reshape(3, 2)
    out = take_concat(X, [2, 0], [np.full((1, 2), 0.5)])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[4, 5], [0, 1], [0.5, 0.5]])


def test_take_concat_array_indices_like_numpy():
    # negative positions count from the end, as in X[indices]; out of range raises
    X = np.arange(12, dtype=float).reshape(6, 2)
    block = np.full((1, 2), -1.0)
    np.testing.assert_array_equal(take_concat(X, [-1, 0, -6], [block]),
                                  np.vstack([X[[-1, 0, -6]], block]))
    for bad in ([6], [0, -7]):
        with pytest.raises(IndexError):
            take_concat(X, bad, [block])


def test_take_concat_array_makes_one_copy():
    # the rows go straight into the result: no hidden buffer of the same size
    import tracemalloc

    X = np.random.RandomState(0).normal(size=(20_000, 10))
    idx = np.arange(0, 20_000, 2)
    block = np.ones((10, 10))
    tracemalloc.start()
    try:
        out = take_concat(X, idx, [block])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * out.nbytes


# ---------------------------------------------------------------- TabularSchema
def test_schema_of_a_mixed_frame():
    X = _frame()
    schema = TabularSchema(X)
    assert schema.is_frame and not schema.is_sparse and schema.n_features == 5
    assert schema.numeric == ["amount", "count"] and schema.integer == ["count"]
    assert schema.categorical == ["kind", "city", "flag"] and schema.text == []
    assert schema.categories["kind"] == ["online", "phone", "store", "atm"]  # declared
    assert sorted(schema.categories["city"]) == ["Lyon", "Oslo", "Porto"]  # seen
    assert schema.decimals_.tolist() == [2, 0]
    np.testing.assert_allclose(schema.mean_, [X["amount"].mean(), X["count"].mean()])


def test_numeric_values():
    X = _frame()
    schema = TabularSchema(X)
    vals = schema.numeric_values(X)
    assert vals.dtype == float and vals.shape == (60, 2)
    np.testing.assert_array_equal(vals, X[["amount", "count"]].to_numpy(dtype=float))
    only_cats = X[["kind", "city"]]
    assert TabularSchema(only_cats).numeric_values(only_cats).shape == (60, 0)
    A = np.arange(6, dtype=np.int32).reshape(3, 2)
    assert TabularSchema(A).numeric_values(A).dtype == float
    S = sp.csr_matrix(A)
    out = TabularSchema(S).numeric_values(S)
    assert sp.issparse(out) and out.dtype == float


def test_encode_standardises_and_one_hot_encodes():
    X = _frame()
    schema = TabularSchema(X)
    Z = schema.encode(X)
    # 2 numerics, then 4 + 3 + 2 one-hot columns
    assert Z.shape == (60, 2 + 4 + 3 + 2) and Z.dtype == np.float64
    np.testing.assert_allclose(Z[:, :2].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(0), 1)
    onehot = Z[:, 2:]
    np.testing.assert_allclose((onehot > 0).sum(1), 3)  # one category per column
    np.testing.assert_allclose(onehot[onehot > 0], np.sqrt(0.5))
    assert (onehot[:, 3] == 0).all()  # the declared, unused category "atm"
    assert schema.encode(X, dtype=np.float32).dtype == np.float32
    # unseen categories and missing numerics encode as zeros, not errors
    odd = X.head(2).copy()
    odd["city"] = ["Paris", None]
    odd.loc[odd.index[0], "amount"] = np.nan
    Zo = schema.encode(odd)
    assert np.isfinite(Zo).all() and Zo[0, 0] == 0 and (Zo[:, 6:9] == 0).all()


def test_encode_sparse_keeps_sparsity():
    S = sp.random(50, 4, density=0.2, format="csr", random_state=0)
    schema = TabularSchema(S)
    Z = schema.encode(S)
    assert sp.issparse(Z) and Z.format == "csr" and Z.nnz == S.nnz
    np.testing.assert_allclose(Z.toarray(), S.toarray() / schema.scale_)


def test_restore_round_trips_a_mixed_frame():
    X = _frame()
    schema = TabularSchema(X)
    cats = {c: X[c].to_numpy() for c in schema.categorical}
    out = schema.restore(schema.numeric_values(X), cats)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(X.columns)
    assert out.dtypes.equals(X.dtypes)
    pd.testing.assert_frame_equal(out, X.reset_index(drop=True))


def test_restore_keeps_precision_and_integers():
    X = _frame()
    schema = TabularSchema(X)
    num = np.array([[12.3456, 2.6], [7.0, -0.4]])
    cats = {"kind": np.array(["store", "online"]), "city": np.array(["Oslo", "Lyon"]),
            "flag": np.array([True, False])}
    out = schema.restore(num, cats)
    assert out["amount"].tolist() == [12.35, 7.0]  # cents stay cents
    assert out["count"].tolist() == [3, 0] and out["count"].dtype == np.int64
    assert out["kind"].dtype == X["kind"].dtype and out["flag"].dtype == bool
    # an integer column with a missing value stays float rather than failing
    out = schema.restore(np.array([[1.0, np.nan]]), {c: v[:1] for c, v in cats.items()})
    assert np.isnan(out["count"].iloc[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.uint8])
def test_restore_round_trips_arrays(dtype):
    # values with 3 decimals: restore rounds to the decimals a column uses
    A = np.round(np.random.RandomState(0).uniform(0, 100, size=(20, 3)), 3).astype(dtype)
    schema = TabularSchema(A)
    assert not schema.is_frame and schema.columns == [0, 1, 2]
    assert (schema.integer == [0, 1, 2]) == np.issubdtype(dtype, np.integer)
    out = schema.restore(schema.numeric_values(A))
    assert isinstance(out, np.ndarray) and out.dtype == dtype
    np.testing.assert_array_equal(out, A)
    if np.issubdtype(dtype, np.integer):
        assert schema.restore(np.array([[1.6, 2.4, 3.5]])).tolist() == [[2, 2, 4]]


def test_tiny_magnitude_column_keeps_its_significant_digits():
    # values within +-1e-6 were all rounded to 0 ("the real data's precision")
    rng = np.random.RandomState(0)
    continuous = rng.uniform(1e-7, 9e-7, size=50)
    three_digits = np.round(rng.uniform(1, 9, size=50), 2) * 1e-7  # 1.23e-7
    schema = TabularSchema(np.column_stack([continuous, three_digits]))
    assert schema.decimals_[1] == 9
    lam = rng.uniform(size=(50, 1))
    mixed = np.column_stack([continuous, three_digits])
    new = mixed + lam * (mixed[::-1] - mixed)  # rows between real rows
    out = schema.restore(new)
    assert np.all(out != 0) and len(np.unique(out[:, 0])) == 50
    np.testing.assert_allclose(out[:, 0], new[:, 0], rtol=1e-5)
    np.testing.assert_allclose(out[:, 1] * 1e9, np.round(out[:, 1] * 1e9), atol=1e-6)
    np.testing.assert_allclose(out[:, 1], new[:, 1], rtol=0, atol=0.51e-9)


@pytest.mark.parametrize("scale", [1e-9, 1e-7, 1e-3, 1.0, 1e3, 1e8])
def test_decimals_are_relative_to_the_column_magnitude(scale):
    rng = np.random.RandomState(0)
    cents_like = np.round(rng.uniform(1, 9, size=40), 2)  # 3 significant digits
    schema = TabularSchema((cents_like * scale)[:, None])
    if scale >= 1:  # magnitude >= 1: absolute decimals, as before (0 for integers)
        assert schema.decimals_[0] == max(0, 2 - round(np.log10(scale)))
    else:
        assert schema.decimals_[0] == 2 - round(np.log10(scale))
    out = schema.restore((cents_like * scale * 1.001)[:, None])
    assert np.all(out != 0)


def test_rounding_never_leaves_the_real_range():
    # a minimum within 1e-6 of an integer: the column counts as integral
    A = np.array([[1.0000004], [3.0], [2.0], [2.0]])
    schema = TabularSchema(A)
    assert schema.decimals_.tolist() == [0]
    out = schema.restore(np.array([[1.0000005], [2.9999999], [2.4]]))
    assert out[:, 0].min() >= A.min() and out[:, 0].max() <= A.max()
    assert out[2, 0] == 2.0
    # positive values within 1e-6 of 0 were rounded to 0, below the minimum
    rng = np.random.RandomState(0)
    B = rng.uniform(3e-7, 9e-7, size=(30, 1))
    out = TabularSchema(B).restore(B[::-1] * 0.5 + B * 0.5)
    assert out.min() >= B.min() and out.max() <= B.max()
    # a maximum the decimals sample did not see (more rows than it reads)
    C = np.arange(12_000, dtype=float)[:, None] % 10
    C[1, 0] = 10.6  # off the sampled integer grid
    schema = TabularSchema(C)
    assert schema.decimals_.tolist() == [0]
    out = schema.restore(np.array([[10.55], [-0.0], [5.5]]))
    assert out[:, 0].max() <= 10.6 and out[0, 0] == 10.6


def test_rounding_keeps_values_outside_the_range_where_they_were():
    # what a generator puts outside the real range is the caller's to judge
    schema = TabularSchema(np.array([[1.25], [2.5]]))
    np.testing.assert_array_equal(schema.restore(np.array([[7.123], [-1.0]])),
                                  [[7.12], [-1.0]])


def test_integer_columns_stay_integral_within_the_range():
    X = pd.DataFrame({"count": np.array([1, 3, 7, 2], dtype=np.int64),
                      "tiny": [1e-7, 2e-7, 5e-7, 3e-7]})
    schema = TabularSchema(X)
    rng = np.random.RandomState(0)
    num = rng.uniform([0.6, 0.9e-7], [7.4, 5.2e-7], size=(200, 2))
    out = schema.restore(num)
    assert out["count"].dtype == np.int64
    assert out["count"].between(1, 7).all()
    assert out["tiny"].between(1e-7, 5e-7).all() and (out["tiny"] > 0).all()
    A = np.array([[1, 10], [4, 20]], dtype=np.int32)
    out = TabularSchema(A).restore(np.array([[0.7, 10.4], [4.4, 19.6]]))
    assert out.dtype == np.int32 and out.tolist() == [[1, 10], [4, 20]]


def test_restore_round_trips_sparse():
    S = sp.random(30, 5, density=0.3, format="csc", random_state=0, dtype=np.float32)
    schema = TabularSchema(S)
    assert schema.is_sparse and schema.decimals_ is None
    out = schema.restore(schema.numeric_values(S))
    assert sp.issparse(out) and out.format == "csr" and out.dtype == np.float32
    np.testing.assert_array_equal(out.toarray(), S.toarray())


def test_text_columns_and_describe():
    X = pd.DataFrame({
        "note": ["card charged twice", "refund never came", "charged twice again", "late"],
        "amount": [1.0, 2.0, 3.0, 4.0],
        "kind": ["a", "a", "a", "b"],
    })
    schema = TabularSchema(X, text_columns=["note"])
    assert schema.text == ["note"] and "note" in schema.categorical
    Z = schema.encode(X)
    assert Z.shape == (4, 1 + 256 + 2)  # hashed words, not a one-hot of every text
    desc = schema.describe(X)
    assert desc["numeric"]["amount"]["median"] == 2.5
    assert desc["categorical"] == {"kind": {"a": 0.75, "b": 0.25}}
    # only words that at least two texts share are listed
    assert set(desc["text"]["note"]["terms"]) == {"charged", "twice"}


def _decimals_one_column_at_a_time(num, max_decimals=6, sample=5000):
    """The rule of ``_decimals`` written for one column at a time (as the
    package computed it before it did all columns at once)."""
    rows = num[:: max(1, num.shape[0] // sample)]
    out = np.full(num.shape[1], -1)
    for j in range(num.shape[1]):
        v = rows[:, j]
        v = v[np.isfinite(v)]
        top = np.max(np.abs(v)) if v.size else 0.0
        shift = int(-np.floor(np.log10(top))) if 0 < top < 1 else 0
        if shift + max_decimals > 300:
            continue
        v = v * 10.0**shift
        for d in range(max_decimals + 1):
            scaled = v * 10.0**d
            if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1, np.abs(scaled))):
                out[j] = d + shift
                break
    return out


def test_schema_statistics_are_the_per_column_rule_and_numpys_nan_aware_ones():
    from sklearn_activesynth.utils.tabular import _decimals

    rng = np.random.RandomState(0)
    n = 12_000
    cols = [rng.normal(size=n), np.round(rng.uniform(0, 100, n), 2),
            rng.randint(0, 9, n).astype(float), np.round(rng.uniform(1, 9, n), 2) * 1e-7,
            rng.uniform(1e-7, 9e-7, n), np.full(n, np.nan), np.full(n, 1e-310),
            np.round(rng.normal(size=n), 4) * 1e5, np.zeros(n)]
    X = np.column_stack(cols)
    X[::7, 1] = np.nan
    X[3, 2] = np.inf
    with np.errstate(all="ignore"):
        assert _decimals(X).tolist() == _decimals_one_column_at_a_time(X).tolist()
        for A in (X[:, [0, 2, 4, 7]], X[:, 2:3], X[:1]):
            A = np.where(np.isfinite(A), A, 1.5)
            schema = TabularSchema(A)
            np.testing.assert_array_equal(schema.mean_, np.nanmean(A, axis=0))
            np.testing.assert_array_equal(schema.scale_, np.where(
                np.nanstd(A, axis=0) > 0, np.nanstd(A, axis=0), 1.0))
            assert schema.decimals_.tolist() == _decimals_one_column_at_a_time(A).tolist()


@pytest.mark.parametrize("order", ["C", "F", "strided"])
@pytest.mark.parametrize("with_nan", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
@pytest.mark.parametrize("n_features", [1, 2, 7, 30])
def test_schema_statistics_are_numpys_bit_for_bit(order, with_nan, dtype, n_features):
    # the schema's mean and scale skip numpy's copies of the rows (and float32 or
    # integer rows are converted a block of columns at a time); they must still be
    # exactly np.nanmean / np.nanstd of the rows as float64 (neighbours and
    # rounding use them), and min_ / max_ those of the float64 values
    if with_nan and dtype is np.int32:
        pytest.skip("integers hold no NaN")
    rng = np.random.RandomState(n_features)
    X = rng.standard_cauchy(size=(3001, n_features)) * \
        10.0 ** rng.uniform(-6, 6, size=n_features)
    if with_nan:
        X[rng.uniform(size=X.shape) < 0.05] = np.nan
    X = np.clip(X, -1e9, 1e9).astype(dtype) if dtype is np.int32 else X.astype(dtype)
    X = X[::2] if order == "strided" else np.asarray(X, order=order)
    schema = TabularSchema(X)
    X64 = np.asarray(X, dtype=float)
    scale = np.nanstd(X64, axis=0)
    np.testing.assert_array_equal(schema.mean_, np.nanmean(X64, axis=0))
    np.testing.assert_array_equal(schema.scale_, np.where(scale > 0, scale, 1.0))
    np.testing.assert_array_equal(schema.min_, np.nanmin(X64, axis=0))
    np.testing.assert_array_equal(schema.max_, np.nanmax(X64, axis=0))
    assert schema.min_.dtype == schema.max_.dtype == np.float64
