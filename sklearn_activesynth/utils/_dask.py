"""Dask collections as input: fit in memory, predict and query out of core.

A model fitted in memory can score data that does not fit in memory when the
data is a Dask array or a Dask DataFrame: each block of rows is scored by a
task on the Dask workers (the ``ParallelPostFit`` idea of dask-ml). The
package does not depend on dask-ml for it, and this module is written by
hand, because

- ``query`` needs more than a per-row prediction: each block returns only its
  best rows (ties broken by position in the whole pool, rows excluded by
  position), so a worker sends back ``n_samples`` rows, not a score per row,
  and the answer is the one the in-memory pool gives;
- dask-ml would be a dependency (with its own pins on dask and scikit-learn)
  for two calls of ``map_blocks`` / ``map_partitions``.

Nothing here imports dask at import time: a Dask collection exists only once
dask is imported, so :func:`is_dask_collection` looks at ``sys.modules``
first, and the package imports (and works) without dask.
"""

# License: BSD 3 clause

import sys

import numpy as np

from .tabular import concat_rows, take_rows

__all__ = ["is_dask_collection", "row_blocks", "take_block_rows", "map_rows"]


def is_dask_collection(X):
    """True if ``X`` is a Dask collection (array, DataFrame, ...); never imports dask.

    Parameters
    ----------
    X : object

    Returns
    -------
    bool
    """
    if "dask" not in sys.modules:  # no Dask collection can exist yet
        return False
    from dask import is_dask_collection as _is_dask

    return bool(_is_dask(X))


def _is_dask_array(X):
    import dask.array as da

    return isinstance(X, da.Array)


def _is_dask_frame(X):
    # duck-typed: importing dask.dataframe needs pyarrow, which a Dask array
    # user may not have installed
    return hasattr(X, "map_partitions") and hasattr(X, "columns") and \
        hasattr(X, "npartitions")


def _check_2d(X, what):
    if _is_dask_array(X):
        if X.ndim != 2:
            raise ValueError(
                f"{what} is a {X.ndim}-D Dask array; a 2-D array of rows (n_samples, "
                "n_features) is expected.")
        # whole rows in each block: the estimator scores rows, not column slices
        return X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
    if _is_dask_frame(X):
        return X
    raise TypeError(
        f"{what} is a {type(X).__name__}; of the Dask collections, a 2-D Dask array or a "
        "Dask DataFrame is accepted (compute other collections first).")


def row_blocks(X, what="X"):
    """The row blocks of a Dask array or DataFrame, and their lengths.

    Parameters
    ----------
    X : dask.array.Array of ndim 2 or dask.dataframe.DataFrame
    what : str, default="X"
        The name used in error messages.

    Returns
    -------
    blocks : list of dask.delayed.Delayed
        One per block of rows, in order (a Dask array chunked along its
        columns is rechunked to whole rows first).
    lengths : ndarray of int
        Rows per block. Unknown lengths (a DataFrame's partitions, an array
        with unknown chunks) are computed, which reads every block once.
    """
    import dask

    X = _check_2d(X, what)
    if _is_dask_array(X):
        blocks = list(X.to_delayed().ravel())
        lengths = list(X.chunks[0])
    else:
        blocks = list(X.to_delayed())
        lengths = [np.nan] * len(blocks)
    if any(np.isnan(n) for n in lengths):
        lengths = dask.compute(*[dask.delayed(len)(b) for b in blocks])
    return blocks, np.asarray(lengths, dtype=np.intp)


def take_block_rows(blocks, lengths, positions):
    """Rows ``positions`` (sorted, into the whole collection) of row blocks, in memory.

    Only the blocks holding one of the rows are read, each by one task that
    returns just those rows.

    Parameters
    ----------
    blocks, lengths : as returned by :func:`row_blocks`
    positions : ndarray of int, sorted

    Returns
    -------
    rows : ndarray, sparse matrix or DataFrame
        In the blocks' container, in the order of ``positions``.
    """
    import dask

    starts = np.concatenate([[0], np.cumsum(lengths)])
    which = np.searchsorted(starts, positions, side="right") - 1
    parts = [dask.delayed(take_rows)(blocks[b], positions[which == b] - starts[b])
             for b in np.unique(which)]
    return concat_rows(list(dask.compute(*parts)))


def map_rows(func, X, *, dtype, n_columns=None):
    """``func`` applied to each block of rows of ``X``: a lazy Dask array.

    Parameters
    ----------
    func : callable
        ``func(block) -> ndarray`` with one entry (or row) per row of the block.
    X : dask.array.Array of ndim 2 or dask.dataframe.DataFrame
    dtype : dtype
        Of ``func``'s output.
    n_columns : int or None, default=None
        ``None``: ``func`` returns a 1-D array; else a 2-D one with this many
        columns.

    Returns
    -------
    out : dask.array.Array
        Of shape ``(n_samples,)`` or ``(n_samples, n_columns)``, chunked as ``X``'s
        rows (unknown chunk sizes for a DataFrame, as its partitions' lengths
        are unknown). Nothing is computed.
    """
    X = _check_2d(X, "X")
    dtype = np.dtype(dtype)
    meta = np.empty((0,) if n_columns is None else (0, n_columns), dtype=dtype)
    if _is_dask_array(X):
        if n_columns is None:
            return X.map_blocks(func, dtype=dtype, drop_axis=1, meta=meta)
        return X.map_blocks(func, dtype=dtype, chunks=(X.chunks[0], (n_columns,)),
                            meta=meta)
    return X.map_partitions(func, meta=meta)


def empty_like_rows(X):
    """An in-memory stand-in of ``X`` with no rows, its columns and dtypes: what
    ``validate_data`` checks (feature count and names) without reading a block."""
    X = _check_2d(X, "X")
    if _is_dask_array(X):
        return np.empty((0, X.shape[1]), dtype=X.dtype)
    return X._meta
