"""The examples run end to end, as shipped (the XGBoost fraud example is marked slow)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_fraud_detection_example(tmp_path, capsys):
    pytest.importorskip("xgboost")
    pytest.importorskip("imblearn")
    pytest.importorskip("matplotlib")
    rows = load("fraud_detection").main(["--out", str(tmp_path)])
    assert [r["method"] for r in rows] == [
        "real only", "SMOTE (balanced)", "active synthesis", "random anchors, class-matched"]
    assert rows[2]["synthetic_rows"] == rows[3]["synthetic_rows"] > 0
    assert (tmp_path / "fraud_detection_pr.png").stat().st_size > 0
    out = capsys.readouterr().out
    assert "Provenance of the synthetic rows" in out
    assert "synthetic_identity" in out


def test_grid_search_example(capsys):
    search = load("grid_search_pipeline").main([])
    assert set(search.best_params_) >= {"clf__integration", "clf__generator__k_neighbors"}
    assert len(search.cv_results_["params"]) == 6
    assert "Best parameters" in capsys.readouterr().out


def test_cross_val_score_example(capsys):
    pytest.importorskip("imblearn")
    table = load("cross_val_score_vs_smote").main([])
    assert list(table.columns) == ["real only", "SMOTE", "active synthesis", "random anchors"]
    assert table.shape == (5, 4) and table.notna().all().all()
    assert "cross-validated average precision" in capsys.readouterr().out


def test_review_queue_example(tmp_path, capsys):
    out = load("review_queue").main(["--quick", "--out", str(tmp_path)])
    reviewed = [n for n, _ in out["active"]]
    assert reviewed == [n for n, _ in out["random"]]
    assert np.all(np.diff(reviewed) == 200) and len(reviewed) == 4   # 3 days of 200
    queued = out["queued"]
    assert len(queued) == 600 and len(set(queued.tolist())) == 600  # never asked twice
    assert len(set(out["picked"].tolist())) == 600
    assert all(0.0 < ap <= 1.0 for _, ap in out["active"] + out["random"])
    assert out["active"][0] == out["random"][0]                      # the same start
    text = capsys.readouterr().out
    assert "first day's review queue" in text and "Learning curve" in text
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "review_queue.png").stat().st_size > 0
