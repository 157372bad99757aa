"""scikit-learn's estimator checks on every public estimator.

The public estimators are checked with their default parameters (the
default generator included), as a user gets them; only the xgboost case
needs an optional dependency, and only it is skipped without it.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_activesynth import (
    ActiveSynthesisClassifier,
    ActiveSynthesisRegressionSampler,
    ActiveSynthesisRegressor,
    ActiveSynthesisSampler,
)

try:
    import xgboost
except ImportError:  # an optional extra: only its own case is skipped
    xgboost = None


DEFAULT_ESTIMATORS = [
    ActiveSynthesisClassifier(),  # estimator=None: resolved from X at fit
    ActiveSynthesisSampler(),
    ActiveSynthesisClassifier(LogisticRegression()),
    ActiveSynthesisSampler(LogisticRegression()),
    ActiveSynthesisRegressor(),  # estimator=None: Ridge()
    ActiveSynthesisRegressionSampler(),
]

# other base estimators: seeded, and a shorter loop to keep the checks fast
OTHER_ESTIMATORS = [
    ActiveSynthesisClassifier(DecisionTreeClassifier(random_state=0), max_iter=2,
                              uncertainty_cv=3, random_state=0),
    # a tree (a step function: the committee disagrees between steps), rare anchors
    ActiveSynthesisRegressor(DecisionTreeRegressor(random_state=0), targeting="rare",
                             max_iter=2, random_state=0),
    # the confident guard (bootstrap win rate on the validation rows)
    ActiveSynthesisRegressor(guard_confidence=0.8, max_iter=2, random_state=0),
]


def _expected_failed(estimator):
    return {}


@parametrize_with_checks(DEFAULT_ESTIMATORS + OTHER_ESTIMATORS,
                         expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)


if xgboost is not None:
    @parametrize_with_checks(
        [ActiveSynthesisClassifier(
            xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1, random_state=0),
            max_iter=2, uncertainty_cv=3, random_state=0)],
        expected_failed_checks=_expected_failed)
    def test_sklearn_compatible_xgboost(estimator, check):
        check(estimator)
else:
    def test_sklearn_compatible_xgboost():
        pytest.skip("xgboost is not installed: its estimator checks are skipped")


def test_checks_are_collected_without_xgboost():
    # without the optional xgboost, the checks of the default estimators still run;
    # only the xgboost case is skipped
    code = (
        "import sys; sys.modules['xgboost'] = None\n"
        "import pytest\n"
        f"sys.exit(pytest.main(['-q', '--collect-only', '-p', 'no:cacheprovider', "
        f"{str(Path(__file__))!r}]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, cwd=Path(__file__).parent.parent, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    collected = [line for line in out.stdout.splitlines() if "::" in line]
    assert any("ActiveSynthesisClassifier(estimator=LogisticRegression())" in line
               for line in collected), out.stdout[-2000:]
    assert any("ActiveSynthesisSampler" in line for line in collected)
    assert not any("XGBClassifier" in line for line in collected)
    assert any(line.endswith("test_sklearn_compatible_xgboost") for line in collected)
