"""CTGAN, TVAE and Gaussian copula generators, with real SDV (a few epochs, ~300 rows)."""

import dataclasses
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

pytest.importorskip("sdv")

from sklearn_activesynth import ActiveSynthesisClassifier  # noqa: E402
from sklearn_activesynth.filters import PrivacyFilter  # noqa: E402
from sklearn_activesynth.generators import (  # noqa: E402
    CTGANGenerator,
    GaussianCopulaGenerator,
    TVAEGenerator,
)
from sklearn_activesynth.targeting import Targeting  # noqa: E402
from sklearn_activesynth.utils import TabularSchema, take_rows  # noqa: E402
from sklearn_activesynth.utils._compat import InvalidParameterError  # noqa: E402
from sklearn_activesynth.utils.estimator_checks import (  # noqa: E402
    make_check_frame,
    make_targets,
    parametrize_generator_checks,
)

# small, seeded settings: each fit takes under a second on one core. TVAE gets 50
# short epochs: on 240 rows it first collapses the label onto the majority class
# (measured: no class-1 rows at 10-30 epochs) and learns the class mix after ~50.
GENERATORS = [
    GaussianCopulaGenerator(random_state=0),
    TVAEGenerator(epochs=50, batch_size=50, random_state=0),
    CTGANGenerator(epochs=3, batch_size=100, random_state=0),
]
IDS = ["copula", "tvae", "ctgan"]


def _pipeline():
    pre = make_column_transformer(
        (StandardScaler(), ["amount", "count"]),
        (OneHotEncoder(handle_unknown="ignore"), ["kind", "city"]),
    )
    return make_pipeline(pre, LogisticRegression())


@pytest.fixture(scope="module")
def fitted():
    """Each generator fitted once on the check frame (300 rows)."""
    X, y = make_check_frame(n_samples=300)
    return X, y, {name: clone(g).fit(X, y) for name, g in zip(IDS, GENERATORS)}


@parametrize_generator_checks(GENERATORS)
def test_generator_checks(generator, check):
    check(generator)


# ------------------------------------------------------------------ targeting
@pytest.mark.parametrize("name", IDS)
def test_targeted_candidates_are_nearer_the_anchors_than_untargeted_samples(fitted, name):
    X, y, gens = fitted
    gen = gens[name]
    schema = TabularSchema(X)
    ones = np.flatnonzero(y == 1)
    # anchors: the class-1 rows with the smallest amounts, a corner of that class
    anchors = ones[np.argsort(X["amount"].to_numpy()[ones])[:5]]
    targets = make_targets(X, y, anchors, [8] * 5)
    X_t, y_t = gen.generate(targets=targets, random_state=0)
    # the same fitted model, the same class and number of rows, no anchors
    untargeted = dataclasses.replace(targets, anchor_indices=np.empty(0, int),
                                     anchor_counts=np.empty(0, int))
    X_u, y_u = gen.generate(40, targets=untargeted, random_state=0)
    assert (y_t == 1).all() and (y_u == 1).all() and len(y_t) == len(y_u) == 40
    Za = schema.encode(take_rows(X, anchors))

    def nearest(Xn):
        Z = schema.encode(Xn)
        return np.sqrt(((Z[:, None, :] - Za[None]) ** 2).sum(-1)).min(1).mean()

    d_t, d_u = nearest(X_t), nearest(X_u)
    assert d_t < 0.6 * d_u, (d_t, d_u)
    # every row is attributed to one of the anchors; a call is a function of its seed
    again = gen.generate(targets=targets, random_state=0)
    assert set(again.anchor_positions.tolist()) <= set(anchors.tolist())
    assert len(again.anchor_positions) == 40
    pd.testing.assert_frame_equal(X_t, again.X)


def test_uncertainty_selection_keeps_the_rows_the_model_is_least_sure_about(fitted):
    X, y, gens = fitted
    gen = clone(gens["copula"]).set_params(selection="uncertainty").fit(X, y)
    model = _pipeline().fit(X, y)

    def uncertainty(Xn):
        p = model.predict_proba(Xn)[:, 1]
        return -np.abs(p - 0.5)

    anchors = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]]
    targets = make_targets(X, y, anchors, [5] * 6)
    targets.uncertainty_fn = uncertainty
    result = gen.generate(targets=targets, random_state=0)
    X_t, y_t = result
    X_u, _ = clone(gen).set_params(selection=None).fit(X, y).generate(
        targets=targets, random_state=0)
    assert {c: int(np.sum(y_t == c)) for c in (0, 1)} == {0: 15, 1: 15}
    assert uncertainty(X_t).mean() > uncertainty(X_u).mean() + 0.05
    assert result.report["n_candidates"] == 10 * 30


# ------------------------------------------------------------------ schema
def test_class_conditions_are_met_exactly_with_string_labels():
    X, y = make_check_frame(n_samples=300)
    labels = np.array(["low", "high", "rare"], dtype=object)[y]
    labels[:6] = "rare"
    gen = GaussianCopulaGenerator(random_state=0).fit(X, labels)
    anchors = [np.flatnonzero(labels == c)[0] for c in ("low", "high", "rare")]
    targets = make_targets(X, labels, anchors, [7, 0, 13])
    result = gen.generate(targets=targets, random_state=1)
    X_new, y_new = result
    assert {c: int(np.sum(y_new == c)) for c in ("low", "high", "rare")} == \
        {"low": 7, "high": 0, "rare": 13}
    assert y_new.dtype == labels.dtype
    assert result.report["n_shortfall"] == 0


def _mixed_frame(n=300, seed=0):
    X, y = make_check_frame(n_samples=n, random_state=seed)
    rng = np.random.RandomState(seed)
    X["score"] = np.where(rng.uniform(size=n) < 0.1, np.nan, rng.normal(size=n).round(3))
    X["flag"] = rng.uniform(size=n) < 0.3
    X["small"] = rng.randint(0, 4, size=n).astype(np.int32)
    return X, y


@pytest.mark.parametrize("name", IDS)
def test_mixed_dataframe_round_trips_with_its_schema(name):
    X, y = _mixed_frame()
    gen = clone(dict(zip(IDS, GENERATORS))[name]).fit(X, y)
    X_new, y_new = gen.generate(200, random_state=0)
    assert list(X_new.columns) == list(X.columns)
    assert X_new.dtypes.equals(X.dtypes), (X_new.dtypes, X.dtypes)
    assert X_new["kind"].dtype == X["kind"].dtype  # unused category "atm" still declared
    assert set(X_new["city"]) <= set(X["city"])
    assert X_new["small"].between(0, 3).all()
    # NaN only where the input had them
    assert not X_new.drop(columns="score").isna().any().any()
    cents = X_new["amount"].to_numpy() * 100
    np.testing.assert_allclose(cents, np.round(cents), atol=1e-6)
    assert X_new.index.equals(pd.RangeIndex(200))


def test_integer_column_names_and_arrays():
    X, y = make_check_frame()
    Xi = X.set_axis(range(4), axis=1)
    X_new, _ = GaussianCopulaGenerator(random_state=0).fit(Xi, y).generate(5, random_state=0)
    assert list(X_new.columns) == [0, 1, 2, 3]
    Xa = X[["count"]].to_numpy()
    X_new, _ = GaussianCopulaGenerator(random_state=0).fit(Xa, y).generate(5, random_state=0)
    assert X_new.dtype == Xa.dtype and X_new.shape == (5, 1)


def test_metadata_can_be_given_by_the_user():
    X, y = make_check_frame()
    md = {"tables": {"data": {"columns": {
        "amount": {"sdtype": "numerical"}, "count": {"sdtype": "categorical"},
        "kind": {"sdtype": "categorical"}, "city": {"sdtype": "categorical"}}}},
        "METADATA_SPEC_VERSION": "V2"}
    gen = GaussianCopulaGenerator(metadata=md, random_state=0).fit(X, y)
    assert gen.metadata_.to_dict()["tables"]["data"]["columns"]["count"]["sdtype"] == \
        "categorical"
    assert gen.metadata_.to_dict()["tables"]["data"]["columns"][gen.label_column_] == \
        {"sdtype": "categorical"}
    assert "__label__" not in md["tables"]["data"]["columns"]  # the user's dict untouched
    X_new, _ = gen.generate(50, random_state=0)
    assert X_new["count"].dtype == np.int64 and set(X_new["count"]) <= set(X["count"])
    bad = {"tables": {"data": {"columns": {"amount": {"sdtype": "numerical"}}}},
           "METADATA_SPEC_VERSION": "V2"}
    with pytest.raises(ValueError, match="misses"):
        GaussianCopulaGenerator(metadata=bad).fit(X, y)


def test_detected_personal_data_is_modelled_as_categories():
    # SDV takes a column of city names for personal data and would invent cities
    X, y = make_check_frame()
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    cols = gen.metadata_.to_dict()["tables"]["data"]["columns"]
    assert cols["city"]["sdtype"] == "categorical" and "pii" not in cols["city"]


# ------------------------------------------------------------------ shortfall
def test_shortfall_is_recorded_warned_once_and_never_raises():
    X, y = make_check_frame(n_samples=300)
    labels = np.full(300, "common", dtype=object)
    labels[:8] = "rare"
    # one rejection-sampling try: TVAE cannot produce 300 rows of a 3 % class in it
    gen = TVAEGenerator(epochs=3, batch_size=100, max_tries_per_batch=1, selection=None,
                        random_state=0).fit(X, labels)
    targets = make_targets(X, labels, [int(np.flatnonzero(labels == "rare")[0])], [300])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        X_new, y_new = result = gen.generate(targets=targets, random_state=0)
        report = result.report
        gen.generate(targets=targets, random_state=1)
    assert sum("could not produce every row" in str(w.message) for w in record) == 1
    assert len(y_new) < 300 and (y_new == "rare").all() and len(X_new) == len(y_new)
    assert report["shortfall_rare"] == 300 - len(y_new) == report["n_shortfall"]
    assert report["shortfall_common"] == 0


def test_a_class_sdv_cannot_sample_at_all_gives_an_empty_block(monkeypatch):
    X, y = make_check_frame()
    gen = GaussianCopulaGenerator(random_state=0).fit(X, y)
    real_sample = gen.synthesizer_.sample_from_conditions
    calls = []

    def sample(conditions, **kw):
        # SDV's rejection sampling finds no class-1 row: it returns the other
        # classes' rows, and raises its own error when nothing is left
        calls.append([c.get_column_values()[gen.label_column_] for c in conditions])
        kept = [c for c in conditions if c.get_column_values()[gen.label_column_] != "1"]
        if not kept:
            raise ValueError("Unable to sample any rows for the given conditions. "
                             "Try increasing `max_tries_per_batch` (currently: 20).")
        return real_sample(kept, **kw)

    monkeypatch.setattr(gen.synthesizer_, "sample_from_conditions", sample)
    targets = make_targets(X, y, [int(np.flatnonzero(y == 0)[0]),
                                  int(np.flatnonzero(y == 1)[0])], [4, 6])
    with pytest.warns(UserWarning, match="class 1: 6 of 6"):
        result = gen.generate(targets=targets, random_state=0)
    X_new, y_new = result
    assert (y_new == 0).sum() == 4 and len(X_new) == 4
    assert result.report["shortfall_1"] == 6
    assert len(result.anchor_positions) == 4
    # a class that gave nothing is not sampled again in this fit (each try is costly)
    again = gen.generate(targets=targets, random_state=1)
    assert calls == [["0", "1"], ["0"]] and again.report["shortfall_1"] == 6
    # nothing at all: SDV's error is a shortfall too, not a failure
    gen._unproducible.clear()
    only_ones = make_targets(X, y, [int(np.flatnonzero(y == 1)[0])], [5])
    result = gen.generate(targets=only_ones, random_state=0)
    X_new, y_new = result
    assert len(y_new) == 0 and X_new.shape == (0, 4) and X_new.dtypes.equals(X.dtypes)
    assert result.report["n_shortfall"] == 5


def test_the_loop_records_the_shortfall_and_finishes():
    X, y = make_check_frame(n_samples=300)
    y = y.copy()
    clf = ActiveSynthesisClassifier(
        _pipeline(), max_iter=2, n_synthetic=150,
        targeting=Targeting(class_allocation={0: 0.1, 1: 0.9}),
        generator=TVAEGenerator(epochs=2, batch_size=100, max_tries_per_batch=1,
                                selection=None),
        random_state=0, validation_fraction=None)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.fit(X, y)
    shortfall_warnings = [w for w in record if "could not produce" in str(w.message)]
    h = clf.history_
    assert clf.n_iter_ == 2 and (h["status"].iloc[1:] == "ok").all()
    # one try of 135 class-1 rows cannot give 135 of them: a shortfall, warned once
    assert h["shortfall_1"].iloc[1:].min() > 0
    assert len(shortfall_warnings) == 1
    for col in ("n_candidates", "shortfall_0", "shortfall_1", "seconds_sampling",
                "seconds_selection"):
        assert col in h.columns
    assert (h["n_generated"].iloc[1:] + h["n_shortfall"].iloc[1:] == 150).all()


# ------------------------------------------------------------------ reproducibility
def test_same_random_state_gives_identical_rows_through_the_classifier():
    X, y = make_check_frame(n_samples=240)

    def run(seed):
        return ActiveSynthesisClassifier(
            _pipeline(), generator=CTGANGenerator(epochs=2, batch_size=100), max_iter=1,
            keep_generator=True, random_state=seed).fit(X, y)

    a, b, c = run(0), run(0), run(1)
    pd.testing.assert_frame_equal(a.synthetic_X_, b.synthetic_X_)
    np.testing.assert_array_equal(a.synthetic_y_, b.synthetic_y_)
    assert a.generator_.random_state == b.generator_.random_state != c.generator_.random_state


def test_a_fit_leaves_the_global_numpy_and_torch_generators_alone():
    torch = pytest.importorskip("torch")
    X, y = make_check_frame()
    np.random.seed(123)
    torch.manual_seed(7)
    np_before, torch_before = np.random.get_state(), torch.get_rng_state().clone()
    for gen in (CTGANGenerator(epochs=1, batch_size=100, random_state=0),
                TVAEGenerator(epochs=1, batch_size=100, random_state=0),
                GaussianCopulaGenerator(random_state=0)):
        gen.fit(X, y).generate(20, random_state=0)
    np_after = np.random.get_state()
    assert np_before[0] == np_after[0] and np.array_equal(np_before[1], np_after[1])
    assert np_before[2:] == np_after[2:]
    assert torch.equal(torch_before, torch.get_rng_state())


def test_asking_for_the_gpu_without_one_trains_on_the_cpu():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: this checks the CPU fallback")
    X, y = make_check_frame()
    state = torch.get_rng_state().clone()
    gen = TVAEGenerator(epochs=1, batch_size=100, enable_gpu=True, random_state=0).fit(X, y)
    assert str(gen.synthesizer_._model._device) == "cpu"
    assert torch.equal(state, torch.get_rng_state())
    cpu = TVAEGenerator(epochs=1, batch_size=100, random_state=0).fit(X, y)
    pd.testing.assert_frame_equal(gen.generate(10, random_state=0).X,
                                  cpu.generate(10, random_state=0).X)


def test_pickled_generator_samples_the_same_rows():
    X, y = make_check_frame()
    gen = CTGANGenerator(epochs=1, batch_size=100, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(gen))
    pd.testing.assert_frame_equal(gen.generate(15, random_state=2).X,
                                  copy.generate(15, random_state=2).X)


# ------------------------------------------------------------------ parameters
def test_epochs_is_a_grid_search_parameter():
    X, y = make_check_frame(n_samples=200)
    clf = ActiveSynthesisClassifier(_pipeline(), generator=TVAEGenerator(epochs=1),
                                    max_iter=1, uncertainty_cv=None, keep_generator=True,
                                    random_state=0)
    search = GridSearchCV(clf, {"generator__epochs": [1, 2]}, cv=2).fit(X, y)
    assert search.best_estimator_.generator_.epochs in (1, 2)
    assert search.best_estimator_.generator_.synthesizer_.epochs in (1, 2)


def test_invalid_settings_are_refused():
    X, y = make_check_frame()
    with pytest.raises(ValueError, match="multiple of pac"):
        CTGANGenerator(epochs=1, batch_size=105, pac=10).fit(X, y)
    with pytest.raises(InvalidParameterError):
        GaussianCopulaGenerator(selection="nearest").fit(X, y)
    with pytest.raises(InvalidParameterError):
        TVAEGenerator(oversample=0).fit(X, y)


@pytest.mark.parametrize("cls", [CTGANGenerator, TVAEGenerator, GaussianCopulaGenerator])
def test_missing_sdv_names_the_extra(monkeypatch, cls):
    monkeypatch.setitem(sys.modules, "sdv", None)  # `import sdv` now fails
    X, y = make_check_frame()
    message = rf"{cls.__name__} needs SDV: pip install 'sklearn-activesynth\[sdv\]'"
    with pytest.raises(ImportError, match=message):
        cls().fit(X, y)
    # the classifier says so at once rather than training without synthesis
    with pytest.raises(ImportError, match=message):
        ActiveSynthesisClassifier(_pipeline(), generator=cls(), max_iter=1).fit(X, y)


def test_importing_the_package_imports_neither_sdv_nor_torch():
    code = ("import sys, sklearn_activesynth, sklearn_activesynth.generators, "
            "sklearn_activesynth.filters, sklearn_activesynth.metrics; "
            "print(sorted(m for m in ('sdv', 'torch', 'ctgan') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ------------------------------------------------------------------ end to end
def test_classifier_with_gaussian_copula_and_privacy_filter_on_a_mixed_frame():
    X, y = make_check_frame(n_samples=300)
    clf = ActiveSynthesisClassifier(
        _pipeline(), generator=GaussianCopulaGenerator(), filters=[PrivacyFilter()],
        max_iter=2, random_state=0).fit(X, y)
    h = clf.history_
    assert {"n_rejected_PrivacyFilter", "n_candidates", "n_shortfall",
            "seconds_sampling", "seconds_selection"} <= set(h.columns)
    assert (h["n_candidates"].iloc[1:] == 10 * h["n_generated"].iloc[1:]).all()
    assert len(clf.synthetic_y_) > 0
    syn = clf.synthetic_X_
    assert list(syn.columns) == list(X.columns) and syn.dtypes.equals(X.dtypes)
    prov = clf.synthetic_provenance_
    assert "quality_PrivacyFilter" in prov and (prov["quality_PrivacyFilter"] > 0).all()
    # each row was chosen for an anchor of its own class
    assert (prov["anchor_index"] >= 0).all()
    np.testing.assert_array_equal(y[prov["anchor_index"].to_numpy()], clf.synthetic_y_)
    assert clf.predict(X.iloc[:5]).shape == (5,)
