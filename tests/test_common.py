"""scikit-learn's estimator checks on every public estimator."""

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_activesynth import ActiveSynthesisClassifier, ActiveSynthesisSampler
from sklearn_activesynth.generators import InterpolationGenerator

xgboost = pytest.importorskip("xgboost")


def _small(cls, estimator):
    # tiny, seeded settings: the checks fit on 10-100 rows
    return cls(estimator, generator=InterpolationGenerator(k_neighbors=2), max_iter=2,
               uncertainty_cv=3, random_state=0)


ESTIMATORS = [
    _small(ActiveSynthesisClassifier, LogisticRegression()),
    _small(ActiveSynthesisClassifier, DecisionTreeClassifier(random_state=0)),
    _small(ActiveSynthesisClassifier,
           xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1, random_state=0)),
    _small(ActiveSynthesisSampler, LogisticRegression()),
]

def _expected_failed(estimator):
    return {
        "check_fit2d_1feature": (
            "the check fits 10 rows spread over 3 classes; a class with no more rows "
            "than InterpolationGenerator's k_neighbors is refused with a ValueError "
            "naming the class, by design (SMOTE refuses it too)"
        ),
    }


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)
