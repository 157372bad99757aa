from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from sklearn_activesynth import ActiveSynthesisSampler, ResamplingShortfallWarning
from sklearn_activesynth.datasets import make_fraud_transactions
from sklearn_activesynth.filters import BaseFilter, FilterResult
from sklearn_activesynth.integration import WeightedIntegration
from sklearn_activesynth.targeting import Targeting
from sklearn_activesynth.utils.estimator_checks import make_check_frame


@pytest.fixture
def imbalanced():
    return make_classification(n_samples=500, n_features=6, weights=[0.9], random_state=0)


def test_fit_resample_returns_real_then_accepted_synthetic_rows(imbalanced):
    X, y = imbalanced
    sampler = ActiveSynthesisSampler(LogisticRegression(), validation_fraction=None,
                                     random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_syn = len(sampler.synthetic_y_)
    assert n_syn > 0
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    np.testing.assert_array_equal(X_res[len(X):], sampler.synthetic_X_)
    assert X_res.shape == (len(X) + n_syn, X.shape[1])
    # same seed, same rows
    X_res2, _ = ActiveSynthesisSampler(LogisticRegression(), validation_fraction=None,
                                       random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_res2)


def test_in_an_imblearn_pipeline_where_smote_would_go(imbalanced):
    pytest.importorskip("imblearn")
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline

    X, y = imbalanced
    ours = make_pipeline(ActiveSynthesisSampler(LogisticRegression(), random_state=0),
                         LogisticRegression())
    smote = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    s_ours = cross_val_score(ours, X, y, cv=3, scoring="average_precision")
    s_smote = cross_val_score(smote, X, y, cv=3, scoring="average_precision")
    assert s_ours.shape == s_smote.shape == (3,)
    # at predict time the sampler is skipped: predictions come from the final step
    ours.fit(X, y)
    assert ours.predict(X).shape == (len(y),)


def test_dataframe_in_dataframe_out():
    X, y = make_check_frame(n_samples=300)
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.pipeline import make_pipeline as sk_pipeline

    est = sk_pipeline(make_column_transformer((OneHotEncoder(), ["kind", "city"]),
                                              remainder="passthrough"),
                      LogisticRegression(max_iter=500))
    X_res, y_res = ActiveSynthesisSampler(est, validation_fraction=None,
                                          random_state=0).fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame)
    assert (X_res.dtypes == X.dtypes).all() and len(X_res) > len(X)
    assert len(y_res) == len(X_res)


# --------------------------------------------------------------------------
# imbalanced-learn's conventions: its estimator checks, its class counts

try:
    import imblearn
    from imblearn.utils.estimator_checks import estimator_checks_generator
except ImportError:  # an optional extra: only the cases that compare with it skip
    imblearn = None

# sampling_strategy of every kind; floats only for binary targets
STRATEGIES_ANY = ["auto", "minority", "not minority", "not majority", "all"]
STRATEGIES_BINARY = STRATEGIES_ANY + [0.5, 1.0, {1: 200}, lambda y: {1: 100}]
STRATEGIES_MULTI = STRATEGIES_ANY + [{0: 400, 1: 500}, {2: 498},
                                     lambda y: {c: 600 for c in np.unique(y)}]


def _three_classes():
    # imbalanced-learn's own check data
    return make_classification(n_samples=1000, n_classes=3, n_informative=4,
                               weights=[0.2, 0.3, 0.5], random_state=0)


if imblearn is not None:
    # every check imbalanced-learn runs on a sampler, none expected to fail (a list:
    # pytest is retiring generators in parametrize)
    IMBLEARN_CHECKS = list(estimator_checks_generator(
        ActiveSynthesisSampler(LogisticRegression(), random_state=0)))

    @pytest.mark.parametrize("estimator, check", IMBLEARN_CHECKS,
                             ids=[check.func.__name__ for _, check in IMBLEARN_CHECKS])
    def test_imblearn_estimator_checks(estimator, check):
        check(estimator)
else:
    def test_imblearn_estimator_checks():
        pytest.skip("imbalanced-learn is not installed: its estimator checks are skipped")


@pytest.mark.parametrize("strategy", STRATEGIES_BINARY, ids=repr)
def test_class_counts_match_smote_binary(imbalanced, strategy):
    # imbalanced-learn asserts counts only for its BaseOverSampler subclasses: ours
    SMOTE = pytest.importorskip("imblearn.over_sampling").SMOTE
    X, y = imbalanced
    _, y_ours = ActiveSynthesisSampler(LogisticRegression(), sampling_strategy=strategy,
                                       max_iter=2, random_state=0).fit_resample(X, y)
    _, y_smote = SMOTE(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    assert Counter(y_ours) == Counter(y_smote)


@pytest.mark.parametrize("strategy", STRATEGIES_MULTI, ids=repr)
def test_class_counts_match_smote_multiclass(strategy):
    SMOTE = pytest.importorskip("imblearn.over_sampling").SMOTE
    X, y = _three_classes()
    sampler = ActiveSynthesisSampler(LogisticRegression(), sampling_strategy=strategy,
                                     max_iter=2, random_state=0)
    _, y_ours = sampler.fit_resample(X, y)
    smote = SMOTE(sampling_strategy=strategy, random_state=0)
    _, y_smote = smote.fit_resample(X, y)
    assert Counter(y_ours) == Counter(y_smote)
    assert dict(sampler.sampling_strategy_) == dict(smote.sampling_strategy_)
    assert sampler.sampling_shortfall_ == {}
    # the rows are spread over the rounds, each class's owed rows evenly
    per_round = sampler.history_.query("round > 0")["n_accepted"].to_numpy()
    total = sum(sampler.sampling_strategy_.values())
    if total:
        assert per_round.sum() == total and per_round.min() >= total // 2 - 2


def test_counts_without_imblearn_are_exact():
    # the same figures without the extra (what the core install sees)
    X, y = _three_classes()
    for strategy, expected in [("auto", {0: 498, 1: 498, 2: 498}),
                               ("minority", {0: 498, 1: 301, 2: 498}),
                               ("not minority", {0: 201, 1: 498, 2: 498}),
                               ({0: 300}, {0: 300, 1: 301, 2: 498})]:
        _, y_res = ActiveSynthesisSampler(LogisticRegression(), sampling_strategy=strategy,
                                          max_iter=1, random_state=0).fit_resample(X, y)
        assert dict(Counter(y_res.tolist())) == expected, strategy


@pytest.mark.parametrize("strategy", [
    "majority", "bogus", 0.5, 0.0, 1.5, {0: 10}, {7: 500}, {0: -1},
    lambda y: {0: 10}, lambda y: {9: 600}])
def test_strategy_errors_are_imblearns(strategy):
    # the core mirrors imblearn.utils.check_sampling_strategy (over-sampling): same
    # error on the same input, and the same counts when both accept it
    pytest.importorskip("imblearn")
    from imblearn.utils import check_sampling_strategy as theirs

    from sklearn_activesynth._sampling_strategy import check_sampling_strategy as ours

    _, y = _three_classes()
    with pytest.raises(ValueError) as exc_theirs:
        theirs(strategy, y, "over-sampling")
    with pytest.raises(ValueError) as exc_ours:
        ours(strategy, y)
    first = str(exc_theirs.value).split(".")[0][:40]
    assert first in str(exc_ours.value)


@pytest.mark.parametrize("strategy", STRATEGIES_MULTI, ids=repr)
def test_strategy_counts_are_imblearns(strategy):
    pytest.importorskip("imblearn")
    from imblearn.utils import check_sampling_strategy as theirs

    from sklearn_activesynth._sampling_strategy import check_sampling_strategy as ours

    _, y = _three_classes()
    assert ours(strategy, y) == theirs(strategy, y, "over-sampling")


def test_float_and_bad_strategies_are_refused_clearly(imbalanced):
    X, y = _three_classes()
    with pytest.raises(ValueError, match="float only when the type of target is binary"):
        ActiveSynthesisSampler(LogisticRegression(), sampling_strategy=0.5).fit_resample(X, y)
    with pytest.raises(ValueError, match="greater or equal to the original number"):
        ActiveSynthesisSampler(LogisticRegression(),
                               sampling_strategy={0: 5}).fit_resample(X, y)
    with pytest.raises(ValueError, match="'sampling_strategy' parameter"):
        ActiveSynthesisSampler(sampling_strategy="majority").fit_resample(X, y)
    Xb, yb = imbalanced
    with pytest.raises(ValueError, match="increase the ratio"):
        ActiveSynthesisSampler(LogisticRegression(),
                               sampling_strategy=0.05).fit_resample(Xb, yb)


def test_nothing_to_add_returns_the_input():
    X, y = make_classification(n_samples=200, weights=[0.5], flip_y=0, random_state=0)
    assert np.bincount(y).tolist() == [100, 100]
    sampler = ActiveSynthesisSampler(LogisticRegression(), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    assert sampler.termination_condition_ == "nothing_to_add"
    assert sampler.sampling_strategy_ == {1: 0}  # "not majority": the first of equals


# --------------------------------------------------------------------------
# rows dropped, rows that cannot be made, the guard


class DropPositiveFirstFeature(BaseFilter):
    """Rejects synthetic rows whose first feature is positive (about half)."""

    def _filter(self, X, y, context):
        return FilterResult(mask=np.asarray(X)[:, 0] <= 0)


def test_rows_dropped_by_a_filter_are_made_up_for(imbalanced):
    X, y = imbalanced
    sampler = ActiveSynthesisSampler(LogisticRegression(), filters=[
        DropPositiveFirstFeature()], max_iter=2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 449, 1: 449}
    hist = sampler.history_.query("round > 0")
    assert hist["n_rejected_DropPositiveFirstFeature"].sum() > 0
    assert (sampler.synthetic_X_[:, 0] <= 0).all()
    # planned rounds fell short, so a top-up round added the rest
    assert "top_up" in set(hist["status"])
    assert sampler.sampling_shortfall_ == {}


def test_a_class_of_one_row_is_a_warned_and_recorded_shortfall():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 2)), np.array([0] * 37 + [1, 2, 2])
    sampler = ActiveSynthesisSampler(LogisticRegression(), random_state=0)
    with pytest.warns(ResamplingShortfallWarning, match=r"short by \{1: 36\}"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_shortfall_ == {1: 36}
    counts = Counter(y_res.tolist())
    assert counts[2] == 37 and counts[1] == 1  # what could be made was made


def test_the_guard_chooses_rounds_but_never_cancels_the_resampling(imbalanced):
    X, y = imbalanced
    sampler = ActiveSynthesisSampler(LogisticRegression(), validation_fraction=0.3,
                                     patience=1, max_iter=3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 449, 1: 449}
    hist = sampler.history_.query("round > 0")
    assert hist["val_score"].notna().all()
    # here the guard sets a round's rows aside and patience stops the planned rounds;
    # the top-up adds what is owed whatever the guard says
    assert hist["status"].tolist() == ["ok", "rejected", "top_up"]
    assert hist["n_accepted"].sum() == 449 - 51
    assert sampler.sampling_shortfall_ == {}


# --------------------------------------------------------------------------
# containers


def test_containers_are_kept(imbalanced):
    X, y = imbalanced
    kw = dict(estimator=LogisticRegression(), max_iter=1, random_state=0)
    X_ref, y_ref = ActiveSynthesisSampler(**kw).fit_resample(X, y)
    # Series y (name and dtype), DataFrame X (columns, dtypes)
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]).astype(
        {"f0": np.float32})
    y_s = pd.Series(np.where(y == 1, "fraud", "ok"), name="label", dtype="category")
    X_res, y_res = ActiveSynthesisSampler(**kw).fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list(X_df.columns)
    assert (X_res.dtypes == X_df.dtypes).all()
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    assert y_res.dtype == y_s.dtype and len(y_res) == len(X_res)
    assert Counter(y_res.tolist()) == {"ok": 449, "fraud": 449}
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X_df)
    # DataFrame y
    _, y_res = ActiveSynthesisSampler(**kw).fit_resample(X, pd.DataFrame({"target": y}))
    assert isinstance(y_res, pd.DataFrame) and list(y_res.columns) == ["target"]
    # lists
    X_res, y_res = ActiveSynthesisSampler(**kw).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)
    np.testing.assert_allclose(X_res, X_ref)
    # sparse
    X_res, y_res = ActiveSynthesisSampler(**kw).fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_res) and X_res.shape == X_ref.shape
    np.testing.assert_allclose(X_res.toarray(), X_ref, rtol=1e-6)
    # arrays, with their dtypes; the input is not modified
    X32, y32 = X.astype(np.float32), y.astype(np.int32)
    before = X32.copy()
    X_res, y_res = ActiveSynthesisSampler(**kw).fit_resample(X32, y32)
    assert X_res.dtype == np.float32 and y_res.dtype == np.int32
    np.testing.assert_array_equal(X32, before)


def test_same_seed_same_rows_other_seed_other_rows(imbalanced):
    X, y = imbalanced
    runs = [ActiveSynthesisSampler(LogisticRegression(), random_state=s).fit_resample(X, y)
            for s in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][0], runs[2][0])
    assert Counter(runs[0][1].tolist()) == Counter(runs[2][1].tolist())


# --------------------------------------------------------------------------
# parameters that cannot apply to a sampler


@pytest.mark.parametrize("integration", ["weighted", "curriculum", "uncertainty",
                                         WeightedIntegration()])
def test_integration_other_than_concat_is_refused(imbalanced, integration):
    X, y = imbalanced
    with pytest.raises(ValueError, match="returns rows, not weights.*ActiveSynthesisClassifier"):
        ActiveSynthesisSampler(LogisticRegression(),
                               integration=integration).fit_resample(X, y)


def test_targeting_class_allocation_competes_with_sampling_strategy(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="class_allocation must stay 'anchors'"):
        ActiveSynthesisSampler(LogisticRegression(), targeting=Targeting(
            class_allocation="balanced")).fit_resample(X, y)

    class BuildOnly:
        def build(self, **kwargs):
            return Targeting().build(**kwargs)

    with pytest.raises(ValueError, match="does not have"):
        ActiveSynthesisSampler(LogisticRegression(),
                               targeting=BuildOnly()).fit_resample(X, y)
    # another anchor strategy is fine: it chooses where, not how many
    _, y_res = ActiveSynthesisSampler(LogisticRegression(), targeting=Targeting(
        "diverse"), max_iter=1, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 449, 1: 449}


def test_guard_parameters_without_the_guard_warn(imbalanced):
    X, y = imbalanced
    with pytest.warns(UserWarning, match="scoring only act through the validation guard"):
        ActiveSynthesisSampler(LogisticRegression(), scoring="roc_auc", max_iter=1,
                               random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="'max_iter' parameter"):
        ActiveSynthesisSampler(LogisticRegression(), max_iter=0).fit_resample(X, y)
    with pytest.raises(TypeError, match="n_synthetic"):
        ActiveSynthesisSampler(n_synthetic=10)  # sampling_strategy says how many


def test_multilabel_targets_are_refused(imbalanced):
    X, _ = imbalanced
    y = np.random.RandomState(0).randint(2, size=(len(X), 3))
    with pytest.raises(ValueError, match="Multilabel and multioutput targets are not"):
        ActiveSynthesisSampler(LogisticRegression()).fit_resample(X, y)


# --------------------------------------------------------------------------
# where SMOTENC was: a mixed-type frame in an imbalanced-learn Pipeline


def _encoded_lr():
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.pipeline import make_pipeline as sk_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return sk_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"),
                                 make_column_selector(dtype_exclude="number")),
                                remainder=StandardScaler()),
        LogisticRegression(max_iter=1000))


def test_in_place_of_smotenc_on_a_mixed_frame():
    over = pytest.importorskip("imblearn.over_sampling")
    from imblearn.pipeline import make_pipeline

    X, y = make_fraud_transactions(n_samples=1500, fraud_rate=0.04, random_state=0)
    y = pd.Series(y, name="is_fraud")
    smotenc = over.SMOTENC(categorical_features="auto", random_state=0)
    X_nc, y_nc = smotenc.fit_resample(X, y)
    sampler = ActiveSynthesisSampler(_encoded_lr(), max_iter=2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == Counter(y_nc)
    assert (X_res.dtypes == X.dtypes).all() and list(X_res.columns) == list(X.columns)
    assert isinstance(y_res, pd.Series) and y_res.name == "is_fraud"
    # synthetic categories are real categories
    for col in ["merchant_category", "channel"]:
        assert set(X_res[col].dropna()) <= set(X[col].cat.categories)
    # the pipeline step: resamples in fit, passes through in predict
    pipe = make_pipeline(ActiveSynthesisSampler(_encoded_lr(), max_iter=1, random_state=0),
                         _encoded_lr()).fit(X, y)
    assert pipe.predict_proba(X).shape == (len(X), 2)


def test_default_estimator_on_a_mixed_frame():
    X, y = make_fraud_transactions(n_samples=600, fraud_rate=0.05, random_state=0)
    _, y_res = ActiveSynthesisSampler(max_iter=1, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist())[1] == Counter(y.tolist())[0]
