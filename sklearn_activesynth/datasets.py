"""Synthetic datasets with known, hard-to-learn regions.

The generators in this module produce tabular data whose generative story is
known row by row, so that a targeted-synthesis method can be checked against
the ground truth: it should spend its synthetic samples where the model is
uncertain, and that is where the generator put the hard cases.
"""

# License: BSD 3 clause

import numbers

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .utils._seeding import check_random_state

__all__ = ["make_fraud_transactions"]

#: Declared categories, in the order used for ordinal encoding.
MERCHANT_CATEGORIES = (
    "grocery",
    "fuel",
    "restaurants",
    "pharmacy",
    "electronics",
    "travel",
    "online_gaming",
    "gift_cards",
)
CHANNELS = ("chip", "swipe", "contactless", "online")

FEATURE_NAMES = [
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
CATEGORICAL_FEATURES = {
    "merchant_category": MERCHANT_CATEGORIES,
    "channel": CHANNELS,
}
INTEGER_FEATURES = (
    "hour",
    "country_mismatch",
    "txn_count_1h",
    "txn_count_24h",
    "account_age_days",
    "new_device",
)
FLOAT_FEATURES = ("amount", "amount_to_avg_ratio", "distance_from_home_km")

#: Legitimate sub-populations and their share of the legitimate rows.
LEGIT_PATTERNS = {
    "legit": 0.72,
    "legit_online": 0.14,
    "legit_new_account": 0.08,
    "legit_traveler": 0.06,
}
COMMON_FRAUD_PATTERNS = ("card_testing", "account_takeover")
RARE_FRAUD_PATTERN = "synthetic_identity"
FRAUD_PATTERNS = COMMON_FRAUD_PATTERNS + (RARE_FRAUD_PATTERN,)
PATTERNS = tuple(LEGIT_PATTERNS) + FRAUD_PATTERNS

# Typical ticket size of a merchant category relative to the customer's
# average spend.
_CATEGORY_SPEND = np.array([1.0, 0.9, 0.8, 0.6, 3.0, 4.0, 0.5, 1.5])

# Per-pattern sampling parameters.  Probabilities follow the order of
# MERCHANT_CATEGORIES and CHANNELS respectively.
_SPECS = {
    # Everyday card-present spending by established customers.
    "legit": dict(
        category=[0.30, 0.15, 0.22, 0.10, 0.06, 0.03, 0.06, 0.08],
        channel=[0.40, 0.15, 0.35, 0.10],
        hour=("day", 13.5, 4.0),
        ratio=(0.0, 0.45),
        age=(1100.0, 0.7),
        rate_1h=0.25,
        rate_24h=2.5,
        mismatch=0.01,
        new_device=0.02,
        distance=(5.0, 1.0),
    ),
    # Card-not-present shoppers: evening, online, occasionally a new device.
    "legit_online": dict(
        category=[0.20, 0.03, 0.15, 0.05, 0.20, 0.10, 0.15, 0.12],
        channel=[0.02, 0.01, 0.12, 0.85],
        hour=("day", 20.0, 3.0),
        ratio=(0.0, 0.55),
        age=(900.0, 0.8),
        rate_1h=0.4,
        rate_24h=2.0,
        mismatch=0.03,
        new_device=0.08,
        distance=(8.0, 1.2),
    ),
    # Recently opened accounts: behaviour of everyday spenders, young account,
    # a less settled spending average.  The population the rare fraud hides in.
    "legit_new_account": dict(
        category=[0.26, 0.14, 0.20, 0.09, 0.10, 0.03, 0.06, 0.12],
        channel=[0.42, 0.10, 0.38, 0.10],
        hour=("day", 14.0, 4.0),
        ratio=(0.1, 0.5),
        age=(60.0, 0.8),
        rate_1h=0.3,
        rate_24h=3.0,
        mismatch=0.01,
        new_device=0.04,
        distance=(6.0, 1.0),
    ),
    # Travellers: legitimately abroad, far from home, at any hour.
    "legit_traveler": dict(
        category=[0.10, 0.10, 0.30, 0.05, 0.05, 0.30, 0.05, 0.05],
        channel=[0.50, 0.10, 0.30, 0.10],
        hour=("uniform",),
        ratio=(0.3, 0.5),
        age=(1500.0, 0.6),
        rate_1h=0.4,
        rate_24h=4.0,
        mismatch=0.85,
        new_device=0.05,
        distance=(1500.0, 0.8),
    ),
    # Card testing: bursts of tiny online payments at night.
    "card_testing": dict(
        category=[0.02, 0.01, 0.01, 0.01, 0.10, 0.05, 0.40, 0.40],
        channel=[0.0, 0.0, 0.05, 0.95],
        hour=("day", 3.0, 2.5),
        ratio=None,  # amounts are drawn directly, see _sample_pattern
        age=(1100.0, 0.7),
        rate_1h=10.0,
        rate_24h=12.0,
        mismatch=0.40,
        new_device=0.50,
        distance=(300.0, 1.5),
    ),
    # Account takeover: new device, big-ticket purchases, often from abroad.
    "account_takeover": dict(
        category=[0.02, 0.02, 0.02, 0.02, 0.55, 0.06, 0.08, 0.23],
        channel=[0.0, 0.0, 0.12, 0.88],
        hour=("uniform",),
        ratio=(np.log(10.0), 0.35),
        spend_by_category=False,  # the fraudster spends big whatever he buys
        age=(1300.0, 0.7),
        rate_1h=2.5,
        rate_24h=4.0,
        mismatch=0.75,
        new_device=0.97,
        distance=(1500.0, 0.8),
    ),
    # Synthetic identity / bust-out: young accounts spending "normally", in
    # person, in daytime -- only somewhat bigger tickets, slightly younger
    # accounts, a little more electronics and gift cards and a slightly higher
    # 24h velocity than legit_new_account.
    "synthetic_identity": dict(
        category=[0.16, 0.09, 0.09, 0.05, 0.25, 0.03, 0.06, 0.27],
        channel=[0.52, 0.06, 0.40, 0.02],
        hour=("day", 14.0, 3.5),
        ratio=(np.log(1.9), 0.3),
        age=(35.0, 0.45),
        rate_1h=0.7,
        rate_24h=6.5,
        mismatch=0.01,
        new_device=0.04,
        distance=(6.0, 1.0),
    ),
}

_DESCR = """\
Synthetic card transactions (make_fraud_transactions)
-----------------------------------------------------

Each row is one card transaction with 11 features of mixed types (floats,
integers and two categoricals).  Rows come from a mixture of generative
patterns: four legitimate sub-populations (``legit``, ``legit_online``,
``legit_new_account``, ``legit_traveler``), two common fraud patterns that are
easy to separate (``card_testing``, ``account_takeover``) and one rare fraud
pattern (``synthetic_identity``) that overlaps with recently opened legitimate
accounts.  ``target`` is the observed fraud label, ``pattern`` the generative
pattern of each row.  See the docstring of ``make_fraud_transactions`` for the
full story.
"""


def _check_params(n_samples, fraud_rate, rare_pattern_share, label_noise):
    if (
        not isinstance(n_samples, numbers.Integral)
        or isinstance(n_samples, bool)
        or n_samples < 10
    ):
        raise ValueError(
            f"n_samples must be an integer >= 10, got n_samples={n_samples!r}."
        )
    if (
        not isinstance(fraud_rate, numbers.Real)
        or isinstance(fraud_rate, bool)
        or not 0 < fraud_rate < 0.5
    ):
        raise ValueError(
            f"fraud_rate must be a float in (0, 0.5), got fraud_rate={fraud_rate!r}."
        )
    if (
        not isinstance(rare_pattern_share, numbers.Real)
        or isinstance(rare_pattern_share, bool)
        or not 0 <= rare_pattern_share <= 1
    ):
        raise ValueError(
            "rare_pattern_share must be a float in [0, 1], got "
            f"rare_pattern_share={rare_pattern_share!r}."
        )
    if (
        not isinstance(label_noise, numbers.Real)
        or isinstance(label_noise, bool)
        or not 0 <= label_noise <= 0.5
    ):
        raise ValueError(
            "label_noise must be a float in [0, 0.5], got "
            f"label_noise={label_noise!r}."
        )


def _split_counts(n, shares):
    """Split ``n`` into integer counts proportional to ``shares``.

    Largest-remainder rounding: the counts sum to ``n`` exactly and do not
    depend on the random state.
    """
    shares = np.asarray(shares, dtype=float)
    raw = n * shares / shares.sum()
    counts = np.floor(raw).astype(int)
    remainder = n - counts.sum()
    # stable sort so that ties go to the earlier pattern
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def _pattern_counts(n_samples, fraud_rate, rare_pattern_share):
    n_fraud = max(1, round(n_samples * fraud_rate))
    n_legit = n_samples - n_fraud
    n_rare = round(n_fraud * rare_pattern_share)
    n_common = n_fraud - n_rare
    legit_counts = _split_counts(n_legit, list(LEGIT_PATTERNS.values()))
    counts = dict(zip(LEGIT_PATTERNS, legit_counts))
    counts["card_testing"] = (n_common + 1) // 2
    counts["account_takeover"] = n_common // 2
    counts[RARE_FRAUD_PATTERN] = n_rare
    return {name: int(count) for name, count in counts.items()}


def _sample_hour(spec, n, rng):
    if spec[0] == "uniform":
        return rng.randint(0, 24, size=n)
    _, center, scale = spec
    return np.mod(np.rint(rng.normal(center, scale, size=n)), 24).astype(np.int64)


def _sample_pattern(name, n, rng):
    """Draw ``n`` transactions of one generative pattern."""
    spec = _SPECS[name]
    category = rng.choice(len(MERCHANT_CATEGORIES), size=n, p=spec["category"])
    channel = rng.choice(len(CHANNELS), size=n, p=spec["channel"])
    hour = _sample_hour(spec["hour"], n, rng)

    # The customer's average ticket, and this transaction relative to it.
    customer_avg = rng.lognormal(np.log(45.0), 0.7, size=n)
    if spec["ratio"] is None:
        # card testing: tiny probe amounts whatever the customer's habits
        amount = rng.uniform(0.5, 5.0, size=n)
    else:
        mu, sigma = spec["ratio"]
        ratio = rng.lognormal(mu, sigma, size=n)
        if spec.get("spend_by_category", True):
            ratio = ratio * _CATEGORY_SPEND[category]
        amount = customer_avg * ratio
    amount = np.maximum(np.round(amount, 2), 0.01)
    amount_to_avg_ratio = np.round(amount / customer_avg, 4)

    age_median, age_sigma = spec["age"]
    account_age_days = np.clip(
        np.rint(rng.lognormal(np.log(age_median), age_sigma, size=n)), 1, 9000
    ).astype(np.int64)
    # velocity counts include the current transaction
    txn_count_1h = 1 + rng.poisson(spec["rate_1h"], size=n)
    txn_count_24h = txn_count_1h + rng.poisson(spec["rate_24h"], size=n)
    country_mismatch = rng.binomial(1, spec["mismatch"], size=n)
    dist_median, dist_sigma = spec["distance"]
    distance = np.round(rng.lognormal(np.log(dist_median), dist_sigma, size=n), 1)
    # a transaction abroad is far from home
    distance = np.where(country_mismatch == 1, np.maximum(distance, 150.0), distance)
    # a new phone / browser only shows up in wallet (contactless) or online
    # payments; a card-present chip or swipe payment has no device
    has_device = (channel == CHANNELS.index("contactless")) | (
        channel == CHANNELS.index("online")
    )
    new_device = rng.binomial(1, spec["new_device"], size=n) * has_device

    return {
        "amount": amount.astype(np.float64),
        "merchant_category": category,
        "hour": hour.astype(np.int64),
        "channel": channel,
        "country_mismatch": country_mismatch.astype(np.int64),
        "txn_count_1h": txn_count_1h.astype(np.int64),
        "txn_count_24h": txn_count_24h.astype(np.int64),
        "account_age_days": account_age_days,
        "amount_to_avg_ratio": amount_to_avg_ratio.astype(np.float64),
        "distance_from_home_km": distance.astype(np.float64),
        "new_device": new_device.astype(np.int64),
    }


def make_fraud_transactions(
    n_samples=20000,
    *,
    fraud_rate=0.01,
    rare_pattern_share=0.15,
    label_noise=0.01,
    as_frame=True,
    return_X_y=True,
    random_state=None,
):
    """Generate card transactions with common and rare fraud patterns.

    The data mimics a card-fraud table: 11 features of mixed types, a strong
    class imbalance, two common fraud patterns that a tree ensemble learns
    easily, and one rare fraud pattern that overlaps with legitimate
    behaviour.  The rare pattern is where a model stays uncertain, which makes
    the dataset a test bed for targeted (uncertainty-driven) synthesis.

    Parameters
    ----------
    n_samples : int, default=20000
        Number of transactions (rows). Must be at least 10.

    fraud_rate : float, default=0.01
        Fraction of fraudulent rows, in the open interval (0, 0.5). The number
        of fraud rows is exactly ``max(1, round(n_samples * fraud_rate))``
        (Python's ``round``, half to even).  With the default rate,
        ``n_samples >= 200`` gives at least two frauds, enough for a
        stratified train/test split.

    rare_pattern_share : float, default=0.15
        Fraction of the fraud rows drawn from the rare ``"synthetic_identity"``
        pattern, in [0, 1].  Its count is ``round(n_fraud *
        rare_pattern_share)``; the remaining frauds are split evenly between
        ``"card_testing"`` and ``"account_takeover"`` (card testing gets the
        extra row when the number is odd).

    label_noise : float, default=0.01
        Label noise, in [0, 0.5]. ``round(n_fraud * label_noise)`` randomly
        chosen fraud rows are labelled 0 (fraud never reported) and as many
        randomly chosen legitimate rows are labelled 1 (false chargebacks).
        The swap keeps the number of positive labels exact.  ``pattern``
        always gives the generative truth.

    as_frame : bool, default=True
        If True, ``X`` is a :class:`pandas.DataFrame` with int64, float64 and
        categorical columns. If False, ``X`` is a float64 ndarray in which
        the categorical columns are ordinal-encoded with the codes of their
        declared categories (see Notes).

    return_X_y : bool, default=True
        If True, return ``(X, y)``. If False, return a
        :class:`~sklearn.utils.Bunch`.

    random_state : int, RandomState instance or None, default=None
        Determines the random number generation.  Pass an int for
        reproducible output across multiple function calls.  Only a
        generator derived from it is used (``None``: a fresh one seeded from
        the operating system); numpy's global generator is never used.

    Returns
    -------
    X : pandas DataFrame of shape (n_samples, 11) or ndarray of float64
        The transactions, in shuffled order. Columns, in order:

        - ``amount`` (float64): transaction amount, 2 decimals, > 0.
        - ``merchant_category`` (category): one of ``"grocery"``, ``"fuel"``,
          ``"restaurants"``, ``"pharmacy"``, ``"electronics"``,
          ``"travel"``, ``"online_gaming"``, ``"gift_cards"``.
        - ``hour`` (int64): hour of day, 0-23.
        - ``channel`` (category): one of ``"chip"``, ``"swipe"``,
          ``"contactless"``, ``"online"``.
        - ``country_mismatch`` (int64): 1 if the merchant country differs
          from the card's home country.
        - ``txn_count_1h``, ``txn_count_24h`` (int64): number of
          transactions on the card in the last hour / 24 hours, this one
          included (so ``1 <= txn_count_1h <= txn_count_24h``).
        - ``account_age_days`` (int64): age of the account, 1-9000 days.
        - ``amount_to_avg_ratio`` (float64): amount divided by the
          customer's average ticket, 4 decimals.
        - ``distance_from_home_km`` (float64): distance between the
          customer's home and the merchant (for online payments, the
          device's location), 1 decimal; at least 150 km when
          ``country_mismatch`` is 1.
        - ``new_device`` (int64): 1 if the phone or browser paying has not
          been seen for this customer before; always 0 for card-present
          ``"chip"`` and ``"swipe"`` payments.

    y : ndarray of shape (n_samples,), dtype int64
        Observed label: 1 for fraud, 0 for legitimate.

    data : :class:`~sklearn.utils.Bunch`
        Returned instead of ``(X, y)`` when ``return_X_y=False``, with
        attributes:

        - ``data``: ``X`` as above.
        - ``target``: ``y`` as above.
        - ``frame``: DataFrame with the features and a ``"is_fraud"``
          column when ``as_frame=True``, else None.
        - ``pattern``: ndarray of str of shape (n_samples,), the generative
          pattern of each row (see Notes).
        - ``feature_names``: list of the 11 column names.
        - ``target_names``: ``["legit", "fraud"]``.
        - ``categories``: dict mapping each categorical column to its list
          of categories, in the order of the ordinal codes.
        - ``DESCR``: description of the dataset.

    Notes
    -----
    **Generative story.** Each row belongs to one pattern and is drawn
    independently.  A customer's average ticket is drawn from a log-normal
    distribution (median 45); the amount is that average times a
    pattern-specific log-normal factor times the typical ticket of the
    merchant category (electronics and travel are expensive, online gaming
    and pharmacy cheap), so ``amount_to_avg_ratio`` is close to 1 for
    ordinary spending.  Velocity counts are 1 plus Poisson counts, account
    ages and distances log-normal, hours a wrapped normal around a
    pattern-specific time of day (or uniform).

    Legitimate patterns (they split the ``n_samples - n_fraud`` legitimate
    rows as 72% / 14% / 8% / 6%, largest-remainder rounding):

    - ``"legit"``: everyday spending, mostly card-present (chip,
      contactless) around midday, mature accounts (median 3 years), low
      velocity, close to home.
    - ``"legit_online"``: evening online shoppers, more electronics, gaming
      and gift cards, occasionally a new device.
    - ``"legit_new_account"``: recently opened accounts (median 60 days)
      that otherwise behave like everyday spenders, with a less settled
      average ticket.
    - ``"legit_traveler"``: customers travelling: ``country_mismatch`` is
      mostly 1, far from home (median 1500 km), travel and restaurants,
      slightly bigger tickets, any hour.

    Fraud patterns:

    - ``"card_testing"`` (common): tiny probe payments (0.50 to 5.00), online,
      on gift cards and online gaming, at night, in bursts (high
      ``txn_count_1h``), hence a very small ``amount_to_avg_ratio``.
    - ``"account_takeover"`` (common): a fraudster's new device (97%),
      online or a freshly provisioned wallet, about 10 times the customer's
      average ticket whatever the category (mostly electronics and gift
      cards), often from abroad and far from home, at any hour.
    - ``"synthetic_identity"`` (rare, ``rare_pattern_share`` of the frauds):
      bust-out of a synthetic identity.  Young accounts (median 35 days)
      paying in person (chip, contactless) in daytime, close to home, rarely on
      a new device.  Compared with ``"legit_new_account"`` it is only subtly
      shifted: tickets about 1.9 times the usual, a little more electronics
      and gift cards, a slightly higher 24h velocity.  It overlaps with
      legitimate behaviour: even with plenty of data (hundreds of thousands
      of rows) a gradient-boosting classifier flags only about a quarter of
      these rows at a 0.5 threshold, and one trained on the few dozen found
      in 20 000 rows is uncertain there and misses most of them.  This is
      the region targeted synthesis should find.

    Label noise is described under ``label_noise``.  Rows are shuffled.

    **Ordinal encoding** (``as_frame=False``): ``merchant_category`` is coded
    grocery=0, fuel=1, restaurants=2, pharmacy=3, electronics=4, travel=5,
    online_gaming=6, gift_cards=7; ``channel`` is coded chip=0, swipe=1,
    contactless=2, online=3.  These are the category codes of the DataFrame
    columns, ``X[col].cat.codes``.

    Examples
    --------
    >>> from sklearn_activesynth.datasets import make_fraud_transactions
    >>> X, y = make_fraud_transactions(n_samples=1000, random_state=0)
    >>> X.shape
    (1000, 11)
    >>> int(y.sum())
    10
    >>> list(X["channel"].cat.categories)
    ['chip', 'swipe', 'contactless', 'online']
    >>> bunch = make_fraud_transactions(
    ...     n_samples=1000, return_X_y=False, random_state=0
    ... )
    >>> sorted(set(bunch.pattern[bunch.target == 1].tolist()))
    ['account_takeover', 'card_testing', 'synthetic_identity']
    >>> X_num, y = make_fraud_transactions(
    ...     n_samples=1000, as_frame=False, random_state=0
    ... )
    >>> X_num.dtype, X_num.shape
    (dtype('float64'), (1000, 11))
    """
    _check_params(n_samples, fraud_rate, rare_pattern_share, label_noise)
    rng = check_random_state(random_state)

    counts = _pattern_counts(
        int(n_samples), float(fraud_rate), float(rare_pattern_share)
    )
    parts = {name: [] for name in FEATURE_NAMES}
    pattern = []
    for name in PATTERNS:
        n = counts[name]
        if n == 0:
            continue
        block = _sample_pattern(name, n, rng)
        for col in FEATURE_NAMES:
            parts[col].append(block[col])
        pattern.append(np.full(n, name))
    columns = {col: np.concatenate(parts[col]) for col in FEATURE_NAMES}
    pattern = np.concatenate(pattern).astype(str)
    is_fraud = np.isin(pattern, FRAUD_PATTERNS)
    y = is_fraud.astype(np.int64)

    # Label noise: swap labels between k frauds and k legitimate rows.
    n_fraud = int(y.sum())
    n_flip = round(n_fraud * label_noise)
    if n_flip > 0:
        fraud_idx = rng.choice(np.flatnonzero(is_fraud), size=n_flip, replace=False)
        legit_idx = rng.choice(np.flatnonzero(~is_fraud), size=n_flip, replace=False)
        y[fraud_idx] = 0
        y[legit_idx] = 1

    order = rng.permutation(n_samples)
    columns = {col: values[order] for col, values in columns.items()}
    pattern = pattern[order]
    y = y[order]

    categories = {col: list(cats) for col, cats in CATEGORICAL_FEATURES.items()}
    frame = None
    if as_frame:
        data = {}
        for col in FEATURE_NAMES:
            values = columns[col]
            if col in CATEGORICAL_FEATURES:
                data[col] = pd.Categorical.from_codes(
                    values, categories=list(CATEGORICAL_FEATURES[col])
                )
            elif col in INTEGER_FEATURES:
                data[col] = values.astype(np.int64)
            else:
                data[col] = values.astype(np.float64)
        X = pd.DataFrame(data, columns=FEATURE_NAMES)
        if not return_X_y:
            frame = X.copy()
            frame["is_fraud"] = y
    else:
        X = np.column_stack([columns[col].astype(np.float64) for col in FEATURE_NAMES])

    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        pattern=pattern,
        feature_names=list(FEATURE_NAMES),
        target_names=["legit", "fraud"],
        categories=categories,
        DESCR=_DESCR,
    )
