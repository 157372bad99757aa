"""Does targeting beat the class-matched random-anchor control?  Regime by regime.

Every targeting variant of ``ActiveSynthesisClassifier`` is run paired with
its **class-matched control**: the same loop, the same generator, filters
(the ``Teacher`` among them), budget and seed, with
``targeting=Targeting("random_matched", ...)`` (random anchors drawn with the
class mix the variant's own strategy picks, every round:
``matched_anchors=<the variant's strategy>``), so the two runs request the
same number of synthetic rows of each class and differ only in *where* the
rows are aimed. Plain random anchors, real-only training and SMOTE (same
number of synthetic rows, given to the minority class) are reported too.

The validation guard is off (``validation_fraction=None``) so that both sides
of a pair add exactly the same number of rows; 3 rounds; the budget is the
total of synthetic rows over the rounds as a share of the real training rows.

Regimes (``--regime``):

- ``tabular``: the prototype's regime (imbalanced UCI/KEEL sets, 10 % of the
  rows, LogisticRegression and XGBoost) with the new variants;
- ``small``: very small training sets (20, 50, 100 rows) on balanced-ish sets;
- ``mlp``: a torch MLP (skorch) with MC-dropout uncertainty on tabular data;
- ``slices``: rare sub-populations with known ground truth — the rare
  "synthetic_identity" fraud pattern of ``make_fraud_transactions`` and the
  rare attacks (r2l, u2r) of NSL-KDD as attack-vs-normal — scored on the
  slice as well as overall;
- ``sdv``: generator-side targeting with SDV (Gaussian copula, TVAE):
  candidates kept by nearness to the anchors or by the current model's
  uncertainty, against the same generator's random-anchor / untargeted
  candidates;

Each regime also runs a budget curve (score against the total synthetic rows
as a share of the real rows) for its ``curve_variants``: targeted vs
class-matched random vs plain random.

Run from the repository root (the shared datasets in ``../shared/datasets``,
or ``--data-dir``)::

    .venv/bin/python benchmarks/bench_targeting.py --regime small --seeds 5
    .venv/bin/python benchmarks/bench_targeting.py --report   # tables + plots

Runs are appended to ``benchmarks/targeting/runs.csv`` (resumable: a run
already there is skipped); ``--report`` writes ``benchmarks/targeting/report.md``
and the plots that ``benchmarks/TARGETING.md`` shows.
"""

import argparse
import functools
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import average_precision_score, log_loss
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sklearn_activesynth import ActiveSynthesisClassifier
from sklearn_activesynth.benchmark import load_dataset
from sklearn_activesynth.benchmark._methods import (
    make_estimator,
    make_generator,
    make_sampler,
)
from sklearn_activesynth.datasets import make_fraud_transactions
from sklearn_activesynth.filters import Teacher
from sklearn_activesynth.metrics import expected_calibration_error
from sklearn_activesynth.targeting import Targeting, resolve_targeting

OUT = Path(__file__).resolve().parent / "targeting"
KEY = ["regime", "dataset", "estimator", "n_train", "budget", "seed", "variant", "side"]

# --------------------------------------------------------------------- variants
#: name -> (loop parameters, generator (name, params), control overrides).
#: ``targeting`` (a string or a Targeting) defaults to "uncertain". The control
#: is the same run with the targeting's ``anchors="random_matched"`` and
#: ``matched_anchors`` = the variant's strategy unless overridden (overrides are
#: Targeting parameters, or ``generator``).
VARIANTS = {
    "uncertain": ({"targeting": "uncertain"}, ("interpolation", {}), None),
    "errors": ({"targeting": "errors"}, ("interpolation", {}), None),
    "diverse": ({"targeting": "diverse"}, ("interpolation", {}), None),
    "sparse": ({"targeting": "uncertain_sparse"}, ("interpolation", {}), None),
    "teacher": ({"targeting": "uncertain", "filters": [Teacher("knn")]},
                ("interpolation", {}), None),
    "sparse_teacher": ({"targeting": "uncertain_sparse", "filters": [Teacher("knn")]},
                       ("interpolation", {}), None),
    "boundary": ({"targeting": "uncertain", "filters": [Teacher("knn")]},
                 ("interpolation", {"partners": "any_class"}), None),
    "balanced_uncertain": ({"targeting": Targeting("uncertain", class_allocation="balanced")},
                           ("interpolation", {}), {"anchors": "random"}),
    # generator-side (SDV): candidates nearest the anchors, vs random anchors
    "copula_anchors": ({"targeting": "uncertain"},
                       ("gaussian_copula", {"selection": "anchors"}), None),
    "tvae_anchors": ({"targeting": "uncertain"},
                     ("tvae", {"selection": "anchors", "epochs": 100}), None),
    "ctgan_anchors": ({"targeting": "uncertain"},
                      ("ctgan", {"selection": "anchors", "epochs": 50}), None),
    # candidates the current model is least sure of, vs untargeted candidates
    # with the same class counts
    "copula_uncertainty": ({"targeting": "uncertain"},
                           ("gaussian_copula", {"selection": "uncertainty"}),
                           {"generator": ("gaussian_copula", {"selection": None})}),
    # images: cVAE latent sampling around the anchors (uncertain vs random)
    "cvae_latent": ({"targeting": "uncertain"}, ("cvae", {}), None),
    "tvae_uncertainty": ({"targeting": "uncertain"},
                         ("tvae", {"selection": "uncertainty", "epochs": 100}),
                         {"generator": ("tvae", {"selection": None, "epochs": 100})}),
}

# ---------------------------------------------------------------------- regimes
REGIMES = {
    "tabular": dict(
        datasets=["mammography", "vehicle_insurance_fraud", "satimage_4", "pima_diabetes",
                  "taiwan_credit_default"],
        estimators=["lr", "xgb"], sizes=[0.1], budgets=[0.3], max_rows=10000,
        variants=["uncertain", "errors", "diverse", "sparse", "teacher", "sparse_teacher",
                  "boundary"],
        curve_budgets=[0.1, 1.0], curve_variants=["uncertain", "sparse_teacher"],
    ),
    "small": dict(
        datasets=["pima_diabetes", "ionosphere", "spambase", "magic_gamma",
                  "phishing_websites", "breast_cancer"],
        estimators=["lr", "svc"], sizes=[20, 50, 100], budgets=[1.0], max_rows=5000,
        variants=["uncertain", "sparse", "teacher", "sparse_teacher", "boundary",
                  "balanced_uncertain"],
        curve_budgets=[0.1, 0.3, 3.0], curve_variants=["uncertain", "sparse_teacher"],
    ),
    "mlp": dict(
        datasets=["magic_gamma", "spambase", "mammography", "satimage_4"],
        estimators=["mlp"], sizes=[500], budgets=[0.5], max_rows=10000,
        variants=["uncertain", "sparse", "teacher"],
        curve_budgets=[0.1, 1.0], curve_variants=["uncertain"],
    ),
    "slices": dict(
        datasets=["fraud_rare", "nsl_kdd_rare"], estimators=["lr", "hgb"],
        sizes=[0.2], budgets=[0.3], max_rows=10000,
        variants=["uncertain", "sparse", "teacher", "sparse_teacher", "boundary"],
        curve_budgets=[0.1, 1.0], curve_variants=["uncertain", "sparse_teacher"],
    ),
    "sdv": dict(
        datasets=["mammography", "pima_diabetes", "vehicle_insurance_fraud"],
        estimators=["lr"], sizes=[500], budgets=[0.3], max_rows=10000,
        variants=["copula_anchors", "copula_uncertainty", "tvae_anchors",
                  "tvae_uncertainty", "ctgan_anchors"],
        curve_budgets=[0.1, 1.0], curve_variants=["copula_anchors"],
    ),
    "cnn": dict(
        datasets=["digits"], estimators=["cnn"], sizes=[90, 180], budgets=[0.5],
        max_rows=10000, variants=["cvae_latent"], curve_budgets=[0.25, 1.0],
        curve_variants=["cvae_latent"],
    ),
}

#: metric -> True when higher is better
METRICS = {"pr_auc": True, "accuracy": True, "brier": False, "ece": False, "log_loss": False,
           "slice_pr_auc": True, "slice_recall": True}


# ------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=4)
def _load(name, data_dir, max_rows):
    """X (DataFrame), y (int 0..k-1) and an optional boolean slice mask of
    positive rows that form a rare sub-population. Cached: a worker process
    runs many cells of the same dataset, and nothing downstream modifies it."""
    if name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        return X.astype(np.float32), y, None
    if name == "fraud_rare":
        # 3 % fraud, 30 % of it the rare pattern: ~180 rare frauds in 20,000 rows
        b = make_fraud_transactions(n_samples=2 * max_rows, fraud_rate=0.03,
                                    rare_pattern_share=0.3, return_X_y=False,
                                    random_state=0)
        X = b.data.reset_index(drop=True)
        for c in X.columns:
            if not pd.api.types.is_numeric_dtype(X[c]):
                X[c] = X[c].astype(str)
        y = np.asarray(b.target, dtype=int)
        # the rare pattern's frauds (label noise can flip a few of them to 0)
        return X, y, np.asarray(b.pattern == "synthetic_identity") & (y == 1)
    if name == "nsl_kdd_rare":
        path = Path(data_dir or Path(__file__).resolve().parents[2] / "shared" / "datasets")
        df = pd.read_csv(path / "nsl_kdd_train20.csv")
        kind = df.pop("target").to_numpy()
        rare = np.isin(kind, ["r2l", "u2r"])
        # every rare attack, a stratified sample of the rest
        rng = np.random.RandomState(0)
        rest = np.flatnonzero(~rare)
        keep = np.sort(np.concatenate([np.flatnonzero(rare), rng.choice(
            rest, size=min(len(rest), max_rows - rare.sum()), replace=False)]))
        X = df.iloc[keep].reset_index(drop=True)
        for c in X.columns:
            if not pd.api.types.is_numeric_dtype(X[c]):
                X[c] = X[c].astype(str)
        return X, (kind[keep] != "normal").astype(int), rare[keep]
    b = load_dataset(name, data_dir=data_dir, max_rows=max_rows, random_state=0)
    return b.X, np.asarray(b.y, dtype=int), None


def _split(y, size, seed, strat_key):
    """Stratified 30 % test split, then ``size`` training rows (a count, or a
    share of all rows) stratified on ``strat_key`` (label, or label + slice)."""
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=0.3, stratify=strat_key, random_state=seed)
    n_train = int(size) if size >= 1 else int(round(size * len(y)))
    if n_train < len(rest):
        sk = strat_key[rest]
        ok = np.unique(sk, return_counts=True)[1].min() >= 2 and \
            n_train >= len(np.unique(sk))
        rest, _ = train_test_split(rest, train_size=n_train,
                                   stratify=sk if ok else y[rest], random_state=seed)
    return np.sort(rest), np.sort(test)


# ------------------------------------------------------------------- estimators
def _estimator(name, seed):
    if name == "svc":
        from sklearn.svm import SVC

        est = make_estimator("lr", seed=seed)
        return est.set_params(clf=SVC(probability=True, random_state=seed))
    if name == "cnn":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
        from digits_active_synthesis import make_cnn

        return make_cnn(max_epochs=60)
    if name == "mlp":
        from sklearn_activesynth.nn import make_tabular_mlp

        est = make_estimator("lr", seed=seed)
        return est.set_params(clf=make_tabular_mlp(random_state=seed, max_epochs=60))
    return make_estimator(name, seed=seed)


def _uncertainty(estimator_name):
    if estimator_name in ("mlp", "cnn"):
        from sklearn_activesynth.uncertainty import MCDropout

        return MCDropout(n_passes=20)
    return "entropy"


# ---------------------------------------------------------------------- scoring
def _scores(y, proba, slice_mask):
    k = proba.shape[1]
    eps = 1e-12
    onehot = np.eye(k)[y]
    out = {
        "accuracy": float(np.mean(proba.argmax(axis=1) == y)),
        "brier": float(np.mean(np.sum((proba - onehot) ** 2, axis=1))),
        "log_loss": float(log_loss(y, np.clip(proba, eps, 1), labels=np.arange(k))),
    }
    if k == 2:
        out["pr_auc"] = float(average_precision_score(y, proba[:, 1]))
        out["ece"] = expected_calibration_error(y, proba[:, 1])
    else:
        out["pr_auc"] = float(np.mean([average_precision_score(y == c, proba[:, c])
                                       for c in range(k)]))
        out["ece"] = expected_calibration_error(y, proba)
    if slice_mask is not None and k == 2:
        p = proba[:, 1]
        rows = (y == 0) | slice_mask
        out["slice_pr_auc"] = float(average_precision_score(slice_mask[rows], p[rows]))
        # recall on the slice at the threshold that holds 80 % precision overall
        order = np.argsort(-p, kind="stable")
        tp = np.cumsum(y[order] == 1)
        prec = tp / np.arange(1, len(p) + 1)
        ok = np.flatnonzero(prec >= 0.8)
        thr = p[order][ok.max()] if len(ok) else np.inf
        out["slice_recall"] = float(np.mean(p[slice_mask] >= thr)) if slice_mask.any() \
            else np.nan
    return out


# ------------------------------------------------------------------------ runs
def _loop(variant, side, est, estimator_name, n_round, seed, y_train):
    params, (gname, gparams), override = VARIANTS[variant]
    params = {k: clone(v, safe=False) for k, v in params.items()}  # filters, targeting
    targeting = clone(resolve_targeting(params.pop("targeting", "uncertain")))
    gen = (gname, dict(gparams))
    if side == "control":
        ov = dict(override or {"anchors": "random_matched"})
        if override is None and targeting.anchors != "uncertain":
            ov["matched_anchors"] = targeting.anchors
        if "generator" in ov:
            gen = ov.pop("generator")
        targeting.set_params(**ov)
    elif side == "random":
        targeting.set_params(anchors="random")
    gname, gparams = gen
    if gname != "interpolation":
        gparams = {"random_state": seed, **gparams}
    if gname == "cvae":
        from sklearn_activesynth.generators import SkorchImageGenerator

        generator = SkorchImageGenerator(image_shape=(1, 8, 8), **gparams)
    else:
        generator = make_generator(gname, y_train, fit_share=1.0, params=gparams)
    return ActiveSynthesisClassifier(
        est, generator=generator, n_synthetic=int(n_round), max_iter=3,
        validation_fraction=None, uncertainty=_uncertainty(estimator_name),
        uncertainty_cv=3 if estimator_name in ("mlp", "cnn") else 5,
        targeting=targeting, random_state=seed, **params)


def _run_cell(regime, dataset, estimator_name, size, budgets, seed, variants, data, done):
    X, y, slice_mask = data
    strat = y * 2 + slice_mask.astype(int) if slice_mask is not None else y
    tr, te = _split(y, size, seed, strat)
    take = (lambda idx: X.iloc[idx]) if hasattr(X, "iloc") else (lambda idx: X[idx])
    Xtr, ytr, Xte, yte = take(tr), y[tr], take(te), y[te]
    sl = None if slice_mask is None else slice_mask[te]
    rows = []
    base = dict(regime=regime, dataset=dataset, estimator=estimator_name,
                n_train=len(tr), seed=seed)

    def record(budget, variant, side, make):
        key = (regime, dataset, estimator_name, len(tr), float(budget), seed, variant, side)
        if key in done:
            return
        t0 = time.perf_counter()
        err = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make()
                proba = model.predict_proba(Xte)
            res = _scores(yte, proba, sl)
            n_syn = len(model.synthetic_y_) if hasattr(model, "synthetic_y_") else \
                (3 * n_round_of[budget] if side == "smote" else 0)
            minority = (np.mean(model.synthetic_y_ == 1) if hasattr(model, "synthetic_y_")
                        and len(model.synthetic_y_) else np.nan)
        except Exception as exc:  # a failed run is a row, not a crash
            res, n_syn, minority, err = {}, 0, np.nan, f"{type(exc).__name__}: {exc}"[:200]
        rows.append(dict(base, budget=float(budget), variant=variant, side=side,
                         n_synthetic=n_syn, synthetic_positive_share=minority,
                         seconds=time.perf_counter() - t0, error=err, **res))

    est = _estimator(estimator_name, seed)
    n_round_of = {0.0: 0}

    def real():
        import torch

        torch.manual_seed(seed)  # skorch initialises a net from torch's global stream
        return clone(est).fit(Xtr, ytr)

    record(0.0, "real_only", "real", real)
    for budget, budget_variants in budgets:
        n_total = max(3, int(round(budget * len(tr))))
        n_round = n_round_of[budget] = max(1, n_total // 3)

        def smote():
            from imblearn.pipeline import Pipeline as ImbPipeline

            e = clone(est)
            sampler = make_sampler("smote", ytr, 3 * n_round, seed)
            if hasattr(e, "named_steps"):
                steps = [("prep", e.named_steps["prep"]), ("smote", sampler),
                         ("clf", e.named_steps["clf"])]
            else:
                steps = [("smote", sampler), ("clf", e)]
            if not hasattr(e, "named_steps") or estimator_name in ("mlp", "cnn"):
                import torch

                torch.manual_seed(seed)
            return ImbPipeline(steps).fit(Xtr, ytr)

        record(budget, "smote", "smote", smote)
        for v in budget_variants:
            for side in ("target", "control"):
                record(budget, v, side, lambda: _loop(
                    v, side, clone(est), estimator_name, n_round, seed, ytr).fit(Xtr, ytr))
            if v == variants[0]:  # plain random anchors, for the regime's first variant
                record(budget, v, "random", lambda: _loop(
                    v, "random", clone(est), estimator_name, n_round, seed, ytr
                ).fit(Xtr, ytr))
    return rows


def _plan(cfg, variants):
    """[(budget, variants at that budget)]: every variant at the regime's
    budget, the curve variants also at the curve budgets."""
    plan = {b: list(variants) for b in cfg["budgets"]}
    for b in cfg.get("curve_budgets", ()):
        extra = [v for v in cfg.get("curve_variants", ["uncertain"]) if v in variants]
        plan[b] = plan.get(b, []) + [v for v in extra if v not in plan.get(b, [])]
    return sorted((float(b), v) for b, v in plan.items() if v)


def _task(regime, dataset, estimator_name, size, budgets, seed, variants, data_dir,
          max_rows, done):
    with threadpool_limits(1):
        import torch

        torch.set_num_threads(1)
        data = _load(dataset, data_dir, max_rows)
        return _run_cell(regime, dataset, estimator_name, size, budgets, seed, variants,
                         data, done)


def _append(path, df):
    """Append rows under the file's header (rewriting it when new columns appear)."""
    if not path.exists():
        df.to_csv(path, index=False)
        return
    header = pd.read_csv(path, nrows=0).columns
    if set(df.columns) - set(header):
        pd.concat([pd.read_csv(path), df], ignore_index=True).to_csv(path, index=False)
    else:
        df.reindex(columns=header).to_csv(path, mode="a", header=False, index=False)


def run(regime, *, seeds, data_dir=None, n_jobs=2, datasets=None, estimators=None,
        variants=None, out=OUT, first_seed=0):
    cfg = REGIMES[regime]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "runs.csv"
    done = set()
    if path.exists():
        prev = pd.read_csv(path)
        done = {tuple(r) for r in prev[KEY].itertuples(index=False)}
    variants = variants or cfg["variants"]
    tasks = [(regime, d, e, s, _plan(cfg, variants), seed, variants, data_dir,
              cfg["max_rows"], done)
             for d in (datasets or cfg["datasets"]) for e in (estimators or cfg["estimators"])
             for s in cfg["sizes"] for seed in range(first_seed, first_seed + seeds)]
    t0 = time.time()
    for i, rows in enumerate(Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(_task)(*t) for t in tasks)):
        if rows:
            _append(path, pd.DataFrame(rows))
        print(f"[{regime}] {i + 1}/{len(tasks)} cells, {time.time() - t0:.0f} s", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--regime", nargs="+", choices=sorted(REGIMES))
    p.add_argument("--seeds", type=int, default=5, help="number of seeds")
    p.add_argument("--first-seed", type=int, default=0,
                   help="seeds are first-seed .. first-seed + seeds - 1 (fresh seeds for a "
                        "confirmation run)")
    p.add_argument("--datasets", nargs="+")
    p.add_argument("--estimators", nargs="+")
    p.add_argument("--variants", nargs="+", choices=sorted(VARIANTS))
    p.add_argument("--data-dir")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--out", default=str(OUT))
    p.add_argument("--report", action="store_true")
    p.add_argument("--report-first-seed", type=int, default=None,
                   help="report only seeds >= this (a confirmation run on fresh seeds)")
    p.add_argument("--report-regimes", nargs="+", default=None)
    p.add_argument("--report-out", default=None, help="folder of the report (default --out)")
    args = p.parse_args(argv)
    out = Path(args.out)
    for r in args.regime or []:
        run(r, seeds=args.seeds, data_dir=args.data_dir, n_jobs=args.n_jobs,
            datasets=args.datasets, estimators=args.estimators, variants=args.variants,
            out=out, first_seed=args.first_seed)
    if args.report:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from targeting_report import write_report

        # the published run refreshes the tables of TARGETING.md (the confirmation
        # run on fresh seeds, its own tables)
        full = out == OUT
        write_report(out, first_seed=args.report_first_seed, regimes=args.report_regimes,
                     dest=args.report_out,
                     markdown=Path(__file__).resolve().parent / "TARGETING.md" if full else None)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
