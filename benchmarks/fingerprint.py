"""Fingerprints of the fit loop's outputs, for a before/after check of a refactor.

Runs a dozen configurations (each generator that needs no network — the LLM one
against the package's own OpenAI-compatible server on 127.0.0.1 —, each anchor
strategy, integration mode, filter, the teacher, the sampler) and prints, per
configuration, a hash of ``synthetic_X_`` / ``synthetic_y_`` and of
``predict_proba`` on fixed rows. Run it on two commits and diff the outputs::

    python benchmarks/fingerprint.py > before.txt
    git checkout NEW && python benchmarks/fingerprint.py > after.txt
    diff before.txt after.txt

Identical lines mean identical synthetic rows and predictions. This is a check
for a change that should not change behaviour; it is not a test (the hashes
depend on the library versions installed).
"""

import hashlib
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_activesynth import ActiveSynthesisClassifier, ActiveSynthesisSampler
from sklearn_activesynth.datasets import make_fraud_transactions
from sklearn_activesynth.filters import (
    ConfidenceFilter,
    PrivacyFilter,
    QualityFilter,
    RealismFilter,
    Teacher,
)
from sklearn_activesynth.generators import InterpolationGenerator
from sklearn_activesynth.integration import CurriculumIntegration, WeightedIntegration
from sklearn_activesynth.targeting import Targeting


def _hash(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        if isinstance(a, pd.DataFrame):
            h.update(pd.util.hash_pandas_object(a, index=False).to_numpy().tobytes())
        else:
            a = np.asarray(a)
            if a.dtype == object:
                a = a.astype(str)
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def _numeric():
    return make_classification(n_samples=400, n_features=8, weights=[0.85],
                               random_state=0)


def _mixed():
    X, y = make_fraud_transactions(1500, fraud_rate=0.05, random_state=0)
    return X, np.asarray(y)


def _mixed_pipeline(X):
    cat = X.select_dtypes(exclude="number").columns.tolist()
    num = X.select_dtypes(include="number").columns.tolist()
    pre = make_column_transformer(
        (StandardScaler(), num), (OneHotEncoder(handle_unknown="ignore"), cat))
    return make_pipeline(pre, LogisticRegression(max_iter=500))


def configurations():
    """(name, data maker, estimator factory(X), constructor kwargs).

    The names are those of the flat parameters before they were grouped into
    ``targeting`` / ``integration`` / ``filters`` objects, so that outputs from
    before and after that change still diff line by line.
    """
    lr = lambda X: LogisticRegression()  # noqa: E731
    cfgs = [
        ("default", _numeric, lr, {}),
        ("anchors=random,no guard", _numeric, lr,
         dict(targeting="random", validation_fraction=None)),
        ("anchors=random_matched", _numeric, lr, dict(targeting="random_matched")),
        ("anchors=errors", _numeric, lr, dict(targeting="errors")),
        ("anchors=diverse", _numeric, lr, dict(targeting="diverse")),
        ("anchors=uncertain_sparse", _numeric, lr, dict(targeting="uncertain_sparse")),
        ("allocation=balanced", _numeric, lr,
         dict(targeting=Targeting(class_allocation="balanced"))),
        ("integration=weighted", _numeric, lr,
         dict(integration=WeightedIntegration(synthetic_weight=0.5))),
        ("integration=curriculum", _numeric, lr,
         dict(integration=CurriculumIntegration(synthetic_weight=0.5, rate=1.0))),
        ("integration=uncertainty", _numeric, lr, dict(integration="uncertainty")),
        ("uncertainty=ensemble_variance", _numeric, lr,
         dict(uncertainty="ensemble_variance", validation_fraction=None)),
        ("uncertainty=margin,cv=None", _numeric, lr,
         dict(uncertainty="margin", uncertainty_cv=None)),
        ("teacher=knn,any_class", _numeric, lr,
         dict(filters=[Teacher("knn")],
              generator=InterpolationGenerator(partners="any_class"))),
        ("filters=confidence", _numeric, lr, dict(filters=[ConfidenceFilter(0.6)])),
        ("filters=realism,privacy,quality", _numeric, lr,
         dict(filters=[RealismFilter(), PrivacyFilter(), QualityFilter()])),
        ("mixed frame pipeline", _mixed, _mixed_pipeline, {}),
        ("no validation", _numeric, lr, dict(validation_fraction=None)),
    ]
    return cfgs


def run_classifier(name, data, est, kw):
    X, y = data()
    # filters still draw from numpy's global generator on some versions: pin it
    np.random.seed(0)
    clf = ActiveSynthesisClassifier(est(X), random_state=0, **kw).fit(X, y)
    proba = clf.predict_proba(X[:50] if not hasattr(X, "iloc") else X.iloc[:50])
    return (f"{name:40s} n_syn={len(clf.synthetic_y_):5d} "
            f"syn={_hash(clf.synthetic_X_, clf.synthetic_y_)} "
            f"proba={_hash(np.round(proba, 10))}")


def run_sampler():
    X, y = _numeric()
    np.random.seed(0)
    X_res, y_res = ActiveSynthesisSampler(LogisticRegression(), random_state=0) \
        .fit_resample(X, y)
    return f"{'sampler':40s} n_res={len(y_res):5d} res={_hash(X_res, y_res)}"


def run_optional():
    lines = []
    try:
        from sklearn_activesynth.generators import GaussianCopulaGenerator
        X, y = _mixed()
        X, y = X.iloc[:600], y[:600]
        np.random.seed(0)
        clf = ActiveSynthesisClassifier(
            _mixed_pipeline(X), generator=GaussianCopulaGenerator(), max_iter=2,
            random_state=0).fit(X, y)
        lines.append(f"{'sdv gaussian copula':40s} n_syn={len(clf.synthetic_y_):5d} "
                     f"syn={_hash(clf.synthetic_X_, clf.synthetic_y_)} "
                     f"proba={_hash(np.round(clf.predict_proba(X.iloc[:50]), 10))}")
    except ImportError as exc:
        lines.append(f"sdv skipped: {exc}")
    try:
        from sklearn_activesynth.generators import LLMGenerator
        from sklearn_activesynth.testing import OpenAITestServer
        X, y = _mixed()
        X, y = X.iloc[:300], y[:300]
        with OpenAITestServer() as server:
            gen = LLMGenerator("test-model", base_url=server.url, timeout=2.0,
                               max_retries=2, backoff=0.01, max_backoff=1.0)
            np.random.seed(0)
            clf = ActiveSynthesisClassifier(
                _mixed_pipeline(X), generator=gen, max_iter=2, random_state=0).fit(X, y)
        lines.append(f"{'llm (local server)':40s} n_syn={len(clf.synthetic_y_):5d} "
                     f"syn={_hash(clf.synthetic_X_, clf.synthetic_y_)} "
                     f"proba={_hash(np.round(clf.predict_proba(X.iloc[:50]), 10))}")
    except ImportError as exc:
        lines.append(f"llm skipped: {exc}")
    try:
        import torch
        from sklearn_activesynth.generators import SkorchImageGenerator
        torch.set_num_threads(1)
        X, y = load_digits(return_X_y=True)
        X, y = X[:300].astype(np.float32), y[:300]
        np.random.seed(0)
        clf = ActiveSynthesisClassifier(
            LogisticRegression(max_iter=200),
            generator=SkorchImageGenerator(image_shape=(1, 8, 8), max_epochs=3),
            max_iter=1, n_synthetic=0.2, validation_fraction=None,
            random_state=0).fit(X, y)
        lines.append(f"{'skorch image cvae':40s} n_syn={len(clf.synthetic_y_):5d} "
                     f"syn={_hash(np.round(clf.synthetic_X_, 4), clf.synthetic_y_)} "
                     f"proba={_hash(np.round(clf.predict_proba(X[:50]), 6))}")
    except ImportError as exc:
        lines.append(f"image skipped: {exc}")
    return lines


def main(argv):
    warnings.simplefilter("ignore")
    for name, data, est, kw in configurations():
        print(run_classifier(name, data, est, kw), flush=True)
    print(run_sampler(), flush=True)
    if "--core-only" not in argv:
        for line in run_optional():
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
