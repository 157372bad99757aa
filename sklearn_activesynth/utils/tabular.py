"""Column kinds, a numeric view of raw tabular data, and row selection.

Generators and targeting work on the user's raw columns (a DataFrame with
categories and integers, an array, a sparse matrix). :class:`TabularSchema`
records what each column is so that output keeps the input's schema, and
:meth:`TabularSchema.encode` gives the standardised numeric matrix that
distances, clustering and region descriptions use. :func:`take_rows`,
:func:`concat_rows` and :func:`take_concat` select and stack rows of any of
these containers without changing its type or dtypes.

These are the helpers a generator author needs to keep the training schema:
learn the schema in ``fit``, build the numeric part of new rows, and give them
back with :meth:`TabularSchema.restore`.
"""

import itertools
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["TabularSchema", "take_rows", "take_concat", "concat_rows"]


def take_rows(X, indices):
    """Rows ``indices`` of ``X``, in ``X``'s own container.

    Positional selection for every container the package accepts: a
    DataFrame or Series (``iloc``, so the index is kept and need not be
    0..n-1), an ndarray or a sparse matrix.

    Parameters
    ----------
    X : DataFrame, Series, ndarray or sparse matrix
    indices : array-like of int or bool mask
        Row positions (not index labels).

    Returns
    -------
    rows : same type as ``X``
        Columns and dtypes of ``X``; the DataFrame index is not reset.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_activesynth.utils import take_rows
    >>> X = pd.DataFrame({"amount": [1.5, 2.0, 3.25], "kind": ["a", "b", "a"]},
    ...                  index=[10, 11, 12])
    >>> take_rows(X, [2, 0])
        amount kind
    12    3.25    a
    10    1.50    a
    """
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[indices]
    return X[indices]


def take_concat(X, indices, blocks):
    """Rows ``indices`` of ``X`` followed by the rows of ``blocks``.

    The same as ``concat_rows([take_rows(X, indices)] + blocks)``, with a
    single copy when everything is a dense ndarray (the fold matrices of
    out-of-fold scoring are the largest temporary objects of a fit).

    Parameters
    ----------
    X : DataFrame, ndarray or sparse matrix
    indices : array-like of int
        Row positions of ``X``.
    blocks : list of containers of the same type and columns as ``X``
        ``None`` and empty blocks are skipped.

    Returns
    -------
    rows : same type as ``X``
        For ndarrays the dtype is ``np.result_type`` of all the parts; a
        DataFrame gets a fresh 0..n-1 index and keeps ``X``'s categorical
        dtypes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.utils import take_concat
    >>> X = np.arange(6).reshape(3, 2)
    >>> take_concat(X, [2, 0], [np.array([[9, 9]])])
    array([[4, 5],
           [0, 1],
           [9, 9]])
    """
    blocks = [b for b in blocks if b is not None and b.shape[0]]
    if isinstance(X, np.ndarray) and all(isinstance(b, np.ndarray) for b in blocks):
        dtype = np.result_type(X, *blocks)
        n = len(indices) + sum(b.shape[0] for b in blocks)
        out = np.empty((n, X.shape[1]), dtype=dtype)
        if dtype == X.dtype:
            # np.take's default mode="raise" buffers ``out`` (a hidden copy of
            # the rows); check the bounds here and take straight into ``out``
            indices = np.asarray(indices, dtype=np.intp)
            if len(indices) and (indices.min() < -X.shape[0] or
                                 indices.max() >= X.shape[0]):
                raise IndexError(f"row index out of bounds for {X.shape[0]} rows")
            np.take(X, indices, axis=0, out=out[: len(indices)], mode="wrap")
        else:
            out[: len(indices)] = X[indices]
        start = len(indices)
        for b in blocks:
            out[start: start + b.shape[0]] = b
            start += b.shape[0]
        return out
    return concat_rows([take_rows(X, indices)] + blocks)


def concat_rows(blocks):
    """Stack row blocks of one container type (DataFrame, ndarray or sparse).

    Parameters
    ----------
    blocks : list of DataFrame, ndarray or sparse matrix
        Blocks with the same columns, all of the first block's type; ``None``
        entries are skipped. At least one block must remain.

    Returns
    -------
    rows : same type as the first block
        A single block is returned as it is (not copied). DataFrames are
        stacked with a fresh 0..n-1 index, and a categorical column keeps the
        first block's categories even where blocks declare different ones
        (``pd.concat`` alone would widen it to ``object``). Sparse blocks
        keep the first block's format.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_activesynth.utils import concat_rows
    >>> kind = pd.CategoricalDtype(["online", "store", "atm"])
    >>> a = pd.DataFrame({"kind": pd.Series(["online"], dtype=kind)})
    >>> b = pd.DataFrame({"kind": pd.Series(["atm"],
    ...                   dtype=pd.CategoricalDtype(["atm"]))})
    >>> out = concat_rows([a, b])
    >>> out["kind"].tolist(), out["kind"].dtype == kind
    (['online', 'atm'], True)
    """
    blocks = [b for b in blocks if b is not None]
    first = blocks[0]
    if len(blocks) == 1:
        return first
    if isinstance(first, pd.DataFrame):
        out = pd.concat(blocks, axis=0, ignore_index=True)
        # pd.concat widens categoricals whose categories differ; restore them
        for col in first.columns:
            if isinstance(first[col].dtype, pd.CategoricalDtype) and \
                    out[col].dtype != first[col].dtype:
                out[col] = out[col].astype(first[col].dtype)
        return out
    if sp.issparse(first):
        return sp.vstack(blocks, format=first.format)
    return np.concatenate([np.asarray(b) for b in blocks], axis=0)


def _is_categorical(series):
    dtype = series.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def _mean_std(num):
    """``np.nanmean`` and ``np.nanstd`` over the rows of ``np.asarray(num,
    dtype=float)`` (no NaN in it), bit for bit, with one temporary array
    instead of three.

    numpy's nan-functions copy the whole array and build two masks of it even
    when it holds no NaN (a peak of 1.25x the training rows when a generator
    or the loop reads their schema); these are the same reductions on the same
    values in the same layout. Rows of another dtype (float32, integers) are
    converted to float64 a block of at least two columns at a time (numpy sums
    the rows of a block of two or more columns in the same order as those of
    the whole matrix), so no float64 copy of them all is made either.
    """
    n, p = num.shape
    if num.dtype == np.float64 or p < 4:
        blocks = [slice(0, p)]
    else:
        edges = np.linspace(0, p, min(8, p // 2) + 1).astype(int)
        blocks = [slice(a, b) for a, b in itertools.pairwise(edges)]
    # the layout np.asarray(num, dtype=float) would have (its sums follow it)
    order = "F" if abs(num.strides[0]) < abs(num.strides[1]) else "C"
    mean, std = np.empty(p), np.empty(p)
    for cols in blocks:
        part = num if num.dtype == np.float64 else \
            np.array(num[:, cols], dtype=float, order=order)
        mean[cols] = np.sum(part, axis=0) / n
        dev = part - np.sum(part, axis=0, keepdims=True) / n
        del part
        np.multiply(dev, dev, out=dev)
        std[cols] = np.sqrt(np.sum(dev, axis=0) / n)
    return mean, std


def _decimals(num, max_decimals=6, sample=5000):
    """Per column, the fewest decimals that represent every (sampled) value.

    Decimals are counted in units of the column's magnitude: a column whose
    largest absolute value is below 1 is first scaled by the power of ten
    that brings it to [1, 10), so a column of values around ``1e-7`` gets
    about as many significant digits as a column of values around 1 (it is
    not rounded to 0). A value counts as represented with ``d`` decimals when
    it lies within ``1e-6`` of a unit of the ``d``-th decimal, relative to
    its size in those units.

    Returns
    -------
    decimals : ndarray of int
        Decimal places (absolute, as ``np.round`` takes them: 2 for amounts
        in cents, 9 for ``1.23e-7``), or -1 for a continuous column.
    """
    if num.size == 0:
        return np.zeros(0, dtype=int)
    # the sampled rows only as float (not a float64 copy of every row)
    rows = np.asarray(num[:: max(1, num.shape[0] // sample)], dtype=float)
    out = np.full(num.shape[1], -1)
    powers = np.array([10.0**d for d in range(max_decimals + 1)])
    for j in range(num.shape[1]):
        v = rows[:, j]
        v = v[np.isfinite(v)]
        top = np.max(np.abs(v)) if v.size else 0.0
        # columns of magnitude >= 1 keep absolute decimals (0 for integers);
        # smaller ones are measured in units of their own magnitude
        shift = int(-np.floor(np.log10(top))) if 0 < top < 1 else 0
        if shift + max_decimals > 300:  # subnormal magnitudes: leave them alone
            continue
        v = v * 10.0**shift
        # one value that needs more decimals settles it: the first few values
        # are tested for every d at once, all of them only where those fit (a
        # continuous column fails at every d; testing all its values for each
        # made this loop cost ~4 ms per fit whatever the data's size)
        head_fits = _represented(v[:64, None] * powers)
        for d in np.flatnonzero(head_fits).tolist():
            if _represented(v * powers[d]):
                out[j] = d + shift
                break
    return out


def _represented(scaled):
    """Whether every value (every value of a column) lies within 1e-6
    (relative) of an integer."""
    return np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1, np.abs(scaled)),
                  axis=0)


_TEXT_HASH_FEATURES = 2**8


def _hashed_words(values, dtype):
    """Free text as an l2-normalised hashed bag of words, scaled like the
    one-hot columns (two texts with no word in common are at distance 1)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    docs = ["" if not isinstance(v, str) else v for v in values]
    vec = HashingVectorizer(n_features=_TEXT_HASH_FEATURES, alternate_sign=False, norm="l2")
    return (vec.transform(docs).toarray() * np.sqrt(0.5)).astype(dtype, copy=False)


def _describe_text_column(values, max_terms=10):
    """Length quantiles and frequent words of free text. Only words used by at
    least two distinct texts are listed, so no word that identifies a single
    row is."""
    docs = [v for v in values if isinstance(v, str)]
    out = {"n_rows": len(docs)}
    if not docs:
        return out
    n_words = np.array([len(d.split()) for d in docs], dtype=float)
    q = np.quantile(n_words, [0.0, 0.25, 0.5, 0.75, 1.0])
    out["n_words"] = dict(zip(("min", "q25", "median", "q75", "max"), map(float, q)))
    distinct = list(dict.fromkeys(docs))  # a repeated row must not pass for two rows
    if len(distinct) >= 2:
        from sklearn.feature_extraction.text import CountVectorizer

        try:
            vec = CountVectorizer(stop_words="english", binary=True, min_df=2)
            counts = np.asarray(vec.fit_transform(distinct).sum(axis=0)).ravel()
        except ValueError:  # no word shared by two texts
            counts = np.zeros(0)
        if counts.size:
            terms = vec.get_feature_names_out()
            top = np.lexsort((terms, -counts))[:max_terms]
            out["terms"] = {str(terms[i]): round(float(counts[i]) / len(distinct), 3)
                            for i in top}
    return out


class TabularSchema:
    """What each column of the training data is, and a numeric encoding.

    A DataFrame's object, string, boolean and categorical columns are
    *categorical* (values are carried over, never interpolated); the other
    columns are *numeric*, integer columns among them listed in
    :attr:`integer` (kept integral by :meth:`restore`). Arrays and sparse
    matrices are all numeric. Means, scales and ranges of the numeric
    columns, and how many decimals their values use (relative to each
    column's magnitude), are learned from ``X``.

    Parameters
    ----------
    X : DataFrame, ndarray or sparse matrix
        Training data; only its schema and scale are kept (plus per-column
        category values for categoricals).
    text_columns : list of column names, default=None
        Object/string columns of ``X`` that hold free text rather than
        categories (listed in :attr:`text`). They stay in :attr:`categorical`
        (values are carried over as they are), but :meth:`encode` gives them a
        hashed bag-of-words instead of a one-hot over every distinct text, and
        :meth:`describe` summarises their length and shared words instead of
        listing the most frequent values (which would be real texts).

    Attributes
    ----------
    is_frame, is_sparse : bool
        Whether ``X`` was a DataFrame, a sparse matrix.
    n_features : int
    columns : list
        Column names (positions 0..n-1 for arrays).
    numeric, integer, categorical, text : list
        Columns of each kind (``integer`` and ``text`` are subsets of
        ``numeric`` and ``categorical``).
    categories : dict
        Categorical column -> its values (declared categories for a
        category dtype, the values seen otherwise).
    dtypes : Series
        A DataFrame's dtypes (``dtype`` for arrays).
    mean_, scale_ : ndarray of shape (n_numeric,)
        What :meth:`encode` standardises numeric columns with (a sparse
        matrix is only scaled, so it stays sparse).
    decimals_ : ndarray of int or None
        Decimals each numeric column uses (-1: continuous), counted in units
        of the column's magnitude (values around ``1e-7`` with three
        significant digits use 9); ``None`` for sparse input.
    min_, max_ : ndarray of shape (n_numeric,) or None
        The real range of each numeric column (NaN for an all-missing
        column), which :meth:`restore` never rounds a value out of; ``None``
        for sparse or empty input. These are two real values per column:
        a schema kept with a fitted model carries them.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_activesynth.utils import TabularSchema
    >>> X = pd.DataFrame({"amount": [12.5, 40.0, 7.25], "count": [1, 3, 2],
    ...                   "kind": pd.Categorical(["online", "store", "online"])})
    >>> schema = TabularSchema(X)
    >>> schema.numeric, schema.integer, schema.categorical
    (['amount', 'count'], ['count'], ['kind'])
    >>> schema.encode(X).shape  # 2 standardised numerics + 2 one-hot columns
    (3, 4)
    >>> new = schema.restore(np.array([[20.123, 2.4]]), {"kind": np.array(["store"])})
    >>> new
       amount  count   kind
    0   20.12      2  store
    >>> new.dtypes.equals(X.dtypes)
    True
    """

    def __init__(self, X, text_columns=None):
        self.is_frame = isinstance(X, pd.DataFrame)
        self.is_sparse = sp.issparse(X)
        self.n_features = X.shape[1]
        if self.is_frame:
            self.columns = list(X.columns)
            self.dtypes = X.dtypes.copy()
            self.categorical = [c for c in X.columns if _is_categorical(X[c])]
            self.numeric = [c for c in X.columns if c not in set(self.categorical)]
            self.integer = [
                c for c in self.numeric
                if pd.api.types.is_integer_dtype(X[c].dtype)
            ]
            self.categories = {}
            for c in self.categorical:
                if isinstance(X[c].dtype, pd.CategoricalDtype):
                    self.categories[c] = list(X[c].dtype.categories)
                else:
                    self.categories[c] = list(pd.unique(X[c].dropna()))
            text = set(text_columns or ())
            self.text = [c for c in self.categorical if c in text]
            num = X[self.numeric].to_numpy(dtype=float) if self.numeric else \
                np.empty((X.shape[0], 0))
        else:
            self.columns = list(range(X.shape[1]))
            self.categorical, self.categories, self.text = [], {}, []
            self.numeric = list(range(X.shape[1]))
            self.dtype = X.dtype
            self.integer = self.numeric if np.issubdtype(X.dtype, np.integer) else []
            num = X
        if self.is_sparse:
            mean = np.asarray(num.mean(axis=0)).ravel()
            sq = np.asarray(num.multiply(num).mean(axis=0)).ravel()
            scale = np.sqrt(np.maximum(sq - mean**2, 0.0))
            self.mean_ = np.zeros_like(mean)  # keep sparsity: scale only
        else:
            if not (isinstance(num, np.ndarray) and np.issubdtype(num.dtype, np.number)):
                num = np.asarray(num, dtype=float)
            # float32 or integer rows stay as they are (no float64 copy of them
            # all): the statistics convert a block of columns at a time
            if num.size and not (np.issubdtype(num.dtype, np.floating)
                                 and np.isnan(num).any()):
                self.mean_, scale = _mean_std(num)
            else:
                num = np.asarray(num, dtype=float)
                self.mean_ = np.nanmean(num, axis=0) if num.size else np.zeros(0)
                scale = np.nanstd(num, axis=0) if num.size else np.zeros(0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.decimals_ = None if self.is_sparse else _decimals(num)
        if self.is_sparse or num.shape[0] == 0 or num.shape[1] == 0:
            self.min_ = self.max_ = None
        else:
            with warnings.catch_warnings():  # an all-NaN column has no range
                warnings.simplefilter("ignore", RuntimeWarning)
                # the extremes of float32 or integer values, as float64: the same
                # as those of the values converted (the conversion keeps order)
                self.min_ = np.asarray(np.nanmin(num, axis=0), dtype=float)
                self.max_ = np.asarray(np.nanmax(num, axis=0), dtype=float)

    def numeric_values(self, X):
        """Raw numeric columns as a float matrix (sparse stays sparse).

        Parameters
        ----------
        X : rows with the training columns

        Returns
        -------
        values : ndarray or sparse matrix of shape (n_rows, len(numeric))
            Unscaled values of :attr:`numeric`, in that order, as float.

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_activesynth.utils import TabularSchema
        >>> X = pd.DataFrame({"kind": ["a", "b"], "count": [1, 3], "amount": [0.5, 2.0]})
        >>> TabularSchema(X).numeric_values(X)
        array([[1. , 0.5],
               [3. , 2. ]])
        """
        if self.is_frame:
            if not self.numeric:
                return np.empty((X.shape[0], 0))
            return X[self.numeric].to_numpy(dtype=float)
        if sp.issparse(X):
            return X.astype(float)
        return np.asarray(X, dtype=float)

    def encode(self, X, dtype=np.float64):
        """Standardised numeric columns plus one-hot categoricals.

        One-hot columns are scaled by ``1/sqrt(2)`` so two rows that differ in
        one category are at distance 1, like one standard deviation of a
        numeric column. A free-text column (in :attr:`text`) becomes a hashed
        bag of words (256 columns, l2-normalised, scaled the same way: two
        texts with no word in common are at distance 1). Missing values
        become 0 (the mean) and an all-zero one-hot block.

        Parameters
        ----------
        X : rows with the training columns
        dtype : numpy dtype, default=np.float64

        Returns
        -------
        Z : ndarray, or a CSR matrix for sparse input
            Numeric columns first, then each categorical column's block.

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_activesynth.utils import TabularSchema
        >>> X = pd.DataFrame({"x": [0.0, 2.0], "kind": ["a", "b"]})
        >>> TabularSchema(X).encode(X).round(3)
        array([[-1.   ,  0.707,  0.   ],
               [ 1.   ,  0.   ,  0.707]])
        """
        num = self.numeric_values(X)
        if sp.issparse(num):
            return (num @ sp.diags(1.0 / self.scale_)).astype(dtype).tocsr()
        parts = [((num - self.mean_) / self.scale_).astype(dtype, copy=False)]
        text = set(getattr(self, "text", ()))
        for c in self.categorical:
            if c in text:
                parts.append(_hashed_words(X[c], dtype))
                continue
            # unknown values and missing ones get -1 (pandas 3 warns for the
            # Categorical constructor with values outside the categories)
            codes = pd.Index(self.categories[c]).get_indexer(X[c])
            onehot = np.zeros((X.shape[0], len(self.categories[c])), dtype=dtype)
            valid = codes >= 0
            onehot[np.flatnonzero(valid), codes[valid]] = np.sqrt(0.5)
            parts.append(onehot)
        if len(parts) == 1:
            return np.nan_to_num(parts[0], copy=False)
        return np.nan_to_num(np.hstack(parts), copy=False)

    def describe(self, X, *, max_categories=5):
        """Per-column summary of rows ``X``: quantiles for numerics, frequencies
        for categoricals, and for text columns (under ``"text"``, present only
        when there are any) word-count quantiles and the words shared by at
        least two of the rows. Keys are column names (ints for arrays).

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_activesynth.utils import TabularSchema
        >>> X = pd.DataFrame({"amount": [1.0, 2.0, 3.0, 4.0], "kind": ["a", "a", "a", "b"]})
        >>> desc = TabularSchema(X).describe(X)
        >>> desc["numeric"]["amount"]["median"], desc["categorical"]["kind"]
        (2.5, {'a': 0.75, 'b': 0.25})
        """
        desc = {"numeric": {}, "categorical": {}}
        num = self.numeric_values(X)
        if sp.issparse(num):
            num = num.toarray()
        if num.shape[0]:
            q = np.nanquantile(num, [0.0, 0.25, 0.5, 0.75, 1.0], axis=0)
            for j, c in enumerate(self.numeric):
                desc["numeric"][c] = {
                    "min": float(q[0, j]), "q25": float(q[1, j]),
                    "median": float(q[2, j]), "q75": float(q[3, j]),
                    "max": float(q[4, j]),
                }
        text = set(getattr(self, "text", ()))
        if text:
            desc["text"] = {c: _describe_text_column(X[c]) for c in self.categorical if c in text}
        for c in self.categorical:
            if c in text:
                continue
            freq = X[c].value_counts(normalize=True, dropna=False)
            freq = freq[freq > 0].head(max_categories)
            desc["categorical"][c] = {str(k): round(float(v), 3) for k, v in freq.items()}
        return desc

    def _round(self, X_new_numeric):
        """Numeric values at the training precision, never rounded out of range."""
        X = np.array(X_new_numeric, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.decimals_):
            return X
        integer = set(self.integer)
        lo, hi = getattr(self, "min_", None), getattr(self, "max_", None)
        for j, (c, d) in enumerate(zip(self.numeric, self.decimals_)):
            if c in integer:
                d = 0
            if d < 0:
                continue
            x = X[:, j]
            rounded = np.round(x, d)
            if lo is not None and np.isfinite(lo[j]):
                inside = (x >= lo[j]) & (x <= hi[j])
                rounded = np.where(inside, np.clip(rounded, lo[j], hi[j]), rounded)
            X[:, j] = rounded
        return X

    def restore(self, X_new_numeric, categorical_values=None, n=None):
        """Build output rows in the training container and dtypes.

        Numeric values are rounded to the decimals the training column uses
        (cents stay cents; a column of values around ``1e-7`` keeps its
        significant digits) and integer columns to integers. Rounding never
        moves a value out of the real column's range: a value inside
        [:attr:`min_`, :attr:`max_`] stays inside it (values the caller gives
        outside that range are rounded but left outside, for the caller's
        checks to see). Categorical columns take ``categorical_values`` as
        they are.

        Parameters
        ----------
        X_new_numeric : ndarray or sparse of shape (n, n_numeric)
            Values of :attr:`numeric`, in that order.
        categorical_values : dict column -> array of values, optional
            Required when the schema has categorical columns.
        n : ignored
            Kept for backward compatibility.

        Returns
        -------
        rows : DataFrame, ndarray or sparse matrix
            The training container: a DataFrame with the training column
            order and dtypes (an integer column with missing values stays
            float), or an array / CSR matrix of the training dtype.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_activesynth.utils import TabularSchema
        >>> schema = TabularSchema(np.array([[1, 2], [3, 4]]))
        >>> schema.restore(np.array([[1.6, 2.2]]))
        array([[2, 2]])
        """
        if self.decimals_ is not None and not sp.issparse(X_new_numeric):
            X_new_numeric = self._round(X_new_numeric)
        if not self.is_frame:
            out = X_new_numeric
            if sp.issparse(out):
                return out.astype(self.dtype).asformat("csr")
            return np.asarray(out).astype(self.dtype, copy=False)
        data = {}
        for j, c in enumerate(self.numeric):
            data[c] = np.asarray(X_new_numeric[:, j], dtype=float)
        for c in self.categorical:
            data[c] = categorical_values[c]
        frame = pd.DataFrame(data)[self.columns]
        for c in self.columns:
            dtype = self.dtypes[c]
            if c in self.integer and frame[c].isna().any():
                continue
            frame[c] = frame[c].astype(dtype)
        return frame
