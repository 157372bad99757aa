"""The code on docs/design.md runs: its plug-in examples work in the loop."""

import pathlib
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_activesynth import ActiveSynthesisClassifier

DESIGN = pathlib.Path(__file__).resolve().parents[1] / "docs" / "design.md"


@pytest.fixture(scope="module")
def examples():
    """Every python block of the page that defines a class, run in one namespace."""
    blocks = re.findall(r"```python\n(.*?)```", DESIGN.read_text(), flags=re.S)
    namespace = {"np": np, "pd": pd}
    for block in blocks:
        if block.lstrip().startswith(("from ", "import ", "class ")):
            exec(compile(block, str(DESIGN), "exec"), namespace)
    return namespace


def test_the_page_names_the_stages_the_loop_runs():
    from sklearn_activesynth._loop import DEFAULT_STAGES

    text = DESIGN.read_text()
    for stage in DEFAULT_STAGES:
        assert f"`{stage.__name__}` (`{stage.name}`)" in text


def test_the_page_names_the_acquisition_stage_and_its_history_fields():
    from sklearn_activesynth._loop import AcquisitionStage

    text = DESIGN.read_text()
    assert f"`{AcquisitionStage.__name__}` (`{AcquisitionStage.name}`)" in text
    for name in ("n_asked", "n_acquired", "n_unlabelled_left", "oracle_error"):
        assert f"`{name}`" in text


def test_the_generator_example_works_alone_and_in_the_loop(examples):
    gen = examples["JitterGenerator"](scale=0.01)
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    X_new, y_new = gen.fit(X, y).generate(7, random_state=0)
    assert X_new.shape == (7, 4) and set(y_new) <= {0, 1}
    clf = ActiveSynthesisClassifier(LogisticRegression(), generator=gen, max_iter=1,
                                    validation_fraction=None, random_state=0).fit(X, y)
    assert len(clf.synthetic_y_) > 0
    assert clf.history_.loc[1, "jitter_rows"] == clf.history_.loc[1, "n_generated"]
    # each row sits next to the anchor it names
    anchors = X[clf.synthetic_provenance_["anchor_index"]]
    assert np.abs(clf.synthetic_X_ - anchors).max() < 0.1


def test_the_filter_and_uncertainty_examples_work_in_the_loop(examples):
    X, y = make_classification(n_samples=300, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=["amount", "b", "c", "d"])
    clf = ActiveSynthesisClassifier(
        LogisticRegression(), filters=[examples["MaxAmountFilter"](limit=0.0)],
        uncertainty=examples["TopTwoGap"](), max_iter=1, validation_fraction=None,
        random_state=0).fit(frame, y)
    assert (clf.synthetic_X_["amount"] <= 0.0).all()
    assert clf.history_.loc[1, "n_rejected_MaxAmountFilter"] > 0
    assert "quality_MaxAmountFilter" in clf.synthetic_provenance_
