import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from sklearn_activesynth import ActiveSynthesisSampler
from sklearn_activesynth.utils.estimator_checks import make_check_frame


@pytest.fixture
def imbalanced():
    return make_classification(n_samples=500, n_features=6, weights=[0.9], random_state=0)


def test_fit_resample_returns_real_then_accepted_synthetic_rows(imbalanced):
    X, y = imbalanced
    sampler = ActiveSynthesisSampler(LogisticRegression(), validation_fraction=None,
                                     random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_syn = len(sampler.synthetic_y_)
    assert n_syn > 0
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    np.testing.assert_array_equal(X_res[len(X):], sampler.synthetic_X_)
    assert X_res.shape == (len(X) + n_syn, X.shape[1])
    # same seed, same rows
    X_res2, _ = ActiveSynthesisSampler(LogisticRegression(), validation_fraction=None,
                                       random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_res2)


def test_in_an_imblearn_pipeline_where_smote_would_go(imbalanced):
    pytest.importorskip("imblearn")
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline

    X, y = imbalanced
    ours = make_pipeline(ActiveSynthesisSampler(LogisticRegression(), random_state=0),
                         LogisticRegression())
    smote = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    s_ours = cross_val_score(ours, X, y, cv=3, scoring="average_precision")
    s_smote = cross_val_score(smote, X, y, cv=3, scoring="average_precision")
    assert s_ours.shape == s_smote.shape == (3,)
    # at predict time the sampler is skipped: predictions come from the final step
    ours.fit(X, y)
    assert ours.predict(X).shape == (len(y),)


def test_dataframe_in_dataframe_out():
    X, y = make_check_frame(n_samples=300)
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.pipeline import make_pipeline as sk_pipeline

    est = sk_pipeline(make_column_transformer((OneHotEncoder(), ["kind", "city"]),
                                              remainder="passthrough"),
                      LogisticRegression(max_iter=500))
    X_res, y_res = ActiveSynthesisSampler(est, validation_fraction=None,
                                          random_state=0).fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame)
    assert (X_res.dtypes == X.dtypes).all() and len(X_res) > len(X)
    assert len(y_res) == len(X_res)
