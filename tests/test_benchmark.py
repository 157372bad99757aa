"""The benchmark harness on tiny configurations (scikit-learn's bundled data)."""

import json
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_activesynth.benchmark import (
    RELIABILITY_COLUMNS,
    RUN_COLUMNS,
    available_generators,
    efficiency_table,
    induce_imbalance,
    add_label_noise,
    add_missing_values,
    load_dataset,
    run_benchmark,
    split_dataset,
    summarize,
    wilcoxon_table,
)
from sklearn_activesynth.benchmark.__main__ import main as cli_main

# The harness itself needs no extra: only the SMOTE baselines (imbalanced-learn),
# the plots (matplotlib) and the Dask backend skip without theirs.

TINY = dict(estimators=["lr"], methods=["real_only", "smote", "random_matched", "active"],
            generators=["interpolation"], fractions=[0.3], seeds=2, max_iter=1,
            efficiency_budgets=[0.1], progress=False)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    pytest.importorskip("imblearn")
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("bench")
    runs = run_benchmark(["breast_cancer"], output_dir=out, **TINY)
    return out, runs


def test_outputs_have_the_documented_columns(tiny_run):
    out, runs = tiny_run
    csv = pd.read_csv(out / "runs.csv")
    assert list(csv.columns) == RUN_COLUMNS
    assert list(pd.read_csv(out / "reliability.csv").columns) == RELIABILITY_COLUMNS
    # 2 seeds x (real_only, smote, active, random_matched at budget 0.3
    #            + active, random_matched at budget 0.1)
    assert len(csv) == 2 * 6 == runs.attrs["n_new_runs"]
    assert csv["error"].isna().all(), csv["error"].dropna().tolist()
    assert set(csv["method"]) == {"real_only", "smote", "random_matched", "active"}
    for col in ["accuracy", "balanced_accuracy", "f1", "roc_auc", "pr_auc",
                "recall_at_precision", "ece", "brier", "test_uncertainty", "fit_seconds",
                "predict_seconds"]:
        assert csv[col].notna().all(), col
    real = csv[csv["method"] == "real_only"]
    assert np.allclose(real["uncertainty_reduction"], 0.0)
    assert (real["synthetic_rows"] == 0).all()
    for name in ["results.md", "summary.csv", "wilcoxon.csv", "efficiency.csv",
                 "fraction_pr_auc_lr.png", "fraction_balanced_accuracy_lr.png",
                 "reliability_lr_30.png", "efficiency_pr_auc_lr.png",
                 "uncertainty_map_breast_cancer.png"]:
        path = out / name
        assert path.exists() and path.stat().st_size > 0, name
        if name.endswith(".png"):
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "results.md").read_text()
    for heading in ["## pr_auc (mean ± std)", "against real-only", "against SMOTE",
                    "class-matched random-anchor control", "## Synthetic-data efficiency",
                    "![fraction_pr_auc_lr.png](fraction_pr_auc_lr.png)"]:
        assert heading in md, heading


def test_class_matched_control_uses_the_same_rows_and_mix(tiny_run):
    _, runs = tiny_run
    keys = ["seed", "budget"]
    act = runs[runs["method"] == "active"].set_index(keys)
    ctl = runs[runs["method"] == "random_matched"].set_index(keys)
    assert len(act) == len(ctl) == 4
    assert (act["synthetic_rows"] == act["synthetic_requested"]).all()
    assert (ctl["synthetic_rows"] == act.loc[ctl.index, "synthetic_rows"]).all()
    for k in ctl.index:  # max_iter=1: one round, so the class counts match exactly
        assert json.loads(ctl.at[k, "synthetic_class_mix"]) == \
            json.loads(act.at[k, "synthetic_class_mix"])
    smote = runs[runs["method"] == "smote"]
    assert (smote["synthetic_rows"] == act.xs(0.3, level="budget")["synthetic_rows"]
            .to_numpy()).all()


def test_resume_skips_finished_runs(tiny_run, tmp_path):
    out, runs = tiny_run
    again = run_benchmark(["breast_cancer"], output_dir=out, report=False, **TINY)
    assert again.attrs["n_new_runs"] == 0
    assert len(again) == len(runs)
    # drop the controls: only they are recomputed, from the targeted runs' saved mix
    csv = pd.read_csv(out / "runs.csv")
    csv[csv["method"] != "random_matched"].to_csv(tmp_path / "runs.csv", index=False)
    resumed = run_benchmark(["breast_cancer"], output_dir=tmp_path, report=False, **TINY)
    assert resumed.attrs["n_new_runs"] == 4
    new = resumed[resumed["method"] == "random_matched"].sort_values(["seed", "budget"])
    old = csv[csv["method"] == "random_matched"].sort_values(["seed", "budget"])
    np.testing.assert_allclose(new["pr_auc"], old["pr_auc"])
    assert new["synthetic_class_mix"].tolist() == old["synthetic_class_mix"].tolist()


def test_report_of_the_loop_and_its_control_needs_no_extra(tmp_path):
    # a CSV with text categories and blank cells (pandas 3 reads them as its
    # ``str`` dtype); the report without plots: no imbalanced-learn, no matplotlib
    rng = np.random.RandomState(0)
    n = 300
    pd.DataFrame({"x": rng.normal(size=n), "kind": rng.choice(["a", "b", None], n),
                  "target": (rng.uniform(size=n) < 0.3).astype(int)}).to_csv(
        tmp_path / "toy.csv", index=False)
    out = tmp_path / "out"
    runs = run_benchmark([str(tmp_path / "toy.csv")], output_dir=out, plots=False,
                         methods=["real_only", "random_matched", "active"],
                         generators=["interpolation"], fractions=[0.5], seeds=2, max_iter=1,
                         efficiency_budgets=[0.1], progress=False)
    assert runs["error"].isna().all(), runs["error"].dropna().tolist()
    assert len(runs) == runs.attrs["n_new_runs"] == 2 * 5
    md = (out / "results.md").read_text()
    for heading in ["## pr_auc (mean ± std)", "against real-only",
                    "class-matched random-anchor control", "## Synthetic-data efficiency",
                    "## Cost and calibration"]:
        assert heading in md, heading
    for name in ["summary.csv", "wilcoxon.csv", "efficiency.csv"]:
        assert len(pd.read_csv(out / name)), name


def _runs(diffs, *, method="better", datasets=("a",), base=0.7):
    rows = []
    for d in datasets:
        for seed, delta in enumerate(diffs):
            common = dict(dataset=d, estimator="lr", fraction=0.1, seed=seed, imbalance=0.0,
                          label_noise=0.0, missing=0.0, budget=0.0, generator="none",
                          error=np.nan)
            score = base + 0.01 * seed
            rows.append(dict(common, method="real_only", pr_auc=score))
            rows.append(dict(common, method=method, pr_auc=score + delta))
    return pd.DataFrame(rows)


def test_wilcoxon_better_on_every_seed_wins():
    rng = np.random.RandomState(0)
    tab = wilcoxon_table(_runs(0.02 + 0.01 * rng.uniform(size=8)), "pr_auc", "real_only")
    row = tab.iloc[0]
    assert row["n"] == 8 and row["wins"] == 8 and row["losses"] == 0
    assert row["p_value"] < 0.05
    assert row["verdict"] == "win"


def test_wilcoxon_identical_methods_get_no_win():
    tab = wilcoxon_table(_runs(np.zeros(8), datasets=("a", "b")), "pr_auc", "real_only")
    assert set(tab["dataset"]) == {"a", "b", "all (runs)", "all (dataset means)"}
    assert (tab["p_value"] == 1.0).all()
    assert (tab["verdict"] == "tie").all()
    assert (tab["ties"] == tab["n"]).all()


def test_wilcoxon_worse_is_a_loss_and_lower_is_better_flips():
    diffs = -0.02 - 0.01 * np.arange(8) / 8
    tab = wilcoxon_table(_runs(diffs), "pr_auc", "real_only")
    assert tab.iloc[0]["verdict"] == "loss"
    flipped = wilcoxon_table(_runs(diffs), "pr_auc", "real_only", lower_is_better=True)
    assert flipped.iloc[0]["verdict"] == "win"


def test_wilcoxon_five_seeds_cannot_reach_005_alone():
    # documented limit: the smallest two-sided exact p with 5 pairs is 2/32
    tab = wilcoxon_table(_runs(np.full(5, 0.05)), "pr_auc", "real_only")
    assert tab.iloc[0]["p_value"] == pytest.approx(0.0625)


def test_summarize_mean_and_std():
    summ = summarize(_runs(np.array([0.0, 0.02])), ["pr_auc"])
    real = summ[summ["method"] == "real_only"].iloc[0]
    assert real["pr_auc_mean"] == pytest.approx(0.705)
    assert real["pr_auc_std"] == pytest.approx(np.std([0.70, 0.71], ddof=1))
    assert real["n_seeds"] == 2


def test_efficiency_table_rows_to_reach_control_best():
    rows = []
    curve = {"active": {0.1: (0.70, 10), 0.5: (0.80, 50), 1.0: (0.81, 100)},
             "random_matched": {0.1: (0.60, 10), 0.5: (0.70, 50), 1.0: (0.75, 100)}}
    for method, pts in curve.items():
        for budget, (score, n) in pts.items():
            rows.append(dict(dataset="a", estimator="lr", fraction=0.1, seed=0,
                             imbalance=0.0, label_noise=0.0, missing=0.0, method=method,
                             generator="interpolation", budget=budget, pr_auc=score,
                             synthetic_rows=n, error=np.nan))
    eff = efficiency_table(pd.DataFrame(rows), "pr_auc")
    row = eff.iloc[0]
    assert row["control_best"] == 0.75 and row["control_rows"] == 100
    assert row["targeted_budget_needed"] == 0.5 and row["targeted_rows_needed"] == 50
    assert row["rows_saved"] == pytest.approx(0.5)


def test_csv_without_target_column_gives_a_clear_error(tmp_path):
    path = tmp_path / "toy.csv"
    pd.DataFrame({"a": [1, 2, 3, 4], "label": [0, 1, 0, 1]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"no target column 'target'.*\[a, label\].*--target"):
        load_dataset(str(path))
    data = load_dataset(str(path), target="label")
    assert list(data.X.columns) == ["a"]
    with pytest.raises(ValueError, match="no target column"):
        run_benchmark([str(path)], methods=["real_only"], fractions=[0.5], seeds=1,
                      progress=False)


def test_load_dataset_csv_options(tmp_path):
    rng = np.random.RandomState(0)
    n = 400
    df = pd.DataFrame({
        "age": rng.randint(18, 80, n), "job": rng.choice(["a", "b", "c"], n),
        "duration": rng.uniform(0, 100, n), "target": (rng.uniform(size=n) < 0.1).astype(int)})
    df.to_csv(tmp_path / "bank_marketing.csv", index=False)
    data = load_dataset("bank_marketing", data_dir=tmp_path, max_rows=200)
    assert "duration" not in data.X.columns  # leaks the outcome
    assert data.X["job"].dtype == object
    assert len(data.y) == 200 and data.n_rows_full == n
    assert data.y.mean() == pytest.approx(df["target"].mean(), abs=0.01)  # stratified cap
    # binary labels: the minority class becomes 1
    flipped = df.assign(target=1 - df["target"])
    flipped.to_csv(tmp_path / "flipped.csv", index=False)
    assert load_dataset("flipped", data_dir=tmp_path).y.mean() < 0.5
    with pytest.raises(FileNotFoundError, match="data directory"):
        load_dataset("no_such_dataset", data_dir=tmp_path)


def test_missing_shared_datasets_are_skipped(tmp_path):
    with pytest.warns(UserWarning, match="Skipping dataset 'absent'"):
        runs = run_benchmark(["absent", "iris"], data_dir=tmp_path, methods=["real_only"],
                             fractions=[0.5], seeds=1, progress=False)
    assert set(runs["dataset"]) == {"iris"}
    assert runs["pr_auc"].notna().all() and runs["recall_at_precision"].isna().all()


def test_splits_and_data_constraints():
    y = np.repeat([0, 1], [900, 100])
    tr, te = split_dataset(y, 0.1, seed=0)
    assert len(te) == 300 and len(tr) == 100 and y[tr].sum() == 10
    assert not set(tr) & set(te)
    with pytest.raises(ValueError, match="fraction"):
        split_dataset(y, 0.8, seed=0)
    keep = induce_imbalance(y, 0.05, random_state=0)
    assert np.bincount(y[keep]).tolist() == [900, 45]
    noisy = add_label_noise(y, 0.1, random_state=0)
    assert (noisy != y).sum() == 100
    X = pd.DataFrame({"a": np.arange(1000), "b": ["x"] * 1000})
    Xm = add_missing_values(X, 0.2, random_state=0)
    assert 0.15 < Xm.isna().to_numpy().mean() < 0.25
    assert X.notna().all().all()


def test_perturbed_run_and_other_estimators():
    runs = run_benchmark(["wine"], estimators=["hgb"], methods=["real_only", "real_tuned",
                                                                 "calibrated"],
                         fractions=[0.5], seeds=1, label_noise=0.05, missing=0.05,
                         progress=False)
    assert runs["error"].isna().all(), runs["error"].tolist()
    assert (runs["missing"] == 0.05).all() and (runs["n_classes"] == 3).all()


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="Unknown generator"):
        available_generators(["no_such_generator"])
    with pytest.raises(ValueError, match="Unknown methods"):
        run_benchmark(["iris"], methods=["magic"], progress=False)
    with pytest.raises(ValueError, match="Unknown estimators"):
        run_benchmark(["iris"], estimators=["svm"], progress=False)


def test_cli_runs_and_rebuilds_the_report(tmp_path, capsys):
    args = ["--datasets", "iris", "--methods", "real_only", "calibrated", "--fractions",
            "0.5", "--seeds", "1", "--out", str(tmp_path), "--no-plots", "--no-progress"]
    assert cli_main(args) == 0
    assert "2 new runs" in capsys.readouterr().out
    # the same folder again: a run is never silently resumed
    assert cli_main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert cli_main(args + ["--resume"]) == 0
    assert "0 new runs" in capsys.readouterr().out
    (tmp_path / "results.md").unlink()
    assert cli_main(args + ["--report-only"]) == 0
    assert (tmp_path / "results.md").exists()


def test_cells_run_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("imblearn")
    from joblib import parallel_config

    kw = dict(estimators=["lr"], methods=["real_only", "smote"], fractions=[0.5],
              seeds=2, progress=False)
    local = run_benchmark(["breast_cancer"], **kw)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster), parallel_config(backend="dask"):
        remote = run_benchmark(["breast_cancer"], n_jobs=2, **kw)
    cols = ["method", "seed", "pr_auc", "synthetic_rows"]
    a = local[cols].sort_values(["method", "seed"]).reset_index(drop=True)
    b = remote[cols].sort_values(["method", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_sampler_and_smote_at_full_balancing(tmp_path):
    # the sampler at full balancing next to SMOTE (numeric data) / SMOTENC (a mixed
    # frame), both adding majority - minority rows
    pytest.importorskip("imblearn")
    from sklearn_activesynth.datasets import make_fraud_transactions

    fraud = make_fraud_transactions(n_samples=1200, fraud_rate=0.05, random_state=0)
    cancer = load_dataset("breast_cancer")
    runs = run_benchmark({"fraud": fraud, "breast_cancer": (cancer.X, cancer.y)},
                         estimators=["lr"], methods=["real_only", "smote_balanced",
                                                     "sampler_balanced"],
                         generators=["interpolation"], fractions=[0.5], seeds=1, max_iter=2,
                         progress=False, output_dir=tmp_path, plots=False)
    assert runs["error"].isna().all(), runs["error"].dropna().tolist()
    bal = runs[runs["method"].isin(["smote_balanced", "sampler_balanced"])]
    assert len(bal) == 4 and (bal["budget"] == 0.0).all()
    assert set(bal.loc[bal["method"] == "sampler_balanced", "generator"]) == {"interpolation"}
    for ds, grp in bal.groupby("dataset"):
        n_train = grp["n_train"].iloc[0]
        minority = round(grp["minority_share_train"].iloc[0] * n_train)
        owed = n_train - 2 * minority
        assert (grp["synthetic_rows"] == owed).all(), ds
        assert (grp["synthetic_requested"] == owed).all(), ds
        assert grp["pr_auc"].between(0, 1).all()
    md = (tmp_path / "results.md").read_text()
    assert "ActiveSynthesisSampler against SMOTE/SMOTENC, both at full balancing" in md


# -- a benchmark that says what it does (issue 13, point 5)

def test_no_data_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SKLEARN_ACTIVESYNTH_DATA", raising=False)
    monkeypatch.delenv("ACTIVESYNTH_DATA_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match=r"SKLEARN_ACTIVESYNTH_DATA.*--preset quick"):
        run_benchmark(["absent_a", "absent_b"], data_dir=tmp_path, methods=["real_only"],
                      progress=False)
    # the CLI: one message on stderr, no traceback, no warning per dataset, no folder
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rc = cli_main(["--preset", "results", "--data-dir", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: No dataset could be loaded") and "Traceback" not in err
    assert "--data-dir" in err and "--preset quick" in err
    assert not (tmp_path / "benchmark_results").exists()


def test_data_dir_from_the_environment(tmp_path, monkeypatch):
    rng = np.random.RandomState(0)
    pd.DataFrame({"x": rng.normal(size=120), "target": np.tile([0, 1, 1], 40)}).to_csv(
        tmp_path / "toy.csv", index=False)
    monkeypatch.setenv("SKLEARN_ACTIVESYNTH_DATA", str(tmp_path))
    assert load_dataset("toy").X.shape == (120, 1)
    runs = run_benchmark(["toy"], methods=["real_only"], fractions=[0.5], seeds=1,
                         progress=False)
    assert set(runs["dataset"]) == {"toy"}


def test_quick_preset_needs_no_data_and_runs_go_to_a_fresh_folder(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.setenv("SKLEARN_ACTIVESYNTH_DATA", str(tmp_path / "nothing_here"))
    monkeypatch.chdir(tmp_path)
    args = ["--preset", "quick", "--methods", "real_only", "--seeds", "1", "--no-plots"]
    assert cli_main(args) == 0
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    folders = sorted((tmp_path / "benchmark_results").iterdir())
    assert len(folders) == 2 and all(f.name.startswith("quick-") for f in folders)
    assert out.count("2 new runs") == 2  # each run computed afresh, none "0 new runs"
    assert "0 new runs" not in out


def test_generators_are_explicit_and_the_plan_is_printed(tmp_path, capsys, monkeypatch):
    kw = dict(methods=["real_only", "active"], fractions=[0.5], seeds=2, max_iter=1,
              progress=False)
    runs = run_benchmark(["iris"], dry_run=True, output_dir=tmp_path / "plan", **kw)
    out = capsys.readouterr().out
    assert "Plan: 4 runs in 2 cells (1 datasets)" in out and "rough time" in out
    assert "Generators: interpolation (others run only when named" in out
    assert runs.attrs["n_new_runs"] == 0 and not (tmp_path / "plan").exists()
    # without a name only the built-in generator runs, whatever is installed
    runs = run_benchmark(["iris"], **kw)
    assert set(runs.loc[runs["method"] == "active", "generator"]) == {"interpolation"}
    # a named generator that cannot run is an error, not a silent skip
    monkeypatch.setitem(sys.modules, "sdv", None)
    with pytest.raises(ImportError, match=r"gaussian_copula.*sklearn-activesynth\[sdv\]"):
        run_benchmark(["iris"], generators=["interpolation", "gaussian_copula"], **kw)
    # the CLI's progress bar counts cells
    assert cli_main(["--datasets", "iris", "--methods", "real_only", "--fractions", "0.5",
                     "--seeds", "2", "--out", str(tmp_path / "bar"), "--no-report",
                     "--no-plots"]) == 0
    assert "2/2" in capsys.readouterr().err


def test_guard_is_reported_and_library_defaults_are_a_method(tmp_path, capsys):
    from sklearn_activesynth import ActiveSynthesisClassifier
    from sklearn_activesynth.benchmark import make_estimator

    runs = run_benchmark(["breast_cancer"], methods=["real_only", "active_defaults"],
                         fractions=[0.3], seeds=1, output_dir=tmp_path, plots=False)
    out = capsys.readouterr().out
    assert "Validation guard of the loop methods: off" in out
    assert "unlike the library's default validation_fraction=0.2" in out
    md = (tmp_path / "results.md").read_text()
    assert "unlike the library's default (validation_fraction=0.2" in md
    assert "- `active_defaults`: ActiveSynthesisClassifier(base, random_state=seed)" in md
    # the run is the library as shipped, on the cell's rows
    row = runs[runs["method"] == "active_defaults"].iloc[0]
    assert pd.isna(row["error"]) and row["generator"] == "none"
    X, y = load_dataset("breast_cancer").X, load_dataset("breast_cancer").y
    tr, te = split_dataset(y, 0.3, 0)
    clf = ActiveSynthesisClassifier(make_estimator("lr", seed=0), random_state=0).fit(
        X.iloc[tr].reset_index(drop=True), y[tr])
    assert row["synthetic_rows"] == len(clf.synthetic_y_)
    from sklearn.metrics import average_precision_score
    proba = clf.predict_proba(X.iloc[te].reset_index(drop=True))[:, 1]
    assert row["pr_auc"] == pytest.approx(average_precision_score(y[te], proba), abs=1e-6)


def test_a_degenerate_cell_is_flagged(tmp_path):
    rng = np.random.RandomState(0)
    y = np.tile([0, 0, 1], 100)
    informative = pd.DataFrame({"x": rng.normal(size=300) + 2 * y})
    constant = pd.DataFrame({"x": np.zeros(300)})  # LR can only predict the prior
    runs = run_benchmark({"constant": (constant, y), "informative": (informative, y)},
                         methods=["real_only"], fractions=[0.5], seeds=2,
                         output_dir=tmp_path, plots=False, progress=False)
    flag = runs.set_index(["dataset", "seed"])["degenerate"].fillna("")
    assert (flag["constant"] == "constant_proba").all()
    assert (flag["informative"] == "").all()
    md = (tmp_path / "results.md").read_text()
    assert "## Degenerate runs" in md and "| constant | lr | 50% | real_only |" in md
    table = md.split("## pr_auc (mean ± std)")[1].split("##")[0]
    assert [line for line in table.splitlines() if line.startswith("| constant")][0] \
        .endswith("† |")
    assert "†" not in [line for line in table.splitlines()
                       if line.startswith("| informative")][0]


def test_brier_score_binary_and_multiclass():
    from sklearn_activesynth.benchmark._runner import _scores

    # binary: mean (P(y=1) - 1[y=1])^2
    y = np.array([0, 1, 1, 0])
    p1 = np.array([0.2, 0.9, 0.4, 0.6])
    scores, _ = _scores(y, np.c_[1 - p1, p1], 2, 0.8)
    assert scores["brier"] == pytest.approx((0.04 + 0.01 + 0.36 + 0.36) / 4)
    # one class only in the test rows still scores (ROC AUC and F1 warn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = _scores(np.zeros(2, int), np.array([[0.7, 0.3], [0.4, 0.6]]), 2, 0.8)
    assert scores["brier"] == pytest.approx((0.09 + 0.36) / 2)
    # multiclass: mean over rows of the sum over classes (class 1 absent from y)
    y = np.array([0, 2, 2])
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6]])
    with warnings.catch_warnings():  # ROC AUC of the absent class
        warnings.simplefilter("ignore")
        scores, _ = _scores(y, proba, 3, 0.8)
    rows = [0.09 + 0.04 + 0.01, 0.01 + 0.09 + 0.16, 0.04 + 0.04 + 0.16]
    assert scores["brier"] == pytest.approx(np.mean(rows))


def test_resume_of_a_run_from_before_the_brier_column(tmp_path):
    kw = dict(methods=["real_only"], fractions=[0.5], seeds=2, progress=False,
              report=False, plots=False)
    run_benchmark(["iris"], output_dir=tmp_path, **{**kw, "seeds": 1})
    old = pd.read_csv(tmp_path / "runs.csv").drop(columns=["brier", "arm_pulls"])
    old.to_csv(tmp_path / "runs.csv", index=False)
    runs = run_benchmark(["iris"], output_dir=tmp_path, **kw)
    assert runs.attrs["n_new_runs"] == 1
    csv = pd.read_csv(tmp_path / "runs.csv")
    assert list(csv.columns) == RUN_COLUMNS and len(csv) == 2
    by_seed = csv.set_index("seed")
    assert pd.isna(by_seed.loc[0, "brier"]) and 0 < by_seed.loc[1, "brier"] < 2
    assert by_seed["accuracy"].between(0, 1).all()
