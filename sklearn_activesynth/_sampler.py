"""ActiveSynthesisSampler: the active synthesis loop as an imbalanced-learn sampler."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import _BaseActiveSynthesis
from .utils._compat import _fit_context
from .utils.tabular import concat_rows

__all__ = ["ActiveSynthesisSampler"]


class ActiveSynthesisSampler(_BaseActiveSynthesis):
    """Real rows plus accepted targeted synthetic rows, where SMOTE would go.

    Runs the same loop as
    :class:`~sklearn_activesynth.ActiveSynthesisClassifier` (uncertainty of
    ``estimator`` → targeted generation → validation guard) and returns the
    real rows followed by the synthetic rows the guard accepted. Like every
    imbalanced-learn sampler it acts only during ``fit`` of an imbalanced-learn
    ``Pipeline``: at predict time the data passes through untouched.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier whose uncertainty guides the synthesis (normally the
        pipeline's final estimator, or a cheaper stand-in). ``None`` means
        ``LogisticRegression()`` for numeric data and, for a DataFrame with
        string, categorical or boolean columns or missing values, a Pipeline
        that imputes, one-hot encodes and standardises before it, as in
        :class:`~sklearn_activesynth.ActiveSynthesisClassifier`.
    generator, filters, uncertainty, uncertainty_cv, targeting, n_synthetic, max_iter, \
integration, scoring, validation_fraction, patience, tol, generator_timeout, \
keep_generator, n_jobs, random_state, verbose
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`.

    Attributes
    ----------
    synthetic_X_, synthetic_y_, synthetic_round_, synthetic_provenance_, \
history_, n_iter_, termination_condition_, generator_, filters_, estimator_, classes_
        As in :class:`~sklearn_activesynth.ActiveSynthesisClassifier`;
        ``estimator_`` is the last accepted model of the loop (fitted on the
        training split).

    Examples
    --------
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth import ActiveSynthesisSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> sampler = ActiveSynthesisSampler(LogisticRegression(), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape[0] == X.shape[0] + sampler.synthetic_X_.shape[0]
    True
    >>> pipe = make_pipeline(sampler, LogisticRegression()).fit(X, y)
    """

    def __init__(
        self,
        estimator=None,
        *,
        generator=None,
        filters=None,
        uncertainty="entropy",
        uncertainty_cv=5,
        targeting="uncertain",
        n_synthetic=0.1,
        max_iter=3,
        integration="concat",
        scoring=None,
        validation_fraction=0.2,
        patience=2,
        tol=1e-4,
        generator_timeout=None,
        keep_generator=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.generator = generator
        self.filters = filters
        self.uncertainty = uncertainty
        self.uncertainty_cv = uncertainty_cv
        self.targeting = targeting
        self.n_synthetic = n_synthetic
        self.max_iter = max_iter
        self.integration = integration
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.generator_timeout = generator_timeout
        self.keep_generator = keep_generator
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Run the loop; the synthetic rows are kept in ``synthetic_X_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **fit_params : dict
            Passed to the estimator's ``fit`` (``sample_weight`` weighs real rows).

        Returns
        -------
        self : object
        """
        self._fit_loop(X, y, fit_params, final_refit=False)
        return self

    def fit_resample(self, X, y, **params):
        """Run the loop and return real rows followed by accepted synthetic rows.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        X_resampled : same container as X
        y_resampled : ndarray
        """
        self._validate_params()
        X, y = self._fit_loop(X, y, params, final_refit=False)
        check_is_fitted(self)
        X_res = concat_rows([X, self.synthetic_X_]) if len(self.synthetic_y_) else X
        y_res = np.concatenate([np.asarray(y), self.synthetic_y_])
        return X_res, y_res
