"""ActiveSynthesisClassifier: targeted synthetic data where the model is unsure."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base import _BaseActiveSynthesis
from .acquisition import (
    DEFAULT_BATCH_SIZE,
    Acquisition,
    _is_nan,
    missing_label_mask,
    resolve_query_strategy,
)
from .utils._compat import _fit_context
from .utils._dask import is_dask_collection, map_rows

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

    ``y`` may leave rows unlabelled (``missing_label``, ``NaN`` by default).
    With an ``oracle`` each round starts by asking it for the labels of the
    unlabelled rows the current model ranks first (seed 003 §2.2; how many
    and how they are ranked: ``acquisition``); the rows it answers join the
    training rows. ``query`` ranks a pool outside ``fit``.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier to improve; cloned, never modified. ``None`` means
        ``LogisticRegression()`` for arrays, sparse matrices and DataFrames of
        numbers without missing values, and for any other DataFrame (string,
        categorical or boolean columns, missing values) a Pipeline chosen at
        ``fit``: numeric columns median-imputed and standardised, the others
        one-hot encoded (missing values as their own category, unknown
        categories ignored), then ``LogisticRegression()``; ``estimator_``
        shows which. ``set_params(estimator__C=...)`` on the default makes it
        an explicit ``LogisticRegression`` (numeric ``X`` only; on text columns
        ``fit`` says which Pipeline to pass). A Pipeline of your own (e.g. with a
        ColumnTransformer) receives mixed-type DataFrames unchanged. Labels are encoded as
        ``0..n_classes-1`` before they reach it (so XGBoost takes string labels).
    generator : generator object, list of generators or None, default=None
        Produces labelled synthetic rows (see ``sklearn_activesynth.generators``);
        fitted once per ``fit`` on the real training rows. ``None`` means
        ``InterpolationGenerator()``. A list is a portfolio for ``selector``
        (each generator fitted once per fit; its arms choose among them).
    filters : list of filter objects, default=None
        Applied in order to each round's synthetic rows after the built-in
        schema check (unknown labels, NaN/inf where the real data had none).
        A filter (:class:`~sklearn_activesynth.filters.BaseFilter`) has
        ``filter(X, y, context) -> FilterResult`` (a mask of rows to keep,
        optional per-row scores, optional new labels) and optionally
        ``fit(X_real, y_real)``, called once per fit on a clone. Rows removed
        per filter and round are counted in ``history_``
        (``n_rejected_<FilterName>``), scores become ``quality_<FilterName>``
        columns of ``synthetic_provenance_``.
        :class:`~sklearn_activesynth.filters.Teacher` is the filter that
        relabels synthetic rows (e.g. ``filters=[Teacher("knn")]``): a model
        fitted on the real training rows gives each row its most probable
        class and drops it when unsure.
    uncertainty : {"entropy", "margin", "least_confidence", "ensemble_variance"}, \
            scorer or callable, default="entropy"
        How each real row's uncertainty is scored (seed 000, §2.2). A scorer
        (:class:`~sklearn_activesynth.uncertainty.BaseUncertaintyScorer`:
        :class:`~sklearn_activesynth.uncertainty.SoftmaxUncertainty`,
        :class:`~sklearn_activesynth.uncertainty.EnsembleVariance`, ...) or a
        callable ``f(fitted_estimator, X) -> scores`` also works.
    uncertainty_cv : int or None, default=5
        Score the training rows out-of-fold with this many cross-fitted clones
        (flexible models are over-confident on rows they were fitted on, and
        then point at the wrong anchors). ``None`` scores them in-sample with
        the current model; cheaper, and fine for simple models.
    targeting : {"uncertain", "random", "random_matched", "errors", "diverse", \
            "uncertain_sparse"} or Targeting, default="uncertain"
        Where the synthesis is aimed: anchor rows, their number, regions and
        the class mix (:class:`~sklearn_activesynth.targeting.Targeting`; a
        string is its anchor strategy with the other knobs at their
        defaults). "random_matched" is **the control** any claim about
        targeting has to beat: random anchors with the class mix "uncertain"
        would give. Measured against that control
        (``benchmarks/TARGETING.md``): "uncertain" wins calibration with
        LogisticRegression on rare sub-populations (and beats real-only there)
        and on imbalanced tabular data (still below real-only), and ties or
        loses elsewhere; "uncertain_sparse" is the best choice for a kernel
        SVC on 20-100 rows but loses PR-AUC on rare slices; "errors" is
        harmful. Nested knobs are tunable: ``targeting__density_weight``.
    n_synthetic : int or float, default=0.1
        Synthetic rows requested per round: a count, or a fraction of the
        training rows.
    max_iter : int, default=3
        Rounds of synthesis. ``0`` fits the estimator on the real rows only.
    integration : {"concat", "weighted", "curriculum", "uncertainty", "dynamic"}, \
            BaseIntegration or callable, default="concat"
        How synthetic rows are mixed with real ones (seed 000, §2.4): a
        strategy of :mod:`sklearn_activesynth.integration`
        (``WeightedIntegration(synthetic_weight=0.3)``,
        ``CurriculumIntegration(rate=0.5)``, ``DynamicIntegration()``: seed
        003 §2.3.1's β_t from the measured validation gain and the
        real-synthetic consistency, ...; a string is the strategy with
        its defaults) or a callable ``f(n_real, n_synthetic, round_,
        real_uncertainty, synthetic_uncertainty) -> weights``. Estimators
        whose ``fit`` takes no ``sample_weight`` get weighted resampling
        instead (with one warning).
    selector : {"ucb"}, UCBSelector or None, default=None
        Let the loop decide what to train on (seed 004): each round a UCB
        bandit tries arms of synthetic rows (targeted, class-matched random,
        class-balancing, a usability band, per generator, and *no synthesis*),
        rewards each by its normalised validation gain and keeps the best
        arm's rows only when the gain is clear on bootstrap resamples of the
        validation rows. ``"ucb"`` is
        :class:`~sklearn_activesynth.selection.UCBSelector` with its defaults.
        Needs ``validation_fraction`` unless it has one arm. ``None``: every
        round adds the rows of ``targeting`` under the guard. Measured in
        ``benchmarks/SELECTION.md``.
    curriculum : ComplexityCurriculum or None, default=None
        Complexity curriculum (seed 003 §2.3.3): synthetic rows more complex
        than the round's threshold c_t wait for later rounds (see
        :class:`~sklearn_activesynth.integration.ComplexityCurriculum`).
    oracle : callable or None, default=None
        Who labels the unlabelled rows of ``y`` during ``fit`` (seed 003
        §2.2): a human-review queue, a database lookup, or, in a simulation,
        the known labels. ``oracle(rows)`` gets the rows to label, a slice of
        ``X`` in ``X``'s container (a DataFrame keeps its index, so labels
        can be looked up by it), and returns one label per row (a list,
        array or Series, in the rows' order). An oracle that takes a keyword
        ``indices`` also gets the rows' positions in the ``X`` passed to
        ``fit`` (in cross-validation: the fold's ``X``). ``missing_label`` in
        the answer means "not answered yet": that row stays unlabelled and
        may be asked again. Labels must be classes of the labelled rows of
        ``y``: the classes are fixed when ``fit`` starts, except in a cold
        start: when the labelled rows hold a single class (no positive yet),
        rounds rank the unlabelled rows without a model (``acquisition``'s
        ``cold_start``: the rows farthest from the labelled ones by default)
        and accept any label of the kind of ``y``'s until a second class
        appears; the classes are fixed then, the first model is fitted and
        the rounds go on as usual. There are no validation rows after a cold
        start (the rows given to ``fit`` hold one class; acquired rows never
        validate), so every round is accepted without the guard (warned). If
        the rounds, the pool or the oracle run out first,
        :class:`~sklearn_activesynth.acquisition.ColdStartError` is raised,
        holding the labels acquired. An oracle that
        raises (retried twice in the round), does not return within
        ``generator_timeout`` (never called again in that fit), returns the
        wrong number of labels or labels outside the classes is recorded in
        ``history_`` (``oracle_error``) and warned about once
        (:class:`~sklearn_activesynth.acquisition.OracleFailedWarning`); the
        fit goes on and the rows it did not label stay unlabelled. Each
        round's rows are asked for after the previous round's model, in the
        first stage of the round; ``max_iter`` rounds ask at most
        ``max_iter`` times. Rows it labels join the training rows (never the
        validation rows: they are a biased sample); the current model is
        refitted on them and the accepted synthetic rows, without the guard
        (real labels are always kept), and the final model is fitted on every
        labelled row. The generator is fitted once, before any row is
        acquired, and not refitted: acquired rows train the model but anchor
        no synthetic row. ``None``: unlabelled rows are left out of the fit.
    acquisition : Acquisition or None, default=None
        Which unlabelled rows the ``oracle`` is asked about and how many per
        round: a query strategy and the budget schedule ``B_t = min(B_max,
        B_init + ΔB·t)`` of seed 003 §2.2.3
        (:class:`~sklearn_activesynth.acquisition.Acquisition`; round ``t``
        of ``fit`` asks for ``budget(t - 1)`` rows, fewer when fewer are
        left), a proxy that ranks in place of the estimator
        (``query_estimator``, refitted each round on the same rows, seed 003
        §2.2.2) and the cold-start strategy. ``None`` with an oracle:
        ``Acquisition()``, margin sampling of 10 rows per round by the
        estimator itself. Tunable as ``acquisition__budget_init``,
        ``acquisition__strategy``, ``acquisition__query_estimator``...
        (setting one on ``None`` makes the default explicit). Needs an
        ``oracle`` (an error says so otherwise).
    missing_label : scalar, str or None, default=np.nan
        The value of ``y`` that marks a row as unlabelled: ``NaN`` in float
        labels, ``None`` (or ``NaN``) in object labels. Unlabelled rows never
        train a model, are never validation rows and are not kept on the
        fitted estimator; without an ``oracle`` the fit simply uses the
        labelled rows, and unlabelled rows inform nothing else. scikit-learn's
        ``-1`` convention (``SelfTrainingClassifier``) needs
        ``missing_label=-1``: by default labels ``{-1, 1}`` are two classes.
        Integer, boolean and string arrays cannot hold ``NaN``: with an
        ``oracle`` and the default, ``fit`` raises an error that says to pass
        float or object labels or to set ``missing_label``.
    scoring : str, callable or None, default=None
        Validation score of the no-harm guard. ``None``: average precision
        for binary problems, balanced accuracy otherwise.
    validation_fraction : float or None, default=0.2
        Stratified share of the real rows held out for the guard. ``None``
        accepts every round. The final refit uses these rows too.
    patience : int, default=2
        Stop after this many rounds without a validation improvement. A round
        in which the ``oracle`` labelled rows does not count (and the score to
        beat becomes that of the model refitted on them): the loop goes on
        while the oracle answers.
    tol : float, default=1e-4
        Stop when the mean training uncertainty falls below ``tol``.
    generator_timeout : float or None, default=None
        Seconds one call of the generator's ``fit`` or ``generate`` may take.
        A call that does not return in time is a generator failure (recorded
        in ``history_``, warned about once); since Python cannot stop it, it
        runs on in a background thread and the generator is not called again
        in this fit (the loop keeps the model it has). The same limit applies
        to each call of the ``oracle``. ``None``: no limit.
    keep_generator : bool, default=False
        Keep the fitted ``generator_`` and ``filters_`` after ``fit``. They hold
        what they learned from the real rows (``InterpolationGenerator`` keeps
        the training rows themselves, ``PrivacyFilter`` its reference rows), so
        by default a fitted model carries only what ``predict`` needs and the
        record of the fit (``synthetic_X_``, ``synthetic_y_``,
        ``synthetic_provenance_``, ``history_``); set it to sample more rows
        later with ``generator_.generate``.
    n_jobs : int, default=None
        The fit's CPU budget: parallel out-of-fold and committee fits (joblib,
        so a Dask backend parallelises them too) and the BLAS/OpenMP threads
        used inside ``fit`` (the base estimator's fits, the generator, the
        filters), together. ``None`` means one job: one fit at a time, each
        with one BLAS/OpenMP thread (the loop makes many small fits, where
        threads gain little and, on a busy machine, cost much: OpenMP threads
        spin while they wait for each other). ``-1``: all cores; with ``k``
        parallel workers each fit gets ``n_jobs // k`` threads. A base
        estimator that sets its own ``n_jobs`` keeps it, and the loop then
        sets no thread limit. ``predict`` is not limited. ``query`` scores
        that many segments of an in-memory pool in parallel. Every parallel
        call goes through :class:`sklearn.utils.parallel.Parallel`, so
        ``joblib.parallel_config`` chooses the backend (loky, threading, Dask,
        Ray's joblib backend); results do not depend on it. ``n_jobs=1``
        keeps that work in this process under any backend, which matters on
        Dask: joblib's Dask backend spreads a call over the whole cluster
        whatever its ``n_jobs``, also from inside a Dask task (a
        ``GridSearchCV`` candidate), and the loop's fits then use one
        BLAS/OpenMP thread each (see the README's "Scaling out").
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the folds, the targeting, the generator, the filters
        and every clone of the estimator whose own ``random_state`` is unset
        (as scikit-learn's ensembles seed their members); the same value gives
        the same synthetic rows and predictions. ``random_state`` parameters
        you set yourself are kept.
    verbose : int, default=0
        ``0``: print nothing. ``1``: print one line per round to stdout (round,
        status, validation score, rows generated / accepted, seconds) and one
        when the fit ends; the lines stay, as scikit-learn's estimators print
        them. ``2``: also the seconds of each stage. The same lines always go
        to the ``sklearn_activesynth`` logger at DEBUG level.

    Attributes
    ----------
    estimator_ : estimator
        The final fitted estimator (on encoded labels).
    generator_ : generator
        The fitted generator; only with ``keep_generator=True``.
    filters_ : list of (name, filter)
        The fitted filters, named as in ``history_``; only with
        ``keep_generator=True``.
    classes_ : ndarray of shape (n_classes,)
        The classes, sorted: those of the labelled rows given to ``fit``;
        after a cold start (labelled rows of one class, see ``oracle``),
        those labelled (given or acquired) when the oracle's answers brought
        a second class.
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
        anchor), ``generator``, ``anchor_uncertainty``, ``label``; per
        filter with scores, ``quality_<FilterName>`` (the teacher's top
        probability for :class:`~sklearn_activesynth.filters.Teacher`); and
        the generator's own columns.
    history_ : DataFrame
        One row per round (round 0 is the real-only model): status,
        acceptance, validation score, mean/max uncertainty on training and
        validation rows, rows generated / rejected (per filter) / accepted
        (with a :class:`~sklearn_activesynth.filters.Teacher`:
        ``n_relabeled``, rows kept with a changed label), generator attempts
        and errors, the generator's own figures, seconds per stage.
    n_iter_ : int
        Rounds run.
    termination_condition_ : {"max_iter", "no_improvement", "converged", \
            "generator_failed"}
        Why the rounds stopped; "generator_failed" when the generator could
        not be fitted or a call timed out.
    scoring_ : str or callable or None
        The validation score used.
    acquired_indices_ : ndarray of int
        With an ``oracle``: the positions, in the ``X`` passed to ``fit``, of
        the rows it labelled, in the order they were acquired.
    query_estimator_ : estimator
        With an ``oracle`` and ``acquisition=Acquisition(query_estimator=...)``:
        the proxy fitted on the final estimator's rows (labels encoded
        ``0..n_classes-1``); pass it to ``query(..., query_estimator=...)``.
    acquired_labels_ : ndarray of shape (n_acquired,)
        With an ``oracle``: their labels (of ``classes_``' dtype). ``history_``
        then also has per round ``acquisition_budget`` (``B_t``), ``n_asked``,
        ``n_acquired``, ``n_acquired_<label>`` per class, ``n_unanswered``
        (asked but not labelled), ``n_unlabelled_left`` (in round 0: the
        unlabelled rows given to ``fit``), ``oracle_attempts``,
        ``oracle_error`` and ``val_score_acquired`` (the validation score
        after the refit on the acquired rows).
    selection_ : DataFrame
        With a ``selector``: one row per arm (``arm``, ``pulls``,
        ``mean_reward``, ``ucb``, ``rounds_kept``, ``rows_kept``). ``history_``
        then also has per round ``arms_pulled``, ``arm_chosen``, ``reward``,
        ``win_rate`` and ``arm_<name>_pulls`` / ``_reward`` / ``_ucb``, and
        ``synthetic_provenance_`` each row's ``arm`` and its usability score
        (``usability``, ``realism``, ``cohesion``, ``diversity``).

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
        targeting="uncertain",
        n_synthetic=0.1,
        max_iter=3,
        integration="concat",
        selector=None,
        curriculum=None,
        oracle=None,
        acquisition=None,
        missing_label=np.nan,
        scoring=None,
        validation_fraction=0.2,
        patience=2,
        tol=1e-4,
        generator_timeout=None,
        keep_generator=False,
        refit=True,
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
        self.selector = selector
        self.curriculum = curriculum
        self.oracle = oracle
        self.acquisition = acquisition
        self.missing_label = missing_label
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.generator_timeout = generator_timeout
        self.keep_generator = keep_generator
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    _parameter_constraints = {
        **_BaseActiveSynthesis._parameter_constraints,
        "oracle": [callable, None],
        "acquisition": [Acquisition, None],
        "missing_label": [Real, str, None],
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
            Labels (strings or integers, binary or multiclass); rows equal to
            ``missing_label`` (``NaN`` or ``None`` by default) are
            unlabelled.
        **fit_params : dict
            Passed to the estimator's ``fit``. ``sample_weight`` weighs the real
            rows (combined with the integration weights). With metadata routing
            enabled, parameters are routed as the estimator requested.

        Returns
        -------
        self : object
        """
        if self.acquisition is not None and self.oracle is None:
            raise ValueError(
                "acquisition is set but oracle is None: the acquisition says which "
                "unlabelled rows to ask about and how many per round, and the oracle is "
                "who answers. Pass oracle=f(rows) -> labels (e.g. a lookup of known "
                "labels in a simulation), or leave acquisition=None; to rank a pool "
                "without an oracle, use query() after fit.")
        self._fit_loop(X, y, fit_params, final_refit=self.refit)
        return self

    def _check_query_estimator(self, model):
        """A fitted proxy whose classes are this model's (labels or their codes)."""
        try:
            check_is_fitted(model)
        except NotFittedError as exc:
            raise NotFittedError(
                f"query_estimator {type(model).__name__} is not fitted. query keeps no "
                "training rows, so it cannot fit a proxy: pass one fitted on the rows "
                "this model learned, e.g. clf.query_estimator_ after a fit with "
                "acquisition=Acquisition(query_estimator=...) (refitted on the final "
                "model's rows), or fit it yourself.") from exc
        classes = getattr(model, "classes_", None)
        if isinstance(model, Pipeline) and classes is None:
            classes = getattr(model[-1], "classes_", None)
        k = len(self.classes_)
        codes = np.arange(k)
        if classes is None or not (
                len(classes) == k and (np.array_equal(np.asarray(classes), self.classes_)
                                       or np.array_equal(np.asarray(classes), codes))):
            raise ValueError(
                f"query_estimator has classes {None if classes is None else list(classes)}; "
                f"it must have this model's classes, {self.classes_.tolist()} (or their "
                f"codes {codes.tolist()}), so its probabilities are of the same problem.")
        return model

    def _unlabelled_rows(self, y):
        """Rows of ``y`` equal to ``missing_label``; checks that they can exist."""
        missing = self.missing_label
        default = missing is None or _is_nan(missing)
        kind = y.dtype.kind
        if not default and kind != "O" and \
                isinstance(missing, str) != (kind in "US"):
            raise ValueError(
                f"missing_label={missing!r} cannot mark a row of y, whose labels are "
                f"{'strings' if kind in 'US' else 'numbers'} (dtype {y.dtype}). Set "
                "missing_label to a value of the labels' type, e.g. missing_label=-1 for "
                "integer labels.")
        if self.oracle is not None and default and kind in "iubUS":
            raise ValueError(
                f"y has dtype {y.dtype}, which cannot hold NaN (the default "
                "missing_label), so no row is marked unlabelled for the oracle to label. "
                "Pass float labels with np.nan for unlabelled rows (y.astype(float)), or "
                "object labels with None, or set missing_label to the value that marks "
                "them (e.g. missing_label=-1).")
        return missing_label_mask(y, missing)

    def predict(self, X):
        """Predict class labels with the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_samples, n_features)
            A Dask array or DataFrame is predicted block by block on the Dask
            workers: the result is then a lazy Dask array (nothing is
            computed until you call ``.compute()``).

        Returns
        -------
        y : ndarray or dask.array.Array of shape (n_samples,)
        """
        X = self._check_predict_input(X)
        if is_dask_collection(X):
            return map_rows(_LabelsOf(self.estimator_, self.classes_,
                                      self._classes_are_codes), X,
                            dtype=self.classes_.dtype)
        return _LabelsOf(self.estimator_, self.classes_, self._classes_are_codes)(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_samples, n_features)
            A Dask array or DataFrame gives a lazy Dask array, computed block
            by block on the Dask workers.

        Returns
        -------
        proba : ndarray or dask.array.Array of shape (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        if is_dask_collection(X):
            return map_rows(self.estimator_.predict_proba, X, dtype=float,
                            n_columns=len(self.classes_))
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the final estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_samples, n_features)
            A Dask array or DataFrame gives a lazy Dask array, computed block
            by block on the Dask workers.

        Returns
        -------
        log_proba : ndarray or dask.array.Array of shape (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        if is_dask_collection(X):
            return map_rows(self.estimator_.predict_log_proba, X, dtype=float,
                            n_columns=len(self.classes_))
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
            A Dask array or DataFrame ``X`` is computed (decision functions
            have no shape known before they run; ``predict_proba`` returns a
            lazy result).
        """
        X = self._check_predict_input(X)
        if is_dask_collection(X):
            X = X.compute()
        return self.estimator_.decision_function(X)

    def query(self, X_pool, n_samples=1, *, strategy="margin", exclude=None,
              return_scores=False, batch_size=DEFAULT_BATCH_SIZE, query_estimator=None):
        """The rows of an unlabelled pool to label next, best first.

        Ranks ``X_pool`` with the final estimator and a query strategy of
        :mod:`sklearn_activesynth.acquisition` (seed 003, §2.2). The pool is
        scored ``batch_size`` rows at a time and only the best rows so far are
        kept, so a pool of millions of rows (a memory-mapped array included)
        needs a few chunks of memory beyond itself; the model keeps no copy
        of it. Randomness (the random control, the reference sample of the
        hybrid) comes from ``random_state``: an int gives the same answer
        each time. The estimator's ``n_jobs`` splits an in-memory pool into
        segments scored in parallel (:class:`sklearn.utils.parallel.Parallel`,
        under the backend ``joblib.parallel_config`` sets); the result does
        not depend on it.

        Parameters
        ----------
        X_pool : {array-like, sparse matrix, DataFrame, Dask array, Dask DataFrame} \
                of shape (n_pool, n_features)
            Unlabelled rows with the training columns (checked like
            ``predict``'s input: feature names and count). A Dask array or
            DataFrame is scored by one task per block on the Dask workers
            (fit in memory, query out of core); only each block's best rows
            come back.
        n_samples : int, default=1
            Rows to return. When fewer are available (the pool minus
            ``exclude``), all of them are returned with a
            :class:`~sklearn_activesynth.acquisition.PoolExhaustedWarning`.
        strategy : str, query strategy, uncertainty scorer or callable, \
                default="margin"
            How rows are ranked (an argument of ``query``; the ranking
            inside ``fit`` is ``acquisition``'s). "margin" (the strongest single strategy
            on tabular data in the literature), "entropy",
            "least_confidence": :class:`~sklearn_activesynth.acquisition.UncertaintySampling`;
            "ensemble_variance": the same with the committee variance, for a
            fitted committee (an estimator or ``query_estimator`` with
            ``estimators_``: bagging, random forests; a committee needs
            training rows to be fitted, which ``query`` does not have);
            "hybrid": the seed's uncertainty-plus-density score
            (:class:`~sklearn_activesynth.acquisition.HybridSampling`);
            "coreset": the rows that cover the pool
            (:class:`~sklearn_activesynth.acquisition.CoreSetSampling`; from
            the pool's centre, as ``query`` has no labelled rows);
            "random": the control
            (:class:`~sklearn_activesynth.acquisition.RandomSampling`). A
            strategy object sets the other knobs, e.g.
            ``UncertaintySampling("margin", diversity=0.5)`` for a batch
            spread over the pool; an uncertainty scorer of
            :mod:`sklearn_activesynth.uncertainty` (of the fitted model, e.g.
            :class:`~sklearn_activesynth.uncertainty.MCDropout` for a torch
            net, or of a fitted committee) or a callable
            ``f(fitted_estimator, X) -> scores`` ranks by that score.
        exclude : array-like of int or bool mask, default=None
            Positions in ``X_pool`` never to return: rows already sent for
            labelling and not answered yet.
        return_scores : bool, default=False
            Also return the rows' scores.
        batch_size : int, default=10_000
            Rows scored at a time. The result does not depend on it.
        query_estimator : fitted classifier or None, default=None
            A proxy that ranks the pool in place of the final estimator
            (seed 003 §2.2.2): a cheaper model, fitted on the rows this model
            learned, with its classes (the labels of ``classes_``, or their
            codes ``0..n_classes-1``). ``query`` keeps no training rows, so it
            cannot fit one: after a fit with
            ``acquisition=Acquisition(query_estimator=...)``,
            ``self.query_estimator_`` is the proxy refitted on the final
            model's rows; otherwise fit it yourself. An unfitted one raises
            ``NotFittedError``. A fitted ensemble (``BaggingClassifier``,
            ``RandomForestClassifier``) also serves a committee scorer
            (``strategy="ensemble_variance"``). ``None``: the final estimator
            ranks the pool.

        Returns
        -------
        positions : ndarray of int of shape (n_samples,)
            Positions in ``X_pool`` (``X_pool.iloc[positions]`` for a
            DataFrame: positions, not index labels), best first.
        scores : ndarray of shape (n_samples,)
            Only with ``return_scores=True``: their scores (higher: label
            sooner), non-increasing.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_activesynth import ActiveSynthesisClassifier
        >>> X, y = make_classification(n_samples=1200, random_state=0)
        >>> clf = ActiveSynthesisClassifier(LogisticRegression(), max_iter=0,
        ...                                 random_state=0).fit(X[:200], y[:200])
        >>> pool = X[200:]
        >>> positions = clf.query(pool, n_samples=5)
        >>> positions.shape
        (5,)
        >>> import numpy as np   # the rows whose probability is nearest 0.5
        >>> nearest = np.argsort(np.abs(clf.predict_proba(pool)[:, 1] - 0.5))[:5]
        >>> bool((positions == nearest).all())
        True
        >>> later = clf.query(pool, n_samples=5, exclude=positions)   # not answered yet
        >>> set(later.tolist()) & set(positions.tolist())
        set()

        A fitted proxy ranks the pool in place of the final estimator, and a
        fitted committee serves ``"ensemble_variance"``:

        >>> from sklearn.ensemble import BaggingClassifier
        >>> proxy = LogisticRegression(C=0.01).fit(X[:200], y[:200])
        >>> by_proxy = clf.query(pool, n_samples=5, query_estimator=proxy)
        >>> p = proxy.predict_proba(pool)[:, 1]
        >>> bool((by_proxy == np.argsort(np.abs(p - 0.5))[:5]).all())
        True
        >>> bagging = BaggingClassifier(LogisticRegression(), n_estimators=5,
        ...                             random_state=0).fit(X[:200], y[:200])
        >>> clf.query(pool, n_samples=3, strategy="ensemble_variance",
        ...           query_estimator=bagging).shape
        (3,)
        """
        X_pool = self._check_predict_input(X_pool)
        model = self.estimator_ if query_estimator is None else \
            self._check_query_estimator(query_estimator)
        result = resolve_query_strategy(strategy).rank(
            model, X_pool, n_samples, exclude=exclude,
            random_state=self.random_state, batch_size=batch_size, n_jobs=self.n_jobs)
        if return_scores:
            return result.positions, result.scores
        return result.positions


class _LabelsOf:
    """``predict`` of the final estimator, its codes mapped back to the labels: a
    picklable function of the rows that carries the fitted estimator alone (a
    Dask task ships it, not the classifier with its record of the fit)."""

    def __init__(self, estimator, classes, classes_are_codes):
        self.estimator, self.classes = estimator, classes
        self.classes_are_codes = classes_are_codes

    def __call__(self, X):
        pred = np.asarray(self.estimator.predict(X))
        if self.classes_are_codes and pred.dtype == self.classes.dtype:
            return pred  # labels 0..k-1: the codes are the labels, skip the lookup
        return np.take(self.classes, pred.astype(np.intp, copy=False))
