"""Property-based fuzzing of fit / predict / fit_resample (hypothesis).

Over shapes, dtypes (int, float, bool, strings, categoricals, pandas nullable
dtypes, mixed frames), NaN/inf, empty and one-row inputs, constant and
duplicated columns, extreme magnitudes, tiny and many classes, label types,
sample weights and invalid parameter values, one call of
``ActiveSynthesisClassifier.fit`` (then ``predict`` / ``predict_proba`` on the
same X) or ``ActiveSynthesisSampler.fit_resample`` must either

* succeed, with sensible outputs (labels from y's classes, probabilities that
  sum to 1, the resampled data in X's container with X's columns, no NaN/inf
  where X had none, labels of y's type), or
* raise a ``ValueError`` / ``TypeError`` (``InvalidParameterError`` included)
  whose message names the problem;

and the caller's X, y and sample_weight are never modified. Inputs that are
valid beyond doubt (see ``Case.must_succeed``) must succeed.

The default run checks a few hundred cases; ``-m slow`` runs more than 2,000.
``pytest -s`` prints the outcome counts of each run.
"""

import copy
import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier, ActiveSynthesisSampler
from sklearn_activesynth.generators import InterpolationGenerator

hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")
HealthCheck, given, settings = hypothesis.HealthCheck, hypothesis.given, hypothesis.settings

N_DEFAULT = 300   # cases in the default run
N_SLOW = 2200     # cases in the slow run

# --------------------------------------------------------------- parameters
VALID_PARAMS = {
    "max_iter": st.sampled_from([0, 1, 1, 2]),
    "uncertainty_cv": st.sampled_from([2, None]),
    "n_synthetic": st.sampled_from([0, 1, 3, 10, 0.1, 0.5, 1.0]),
    "targeting": st.sampled_from(["uncertain", "random", "errors", "diverse",
                                  "uncertain_sparse", "random_matched"]),
    "uncertainty": st.sampled_from(["entropy", "margin", "least_confidence"]),
    "integration": st.sampled_from(["concat", "weighted", "curriculum", "uncertainty",
                                    "dynamic"]),
    "selector": st.sampled_from([None, None, None, "ucb"]),
    "validation_fraction": st.sampled_from([0.2, 0.5, None]),
    "patience": st.sampled_from([1, 2]),
}

# (parameter, invalid value): each must raise InvalidParameterError naming it
INVALID_PARAMS = [
    ("max_iter", -1), ("max_iter", 1.5), ("max_iter", "3"),
    ("n_synthetic", -0.5), ("n_synthetic", -1), ("n_synthetic", "many"),
    ("targeting", "bogus"), ("uncertainty", "bogus"), ("integration", "bogus"),
    ("validation_fraction", 1.5), ("validation_fraction", 0.0), ("validation_fraction", 1),
    ("uncertainty_cv", 1), ("uncertainty_cv", 0), ("patience", 0), ("tol", -1.0),
    ("generator_timeout", 0), ("generator_timeout", -3.0), ("keep_generator", "yes"),
    ("filters", "none"), ("estimator", "lr"), ("scoring", 3), ("n_jobs", 1.5),
    ("random_state", "seed"), ("verbose", -1), ("selector", "thompson"),
    ("curriculum", "easy_first"),
]

# ------------------------------------------------------------ column kinds
NUMERIC_KINDS = ["float", "int", "bool"]
FRAME_KINDS = NUMERIC_KINDS * 2 + ["str", "category", "Int64", "boolean", "string",
                                   "float32", "int_big", "uint8", "datetime"]
NON_NUMERIC = {"str", "category", "boolean", "string", "bool"}
SCALES = [1.0, 1.0, 1.0, 1e-300, 1e-10, 1e10, 1e150, 1e300]


def _column(kind, n, rng, scale):
    if kind == "float":
        return rng.normal(size=n) * scale
    if kind == "int":
        return rng.randint(-5, 6, size=n).astype(np.int64)
    if kind == "float32":
        return (rng.normal(size=n) * min(scale, 1e30)).astype(np.float32)
    if kind == "int_big":
        return rng.randint(-2**62, 2**62, size=n, dtype=np.int64)
    if kind == "uint8":
        return rng.randint(0, 256, size=n).astype(np.uint8)
    if kind == "datetime":
        return pd.to_datetime(rng.randint(0, 10**9, size=n), unit="s")
    if kind == "bool":
        return rng.rand(n) < 0.5
    if kind == "str":
        return rng.choice(np.array(["a", "b", "c"], dtype=object), size=n)
    if kind == "category":
        return pd.Categorical(rng.choice(["x", "y", "z"], size=n),
                              categories=["x", "y", "z"])
    if kind == "Int64":
        return pd.array(rng.randint(-5, 6, size=n), dtype="Int64")
    if kind == "boolean":
        return pd.array(rng.rand(n) < 0.5, dtype="boolean")
    if kind == "string":
        return pd.array(rng.choice(["p", "q"], size=n).astype(object), dtype="string")
    raise AssertionError(kind)


def _with_missing(col, kind, rng, what):
    """``col`` with one cell set to NaN (or inf, for float columns)."""
    n = len(col)
    i = rng.randint(n)
    if kind in ("float", "float32"):
        col = np.array(col, dtype=col.dtype)
        col[i] = np.nan if what == "nan" else (np.inf if rng.rand() < 0.5 else -np.inf)
        return col
    if what == "inf":
        return col  # only float columns get inf
    if kind in ("int", "int_big", "uint8"):
        col = col.astype(float)
        col[i] = np.nan
        return col
    if kind == "datetime":
        col = pd.Series(col)
        col.iloc[i] = pd.NaT
        return col.array
    if kind in ("bool", "str"):
        col = np.array(col, dtype=object)
        col[i] = np.nan if kind == "bool" else None
        return col
    col = col.copy()
    col[i] = pd.NA if kind in ("Int64", "boolean", "string") else np.nan
    return col


@dataclass
class XSpec:
    container: str        # "ndarray" or "frame"
    n_rows: int
    kinds: list           # per column
    cells: list           # per column: None, "nan", "inf", "constant", "duplicate"
    scale: float
    array_dtype: str      # ndarray only: "float", "float32", "int", "bool", "object_str",
    #                       "object_num"
    names: str            # frame only: "str", "int", "duplicate"
    index: str            # frame only: "range", "shuffled", "labels", "duplicate"
    seed: int


def build_X(spec):
    rng = np.random.RandomState(spec.seed)
    n = spec.n_rows
    cols = []
    for kind, cell in zip(spec.kinds, spec.cells):
        col = _column(kind, n, rng, spec.scale)
        if n and cell == "constant":
            col = col[[0] * n] if not isinstance(col, np.ndarray) else np.repeat(col[:1], n)
        elif n and cell == "duplicate" and cols:
            col = copy.deepcopy(cols[-1])
        elif n and cell in ("nan", "inf"):
            col = _with_missing(col, kind, rng, cell)
        cols.append(col)
    if spec.container == "ndarray":
        if spec.array_dtype == "object_str":
            arr = np.array([[f"s{int(v) % 3}" for v in
                             np.nan_to_num(np.asarray(c, dtype=float))] for c in cols],
                           dtype=object).T
        else:
            dtype = {"float": float, "float32": np.float32, "int": np.int64, "bool": bool,
                     "object_num": object}[spec.array_dtype]
            if spec.array_dtype in ("int", "bool"):  # NaN / inf cannot be ints or bools
                cols = [np.nan_to_num(np.asarray(c, dtype=float), posinf=7, neginf=-7)
                        for c in cols]
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # 1e300 as an int: extreme, on purpose
                arr = np.array([np.asarray(c, dtype=float) for c in cols]).T.astype(dtype)
        return arr.reshape(n, len(cols))
    names = [f"c{j}" for j in range(len(cols))]
    if spec.names == "int":
        names = list(range(len(cols)))
    elif spec.names == "duplicate" and len(cols) > 1:
        names[-1] = names[0]
    index = pd.RangeIndex(n)
    if spec.index == "shuffled":
        index = pd.Index(rng.permutation(n) + 100)
    elif spec.index == "labels":
        index = pd.Index([f"r{i}" for i in range(n)])
    elif spec.index == "duplicate":
        index = pd.Index(np.arange(n) // 2)
    X = pd.DataFrame({j: c for j, c in enumerate(cols)}, index=index)
    X.columns = names
    return X


@st.composite
def x_specs(draw, shape_fault=False):
    container = draw(st.sampled_from(["ndarray", "frame", "frame"]))
    fault = draw(st.sampled_from(["empty", "one", "no_columns"])) if shape_fault else None
    size = fault if fault in ("empty", "one") else \
        draw(st.sampled_from(["tiny", "small", "medium", "medium", "medium"]))
    n_rows = {"empty": st.just(0), "one": st.just(1), "tiny": st.integers(2, 6),
              "small": st.integers(7, 40), "medium": st.integers(41, 100)}[size]
    n_rows = draw(n_rows)
    n_cols = 0 if fault == "no_columns" else draw(st.sampled_from([1, 2, 3, 3, 4, 6]))
    kinds_pool = NUMERIC_KINDS if container == "ndarray" else FRAME_KINDS
    kinds = draw(st.lists(st.sampled_from(kinds_pool), min_size=n_cols, max_size=n_cols))
    if container == "ndarray":
        kinds = ["float"] * n_cols
    cells = draw(st.lists(
        st.sampled_from([None] * 12 + ["nan", "nan", "inf", "constant", "constant",
                                       "duplicate"]),
        min_size=n_cols, max_size=n_cols))
    return XSpec(
        container=container, n_rows=n_rows, kinds=kinds, cells=cells,
        scale=draw(st.sampled_from(SCALES)),
        array_dtype=draw(st.sampled_from(["float", "float", "float32", "int", "bool",
                                          "object_str", "object_num"])),
        names=draw(st.sampled_from(["str"] * 12 + ["int"] * 3 + ["duplicate"])),
        index=draw(st.sampled_from(["range", "range", "shuffled", "labels", "duplicate"])),
        seed=draw(st.integers(0, 2**16)),
    )


# ------------------------------------------------------------------ labels
LABEL_KINDS_VALID = ["int", "int_offset", "str", "bool", "float_int", "uint8"]
LABEL_KINDS_INVALID = ["continuous", "nan", "mixed"]


@dataclass
class YSpec:
    n_classes: int
    kind: str
    container: str        # "ndarray", "list", "series", "categorical", "column", "two_columns"
    tiny_class: int       # 0: balanced; 1 or 2: the last class has this many rows
    length_delta: int     # != 0: y has the wrong length
    seed: int


def build_y(spec, n):
    rng = np.random.RandomState(spec.seed)
    k = spec.n_classes
    n_y = max(n + spec.length_delta, 0)
    codes = np.arange(n_y) % k
    if spec.tiny_class and k > 1 and n_y > spec.tiny_class:
        codes = np.arange(n_y) % (k - 1)
        codes[:spec.tiny_class] = k - 1
    codes = rng.permutation(codes)
    kind = spec.kind
    if kind == "int":
        y = codes.astype(np.int64)
    elif kind == "int_offset":
        y = np.where(codes == 0, -1, 1) if k == 2 else codes * 10 - 5
    elif kind == "uint8":
        y = codes.astype(np.uint8)
    elif kind == "str":
        y = np.array([f"class_{c}" for c in codes])
    elif kind == "bool":
        y = codes % 2 == 1
    elif kind == "float_int":
        y = codes.astype(float) + 1.0
    elif kind == "continuous":
        y = rng.normal(size=n_y)
    elif kind == "nan":
        y = codes.astype(float)
        if n_y:
            y[rng.randint(n_y)] = np.nan
    elif kind == "mixed":
        y = np.array([f"c{c}" if c % 2 else int(c) for c in codes], dtype=object)
    else:
        raise AssertionError(kind)
    if spec.container == "list":
        return y.tolist()
    if spec.container == "series":
        return pd.Series(y, name="target")
    if spec.container == "categorical":
        return pd.Series(pd.Categorical(y), name="target")
    if spec.container == "column":
        return y.reshape(-1, 1)
    if spec.container == "two_columns":
        return np.column_stack([y, y])
    return y


@st.composite
def y_specs(draw, fault=False):
    """Valid labels, or (``fault``) labels with one thing wrong."""
    what = draw(st.sampled_from(["one_class", "kind", "two_columns", "length"])) \
        if fault else None
    containers = ["ndarray"] * 4 + ["list", "series", "categorical", "column"]
    kind = draw(st.sampled_from(LABEL_KINDS_INVALID if what == "kind" else LABEL_KINDS_VALID))
    return YSpec(
        n_classes=1 if what == "one_class" else draw(st.sampled_from([2] * 6 + [3, 3, 5, 20])),
        kind=kind,
        container="two_columns" if what == "two_columns" else
        draw(st.sampled_from(containers)),
        tiny_class=draw(st.sampled_from([0] * 4 + [1, 2])),
        length_delta=draw(st.sampled_from([-1, 1])) if what == "length" else 0,
        seed=draw(st.integers(0, 2**16)),
    )


# ----------------------------------------------------------------- weights
WEIGHT_KINDS_VALID = ["none", "ones", "positive", "ints", "some_zero", "list", "series"]
WEIGHT_KINDS_INVALID = ["all_zero", "wrong_length", "nan", "inf", "negative", "two_d"]


def build_weights(kind, n, seed):
    rng = np.random.RandomState(seed)
    if kind == "none":
        return None
    w = rng.uniform(0.1, 3.0, size=n)
    if kind == "ones":
        return np.ones(n)
    if kind == "ints":
        return rng.randint(1, 4, size=n)
    if kind == "some_zero":
        w[: n // 3] = 0.0
    elif kind == "list":
        return w.tolist()
    elif kind == "series":
        return pd.Series(w)
    elif kind == "all_zero":
        return np.zeros(n)
    elif kind == "wrong_length":
        return np.ones(n + 2)
    elif kind == "two_d":
        return w.reshape(-1, 1)
    elif n and kind in ("nan", "inf", "negative"):
        w[rng.randint(n)] = {"nan": np.nan, "inf": np.inf, "negative": -1.0}[kind]
    return w


# --------------------------------------------------------------- estimators
def build_estimator(name):
    if name == "lr":
        return LogisticRegression(max_iter=50)
    if name == "hgb":
        return HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype",
                                              random_state=0)
    numeric = make_pipeline(SimpleImputer(), StandardScaler())
    other = OneHotEncoder(handle_unknown="ignore")
    return make_pipeline(
        ColumnTransformer([
            ("num", numeric, make_column_selector(dtype_include=np.number)),
            ("cat", other, make_column_selector(dtype_exclude=np.number)),
        ]),
        LogisticRegression(max_iter=50))


# -------------------------------------------------------------------- a case
@dataclass
class Case:
    method: str           # "classifier" or "sampler"
    x: XSpec
    y: YSpec
    weights: str
    estimator: str
    params: dict
    generator_k: int = None   # None: the default InterpolationGenerator (k_neighbors=5)
    invalid_param: tuple = None
    sampling_strategy: object = "auto"

    def build(self):
        X = build_X(self.x)
        y = build_y(self.y, self.x.n_rows)
        w = build_weights(self.weights, self.x.n_rows, self.y.seed + 1)
        params = dict(self.params, random_state=0, estimator=build_estimator(self.estimator))
        if self.generator_k is not None:
            params["generator"] = InterpolationGenerator(k_neighbors=self.generator_k)
        if self.invalid_param is not None:
            params[self.invalid_param[0]] = self.invalid_param[1]
        if self.method == "classifier":
            return ActiveSynthesisClassifier(**params), X, y, w
        # the sampler: sampling_strategy says how many rows (no n_synthetic), it
        # needs a round, and it returns rows, not integration weights
        params.pop("n_synthetic")
        params.update(sampling_strategy=self.sampling_strategy,
                      max_iter=max(1, params["max_iter"]), integration="concat")
        if self.invalid_param is not None:
            name, value = self.invalid_param
            if name == "n_synthetic":
                name, value = "sampling_strategy", value if value != -1 else "bogus"
            elif name in ("max_iter", "integration"):
                pass
            params[name] = value
        return ActiveSynthesisSampler(**params), X, y, w

    def y_is_valid(self, y):
        s = self.y
        labels = np.asarray(y).ravel()
        # the classifier reads NaN labels as unlabelled rows (missing_label=np.nan)
        unlabelled_ok = s.kind == "nan" and self.method == "classifier"
        if unlabelled_ok:
            labels = labels[~pd.isna(labels)]
        return ((s.kind in LABEL_KINDS_VALID or unlabelled_ok)
                and s.container != "two_columns"
                and s.length_delta == 0 and len(np.unique(labels)) >= 2)

    def must_succeed(self, y):
        """Inputs valid beyond doubt: nothing may fail on them."""
        x = self.x
        if self.invalid_param is not None or not self.y_is_valid(y) or self.y.kind == "nan":
            return False
        if self.weights not in WEIGHT_KINDS_VALID:
            return False
        if self.params.get("selector") == "ucb" and \
                self.params.get("validation_fraction") is None:
            return False  # by design: a selector's arms are rewarded on validation rows
        if x.n_rows < 2 or not x.kinds or x.scale > 1e100:
            return False
        # by design the interpolation generator refuses a class with at most
        # k_neighbors training rows (a ValueError that says so)
        k = 5 if self.generator_k is None else self.generator_k
        counts = np.unique(np.asarray(y).ravel(), return_counts=True)[1]
        if self.params["max_iter"] > 0 and counts.min() < 2 * (k + 1) + 2:
            return False
        cells = set(x.cells)
        if "inf" in cells:
            return False
        takes_nan = self.estimator in ("hgb", "pipeline")
        if x.container == "ndarray":
            if x.array_dtype == "object_str":
                return False
            return "nan" not in cells or (takes_nan and x.array_dtype in ("float",
                                                                           "object_num"))
        if x.names == "duplicate" and len(x.kinds) > 1:
            return False
        kinds = set(x.kinds)
        if "datetime" in kinds:
            return False  # scikit-learn estimators take no datetimes
        if self.estimator == "lr" and kinds & (NON_NUMERIC | {"Int64"}):
            return False
        if self.estimator == "hgb" and kinds & {"str", "string"}:
            return False
        if "nan" in cells and not takes_nan:
            return False
        # pd.NA in nullable columns: scikit-learn's encoders refuse it
        return not any(c == "nan" and k in ("Int64", "boolean", "string")
                       for k, c in zip(x.kinds, x.cells))


@st.composite
def cases(draw):
    # most cases are valid (edge cases of X included); the others have one
    # thing wrong: a parameter, y, the weights or the shape of X
    fault = draw(st.sampled_from(["none"] * 10 + ["param", "y", "weights", "shape"]))
    x = draw(x_specs(shape_fault=fault == "shape"))
    numeric = x.container == "ndarray" or \
        set(x.kinds) <= {"float", "int", "float32", "int_big", "uint8"}
    has_nan = "nan" in x.cells
    estimator = draw(st.sampled_from(
        (["lr", "hgb", "hgb"] if has_nan else ["lr", "lr", "hgb"]) if numeric
        else ["pipeline"] * 4 + ["hgb", "lr"]))
    params = {name: draw(s) for name, s in VALID_PARAMS.items()}
    invalid = draw(st.sampled_from(INVALID_PARAMS)) if fault == "param" else None
    method = draw(st.sampled_from(["classifier", "sampler"]))
    return Case(
        method=method,
        x=x, y=draw(y_specs(fault=fault == "y")),
        weights=draw(st.sampled_from(WEIGHT_KINDS_INVALID if fault == "weights"
                                     else WEIGHT_KINDS_VALID + ["none"] * 7)),
        estimator=estimator, params=params, invalid_param=invalid,
        generator_k=draw(st.sampled_from([None, 1, 1])),
        sampling_strategy=draw(st.sampled_from(["auto", "minority", "not minority",
                                                "all"])),
    )


# --------------------------------------------------------------- the check
# words of which a useful error message names at least one
MESSAGE_WORDS = [
    "sample_weight", "nan", "infinit", "inf", "class", "feature", "sample", "column",
    "label", "target", "y", "x", "convert", "string", "float", "categor",
    "row", "shape", "length", "empty", "numeric", "parameter",
]


def _message_names_problem(exc, case):
    msg = str(exc).lower()
    if not msg.strip():
        return False
    if case.invalid_param is not None and case.invalid_param[0] in msg:
        return True
    if any(name in msg for name in case.params if "_" in name):  # names a setting
        return True
    words = re.findall(r"[a-z_]+", msg)
    return any(w in words or (len(w) > 3 and w in msg) for w in MESSAGE_WORDS)


def _snapshot(obj):
    return copy.deepcopy(obj)


def _assert_unchanged(before, after, what):
    if before is None:
        assert after is None, what
    elif isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before, check_exact=True, obj=what)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before, check_exact=True, obj=what)
    elif isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), what
        pd.testing.assert_series_equal(pd.Series(after, dtype=object),
                                       pd.Series(before, dtype=object), obj=what)
    else:
        assert after.dtype == before.dtype and after.shape == before.shape, what
        if before.dtype == object:
            pd.testing.assert_series_equal(pd.Series(after.ravel()),
                                           pd.Series(before.ravel()), obj=what)
        else:
            np.testing.assert_array_equal(after, before, err_msg=what)


def _finite_columns(X):
    """Per column: True when every cell is a number that is finite, or not numeric."""
    if isinstance(X, pd.DataFrame):
        out = []
        for j in range(X.shape[1]):
            col = X.iloc[:, j]
            vals = pd.to_numeric(col.astype(object), errors="coerce").to_numpy(float)
            out.append(not col.isna().any() and
                       not np.isinf(vals[~np.isnan(vals)]).any())
        return np.array(out, dtype=bool)
    arr = np.asarray(X)
    if arr.dtype == object:
        arr = pd.DataFrame(arr).apply(pd.to_numeric, errors="coerce").to_numpy(float)
    return np.isfinite(arr.astype(float)).all(axis=0) if arr.size else \
        np.ones(arr.shape[1], bool)


def _check_outputs(case, est, X, y, X_out=None, y_out=None):
    labels = np.asarray(y).ravel()
    if case.method == "classifier":  # NaN / None (missing_label) marks unlabelled rows
        labels = labels[~pd.isna(labels)]
    classes = np.unique(labels)
    assert set(est.classes_.tolist()) == set(classes.tolist())
    # labels keep their type (True is not 1.0)
    assert est.classes_.dtype.kind == classes.dtype.kind, (est.classes_.dtype, classes.dtype)
    n = X.shape[0]
    if case.method == "classifier":
        pred = est.predict(X)
        assert pred.shape == (n,)
        assert set(np.unique(pred).tolist()) <= set(classes.tolist()), pred
        proba = est.predict_proba(X)
        assert proba.shape == (n, len(classes))
        assert np.all(np.isfinite(proba)), proba
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
        one_row = X.iloc[-1:] if isinstance(X, pd.DataFrame) else X[-1:]
        np.testing.assert_array_equal(est.predict(one_row), pred[-1:])
        return
    # the documented estimator_: the last accepted model of the loop
    assert est.estimator_ is not None and hasattr(est.estimator_, "predict"), est.estimator_
    assert type(X_out) is type(X), (type(X_out), type(X))
    assert X_out.shape[1] == X.shape[1]
    assert X_out.shape[0] == n + len(est.synthetic_y_) == len(y_out)
    if isinstance(X, pd.DataFrame):
        assert list(X_out.columns) == list(X.columns)
        assert list(X_out.dtypes) == list(X.dtypes), (X_out.dtypes, X.dtypes)
        pd.testing.assert_frame_equal(X_out.iloc[:n].reset_index(drop=True),
                                      X.reset_index(drop=True), check_exact=True)
    else:
        X_arr = np.asarray(X)
        if X_arr.dtype == object:  # numbers as objects: validated to floats
            X_arr = X_arr.astype(float)
        assert X_out.dtype == X_arr.dtype, (X_out.dtype, X_arr.dtype)
        np.testing.assert_array_equal(X_out[:n], X_arr)
    finite_in = _finite_columns(X)
    finite_out = _finite_columns(X_out)
    assert np.all(finite_out | ~finite_in), (finite_in, finite_out)
    if isinstance(y, (list, pd.Series, pd.DataFrame)):  # y's container is kept
        assert type(y_out) is type(y), (type(y_out), type(y))
    y_arr = np.asarray(y).ravel()
    y_out = np.asarray(y_out).ravel()
    assert y_out.shape == (len(X_out),)
    assert y_out.dtype.kind == y_arr.dtype.kind, (y_out.dtype, y_arr.dtype)
    assert set(np.unique(y_out).tolist()) <= set(classes.tolist())
    np.testing.assert_array_equal(y_out[:n], y_arr)


def run_case(case):
    """One case: 'success', 'ValueError' or 'TypeError' (the outcome), or a failure."""
    est, X, y, w = case.build()
    before = [_snapshot(v) for v in (X, y, w)]
    fit_params = {} if w is None else {"sample_weight": w}
    outcome = "success"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if case.method == "classifier":
                est.fit(X, y, **fit_params)
                _check_outputs(case, est, X, y)
            else:
                X_out, y_out = est.fit_resample(X, y, **fit_params)
                _check_outputs(case, est, X, y, X_out, y_out)
        except (ValueError, TypeError) as exc:
            outcome = "TypeError" if isinstance(exc, TypeError) and \
                not isinstance(exc, ValueError) else "ValueError"
            assert _message_names_problem(exc, case), \
                f"cryptic {type(exc).__name__}: {exc!r}"
            assert not case.must_succeed(y), \
                f"valid input raised {type(exc).__name__}: {exc}"
            if case.invalid_param is not None:
                assert type(exc).__name__ == "InvalidParameterError", repr(exc)
    for b, a, what in zip(before, (X, y, w), ("X", "y", "sample_weight")):
        _assert_unchanged(b, a, f"{what} was modified")
    if outcome == "success":
        assert case.invalid_param is None, f"{case.invalid_param} was accepted"
        assert case.weights not in WEIGHT_KINDS_INVALID or case.x.n_rows == 0, \
            f"sample_weight {case.weights} was accepted"
        assert case.y_is_valid(y), f"y {case.y} was accepted"
    return outcome


def _fuzz(n_examples, label):
    counts = Counter()

    @settings(max_examples=n_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
              print_blob=True)
    @given(case=cases())
    def prop(case):
        counts[run_case(case)] += 1

    prop()
    total = sum(counts.values())
    print(f"\n[fuzz {label}] {total} cases: " +
          ", ".join(f"{k}={counts[k]}" for k in ("success", "ValueError", "TypeError")))
    return counts


def test_fuzz_fit_predict_resample():
    counts = _fuzz(N_DEFAULT, "default")
    assert sum(counts.values()) >= N_DEFAULT * 0.9
    assert counts["success"] > 0


@pytest.mark.slow
def test_fuzz_fit_predict_resample_many():
    counts = _fuzz(N_SLOW, "slow")
    assert sum(counts.values()) >= 2000
    assert counts["success"] > 0
