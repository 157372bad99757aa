"""Generator output is checked against the training schema here, and only here.

A generator is user code (or a remote model): whatever it returns is brought
into the training container, columns and dtypes, or refused as a whole. The
loop counts a refused result as a generator failure (the round is skipped and
recorded in ``history_``); rows that are well-formed but unusable (an unknown
label or category, a non-finite or absurd number) are dropped one by one by
the loop's schema check and counted in ``n_rejected_schema``.
"""

import threading

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .generators.base import Synthesized

__all__ = ["MalformedOutputError", "GeneratorTimeoutError", "conform_synthesized",
           "call_with_timeout", "PLAUSIBLE_SPANS"]

#: A synthetic number further than this many spans outside the real
#: [min, max] of its column is not a plausible value of it (1e300 in a column
#: of amounts): its row is dropped. The span is the column's range, or the
#: magnitude of its values (at least 1) when that is larger.
PLAUSIBLE_SPANS = 10.0


class MalformedOutputError(ValueError):
    """A generator returned something that cannot be rows of the training data."""


class GeneratorTimeoutError(TimeoutError):
    """A generator call did not return within the loop's ``generator_timeout``."""


def call_with_timeout(fn, timeout, what):
    """``fn()``, or :class:`GeneratorTimeoutError` after ``timeout`` seconds.

    Python cannot stop a running function from outside, so the call runs in a
    daemon thread: on a timeout the loop goes on without it and never calls
    that generator again in the fit (it may still be running), and the
    thread does not keep the interpreter alive at exit. (Not
    ``concurrent.futures``: its worker threads are joined at exit, so a hung
    call would hang the interpreter.)
    """
    if timeout is None:
        return fn()
    box = {}

    def target():
        try:
            box["out"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["exc"] = exc

    thread = threading.Thread(target=target, daemon=True,
                              name="sklearn-activesynth-generator")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise GeneratorTimeoutError(f"{what} did not return within {timeout:g} s")
    if "exc" in box:
        raise box["exc"]
    return box["out"]


def _as_frame(X, schema):
    if isinstance(X, pd.DataFrame):
        missing = [c for c in schema.columns if c not in X.columns]
        extra = [c for c in X.columns if c not in set(schema.columns)]
        if missing or extra:
            raise MalformedOutputError(
                f"returned columns do not match the training columns: missing {missing}, "
                f"unexpected {extra}")
        X = X[schema.columns]
    else:
        arr = _as_2d(X, schema)
        X = pd.DataFrame(arr, columns=schema.columns)
    X = X.reset_index(drop=True)
    out = {}
    for c in schema.columns:
        col = X[c]
        if c in set(schema.numeric):
            # strings in a numeric column become NaN; the schema check drops the row
            out[c] = pd.to_numeric(col, errors="coerce").astype(float)
        else:
            out[c] = col.astype(object)
    return pd.DataFrame(out, columns=schema.columns)


def _as_2d(X, schema):
    if sp.issparse(X):
        X = X.toarray()
    try:
        arr = np.asarray(X)
    except ValueError as exc:  # ragged lists
        raise MalformedOutputError(f"returned rows are not a 2-D table ({exc})") from exc
    if arr.ndim != 2 or arr.shape[1] != schema.n_features:
        raise MalformedOutputError(
            f"returned rows of shape {arr.shape}; expected (n, {schema.n_features})")
    return arr


def _numeric_array(X, schema):
    arr = _as_2d(X, schema)
    if arr.dtype.kind in "biuf":
        return arr.astype(float)
    return pd.DataFrame(arr).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def conform_synthesized(result, *, schema, n_requested, n_train):
    """``result`` in the training container, or :class:`MalformedOutputError`.

    Returns the conformed :class:`~sklearn_activesynth.generators.Synthesized`
    (numeric cells as float, categorical cells as objects, the training
    column order; at most ``n_requested`` rows, the first ones) and the number
    of excess rows cut. The training dtypes come back in :func:`restore_dtypes`
    after the rows that cannot keep them are dropped.
    """
    y = np.asarray(result.y)
    if y.ndim != 1:
        raise MalformedOutputError(f"returned labels of shape {y.shape}; expected (n,)")
    n = len(y)
    if schema.is_frame:
        X = _as_frame(result.X, schema)
    elif schema.is_sparse:
        X = result.X if sp.issparse(result.X) else sp.csr_matrix(_numeric_array(result.X,
                                                                                 schema))
        if X.ndim != 2 or X.shape[1] != schema.n_features:
            raise MalformedOutputError(
                f"returned rows of shape {X.shape}; expected (n, {schema.n_features})")
        X = X.tocsr().astype(float)
    else:
        X = _numeric_array(result.X, schema)
    if X.shape[0] != n:
        raise MalformedOutputError(f"returned {X.shape[0]} rows but {n} labels")
    pos = np.asarray(result.anchor_positions, dtype=int)
    if pos.shape != (n,) or np.any((pos < -1) | (pos >= n_train)):
        raise MalformedOutputError(
            f"anchor_positions must be one int per row in [-1, {n_train})")
    excess = max(0, n - int(n_requested))
    keep = slice(0, n - excess)
    if excess:
        X = X.iloc[keep] if isinstance(X, pd.DataFrame) else X[keep]
        y, pos = y[keep], pos[keep]
    provenance = {k: np.asarray(v)[keep] for k, v in result.provenance.items()
                  if np.ndim(v) == 1 and len(v) == n}
    return Synthesized(X, y, anchor_positions=pos, report=dict(result.report),
                       provenance=provenance), excess


def usable_rows(X, y, *, schema, classes, real_has_nan, bounds):
    """Rows a refit can use: a known label, known categories (free-text
    columns excepted), finite numbers (NaN only where the real data had NaN)
    inside the plausible range."""
    keep = np.isin(y, classes)
    if sp.issparse(X):
        data_ok = np.isfinite(X.data)
        bad_rows = np.unique(np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))[~data_ok])
        keep[bad_rows] = False
        return keep
    num = schema.numeric_values(X)
    if num.size:
        nan_ok = real_has_nan[None, :] & np.isnan(num)
        lo, hi = bounds
        inside = (num >= lo[None, :]) & (num <= hi[None, :])
        keep &= (inside | nan_ok).all(axis=1)
    if isinstance(X, pd.DataFrame):
        for c in schema.categorical:
            if c in schema.text:
                continue  # free text: new wording is the point
            col = X[c]
            known = col.isin(schema.categories[c]).to_numpy() | col.isna().to_numpy()
            keep &= known
    return keep


def plausible_bounds(num_real):
    """Per numeric column, the range outside which a synthetic value is absurd."""
    if num_real.size == 0:
        return np.zeros(0), np.zeros(0)
    with np.errstate(all="ignore"):
        # float64 extremes (of float32 or integer rows too: the conversion keeps order)
        lo = np.asarray(np.nanmin(num_real, axis=0), dtype=float)
        hi = np.asarray(np.nanmax(num_real, axis=0), dtype=float)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    hi = np.where(np.isfinite(hi), hi, 0.0)
    # a constant column (a blank pixel, a flag never set) gets the scale of its
    # value, at least 1: the aim is absurd numbers (1e300), not the real range
    span = np.maximum.reduce([hi - lo, np.abs(hi), np.abs(lo), np.ones_like(hi)])
    return lo - PLAUSIBLE_SPANS * span, hi + PLAUSIBLE_SPANS * span


def restore_dtypes(X, schema, template):
    """Kept rows back in the training dtypes (and container)."""
    if isinstance(X, pd.DataFrame):
        out = X.copy()
        for c in schema.columns:
            dtype = template.dtypes[c]
            try:
                out[c] = out[c].astype(dtype)
            except (TypeError, ValueError):
                pass  # e.g. NaN in an integer column the real data also had NaN in
        return out
    if sp.issparse(X):
        return X.astype(template.dtype).asformat(template.format)
    return np.asarray(X).astype(template.dtype, copy=False)
