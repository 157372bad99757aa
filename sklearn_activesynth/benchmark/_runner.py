"""The benchmark loop: datasets x estimators x real-data fractions x seeds x methods.

One *task* is a (dataset, estimator, fraction, seed) cell: it draws the split,
applies the data constraints, then runs every method not yet in the output
CSV (the targeted run before its class-matched control). Tasks go through
joblib, so ``with joblib.parallel_config(backend="dask"):`` spreads them over
a Dask cluster; finished runs are appended to the CSV as tasks complete, which
makes the benchmark resumable.
"""

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    roc_auc_score,
)
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from .._active_synthesis import ActiveSynthesisClassifier
from ..metrics import expected_calibration_error, recall_at_precision, reliability_curve
from ..uncertainty import entropy
from ..utils._parallel import delayed, parallel
from ._datasets import (
    DATA_DIR_ENV,
    add_label_noise,
    add_missing_values,
    data_help,
    default_data_dir,
    induce_imbalance,
    load_dataset,
    split_dataset,
)
from ._methods import (
    BALANCED_METHODS,
    DEFAULT_GENERATORS,
    DEFAULT_METHODS,
    ESTIMATORS,
    GENERATORS,
    LOOP_METHODS,
    METHODS,
    SAMPLERS,
    SELECTION_ARMS,
    SELECTION_METHODS,
    available_generators,
    make_balanced_sampler,
    make_balanced_smote,
    make_calibrated,
    make_estimator,
    make_generator,
    make_sampler,
    make_tuned,
)

__all__ = ["run_benchmark", "RUN_KEYS", "RUN_COLUMNS", "RELIABILITY_COLUMNS"]

#: Columns that identify one run; a run whose key is in the output CSV is skipped.
RUN_KEYS = ["dataset", "estimator", "fraction", "seed", "imbalance", "label_noise",
            "missing", "method", "generator", "budget"]
METRICS = ["accuracy", "balanced_accuracy", "f1", "roc_auc", "pr_auc",
           "recall_at_precision", "ece", "brier", "test_uncertainty",
           "uncertainty_reduction"]
#: Every column of ``runs.csv`` (documented in benchmarks/README.md).
RUN_COLUMNS = RUN_KEYS + [
    "n_train", "n_test", "n_classes", "minority_share_train",
    *METRICS,
    "synthetic_rows", "synthetic_requested", "rounds_accepted", "synthetic_class_mix",
    "arm_pulls", "fit_seconds", "predict_seconds",
    "max_iter", "validation_fraction", "precision_target", "max_rows", "degenerate", "error",
]
#: ``degenerate``: why a run's predictions carry no ranking (empty when they do).
DEGENERATE = {
    "constant_proba": "the same probabilities for every test row (a constant model: "
                      "ROC AUC 0.5, PR-AUC the prevalence)",
    "single_class": "one class predicted for every test row",
}
RELIABILITY_COLUMNS = RUN_KEYS + ["bin", "count", "mean_predicted", "observed"]
RELIABILITY_BINS = 10
ECE_BINS = 15
NO_GENERATOR = "none"
FLOAT_FORMAT = "%.6g"  # scores to 6 significant digits keep the committed CSVs small


def _norm(value):
    if isinstance(value, (float, np.floating)):
        return round(float(value), 6)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return str(value)


def _key(row):
    return tuple(_norm(row[k]) for k in RUN_KEYS)


def _full_proba(est, proba, n_classes):
    classes = np.asarray(getattr(est, "classes_", np.arange(proba.shape[1])))
    if proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, classes.astype(int)] = proba
    return out


def _scores(y_true, proba, n_classes, precision):
    pred = proba.argmax(axis=1)
    out = dict(accuracy=accuracy_score(y_true, pred),
               balanced_accuracy=balanced_accuracy_score(y_true, pred))
    present = np.unique(y_true)
    if n_classes == 2:
        p1 = proba[:, 1]
        out["f1"] = f1_score(y_true, pred, zero_division=0.0)
        two = len(present) == 2
        out["roc_auc"] = roc_auc_score(y_true, p1) if two else np.nan
        out["pr_auc"] = average_precision_score(y_true, p1) if two else np.nan
        out["recall_at_precision"] = recall_at_precision(y_true, p1, precision=precision)
        calib = p1
    else:
        out["f1"] = f1_score(y_true, pred, average="macro", zero_division=0.0)
        try:
            out["roc_auc"] = roc_auc_score(y_true, proba, multi_class="ovr",
                                           labels=np.arange(n_classes))
        except ValueError:  # a class absent from the test rows
            out["roc_auc"] = np.nan
        out["pr_auc"] = float(np.mean([average_precision_score(y_true == c, proba[:, c])
                                       for c in present]))
        out["recall_at_precision"] = np.nan
        calib = proba
    out["ece"] = expected_calibration_error(y_true, calib, n_bins=ECE_BINS)
    # binary: mean (p1 - 1[y=1])^2; multiclass: scikit-learn's brier_score_loss is
    # the mean over rows of sum_c (p_c - 1[y=c])^2 (not halved), labels= keeps a
    # class absent from the test rows
    out["brier"] = float(brier_score_loss(y_true, calib, pos_label=1, labels=[0, 1])
                         if n_classes == 2 else
                         brier_score_loss(y_true, proba, labels=np.arange(n_classes)))
    out["test_uncertainty"] = float(np.mean(entropy(proba, normalize=True)))
    rel = reliability_curve(y_true, calib, n_bins=RELIABILITY_BINS)
    return out, rel


class _Cell:
    """The data of one (dataset, estimator, fraction, seed) cell."""

    def __init__(self, X, y, *, fraction, seed, test_size, imbalance, label_noise, missing):
        tr, te = split_dataset(y, fraction, seed, test_size=test_size)
        rng = np.random.RandomState(seed)
        X_tr, y_tr = X.iloc[tr], y[tr]
        if imbalance:
            keep = induce_imbalance(y_tr, imbalance, rng)
            X_tr, y_tr = X_tr.iloc[keep], y_tr[keep]
        if label_noise:
            y_tr = add_label_noise(y_tr, label_noise, rng)
        X_te, y_te = X.iloc[te], y[te]
        if missing:
            X_tr = add_missing_values(X_tr, missing, rng)
            X_te = add_missing_values(X_te, missing, rng)
        self.X_train, self.y_train = X_tr.reset_index(drop=True), np.asarray(y_tr)
        self.X_test, self.y_test = X_te.reset_index(drop=True), np.asarray(y_te)
        self.n_classes = int(y.max()) + 1
        self.seed = int(seed)


def _fit_sampler(method, base, cell, n_syn):
    """Encode, resample, fit; returns a fitted Pipeline and the rows added."""
    prep = clone(base.named_steps["prep"])
    clf = clone(base.named_steps["clf"])
    Z = prep.fit_transform(cell.X_train, cell.y_train)
    sampler = make_sampler(method, cell.y_train, n_syn, cell.seed)
    Z_res, y_res = sampler.fit_resample(Z, cell.y_train)
    clf.fit(Z_res, y_res)
    added = np.bincount(y_res, minlength=cell.n_classes) - \
        np.bincount(cell.y_train, minlength=cell.n_classes)
    mix = {int(c): int(n) for c, n in enumerate(added) if n > 0}
    return Pipeline([("prep", prep), ("clf", clf)]), int(added.sum()), mix


def _loop(cfg, cell, method, generator, n_syn, mix):
    """An unfitted ActiveSynthesisClassifier for a loop method, and the rows it asks for.

    ``mix`` (label -> rows) is the targeted run's class mix, for ``random_matched``.
    """
    base = make_estimator(cfg["estimator"], seed=cell.seed, n_classes=cell.n_classes)
    vf = cfg["validation_fraction"]
    # the generator is fitted on the loop's training split only
    gen = make_generator(generator, cell.y_train, fit_share=1.0 if vf is None else 1 - vf,
                         params=cfg["generator_params"].get(generator))
    # loop_params are shared by every cell: clone the objects among them (a
    # Targeting) so that the overrides below never reach another run; nested
    # names (``targeting__density_weight``) are set after construction
    kw = {k: clone(v, safe=False) for k, v in cfg["loop_params"].items()}
    nested = {k: kw.pop(k) for k in list(kw) if "__" in k}
    max_iter = int(kw.pop("max_iter", cfg["max_iter"]))
    per_round = int(round(n_syn / max_iter)) if max_iter else 0
    kw.update(estimator=base, generator=gen, random_state=cell.seed, n_jobs=1,
              max_iter=max_iter, n_synthetic=per_round, validation_fraction=vf)
    targeting = {}  # overrides of the targeting's knobs (its anchors, its class mix)
    if method == "active":
        kw.setdefault("targeting", "uncertain")
    elif method == "random":
        targeting["anchors"] = "random"
    elif method == "random_matched":
        if mix is None:
            raise RuntimeError(
                "the targeted run of this cell failed, so the class-matched control "
                "has no class mix to copy")
        targeting["anchors"] = "random"
        total = sum(mix.values())
        if total:
            targeting["class_allocation"] = {int(c): n / total for c, n in mix.items()}
        else:  # the targeted run kept no rows: neither does its control
            kw["n_synthetic"] = 0
    elif method == "untargeted":
        targeting.update(anchors="random", class_allocation="proportional")
        kw.update(max_iter=1, n_synthetic=int(n_syn), validation_fraction=None)
    est = ActiveSynthesisClassifier(**kw)
    est.set_params(**{**nested, **{f"targeting__{k}": v for k, v in targeting.items()}})
    requested = int(kw["n_synthetic"]) * int(kw["max_iter"])
    return est, requested


def _selection(cfg, cell, method, generator, n_syn):
    """An unfitted ActiveSynthesisClassifier with a UCBSelector, and the rows it
    asks for: ``selection`` over the default arms with the validation guard on
    (the run's ``validation_fraction``, 0.2 when the run has none), ``arm_<name>``
    the default arm ``<name>`` alone with the guard off (every round kept)."""
    from ..selection import UCBSelector, default_arms

    base = make_estimator(cfg["estimator"], seed=cell.seed, n_classes=cell.n_classes)
    if method == "selection":
        vf = 0.2 if cfg["validation_fraction"] is None else cfg["validation_fraction"]
        selector = UCBSelector()
    else:
        vf = None
        arms = [a for a in default_arms() if a.name == SELECTION_ARMS[method]]
        if len(arms) != 1:
            raise ValueError(f"method {method!r}: default_arms() has no arm "
                             f"{SELECTION_ARMS[method]!r}")
        selector = UCBSelector(arms=arms)
    gen = make_generator(generator, cell.y_train, fit_share=1.0 if vf is None else 1 - vf,
                         params=cfg["generator_params"].get(generator))
    kw = {k: clone(v, safe=False) for k, v in cfg["loop_params"].items()}
    nested = {k: kw.pop(k) for k in list(kw) if "__" in k}
    max_iter = int(kw.pop("max_iter", cfg["max_iter"]))
    per_round = int(round(n_syn / max_iter)) if max_iter else 0
    kw.update(estimator=base, generator=gen, selector=selector, random_state=cell.seed,
              n_jobs=1, max_iter=max_iter, n_synthetic=per_round, validation_fraction=vf)
    est = ActiveSynthesisClassifier(**kw)
    if nested:
        est.set_params(**nested)
    return est, per_round * max_iter


def _degenerate(proba, n_classes):
    """``"constant_proba"``, ``"single_class"`` or ``""`` (see ``DEGENERATE``)."""
    if len(proba) > 1 and np.ptp(proba, axis=0).max() <= 1e-9:
        return "constant_proba"
    if n_classes > 1 and len(proba) > 1 and len(np.unique(proba.argmax(axis=1))) == 1:
        return "single_class"
    return ""


def _n_synthetic(budget, n_train, max_iter):
    """Rows per run at ``budget``: a whole number per round, the same total for
    every synthetic method of a cell."""
    rounds = max(1, int(max_iter))
    return int(round(budget * n_train / rounds)) * rounds


def _run_one(cfg, cell, method, generator, budget, mixes):
    """Fit and score one method; returns (row, reliability rows)."""
    n_train = len(cell.y_train)
    n_syn = _n_synthetic(budget, n_train, cfg["loop_params"].get("max_iter", cfg["max_iter"]))
    row = dict(n_train=n_train, n_test=len(cell.y_test), n_classes=cell.n_classes,
               minority_share_train=float(np.bincount(
                   cell.y_train, minlength=cell.n_classes).min() / n_train),
               synthetic_rows=0, synthetic_requested=0, rounds_accepted=np.nan,
               synthetic_class_mix="{}", degenerate="", error="")
    est_name, seed = cfg["estimator"], cell.seed
    t0 = time.perf_counter()
    try:
        if method == "real_only":
            est = make_estimator(est_name, seed=seed, n_classes=cell.n_classes)
            est.fit(cell.X_train, cell.y_train)
        elif method == "real_tuned":
            est = make_tuned(est_name, seed=seed, n_train=n_train, y_train=cell.y_train)
            est.fit(cell.X_train, cell.y_train)
        elif method == "calibrated":
            base = make_estimator(est_name, seed=seed, n_classes=cell.n_classes)
            est = make_calibrated(base, cell.y_train, seed).fit(cell.X_train, cell.y_train)
        elif method in SAMPLERS:
            base = make_estimator(est_name, seed=seed, n_classes=cell.n_classes)
            est, used, mix = _fit_sampler(method, base, cell, n_syn)
            row.update(synthetic_rows=used, synthetic_requested=n_syn,
                       synthetic_class_mix=json.dumps(mix))
        elif method in BALANCED_METHODS:
            base = make_estimator(est_name, seed=seed, n_classes=cell.n_classes)
            if method == "smote_balanced":
                est = make_balanced_smote(base, cell.X_train, cell.y_train, seed)
            else:
                est = make_balanced_sampler(base, make_generator(
                    generator, cell.y_train, params=cfg["generator_params"].get(generator)),
                    seed, cfg["max_iter"])
            est.fit(cell.X_train, cell.y_train)
            sampler = est.named_steps["sampler"]
            asked = {int(c): int(n) for c, n in sampler.sampling_strategy_.items()}
            added = asked if method == "smote_balanced" else {
                int(c): int(n) for c, n in zip(*np.unique(sampler.synthetic_y_,
                                                          return_counts=True))}
            row.update(synthetic_rows=sum(added.values()),
                       synthetic_requested=sum(asked.values()),
                       synthetic_class_mix=json.dumps(added))
        elif method == "active_defaults":
            # the library as shipped: only the base estimator and the seed are set
            base = make_estimator(est_name, seed=seed, n_classes=cell.n_classes)
            est = ActiveSynthesisClassifier(base, random_state=seed)
            est.fit(cell.X_train, cell.y_train)
            counts = np.bincount(np.asarray(est.synthetic_y_, dtype=int),
                                 minlength=cell.n_classes)
            hist = est.history_
            row.update(synthetic_rows=int(len(est.synthetic_y_)),
                       rounds_accepted=int((hist["accepted"].astype(bool)
                                            & (hist["round"] > 0)).sum()),
                       synthetic_class_mix=json.dumps(
                           {int(c): int(n) for c, n in enumerate(counts) if n > 0}))
        elif method in LOOP_METHODS:
            est, requested = _loop(cfg, cell, method, generator, n_syn,
                                   mixes.get((generator, _norm(budget))))
            est.fit(cell.X_train, cell.y_train)
            counts = np.bincount(np.asarray(est.synthetic_y_, dtype=int),
                                 minlength=cell.n_classes)
            mix = {int(c): int(n) for c, n in enumerate(counts) if n > 0}
            hist = est.history_
            row.update(synthetic_rows=int(len(est.synthetic_y_)),
                       synthetic_requested=requested,
                       rounds_accepted=int((hist["accepted"].astype(bool)
                                            & (hist["round"] > 0)).sum()),
                       synthetic_class_mix=json.dumps(mix))
            if method == "active":
                mixes[(generator, _norm(budget))] = mix
        elif method in SELECTION_METHODS:
            est, requested = _selection(cfg, cell, method, generator, n_syn)
            row["validation_fraction"] = est.validation_fraction
            est.fit(cell.X_train, cell.y_train)
            counts = np.bincount(np.asarray(est.synthetic_y_, dtype=int),
                                 minlength=cell.n_classes)
            hist = est.history_
            row.update(synthetic_rows=int(len(est.synthetic_y_)),
                       synthetic_requested=requested,
                       rounds_accepted=int((hist["accepted"].astype(bool)
                                            & (hist["round"] > 0)).sum()),
                       synthetic_class_mix=json.dumps(
                           {int(c): int(n) for c, n in enumerate(counts) if n > 0}))
            if method == "selection":
                sel = est.selection_
                row["arm_pulls"] = json.dumps(
                    {str(a): int(n) for a, n in zip(sel["arm"], sel["pulls"])})
        else:
            raise ValueError(f"Unknown method {method!r}; known: {sorted(METHODS)}.")
        row["fit_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = np.asarray(est.predict_proba(cell.X_test), dtype=float)
        est.predict(cell.X_test)
        row["predict_seconds"] = time.perf_counter() - t0
        proba = _full_proba(est, proba, cell.n_classes)
        scores, rel = _scores(cell.y_test, proba, cell.n_classes, cfg["precision"])
        row.update(scores, degenerate=_degenerate(proba, cell.n_classes))
    except Exception as exc:  # one failing method must not sink the benchmark
        row.update(error=f"{type(exc).__name__}: {exc}"[:500],
                   fit_seconds=time.perf_counter() - t0)
        rel = None
    rel_rows = []
    if rel is not None:
        for b, (pred, obs, cnt) in enumerate(zip(*rel)):
            if cnt > 0:
                rel_rows.append(dict(bin=b, count=int(cnt), mean_predicted=float(pred),
                                     observed=float(obs)))
    return row, rel_rows


def _run_task(cfg, X, y, task):
    """All pending methods of one cell; returns (run rows, reliability rows)."""
    rows, rel_rows = [], []
    ident = dict(dataset=task["dataset"], estimator=task["estimator"],
                 fraction=float(task["fraction"]), seed=int(task["seed"]),
                 imbalance=float(cfg["imbalance"] or 0.0),
                 label_noise=float(cfg["label_noise"]), missing=float(cfg["missing"]))
    cfg = dict(cfg, estimator=task["estimator"])
    mixes = dict(task["mixes"])
    # a cell is one job: joblib calls inside it (scikit-learn's ColumnTransformer,
    # NearestNeighbors) run in its process, as in a loky worker; joblib's Dask
    # backend would otherwise send each of them back to the cluster as tasks
    with warnings.catch_warnings(), threadpool_limits(limits=cfg["n_threads"]), \
            parallel_config(backend="sequential"):
        warnings.simplefilter("ignore")
        try:
            cell = _Cell(X, y, fraction=task["fraction"], seed=task["seed"],
                         test_size=cfg["test_size"], imbalance=cfg["imbalance"],
                         label_noise=cfg["label_noise"], missing=cfg["missing"])
        except Exception as exc:
            cell, cell_error = None, f"{type(exc).__name__}: {exc}"[:500]
        for method, generator, budget in task["specs"]:
            key = dict(ident, method=method, generator=generator, budget=float(budget))
            if cell is None:
                row, rel = dict(error=cell_error), []
            else:
                row, rel = _run_one(cfg, cell, method, generator, budget, mixes)
            # the selection methods record the guard they ran with (see _selection)
            vf = row.pop("validation_fraction", cfg["validation_fraction"])
            row.update(max_iter=cfg["max_iter"],
                       validation_fraction=np.nan if vf is None else vf,
                       precision_target=cfg["precision"],
                       max_rows=cfg["max_rows"] if cfg["max_rows"] else np.nan)
            rows.append({**key, **row})
            rel_rows.extend({**key, **r} for r in rel)
    return rows, rel_rows


def uncertainty_map(X, y, path, *, cfg, fraction, seed, generator, budget,
                    title_prefix=""):
    """Refit the targeted loop on one cell and draw its uncertainty map."""
    from ._plots import plot_uncertainty_map

    with warnings.catch_warnings(), threadpool_limits(limits=cfg.get("n_threads", 1)):
        warnings.simplefilter("ignore")
        cell = _Cell(X, y, fraction=fraction, seed=seed, test_size=cfg["test_size"],
                     imbalance=cfg["imbalance"], label_noise=cfg["label_noise"],
                     missing=cfg["missing"])
        est, _ = _loop(cfg, cell, "active", generator, _n_synthetic(
            budget, len(cell.y_train), cfg["loop_params"].get("max_iter", cfg["max_iter"])),
            None)
        est.fit(cell.X_train, cell.y_train)
        title = (f"{title_prefix}: " if title_prefix else "") + \
            f"{cfg['estimator']}, {fraction:.0%} real, seed {seed}; " \
            f"{len(est.synthetic_y_)} synthetic rows (x)"
        return plot_uncertainty_map(est, cell.X_train, cell.y_train, path,
                                    random_state=seed, title=title)


def _specs(methods, generators, budget, eff_budgets, eff_methods, efficiency):
    """Ordered (method, generator, budget) runs of one cell."""
    specs = []
    for m in methods:
        if m in LOOP_METHODS or m in SELECTION_METHODS or m == "sampler_balanced":
            continue
        specs.append((m, NO_GENERATOR, float(budget) if m in SAMPLERS else 0.0))
    if "sampler_balanced" in methods:  # once per generator, no budget (full balancing)
        specs.extend(("sampler_balanced", g, 0.0) for g in generators)
    loop = [m for m in LOOP_METHODS if m in methods]
    budgets = [float(budget)]
    if efficiency:
        budgets += [float(b) for b in eff_budgets if _norm(b) != _norm(budget)]
    for g in generators:
        for b in budgets:
            wanted = loop if _norm(b) == _norm(budget) else \
                [m for m in loop if m in eff_methods]
            if "random_matched" in wanted and "active" not in wanted:
                wanted = wanted + ["active"]
            # the targeted run first: its class mix defines the control
            order = sorted(wanted, key=lambda m: ("active", "random_matched", "random",
                                                  "untargeted").index(m))
            specs.extend((m, g, b) for m in order)
            specs.extend((m, g, b) for m in SELECTION_METHODS if m in methods and (
                _norm(b) == _norm(budget) or m in eff_methods))
    return specs


#: Rough seconds of one base fit on 1,000 training rows (2 cores, one thread), and
#: the base fits each method makes; the cost estimate printed before a run.
_FIT_SECONDS = {"lr": 0.03, "xgb": 0.15, "hgb": 0.3}
_FITS = {"real_only": 1, "real_tuned": 25, "calibrated": 4, "smote": 1.5,
         "borderline_smote": 1.5, "adasyn": 1.5, "untargeted": 8, "random": 20,
         "random_matched": 20, "active": 20, "active_defaults": 20}
#: Rough seconds to fit a generator once (per loop run).
_GENERATOR_SECONDS = {"interpolation": 0.1, "gaussian_copula": 5.0, "ctgan": 90.0,
                      "tvae": 45.0, "llm": 60.0}


def _rough_seconds(method, generator, estimator, n_train, max_iter):
    fits = _FITS.get(method, 20)
    loop = method in LOOP_METHODS or method in SELECTION_METHODS
    if loop or method == "active_defaults":
        fits = 2 + max(1, max_iter) * 6 if method != "untargeted" else 8
    if method == "selection":  # two arms tried per round (UCBSelector's default)
        fits += max(1, max_iter) * 2
    seconds = fits * _FIT_SECONDS.get(estimator, 0.1) * max(1.0, n_train / 1000) + 0.05
    if loop or method == "active_defaults":
        seconds += 1.0  # the loop's own work (scoring, targeting, copies)
    if loop:
        seconds += _GENERATOR_SECONDS.get(generator, 10.0)
    return seconds


def _duration(seconds):
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _plan_text(tasks, data, cfg, n_jobs, generators, n_done):
    """What a run will do and roughly cost, printed before it starts."""
    n_runs = sum(len(t["specs"]) for t in tasks)
    seconds = 0.0
    for t in tasks:
        n_train = int(round(len(data[t["dataset"]][1]) * t["fraction"]))
        seconds += sum(_rough_seconds(m, g, t["estimator"], n_train, cfg["max_iter"])
                       for m, g, _ in t["specs"])
    workers = max(1, n_jobs if n_jobs > 0 else 2)
    vf = cfg["validation_fraction"]
    guard = ("off (validation_fraction=None: every round kept, so the targeted run and "
             "its controls use the same rows), unlike the library's default "
             "validation_fraction=0.2; the method active_defaults runs the library as "
             "shipped" if vf is None else f"on (validation_fraction={vf})")
    lines = [
        f"Plan: {n_runs} runs in {len(tasks)} cells ({len(data)} datasets), "
        f"{n_done} runs already done; rough time {_duration(seconds / workers)} "
        f"with {workers} worker(s) (an estimate from typical fit times; SDV and LLM "
        "generators vary most).",
        f"Generators: {', '.join(generators) or 'none'} (others run only when named: "
        f"--generators {' '.join(GENERATORS)}).",
        f"Validation guard of the loop methods: {guard}.",
    ]
    selected = {m for t in tasks for m, _, _ in t["specs"] if m in SELECTION_METHODS}
    if selected:
        sel_vf = 0.2 if vf is None else vf
        lines.append(
            "Selection methods: " + ", ".join(m for m in SELECTION_METHODS if m in selected)
            + f" (selection rewards its arms on validation rows: "
              f"validation_fraction={sel_vf}; each arm_<name> runs that arm alone with "
              "the guard off).")
    return "\n".join(lines)


def _read_done(csv_path):
    if csv_path is None or not Path(csv_path).exists():
        return pd.DataFrame(columns=RUN_COLUMNS)
    return pd.read_csv(csv_path, keep_default_na=True)


def _append(path, rows, columns):
    if not rows:
        return
    df = pd.DataFrame(rows).reindex(columns=columns)
    new = not path.exists()
    if not new and list(pd.read_csv(path, nrows=0).columns) != list(columns):
        # a run written before a column was added (brier, arm_pulls): rewrite it
        # with today's columns so that appended rows line up with the header
        old = pd.read_csv(path, keep_default_na=True).reindex(columns=columns)
        old.to_csv(path, index=False, float_format=FLOAT_FORMAT)
    df.to_csv(path, mode="a", header=new, index=False, float_format=FLOAT_FORMAT)


def add_uncertainty_reduction(df):
    """``uncertainty_reduction``: relative drop of the mean test-set entropy
    against real-only in the same cell (seed 000 §2.5, item 4)."""
    df = df.copy()
    cell = ["dataset", "estimator", "fraction", "seed", "imbalance", "label_noise", "missing"]
    ref = df[(df["method"] == "real_only") & df["test_uncertainty"].notna()]
    ref = ref.drop_duplicates(cell).set_index(cell)["test_uncertainty"]
    base = pd.Series(pd.MultiIndex.from_frame(df[cell]).map(ref.to_dict().get),
                     index=df.index, dtype=float) if len(ref) else \
        pd.Series(np.nan, index=df.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["uncertainty_reduction"] = np.where(base > 0, 1 - df["test_uncertainty"] / base,
                                               np.nan)
    return df


def run_benchmark(datasets, *, estimators=("lr",), methods=DEFAULT_METHODS, generators=None,
                  fractions=(0.1, 0.3, 0.5), seeds=5, budget=0.3, efficiency_budgets=(),
                  efficiency_datasets=None, efficiency_fractions=None,
                  efficiency_methods=("active", "random_matched"),
                  max_iter=3, validation_fraction=None, loop_params=None,
                  generator_params=None, imbalance=None, label_noise=0.0, missing=0.0,
                  test_size=0.3, max_rows=20000, precision=0.8, target="target",
                  data_dir=None, output_dir=None, n_jobs=1, n_threads=1, progress=True,
                  report=True, plots=True, uncertainty_maps=True, skip_missing=True,
                  dry_run=False):
    """Cross-validated comparison of active synthesis with its controls and baselines.

    For every dataset, base estimator, real-data fraction and seed, a
    stratified test split (``test_size``) is held out and a stratified
    ``fraction`` of all rows is drawn for training (seed 000 §2.1); then every
    method is fitted on those rows and scored on the test rows (§2.5).

    Parameters
    ----------
    datasets : list of str or dict
        Names for :func:`load_dataset` (built-in names, CSV stems in
        ``data_dir``, CSV paths), or a dict ``name -> (X, y)``.
    estimators : list of {"lr", "xgb", "hgb"}, default=("lr",)
        Base estimators; every method wraps the same one.
    methods : list of str, default=DEFAULT_METHODS
        See ``METHODS``. ``random_matched`` needs the targeted run of the same
        cell, which is added when missing. ``selection`` (the UCB bandit over
        the default arms, guard on: ``validation_fraction`` or 0.2) and
        ``arm_<name>`` (one default arm alone, guard off) run once per
        generator, like the loop methods.
    generators : list of str, default=None
        Generators for the synthesis methods; ``None`` means
        ``["interpolation"]`` (the built-in one). Others (``"gaussian_copula"``,
        ``"ctgan"``, ``"tvae"``, ``"llm"``) run only when named, and a named
        generator whose extra is not installed is an error.
    fractions : list of float, default=(0.1, 0.3, 0.5)
        Share of all rows used for training.
    seeds : int or list of int, default=5
        ``n`` means seeds ``0..n-1``; each seed is a different split (and
        model seed).
    budget : float, default=0.3
        Synthetic rows over all rounds, as a share of the real training rows,
        for every synthetic method (SMOTE included).
    efficiency_budgets : list of float, default=()
        Extra budgets at which ``efficiency_methods`` also run, for the
        synthetic-data efficiency curve.
    efficiency_datasets : list of str, default=None
        Datasets the efficiency budgets run on (``None``: all).
    efficiency_fractions : list of float, default=None
        Real-data fractions the efficiency budgets run on (``None``: all).
    efficiency_methods : list of str, default=("active", "random_matched")
    max_iter : int, default=3
        Rounds of the loop methods; each round requests ``budget / max_iter``.
    validation_fraction : float or None, default=None
        The loop's validation guard. ``None`` (the default here) accepts every
        round, so the targeted run and its control use exactly the same number
        of synthetic rows; a float turns the guard on (rows used then differ
        and are reported in ``synthetic_rows``).
    loop_params : dict, default=None
        More ``ActiveSynthesisClassifier`` parameters for the loop methods
        (e.g. ``{"uncertainty_cv": 3}``); nested names work too
        (``{"targeting__density_weight": 0.3}``). The control methods keep the
        targeting's other knobs and replace its anchors (and class mix).
    generator_params : dict, default=None
        ``generator name -> constructor parameters``.
    imbalance : float, default=None
        Induced imbalance of the training rows: every class is cut to at most
        this ratio of the largest class (§2.1).
    label_noise : float, default=0.0
        Share of training labels flipped to another class.
    missing : float, default=0.0
        Share of feature cells blanked, training and test rows alike.
    test_size : float, default=0.3
    max_rows : int, default=20000
        Stratified cap on each dataset's rows before splitting.
    precision : float, default=0.8
        The precision held by ``recall_at_precision``.
    target : str, default="target"
        Label column of CSV datasets.
    data_dir : str or path, default=None
        Folder of named CSVs; ``None``: ``$SKLEARN_ACTIVESYNTH_DATA``, else
        ``../shared/datasets`` (:func:`default_data_dir`). Built-in names
        need no folder.
    output_dir : str or path, default=None
        Where ``runs.csv``, ``reliability.csv``, the report and the plots go.
        Runs already in ``runs.csv`` are skipped (resume). ``None``: nothing
        is written and nothing is resumed.
    n_jobs : int, default=1
        Cells in parallel (joblib; a Dask backend works).
    n_threads : int, default=1
        BLAS/OpenMP threads inside each cell.
    progress : bool, default=True
        Print the plan (runs, cells, rough time, generators, the validation
        guard) before running, and a tqdm progress bar over cells.
    report, plots : bool, default=True
        Write ``results.md`` / the PNG plots into ``output_dir`` at the end.
    uncertainty_maps : bool or list of str, default=True
        Datasets that get an uncertainty map (``True``: the first one): the
        targeted loop is refitted on the first estimator, fraction and seed
        and its synthetic rows are drawn over the real rows.
    skip_missing : bool, default=True
        Skip (with one warning) datasets whose CSV is not found; when none is
        left, a ``FileNotFoundError`` says how to get data.
    dry_run : bool, default=False
        Load the data and print the plan, run nothing.

    Returns
    -------
    runs : DataFrame
        One row per run (``RUN_COLUMNS``), finished runs of earlier calls
        included. ``runs.attrs["n_new_runs"]`` counts the runs computed by
        this call, ``runs.attrs["plan"]`` is the plan printed before it.
        ``degenerate`` flags runs whose predictions carry no ranking
        (``DEGENERATE``).
    """
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"Unknown methods {unknown}; known: {sorted(METHODS)}.")
    bad = [e for e in estimators if e not in ESTIMATORS]
    if bad:
        raise ValueError(f"Unknown estimators {bad}; known: {list(ESTIMATORS)}.")
    generators = list(DEFAULT_GENERATORS if generators is None else generators)
    missing_gen = [g for g in generators if g not in available_generators(generators)]
    needs_generator = any(m in LOOP_METHODS or m in SELECTION_METHODS
                          or m == "sampler_balanced" for m in methods)
    if missing_gen and needs_generator:
        extras = sorted({"llm" if GENERATORS[g][1] == "openai" else GENERATORS[g][1]
                         for g in missing_gen})
        raise ImportError(
            f"Generator(s) {missing_gen} were asked for but cannot run here: "
            f"pip install 'sklearn-activesynth[{','.join(extras)}]', or leave them out "
            f"(available: {available_generators(list(GENERATORS))}).")
    generators = [g for g in generators if g not in missing_gen]
    if not generators and needs_generator:
        raise ValueError("No generator is available for the synthesis methods.")
    seeds = list(range(seeds)) if isinstance(seeds, (int, np.integer)) else list(seeds)
    cfg = dict(max_iter=int(max_iter), validation_fraction=validation_fraction,
               loop_params=dict(loop_params or {}), generator_params=dict(generator_params or {}),
               imbalance=imbalance, label_noise=float(label_noise), missing=float(missing),
               test_size=float(test_size), precision=float(precision),
               max_rows=max_rows, n_threads=int(n_threads))

    data, absent = {}, []
    items = datasets.items() if isinstance(datasets, dict) else [(d, None) for d in datasets]
    for name, Xy in items:
        if Xy is not None:
            X, y = Xy
            data[str(name)] = (pd.DataFrame(X).reset_index(drop=True), np.asarray(y))
            continue
        try:
            bunch = load_dataset(name, target=target, data_dir=data_dir, max_rows=max_rows)
        except FileNotFoundError:
            if not skip_missing:
                raise
            absent.append(str(name))
            continue
        data[bunch.name] = (bunch.X, bunch.y)
    where = str(data_dir if data_dir is not None else default_data_dir())
    if absent and not data:
        raise FileNotFoundError(
            f"No dataset could be loaded: no CSV for {absent} in the data directory "
            f"{where!r} (--data-dir / data_dir=, or ${DATA_DIR_ENV}). " + data_help())
    if absent:
        warnings.warn(
            f"Skipping dataset{'s' if len(absent) > 1 else ''} "
            f"{', '.join(map(repr, absent))}: no CSV in the data directory {where!r}. "
            + data_help(), UserWarning)

    out = Path(output_dir) if output_dir is not None else None
    if out is not None and not dry_run:
        out.mkdir(parents=True, exist_ok=True)
    runs_path = out / "runs.csv" if out is not None else None
    rel_path = out / "reliability.csv" if out is not None else None
    done = _read_done(runs_path)
    done_keys = {_key(r) for r in done.to_dict("records")}
    done_mixes = {}
    for r in done[done["method"] == "active"].to_dict("records"):
        cell = tuple(_norm(r[k]) for k in RUN_KEYS[:7])
        mix, err = r.get("synthetic_class_mix"), r.get("error")
        if isinstance(mix, str) and (not isinstance(err, str) or not err):
            done_mixes.setdefault(cell, {})[(r["generator"], _norm(r["budget"]))] = {
                int(k): int(v) for k, v in json.loads(mix).items()}

    eff = set(data) if efficiency_datasets is None else \
        {Path(str(e)).stem for e in efficiency_datasets}
    eff_fracs = None if efficiency_fractions is None else \
        {_norm(float(f)) for f in efficiency_fractions}
    tasks = []
    ident = dict(imbalance=float(imbalance or 0.0), label_noise=float(label_noise),
                 missing=float(missing))
    # fraction first: the first fraction (the headline) completes first
    for frac in fractions:
        for name in data:
            in_eff = name in eff and (eff_fracs is None or _norm(float(frac)) in eff_fracs)
            specs = _specs(methods, generators, budget, efficiency_budgets,
                           efficiency_methods, in_eff)
            for est in estimators:
                for seed in seeds:
                    base = dict(dataset=name, estimator=est, fraction=float(frac),
                                seed=int(seed), **ident)
                    todo = [s for s in specs if _key(dict(
                        base, method=s[0], generator=s[1], budget=s[2])) not in done_keys]
                    if todo:
                        cell = tuple(_norm(base[k]) for k in RUN_KEYS[:7])
                        tasks.append(dict(base, specs=todo,
                                          mixes=done_mixes.get(cell, {})))

    plan = _plan_text(tasks, data, cfg, n_jobs, generators, len(done_keys))
    if out is not None:
        plan += f"\nOutput: {out}" + (" (resuming its runs.csv)" if len(done_keys) else "")
    if progress or dry_run:
        print(plan, flush=True)
    if dry_run:
        runs = done.reindex(columns=RUN_COLUMNS)
        runs.attrs.update(n_new_runs=0, plan=plan)
        return runs

    new_rows, new_rel = [], []
    if tasks:
        bar = tqdm(total=len(tasks), disable=not progress, desc="benchmark cells",
                   unit="cell")
        results = parallel(n_jobs, return_as="generator_unordered")(
            delayed(_run_task)(cfg, *data[t["dataset"]], t) for t in tasks)
        for rows, rel in results:
            new_rows.extend(rows)
            new_rel.extend(rel)
            if out is not None:
                _append(runs_path, rows, RUN_COLUMNS)
                _append(rel_path, rel, RELIABILITY_COLUMNS)
            bar.update(1)
            bar.set_postfix(runs=len(new_rows))
        bar.close()

    if out is not None:
        runs = _read_done(runs_path)
    else:
        runs = pd.DataFrame(new_rows).reindex(columns=RUN_COLUMNS)
    runs = add_uncertainty_reduction(runs.reindex(columns=RUN_COLUMNS))
    err = runs["error"].astype(object)
    runs["error"] = err.where(err.astype(str) != "", np.nan)  # NaN: no error, as in CSV
    if out is not None and len(runs):
        runs.to_csv(runs_path, index=False, float_format=FLOAT_FORMAT)
    runs.attrs["n_new_runs"] = len(new_rows)
    runs.attrs["plan"] = plan
    # Not in ``attrs``: pandas 3 carries ``attrs`` through concat/groupby and
    # compares them with ``==``, which a DataFrame value makes ambiguous.
    reliability = (pd.read_csv(rel_path) if rel_path is not None and rel_path.exists()
                   else pd.DataFrame(new_rel, columns=RELIABILITY_COLUMNS))
    if out is not None and plots and uncertainty_maps:
        names = list(data)[:1] if uncertainty_maps is True else \
            [n for n in data if n in set(map(str, uncertainty_maps))]
        gen = generators[0] if generators else "interpolation"
        for name in names:
            path = out / f"uncertainty_map_{name}.png"
            if not path.exists():
                uncertainty_map(*data[name], path, cfg=dict(cfg, estimator=estimators[0]),
                                fraction=fractions[0], seed=seeds[0], generator=gen,
                                budget=budget, title_prefix=name)
    if out is not None and report:
        from ._report import write_report

        write_report(runs, out, budget=budget, plots=plots,
                     reliability=reliability)
    return runs
