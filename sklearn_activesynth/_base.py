"""The active synthesis loop shared by the classifier and the sampler.

uncertainty -> targeting -> generation -> filtering -> integration -> refit,
guarded by a validation score (seed 000, §2.1-2.4; DESIGN.md "The loop").
"""

import logging
import time
from dataclasses import dataclass
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d, has_fit_parameter, validate_data
from tqdm.auto import tqdm

from .generators import InterpolationGenerator
from .generators.base import get_generator_tags
from .integration import INTEGRATIONS, integration_weights, weighted_resample
from .targeting import ANCHOR_STRATEGIES, build_targets, kth_neighbour_distance
from .uncertainty._scorers import MEASURES, EnsembleVariance, SoftmaxUncertainty
from .uncertainty._scorers import predict_proba_like
from .utils.tabular import TabularSchema, concat_rows, take_concat, take_rows

logger = logging.getLogger("sklearn_activesynth")

MAX_SEED = np.iinfo(np.int32).max
_GENERATOR_RETRIES = 2


from .filters import FilterContext  # noqa: E402  (re-exported)


class GeneratorFailedWarning(UserWarning):
    """A generator kept failing; the fit went on without its rows."""


class _EncodedModel(ClassifierMixin, BaseEstimator):
    """A base model fitted on encoded labels, seen with the original labels
    (so any scikit-learn scorer, ``pos_label`` included, works unchanged)."""

    def __init__(self, model=None, classes=None):
        self.model = model
        self.classes = classes

    @property
    def classes_(self):
        return self.classes

    def predict(self, X):
        return self.classes[np.asarray(self.model.predict(X), dtype=int)]

    @available_if(lambda self: hasattr(self.model, "predict_proba"))
    def predict_proba(self, X):
        return self.model.predict_proba(X)

    @available_if(lambda self: hasattr(self.model, "decision_function"))
    def decision_function(self, X):
        return self.model.decision_function(X)


def _resolve_uncertainty(uncertainty):
    if isinstance(uncertainty, str):
        if uncertainty == "ensemble_variance":
            return EnsembleVariance()
        return SoftmaxUncertainty(uncertainty)
    return uncertainty


def _routing_enabled():
    return bool(get_config().get("enable_metadata_routing", False))


class _BaseActiveSynthesis(MetaEstimatorMixin, BaseEstimator):
    """Parameters and the loop; see ActiveSynthesisClassifier for the docs."""

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "generator": [HasMethods(["fit", "generate"]), None],
        "uncertainty": [
            StrOptions(set(MEASURES) | {"ensemble_variance"}),
            callable,
        ],
        "uncertainty_cv": [Interval(Integral, 2, None, closed="left"), None],
        "filters": [list, None],
        "anchors": [StrOptions(set(ANCHOR_STRATEGIES))],
        "n_anchors": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
        ],
        "n_synthetic": [
            Interval(Integral, 0, None, closed="left"),
            Interval(Real, 0, None, closed="neither"),
        ],
        "class_allocation": [
            StrOptions({"anchors", "balanced", "proportional", "minority"}),
            dict,
        ],
        "n_regions": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "diversity": [Interval(Real, 0, 1, closed="both")],
        "density_weight": [Interval(Real, 0, 1, closed="both")],
        "matched_anchors": [StrOptions({"uncertain", "errors", "diverse", "uncertain_sparse"})],
        "teacher": [StrOptions({"knn"}), HasMethods(["fit", "predict_proba"]), None],
        "teacher_threshold": [Interval(Real, 0, 1, closed="both")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "integration": [StrOptions(set(INTEGRATIONS)), callable],
        "synthetic_weight": [Interval(Real, 0, 1, closed="neither")],
        "curriculum_rate": [Interval(Real, 0, None, closed="neither")],
        "scoring": [str, callable, None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        generator=None,
        filters=None,
        uncertainty="entropy",
        uncertainty_cv=5,
        anchors="uncertain",
        n_anchors="auto",
        n_synthetic=0.1,
        class_allocation="anchors",
        n_regions="auto",
        diversity=0.5,
        density_weight=0.5,
        matched_anchors="uncertain",
        teacher=None,
        teacher_threshold=0.7,
        max_iter=3,
        integration="concat",
        synthetic_weight=0.5,
        curriculum_rate=1.0,
        scoring=None,
        validation_fraction=0.2,
        patience=2,
        tol=1e-4,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.generator = generator
        self.filters = filters
        self.uncertainty = uncertainty
        self.uncertainty_cv = uncertainty_cv
        self.anchors = anchors
        self.n_anchors = n_anchors
        self.n_synthetic = n_synthetic
        self.class_allocation = class_allocation
        self.n_regions = n_regions
        self.diversity = diversity
        self.density_weight = density_weight
        self.matched_anchors = matched_anchors
        self.teacher = teacher
        self.teacher_threshold = teacher_threshold
        self.max_iter = max_iter
        self.integration = integration
        self.synthetic_weight = synthetic_weight
        self.curriculum_rate = curriculum_rate
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ helpers
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base = get_tags(self._get_estimator())
        tags.input_tags.sparse = base.input_tags.sparse
        tags.input_tags.allow_nan = base.input_tags.allow_nan
        tags.input_tags.categorical = base.input_tags.categorical
        tags.input_tags.string = base.input_tags.string
        return tags

    def set_params(self, **params):
        """Set parameters; ``generator__*`` / ``estimator__*`` also work on the
        defaults (``None``), which are then made explicit.

        Returns
        -------
        self : object
        """
        for name, default in (("generator", self._get_generator),
                              ("estimator", self._get_estimator)):
            if getattr(self, name) is None and name not in params and \
                    any(k.startswith(name + "__") for k in params):
                setattr(self, name, clone(default()))
        return super().set_params(**params)

    def _get_estimator(self):
        return LogisticRegression() if self.estimator is None else self.estimator

    def _get_generator(self):
        return InterpolationGenerator() if self.generator is None else self.generator

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
        estimator and the generator as they are)."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if isinstance(X, pd.DataFrame):
            X, _ = validate_data(self, X, y, skip_check_array=True)
            y = column_or_1d(np.asarray(y), warn=True)
            if X.shape[0] != y.shape[0]:
                raise ValueError(
                    f"X and y have different lengths: X has {X.shape[0]} rows, y has "
                    f"{y.shape[0]}. Pass one label per row."
                )
            if X.shape[0] == 0:
                raise ValueError("Found array with 0 sample(s); X must have rows.")
            if pd.isna(y).any():
                raise ValueError("Input y contains NaN; drop or impute unlabelled rows.")
        else:
            tags = get_tags(self._get_estimator())
            X, y = validate_data(
                self, X, y,
                accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
                ensure_all_finite="allow-nan" if tags.input_tags.allow_nan else True,
                dtype="numeric",
            )
        check_classification_targets(y)
        return X, y

    def _encode_labels(self, y):
        self._label_encoder = LabelEncoder().fit(y)
        self.classes_ = self._label_encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least two classes in y, got 1 class: "
                f"{self.classes_.tolist()}. Classifier can't train when only one class "
                "is present."
            )
        self._classes_are_codes = bool(
            self.classes_.dtype.kind in "iu"
            and np.array_equal(self.classes_, np.arange(len(self.classes_)))
        )
        return self._label_encoder.transform(y)

    def _split(self, y_enc, rng):
        n = len(y_enc)
        idx = np.arange(n)
        if self.validation_fraction is None or self.max_iter == 0:
            return idx, idx[:0]
        counts = np.bincount(y_enc)
        n_val = int(np.ceil(self.validation_fraction * n))
        if counts.min() < 2 or n_val < len(counts) or n - n_val < len(counts):
            warnings.warn(
                f"Cannot split a stratified validation set of {self.validation_fraction} "
                f"from {n} rows with class counts {counts.tolist()}; every round's "
                "synthetic rows are accepted without the validation guard.",
                UserWarning,
            )
            return idx, idx[:0]
        tr, va = train_test_split(
            idx, test_size=self.validation_fraction, stratify=y_enc,
            random_state=rng.randint(MAX_SEED),
        )
        return np.sort(tr), np.sort(va)

    def _sample_weight_kw(self, estimator, weights):
        """How to hand ``weights`` to ``estimator.fit``: {} if it cannot take them."""
        if isinstance(estimator, Pipeline):
            name, last = estimator.steps[-1]
            if last is not None and last != "passthrough" and \
                    has_fit_parameter(last, "sample_weight"):
                return {f"{name}__sample_weight": weights}
            return None
        if has_fit_parameter(estimator, "sample_weight"):
            return {"sample_weight": weights}
        return None

    def _fit_one(self, X, y, weights, fit_params, rng_seed):
        """Clone and fit the estimator; weights via sample_weight or resampling."""
        est = clone(self._get_estimator())
        params = dict(fit_params)
        if weights is None:
            return est.fit(X, y, **params)
        kw = self._sample_weight_kw(est, weights)
        if kw is not None:
            params.update(kw)
            return est.fit(X, y, **params)
        if not getattr(self, "_warned_resample", False):
            warnings.warn(
                f"{type(est).__name__}.fit takes no sample_weight; the integration "
                "weights are applied by weighted resampling of the rows instead.",
                UserWarning,
            )
            self._warned_resample = True
        idx = weighted_resample(weights, np.random.RandomState(rng_seed))
        return est.fit(take_rows(X, idx), y[idx], **params)

    def _weights(self, n_real, n_syn, round_, real_weight, u_real, u_syn):
        w = integration_weights(
            self.integration, n_real=n_real, n_synthetic=n_syn, round_=round_,
            synthetic_weight=self.synthetic_weight, curriculum_rate=self.curriculum_rate,
            real_uncertainty=u_real, synthetic_uncertainty=u_syn,
        )
        if real_weight is not None:
            w = w.copy()
            w[:n_real] *= real_weight
        if real_weight is None and np.all(w == 1.0):
            return None
        return w

    def _score(self, model, X_val, y_val_orig):
        if self._scorer is None or len(y_val_orig) == 0:
            return np.nan
        if self.scoring is None:
            # built-in default: the model sees encoded labels, positive class = 1
            return float(self._scorer(model, X_val, self._label_encoder.transform(y_val_orig)))
        # a user's scorer sees the user's labels (pos_label etc. work unchanged)
        return float(self._scorer(_EncodedModel(model, self.classes_), X_val, y_val_orig))

    def _make_scorer(self):
        est = self._get_estimator()
        scoring = self.scoring
        if scoring is None:
            has_scores = hasattr(est, "predict_proba") or hasattr(est, "decision_function")
            scoring = ("average_precision" if len(self.classes_) == 2 and has_scores
                       else "balanced_accuracy")
        self.scoring_ = scoring
        return get_scorer(scoring) if isinstance(scoring, str) else scoring

    def _uncertainty_scores(self, scorer, model, X_real, pool_X, y_comb, w_comb, X_val,
                            fit_params, rng):
        """Uncertainty of the real training rows (out-of-fold by default) and of
        the validation rows. Returns (u_train, proba_train or None, u_val, n_fits).

        The training set is ``X_real`` followed by the synthetic blocks
        ``pool_X``; each fold's matrix is built straight from them so that the
        combined matrix never exists next to a fold's copy.
        """
        n_classes = len(self.classes_)
        n_real = X_real.shape[0]
        y_real = y_comb[:n_real]
        if isinstance(scorer, EnsembleVariance) or hasattr(scorer, "fit_committee"):
            X_comb = concat_rows([X_real] + pool_X)
            members, in_bag = scorer.fit_committee(
                self._get_estimator(), X_comb, y_comb, w_comb,
                random_state=rng.randint(MAX_SEED), n_jobs=self.n_jobs,
            )
            exclude = in_bag[:, :n_real] if self.uncertainty_cv is not None else None
            u, proba = scorer.score_committee(
                members, X_real, n_classes, exclude)
            u_val = (scorer.score_committee(members, X_val, n_classes)[0]
                     if X_val.shape[0] else np.empty(0))
            return u, proba, u_val, len(members)

        def score_fn(m, X):
            if hasattr(scorer, "from_proba"):
                p = predict_proba_like(m, X)
                return np.asarray(scorer.from_proba(p), dtype=float), p
            return np.asarray(scorer(m, X), dtype=float), None

        u_val = score_fn(model, X_val)[0] if X_val.shape[0] else np.empty(0)
        n_splits = self.uncertainty_cv
        if n_splits is not None:
            n_splits = min(n_splits, int(np.bincount(y_real, minlength=n_classes).min()))
        if n_splits is None or n_splits < 2:
            if self.uncertainty_cv is not None and not getattr(self, "_warned_oof", False):
                warnings.warn(
                    "A class has fewer than 2 training rows, so uncertainty is scored "
                    "in-sample instead of out-of-fold.", UserWarning)
                self._warned_oof = True
            u, p = score_fn(model, X_real)
            return u, p, u_val, 0
        skf = StratifiedKFold(n_splits=n_splits, shuffle=True,
                              random_state=rng.randint(MAX_SEED))
        folds = list(skf.split(np.zeros(n_real), y_real))
        seeds = rng.randint(MAX_SEED, size=len(folds))
        n_all = len(y_comb)

        def fit_fold(k):
            tr, te = folds[k]
            rows = np.concatenate([tr, np.arange(n_real, n_all)])
            w = None if w_comb is None else w_comb[rows]
            X_fold = take_concat(X_real, tr, pool_X)
            m = self._fit_one(X_fold, y_comb[rows], w, fit_params, seeds[k])
            del X_fold
            return te, score_fn(m, take_rows(X_real, te))

        from joblib import Parallel, delayed

        results = Parallel(n_jobs=self.n_jobs)(delayed(fit_fold)(k) for k in range(len(folds)))
        u = np.empty(n_real)
        proba = None
        for te, (u_k, p_k) in results:
            u[te] = u_k
            if p_k is not None:
                if proba is None:
                    proba = np.zeros((n_real, p_k.shape[1]))
                proba[te] = p_k
        return u, proba, u_val, len(folds)

    def _uncertainty_fn(self, scorer, model):
        """The current model's uncertainty on new rows, for generators that
        choose among candidates (committee scorers fall back to entropy)."""
        def fn(X):
            if hasattr(scorer, "from_proba"):
                return np.asarray(scorer.from_proba(predict_proba_like(model, X)), float)
            if hasattr(scorer, "fit_committee"):
                return SoftmaxUncertainty("entropy")(model, X)
            return np.asarray(scorer(model, X), dtype=float)
        return fn

    def _generate(self, generator, targets, seed, history_row):
        """Ask the generator, retrying on failure; (X, y, anchor positions) or None."""
        errors = []
        for attempt in range(_GENERATOR_RETRIES + 1):
            try:
                X_new, y_new = generator.generate(
                    targets.n_samples, targets=targets,
                    random_state=(seed + attempt) % MAX_SEED,
                )
                history_row["generator_attempts"] = attempt + 1
                return X_new, np.asarray(y_new)
            except Exception as exc:  # a generator is user code: any failure is contained
                errors.append(f"{type(exc).__name__}: {exc}")
        history_row["generator_attempts"] = _GENERATOR_RETRIES + 1
        history_row["error"] = errors[-1]
        return None

    _KNN_TEACHER_NEIGHBORS = 7

    def _fit_teacher(self, X_tr, y_tr):
        """The teacher fitted on the real training rows (encoded labels), or None.

        "knn" learns the schema's encoding (standardised numerics, one-hot
        categoricals); a user's estimator is cloned and learns the raw rows.
        """
        if self.teacher is None:
            return None
        if isinstance(self.teacher, str):  # "knn"
            knn = KNeighborsClassifier(
                n_neighbors=min(self._KNN_TEACHER_NEIGHBORS, len(y_tr)), n_jobs=self.n_jobs)
            return knn.fit(self._schema.encode(X_tr), y_tr)
        return clone(self.teacher).fit(X_tr, y_tr)

    def _teach(self, X):
        """The teacher's most probable class (encoded) and its probability per row."""
        teacher = self.teacher_
        Z = self._schema.encode(X) if isinstance(self.teacher, str) else X
        proba = np.asarray(teacher.predict_proba(Z), dtype=float)
        codes = np.asarray(getattr(teacher, "classes_", np.arange(proba.shape[1])))
        top = proba.argmax(axis=1)
        return codes[top].astype(int), proba[np.arange(len(top)), top]

    def _schema_filter(self, X_new, y_new):
        """Drop rows a refit cannot use: unknown labels, NaN/inf where the real
        data had none. Returns a boolean mask of rows kept."""
        keep = np.isin(y_new, self.classes_)
        if not sp.issparse(X_new):
            num = self._schema.numeric_values(X_new)
            if num.size:
                bad = ~np.isfinite(num)
                keep &= ~(bad & ~self._real_has_nan[None, :]).any(axis=1)
        return keep

    # ------------------------------------------------------------------ the loop
    def _run_loop(self, X, y, fit_params, *, final_refit):
        rng = check_random_state(self.random_state)
        self._warned_resample = False
        self._warned_oof = False
        y_enc = self._encode_labels(y)
        y_orig = np.asarray(y)
        real_weight_all = fit_params.pop("sample_weight", None)
        if real_weight_all is not None:
            real_weight_all = np.asarray(real_weight_all, dtype=float)
            if real_weight_all.shape != (len(y_enc),):
                raise ValueError(
                    f"sample_weight has shape {real_weight_all.shape}; expected "
                    f"({len(y_enc)},), one weight per row of X."
                )
        n_total = len(y_enc)
        budget = self.n_synthetic
        uncertainty = _resolve_uncertainty(self.uncertainty)

        train_idx, val_idx = self._split(y_enc, rng)
        X_tr, X_val = take_rows(X, train_idx), take_rows(X, val_idx)
        y_tr, y_tr_orig = y_enc[train_idx], y_orig[train_idx]
        y_val_orig = y_orig[val_idx]
        w_tr = None if real_weight_all is None else real_weight_all[train_idx]
        n_tr = len(train_idx)
        n_round = (int(round(budget * n_tr)) if isinstance(budget, float) else int(budget))
        self._scorer = self._make_scorer() if len(val_idx) else None
        if len(val_idx) == 0:
            self.scoring_ = None

        history, prov_blocks = [], []
        pool_X, pool_y, pool_u = [], np.empty(0, dtype=int), np.empty(0)
        self.generator_ = clone(self._get_generator())
        self.filters_ = []
        for i, filt in enumerate(self.filters or []):
            if not hasattr(filt, "filter"):
                raise TypeError(
                    f"filters[{i}] ({type(filt).__name__}) has no filter(X, y, context) "
                    "method; see sklearn_activesynth.filters.")
            filt = clone(filt, safe=False)
            if hasattr(filt, "fit") and self.max_iter > 0:
                # every real row: a near-copy of a validation row is a copy too
                filt.fit(X, y_orig)
            names = [n for n, _ in self.filters_]
            name = type(filt).__name__
            self.filters_.append((name if name not in names else f"{name}_{i}", filt))
        gen_params = self.generator_.get_params(deep=False)
        if "random_state" in gen_params and gen_params["random_state"] is None:
            # the generator's own randomness follows ours, so one seed fixes the fit
            self.generator_.set_params(random_state=rng.randint(MAX_SEED))
        termination = "max_iter"
        model = None
        u_tr = None
        self.teacher_ = None

        if self.max_iter > 0:
            t0 = time.perf_counter()
            gen_error = None
            for attempt in range(_GENERATOR_RETRIES + 1):
                try:
                    self.generator_.fit(X_tr, y_tr_orig)
                    gen_error = None
                    break
                except (ValueError, TypeError, ImportError):
                    raise  # data, settings or a missing extra: say so now
                except Exception as exc:  # transient (I/O, service, numerical): retry
                    gen_error = f"{type(exc).__name__}: {exc}"
            gen_fit_seconds = time.perf_counter() - t0
            self._schema = getattr(self.generator_, "schema_", None) or TabularSchema(X_tr)
            num = self._schema.numeric_values(X_tr) if not sp.issparse(X_tr) else None
            self._real_has_nan = (np.zeros(0, bool) if num is None
                                  else ~np.isfinite(num).all(axis=0))
            # the teacher sees the real training rows only, never the validation rows
            self.teacher_ = self._fit_teacher(X_tr, y_tr)
            t0 = time.perf_counter()
            model = self._fit_one(X_tr, y_tr, w_tr, fit_params, rng.randint(MAX_SEED))
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            best = current = self._score(model, X_val, y_val_orig)
            history.append(dict(
                round=0, status="initial", accepted=True, val_score=current,
                seconds_generator_fit=gen_fit_seconds, seconds_fit=fit_s,
                seconds_scoring=time.perf_counter() - t0, error=gen_error,
            ))
            if gen_error is not None:
                warnings.warn(
                    f"The generator {type(self.generator_).__name__} failed to fit "
                    f"({gen_error}) after {_GENERATOR_RETRIES + 1} attempts; the model is "
                    "trained on the real rows only. See history_.",
                    GeneratorFailedWarning,
                )
                termination = "generator_failed"
        no_improve = 0
        failed_warned = False
        strategies = {self.anchors} | (
            {self.matched_anchors} if self.anchors == "random_matched" else set())
        need_Z = bool(strategies & {"diverse", "uncertain_sparse"})
        Z_tr = d_tr = None
        rounds = range(1, self.max_iter + 1) if termination == "max_iter" else range(0)
        bar = tqdm(rounds, desc=type(self).__name__, disable=not self.verbose, leave=False)
        for t in bar:
            row = dict(round=t, status="ok", accepted=False, generator_attempts=0,
                       error=None, n_generated=0, n_rejected_schema=0, n_accepted=0)
            if self.teacher_ is not None:
                row.update(n_relabeled=0, n_rejected_teacher=0)
            n_pool = len(pool_y)
            y_comb = np.concatenate([y_tr, pool_y]).astype(int)
            w_comb = self._weights(n_tr, n_pool, t - 1, w_tr, u_tr, pool_u) if n_pool \
                else w_tr
            # 1. uncertainty of the current model
            t0 = time.perf_counter()
            u_tr, proba_tr, u_val, _ = self._uncertainty_scores(
                uncertainty, model, X_tr, pool_X, y_comb, w_comb, X_val, fit_params, rng)
            row.update(
                seconds_uncertainty=time.perf_counter() - t0,
                mean_uncertainty_train=float(np.mean(u_tr)),
                max_uncertainty_train=float(np.max(u_tr)),
                mean_uncertainty_val=float(np.mean(u_val)) if len(u_val) else np.nan,
                max_uncertainty_val=float(np.max(u_val)) if len(u_val) else np.nan,
            )
            if row["mean_uncertainty_train"] < self.tol:
                row["status"] = "converged"
                if t == 1:
                    warnings.warn(
                        f"Mean uncertainty on the training rows ({row['mean_uncertainty_train']:.3g}) "
                        f"is below tol={self.tol} before any synthesis, so none was done. "
                        "Estimators with hard 0/1 probabilities (a fully grown tree, "
                        "1-NN) look certain everywhere; use uncertainty='ensemble_variance' "
                        "or lower tol.", UserWarning)
                history.append(row)
                termination = "converged"
                break
            # 2. targeting
            t0 = time.perf_counter()
            # the real training rows do not move between rounds: encode them and
            # measure their neighbour distances once per fit
            if need_Z and Z_tr is None:
                Z_tr = self._schema.encode(X_tr)
                if "uncertain_sparse" in strategies:
                    d_tr = kth_neighbour_distance(Z_tr, rng)
            targets = build_targets(
                X=X_tr, y=y_tr_orig, y_encoded=y_tr, classes=self.classes_, scores=u_tr,
                budget=n_round, rng=rng, strategy=self.anchors, n_anchors=self.n_anchors,
                allocation=self.class_allocation, X_encoded=Z_tr,
                proba=proba_tr, schema=self._schema, n_regions=self.n_regions,
                diversity=self.diversity, density_weight=self.density_weight,
                matched_strategy=self.matched_anchors, neighbour_distance=d_tr,
            )
            del proba_tr
            targets.uncertainty_fn = self._uncertainty_fn(uncertainty, model)
            row.update(seconds_targeting=time.perf_counter() - t0,
                       n_anchors=len(targets.anchor_indices), n_regions=len(targets.regions))
            # 3. generation
            t0 = time.perf_counter()
            out = self._generate(self.generator_, targets, rng.randint(MAX_SEED), row) \
                if targets.n_samples > 0 else None
            row["seconds_generation"] = time.perf_counter() - t0
            if out is None:
                if targets.n_samples > 0:
                    row["status"] = "generator_failed"
                    if not failed_warned:
                        warnings.warn(
                            f"{type(self.generator_).__name__}.generate failed in round {t} "
                            f"after {_GENERATOR_RETRIES + 1} attempts ({row['error']}); the "
                            "round was skipped and the model kept. See history_.",
                            GeneratorFailedWarning,
                        )
                        failed_warned = True
                else:
                    row["status"] = "empty_budget"
                history.append(row)
                no_improve += 1
                if no_improve >= self.patience:
                    termination = "no_improvement"
                    break
                continue
            X_new, y_new_orig = out
            # what the generator says about its last call: history figures
            # (requests, tokens, invalid rows...) and per-row provenance columns
            report = getattr(self.generator_, "last_report_", None) or {}
            row.update({k: v for k, v in report.items() if k not in row})
            extra = dict(getattr(self.generator_, "last_provenance_", None) or {})
            # 4. filtering: schema, then the user's filters
            t0 = time.perf_counter()
            keep = self._schema_filter(X_new, y_new_orig)
            row.update(n_generated=int(len(y_new_orig)),
                       n_rejected_schema=int(np.sum(~keep)))
            anchor_pos = self._anchor_positions(targets, y_new_orig, np.ones(len(keep), bool))
            extra = {k: np.asarray(v) for k, v in extra.items() if len(v) == len(keep)}
            if self.teacher_ is not None:
                y_new_orig = self._apply_teacher(X_new, y_new_orig, keep, extra, row)
            context = FilterContext(
                model=model, classes=self.classes_, label_encoder=self._label_encoder,
                X_real=X_tr, y_real=y_tr_orig, schema=self._schema, round=t,
                random_state=rng.randint(MAX_SEED),
            )
            for name, filt in [("schema", None)] + list(self.filters_):
                if filt is not None:
                    idx = np.flatnonzero(keep)
                    mask = np.asarray(filt.filter(take_rows(X_new, idx), y_new_orig[idx],
                                                  context), dtype=bool)
                    if mask.shape != idx.shape:
                        raise ValueError(
                            f"Filter {name} returned a mask of shape {mask.shape} for "
                            f"{len(idx)} rows; it must return one boolean per row.")
                    row[f"n_rejected_{name}"] = int(np.sum(~mask))
                    scores = getattr(filt, "last_scores_", None)
                    if scores is not None and len(scores) == len(idx):
                        col = np.full(len(keep), np.nan)
                        col[idx] = scores
                        extra[f"quality_{name}"] = col
                    keep[idx[~mask]] = False
            if not keep.all():
                X_new = take_rows(X_new, np.flatnonzero(keep))
            y_new_orig = y_new_orig[keep]
            anchor_pos = anchor_pos[keep]
            extra = {k: v[keep] for k, v in extra.items()}
            row["seconds_filtering"] = time.perf_counter() - t0
            y_new = self._label_encoder.transform(y_new_orig) if len(y_new_orig) else \
                np.empty(0, dtype=int)
            u_new = np.where(anchor_pos >= 0, u_tr[np.maximum(anchor_pos, 0)],
                             np.mean(u_tr))
            # 5. integration + refit
            t0 = time.perf_counter()
            cand_X = pool_X + [X_new]
            cand_y = np.concatenate([pool_y, y_new]).astype(int)
            cand_u = np.concatenate([pool_u, u_new])
            w = self._weights(n_tr, len(cand_y), t, w_tr, u_tr, cand_u)
            cand_model = self._fit_one(
                concat_rows([X_tr] + cand_X), np.concatenate([y_tr, cand_y]).astype(int),
                w, fit_params, rng.randint(MAX_SEED))
            row["seconds_fit"] = time.perf_counter() - t0
            # 6. the no-harm guard
            t0 = time.perf_counter()
            score = self._score(cand_model, X_val, y_val_orig)
            row["seconds_scoring"] = time.perf_counter() - t0
            row["val_score"] = score
            accepted = self._scorer is None or score >= current - 1e-12
            improved = self._scorer is None or score > best + 1e-12
            row["accepted"] = bool(accepted)
            if accepted:
                pool_X, pool_y, pool_u = cand_X, cand_y, cand_u
                model, current = cand_model, score
                row["n_accepted"] = int(len(y_new))
                prov_blocks.append(self._provenance_block(
                    t, targets, anchor_pos, y_new_orig, u_tr, train_idx, extra))
            else:
                row["status"] = "rejected"
            row["n_synthetic_total"] = int(len(pool_y))
            history.append(row)
            logger.log(
                logging.INFO if self.verbose else logging.DEBUG,
                "round %d: mean uncertainty %.4f, %d rows generated, %d accepted, "
                "validation %s=%.4f (%s)", t, row["mean_uncertainty_train"],
                row["n_generated"], row["n_accepted"], self.scoring_, score,
                "accepted" if accepted else "rejected",
            )
            if improved:
                best = max(best, score) if self._scorer is not None else best
                no_improve = 0
            else:
                no_improve += 1
                if no_improve >= self.patience:
                    termination = "no_improvement"
                    break
        bar.close()

        # final model: all real rows (train + validation) plus accepted synthetic rows;
        # drop what the rounds held first (the final matrix is the largest object)
        X_new = X_val = cand_X = None  # noqa: F841
        n_pool = len(pool_y)
        self.n_iter_ = len([h for h in history if h["round"] > 0])
        self.termination_condition_ = termination
        if final_refit:
            t0 = time.perf_counter()
            u_all = None
            if self.integration == "uncertainty" and n_pool:
                u_all = np.empty(n_total)
                u_all[train_idx] = u_tr
                u_all[val_idx] = u_val if len(val_idx) else 0.0
            w = (self._weights(n_total, n_pool, self.n_iter_, real_weight_all, u_all, pool_u)
                 if n_pool else real_weight_all)
            self.estimator_ = self._fit_one(
                concat_rows([X] + pool_X), np.concatenate([y_enc, pool_y]).astype(int),
                w, fit_params, rng.randint(MAX_SEED))
            if history:
                history[-1]["seconds_final_refit"] = time.perf_counter() - t0
        else:
            self.estimator_ = model

        self.synthetic_X_ = concat_rows(pool_X) if pool_X else take_rows(X, np.arange(0))
        self.synthetic_y_ = self.classes_[pool_y]
        self.synthetic_provenance_ = (
            pd.concat(prov_blocks, ignore_index=True) if prov_blocks else
            pd.DataFrame({c: pd.Series(dtype=d) for c, d in _PROVENANCE_COLUMNS.items()})
        )
        self.synthetic_round_ = self.synthetic_provenance_["round"].to_numpy()
        self.history_ = pd.DataFrame(history, columns=_history_columns(history))
        self.validation_indices_ = val_idx
        return self

    def _apply_teacher(self, X_new, y_new, keep, extra, row):
        """Relabel the rows still kept with the teacher's most probable class and
        drop those whose top probability is below ``teacher_threshold``.

        Updates ``keep``, ``extra`` (``teacher_confidence``) and ``row`` in
        place; returns the labels (original label space) of all generated rows.
        """
        idx = np.flatnonzero(keep)
        conf_col = np.full(len(keep), np.nan)
        extra["teacher_confidence"] = conf_col
        if len(idx) == 0:
            return y_new
        codes, conf = self._teach(take_rows(X_new, idx))
        conf_col[idx] = conf
        sure = conf >= self.teacher_threshold
        changed = self._label_encoder.transform(y_new[idx]) != codes
        # rows outside ``keep`` are dropped later; their placeholder label is unused
        y_out = np.full(len(keep), self.classes_[0], dtype=self.classes_.dtype)
        y_out[idx] = self.classes_[codes]
        keep[idx[~sure]] = False
        row["n_relabeled"] = int(np.sum(changed & sure))
        row["n_rejected_teacher"] = int(np.sum(~sure))
        return y_out

    def _anchor_positions(self, targets, y_new, keep):
        """Training-row position of the anchor behind each generated row (-1: none).

        Generators that use anchors emit rows anchor by anchor in the order of
        ``targets.anchor_indices`` with ``targets.anchor_counts`` rows each; a
        generator may instead set ``last_anchor_positions_`` for its last call.
        """
        n_gen = len(keep)
        explicit = getattr(self.generator_, "last_anchor_positions_", None)
        if explicit is not None and len(explicit) == n_gen:
            pos = np.asarray(explicit, dtype=int)
        elif get_generator_tags(self.generator_).uses_anchors and \
                targets.n_samples == n_gen:
            pos = np.repeat(targets.anchor_indices, targets.anchor_counts)
        else:
            pos = np.full(n_gen, -1, dtype=int)
        return pos[keep]

    def _provenance_block(self, t, targets, anchor_pos, y_new, u_tr, train_idx, extra):
        region_of = dict(zip(targets.anchor_indices.tolist(), targets.anchor_regions.tolist()))
        has = anchor_pos >= 0
        return pd.DataFrame({**{
            "round": np.full(len(y_new), t, dtype=int),
            "region": np.array([region_of.get(p, -1) for p in anchor_pos], dtype=int),
            "anchor_index": np.where(has, train_idx[np.maximum(anchor_pos, 0)], -1),
            "generator": type(self.generator_).__name__,
            "anchor_uncertainty": np.where(has, u_tr[np.maximum(anchor_pos, 0)], np.nan),
            "label": y_new,
        }, **extra})


_PROVENANCE_COLUMNS = {
    "round": "int64", "region": "int64", "anchor_index": "int64",
    "generator": "object", "anchor_uncertainty": "float64", "label": "object",
}

_HISTORY_COLUMNS = [
    "round", "status", "accepted", "val_score",
    "mean_uncertainty_train", "max_uncertainty_train",
    "mean_uncertainty_val", "max_uncertainty_val",
    "n_anchors", "n_regions", "n_generated", "n_rejected_schema",
    "n_relabeled", "n_rejected_teacher", "n_accepted",
    "n_synthetic_total", "generator_attempts", "error",
    "seconds_generator_fit", "seconds_uncertainty", "seconds_targeting",
    "seconds_generation", "seconds_filtering", "seconds_fit", "seconds_scoring",
    "seconds_final_refit",
]


def _history_columns(history):
    extra = [k for h in history for k in h if k not in _HISTORY_COLUMNS]
    return _HISTORY_COLUMNS + list(dict.fromkeys(extra))
