"""Tests for sklearn_activesynth.datasets.make_fraud_transactions."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from sklearn_activesynth.datasets import make_fraud_transactions

COLUMNS = [
    "amount",
    "merchant_category",
    "hour",
    "channel",
    "country_mismatch",
    "txn_count_1h",
    "txn_count_24h",
    "account_age_days",
    "amount_to_avg_ratio",
    "distance_from_home_km",
    "new_device",
]
INT_COLUMNS = [
    "hour",
    "country_mismatch",
    "txn_count_1h",
    "txn_count_24h",
    "account_age_days",
    "new_device",
]
FLOAT_COLUMNS = ["amount", "amount_to_avg_ratio", "distance_from_home_km"]
MERCHANT_CATEGORIES = [
    "grocery",
    "fuel",
    "restaurants",
    "pharmacy",
    "electronics",
    "travel",
    "online_gaming",
    "gift_cards",
]
CHANNELS = ["chip", "swipe", "contactless", "online"]
LEGIT = ["legit", "legit_online", "legit_new_account", "legit_traveler"]
COMMON = ["card_testing", "account_takeover"]
RARE = "synthetic_identity"
FRAUD = COMMON + [RARE]


def _entropy(p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log(p) + (1 - p) * np.log1p(-p))


# --------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------


def test_shape_columns_dtypes_and_no_nan():
    X, y = make_fraud_transactions(n_samples=3000, random_state=0)

    assert isinstance(X, pd.DataFrame)
    assert X.shape == (3000, 11)
    assert list(X.columns) == COLUMNS
    assert isinstance(X.index, pd.RangeIndex)
    for col in INT_COLUMNS:
        assert X[col].dtype == np.int64, col
    for col in FLOAT_COLUMNS:
        assert X[col].dtype == np.float64, col
    declared = [("merchant_category", MERCHANT_CATEGORIES), ("channel", CHANNELS)]
    for col, cats in declared:
        assert isinstance(X[col].dtype, pd.CategoricalDtype), col
        assert list(X[col].cat.categories) == cats
        assert not X[col].cat.ordered
    assert not X.isna().any().any()

    assert isinstance(y, np.ndarray)
    assert y.dtype == np.int64
    assert y.shape == (3000,)
    assert set(np.unique(y)) == {0, 1}


def test_value_ranges_are_realistic():
    X, _ = make_fraud_transactions(n_samples=5000, random_state=1)

    assert (X["amount"] > 0).all()
    np.testing.assert_allclose(X["amount"], X["amount"].round(2))
    assert X["hour"].between(0, 23).all()
    assert set(X["country_mismatch"].unique()) <= {0, 1}
    assert set(X["new_device"].unique()) <= {0, 1}
    assert (X["txn_count_1h"] >= 1).all()
    assert (X["txn_count_24h"] >= X["txn_count_1h"]).all()
    assert (X["account_age_days"] >= 1).all()
    assert (X["amount_to_avg_ratio"] > 0).all()
    assert (X["distance_from_home_km"] >= 0).all()
    # abroad means far from home
    assert (X.loc[X["country_mismatch"] == 1, "distance_from_home_km"] >= 150).all()
    # card-present payments carry no device
    card_present = X["channel"].isin(["chip", "swipe"])
    assert (X.loc[card_present, "new_device"] == 0).all()
    # every declared category shows up in 5000 rows
    assert X["merchant_category"].value_counts().min() > 0
    assert X["channel"].value_counts().min() > 0


def test_categories_declared_even_when_unseen():
    X, _ = make_fraud_transactions(n_samples=10, random_state=0)
    assert list(X["merchant_category"].cat.categories) == MERCHANT_CATEGORIES
    assert list(X["channel"].cat.categories) == CHANNELS
    assert not X.isna().any().any()


# --------------------------------------------------------------------------
# Randomness
# --------------------------------------------------------------------------


def test_same_seed_same_output_other_seed_other_output():
    b1 = make_fraud_transactions(n_samples=2000, return_X_y=False, random_state=7)
    b2 = make_fraud_transactions(n_samples=2000, return_X_y=False, random_state=7)
    pd.testing.assert_frame_equal(b1.data, b2.data)
    np.testing.assert_array_equal(b1.target, b2.target)
    np.testing.assert_array_equal(b1.pattern, b2.pattern)

    b3 = make_fraud_transactions(n_samples=2000, return_X_y=False, random_state=8)
    assert not b1.data.equals(b3.data)
    assert not np.array_equal(b1.pattern, b3.pattern)


def test_random_state_instance_and_global_state_untouched():
    X1, y1 = make_fraud_transactions(
        n_samples=500, random_state=np.random.RandomState(3)
    )
    X2, y2 = make_fraud_transactions(n_samples=500, random_state=3)
    pd.testing.assert_frame_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)

    state_before = np.random.get_state()[1].copy()
    make_fraud_transactions(n_samples=500, random_state=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state_before)

    # None draws from the global generator without error
    X, y = make_fraud_transactions(n_samples=500, random_state=None)
    assert X.shape == (500, 11) and y.sum() == 5


# --------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_samples, fraud_rate, expected",
    [
        (20000, 0.01, 200),
        (1000, 0.05, 50),
        (333, 0.1, 33),
        (2500, 0.003, 8),  # round(7.5) == 8
        (200, 0.01, 2),
        (10, 0.01, 1),  # at least one fraud
        (50, 0.49, 24),
    ],
)
def test_fraud_count_is_exact(n_samples, fraud_rate, expected):
    bunch = make_fraud_transactions(
        n_samples=n_samples, fraud_rate=fraud_rate, return_X_y=False, random_state=0
    )
    assert bunch.target.sum() == expected
    assert np.isin(bunch.pattern, FRAUD).sum() == expected


def test_pattern_counts_default():
    bunch = make_fraud_transactions(n_samples=20000, return_X_y=False, random_state=0)
    counts = pd.Series(bunch.pattern).value_counts().to_dict()
    # 200 frauds: round(200 * 0.15) = 30 rare, the other 170 split evenly
    assert counts[RARE] == 30
    assert counts["card_testing"] == 85
    assert counts["account_takeover"] == 85
    # legitimate sub-populations: 72% / 14% / 8% / 6% of 19800
    assert counts["legit"] == 14256
    assert counts["legit_online"] == 2772
    assert counts["legit_new_account"] == 1584
    assert counts["legit_traveler"] == 1188
    assert sum(counts.values()) == 20000
    assert set(counts) == set(LEGIT + FRAUD)


@pytest.mark.parametrize("share", [0.0, 0.15, 0.5, 1.0])
def test_rare_pattern_share(share):
    bunch = make_fraud_transactions(
        n_samples=5000,
        fraud_rate=0.04,
        rare_pattern_share=share,
        return_X_y=False,
        random_state=0,
    )
    n_fraud = 200
    n_rare = round(n_fraud * share)
    pattern = bunch.pattern
    assert (pattern == RARE).sum() == n_rare
    assert (pattern == "card_testing").sum() == (n_fraud - n_rare + 1) // 2
    assert (pattern == "account_takeover").sum() == (n_fraud - n_rare) // 2


def test_label_noise_swaps_labels_and_keeps_fraud_count():
    bunch = make_fraud_transactions(
        n_samples=20000, label_noise=0.05, return_X_y=False, random_state=0
    )
    truth = np.isin(bunch.pattern, FRAUD).astype(int)
    assert bunch.target.sum() == truth.sum() == 200
    # round(200 * 0.05) = 10 frauds labelled 0 and 10 legit rows labelled 1
    assert ((truth == 1) & (bunch.target == 0)).sum() == 10
    assert ((truth == 0) & (bunch.target == 1)).sum() == 10

    clean = make_fraud_transactions(
        n_samples=20000, label_noise=0.0, return_X_y=False, random_state=0
    )
    np.testing.assert_array_equal(
        clean.target, np.isin(clean.pattern, FRAUD).astype(int)
    )


# --------------------------------------------------------------------------
# Return types
# --------------------------------------------------------------------------


def test_bunch_form():
    bunch = make_fraud_transactions(n_samples=1000, return_X_y=False, random_state=0)
    assert isinstance(bunch, Bunch)
    for key in ["data", "target", "frame", "pattern", "feature_names", "DESCR"]:
        assert key in bunch
    assert bunch.feature_names == COLUMNS
    assert isinstance(bunch.DESCR, str) and bunch.DESCR
    assert bunch.target_names == ["legit", "fraud"]
    assert bunch.categories == {
        "merchant_category": MERCHANT_CATEGORIES,
        "channel": CHANNELS,
    }

    assert isinstance(bunch.pattern, np.ndarray)
    assert bunch.pattern.shape == (1000,)
    assert bunch.pattern.dtype.kind == "U"
    assert set(bunch.pattern) <= set(LEGIT + FRAUD)

    assert isinstance(bunch.frame, pd.DataFrame)
    assert list(bunch.frame.columns) == COLUMNS + ["is_fraud"]
    pd.testing.assert_frame_equal(bunch.frame[COLUMNS], bunch.data)
    np.testing.assert_array_equal(bunch.frame["is_fraud"].to_numpy(), bunch.target)

    X, y = make_fraud_transactions(n_samples=1000, random_state=0)
    pd.testing.assert_frame_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


def test_as_frame_false_returns_ordinal_encoded_floats():
    X_df, y_df = make_fraud_transactions(n_samples=1000, random_state=0)
    X, y = make_fraud_transactions(n_samples=1000, as_frame=False, random_state=0)

    assert isinstance(X, np.ndarray)
    assert X.dtype == np.float64
    assert X.shape == (1000, 11)
    assert not np.isnan(X).any()
    np.testing.assert_array_equal(y, y_df)
    for j, col in enumerate(COLUMNS):
        if isinstance(X_df[col].dtype, pd.CategoricalDtype):
            expected = X_df[col].cat.codes.to_numpy()
        else:
            expected = X_df[col].to_numpy()
        np.testing.assert_array_equal(X[:, j], expected.astype(np.float64), col)
    # codes follow the declared order
    codes = X[:, COLUMNS.index("channel")]
    online = (X_df["channel"] == "online").to_numpy()
    assert (codes[online] == CHANNELS.index("online")).all()

    bunch = make_fraud_transactions(
        n_samples=1000, as_frame=False, return_X_y=False, random_state=0
    )
    assert bunch.frame is None
    np.testing.assert_array_equal(bunch.data, X)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n_samples=9), "n_samples"),
        (dict(n_samples=0), "n_samples"),
        (dict(n_samples=-100), "n_samples"),
        (dict(n_samples=100.0), "n_samples"),
        (dict(n_samples="100"), "n_samples"),
        (dict(fraud_rate=0), "fraud_rate"),
        (dict(fraud_rate=0.5), "fraud_rate"),
        (dict(fraud_rate=-0.1), "fraud_rate"),
        (dict(fraud_rate=1.5), "fraud_rate"),
        (dict(fraud_rate="0.1"), "fraud_rate"),
        (dict(rare_pattern_share=-0.01), "rare_pattern_share"),
        (dict(rare_pattern_share=1.01), "rare_pattern_share"),
        (dict(rare_pattern_share=None), "rare_pattern_share"),
        (dict(label_noise=-0.1), "label_noise"),
        (dict(label_noise=0.9), "label_noise"),
    ],
)
def test_bad_arguments_raise(kwargs, name):
    params = dict(n_samples=100, random_state=0)
    params.update(kwargs)
    with pytest.raises(ValueError, match=name):
        make_fraud_transactions(**params)


def test_bad_random_state_raises():
    with pytest.raises(ValueError):
        make_fraud_transactions(n_samples=100, random_state="seed")


# --------------------------------------------------------------------------
# Measured properties that make the dataset meaningful
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def held_out_predictions():
    """Fraud probabilities of a gradient-boosting model on 30% held-out rows."""
    bunch = make_fraud_transactions(n_samples=20000, return_X_y=False, random_state=0)
    X, y, pattern = bunch.data, bunch.target, bunch.pattern
    train, test = train_test_split(
        np.arange(len(y)), train_size=0.7, stratify=pattern, random_state=0
    )
    # Balanced class weights: the usual setting for a 1% positive class.  No
    # early stopping: its 10% validation split would hold out a third of the
    # rare pattern's ~20 training rows.
    clf = HistGradientBoostingClassifier(
        categorical_features="from_dtype",
        class_weight="balanced",
        early_stopping=False,
        random_state=0,
    )
    clf.fit(X.iloc[train], y[train])
    proba = clf.predict_proba(X.iloc[test])[:, 1]
    return pattern[test], proba


def _per_pattern_scores(pattern, proba):
    legit = np.isin(pattern, LEGIT)
    scores = {}
    for name in FRAUD:
        rows = pattern == name
        mask = legit | rows
        # ground truth from the generative pattern, not the noisy label
        ap = average_precision_score(rows[mask], proba[mask])
        recall = np.mean(proba[rows] >= 0.5)
        entropy = _entropy(proba[rows]).mean()
        scores[name] = dict(n=int(rows.sum()), ap=ap, recall=recall, entropy=entropy)
    return scores


def test_rare_pattern_is_harder_than_common_patterns(held_out_predictions):
    pattern, proba = held_out_predictions
    scores = _per_pattern_scores(pattern, proba)
    assert scores[RARE]["n"] >= 5

    common_ap = min(scores[name]["ap"] for name in COMMON)
    common_recall = min(scores[name]["recall"] for name in COMMON)
    # the common patterns are easy ...
    assert common_ap > 0.9, scores
    assert common_recall > 0.8, scores
    # ... the rare one clearly is not
    assert scores[RARE]["ap"] < common_ap - 0.3, scores
    assert scores[RARE]["recall"] < common_recall - 0.3, scores

    # the legitimate rows are not where the trouble is
    legit = np.isin(pattern, LEGIT)
    assert np.mean(proba[legit] >= 0.5) < 0.01


def test_model_is_uncertain_on_the_rare_pattern(held_out_predictions):
    pattern, proba = held_out_predictions
    entropy = _entropy(proba)
    rare = entropy[pattern == RARE].mean()
    common = entropy[np.isin(pattern, COMMON)].mean()
    legit = entropy[np.isin(pattern, LEGIT)].mean()
    assert rare > 2 * common, (rare, common)
    assert rare > 2 * legit, (rare, legit)
