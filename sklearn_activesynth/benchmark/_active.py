"""The active-learning simulation: learning curves of label acquisition (issue 15).

One *run* is a dataset × base estimator × seed. It holds out a stratified test
set, starts from a small stratified seed set of the remaining rows (the
*pool*), and acquires labels for ``n_rounds`` rounds of ``batch_fraction`` of
the pool with every *method*: a query strategy (``random``, the control;
``margin``; ``hybrid``, :class:`~sklearn_activesynth.acquisition.HybridSampling`
with its defaults), each without synthesis and with it (``<strategy>_synth``).

The library is driven as a user would drive it, one ``fit`` per labelling
round: ``y`` holds the labels known so far and ``NaN`` for every other pool
row, the ``oracle`` looks the true label up, ``acquisition=Acquisition(strategy,
budget_init=batch)`` and ``max_iter=1`` ask it for one batch, and the fitted
model (refitted on every label known by then, plus the synthetic rows it
kept) is scored on the test rows. Each point of a curve is therefore a model
the library returned, and the rows acquired in round ``r`` were chosen by the
model of round ``r - 1`` of the same fit (the query model sees the labelled
rows of the fit's training split). One ``fit`` with ``max_iter=R`` would be
cheaper, but its ``history_`` has validation scores only, on a handful of
seed rows, not test scores per round.

Without synthesis: ``n_synthetic=0`` (``uncertainty_cv=None``: the
out-of-fold uncertainty of the training rows only aims synthesis, so it is
skipped; it does not change what is acquired or the final model); the other
parameters at the library's defaults, the validation guard included, so that
the two settings differ in synthesis alone. With synthesis: the library's
defaults (``n_synthetic=0.1`` of the training rows per round, the built-in
interpolation generator, uncertain targeting, the guard on 20 % of the
labelled rows, ``uncertainty_cv=5``), one synthesis round per labelling round
(``max_iter=1``).

Round 0 is the model on the seed set (no acquisition): shared by the methods
of one setting. Every method of a run uses the same ``random_state`` in the
same round, so ``random`` and ``random_synth`` acquire the same rows: their
difference is the synthesis alone.

Metrics of a run (issue 15): the *area under the learning curve* (AULC) is
the mean score over rounds ``0..n_rounds``; random labelling's *final score*
is the mean of its last three rounds; *labels to target* is the number of
labels (seed set included) a method has used when its score first reaches
random's final score, divided by the labels random used by the end (the
budget), ``inf`` when it never does. The score is the PR-AUC (average
precision of the positive, minority class) for binary problems and the
balanced accuracy otherwise.
"""

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from ..utils._parallel import delayed, parallel

__all__ = [
    "ACTIVE_STRATEGIES",
    "ACTIVE_COLUMNS",
    "ACTIVE_RUN",
    "active_methods",
    "seed_set",
    "simulate_active_learning",
    "run_active_benchmark",
    "area_under_curve",
    "final_score",
    "labels_to_target",
    "run_metrics",
    "method_summary",
]

#: Query strategies of the simulation (names of ``Acquisition(strategy=...)``).
ACTIVE_STRATEGIES = ("random", "margin", "hybrid")
#: Columns that identify one learning curve.
ACTIVE_RUN = ["dataset", "estimator", "seed", "method"]
#: Every column of ``curves.csv``: one row per curve and round.
ACTIVE_COLUMNS = ACTIVE_RUN + [
    "strategy", "synthesis", "round", "n_labels", "n_acquired", "n_seed", "batch",
    "n_pool", "n_test", "n_classes", "metric", "score", "pr_auc", "balanced_accuracy",
    "brier", "n_synthetic_kept", "fit_seconds", "error",
]
SYNTH_SUFFIX = "_synth"
FLOAT_FORMAT = "%.6g"


def active_methods(strategies=ACTIVE_STRATEGIES, synthesis=(False, True)):
    """Method names: ``<strategy>`` without synthesis, ``<strategy>_synth`` with it.

    Parameters
    ----------
    strategies : sequence of str, default=ACTIVE_STRATEGIES
    synthesis : sequence of bool, default=(False, True)

    Returns
    -------
    methods : list of (name, strategy, synthesis)

    Examples
    --------
    >>> from sklearn_activesynth.benchmark import active_methods
    >>> [m for m, _, _ in active_methods(["random", "margin"])]
    ['random', 'random_synth', 'margin', 'margin_synth']
    """
    return [(s + (SYNTH_SUFFIX if syn else ""), s, bool(syn))
            for s in strategies for syn in synthesis]


def seed_set(y, fraction, *, min_per_class=3, random_state=None):
    """A stratified seed set: ``fraction`` of each class, at least ``min_per_class``.

    Parameters
    ----------
    y : array-like of shape (n_pool,)
    fraction : float
        Share of each class's rows (rounded, at least ``min_per_class``, at
        most all of them).
    min_per_class : int, default=3
    random_state : int, RandomState or None

    Returns
    -------
    positions : ndarray of int
        Sorted positions in ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.benchmark import seed_set
    >>> y = np.array([0] * 500 + [1] * 20)
    >>> np.bincount(y[seed_set(y, 0.02, random_state=0)]).tolist()
    [10, 3]
    """
    rng = check_random_state(random_state)
    y = np.asarray(y)
    picked = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        n = int(min(len(rows), max(min_per_class, round(fraction * len(rows)))))
        picked.append(rng.choice(rows, size=n, replace=False))
    return np.sort(np.concatenate(picked))


def _classifier(estimator, seed, n_classes, strategy, synthesis, batch, oracle, round_):
    from .._active_synthesis import ActiveSynthesisClassifier
    from ..acquisition import Acquisition
    from ._methods import make_estimator

    base = make_estimator(estimator, seed=seed, n_classes=n_classes)
    kw = dict(max_iter=1, random_state=int(seed) * 1000 + int(round_), n_jobs=1)
    if not synthesis:
        kw.update(n_synthetic=0, uncertainty_cv=None)
    if oracle is not None:
        kw.update(oracle=oracle, acquisition=Acquisition(strategy, budget_init=int(batch)))
    return ActiveSynthesisClassifier(base, **kw)


def _score(est, X_test, y_test, n_classes):
    from ._runner import _full_proba, _scores

    proba = _full_proba(est, np.asarray(est.predict_proba(X_test), dtype=float), n_classes)
    # the classifier saw float labels (NaN marks the unlabelled rows): its
    # classes are 0.0 .. k-1, in order, so the columns are the classes
    scores, _ = _scores(y_test, proba, n_classes, precision=0.8)
    metric = "pr_auc" if n_classes == 2 else "balanced_accuracy"
    return dict(metric=metric, score=scores[metric], pr_auc=scores["pr_auc"],
                balanced_accuracy=scores["balanced_accuracy"], brier=scores["brier"])


def simulate_active_learning(X, y, *, estimator="lr", methods=None, seed=0, n_rounds=12,
                             seed_fraction=0.02, batch_fraction=0.02, min_per_class=3,
                             test_size=0.3):
    """The learning curves of one run (dataset × estimator × seed).

    Parameters
    ----------
    X : DataFrame of shape (n_rows, n_features)
    y : ndarray of int of shape (n_rows,)
        Labels ``0..k-1``; for binary problems 1 is the positive class.
    estimator : {"lr", "hgb", "xgb"}, default="lr"
        The base estimator (:func:`make_estimator`).
    methods : list of (name, strategy, synthesis), default=None
        :func:`active_methods`; ``None``: every strategy with and without
        synthesis.
    seed : int, default=0
        Seeds the test split, the seed set and every fit.
    n_rounds : int, default=12
        Labelling rounds after the seed set.
    seed_fraction : float, default=0.02
        Seed set: this share of each class of the pool (:func:`seed_set`).
    batch_fraction : float, default=0.02
        Labels acquired per round, as a share of the pool (at least 1).
    min_per_class : int, default=3
        Rows of each class in the seed set, at least.
    test_size : float, default=0.3
        Stratified share of the rows held out for scoring.

    Returns
    -------
    curves : DataFrame
        One row per method and round ``0..n_rounds`` (``ACTIVE_COLUMNS``
        without ``dataset``, ``estimator``, ``seed``): ``n_labels`` (labels
        the scored model was fitted on), ``n_acquired`` (acquired in the
        round), ``score`` (``metric``: PR-AUC or balanced accuracy),
        ``pr_auc``, ``balanced_accuracy``, ``brier``, ``n_synthetic_kept``,
        ``fit_seconds``, ``error`` (a method that fails is recorded, its
        remaining rounds are not run).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn_activesynth.benchmark import active_methods, simulate_active_learning
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> curves = simulate_active_learning(
    ...     X, y.to_numpy(), methods=active_methods(["random"], [False]), n_rounds=2)
    >>> curves["n_labels"].tolist()
    [8, 16, 24]
    """
    X = pd.DataFrame(X).reset_index(drop=True)
    y = np.asarray(y).astype(np.int64)
    methods = active_methods() if methods is None else list(methods)
    n_classes = int(y.max()) + 1
    _, counts = np.unique(y, return_counts=True)
    pool, test = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed,
                                  stratify=y if counts.min() >= 2 else None)
    pool, test = np.sort(pool), np.sort(test)
    X_pool, y_pool = X.iloc[pool].reset_index(drop=True), y[pool]
    X_test, y_test = X.iloc[test].reset_index(drop=True), y[test]
    start = seed_set(y_pool, seed_fraction, min_per_class=min_per_class,
                     random_state=np.random.RandomState(seed))
    batch = max(1, int(round(batch_fraction * len(pool))))
    common = dict(n_seed=len(start), batch=batch, n_pool=len(pool), n_test=len(test),
                  n_classes=n_classes)

    def oracle(rows, indices):  # the known labels: a simulation
        return y_pool[indices].astype(float)

    rows, round0 = [], {}
    for name, strategy, synthesis in methods:
        labelled = np.zeros(len(pool), dtype=bool)
        labelled[start] = True
        for r in range(n_rounds + 1):
            row = dict(method=name, strategy=strategy, synthesis=bool(synthesis), round=r,
                       **common)
            if r == 0 and synthesis in round0:  # the seed-set model of this setting
                rows.append(dict(round0[synthesis], **row))
                continue
            y_fit = np.where(labelled, y_pool.astype(float), np.nan)
            t0 = time.perf_counter()
            try:
                est = _classifier(estimator, seed, n_classes, strategy, synthesis, batch,
                                  oracle if r > 0 else None, r)
                est.fit(X_pool, y_fit)
                got = (np.asarray(est.acquired_indices_, dtype=np.intp) if r > 0
                       else np.empty(0, dtype=np.intp))
                if labelled[got].any():
                    raise RuntimeError("the oracle was asked about a labelled row")
                labelled[got] = True
                out = dict(n_labels=int(labelled.sum()), n_acquired=len(got),
                           n_synthetic_kept=int(len(est.synthetic_y_)),
                           fit_seconds=time.perf_counter() - t0, error="",
                           **_score(est, X_test, y_test, n_classes))
            except Exception as exc:  # one failing method must not sink the run
                rows.append(dict(row, n_labels=int(labelled.sum()),
                                 fit_seconds=time.perf_counter() - t0,
                                 error=f"{type(exc).__name__}: {exc}"[:300]))
                break
            if r == 0:
                round0[synthesis] = out
            rows.append(dict(row, **out))
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- metrics
def area_under_curve(scores):
    """The area under a learning curve: the mean score over its rounds.

    Parameters
    ----------
    scores : array-like of shape (n_rounds,)

    Returns
    -------
    aulc : float
        ``NaN`` when no score is finite.

    Examples
    --------
    >>> from sklearn_activesynth.benchmark import area_under_curve
    >>> area_under_curve([0.25, 0.5, 0.75])
    0.5
    """
    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    return float(np.mean(s)) if len(s) else float("nan")


def final_score(scores, last=3):
    """Random labelling's final score: the mean of the last ``last`` rounds.

    Examples
    --------
    >>> from sklearn_activesynth.benchmark import final_score
    >>> final_score([0.1, 0.5, 0.25, 0.5, 0.75])
    0.5
    """
    s = np.asarray(scores, dtype=float)[-int(last):]
    return float(np.mean(s)) if len(s) else float("nan")


def labels_to_target(n_labels, scores, target, budget):
    """Labels used when the curve first reaches ``target``, over ``budget``.

    Parameters
    ----------
    n_labels : array-like of shape (n_rounds,)
        Labels used at each round, increasing.
    scores : array-like of shape (n_rounds,)
    target : float
        Random labelling's final score.
    budget : float
        Labels random labelling used by the end.

    Returns
    -------
    share : float
        ``n_labels`` of the first round whose score is at least ``target``,
        divided by ``budget``; ``inf`` when no round reaches it (``NaN`` when
        the target is not finite).

    Examples
    --------
    >>> from sklearn_activesynth.benchmark import labels_to_target
    >>> labels_to_target([10, 20, 30, 40], [0.5, 0.7, 0.9, 0.8], 0.75, 40)
    0.75
    >>> labels_to_target([10, 20], [0.5, 0.6], 0.75, 40)
    inf
    """
    if not np.isfinite(target):
        return float("nan")
    n = np.asarray(n_labels, dtype=float)
    s = np.asarray(scores, dtype=float)
    hit = np.flatnonzero(np.nan_to_num(s, nan=-np.inf) >= target - 1e-12)
    return float(n[hit[0]] / budget) if len(hit) else float("inf")


def run_metrics(curves, *, reference="random", last=3):
    """Per run and method: AULC, labels to target, reached, the reference's final score.

    Parameters
    ----------
    curves : DataFrame
        ``curves.csv`` rows (``ACTIVE_RUN`` + ``round``, ``n_labels``,
        ``score``; ``error`` optional).
    reference : str, default="random"
        The control whose final score is the target and whose last
        ``n_labels`` is the budget.
    last : int, default=3
        Rounds averaged into the final score.

    Returns
    -------
    metrics : DataFrame
        One row per run and method: ``dataset``, ``estimator``, ``seed``,
        ``method``, ``aulc``, ``final`` (the method's own last-rounds mean),
        ``target`` (the reference's final score), ``budget``,
        ``labels_to_target`` (``inf``: not reached), ``reached``,
        ``complete`` (every round of the method and of the reference ran
        without error). Runs whose reference is missing get ``NaN`` targets.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_activesynth.benchmark import run_metrics
    >>> rows = [dict(dataset="d", estimator="lr", seed=0, method=m, round=r,
    ...              n_labels=10 * (r + 1), score=s)
    ...         for m, scores in {"random": [0.2, 0.4, 0.5, 0.6, 0.7],
    ...                           "margin": [0.2, 0.6, 0.7, 0.7, 0.7]}.items()
    ...         for r, s in enumerate(scores)]
    >>> m = run_metrics(pd.DataFrame(rows)).set_index("method")
    >>> round(float(m.loc["random", "target"]), 2)
    0.6
    >>> float(m.loc["margin", "labels_to_target"])
    0.4
    """
    df = curves.copy()
    if "error" not in df:
        df["error"] = ""
    df["error"] = df["error"].astype("string").fillna("").astype(str)
    df = df.sort_values(ACTIVE_RUN[:-1] + ["method", "round"])
    out = []
    for (dataset, est, seed), run in df.groupby(ACTIVE_RUN[:-1], sort=False):
        ref = run[run["method"] == reference]
        ref_ok = len(ref) > 0 and (ref["error"] == "").all()
        target = final_score(ref["score"], last) if ref_ok else float("nan")
        budget = float(ref["n_labels"].max()) if ref_ok else float("nan")
        n_rounds = int(ref["round"].max()) if ref_ok else None
        for method, cur in run.groupby("method", sort=False):
            ok = cur[cur["error"] == ""]
            complete = ref_ok and len(ok) == len(cur) and n_rounds is not None and \
                int(cur["round"].max()) == n_rounds
            ltt = labels_to_target(ok["n_labels"], ok["score"], target, budget) \
                if complete else float("nan")
            out.append(dict(dataset=dataset, estimator=est, seed=seed, method=method,
                            aulc=area_under_curve(ok["score"]) if complete else np.nan,
                            final=final_score(ok["score"], last) if complete else np.nan,
                            target=target, budget=budget, labels_to_target=ltt,
                            reached=bool(np.isfinite(ltt)), complete=bool(complete)))
    return pd.DataFrame(out)


def method_summary(metrics, *, reference="random"):
    """Per method: median labels to target, runs reaching it, AULC wins against the reference.

    Parameters
    ----------
    metrics : DataFrame
        :func:`run_metrics` output.
    reference : str, default="random"

    Returns
    -------
    summary : DataFrame
        One row per method (index): ``runs`` (complete runs),
        ``median_labels_to_target`` (not reached counts as ``inf``),
        ``reached`` (runs), ``reached_share``, ``median_aulc``,
        ``aulc_wins`` / ``aulc_losses`` (runs with a higher / lower AULC than
        the reference in the same run) and ``aulc_win_share``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_activesynth.benchmark import method_summary
    >>> m = pd.DataFrame(dict(dataset="d", estimator="lr", seed=[0, 0, 1, 1],
    ...                       method=["random", "margin"] * 2, aulc=[0.5, 0.6, 0.5, 0.4],
    ...                       labels_to_target=[1.0, 0.5, 1.0, np.inf],
    ...                       reached=[True, True, True, False], complete=True))
    >>> s = method_summary(m)
    >>> [int(s.loc["margin", c]) for c in ["reached", "aulc_wins", "aulc_losses"]]
    [1, 1, 1]
    >>> float(s.loc["margin", "median_labels_to_target"])
    inf
    """
    m = metrics[metrics["complete"].astype(bool)]
    ref = m[m["method"] == reference].set_index(ACTIVE_RUN[:-1])["aulc"]
    rows = {}
    for method, g in m.groupby("method", sort=False):
        own = g.set_index(ACTIVE_RUN[:-1])["aulc"]
        both = pd.concat([own, ref], axis=1, keys=["own", "ref"], join="inner").dropna()
        ltt = g["labels_to_target"].to_numpy(dtype=float)
        rows[method] = dict(
            runs=len(g),
            median_labels_to_target=float(np.median(ltt)) if len(ltt) else np.nan,
            reached=int(g["reached"].sum()),
            reached_share=float(g["reached"].mean()) if len(g) else np.nan,
            median_aulc=float(g["aulc"].median()),
            aulc_wins=int((both["own"] > both["ref"]).sum()),
            aulc_losses=int((both["own"] < both["ref"]).sum()),
            aulc_win_share=float((both["own"] > both["ref"]).mean()) if len(both) else np.nan)
    return pd.DataFrame.from_dict(rows, orient="index")


# ------------------------------------------------------------------ runner
def _run_task(X, y, task, cfg):
    with warnings.catch_warnings(), threadpool_limits(limits=cfg["n_threads"]):
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        curves = simulate_active_learning(
            X, y, estimator=task["estimator"], methods=task["methods"], seed=task["seed"],
            n_rounds=cfg["n_rounds"], seed_fraction=cfg["seed_fraction"],
            batch_fraction=cfg["batch_fraction"], min_per_class=cfg["min_per_class"],
            test_size=cfg["test_size"])
    curves.insert(0, "seed", int(task["seed"]))
    curves.insert(0, "estimator", task["estimator"])
    curves.insert(0, "dataset", task["dataset"])
    return curves.reindex(columns=ACTIVE_COLUMNS), time.perf_counter() - t0


def _done_runs(path):
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=ACTIVE_COLUMNS), set()
    done = pd.read_csv(path)
    keys = {(str(d), str(e), int(s), str(m)) for d, e, s, m in
            done[ACTIVE_RUN].drop_duplicates().itertuples(index=False)}
    return done, keys


#: Rough seconds of one base fit on 1,000 rows (one thread), for the plan.
_FIT_SECONDS = {"lr": 0.03, "xgb": 0.15, "hgb": 0.3}


def run_tasks(run_task, tasks, data, cfg, *, path, n_jobs, progress, describe):
    """Run a benchmark mode's tasks as parallel jobs (``run_task(*data[dataset],
    task, cfg) -> (frame, seconds)``); each frame is appended to the CSV at
    ``path`` as soon as it comes (a run can resume), and with ``progress`` a
    line ``[k/n] describe(first row): seconds`` is printed. Returns the frames.
    Shared by the active-learning and the regression modes."""
    new = []
    results = parallel(n_jobs, return_as="generator_unordered")(
        delayed(run_task)(*data[t["dataset"]], t, cfg) for t in tasks)
    for k, (frame, secs) in enumerate(results, 1):
        new.append(frame)
        if path is not None:
            frame.to_csv(path, mode="a", header=not path.exists(), index=False,
                         float_format=FLOAT_FORMAT)
        if progress:
            n_err = int((frame["error"].astype("string").fillna("").astype(str) != "").sum())
            print(f"[{k}/{len(tasks)}] {describe(frame.iloc[0])}: {secs:.1f} s" +
                  (f", {n_err} error(s)" if n_err else ""), flush=True)
    return new


def _plan_seconds(n_pool, estimator, synthesis, n_rounds, batch_fraction, seed_fraction):
    # fits per round: model_0, the refit after acquisition, the final refit
    # (+ 5 out-of-fold fits and the round's refit with synthesis); rows grow
    # from the seed set to the budget
    fits = 8 if synthesis else 3
    mean_rows = n_pool * (seed_fraction + batch_fraction * n_rounds / 2)
    per_fit = _FIT_SECONDS.get(estimator, 0.1) * max(0.3, mean_rows / 1000)
    return (n_rounds + 1) * (fits * per_fit + 0.15)


def run_active_benchmark(datasets, *, estimators=("lr",), strategies=ACTIVE_STRATEGIES,
                         synthesis=(False, True), seeds=5, n_rounds=12, seed_fraction=0.02,
                         batch_fraction=0.02, min_per_class=3, test_size=0.3,
                         max_rows=3000, target="target", data_dir=None, output_dir=None,
                         n_jobs=1, n_threads=1, progress=True, dry_run=False):
    """The active-learning benchmark: learning curves of every method on every run.

    Parameters
    ----------
    datasets : list of str or dict
        Names for :func:`load_dataset`, or a dict ``name -> (X, y)``.
    estimators : list of {"lr", "hgb", "xgb"}, default=("lr",)
    strategies : list of str, default=ACTIVE_STRATEGIES
        Query strategies; ``"random"`` (the control) is added when missing.
    synthesis : sequence of bool, default=(False, True)
        Run each strategy without synthesis, with it, or both.
    seeds : int or list of int, default=5
    n_rounds, seed_fraction, batch_fraction, min_per_class, test_size
        See :func:`simulate_active_learning`.
    max_rows : int or None, default=3000
        Stratified cap on each dataset's rows.
    target, data_dir
        See :func:`load_dataset`.
    output_dir : str or path, default=None
        Where ``curves.csv`` goes (one row per curve and round); runs already
        in it are skipped (resume). ``None``: nothing is written.
    n_jobs : int, default=1
        Runs (dataset × estimator × seed) in parallel (joblib).
    n_threads : int, default=1
        BLAS/OpenMP threads inside each run.
    progress : bool, default=True
        Print the plan and a progress line per finished run.
    dry_run : bool, default=False
        Print the plan and stop.

    Returns
    -------
    curves : DataFrame
        ``ACTIVE_COLUMNS``; earlier runs of ``output_dir`` included.
        ``curves.attrs["plan"]`` is the plan text.
    """
    from ._datasets import load_dataset

    strategies = list(strategies)
    if "random" not in strategies:
        strategies = ["random"] + strategies
    methods = active_methods(strategies, synthesis)
    seeds = list(range(seeds)) if isinstance(seeds, (int, np.integer)) else list(seeds)
    cfg = dict(n_rounds=int(n_rounds), seed_fraction=float(seed_fraction),
               batch_fraction=float(batch_fraction), min_per_class=int(min_per_class),
               test_size=float(test_size), n_threads=int(n_threads))
    data = {}
    items = datasets.items() if isinstance(datasets, dict) else [(d, None) for d in datasets]
    for name, Xy in items:
        if Xy is not None:
            data[str(name)] = (pd.DataFrame(Xy[0]).reset_index(drop=True),
                               np.asarray(Xy[1]).astype(np.int64))
            continue
        bunch = load_dataset(name, target=target, data_dir=data_dir, max_rows=max_rows)
        data[bunch.name] = (bunch.X, bunch.y)
    out = Path(output_dir) if output_dir is not None else None
    path = out / "curves.csv" if out is not None else None
    done, keys = _done_runs(path)
    tasks, seconds = [], 0.0
    # estimator first: a run stopped early leaves whole estimators behind
    for est in estimators:
        for name, (_, y) in data.items():
            n_pool = int(round(len(y) * (1 - test_size)))
            for seed in seeds:
                todo = [m for m in methods if (name, est, int(seed), m[0]) not in keys]
                if todo:
                    tasks.append(dict(dataset=name, estimator=est, seed=int(seed),
                                      methods=todo))
                    seconds += sum(_plan_seconds(n_pool, est, syn, n_rounds, batch_fraction,
                                                 seed_fraction) for _, _, syn in todo)
    workers = max(1, n_jobs if n_jobs > 0 else 2)
    plan = (f"Active-learning plan: {len(tasks)} runs (dataset x estimator x seed) of "
            f"{len(methods)} methods ({', '.join(m for m, _, _ in methods)}), "
            f"{n_rounds} rounds of {batch_fraction:g} of the pool after a seed set of "
            f"{seed_fraction:g} (>= {min_per_class} per class); {len(data)} datasets, "
            f"max_rows={max_rows}; {len(keys)} curves already done; rough time "
            f"{seconds / workers / 60:.0f} min with {workers} worker(s).")
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
                    describe=lambda r: f"{r['dataset']} {r['estimator']} seed {r['seed']}")
    frames = ([done] if len(done) else []) + new
    curves = pd.concat(frames, ignore_index=True) if frames else done
    curves = curves.reindex(columns=ACTIVE_COLUMNS)
    curves.attrs["plan"] = plan
    return curves
