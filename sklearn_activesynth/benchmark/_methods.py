"""Base estimators, generators and the methods the benchmark compares.

Every method wraps the same base estimator (a Pipeline: imputation, one-hot
encoding of string columns, scaling, then the classifier), so a difference
between two rows of the results comes from the method, not the model.
"""

import importlib
import importlib.util

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

__all__ = [
    "ESTIMATORS",
    "METHODS",
    "DEFAULT_METHODS",
    "LOOP_METHODS",
    "SELECTION_METHODS",
    "SELECTION_ARMS",
    "GENERATORS",
    "available_generators",
    "make_estimator",
    "make_generator",
]

ESTIMATORS = ("lr", "xgb", "hgb")

#: name -> what it is (the Markdown report prints this legend).
METHODS = {
    "real_only": "the base estimator on the real rows",
    "real_tuned": "the base estimator tuned for small data on the real rows "
                  "(LR: LogisticRegressionCV; XGBoost: 3-fold grid over depth, trees and "
                  "min_child_weight; HGB: min_samples_leaf scaled to the training size)",
    "calibrated": "real only, recalibrated: CalibratedClassifierCV(sigmoid, cv=3, "
                  "ensemble=False), i.e. the same model with a sigmoid fitted out-of-fold",
    "smote": "SMOTE on the encoded rows, the synthetic budget given to the minority classes",
    "borderline_smote": "BorderlineSMOTE, same budget",
    "adasyn": "ADASYN, same budget (about: ADASYN rounds per row)",
    "untargeted": "one round, rows around random anchors with the training class mix, "
                  "no guard: plain augmentation with the generator",
    "random": "the active synthesis loop with targeting='random' (plain random anchors)",
    "random_matched": "the loop with random anchors and the class allocation set to the "
                      "class mix of the targeted run (the class-matched control)",
    "active": "active synthesis: the loop with targeting='uncertain'",
    "smote_balanced": "SMOTE at full balancing (sampling_strategy='auto') on the encoded "
                      "rows; SMOTENC on the imputed raw columns when the data has text or "
                      "categorical columns",
    "sampler_balanced": "ActiveSynthesisSampler at full balancing (sampling_strategy='auto', "
                        "its defaults: no guard) in an imbalanced-learn Pipeline before the "
                        "base estimator, once per generator",
    "active_defaults": "ActiveSynthesisClassifier(base, random_state=seed) as the library "
                       "ships it: validation guard on (validation_fraction=0.2), "
                       "n_synthetic=0.1 per round, max_iter=3, the default generator; its "
                       "own budget (rows kept in synthetic_rows)",
    "selection": "the loop with selector=UCBSelector() over the default arms (none, "
                 "uncertain, random_matched, balance, uncertain_usable): each round the "
                 "bandit tries arms on validation rows and keeps the best only when its "
                 "gain is clear; validation_fraction from the run (0.2 when the run's "
                 "guard is off); pulls per arm in arm_pulls",
    "arm_uncertain": "the selection loop with the single arm 'uncertain' (targeted "
                     "anchors), guard off (validation_fraction=None: every round kept)",
    "arm_random_matched": "the single arm 'random_matched' (random anchors with the "
                          "class mix the uncertain anchors would have), guard off",
    "arm_balance": "the single arm 'balance' (random anchors, rows to the classes below "
                   "the majority by deficit: SMOTE-like interpolation), guard off",
    "arm_uncertain_usable": "the single arm 'uncertain_usable' (targeted rows in the "
                            "upper half by usability score), guard off",
}
DEFAULT_METHODS = ("real_only", "real_tuned", "calibrated", "smote", "borderline_smote",
                   "untargeted", "random", "random_matched", "active", "active_defaults")
#: Methods that need a generator and run once per generator.
LOOP_METHODS = ("untargeted", "random", "random_matched", "active")
#: Methods of the selection loop (sklearn_activesynth.selection); they need a
#: generator too and run once per generator.
SELECTION_METHODS = ("selection", "arm_uncertain", "arm_random_matched", "arm_balance",
                     "arm_uncertain_usable")
#: ``arm_<name>`` method -> the name of the default arm it runs alone.
SELECTION_ARMS = {m: m[len("arm_"):] for m in SELECTION_METHODS if m.startswith("arm_")}
SAMPLERS = {"smote": "SMOTE", "borderline_smote": "BorderlineSMOTE", "adasyn": "ADASYN"}
#: Methods that bring every class up to the majority (no budget: recorded as 0).
BALANCED_METHODS = ("smote_balanced", "sampler_balanced")

#: name -> (class in sklearn_activesynth.generators, module it needs, default params)
GENERATORS = {
    "interpolation": ("InterpolationGenerator", None, {}),
    "gaussian_copula": ("GaussianCopulaGenerator", "sdv", {}),
    "ctgan": ("CTGANGenerator", "sdv", {}),
    "tvae": ("TVAEGenerator", "sdv", {}),
    "llm": ("LLMGenerator", "openai", {}),
}
#: Generators used when none are named: the built-in one only. The others cost
#: minutes per cell (SDV) or a served model (the LLM) and run only when named.
DEFAULT_GENERATORS = ("interpolation",)


def _min_count(y):
    """Rows of the rarest class present in ``y``."""
    return int(np.unique(y, return_counts=True)[1].min()) if len(y) else 0


def _generator_class(name):
    cls_name, module, _ = GENERATORS[name]
    if module is not None and importlib.util.find_spec(module) is None:
        return None
    gens = importlib.import_module("sklearn_activesynth.generators")
    return getattr(gens, cls_name, None)


def available_generators(names=None):
    """Generators that can run here: their class exists in
    ``sklearn_activesynth.generators`` and its dependency is importable.

    Parameters
    ----------
    names : list of str, default=None
        Names to check; ``None`` checks the default set (``"interpolation"``;
        the others run only when named).

    Returns
    -------
    names : list of str
    """
    names = DEFAULT_GENERATORS if names is None else names
    out = []
    for name in names:
        if name not in GENERATORS:
            raise ValueError(f"Unknown generator {name!r}; known: {sorted(GENERATORS)}.")
        if _generator_class(name) is not None:
            out.append(name)
    return out


def make_generator(name, y_train, *, fit_share=1.0, params=None):
    """A fresh generator; InterpolationGenerator's ``k_neighbors`` shrinks so
    that the rarest class still has neighbours among the ``fit_share`` of
    ``y_train`` the generator is fitted on."""
    cls = _generator_class(name)
    if cls is None:
        _, module, _ = GENERATORS[name]
        raise ImportError(
            f"Generator {name!r} is not available: {GENERATORS[name][0]} is not in "
            f"sklearn_activesynth.generators or {module!r} is not installed "
            f"(pip install 'sklearn-activesynth[{'llm' if module == 'openai' else module}]')."
        )
    kwargs = {**GENERATORS[name][2], **(params or {})}
    if name == "interpolation" and "k_neighbors" not in kwargs:
        n_min = int(np.floor(_min_count(y_train) * fit_share)) if len(y_train) else 0
        kwargs["k_neighbors"] = int(max(1, min(5, n_min - 1)))
    return cls(**kwargs)


def _preprocessor():
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [("num", numeric, make_column_selector(dtype_include="number")),
         ("cat", categorical, make_column_selector(dtype_exclude="number"))],
        sparse_threshold=0.0,
    )


def _classifier(name, seed, n_classes):
    if name == "lr":
        return LogisticRegression(max_iter=2000)
    if name == "xgb":
        try:
            from xgboost import XGBClassifier
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "estimator 'xgb' needs XGBoost: pip install 'sklearn-activesynth[xgboost]'"
            ) from exc
        return XGBClassifier(n_jobs=1, tree_method="hist", random_state=seed, verbosity=0)
    if name == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=seed)
    raise ValueError(f"Unknown estimator {name!r}; use one of {ESTIMATORS}.")


def make_estimator(name, *, seed=0, n_classes=2):
    """The base estimator ``name`` ("lr", "xgb", "hgb") as
    ``Pipeline([("prep", ColumnTransformer), ("clf", classifier)])``.

    The ColumnTransformer imputes (median / "missing"), scales the numeric
    columns and one-hot encodes the string columns, so the same raw
    DataFrame reaches every method, and the generators see raw columns.
    """
    return Pipeline([("prep", _preprocessor()), ("clf", _classifier(name, seed, n_classes))])


def primary_scoring(n_classes):
    """The score model selection uses: the loop's default (average precision
    for binary problems, balanced accuracy otherwise)."""
    return "average_precision" if n_classes == 2 else "balanced_accuracy"


def _folds(y_train, seed):
    """Shuffled stratified folds: rows may come in file order, and a file sorted
    by time (bank_marketing) makes unshuffled folds extrapolate in time (a
    sigmoid fitted on such folds came out with the wrong sign)."""
    return StratifiedKFold(int(max(2, min(3, _min_count(y_train)))), shuffle=True,
                           random_state=seed)


def make_tuned(name, *, seed, n_train, y_train):
    """Real-only tuned for small data, so that gains which only repair a
    default's small-data weakness are not credited to synthesis."""
    n_classes = int(y_train.max()) + 1
    cv = _folds(y_train, seed)
    scoring = primary_scoring(n_classes)
    base = make_estimator(name, seed=seed, n_classes=n_classes)
    if name == "lr":
        base.set_params(clf=LogisticRegressionCV(
            Cs=np.logspace(-3, 2, 8), cv=cv, scoring=scoring, max_iter=2000))
        return base
    if name == "xgb":
        base.set_params(clf__learning_rate=0.1, clf__subsample=0.8,
                        clf__colsample_bytree=0.8)
        grid = {"clf__max_depth": [2, 4, 6], "clf__n_estimators": [50, 200],
                "clf__min_child_weight": [1, max(2, round(n_train / 200))]}
        return GridSearchCV(base, grid, cv=cv, scoring=scoring, n_jobs=1)
    if name == "hgb":
        base.set_params(clf__min_samples_leaf=int(max(2, min(20, n_train // 50))),
                        clf__max_leaf_nodes=15, clf__l2_regularization=1.0)
        return base
    raise ValueError(f"Unknown estimator {name!r}; use one of {ESTIMATORS}.")


def make_calibrated(base, y_train, seed=0):
    # ensemble=False: the real-only model itself (refitted on all rows) with a
    # sigmoid fitted on its out-of-fold scores, so only the calibration changes
    return CalibratedClassifierCV(clone(base), method="sigmoid",
                                  cv=_folds(y_train, seed), ensemble=False)


def sampler_strategy(y, n_synthetic):
    """``sampling_strategy`` dict giving ``n_synthetic`` rows to the classes
    below the majority, in proportion to their deficit (all classes equally
    when balanced)."""
    counts = np.bincount(y)
    present = counts > 0
    deficit = np.where(present, counts.max() - counts, 0).astype(float)
    if deficit.sum() == 0:
        deficit = present.astype(float)
    raw = deficit / deficit.sum() * n_synthetic
    add = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - add), kind="stable")[: int(n_synthetic) - add.sum()]:
        add[i] += 1
    return {int(c): int(counts[c] + add[c]) for c in range(len(counts)) if add[c] > 0}


def make_sampler(method, y_train, n_synthetic, seed):
    """An imbalanced-learn over-sampler adding ``n_synthetic`` rows."""
    try:
        import imblearn.over_sampling as over
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"method {method!r} needs imbalanced-learn: "
            "pip install 'sklearn-activesynth[imblearn]'") from exc
    strategy = sampler_strategy(y_train, n_synthetic)
    counts = np.bincount(y_train)
    k = int(max(1, min(5, min(counts[c] for c in strategy) - 1))) if strategy else 5
    cls = getattr(over, SAMPLERS[method])
    if method == "adasyn":
        return cls(sampling_strategy=strategy, n_neighbors=k, random_state=seed)
    if method == "borderline_smote":
        return cls(sampling_strategy=strategy, k_neighbors=k,
                   m_neighbors=int(max(k, min(10, len(y_train) - 1))), random_state=seed)
    return cls(sampling_strategy=strategy, k_neighbors=k, random_state=seed)


def _imblearn(method):
    try:
        import imblearn  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"method {method!r} needs imbalanced-learn: "
            "pip install 'sklearn-activesynth[imblearn]'") from exc


def make_balanced_smote(base, X_train, y_train, seed):
    """SMOTE at full balancing before ``base``'s classifier: on the encoded rows
    for numeric data, SMOTENC on the imputed raw columns when some are text or
    categorical (as a user would put it in an imbalanced-learn Pipeline)."""
    _imblearn("smote_balanced")
    from imblearn.over_sampling import SMOTE, SMOTENC
    from imblearn.pipeline import Pipeline as ImbPipeline

    k = int(max(1, min(5, _min_count(y_train) - 1)))
    from pandas.api.types import is_numeric_dtype

    categorical = [c for c in X_train.columns if not is_numeric_dtype(X_train[c])]
    prep, clf = clone(base.named_steps["prep"]), clone(base.named_steps["clf"])
    if not categorical:
        return ImbPipeline([("prep", prep), ("sampler", SMOTE(k_neighbors=k, random_state=seed)),
                            ("clf", clf)])
    impute = ColumnTransformer(
        [("num", SimpleImputer(strategy="median"),
          make_column_selector(dtype_include="number")),
         ("cat", SimpleImputer(strategy="constant", fill_value="missing"),
          make_column_selector(dtype_exclude="number"))],
        verbose_feature_names_out=False).set_output(transform="pandas")
    return ImbPipeline([
        ("impute", impute),
        ("sampler", SMOTENC(categorical_features=categorical, k_neighbors=k,
                            random_state=seed)),
        ("prep", prep), ("clf", clf)])


def make_balanced_sampler(base, generator, seed, max_iter):
    """ActiveSynthesisSampler at full balancing before ``base`` (its defaults:
    uncertainty of ``base``, no guard), the way a user replaces SMOTE."""
    _imblearn("sampler_balanced")
    from imblearn.pipeline import Pipeline as ImbPipeline

    from .._sampler import ActiveSynthesisSampler

    sampler = ActiveSynthesisSampler(clone(base), sampling_strategy="auto",
                                     generator=generator, max_iter=max_iter, n_jobs=1,
                                     random_state=seed)
    return ImbPipeline([("sampler", sampler), ("prep", clone(base.named_steps["prep"])),
                        ("clf", clone(base.named_steps["clf"]))])
