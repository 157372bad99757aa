"""The regression acquisition benchmark script runs end to end on a tiny budget."""

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_regression_acquisition.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_regression_acquisition", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_main_tiny_run(tmp_path, capsys):
    bench = _load()
    out = tmp_path / "table.md"
    table, curves = bench.main(["--datasets", "diabetes", "--models", "ridge", "--strategies",
                                "auto", "--seeds", "1", "--n-seed", "10", "--batch", "5",
                                "--budget", "20", "--out", str(out), "--quiet"])
    assert list(table.columns) == bench.TABLE_COLUMNS
    # the control is added when not asked for; both strategies ran every round
    assert set(table["strategy"]) == {"auto", "random"}
    assert not curves["error"].fillna("").astype(bool).any()
    for strategy in ("auto", "random"):
        c = curves[curves["strategy"] == strategy].sort_values("round")
        assert c["n_labels"].tolist() == [10, 15, 20]
        assert np.isfinite(c["r2"]).all() and np.isfinite(c["mae"]).all()
    # the seed-set model is shared; the acquired rows differ by strategy
    first = curves[curves["round"] == 0].set_index("strategy")
    assert first.loc["auto", "r2"] == first.loc["random", "r2"]
    auto = table.set_index("strategy").loc["auto"]
    assert np.isfinite(auto["d_aulc_vs_random"]) and auto["runs"] == 1
    text = out.read_text()
    assert "| dataset | model | strategy |" in text and "`random`" in text
    assert text in capsys.readouterr().out
