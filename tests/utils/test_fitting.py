"""fit_clone: weights reach whatever fit takes them, else a reproducible resample."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_activesynth.integration import weighted_resample
from sklearn_activesynth.uncertainty import EnsembleVariance
from sklearn_activesynth.utils import fit_clone


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    w = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y))
    return X, y, w


def test_weights_reach_a_plain_estimator(data):
    X, y, w = data
    fitted = fit_clone(LogisticRegression(), X, y, w)
    direct = LogisticRegression().fit(X, y, sample_weight=w)
    unweighted = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(fitted.coef_, direct.coef_)
    assert not np.allclose(fitted.coef_, unweighted.coef_)


def test_weights_reach_the_last_step_of_a_pipeline(data):
    X, y, w = data
    fitted = fit_clone(make_pipeline(StandardScaler(), LogisticRegression()), X, y, w)
    direct = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X, y, logisticregression__sample_weight=w)
    unweighted = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    np.testing.assert_allclose(fitted[-1].coef_, direct[-1].coef_)
    assert not np.allclose(fitted[-1].coef_, unweighted[-1].coef_)


def test_fit_params_pass_through_next_to_the_weights(data):
    X, y, w = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    fitted = fit_clone(pipe, X, y, w, fit_params={"standardscaler__sample_weight": w})
    direct = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X, y, standardscaler__sample_weight=w, logisticregression__sample_weight=w)
    np.testing.assert_allclose(fitted[0].mean_, direct[0].mean_)
    np.testing.assert_allclose(fitted[-1].coef_, direct[-1].coef_)


def test_resampling_fallback_calls_on_resample_and_is_reproducible(data):
    X, y, w = data
    seen = []
    knn = fit_clone(KNeighborsClassifier(n_neighbors=3), X, y, w, random_state=5,
                    on_resample=seen.append)
    assert len(seen) == 1 and isinstance(seen[0], KNeighborsClassifier)
    assert seen[0] is knn  # the clone being fitted, not the template
    # exactly the rows of the weighted resample drawn from random_state
    idx = weighted_resample(w, np.random.RandomState(5))
    np.testing.assert_array_equal(knn._fit_X, X[idx])
    np.testing.assert_array_equal(knn._y, y[idx])
    again = fit_clone(KNeighborsClassifier(n_neighbors=3), X, y, w, random_state=5)
    np.testing.assert_array_equal(again._fit_X, knn._fit_X)
    other = fit_clone(KNeighborsClassifier(n_neighbors=3), X, y, w, random_state=6)
    assert not np.array_equal(other._fit_X, knn._fit_X)


def test_resampling_keeps_the_container_and_skips_without_weights(data):
    X, y, w = data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    knn = fit_clone(KNeighborsClassifier(), frame, y, w, random_state=0)
    np.testing.assert_array_equal(knn.feature_names_in_, frame.columns)
    seen = []
    plain = fit_clone(KNeighborsClassifier(), X, y, random_state=0, on_resample=seen.append)
    assert seen == []
    np.testing.assert_array_equal(plain._fit_X, X)


def test_pipeline_without_weighted_final_step_resamples(data):
    X, y, w = data
    seen = []
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier())
    fitted = fit_clone(pipe, X, y, w, random_state=0, on_resample=seen.append)
    assert len(seen) == 1
    idx = weighted_resample(w, np.random.RandomState(0))
    np.testing.assert_allclose(fitted[0].mean_, X[idx].mean(axis=0))


def test_the_template_is_never_fitted(data):
    X, y, w = data
    template = make_pipeline(StandardScaler(), LogisticRegression())
    lr, knn = LogisticRegression(), KNeighborsClassifier()
    for est, weights in ((template, w), (lr, w), (lr, None), (knn, w)):
        fitted = fit_clone(est, X, y, weights, random_state=0)
        assert fitted is not est
    assert not hasattr(template[-1], "coef_") and not hasattr(template[0], "mean_")
    assert not hasattr(lr, "coef_") and not hasattr(knn, "_fit_X")


def test_ensemble_variance_committee_of_a_weighted_pipeline(data):
    """The bug fit_clone fixes: a Pipeline's fit takes no ``sample_weight``."""
    X, y, w = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    scorer = EnsembleVariance(n_members=3)
    members, in_bag = scorer.fit_committee(pipe, X, y, sample_weight=w, random_state=0)
    assert len(members) == 3 and in_bag.shape == (3, len(y))
    # each member is the pipeline fitted on its bootstrap rows with their weights
    draws = scorer._bootstrap_draws(y, np.random.RandomState(0))
    for member, idx in zip(members, draws):
        direct = make_pipeline(StandardScaler(), LogisticRegression()).fit(
            X[idx], y[idx], logisticregression__sample_weight=w[idx])
        np.testing.assert_allclose(member[-1].coef_, direct[-1].coef_)
    u, _ = scorer.score_committee(members, X, 2, exclude=in_bag)
    assert u.shape == (len(y),) and np.isfinite(u).all()
    assert not hasattr(pipe[-1], "coef_")
