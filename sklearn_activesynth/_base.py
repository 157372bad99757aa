"""What the classifier and the sampler share: parameters, validation, the fit.

The loop itself lives in :mod:`sklearn_activesynth._loop`; this module checks
the input, encodes the labels, runs one :class:`~._loop.FitLoop` and copies
its result onto the estimator.
"""

import numbers
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, LabelEncoder, OneHotEncoder, StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._loop import (
    DEFAULT_STAGES,
    AcquisitionStage,
    CurriculumStage,
    FitLoop,
    FitStage,
    GeneratorFailedWarning,
)
from .acquisition import Acquisition
from .filters import FilterContext
from .generators import InterpolationGenerator
from .integration import INTEGRATIONS, resolve_integration
from .targeting import ANCHOR_STRATEGIES, resolve_targeting
from .uncertainty import resolve_uncertainty
from .uncertainty._scorers import MEASURES
from .utils._compat import HasMethods, Interval, StrOptions
from .utils._dask import empty_like_rows, is_dask_collection
from .utils._threads import fit_thread_limits

__all__ = ["FilterContext", "GeneratorFailedWarning"]


def _non_numeric_columns(X):
    """Columns of a DataFrame that are not numbers or booleans (strings, categoricals,
    objects, dates); [] for anything else."""
    if not isinstance(X, pd.DataFrame):
        return []
    return [c for c, dtype in X.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))]


def _as_category_strings(X):
    """Categorical columns as uniform strings, missing values as the category
    ``"missing"`` (one-hot encoding needs one type per column, not ``str`` next to
    ``None``, ``NaN`` or ``pd.NA``)."""
    X = pd.DataFrame(X)
    return X.astype(object).where(X.notna(), "missing").astype(str).to_numpy(dtype=object)


def _default_estimator(X=None, final=None):
    """What ``estimator=None`` means for the data ``X`` passed to ``fit``.

    ``LogisticRegression()`` for arrays, sparse matrices and DataFrames of
    numbers and booleans without missing values; for a DataFrame with a
    string, categorical or object column, or with a missing value, a Pipeline:
    numeric columns median-imputed and standardised, the others (booleans
    included) one-hot encoded with missing values as their own category and
    unknown categories ignored, then ``LogisticRegression()``. ``final``
    replaces ``LogisticRegression()`` (the regressor passes ``Ridge()``).
    """
    final = LogisticRegression() if final is None else final
    if not isinstance(X, pd.DataFrame) or not (
            _non_numeric_columns(X) or bool(X.isna().to_numpy().any())):
        return final
    encode = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         make_column_selector(dtype_include="number")),
        ("categorical", make_pipeline(
            FunctionTransformer(_as_category_strings, feature_names_out="one-to-one"),
            OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_exclude="number")),
    ])
    return make_pipeline(encode, final)


def _check_estimator_takes(estimator, X):
    """A clear error when a bare LogisticRegression (``estimator=LogisticRegression()``,
    or ``set_params(estimator__C=...)`` on the default) meets columns it cannot read."""
    if type(estimator) is not LogisticRegression:
        return
    # categoricals of numbers convert to floats: only columns holding text fail
    columns = [c for c in _non_numeric_columns(X)
               if not (isinstance(X[c].dtype, pd.CategoricalDtype)
                       and pd.api.types.is_numeric_dtype(X[c].cat.categories.dtype))]
    if columns:
        shown = ", ".join(repr(c) for c in columns[:5]) + (", ..." if len(columns) > 5 else "")
        raise ValueError(
            f"LogisticRegression cannot fit the non-numeric column(s) {shown} of X. "
            "Leave estimator=None: the default one-hot encodes them (missing values "
            "imputed, numbers standardised) before a LogisticRegression. To tune it, pass "
            "that Pipeline yourself, e.g. estimator=make_pipeline(make_column_transformer("
            "(OneHotEncoder(handle_unknown='ignore'), categorical_columns), "
            "remainder=StandardScaler()), LogisticRegression(C=0.1)), and set "
            "estimator__logisticregression__C.")


def _routing_enabled():
    return bool(get_config().get("enable_metadata_routing", False))


# parameters that hold a strategy object but accept a string shortcut (or None
# for a default object): ``set_params(name__param=...)`` makes them explicit
_STRATEGIES = {
    "estimator": lambda self: self._get_estimator(),
    "generator": lambda self: self._get_generator(),
    "targeting": lambda self: resolve_targeting(self.targeting),
    "integration": lambda self: resolve_integration(self.integration),
    "uncertainty": lambda self: resolve_uncertainty(self.uncertainty),
    "acquisition": lambda self: Acquisition(),
}


def _validate_labels(y, n_rows, unlabelled=None):
    """Class labels as a 1-D array, one per row, of one comparable type.

    ``unlabelled`` (a boolean mask, or None) marks rows whose entry is the
    estimator's ``missing_label``: only the other rows are checked."""
    y = column_or_1d(np.asarray(y), warn=True)
    if y.shape[0] != n_rows:
        raise ValueError(
            f"X and y have different lengths: X has {n_rows} rows, y has {y.shape[0]}. "
            "Pass one label per row.")
    labels = y if unlabelled is None or not unlabelled.any() else y[~unlabelled]
    if labels.dtype.kind in "fc" or labels.dtype == object:
        if pd.isna(labels).any():
            raise ValueError("Input y contains NaN; drop or impute unlabelled rows.")
        if labels.dtype.kind in "fc" and not np.isfinite(labels).all():
            raise ValueError("Input y contains infinity; labels must be finite.")
    if labels.dtype == object:
        kinds = {"string" if isinstance(v, str) else "number"
                 if isinstance(v, (numbers.Number, np.bool_)) else type(v).__name__
                 for v in labels}
        if len(kinds) > 1:
            raise ValueError(
                f"y mixes labels of different types ({', '.join(sorted(kinds))}), which "
                "cannot be ordered into classes; pass labels of one type, e.g. "
                "y.astype(str).")
    check_classification_targets(labels)
    return y


def _check_sample_weight(sample_weight, n_rows, labelled=None):
    """``sample_weight`` as a float copy, checked (None stays None)."""
    if sample_weight is None:
        return None
    sample_weight = np.array(sample_weight, dtype=float)  # a copy: never theirs
    if sample_weight.shape != (n_rows,):
        raise ValueError(
            f"sample_weight has shape {sample_weight.shape}; expected "
            f"({n_rows},), one weight per row of X."
        )
    bad = ~np.isfinite(sample_weight) | (sample_weight < 0)
    if bad.any():
        raise ValueError(
            f"sample_weight must be finite and non-negative; {int(bad.sum())} "
            f"weight(s) are not (first at row {int(np.flatnonzero(bad)[0])}: "
            f"{sample_weight[bad][0]!r}).")
    if (sample_weight if labelled is None else sample_weight[labelled]).sum() <= 0:
        raise ValueError("sample_weight sums to 0 over the labelled rows; at least "
                         "one of them must count.")
    return sample_weight


class _BaseActiveSynthesis(MetaEstimatorMixin, BaseEstimator):
    """Shared parameters and the fit; see ActiveSynthesisClassifier for the docs.

    Each subclass writes its own ``__init__`` (scikit-learn reads the
    parameters from its signature); the constraints are written here once.
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "generator": [HasMethods(["fit", "generate"]), list, None],
        "filters": [list, None],
        "uncertainty": [StrOptions(set(MEASURES) | {"ensemble_variance"}), callable],
        "uncertainty_cv": [Interval(Integral, 2, None, closed="left"), None],
        "targeting": [StrOptions(set(ANCHOR_STRATEGIES)), HasMethods(["build"])],
        "n_synthetic": [
            Interval(Integral, 0, None, closed="left"),
            Interval(Real, 0, None, closed="neither"),
        ],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "integration": [StrOptions(set(INTEGRATIONS)), HasMethods(["weights"]), callable],
        "selector": [StrOptions({"ucb"}), HasMethods(["choose", "resolve_arms"]), None],
        "curriculum": [HasMethods(["ready", "threshold"]), None],
        "scoring": [str, callable, None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "generator_timeout": [Interval(Real, 0, None, closed="neither"), None],
        "keep_generator": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # parameter -> what its default object is (see set_params)
    _strategy_defaults = _STRATEGIES

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base = get_tags(self._get_estimator())
        tags.input_tags.sparse = base.input_tags.sparse
        tags.input_tags.allow_nan = base.input_tags.allow_nan
        tags.input_tags.categorical = base.input_tags.categorical
        tags.input_tags.string = base.input_tags.string
        return tags

    def set_params(self, **params):
        """Set parameters; nested names also work on defaults and shortcuts.

        ``estimator__*`` / ``generator__*`` work when those are ``None`` (the
        default object is made explicit: ``LogisticRegression`` with those
        parameters, which takes numeric ``X`` only; a DataFrame with text
        columns then raises an error that says which Pipeline to pass), and ``targeting__*``,
        ``integration__*``, ``uncertainty__*`` when those are strings (the
        named strategy object is made explicit), so that ``GridSearchCV`` can
        tune e.g. ``targeting__density_weight`` on a default estimator.

        Returns
        -------
        self : object
        """
        for name, default in self._strategy_defaults.items():
            if not hasattr(self, name):  # a parameter of the classifier only
                continue
            current = getattr(self, name)
            if (current is None or isinstance(current, str)) and name not in params \
                    and any(k.startswith(name + "__") for k in params):
                setattr(self, name, clone(default(self)))
        return super().set_params(**params)

    def _get_estimator(self, X=None):
        """The estimator to fit; ``None`` is resolved from ``X`` (see
        :func:`_default_estimator`); without ``X``, ``LogisticRegression()``."""
        return _default_estimator(X) if self.estimator is None else self.estimator

    def _get_generator(self):
        return InterpolationGenerator() if self.generator is None else self.generator

    def _synthetic_quota(self, y):
        """Rows to add per label over the whole fit (the sampler), or None: a
        budget of ``n_synthetic`` rows per round (the classifier)."""
        return None

    def _get_acquisition(self):
        """The acquisition (strategy and label budget) of an oracle: ``acquisition``,
        or ``Acquisition()`` when it is None."""
        acquisition = getattr(self, "acquisition", None)
        return Acquisition() if acquisition is None else acquisition

    def _unlabelled_rows(self, y):
        """Boolean mask of the rows of ``y`` without a label, or None when every
        row must have one (the sampler; the classifier reads ``missing_label``)."""
        return None

    def _cold_start_strategy(self, labelled):
        """The strategy that ranks unlabelled rows while the labelled ones hold a
        single class, or None when a cold start cannot run (no oracle, no
        unlabelled row, ``max_iter=0``, or ``acquisition.cold_start=None``)."""
        if getattr(self, "oracle", None) is None or labelled is None or \
                labelled.all() or self.max_iter == 0:
            return None
        return self._get_acquisition().resolve_cold_start()

    def _check_predict_input(self, X):
        """``X`` checked against the fit (features' count and names) for
        ``predict*``/``query``; a Dask collection on an empty stand-in."""
        check_is_fitted(self)
        if is_dask_collection(X):
            # the feature count and names, on an empty stand-in: no block is read
            self._check_predict_input(empty_like_rows(X))
            return X
        if isinstance(X, np.ndarray) and X.ndim == 2 or hasattr(X, "iloc") or \
                sp.issparse(X):
            # the estimator validates the values itself; checking them here too
            # would double the cost of predict
            return validate_data(self, X, reset=False, skip_check_array=True)
        tags = self.__sklearn_tags__()
        return validate_data(
            self, X, reset=False, dtype=None,
            accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
            ensure_all_finite="allow-nan" if tags.input_tags.allow_nan else True,
        )

    def _stages(self):
        """The stages of one round, in order (see docs/design.md to add one)."""
        stages = [stage() for stage in DEFAULT_STAGES]
        if self.curriculum is not None:  # rows wait between filtering and the fit
            at = next(i for i, st in enumerate(stages) if isinstance(st, FitStage))
            stages.insert(at, CurriculumStage())
        if getattr(self, "oracle", None) is not None:  # real labels first in the round
            stages.insert(0, AcquisitionStage(self._get_acquisition()))
        return stages

    def get_metadata_routing(self):
        """Route ``sample_weight`` (and other fit metadata) to the estimator.

        Returns
        -------
        routing : MetadataRouter
        """
        return MetadataRouter(owner=self).add(
            estimator=self._get_estimator(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def _validate_input(self, X, y):
        """Validate without converting DataFrames (mixed dtypes go to the
        estimator and the generator as they are); labels are checked the same
        way whatever the container of X. Returns ``X``, ``y`` and the mask of
        unlabelled rows (None when there are none)."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if isinstance(X, pd.DataFrame):
            X = validate_data(self, X, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError("Found array with 0 sample(s); X must have rows.")
            if X.shape[1] == 0:
                raise ValueError(
                    f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of "
                    f"1 is required by {type(self).__name__}; X must have columns.")
        else:
            tags = get_tags(self._get_estimator())
            X = validate_data(
                self, X,
                accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
                ensure_all_finite="allow-nan" if tags.input_tags.allow_nan else True,
                dtype="numeric",
            )
        y = column_or_1d(np.asarray(y), warn=True)
        unlabelled = self._unlabelled_rows(y) if y.shape[0] == X.shape[0] else None
        if unlabelled is not None and not unlabelled.any():
            unlabelled = None
        return X, self._validate_targets(y, X.shape[0], unlabelled), unlabelled

    def _validate_targets(self, y, n_rows, unlabelled):
        """``y`` checked as class labels (the regressor checks numbers)."""
        return _validate_labels(y, n_rows, unlabelled)

    def _fit_params(self, fit_params):
        """The estimator's fit parameters (routed when routing is on) and the
        real rows' ``sample_weight``, checked."""
        if _routing_enabled():
            fit_params = dict(process_routing(self, "fit", **fit_params).estimator.fit)
        else:
            fit_params = dict(fit_params)
        return fit_params, fit_params.pop("sample_weight", None)

    def _fit_loop(self, X, y, fit_params, *, final_refit):
        """Validate, run the loop, set the fitted attributes. Returns (X, y)."""
        X, y, unlabelled = self._validate_input(X, y)
        fit_params, sample_weight = self._fit_params(fit_params)
        labelled = None if unlabelled is None else ~unlabelled
        if labelled is not None and not labelled.any():
            raise ValueError(
                f"Every row of y is unlabelled (missing_label={self.missing_label!r}); "
                f"{type(self).__name__} needs labelled rows of at least two classes to "
                "fit its first model.")
        y_lab = y if labelled is None else y[labelled]
        # the classes are those of the labelled rows, fixed for the whole fit
        label_encoder = LabelEncoder().fit(y_lab)
        classes = label_encoder.classes_
        cold_start = None
        if len(classes) < 2:
            # a cold start: an oracle and unlabelled rows, ranked without a model
            # until a second class is labelled (the classes are fixed then)
            cold_start = self._cold_start_strategy(labelled)
            if cold_start is None:
                raise ValueError(
                    f"{type(self).__name__} needs at least two classes in y, got 1 class: "
                    f"{classes.tolist()}. Classifier can't train when only one class "
                    "is present. (With an oracle, unlabelled rows and max_iter >= 1, "
                    "ActiveSynthesisClassifier starts cold: it asks the oracle about "
                    "the unlabelled rows farthest from the labelled ones until a second "
                    "class appears.)"
                )
            label_encoder = y_enc = None
        elif labelled is None:
            y_enc = label_encoder.transform(y)
        else:  # unlabelled rows: -1, until an oracle answers for them
            y_enc = np.full(len(y), -1, dtype=np.intp)
            y_enc[labelled] = label_encoder.transform(y_lab)
        sample_weight = _check_sample_weight(sample_weight, len(y), labelled)
        quota = self._synthetic_quota(y)
        if quota is not None:  # label -> rows, as the loop counts them: encoded labels
            quota = {int(label_encoder.transform([c])[0]): int(n) for c, n in quota.items()}
        estimator = self._get_estimator(X)
        _check_estimator_takes(estimator, X)
        loop = FitLoop(self, estimator, fit_params, final_refit=final_refit, quota=quota)
        # n_jobs is the fit's CPU budget, BLAS/OpenMP threads included (utils/_threads.py)
        with fit_thread_limits(self.n_jobs, loop.estimator):
            result = loop.run(X, y, y_enc, label_encoder, sample_weight, labelled=labelled,
                              cold_start=cold_start)
        if result.classes is not None:  # after a cold start: the classes labelled then
            classes = result.classes
        self.classes_ = classes
        self._classes_are_codes = bool(
            classes.dtype.kind in "iu" and np.array_equal(classes, np.arange(len(classes))))
        self._set_fit_result(result)
        return X, y

    def _set_fit_result(self, result):
        """Copy a :class:`~._loop.LoopResult` onto the estimator."""
        self.estimator_ = result.estimator
        for name, value in (("generator_", result.generator), ("filters_", result.filters)):
            # what they learned comes from the real rows: kept only on request
            if self.keep_generator:
                setattr(self, name, value)
            elif hasattr(self, name):
                delattr(self, name)
        self.synthetic_X_ = result.synthetic_X
        self.synthetic_y_ = result.synthetic_y
        self.synthetic_provenance_ = result.synthetic_provenance
        self.synthetic_round_ = result.synthetic_provenance["round"].to_numpy()
        self.history_ = result.history
        self.n_iter_ = result.n_iter
        self.termination_condition_ = result.termination
        self.validation_indices_ = result.validation_indices
        self.scoring_ = result.scoring
        for name, value in (("selection_", result.selection),
                            ("acquired_indices_", result.acquired_indices),
                            ("acquired_labels_", result.acquired_labels),
                            ("query_estimator_", result.query_estimator)):
            if value is not None:
                setattr(self, name, value)
            elif hasattr(self, name):
                delattr(self, name)
