"""SDV generators aimed at the uncertain regions, against the same generators untargeted,
real data only, and SMOTE, on real data sets.

For each data set (CSV with a ``target`` column, read from ``--data-dir``), seed and
model (LogisticRegression, XGBoost; both behind one-hot encoding and scaling):

1. a stratified 70/30 train/test split (by seed), then a stratified ``--fraction``
   (10 %) subsample of the training part: the rows every method gets;
2. **real only**: the model on those rows;
3. **SMOTE**: imbalanced-learn's SMOTE-NC (SMOTE without categorical columns),
   default ``sampling_strategy`` (minority up to the majority count), before the model;
4. per SDV generator (CTGAN, TVAE, Gaussian copula):

   - **targeted**: ``ActiveSynthesisClassifier(model, generator=G(selection="anchors"),
     validation_fraction=None)``: 3 rounds of 10 % synthetic rows aimed at the most
     uncertain rows, every round kept (no validation guard, so that the controls
     below add exactly as many rows);
   - **untargeted, same rows**: the *same fitted* generator makes as many rows as the
     targeted fit kept, with the same class counts, without anchors (plain
     class-conditional SDV samples); the model is fitted on the real rows plus those;
   - **untargeted loop**: the same loop with random anchors and no candidate selection
     (``targeting="random"``, ``G(selection=None)``), reusing the fitted generator (same
     rows, same seed: the generator that run would have trained);
   - **targeted, defaults**: the library defaults, i.e. with the validation guard (a
     20 % stratified split; a round's rows are kept only if the validation PR-AUC does
     not drop);

5. one more row, **copula targeted + filters**: the targeted copula (no guard) with
   ``filters=[PrivacyFilter(), QualityFilter()]``.

Test PR-AUC (average precision) is reported as mean ± std over seeds, with paired
differences targeted − untargeted. The fit time of every targeted fit is split, from
``history_``, into generator fit / sampling / candidate selection / filtering / model
fits (out-of-fold uncertainty fits, round refits, final refit) / the rest, as shares
of the total; the generator is fitted once per fit, so total should stay at or below
1.1 × (generator fit + model fits).

Run from the repository root::

    .venv/bin/python benchmarks/bench_sdv.py                      # 3 data sets x 5 seeds
    .venv/bin/python benchmarks/bench_sdv.py --quick              # smoke run, ~1 min
    .venv/bin/python benchmarks/bench_sdv.py --datasets adult --seeds 2

The data sets are not part of the repository: ``--data-dir`` defaults to
``../shared/datasets`` next to the repository root; without it the script says so and
exits. The Markdown report is printed and written to ``benchmarks/out/sdv.md``
(git-ignored). BLAS/OpenMP and torch use one thread (the machine is shared).
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.filters import PrivacyFilter, QualityFilter  # noqa: E402
from sklearn_activesynth.generators import (  # noqa: E402
    CTGANGenerator,
    GaussianCopulaGenerator,
    TVAEGenerator,
)
from sklearn_activesynth.targeting import Targets  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets"
OUT = Path(__file__).resolve().parent / "out"
DEFAULT_DATASETS = ["vehicle_insurance_fraud", "adult", "mammography"]
GENERATOR_NAMES = {"ctgan": "CTGAN", "tvae": "TVAE", "copula": "Gaussian copula"}
TARGET_RATIO = 1.1


# ------------------------------------------------------------------ data and models
def load(data_dir, name):
    df = pd.read_csv(data_dir / f"{name}.csv")
    y = df.pop("target").to_numpy()
    if y.dtype.kind not in "iub":
        raise SystemExit(f"{name}: this benchmark needs a binary 0/1 target.")
    return df, y.astype(int)


def split(X, y, seed, fraction):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                              random_state=seed)
    X_sub, _, y_sub, _ = train_test_split(X_tr, y_tr, train_size=fraction, stratify=y_tr,
                                          random_state=seed)
    return (X_sub.reset_index(drop=True), y_sub, X_te.reset_index(drop=True), y_te)


def categorical_columns(X):
    # object (pandas 2) or str (pandas 3) columns read from the CSV
    return [c for c in X.columns if pd.api.types.is_object_dtype(X[c].dtype)
            or pd.api.types.is_string_dtype(X[c].dtype)
            or isinstance(X[c].dtype, pd.CategoricalDtype)]


def make_model(kind, X, seed):
    cats = categorical_columns(X)
    nums = [c for c in X.columns if c not in cats]
    pre = ColumnTransformer([("num", StandardScaler(), nums),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), cats)])
    if kind == "lr":
        est = LogisticRegression(max_iter=2000)
    else:
        from xgboost import XGBClassifier

        est = XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1, n_jobs=1,
                            tree_method="hist", random_state=seed, verbosity=0)
    return make_pipeline(pre, est)


def smote(X, seed):
    from imblearn.over_sampling import SMOTE, SMOTENC

    cats = categorical_columns(X)
    if cats:
        return SMOTENC(categorical_features=cats, random_state=seed)
    return SMOTE(random_state=seed)


def make_generator(name, args, **kw):
    kw.setdefault("oversample", args.oversample)
    if name == "ctgan":
        return CTGANGenerator(epochs=args.ctgan_epochs, **kw)
    if name == "tvae":
        return TVAEGenerator(epochs=args.tvae_epochs, **kw)
    return GaussianCopulaGenerator(**kw)


# A fitted generator, reused by the untargeted loop of the same data set, seed and
# generator: both runs fit the generator on the same rows with the same seed, so the
# copy is the generator that run would have trained (checked on the labels).
_FITTED = {}
_CURRENT = [None]


def _reusing(cls):
    class Reusing(cls):
        def _fit(self, X, y):
            fitted = _FITTED[_CURRENT[0]]
            if not np.array_equal(fitted._y, np.asarray(y)) or \
                    fitted.random_state != self.random_state:
                raise RuntimeError("the cached generator was fitted on other rows")
            params = self.get_params()
            for k, v in fitted.__dict__.items():
                if k not in params:
                    setattr(self, k, v)
            self._warned_shortfall = False
            self._unproducible = set()
            return self

    Reusing.__name__ = Reusing.__qualname__ = cls.__name__
    return Reusing


def pr_auc(model, X, y):
    return float(average_precision_score(y, model.predict_proba(X)[:, 1]))


def time_split(clf, total):
    h = clf.history_

    def col(name):
        return float(h[name].fillna(0).sum()) if name in h.columns else 0.0

    gen_fit = col("seconds_generator_fit")
    sampling, selection = col("seconds_sampling"), col("seconds_selection")
    generation = col("seconds_generation")
    filtering = col("seconds_filtering")
    model_fits = col("seconds_fit") + col("seconds_uncertainty") + col("seconds_final_refit")
    return dict(
        total=total, generator_fit=gen_fit, sampling=sampling, selection=selection,
        generation_other=max(generation - sampling - selection, 0.0), filtering=filtering,
        model_fits=model_fits,
        other=max(total - gen_fit - generation - filtering - model_fits, 0.0),
        ratio=total / (gen_fit + model_fits),
        generator_fits=int((h["round"] == 0).sum()),
    )


# ------------------------------------------------------------------ one cell
def run_cell(name, X, y, seed, args, log):
    X_tr, y_tr, X_te, y_te = split(X, y, seed, args.fraction)
    rows, times = [], []
    log(f"{name} seed {seed}: {len(y_tr)} training rows ({int(y_tr.sum())} positive), "
        f"{len(y_te)} test rows")
    for model_kind in args.models:
        def rec(method, generator, score, n_syn=0, shortfall=0, seconds=np.nan):
            rows.append(dict(dataset=name, seed=seed, model=model_kind, method=method,
                             generator=generator, pr_auc=score, n_synthetic=n_syn,
                             shortfall=shortfall, seconds=seconds))

        t0 = time.perf_counter()
        base = make_model(model_kind, X_tr, seed).fit(X_tr, y_tr)
        rec("real only", "", pr_auc(base, X_te, y_te), seconds=time.perf_counter() - t0)
        if not args.no_smote:
            from imblearn.pipeline import make_pipeline as imb_pipeline

            t0 = time.perf_counter()
            sm = imb_pipeline(smote(X_tr, seed), make_model(model_kind, X_tr, seed))
            sm.fit(X_tr, y_tr)
            n_smote = int(np.sum(y_tr == 0) - np.sum(y_tr == 1))
            rec("SMOTE", "", pr_auc(sm, X_te, y_te), n_syn=n_smote,
                seconds=time.perf_counter() - t0)
        for gname in args.generators:
            # targeted: the product as a user runs it
            clf = ActiveSynthesisClassifier(
                make_model(model_kind, X_tr, seed),
                generator=make_generator(gname, args, selection="anchors"),
                validation_fraction=None, keep_generator=True, random_state=seed)
            t0 = time.perf_counter()
            clf.fit(X_tr, y_tr)
            total = t_targeted = time.perf_counter() - t0
            n_syn = len(clf.synthetic_y_)
            short = int(clf.history_.get("n_shortfall", pd.Series(dtype=float))
                        .fillna(0).sum())
            rec("targeted", gname, pr_auc(clf, X_te, y_te), n_syn, short, total)
            times.append(dict(dataset=name, seed=seed, model=model_kind, generator=gname,
                              variant="targeted", **time_split(clf, total)))
            # untargeted, same rows: same fitted generator, same class counts, no anchors
            counts = {c: int(np.sum(clf.synthetic_y_ == c)) for c in np.unique(y_tr)}
            counts = {c: n for c, n in counts.items() if n}
            t0 = time.perf_counter()
            if n_syn:
                plain = Targets(
                    anchor_indices=np.empty(0, int), anchors=None, anchor_y=np.empty(0),
                    anchor_scores=np.empty(0), anchor_counts=np.empty(0, int),
                    anchor_regions=np.empty(0, int), regions=[], class_counts=counts)
                untargeted = clf.generator_.generate(n_syn, targets=plain, random_state=seed)
                X_u, y_u = untargeted
                short_u = untargeted.report["n_shortfall"]
                model_u = make_model(model_kind, X_tr, seed).fit(
                    pd.concat([X_tr, X_u], ignore_index=True), np.r_[y_tr, y_u])
                rec("untargeted, same rows", gname, pr_auc(model_u, X_te, y_te), len(y_u),
                    short_u, time.perf_counter() - t0)
            else:  # the targeted fit kept no synthetic row: both are the real-only model
                rec("untargeted, same rows", gname, pr_auc(base, X_te, y_te), 0, 0, 0.0)
            # untargeted loop: random anchors, no selection, the generator fitted above
            _FITTED[(name, seed, gname)] = clf.generator_
            _CURRENT[0] = (name, seed, gname)
            gen_u = make_generator(gname, args, selection=None)
            gen_u.__class__ = _reusing(type(gen_u))
            clf_u = ActiveSynthesisClassifier(make_model(model_kind, X_tr, seed),
                                              generator=gen_u, targeting="random",
                                              validation_fraction=None, random_state=seed)
            t0 = time.perf_counter()
            clf_u.fit(X_tr, y_tr)
            short = int(clf_u.history_.get("n_shortfall", pd.Series(dtype=float))
                        .fillna(0).sum())
            rec("untargeted loop", gname, pr_auc(clf_u, X_te, y_te), len(clf_u.synthetic_y_),
                short, time.perf_counter() - t0)
            _FITTED.clear()
            if not args.no_guard_run:
                clf_d = ActiveSynthesisClassifier(
                    make_model(model_kind, X_tr, seed),
                    generator=make_generator(gname, args, selection="anchors"),
                    random_state=seed)
                t0 = time.perf_counter()
                clf_d.fit(X_tr, y_tr)
                short = int(clf_d.history_.get("n_shortfall", pd.Series(dtype=float))
                            .fillna(0).sum())
                rec("targeted, defaults (guard)", gname, pr_auc(clf_d, X_te, y_te),
                    len(clf_d.synthetic_y_), short, time.perf_counter() - t0)
            if gname == "copula" and not args.no_filters:
                clf_f = ActiveSynthesisClassifier(
                    make_model(model_kind, X_tr, seed),
                    generator=make_generator(gname, args, selection="anchors"),
                    filters=[PrivacyFilter(), QualityFilter()],
                    validation_fraction=None, random_state=seed)
                t0 = time.perf_counter()
                clf_f.fit(X_tr, y_tr)
                total = time.perf_counter() - t0
                rec("targeted + filters", gname, pr_auc(clf_f, X_te, y_te),
                    len(clf_f.synthetic_y_), 0, total)
                times.append(dict(dataset=name, seed=seed, model=model_kind,
                                  generator=gname, variant="targeted + filters",
                                  **time_split(clf_f, total)))
            last = [r for r in rows if r["generator"] == gname and r["model"] == model_kind]
            log("  " + model_kind + " " + gname + ": " + ", ".join(
                f"{r['method']} {r['pr_auc']:.3f} ({r['n_synthetic']} rows)" for r in last)
                + f"; targeted fit {t_targeted:.1f} s")
    return rows, times


# ------------------------------------------------------------------ report
def pm(values, spec=".3f"):
    v = np.asarray(values, dtype=float)
    sd = v.std(ddof=1) if len(v) > 1 else 0.0
    return f"{v.mean():{spec}} ± {sd:{spec.lstrip('+')}}"


def markdown(res, times, args, seconds, info):
    models = {"lr": "LogisticRegression", "xgb": "XGBoost"}
    order = ["real only", "SMOTE"]
    for g in args.generators:
        order += [f"{g}|targeted", f"{g}|untargeted, same rows", f"{g}|untargeted loop",
                  f"{g}|targeted, defaults (guard)"]
        if g == "copula" and not args.no_filters:
            order.append(f"{g}|targeted + filters")
    res = res.assign(key=np.where(res["generator"] == "", res["method"],
                                  res["generator"] + "|" + res["method"]))
    lines = [
        "# SDV generators: targeted vs untargeted vs real only vs SMOTE",
        "",
        f"Test PR-AUC (average precision), mean ± std over {len(args.seeds)} seeds "
        f"({', '.join(map(str, args.seeds))}). Per seed: stratified 70/30 split, then a "
        f"stratified {args.fraction:.0%} subsample of the training part is all the "
        "training data. Models behind scaling + one-hot encoding: LogisticRegression("
        "max_iter=2000); XGBoost(n_estimators=100, max_depth=4). "
        f"CTGAN {args.ctgan_epochs} epochs, TVAE {args.tvae_epochs} epochs (SDV defaults "
        "otherwise: batch 500, ...), Gaussian copula with beta marginals; all with "
        f"`oversample={args.oversample}`, `max_tries_per_batch=20`. "
        "`ActiveSynthesisClassifier`: 3 rounds, 10 % synthetic rows per round, "
        "anchors = the most uncertain rows (out-of-fold, 5 folds), class allocation "
        "following the anchors' labels.",
        "",
        "- **targeted**: `ActiveSynthesisClassifier(model, generator=G(selection="
        "\"anchors\"), validation_fraction=None)`: per class exact SDV conditions, "
        f"{args.oversample}× candidates, those nearest the anchors kept; every round kept "
        "(no guard), so "
        "the two untargeted controls add exactly as many rows.",
        "- **untargeted, same rows**: the same fitted generator, as many rows as the "
        "targeted fit kept with the same class counts, plain class-conditional "
        "samples, added to the real rows (no loop).",
        "- **untargeted loop**: the same loop with random anchors and no candidate "
        "selection (`targeting=\"random\"`, `G(selection=None)`), same fitted generator; "
        "its class mix follows random rows (about the real class mix).",
        "- **targeted, defaults (guard)**: the library defaults: a 20 % validation split, "
        "a round's rows kept only if the validation PR-AUC does not drop (its "
        "generator is trained on the other 80 %).",
        "- **SMOTE**: SMOTE-NC (SMOTE when all columns are numeric), minority oversampled "
        "to the majority count.",
        "- rows: synthetic rows in the final model (mean); shortfall: rows asked for "
        "that the generator could not produce (sum over rounds, mean over seeds).",
        "",
    ]
    for ds in args.datasets:
        sub = res[res["dataset"] == ds]
        if sub.empty:
            continue
        lines += [f"## {ds}", "", info.get(ds, ""), "",
                  "| method | " + " | ".join(
                      f"{models[m]} PR-AUC | rows | shortfall" for m in args.models) + " |",
                  "|---|" + "---:|---:|---:|" * len(args.models)]
        for key in order:
            cells = []
            for m in args.models:
                r = sub[(sub["key"] == key) & (sub["model"] == m)]
                if r.empty:
                    cells += ["", "", ""]
                    continue
                cells += [pm(r["pr_auc"]), f"{r['n_synthetic'].mean():.0f}",
                          f"{r['shortfall'].mean():.0f}"]
            label = key if "|" not in key else \
                f"{GENERATOR_NAMES[key.split('|')[0]]}: {key.split('|')[1]}"
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")

    pairs = [("targeted", "untargeted, same rows"), ("targeted", "untargeted loop"),
             ("targeted", "real only"), ("targeted", "SMOTE"),
             ("targeted, defaults (guard)", "real only")]
    lines += ["## Does targeting help? Paired differences (same seed)", "",
              "PR-AUC of the first method minus the second, mean ± std over seeds; wins = "
              "seeds where the first is higher. **bold**: the mean difference exceeds twice "
              "its standard error.", "",
              "| data set | model | generator | " + " | ".join(
                  f"{a} − {b} | wins" for a, b in pairs) + " |",
              "|---|---|---|" + "---:|---:|" * len(pairs)]

    def key_of(g, method):
        return method if method in ("real only", "SMOTE") else f"{g}|{method}"

    for ds in args.datasets:
        for m in args.models:
            for g in args.generators:
                sub = res[(res["dataset"] == ds) & (res["model"] == m)]
                cells = []
                for first, second in pairs:
                    t = sub[sub["key"] == key_of(g, first)].set_index("seed")["pr_auc"]
                    c = sub[sub["key"] == key_of(g, second)].set_index("seed")["pr_auc"]
                    if t.empty or c.empty:
                        cells += ["", ""]
                        continue
                    d = (t - c.reindex(t.index)).to_numpy()
                    se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.inf
                    txt = pm(d, "+.3f")
                    if abs(d.mean()) > 2 * se:
                        txt = f"**{txt}**"
                    cells += [txt, f"{int(np.sum(d > 0))}/{len(d)}"]
                if any(cells):
                    lines.append(f"| {ds} | {models[m]} | {GENERATOR_NAMES[g]} | "
                                 + " | ".join(cells) + " |")
    lines.append("")

    lines += ["## Where a targeted fit's time goes", "",
              "Shares of the wall time of `ActiveSynthesisClassifier.fit`, mean over "
              "seeds, from `history_`: generator fit (once per fit: round 0 of "
              "`history_`), SDV sampling, candidate selection (distances to anchors), "
              "the rest of generation (restoring dtypes), filtering, model fits "
              "(model_0, 5 out-of-fold fits per round for uncertainty, round refits, "
              f"final refit), the rest. ratio = total / (generator fit + model fits), "
              f"target ≤ {TARGET_RATIO}.", "",
              "| data set | model | generator | total s | generator fit | sampling | "
              "selection | generation other | filtering | model fits | other | ratio | "
              "generator fits per fit |",
              "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    tt = pd.DataFrame(times)
    for (ds, m, g, var), grp in tt.groupby(["dataset", "model", "generator", "variant"],
                                           sort=False):
        tot = grp["total"].to_numpy()

        def share(c):
            return f"{np.mean(grp[c].to_numpy() / tot):.1%}"

        ratio = grp["ratio"].mean()
        flag = "" if ratio <= TARGET_RATIO else " ⚠"
        gen_label = GENERATOR_NAMES[g] + (" + filters" if var != "targeted" else "")
        lines.append(
            f"| {ds} | {models[m]} | {gen_label} | {tot.mean():.1f} | "
            f"{share('generator_fit')} | {share('sampling')} | {share('selection')} | "
            f"{share('generation_other')} | {share('filtering')} | {share('model_fits')} | "
            f"{share('other')} | {ratio:.2f}{flag} | {grp['generator_fits'].max()} |")
    lines += ["", f"Total benchmark time {seconds / 60:.1f} min ({seconds:.0f} s). Python "
              f"{platform.python_version()}, scikit-learn {sklearn.__version__}, "
              f"SDV {_version('sdv')}, torch {_version('torch')}, "
              f"xgboost {_version('xgboost')}, imbalanced-learn {_version('imblearn')}; "
              f"{os.cpu_count()} CPUs, one thread per library.", ""]
    return "\n".join(lines)


def _version(module):
    try:
        return __import__(module).__version__
    except Exception:  # pragma: no cover - optional package missing
        return "n/a"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                   help="folder with <name>.csv files (default: ../shared/datasets "
                        "next to the repository root)")
    p.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS)
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (0..n-1)")
    p.add_argument("--fraction", type=float, default=0.1,
                   help="share of the training rows every method gets")
    p.add_argument("--models", nargs="+", default=["lr", "xgb"], choices=["lr", "xgb"])
    p.add_argument("--generators", nargs="+", default=["ctgan", "tvae", "copula"],
                   choices=list(GENERATOR_NAMES))
    p.add_argument("--ctgan-epochs", type=int, default=50)
    p.add_argument("--tvae-epochs", type=int, default=100)
    p.add_argument("--oversample", type=int, default=10,
                   help="candidates sampled per requested row (the generators' oversample)")
    p.add_argument("--no-smote", action="store_true")
    p.add_argument("--no-filters", action="store_true",
                   help="skip the copula + filters variant")
    p.add_argument("--no-guard-run", action="store_true",
                   help="skip the library-defaults run (validation guard on)")
    p.add_argument("--quick", action="store_true",
                   help="mammography, 1 seed, LogisticRegression, Gaussian copula")
    p.add_argument("--out", type=Path, default=OUT / "sdv.md")
    args = p.parse_args(argv)
    if args.quick:
        args.datasets, args.seeds, args.models, args.generators = \
            ["mammography"], 1, ["lr"], ["copula"]
    args.seeds = list(range(args.seeds))
    missing = [d for d in args.datasets if not (args.data_dir / f"{d}.csv").exists()]
    if missing:
        print(f"bench_sdv: no {', '.join(m + '.csv' for m in missing)} in "
              f"{args.data_dir}; pass --data-dir. Nothing was run.")
        return 0
    try:
        import sdv  # noqa: F401
    except ImportError:
        print("bench_sdv: needs SDV: pip install 'sklearn-activesynth[sdv]'. Nothing was run.")
        return 0
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t_start = time.perf_counter()
    all_rows, all_times, info = [], [], {}
    with threadpool_limits(limits=1):
        for name in args.datasets:
            X, y = load(args.data_dir, name)
            n_sub = int(round(0.7 * len(y) * args.fraction))
            info[name] = (f"{len(y):,} rows, {X.shape[1]} features "
                          f"({len(categorical_columns(X))} categorical), "
                          f"{y.mean():.1%} positive; about {n_sub:,} training rows per seed.")
            for seed in args.seeds:
                rows, times = run_cell(name, X, y, seed, args, log)
                all_rows += rows
                all_times += times
    res = pd.DataFrame(all_rows)
    report = markdown(res, all_times, args, time.perf_counter() - t_start, info)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    res.to_csv(args.out.with_suffix(".csv"), index=False)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
