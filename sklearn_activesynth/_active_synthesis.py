"""ActiveSynthesisClassifier: targeted synthetic data where the model is unsure."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import _BaseActiveSynthesis, _routing_enabled, process_routing
from .utils._compat import _fit_context

__all__ = ["ActiveSynthesisClassifier"]


def _estimator_has(attr):
    """True if the fitted ``estimator_``, or else the unfitted ``estimator``, has ``attr``."""

    def check(self):
        if hasattr(self, "estimator_"):
            getattr(self.estimator_, attr)
        else:
            getattr(self._get_estimator(), attr)
        return True

    return check


class ActiveSynthesisClassifier(ClassifierMixin, _BaseActiveSynthesis):
    """Wrap a classifier; add synthetic rows where it is uncertain; keep only what helps.

    ``fit`` runs the active synthesis loop (seed 000, §2.1–2.4): fit the
    estimator on the real training rows, score every row's uncertainty
    (out-of-fold by default), choose anchor rows and regions, ask the
    generator for labelled rows aimed at them, integrate them with the real
    rows and refit. A round's rows are kept only if a held-out validation
    score does not drop. The final model is refitted on all real rows plus the
    accepted synthetic rows. Synthetic rows exist only inside ``fit``:
    ``predict`` sees none of them, so cross-validation stays honest.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier to improve; cloned, never modified. ``None`` means
        ``LogisticRegression()``. A Pipeline (e.g. with a ColumnTransformer)
        receives mixed-type DataFrames unchanged. Labels are encoded as
        ``0..n_classes-1`` before they reach it (so XGBoost takes string labels).
    generator : generator object, default=None
        Produces labelled synthetic rows (see ``sklearn_activesynth.generators``);
        fitted once per ``fit`` on the real training rows. ``None`` means
        ``InterpolationGenerator()``.
    filters : list of filter objects, default=None
        Applied in order to each round's synthetic rows after the built-in
        schema check (unknown labels, NaN/inf where the real data had none).
        A filter has ``filter(X, y, context) -> mask`` and optionally
        ``fit(X_real, y_real)`` (called once per fit, on a clone); rows
        removed per filter and round are counted in ``history_``
        (``n_rejected_<FilterName>``).
    uncertainty : {"entropy", "margin", "least_confidence", "ensemble_variance"} \
            or callable, default="entropy"
        How each real row's uncertainty is scored (seed 000, §2.2). A callable
        ``f(fitted_estimator, X) -> scores`` or a scorer object
        (:class:`~sklearn_activesynth.uncertainty.SoftmaxUncertainty`,
        :class:`~sklearn_activesynth.uncertainty.EnsembleVariance`) also works.
    uncertainty_cv : int or None, default=5
        Score the training rows out-of-fold with this many cross-fitted clones
        (flexible models are over-confident on rows they were fitted on, and
        then point at the wrong anchors). ``None`` scores them in-sample with
        the current model; cheaper, and fine for simple models.
    anchors : {"uncertain", "random", "random_matched", "errors", "diverse", \
            "uncertain_sparse"}, default="uncertain"
        Which real rows the synthesis is aimed at: the most uncertain; random
        rows; random rows with the class mix "uncertain" would give
        ("random_matched": **the control** any claim about targeting has to
        beat, since aiming at uncertain rows mostly changes the class mix of
        the synthetic rows); rows the model gets wrong out-of-fold, confidently
        wrong first; uncertainty with a diversity penalty so anchors do not
        clump; or uncertainty plus sparseness ("uncertain_sparse", weighted by
        ``density_weight``). See :func:`~sklearn_activesynth.targeting.select_anchors`.
        Measured against the class-matched control (``benchmarks/TARGETING.md``):
        "uncertain" wins calibration with LogisticRegression on rare
        sub-populations (and beats real-only there) and on imbalanced tabular
        data (still below real-only), and ties or loses elsewhere;
        "uncertain_sparse" is the best choice for a kernel SVC on 20-100 rows
        but loses PR-AUC on rare slices; "errors" is harmful.
    n_anchors : "auto", int or float, default="auto"
        Anchors per round: a count, or a fraction of the training rows.
        "auto" takes 10 % of the training rows, at most 1,000: on large data
        the most uncertain thousand rows are the targets, not a tenth of the
        data, and the neighbour search stays cheap.
    n_synthetic : int or float, default=0.1
        Synthetic rows requested per round: a count, or a fraction of the
        training rows.
    class_allocation : {"anchors", "balanced", "proportional", "minority"} \
            or dict, default="anchors"
        How a round's rows are split across classes. "anchors" follows the
        labels of the anchors, so a rare class the model confuses gets its
        share. A dict maps label -> fraction; with ``anchors="random"`` and
        the class mix of a targeted run it gives the class-matched control.
    n_regions : int or "auto", default="auto"
        Clusters of anchors, each with a description (feature ranges,
        categories, confused classes) for generators that use words.
    diversity : float, default=0.5
        Weight of the diversity penalty for ``anchors="diverse"``.
    density_weight : float, default=0.5
        Weight of the sparseness term for ``anchors="uncertain_sparse"``
        (0: plain uncertainty, 1: sparseness only).
    matched_anchors : {"uncertain", "errors", "diverse", "uncertain_sparse"}, \
            default="uncertain"
        With ``anchors="random_matched"``: the strategy whose class mix the
        random anchors copy each round, so that each targeting strategy can be
        compared with its own class-matched control. Ignored otherwise.
    teacher : {"knn"}, estimator or None, default=None
        Who labels the synthetic rows. The generator's label is the anchor's
        (``InterpolationGenerator`` copies it), which is right inside a class
        but not between classes: with
        ``InterpolationGenerator(partners="any_class")`` a row between an
        anchor and a partner of another class may belong to that other class.
        ``None`` keeps the generator's labels. Otherwise a teacher, fitted
        once per ``fit`` on the real training rows only (never the validation
        rows), relabels every synthetic row that passed the schema check with
        its most probable class, and drops the row when that probability is
        below ``teacher_threshold``; this happens before ``filters``.
        "knn" is ``KNeighborsClassifier(n_neighbors=7)`` on the standardised
        numeric plus one-hot categorical encoding of the rows; a classifier
        with ``predict_proba`` is cloned and fitted on the raw rows (labels
        encoded ``0..n_classes-1``); the object passed is never fitted.
        Rows relabelled and rows dropped per round are counted in ``history_``
        (``n_relabeled``, ``n_rejected_teacher``), and each row's top teacher
        probability is the ``teacher_confidence`` column of
        ``synthetic_provenance_``.
    teacher_threshold : float, default=0.7
        Lowest top probability of the teacher for a synthetic row to be kept.
        ``0`` keeps every row (relabelling only).
    max_iter : int, default=3
        Rounds of synthesis. ``0`` fits the estimator on the real rows only.
    integration : {"concat", "weighted", "curriculum", "uncertainty"} or \
            callable, default="concat"
        How synthetic rows are mixed with real ones (seed 000, §2.4); see
        :func:`~sklearn_activesynth.integration.integration_weights`.
        Estimators whose ``fit`` takes no ``sample_weight`` get weighted
        resampling instead (with one warning).
    synthetic_weight : float, default=0.5
        Share of the total training weight given to synthetic rows by
        "weighted" (the seed's ``1 - alpha``), and the share "curriculum"
        moves towards.
    curriculum_rate : float, default=1.0
        λ of the curriculum schedule.
    scoring : str, callable or None, default=None
        Validation score of the no-harm guard. ``None``: average precision
        for binary problems, balanced accuracy otherwise.
    validation_fraction : float or None, default=0.2
        Stratified share of the real rows held out for the guard. ``None``
        accepts every round. The final refit uses these rows too.
    patience : int, default=2
        Stop after this many rounds without a validation improvement.
    tol : float, default=1e-4
        Stop when the mean training uncertainty falls below ``tol``.
    n_jobs : int, default=None
        Parallel out-of-fold and committee fits (joblib, so a Dask backend
        parallelises them too).
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the folds, the targeting and the generator; the
        same value gives the same synthetic rows and predictions.
    verbose : int, default=0
        A tqdm progress bar over rounds and per-round figures through the
        ``sklearn_activesynth`` logger.

    Attributes
    ----------
    estimator_ : estimator
        The final fitted estimator (on encoded labels).
    generator_ : generator
        The fitted generator. It holds what the generator learned; for
        ``InterpolationGenerator`` that is the real training rows themselves,
        so ``del clf.generator_`` before shipping a pickled model if those
        rows must not travel with it (``predict`` does not need it).
    teacher_ : estimator or None
        The fitted teacher (``None`` without one, or with ``max_iter=0``).
        The "knn" teacher holds the encoded training rows: delete it with
        ``generator_`` if they must not travel.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.
    synthetic_X_ : DataFrame, ndarray or sparse matrix
        Accepted synthetic rows, in the container of X.
    synthetic_y_ : ndarray
        Their labels.
    synthetic_round_ : ndarray of int
        The round in which each synthetic row was made.
    synthetic_provenance_ : DataFrame
        One row per synthetic row: ``round``, ``region``, ``anchor_index``
        (row of the X passed to ``fit``, -1 when the generator used no
        anchor), ``generator``, ``anchor_uncertainty``, ``label``; with a
        ``teacher``, ``teacher_confidence``; per filter with scores,
        ``quality_<FilterName>``; and the generator's own columns.
    history_ : DataFrame
        One row per round (round 0 is the real-only model): status,
        acceptance, validation score, mean/max uncertainty on training and
        validation rows, rows generated / rejected / accepted (with a
        ``teacher``: ``n_relabeled``, rows kept with a changed label, and
        ``n_rejected_teacher``; NaN without one), generator attempts and
        errors, seconds per stage.
    n_iter_ : int
        Rounds run.
    termination_condition_ : {"max_iter", "no_improvement", "converged", \
            "generator_failed"}
    scoring_ : str or callable or None
        The validation score used.

    See Also
    --------
    ActiveSynthesisSampler : the same loop as an imbalanced-learn sampler.
    sklearn.semi_supervised.SelfTrainingClassifier : a meta-estimator with a
        similar loop over pseudo-labels.

    References
    ----------
    Active Synthesis: Targeted Synthetic Data Generation Guided by Model
    Uncertainty (seed 000), §2.1–2.4.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_activesynth import ActiveSynthesisClassifier
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = ActiveSynthesisClassifier(LogisticRegression(), random_state=0).fit(X, y)
    >>> clf.predict(X[:5]).shape
    (5,)
    >>> list(clf.history_["round"])[:2]
    [0, 1]
    """

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
        refit=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator, generator=generator, filters=filters, uncertainty=uncertainty,
            uncertainty_cv=uncertainty_cv, anchors=anchors, n_anchors=n_anchors,
            n_synthetic=n_synthetic, class_allocation=class_allocation,
            n_regions=n_regions, diversity=diversity, density_weight=density_weight,
            matched_anchors=matched_anchors,
            teacher=teacher, teacher_threshold=teacher_threshold, max_iter=max_iter,
            integration=integration, synthetic_weight=synthetic_weight,
            curriculum_rate=curriculum_rate, scoring=scoring,
            validation_fraction=validation_fraction, patience=patience, tol=tol,
            n_jobs=n_jobs, random_state=random_state, verbose=verbose,
        )
        self.refit = refit

    _parameter_constraints = {
        **_BaseActiveSynthesis._parameter_constraints,
        "refit": ["boolean"],
    }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Run the active synthesis loop and fit the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Real training rows. DataFrames (mixed dtypes included) reach the
            estimator and the generator unchanged.
        y : array-like of shape (n_samples,)
            Labels (strings or integers, binary or multiclass).
        **fit_params : dict
            Passed to the estimator's ``fit``. ``sample_weight`` weighs the real
            rows (combined with the integration weights). With metadata routing
            enabled, parameters are routed as the estimator requested.

        Returns
        -------
        self : object
        """
        X, y = self._validate_input(X, y)
        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params)
            fit_params = dict(routed.estimator.fit)
        else:
            fit_params = dict(fit_params)
        return self._run_loop(X, y, fit_params, final_refit=self.refit)

    def _check_predict_input(self, X):
        check_is_fitted(self)
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

    def predict(self, X):
        """Predict class labels with the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._check_predict_input(X)
        pred = np.asarray(self.estimator_.predict(X))
        if self._classes_are_codes and pred.dtype == self.classes_.dtype:
            return pred  # labels 0..k-1: the codes are the labels, skip the lookup
        return np.take(self.classes_, pred.astype(np.intp, copy=False))

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        return self.estimator_.decision_function(X)
