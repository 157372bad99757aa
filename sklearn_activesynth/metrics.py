"""Metrics for imbalanced problems, where the positive class is what matters,
and for judging synthetic rows against real ones."""

# License: BSD 3 clause

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial.distance import pdist
from scipy.stats import ks_2samp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import precision_recall_curve, roc_auc_score
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .utils._seeding import MAX_SEED, check_random_state
from .utils.tabular import TabularSchema, take_rows

__all__ = [
    "recall_at_precision",
    "expected_calibration_error",
    "reliability_curve",
    "synthetic_quality_report",
    "sdmetrics_quality_report",
]


def recall_at_precision(y_true, scores, precision=0.9, *, pos_label=None,
                        sample_weight=None):
    """Highest recall reachable while precision stays at or above a target.

    A fraud team fixes the share of alerts that must be real fraud (the
    precision) and asks how much of the fraud it then catches (the recall).
    Every distinct score is tried as a threshold (predict positive when
    ``scores >= threshold``); among the thresholds whose precision is at least
    ``precision``, the largest recall is returned.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True binary labels.
    scores : array-like of shape (n_samples,)
        Scores of the positive class: probabilities (e.g.
        ``predict_proba(X)[:, 1]``) or any monotone score such as
        ``decision_function(X)``.
    precision : float, default=0.9
        The precision to hold, in [0, 1].
    pos_label : int, float, bool or str, default=None
        The positive label. ``None`` means 1 when the labels are {0, 1} or
        {-1, 1}; other labels need it set.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    recall : float
        The highest recall, in [0, 1], at a threshold with precision >=
        ``precision``. ``0.0`` when no threshold reaches that precision, and
        when ``y_true`` has no positive row.

    See Also
    --------
    sklearn.metrics.precision_recall_curve : every (precision, recall) pair.
    sklearn.metrics.average_precision_score : the area under that curve.

    Examples
    --------
    >>> from sklearn_activesynth.metrics import recall_at_precision
    >>> y_true = [0, 0, 1, 1]
    >>> scores = [0.1, 0.4, 0.35, 0.8]
    >>> recall_at_precision(y_true, scores, precision=0.9)  # only 0.8 is pure
    0.5
    >>> recall_at_precision(y_true, scores, precision=0.6)  # 2 of 3 above 0.35
    1.0
    >>> recall_at_precision([1, 0], [0.2, 0.9], precision=0.9)  # never reached
    0.0
    """
    if not isinstance(precision, Real) or isinstance(precision, bool) or \
            not 0.0 <= precision <= 1.0:
        raise ValueError(
            f"precision must be a number in [0, 1], got {precision!r}."
        )
    y_true = column_or_1d(y_true)
    scores = column_or_1d(scores)
    check_consistent_length(y_true, scores, sample_weight)
    labels = np.unique(y_true)
    if len(labels) > 2:
        raise ValueError(
            f"recall_at_precision needs binary y_true; got {len(labels)} classes "
            f"{labels.tolist()[:10]}."
        )
    if pos_label is None:
        if not set(labels.tolist()) <= {0, 1} and not set(labels.tolist()) <= {-1, 1}:
            raise ValueError(
                f"y_true takes values {labels.tolist()}; pass pos_label to say which "
                "one is the positive class."
            )
        pos_label = 1
    positives = y_true == pos_label
    if sample_weight is not None:
        sample_weight = column_or_1d(sample_weight).astype(float)
        if not np.any(sample_weight[positives] > 0):
            return 0.0
    elif not np.any(positives):
        return 0.0
    prec, rec, _ = precision_recall_curve(
        y_true, scores, pos_label=pos_label, sample_weight=sample_weight,
        drop_intermediate=False,
    )
    # the curve ends with the artificial point (precision=1, recall=0); it
    # says nothing about reaching the target, so leave it out
    prec, rec = prec[:-1], rec[:-1]
    reached = prec >= precision
    if not np.any(reached):
        return 0.0
    return float(np.max(rec[reached]))


def _calibration_bins(y_true, proba, n_bins):
    """Per-sample (predicted probability, outcome) pairs and equal-width bins:
    P(y=1) and "is positive" for 1-D scores, the top-label confidence and
    "is correct" for 2-D probabilities.

    The bins are those of :func:`sklearn.calibration.calibration_curve`
    (``strategy="uniform"``): ``n_bins`` intervals closed on the right,
    ``[0, 1/n], (1/n, 2/n], ..., ((n-1)/n, 1]`` (Guo et al., 2017), found
    with its own ``searchsorted`` over ``linspace(0, 1, n_bins + 1)``.
    scikit-learn returns only the non-empty bins and no counts; the bin of
    each sample is computed here so that :func:`reliability_curve` can give
    counts and keep a fixed length (the benchmark pools bins over seeds)."""
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}.")
    y_true = column_or_1d(y_true)
    proba = np.asarray(proba, dtype=float)
    if proba.ndim == 1:
        check_consistent_length(y_true, proba)
        labels = np.unique(y_true)
        if not set(labels.tolist()) <= {0, 1}:
            raise ValueError(
                "With 1-D scores y_true must be 0/1 (1 = positive), got labels "
                f"{labels.tolist()[:10]}; pass 2-D probabilities for other labels."
            )
        pred, outcome = proba, (y_true == 1).astype(float)
    elif proba.ndim == 2:
        check_consistent_length(y_true, proba)
        # column j of proba is class j: y_true holds column indices 0..k-1
        y_idx = np.asarray(y_true)
        if y_idx.dtype.kind not in "iub" or y_idx.min() < 0 or \
                y_idx.max() >= proba.shape[1]:
            raise ValueError(
                "With 2-D probabilities y_true must hold column indices "
                f"0..{proba.shape[1] - 1}; encode labels first (LabelEncoder).")
        pred = proba.max(axis=1)
        outcome = (proba.argmax(axis=1) == y_idx).astype(float)
    else:
        raise ValueError(f"proba must be 1-D or 2-D, got shape {proba.shape}.")
    if not np.all((pred >= 0) & (pred <= 1)):
        raise ValueError("Probabilities must lie in [0, 1] (and not be NaN).")
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], pred)
    return pred, outcome, bins


def reliability_curve(y_true, proba, *, n_bins=10):
    """Mean predicted probability, observed frequency and count per probability bin.

    The data of a reliability diagram (seed 000 §2.5, item 4), computed by
    :func:`sklearn.calibration.calibration_curve` (``strategy="uniform"``).
    This wrapper adds what scikit-learn does not give: the number of samples
    per bin, one entry per bin whether it is empty or not (NaN for an empty
    bin, so that bins can be pooled over seeds), and the top-label curve of
    multiclass probabilities. With 1-D scores (binary problems, ``P(y=1)``)
    each bin compares the mean predicted probability with the share of
    positives; with 2-D probabilities it compares the top-label confidence
    with the accuracy (scikit-learn's function on "was the top label right").
    Bins are ``n_bins`` equal-width intervals of [0, 1] closed on the right,
    as in scikit-learn: ``[0, 0.1], (0.1, 0.2], ..., (0.9, 1]`` for 10 bins.

    To draw the curve, pass the non-empty bins to
    :class:`sklearn.calibration.CalibrationDisplay`, or use
    ``CalibrationDisplay.from_predictions`` directly on binary scores.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels for 1-D scores; column indices ``0..n_classes-1`` for 2-D
        probabilities.
    proba : array-like of shape (n_samples,) or (n_samples, n_classes)
    n_bins : int, default=10

    Returns
    -------
    mean_predicted : ndarray of shape (n_bins,)
        ``prob_pred`` of :func:`~sklearn.calibration.calibration_curve` at
        the non-empty bins, NaN elsewhere.
    observed : ndarray of shape (n_bins,)
        ``prob_true`` of :func:`~sklearn.calibration.calibration_curve` at
        the non-empty bins, NaN elsewhere.
    counts : ndarray of shape (n_bins,)
        Samples per bin.

    See Also
    --------
    sklearn.calibration.calibration_curve : the non-empty bins, binary only.
    sklearn.calibration.CalibrationDisplay : the reliability diagram.
    expected_calibration_error : the count-weighted gap of these bins.

    Examples
    --------
    >>> from sklearn_activesynth.metrics import reliability_curve
    >>> pred, obs, n = reliability_curve([0, 1, 1, 1], [0.1, 0.9, 0.8, 0.3], n_bins=2)
    >>> pred.round(3).tolist(), obs.tolist(), n.tolist()
    ([0.2, 0.85], [0.5, 1.0], [2, 2])
    """
    from sklearn.calibration import calibration_curve

    pred, outcome, bins = _calibration_bins(y_true, proba, n_bins)
    counts = np.bincount(bins, minlength=n_bins)
    mean_pred = np.full(n_bins, np.nan)
    observed = np.full(n_bins, np.nan)
    if len(pred):
        prob_true, prob_pred = calibration_curve(
            outcome.astype(int), pred, n_bins=n_bins, strategy="uniform", pos_label=1)
        mean_pred[counts > 0], observed[counts > 0] = prob_pred, prob_true
    return mean_pred, observed, counts


def expected_calibration_error(y_true, proba, *, n_bins=15):
    r"""Expected calibration error: the bin-weighted gap between predicted
    probability and observed frequency.

    :math:`\mathrm{ECE} = \sum_b \frac{n_b}{n}\,|\bar p_b - \bar o_b|` over
    ``n_bins`` equal-width bins closed on the right (Guo et al., 2017), the
    bins of :func:`reliability_curve` and of
    :func:`sklearn.calibration.calibration_curve`: ``P(y=1)`` against the
    share of positives for 1-D scores, the top-label confidence against the
    accuracy for 2-D probabilities. 0 is perfect calibration.

    scikit-learn (1.9) has no expected calibration error, only the Brier
    score (:func:`sklearn.metrics.brier_score_loss`), which mixes
    calibration with sharpness; this function fills that gap.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels for 1-D scores; column indices for 2-D probabilities.
    proba : array-like of shape (n_samples,) or (n_samples, n_classes)
    n_bins : int, default=15

    Returns
    -------
    ece : float

    Examples
    --------
    >>> from sklearn_activesynth.metrics import expected_calibration_error
    >>> expected_calibration_error([0, 1, 1, 1], [0.1, 0.9, 0.8, 0.3], n_bins=2)
    0.225
    """
    pred, outcome, bins = _calibration_bins(y_true, proba, n_bins)
    if len(pred) == 0:
        return float("nan")
    gap = np.abs(np.bincount(bins, weights=pred - outcome, minlength=n_bins))
    return float(np.round(gap.sum() / len(pred), 12))


def _as_frame(X, y, names, label):
    """A DataFrame view of rows ``X`` (arrays get ``names``), with the label
    as one more categorical column when ``y`` is given."""
    if isinstance(X, pd.DataFrame):
        df = X.reset_index(drop=True)
    else:
        arr = X.toarray() if sp.issparse(X) else np.asarray(X)
        df = pd.DataFrame(arr, columns=names)
    if y is not None:
        df = df.assign(**{label: pd.Series(np.asarray(y), dtype=object).astype(str)})
    return df


def _rbf_mmd2(A, B, rng, max_rows):
    """Unbiased squared MMD between the rows of A and B, Gaussian kernel with the
    median-heuristic bandwidth (on at most ``max_rows`` rows of each).

    The kernel is :func:`sklearn.metrics.pairwise.rbf_kernel` and the pairwise
    distances of the bandwidth :func:`scipy.spatial.distance.pdist`; neither
    library has the MMD estimator itself or the median heuristic (the median
    squared distance over all pairs of the pooled rows, ``gamma = 1 / median``),
    which stay here."""
    if A.shape[0] > max_rows:
        A = A[rng.choice(A.shape[0], max_rows, replace=False)]
    if B.shape[0] > max_rows:
        B = B[rng.choice(B.shape[0], max_rows, replace=False)]
    if A.shape[0] < 2 or B.shape[0] < 2:
        return np.nan
    pooled = pdist(np.vstack([A, B]), "sqeuclidean")  # every pair, condensed
    med = np.median(pooled[pooled > 0]) if np.any(pooled > 0) else 1.0
    gamma = 1.0 / med
    Kaa, Kbb = rbf_kernel(A, gamma=gamma), rbf_kernel(B, gamma=gamma)
    Kab = rbf_kernel(A, B, gamma=gamma)
    n, m = A.shape[0], B.shape[0]
    return float((Kaa.sum() - np.trace(Kaa)) / (n * (n - 1))
                 + (Kbb.sum() - np.trace(Kbb)) / (m * (m - 1)) - 2 * Kab.mean())


def synthetic_quality_report(X_real, X_syn, *, y_real=None, y_syn=None, cv=3,
                             max_rows=2000, random_state=0):
    """How close synthetic rows are to real ones, and how close to copies.

    Computed with numpy, scipy and scikit-learn only (the dependency-free
    default; :func:`sdmetrics_quality_report` gives SDMetrics' quality report,
    with its visualisations, when ``sdmetrics`` is installed), on DataFrames
    with mixed dtypes or on arrays:

    - per column: the Kolmogorov–Smirnov statistic of numeric columns and the
      total variation distance of categorical ones (0 = same distribution,
      1 = disjoint);
    - ``corr_diff``: mean absolute difference between the real and the
      synthetic Pearson correlation of each pair of numeric columns (per
      column: over the pairs it is in);
    - ``discriminator_auc``: out-of-fold ROC-AUC of a gradient-boosting
      classifier telling real from synthetic rows (0.5 = indistinguishable);
    - ``mmd``: squared maximum mean discrepancy, Gaussian kernel with the
      median-heuristic bandwidth, on the standardised encoding (numeric
      columns scaled, categories one-hot);
    - distance to closest record (DCR, same encoding, one category mismatch
      counting as one standard deviation): quantiles of each synthetic row's
      distance to its nearest real row, next to the real rows' distance to
      their nearest other real row; ``dcr_share_below_real_q05`` is the share
      of synthetic rows closer to a real record than 95 % of real rows are to
      theirs (about 0.05 for an honest sample, 1 for copies).

    Parameters
    ----------
    X_real, X_syn : DataFrame, ndarray or sparse matrix
        Real and synthetic rows with the same columns.
    y_real, y_syn : array-like, optional
        Labels; when both are given the label is compared as one more
        categorical column (``"label"``) and enters the discriminator and the
        distances.
    cv : int, default=3
        Folds of the discriminator.
    max_rows : int, default=2000
        Rows of each side used by the discriminator, MMD and DCR (a random
        subsample; the per-column distances use every row).
    random_state : int, RandomState instance or None, default=0
        Seeds the subsamples, the folds and the discriminator.

    Returns
    -------
    report : DataFrame
        One row per figure, columns ``metric``, ``column`` (the feature, or
        ``"(all)"``), ``value`` and ``ideal`` (the value of a perfect,
        non-copying generator). ``report.attrs["summary"]`` holds a short text
        summary.

    See Also
    --------
    sdmetrics_quality_report : SDMetrics' report (column shapes and column-pair
        trends as scores in [0, 1]; its ``KSComplement`` and ``TVComplement``
        are ``1 - ks`` and ``1 - tv`` here when no value is missing).
    sklearn_activesynth.filters.RealismFilter,
    sklearn_activesynth.filters.PrivacyFilter : the same discriminator and
        distance, used to drop rows during ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.metrics import synthetic_quality_report
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(300, 2))
    >>> report = synthetic_quality_report(real, rng.normal(size=(300, 2)))
    >>> auc = report.set_index(["metric", "column"]).loc[("discriminator_auc", "(all)"), "value"]
    >>> bool(auc < 0.65)
    True
    >>> copies = synthetic_quality_report(real, real[:100] + 1e-6)
    >>> float(copies.set_index("metric").loc["dcr_share_below_real_q05", "value"])
    1.0
    >>> print(copies.attrs["summary"])  # doctest: +ELLIPSIS
    Synthetic quality (300 real rows, 100 synthetic): ...
    """
    if not (isinstance(cv, Integral) and cv >= 2):
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    real, syn = _quality_frames(X_real, X_syn, y_real, y_syn, "synthetic_quality_report")
    rng = check_random_state(random_state)
    schema = TabularSchema(real)
    rows = (_column_distances(real, syn, schema) + _correlation_differences(real, syn, schema)
            + _distinguishability(real, syn, schema, rng, cv, max_rows))
    report = pd.DataFrame(rows, columns=["metric", "column", "value", "ideal"])
    report.attrs["summary"] = _quality_summary(report, len(real), len(syn))
    return report


def _quality_frames(X_real, X_syn, y_real, y_syn, what):
    """Real and synthetic rows as DataFrames with the same columns (arrays get
    ``x0, x1, ...``; the labels, when given, a ``"label"`` column)."""
    if X_real.shape[1] != X_syn.shape[1]:
        raise ValueError(
            f"X_real has {X_real.shape[1]} columns and X_syn {X_syn.shape[1]}; they "
            "must describe the same columns.")
    if isinstance(X_real, pd.DataFrame) and isinstance(X_syn, pd.DataFrame) and \
            list(X_real.columns) != list(X_syn.columns):
        raise ValueError("X_real and X_syn must have the same columns in the same order.")
    if (y_real is None) != (y_syn is None):
        raise ValueError("Pass both y_real and y_syn, or neither.")
    if X_real.shape[0] < 2 or X_syn.shape[0] < 2:
        raise ValueError(f"{what} needs at least 2 real and 2 synthetic rows.")
    names = [f"x{j}" for j in range(X_real.shape[1])]
    real = _as_frame(X_real, y_real, names, "label")
    syn = _as_frame(X_syn, y_syn, names, "label")
    if not isinstance(X_syn, pd.DataFrame) and isinstance(X_real, pd.DataFrame):
        syn.columns = real.columns
    return real, syn


def sdmetrics_quality_report(X_real, X_syn, *, y_real=None, y_syn=None, verbose=False):
    """SDMetrics' quality report of synthetic rows against real ones.

    The richer path next to :func:`synthetic_quality_report` when the
    MIT-licensed ``sdmetrics`` package is installed (SDV installs it, or
    ``pip install 'sklearn-activesynth[sdmetrics]'``): SDMetrics' own
    ``QualityReport`` with its scores, per-column and per-pair details and
    plotly visualisations. This function only brings the rows into the form
    SDMetrics wants: DataFrames (arrays get columns ``x0, x1, ...``; the
    labels, when given, a ``"label"`` column) and the metadata, read from
    the real rows as :class:`~sklearn_activesynth.utils.TabularSchema` reads
    them (numeric columns ``"numerical"``, boolean ones ``"boolean"``, the
    other categorical ones ``"categorical"``).

    :func:`synthetic_quality_report` stays the dependency-free default and
    measures what SDMetrics' quality report does not: a real-vs-synthetic
    discriminator, the MMD, and distances to the closest real record (near
    copies). Where both measure the same thing the numbers agree: SDMetrics'
    ``KSComplement`` is ``1 - ks`` and ``TVComplement`` is ``1 - tv`` of
    :func:`synthetic_quality_report` when no value is missing (SDMetrics
    drops missing values, ours counts them as one category), and its
    ``CorrelationSimilarity`` is ``1 - |r_real - r_syn| / 2`` of the pairs
    behind ``corr_diff``, scored only for pairs whose real correlation
    reaches SDMetrics' threshold (0.5 in sdmetrics 0.32).

    Parameters
    ----------
    X_real, X_syn : DataFrame, ndarray or sparse matrix
        Real and synthetic rows with the same columns.
    y_real, y_syn : array-like, optional
        Labels; when both are given the label is one more categorical column.
    verbose : bool, default=False
        Let SDMetrics print its progress and summary.

    Returns
    -------
    report : sdmetrics.reports.QualityReport
        Generated: ``report.get_score()``, ``report.get_properties()``,
        ``report.get_details("Column Shapes")``,
        ``report.get_visualization("Column Pair Trends")``. SDMetrics' unified
        report (sdmetrics >= 0.2x) names the one table ``"data"``; older
        versions give their single-table report.

    Raises
    ------
    ImportError
        When sdmetrics is not installed.

    See Also
    --------
    synthetic_quality_report : the dependency-free report.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.metrics import sdmetrics_quality_report
    >>> rng = np.random.RandomState(0)
    >>> report = sdmetrics_quality_report(rng.normal(size=(200, 2)),
    ...                                   rng.normal(size=(200, 2)))  # doctest: +SKIP
    >>> report.get_score() > 0.8  # doctest: +SKIP
    True
    """
    try:
        import sdmetrics.reports
    except ImportError as exc:
        raise ImportError(
            "sdmetrics_quality_report needs sdmetrics (MIT-licensed, also installed by "
            "SDV): pip install 'sklearn-activesynth[sdmetrics]'. "
            "synthetic_quality_report needs no extra package."
        ) from exc
    real, syn = _quality_frames(X_real, X_syn, y_real, y_syn, "sdmetrics_quality_report")
    schema = TabularSchema(real)
    columns = {}
    for c in real.columns:
        if c in schema.numeric:
            sdtype = "numerical"
        elif pd.api.types.is_bool_dtype(real[c].dtype):
            sdtype = "boolean"
        else:
            sdtype = "categorical"
        columns[str(c)] = {"sdtype": sdtype}
    real.columns = syn.columns = [str(c) for c in real.columns]
    return _generate_sdmetrics_report(
        real, syn, columns, verbose, unified=hasattr(sdmetrics.reports, "QualityReport"))


def _generate_sdmetrics_report(real, syn, columns, verbose, *, unified):
    """SDMetrics' unified report (one table, ``"data"``), or the single-table
    report of versions that have no unified one."""
    if unified:
        from sdmetrics.reports import QualityReport

        report = QualityReport()
        report.generate({"data": real}, {"data": syn},
                        {"tables": {"data": {"columns": columns}}}, verbose=verbose)
    else:
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.generate(real, syn, {"columns": columns}, verbose=verbose)
    return report


def _figure(metric, column, value, ideal):
    return dict(metric=metric, column=str(column), value=float(value), ideal=ideal)


def _shares(col):
    """Value shares of a categorical column, missing values as one category
    ("nan"): pandas 3's ``astype(str)`` keeps them missing, pandas 2 wrote
    "nan" or "None"."""
    return col.astype(object).where(col.notna(), "nan").astype(str).value_counts(
        normalize=True)


def _column_distances(real, syn, schema):
    """KS statistic per numeric column, total variation per categorical one."""
    rows = []
    for c in real.columns:
        if c in schema.numeric:
            a = real[c].to_numpy(dtype=float)
            b = syn[c].to_numpy(dtype=float)
            a, b = a[np.isfinite(a)], b[np.isfinite(b)]
            ks = ks_2samp(a, b).statistic if len(a) and len(b) else np.nan
            rows.append(_figure("ks", c, ks, 0.0))
        else:
            p, q = _shares(real[c]), _shares(syn[c])
            p, q = p.align(q, fill_value=0.0)
            rows.append(_figure("tv", c, 0.5 * np.abs(p - q).sum(), 0.0))
    return rows


def _correlation_differences(real, syn, schema):
    """Mean |real - synthetic| Pearson correlation, per numeric column and overall."""
    numeric = list(schema.numeric)
    if len(numeric) < 2:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        cr = np.nan_to_num(np.corrcoef(schema.numeric_values(real), rowvar=False))
        cs = np.nan_to_num(np.corrcoef(schema.numeric_values(syn), rowvar=False))
    diff = np.abs(cr - cs)
    iu = np.triu_indices(len(numeric), 1)
    rows = [_figure("corr_diff", c, np.delete(diff[j], j).mean(), 0.0)
            for j, c in enumerate(numeric)]
    return rows + [_figure("corr_diff", "(all)", diff[iu].mean(), 0.0)]


def _distinguishability(real, syn, schema, rng, cv, max_rows):
    """Discriminator AUC and MMD on subsamples, then distances to closest records."""
    def sub(df):
        idx = np.sort(rng.choice(len(df), min(len(df), max_rows), replace=False))
        return np.asarray(schema.encode(take_rows(df, idx)), dtype=float)

    Zr, Zs = sub(real), sub(syn)
    Z = np.vstack([Zr, Zs])
    lab = np.r_[np.ones(len(Zr)), np.zeros(len(Zs))]
    folds = min(cv, len(Zr), len(Zs))
    disc = HistGradientBoostingClassifier(max_iter=100, max_leaf_nodes=15,
                                          min_samples_leaf=10, early_stopping=False,
                                          random_state=rng.randint(MAX_SEED))
    proba = cross_val_predict(
        disc, Z, lab, method="predict_proba",
        cv=StratifiedKFold(folds, shuffle=True, random_state=rng.randint(MAX_SEED)))
    rows = [_figure("discriminator_auc", "(all)", roc_auc_score(lab, proba[:, 1]), 0.5),
            _figure("mmd", "(all)", _rbf_mmd2(Zr, Zs, rng, max_rows), 0.0)]

    nn = NearestNeighbors(n_neighbors=2).fit(schema.encode(real))
    dcr = nn.kneighbors(Zs, n_neighbors=1)[0][:, 0]
    d2, _ = nn.kneighbors(Zr, n_neighbors=2)
    real_nn = d2[:, 1]  # [:, 0] is the row itself
    q05 = float(np.quantile(real_nn, 0.05))
    for name, v in (("dcr_min", dcr.min()), ("dcr_q05", np.quantile(dcr, 0.05)),
                    ("dcr_median", np.median(dcr)), ("dcr_mean", dcr.mean())):
        rows.append(_figure(name, "(all)", v, np.nan))
    rows.append(_figure("real_nn_q05", "(all)", q05, np.nan))
    rows.append(_figure("real_nn_median", "(all)", np.median(real_nn), np.nan))
    rows.append(_figure("dcr_share_below_real_q05", "(all)",
                        np.mean(dcr < max(q05, 1e-12)) if q05 > 0 else np.mean(dcr <= 1e-9),
                        0.05))
    return rows


def _quality_summary(report, n_real, n_syn):
    overall = report[report["column"] == "(all)"].set_index("metric")["value"]
    per_col = report[report["metric"].isin(["ks", "tv"])]
    worst = per_col.sort_values("value", ascending=False).head(3)
    worst_text = ", ".join(f"{c} {v:.2f}" for c, v in zip(worst["column"], worst["value"]))
    corr_text = (f"correlation difference {overall['corr_diff']:.3f}; "
                 if "corr_diff" in overall.index else "")
    return (
        f"Synthetic quality ({n_real} real rows, {n_syn} synthetic): "
        f"mean column distance {per_col['value'].mean():.3f} (worst: {worst_text}); "
        f"{corr_text}discriminator ROC-AUC {overall['discriminator_auc']:.3f} "
        f"(0.5 = indistinguishable); MMD {overall['mmd']:.4f}; median distance to the "
        f"closest real record {overall['dcr_median']:.3f} vs {overall['real_nn_median']:.3f} "
        f"between real rows; {overall['dcr_share_below_real_q05']:.1%} of synthetic rows "
        "are closer to a real record than 95% of real rows are to theirs (about 5% "
        "expected; more means near-copies)."
    )
