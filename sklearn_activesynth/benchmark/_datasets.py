"""Datasets for the benchmark: built-in makers, scikit-learn's bundled sets, CSV files.

Also the data constraints of seed 000 §2.1 (a fraction of the real rows, an
induced class imbalance, label noise, missing values) and the repeated
stratified splits.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "DATASET_OPTIONS",
    "BUILTIN_DATASETS",
    "DATA_DIR_ENV",
    "default_data_dir",
    "data_help",
    "load_dataset",
    "split_dataset",
    "induce_imbalance",
    "add_label_noise",
    "add_missing_values",
]

#: Per-file preprocessing of the shared datasets. ``drop``: columns removed
#: before anything else (``duration`` in bank_marketing is only known after
#: the call whose outcome is the label, so it leaks the target).
DATASET_OPTIONS = {
    "bank_marketing": {"drop": ["duration"]},
}


def _fraud(random_state=0):
    from ..datasets import make_fraud_transactions

    X, y = make_fraud_transactions(n_samples=10000, fraud_rate=0.02, random_state=random_state)
    return X, np.asarray(y), "make_fraud_transactions(n_samples=10000, fraud_rate=0.02)"


def _sklearn(loader_name):
    def load(random_state=0):
        import sklearn.datasets

        data = getattr(sklearn.datasets, loader_name)(as_frame=True)
        X = data.frame.drop(columns=[c for c in ("target",) if c in data.frame])
        return X, data.target.to_numpy(), f"sklearn.datasets.{loader_name}()"

    return load


#: Names that need no file: the package's simulator and scikit-learn's bundled sets.
BUILTIN_DATASETS = {
    "fraud": _fraud,
    "breast_cancer": _sklearn("load_breast_cancer"),
    "wine": _sklearn("load_wine"),
    "iris": _sklearn("load_iris"),
    "digits": _sklearn("load_digits"),
}


#: Environment variable naming the folder of the benchmark's CSV datasets
#: (``ACTIVESYNTH_DATA_DIR``, its older name, is read too).
DATA_DIR_ENV = "SKLEARN_ACTIVESYNTH_DATA"

#: How to get data, for the errors of a benchmark that finds none.
DATA_HELP = (
    "The named datasets are public classification sets (UCI, imbalanced-learn's "
    "benchmark sets, Kaggle fraud data; benchmarks/RESULTS.md lists the ones of the "
    "published run), one CSV each with the label in a column 'target'; they are not "
    "shipped with the package. Put the CSVs in a folder and pass --data-dir DIR "
    f"(data_dir=DIR) or set {DATA_DIR_ENV}=DIR; or name CSV files by path "
    "(--datasets path/to/data.csv --target LABEL); or use the built-in data, which needs "
    f"no files: --preset quick, or --datasets {{names}}."
)


def default_data_dir():
    """Where dataset names without a path are looked up.

    ``$SKLEARN_ACTIVESYNTH_DATA`` when set (``$ACTIVESYNTH_DATA_DIR``, its older
    name, too); else ``../shared/datasets`` next to the source checkout (the
    project's shared data, never copied into the repo); else
    ``../shared/datasets`` relative to the working directory.
    """
    env = os.environ.get(DATA_DIR_ENV) or os.environ.get("ACTIVESYNTH_DATA_DIR")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    candidate = repo.parent / "shared" / "datasets"
    if (repo / "setup.cfg").exists() and candidate.is_dir():
        return candidate
    return Path("..") / "shared" / "datasets"


def data_help():
    """How to get the benchmark's data (the text of the errors that find none)."""
    return DATA_HELP.format(names=" ".join(BUILTIN_DATASETS))


def _resolve_csv(name, data_dir):
    path = Path(name)
    if path.suffix == ".csv" and path.exists():
        return path
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    stem = path.name[:-4] if path.name.endswith(".csv") else path.name
    candidate = data_dir / f"{stem}.csv"
    if candidate.exists():
        return candidate
    raise FileNotFoundError(
        f"Dataset {name!r} is neither a built-in name ({sorted(BUILTIN_DATASETS)}), "
        f"nor a CSV path, nor a file {stem}.csv in the data directory {str(data_dir)!r}. "
        f"Pass data_dir= (--data-dir) or set {DATA_DIR_ENV}, or give a path to the CSV."
    )


def _stratified_cap(X, y, max_rows, seed):
    if max_rows is None or len(y) <= max_rows:
        return X, y
    _, counts = np.unique(y, return_counts=True)
    stratify = y if counts.min() >= 2 else None
    idx, _ = train_test_split(np.arange(len(y)), train_size=int(max_rows),
                              stratify=stratify, random_state=seed)
    idx = np.sort(idx)
    return X.iloc[idx].reset_index(drop=True), y[idx]


def _encode_target(y):
    """Labels as 0..k-1; a binary problem's minority class becomes 1 (the
    positive class of PR-AUC, F1 and recall at precision)."""
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    if len(classes) < 2:
        raise ValueError(f"The target has a single class {classes.tolist()}; "
                         "a classification benchmark needs two or more.")
    if len(classes) == 2 and counts[0] < counts[1]:
        classes, codes = classes[::-1], 1 - codes
    return codes.astype(np.int64), classes


def load_dataset(name, *, target="target", data_dir=None, max_rows=None, random_state=0):
    """Load one benchmark dataset as a DataFrame and integer labels.

    Parameters
    ----------
    name : str
        A built-in name (``"fraud"`` for
        :func:`~sklearn_activesynth.datasets.make_fraud_transactions`,
        ``"breast_cancer"``, ``"wine"``, ``"iris"``, ``"digits"``), a path to
        a CSV file, or the stem of a CSV in ``data_dir`` (``"mammography"``).
    target : str, default="target"
        Label column of a CSV.
    data_dir : str or path, default=None
        Folder of named CSVs; ``None`` means :func:`default_data_dir`.
    max_rows : int, default=None
        Stratified cap on the rows kept (the pool that the splits are drawn
        from), so very large files fit a time budget.
    random_state : int, default=0
        Seed of the cap (and of the built-in simulator). Fixed across the
        benchmark's seeds: the pool is the same, the splits vary.

    Returns
    -------
    data : Bunch
        ``X`` (DataFrame: numeric columns stay numeric, string columns are
        categorical features), ``y`` (int labels ``0..k-1``; for binary
        problems 1 is the minority class), ``class_names``, ``name``,
        ``source``, ``n_rows_full`` (before the cap).

    Raises
    ------
    FileNotFoundError
        The name is not built in and no CSV is found.
    ValueError
        The CSV has no ``target`` column.
    """
    key = str(name)
    if key in BUILTIN_DATASETS:
        X, y, source = BUILTIN_DATASETS[key](random_state=random_state)
        stem = key
    else:
        path = _resolve_csv(key, data_dir)
        stem = path.name[:-4]
        df = pd.read_csv(path, low_memory=False)
        if target not in df.columns:
            cols = df.columns.tolist()
            shown = ", ".join(map(str, cols[:20])) + (" ..." if len(cols) > 20 else "")
            raise ValueError(
                f"CSV {path.name!r} has no target column {target!r}; its columns are "
                f"[{shown}]. Pass target=NAME (--target NAME) to name the label column."
            )
        y = df.pop(target).to_numpy()
        opts = DATASET_OPTIONS.get(stem, {})
        drop = [c for c in opts.get("drop", ()) if c in df.columns]
        X = df.drop(columns=drop)
        source = path.name + (f" (dropped {', '.join(drop)})" if drop else "")
    X = pd.DataFrame(X).reset_index(drop=True)
    # categorical feature columns as plain object strings: one encoder path
    # for CSV strings, pandas categories and booleans (built as an object
    # Series: pandas 3 would infer its ``str`` dtype from a ``map`` of strings)
    for c in X.columns:
        if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]):
            col = X[c].astype(object)
            X[c] = pd.Series([np.nan if pd.isna(v) else str(v) for v in col],
                             index=X.index, dtype=object)
    keep = ~pd.isna(y)
    if not keep.all():
        X, y = X.loc[keep].reset_index(drop=True), y[keep]
    n_full = len(y)
    y, class_names = _encode_target(y)
    X, y = _stratified_cap(X, y, max_rows, random_state)
    return Bunch(X=X, y=y, class_names=class_names, name=stem, source=source,
                 n_rows_full=n_full)


def split_dataset(y, fraction, seed, *, test_size=0.3):
    """Stratified test split, then a stratified ``fraction`` of all rows to train on.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
    fraction : float
        Share of *all* rows used for training (seed 000 §2.1: 10 %, 30 %,
        50 % of the data), at most ``1 - test_size``.
    seed : int
    test_size : float, default=0.3

    Returns
    -------
    train_idx, test_idx : ndarray of int
    """
    n = len(y)
    if not 0 < fraction <= 1 - test_size + 1e-9:
        raise ValueError(
            f"fraction={fraction} must be in (0, 1 - test_size] = (0, {1 - test_size:g}]: "
            "the test rows are held out first.")
    _, counts = np.unique(y, return_counts=True)
    strat = y if counts.min() >= 2 else None
    rest, test = train_test_split(np.arange(n), test_size=test_size, stratify=strat,
                                  random_state=seed)
    n_train = int(round(fraction * n))
    if n_train < len(rest):
        strat = y[rest] if np.unique(y[rest], return_counts=True)[1].min() >= 2 else None
        rest, _ = train_test_split(rest, train_size=n_train, stratify=strat,
                                   random_state=seed)
    return np.sort(rest), np.sort(test)


def induce_imbalance(y, ratio, random_state=None):
    """Rows to keep so that every class has at most ``ratio`` times the
    largest class's count (seed 000 §2.1: artificial class imbalance).

    Each class keeps at least 2 rows. Returns sorted row positions.
    """
    rng = check_random_state(random_state)
    classes, counts = np.unique(y, return_counts=True)
    cap = max(2, int(round(ratio * counts.max())))
    keep = []
    for c, n in zip(classes, counts):
        rows = np.flatnonzero(y == c)
        if n > cap and n != counts.max():
            rows = rng.choice(rows, size=cap, replace=False)
        keep.append(rows)
    return np.sort(np.concatenate(keep))


def add_label_noise(y, rate, random_state=None):
    """Flip a share ``rate`` of the labels to another class, uniformly."""
    rng = check_random_state(random_state)
    y = np.array(y, copy=True)
    k = int(y.max()) + 1
    n_flip = int(round(rate * len(y)))
    if n_flip == 0 or k < 2:
        return y
    rows = rng.choice(len(y), size=n_flip, replace=False)
    y[rows] = (y[rows] + rng.randint(1, k, size=n_flip)) % k
    return y


def add_missing_values(X, rate, random_state=None):
    """Blank a share ``rate`` of the feature cells, completely at random (MCAR)."""
    rng = check_random_state(random_state)
    X = X.copy()
    if rate <= 0:
        return X
    mask = rng.uniform(size=X.shape) < rate
    for j, c in enumerate(X.columns):
        if mask[:, j].any():
            if pd.api.types.is_integer_dtype(X[c]):
                X[c] = X[c].astype(float)
            X.loc[mask[:, j], c] = np.nan
    return X
