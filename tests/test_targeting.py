import numpy as np
import pandas as pd
import pytest

from sklearn_activesynth.targeting import (
    allocate_classes,
    build_targets,
    find_regions,
    select_anchors,
)
from sklearn_activesynth.utils import TabularSchema
from sklearn_activesynth.utils.estimator_checks import make_check_frame


def test_allocate_classes_sums_exactly_and_follows_the_rule():
    y = np.array([0] * 90 + [1] * 10)
    assert allocate_classes(7, y, allocation="proportional") == {0: 6, 1: 1}
    assert allocate_classes(7, y, allocation="balanced") in ({0: 4, 1: 3}, {0: 3, 1: 4})
    assert allocate_classes(10, y, anchor_labels=np.array([1, 1, 1, 1, 0])) == {0: 2, 1: 8}
    assert allocate_classes(10, y, allocation="minority") == {0: 0, 1: 10}
    assert allocate_classes(10, y, allocation={0: 0.2, 1: 0.8}) == {0: 2, 1: 8}
    with pytest.raises(ValueError, match="not in y"):
        allocate_classes(10, y, allocation={2: 1.0})


def test_uncertain_and_random_anchors():
    rng = np.random.RandomState(0)
    scores = np.arange(100) / 100.0
    top = select_anchors("uncertain", 5, scores=scores, rng=rng)
    assert set(top) == {95, 96, 97, 98, 99}
    rand = select_anchors("random", 50, scores=scores, rng=rng)
    assert len(set(rand)) == 50
    assert 30 < scores[rand].mean() * 100 < 70  # not biased towards the uncertain end


def test_error_anchors_put_confidently_wrong_rows_first():
    y = np.array([0, 0, 1, 1, 0, 1])
    proba = np.array([
        [0.9, 0.1],   # right
        [0.05, 0.95], # wrong, very confident
        [0.4, 0.6],   # right, unsure
        [0.6, 0.4],   # wrong, unsure
        [0.55, 0.45], # right
        [0.2, 0.8],   # right
    ])
    scores = 1 - proba.max(1)
    picked = select_anchors("errors", 3, scores=scores, rng=np.random.RandomState(0),
                            proba=proba, y_encoded=y)
    assert list(picked[:2]) == [1, 3]
    # once the errors are used up, the most uncertain right rows follow
    assert picked[2] == 4


def test_diverse_anchors_spread_over_both_uncertain_areas():
    rng = np.random.RandomState(0)
    clump = rng.normal(loc=(0, 0), scale=0.05, size=(200, 2))
    spread = rng.normal(loc=(5, 5), scale=1.0, size=(40, 2))
    Z = np.vstack([clump, spread])
    scores = np.r_[np.full(200, 0.69), np.full(40, 0.6)] + rng.uniform(0, 0.01, 240)
    unc = select_anchors("uncertain", 20, scores=scores, rng=rng)
    div = select_anchors("diverse", 20, scores=scores, rng=rng, X_encoded=Z, diversity=0.5)
    assert np.all(unc < 200)  # all in the clump
    assert np.sum(div >= 200) >= 5  # diversity reaches the second area

    def spread_of(idx):
        P = Z[idx]
        return np.mean(np.linalg.norm(P[:, None] - P[None], axis=-1))

    assert spread_of(div) > 3 * spread_of(unc)


def test_regions_describe_the_anchors_in_the_users_terms():
    X, y = make_check_frame(n_samples=200)
    schema = TabularSchema(X)
    anchors = np.flatnonzero(y == 1)[:30]
    predicted = y.copy()
    predicted[anchors[:5]] = 0
    labels, regions = find_regions(anchors, X=X, X_encoded=None, y=y,
                                   scores=np.ones(200), schema=schema,
                                   rng=np.random.RandomState(0), n_regions=2,
                                   predicted=predicted)
    assert len(regions) == 2 and len(labels) == 30
    desc = regions[0].description
    assert set(desc["features"]["numeric"]) == {"amount", "count"}
    assert set(desc["features"]["categorical"]) == {"kind", "city"}
    q = desc["features"]["numeric"]["amount"]
    assert q["min"] <= q["median"] <= q["max"]
    total_confusions = sum(n for r in regions for _, _, n in r.description["confused_with"])
    assert total_confusions == 5
    assert "amount in [" in regions[0].text


def test_region_descriptions_keep_no_array_over_all_rows():
    # a description is computed on demand; it must not keep the predictions,
    # labels or scores of every training row alive until then
    import weakref

    X, y = make_check_frame(n_samples=200)
    schema = TabularSchema(X)
    anchors = np.flatnonzero(y == 1)[:30]
    predicted, scores = y.copy(), np.ones(200)
    predicted[anchors[:5]] = 0
    refs = [weakref.ref(predicted), weakref.ref(scores)]
    _, regions = find_regions(anchors, X=X, X_encoded=None, y=y, scores=scores,
                              schema=schema, rng=np.random.RandomState(0), n_regions=2,
                              predicted=predicted)
    del predicted, scores
    assert all(ref() is None for ref in refs)
    assert sum(n for r in regions for _, _, n in r.description["confused_with"]) == 5
    assert all(r.description["mean_uncertainty"] == 1.0 for r in regions)


def test_class_matched_random_control_reproduces_the_class_mix():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = np.array([0] * 270 + [1] * 30)
    scores = np.where(y == 1, 0.6, 0.1) + rng.uniform(0, 0.05, 300)
    schema = TabularSchema(X)
    common = dict(X=X, y=y, y_encoded=y, classes=np.array([0, 1]), scores=scores,
                  budget=40, n_anchors=20, schema=schema)
    targeted = build_targets(rng=np.random.RandomState(1), strategy="uncertain", **common)
    matched = build_targets(rng=np.random.RandomState(1), strategy="random",
                            allocation=targeted.class_counts, **common)
    plain = build_targets(rng=np.random.RandomState(1), strategy="random", **common)
    assert targeted.class_counts == matched.class_counts
    assert targeted.n_samples == matched.n_samples == plain.n_samples == 40
    assert targeted.class_counts.get(1, 0) > plain.class_counts.get(1, 0)
    assert np.all(y[matched.anchor_indices] == matched.anchor_y)
