"""SDV generators with a continuous target, with real SDV (1-2 epochs, tiny data)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

pytest.importorskip("sdv")

from sklearn_activesynth import ActiveSynthesisRegressor  # noqa: E402
from sklearn_activesynth.generators import (  # noqa: E402
    CTGANGenerator,
    GaussianCopulaGenerator,
    TVAEGenerator,
)
from sklearn_activesynth.utils.estimator_checks import (  # noqa: E402
    make_check_regression_frame,
    make_targets,
)

GENERATORS = {
    "copula": GaussianCopulaGenerator(),
    "tvae": TVAEGenerator(epochs=2, batch_size=50),
    "ctgan": CTGANGenerator(epochs=2, batch_size=50),
}


def _sparse_range(seed=0):
    rng = np.random.RandomState(seed)
    y = np.r_[rng.uniform(0, 1, 100), rng.uniform(9, 10, 12)]
    X = np.c_[y + 0.1 * rng.normal(size=len(y)), rng.normal(size=len(y))]
    return X, y


@pytest.mark.parametrize("name", list(GENERATORS))
def test_the_regressor_runs_each_sdv_generator_with_finite_targets_in_range(name):
    X, y = _sparse_range()
    reg = ActiveSynthesisRegressor(generator=GENERATORS[name], targeting="rare",
                                   max_iter=1, random_state=0,
                                   validation_fraction=None).fit(X, y)
    syn = reg.synthetic_y_
    assert len(syn) > 0 and syn.dtype.kind == "f"
    assert np.isfinite(syn).all()
    assert syn.min() >= y.min() and syn.max() <= y.max()  # SDV clips to the training range
    assert reg.history_["n_candidates"].iloc[1] == 10 * reg.history_["n_generated"].iloc[1]
    # the user's generator is untouched: the regressor set the target type on its copy
    assert GENERATORS[name].target_type is None


def test_candidates_nearest_the_anchors_in_x_and_y_are_kept():
    X, y = _sparse_range()
    gen = GaussianCopulaGenerator(random_state=0, target_type="continuous").fit(X, y)
    anchors = np.flatnonzero(y >= 9)[:4]
    targets = make_targets(X, y, anchors, [5] * 4)
    kept = gen.generate(targets=targets, random_state=0)
    unselected = clone(gen).set_params(selection=None).fit(X, y) \
        .generate(20, random_state=0)
    assert kept.n_samples == 20
    assert set(kept.anchor_positions.tolist()) <= set(anchors.tolist())
    assert np.all(unselected.anchor_positions == -1)
    assert np.mean(np.abs(kept.y - 9.5)) < 0.5 * np.mean(np.abs(unselected.y - 9.5))
    # the same random_state samples and keeps the same rows
    again = gen.generate(targets=targets, random_state=0)
    np.testing.assert_array_equal(kept.y, again.y)


def test_uncertainty_selection_keeps_the_candidates_the_model_is_least_sure_about():
    X, y = _sparse_range()
    gen = GaussianCopulaGenerator(random_state=0, target_type="continuous",
                                  selection="uncertainty").fit(X, y)
    targets = make_targets(X, y, [0, 1], [3, 3])
    targets.uncertainty_fn = lambda Xc: np.asarray(Xc)[:, 1]  # "unsure" where x1 is high
    res = gen.generate(targets=targets, random_state=0)
    pool = clone(gen).set_params(selection=None).fit(X, y).generate(60, random_state=0)
    assert res.n_samples == 6
    assert np.asarray(res.X)[:, 1].min() >= np.quantile(np.asarray(pool.X)[:, 1], 0.5)


def test_a_mixed_frame_with_a_numerical_target_column():
    X, y = make_check_regression_frame(150)
    gen = GaussianCopulaGenerator(random_state=0, target_type="continuous").fit(X, y)
    md = gen.metadata_.to_dict()
    table = next(iter(md["tables"].values()))
    assert table["columns"][gen.label_column_]["sdtype"] == "numerical"
    X_new, y_new = gen.generate(25, random_state=0)
    assert isinstance(X_new, pd.DataFrame) and X_new.dtypes.equals(X.dtypes)
    assert np.isfinite(y_new).all()


def test_a_non_numeric_target_is_refused():
    X, _ = make_check_regression_frame(60)
    with pytest.raises(ValueError, match="needs a numeric y"):
        GaussianCopulaGenerator(target_type="continuous").fit(X, np.array(["a", "b"] * 30))
    with pytest.raises(ValueError, match="finite y"):
        GaussianCopulaGenerator(target_type="continuous").fit(X, np.r_[np.nan, np.ones(59)])
