"""Uncertainty for neural classifiers: MC dropout, deep ensembles, posterior samples.

All three are usable as ``ActiveSynthesisClassifier(uncertainty=...)``.
torch is imported only when a scorer runs on a torch model, so this module
imports without the ``torch`` extra.
"""

import contextlib
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import Interval, StrOptions
from ..utils._fitting import _is_torch_net, _takes_sample_weight, fit_clone
from ..utils._parallel import delayed, parallel
from ..utils._seeding import MAX_SEED, check_random_state
from ..utils._torch import import_skorch, import_torch, seeded_torch
from ..utils.tabular import take_rows
from ._base import BaseUncertaintyScorer
from ._measures import ensemble_variance, entropy
from ._scorers import EnsembleVariance, _warn_resample

__all__ = ["MCDropout", "DeepEnsembleVariance", "BayesianPredictiveVariance",
           "sampled_uncertainty"]

SAMPLE_MEASURES = ("entropy", "bald", "variance")


def sampled_uncertainty(samples, measure="entropy"):
    r"""One score per row from sampled predictive distributions.

    Parameters
    ----------
    samples : array-like of shape (n_samples_drawn, n_rows, n_classes)
        Class probabilities under each stochastic pass or posterior sample.
    measure : {"entropy", "bald", "variance"}, default="entropy"
        - "entropy": predictive entropy of the mean distribution,
          :math:`H[\bar p(y|x)]` (total uncertainty);
        - "bald": mutual information between the label and the weights,
          :math:`H[\bar p] - \frac{1}{T}\sum_t H[p_t]` (the epistemic part;
          Houlsby et al., 2011);
        - "variance": :math:`\frac{1}{T}\sum_t (p_t - \bar p)^2` summed over
          classes, i.e. :math:`E[f^2] - E[f]^2` (seed 000, §2.2.2 and §2.2.3).

    Returns
    -------
    scores : ndarray of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.uncertainty import sampled_uncertainty
    >>> s = np.array([[[0.9, 0.1]], [[0.1, 0.9]]])   # two passes disagree
    >>> sampled_uncertainty(s, "bald").round(3)
    array([0.368])
    """
    samples = np.asarray(samples, dtype=float)
    if samples.ndim != 3:
        raise ValueError(
            f"samples must be 3-D (n_samples, n_rows, n_classes), got shape {samples.shape}.")
    if measure == "variance":
        return ensemble_variance(samples)
    total = entropy(samples.mean(axis=0))
    if measure == "entropy":
        return total
    if measure == "bald":
        expected = np.mean([entropy(p) for p in samples], axis=0)
        return np.maximum(total - expected, 0.0)
    raise ValueError(f"measure must be one of {SAMPLE_MEASURES}, got {measure!r}.")


def _unwrap(estimator, X):
    """The fitted skorch net inside ``estimator`` and ``X`` as it sees it.

    Accepts a net, a Pipeline ending in one (earlier steps transform ``X``),
    or a fitted meta-estimator holding one in ``estimator_``.
    """
    if isinstance(estimator, Pipeline):
        if len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        return _unwrap(estimator.steps[-1][1], X)
    if not hasattr(estimator, "module_") and hasattr(estimator, "estimator_"):
        return _unwrap(estimator.estimator_, X)
    if not (hasattr(estimator, "module") and hasattr(estimator, "get_iterator")):
        raise TypeError(
            f"{type(estimator).__name__} is not a skorch net: these scorers need a "
            "skorch net (NeuralNetClassifier, NeuralNetRegressor, or a Pipeline "
            "ending in one) whose torch module they can run.")
    check_is_fitted(estimator)
    return estimator, X


def _nonlinearity(net):
    """What the net's ``predict_proba`` applies to the module's output."""
    fn = getattr(net, "_get_predict_nonlinearity", None)
    return fn() if fn is not None else (lambda t: t)


@contextlib.contextmanager
def _modes_restored(module):
    """Put every submodule's train/eval flag back as it was, whatever happens."""
    saved = [(m, m.training) for m in module.modules()]
    try:
        yield
    finally:
        for m, flag in saved:
            m.training = flag


class _SampledUncertainty(BaseUncertaintyScorer):
    """Shared scoring: a stack of sampled probabilities -> one score per row.

    Requires ``"model"``: the fitted net is run as a whole.
    """

    requires = "model"

    def __call__(self, estimator, X):
        """Score rows ``X`` with the fitted ``estimator`` (higher: less sure).

        Parameters
        ----------
        estimator : fitted skorch net, or Pipeline ending in one
        X : array-like

        Returns
        -------
        scores : ndarray of shape (n_rows,)
        """
        return sampled_uncertainty(self.predict_proba_samples(estimator, X), self.measure)

    def _seed(self):
        return int(check_random_state(self.random_state).randint(MAX_SEED))

    def _run(self, estimator, X, batch_fn):
        """Iterate the net's batches under no_grad with torch's global generator
        forked (skorch's DataLoader draws a base seed from it even unshuffled),
        calling ``batch_fn(net, module, Xi, nonlin) -> (n_draws, b, k)``."""
        self._validate_params()
        torch = import_torch(type(self).__name__)
        import_skorch(type(self).__name__)
        from skorch.dataset import unpack_data

        net, X = _unwrap(estimator, X)
        module = net.module_
        nonlin = _nonlinearity(net)
        seed = self._seed()
        out = []
        with _modes_restored(module), torch.no_grad(), seeded_torch(seed, net.device):
            self._set_modes(module)
            for batch in net.get_iterator(net.get_dataset(X), training=False):
                Xi, _ = unpack_data(batch)
                out.append(batch_fn(net, module, Xi, nonlin, seed))
        return np.concatenate(out, axis=1) if out else np.empty((0, 0, 0))


def _to_proba(yp, nonlin):
    yp = yp[0] if isinstance(yp, tuple) else yp
    return nonlin(yp).detach().cpu().numpy().astype(float)


class MCDropout(_SampledUncertainty):
    r"""Monte Carlo dropout for skorch classifiers (seed 000, §2.2.2).

    Runs ``n_passes`` stochastic forward passes with only the dropout layers
    in training mode: batch normalisation and everything else stay in
    evaluation mode, gradients are off (``torch.no_grad``), and every
    submodule's mode is put back afterwards, so the net's deterministic
    ``predict_proba`` is unchanged. The passes' class probabilities are
    turned into one score per row (see :func:`sampled_uncertainty`):
    predictive entropy, BALD mutual information, or the pass variance
    :math:`U_{MC}(x) = \frac{1}{T}\sum_t (f^{(t)}(x) - \bar f(x))^2`.

    Only ``torch.nn`` dropout modules (``nn.Dropout``, ``Dropout1d/2d/3d``,
    ``AlphaDropout``...) are switched on; dropout written as
    ``F.dropout(x, training=self.training)`` in a ``forward`` follows the
    module's own (evaluation) mode and is not sampled.

    Parameters
    ----------
    n_passes : int, default=20
        Stochastic forward passes per row.
    measure : {"entropy", "bald", "variance"}, default="entropy"
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks. torch's global generator is forked for the
        passes and restored afterwards, so the caller's torch stream is not
        advanced. An int gives the same scores on every call.

    See Also
    --------
    BayesianPredictiveVariance : for modules that sample their own posterior.
    DeepEnsembleVariance : disagreement of independently initialised nets.

    References
    ----------
    Gal & Ghahramani (2016), "Dropout as a Bayesian Approximation".
    Houlsby et al. (2011), "Bayesian Active Learning for Classification and
    Preference Learning" (BALD).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_activesynth.nn import ImageCNN
    >>> from sklearn_activesynth.uncertainty import MCDropout
    >>> X, y = load_digits(return_X_y=True)
    >>> net = NeuralNetClassifier(ImageCNN, criterion=torch.nn.CrossEntropyLoss,
    ...                           module__input_scale=1 / 16, max_epochs=2,
    ...                           train_split=None, verbose=0).fit(X[:200], y[:200])
    >>> MCDropout(n_passes=5, random_state=0)(net, X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "n_passes": [Interval(Integral, 2, None, closed="left")],
        "measure": [StrOptions(set(SAMPLE_MEASURES))],
        "random_state": ["random_state"],
    }

    def __init__(self, n_passes=20, measure="entropy", random_state=None):
        self.n_passes = n_passes
        self.measure = measure
        self.random_state = random_state

    def _set_modes(self, module):
        import torch

        kinds = getattr(torch.nn.modules.dropout, "_DropoutNd", None) or (
            torch.nn.Dropout, torch.nn.Dropout1d, torch.nn.Dropout2d, torch.nn.Dropout3d,
            torch.nn.AlphaDropout, torch.nn.FeatureAlphaDropout)
        dropouts = [m for m in module.modules() if isinstance(m, kinds)]
        if not any(m.p > 0 for m in dropouts):
            raise ValueError(
                f"{type(module).__name__} has no torch.nn dropout layer with p > 0, so "
                "MC dropout passes would all be identical. Add nn.Dropout layers, or "
                "use DeepEnsembleVariance / BayesianPredictiveVariance.")
        module.eval()
        for m in dropouts:
            m.train()

    def predict_proba_samples(self, estimator, X):
        """Class probabilities of each pass.

        Parameters
        ----------
        estimator : fitted skorch net, or Pipeline ending in one
        X : array-like

        Returns
        -------
        samples : ndarray of shape (n_passes, n_rows, n_classes)
        """
        def batch_fn(net, module, Xi, nonlin, seed):
            return np.stack([_to_proba(net.infer(Xi), nonlin) for _ in range(self.n_passes)])

        return self._run(estimator, X, batch_fn)


class BayesianPredictiveVariance(_SampledUncertainty):
    r"""Predictive uncertainty from posterior samples a model exposes (seed 000, §2.2.3).

    .. math:: U_{Bayes}(x) = E_{p(w|D)}[f(x; w)^2] - E_{p(w|D)}[f(x; w)]^2

    estimated from ``n_samples`` posterior samples and summed over classes
    (``measure="variance"``); the same samples also give the predictive
    entropy or BALD.

    **Protocol.** The skorch net's module implements::

        sample_predictions(x, n_samples, generator=None) -> Tensor

    taking a batch ``x`` as its ``forward`` does (a tensor; a dict batch is
    passed as keyword arguments) and returning ``(n_samples, batch, n_outputs)``:
    the module's output (what ``forward`` returns, e.g. logits) under
    ``n_samples`` draws from its approximate posterior. It is called in
    evaluation mode under ``torch.no_grad``; it should draw its noise from
    ``generator`` (a ``torch.Generator`` seeded from ``random_state``). The
    net's own prediction nonlinearity (softmax for ``CrossEntropyLoss``) turns
    each sample into probabilities. A Laplace or variational last layer, or
    an ensemble held inside one module, fits it;
    :class:`sklearn_activesynth.nn.VariationalImageCNN` is a small one.

    Variances of probabilities are small numbers (a confident model's are
    well below 0.01): give the classifier a ``tol`` to match (``tol=0``
    disables the convergence stop), or use ``measure="entropy"``.

    Parameters
    ----------
    n_samples : int, default=50
        Posterior samples per row.
    measure : {"variance", "entropy", "bald"}, default="variance"
    random_state : int, RandomState instance or None, default=None
        Seeds the ``torch.Generator`` handed to ``sample_predictions``.

    See Also
    --------
    MCDropout : posterior samples by dropout, for any module with dropout.

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_activesynth.nn import VariationalImageCNN, VariationalNetClassifier
    >>> from sklearn_activesynth.uncertainty import BayesianPredictiveVariance
    >>> X, y = load_digits(return_X_y=True)
    >>> net = VariationalNetClassifier(VariationalImageCNN, module__input_scale=1 / 16,
    ...                                max_epochs=2, train_split=None,
    ...                                verbose=0).fit(X[:200], y[:200])
    >>> BayesianPredictiveVariance(n_samples=10, random_state=0)(net, X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "measure": [StrOptions(set(SAMPLE_MEASURES))],
        "random_state": ["random_state"],
    }

    def __init__(self, n_samples=50, measure="variance", random_state=None):
        self.n_samples = n_samples
        self.measure = measure
        self.random_state = random_state

    def _set_modes(self, module):
        if not callable(getattr(module, "sample_predictions", None)):
            raise TypeError(
                f"{type(module).__name__} has no sample_predictions(x, n_samples, "
                "generator=None) method, so it exposes no posterior samples. Implement "
                "it (see BayesianPredictiveVariance's docstring), or use MCDropout for "
                "a module with dropout.")
        module.eval()

    def predict_proba_samples(self, estimator, X):
        """Class probabilities under each posterior sample.

        Returns
        -------
        samples : ndarray of shape (n_samples, n_rows, n_classes)
        """
        import torch
        from skorch.utils import to_tensor

        state = {}

        def batch_fn(net, module, Xi, nonlin, seed):
            if "gen" not in state:
                state["gen"] = torch.Generator(device=net.device)
                state["gen"].manual_seed(seed)
            Xi = to_tensor(Xi, device=net.device)
            if isinstance(Xi, Mapping):
                s = module.sample_predictions(n_samples=self.n_samples,
                                              generator=state["gen"], **Xi)
            else:
                s = module.sample_predictions(Xi, self.n_samples, generator=state["gen"])
            if s.ndim != 3 or s.shape[0] != self.n_samples:
                raise ValueError(
                    f"{type(module).__name__}.sample_predictions returned shape "
                    f"{tuple(s.shape)}; expected (n_samples={self.n_samples}, batch, "
                    "n_outputs).")
            return np.stack([_to_proba(s[i], nonlin) for i in range(s.shape[0])])

        return self._run(estimator, X, batch_fn)


def _seedable_keys(estimator):
    params = estimator.get_params(deep=True)
    return [k for k in params if k == "random_state" or k.endswith("__random_state")]


def _fit_seeded(estimator, X, y, sample_weight, indices, fit_params, seed):
    """A clone fitted with its own seed: every ``random_state`` parameter set
    to it, and (by ``fit_clone``) torch's global generator forked and seeded
    for the fit of a torch net."""
    member = clone(estimator)
    keys = _seedable_keys(member)
    if keys:
        member.set_params(**{k: int(seed) for k in keys})
    if indices is not None:
        X, y = take_rows(X, indices), y[indices]
        sample_weight = None if sample_weight is None else sample_weight[indices]
    return fit_clone(member, X, y, sample_weight, fit_params=fit_params,
                     random_state=int(seed))


class DeepEnsembleVariance(EnsembleVariance):
    r"""Deep ensemble: variance across independently initialised members (seed 000, §2.2.1).

    Inside :class:`~sklearn_activesynth.ActiveSynthesisClassifier`,
    ``n_members`` clones of the estimator are trained with different seeds
    (Lakshminarayanan et al., 2017): a torch/skorch net gets torch's global
    generator forked and seeded per member (initialisation, batch order,
    dropout), any ``random_state`` parameter is set to the member's seed. The
    score is the committee variance

    .. math:: U(x) = \frac{1}{k}\sum_{i=1}^{k}(f_{M_i}(x) - \bar f_M(x))^2

    summed over classes. With ``bootstrap=False`` (deep ensembles proper)
    every member sees every row, so training rows are scored in-sample;
    ``bootstrap=True`` adds stratified bootstrap samples and scores each
    training row only by the members that did not see it (as
    :class:`EnsembleVariance` does).

    Members are fitted with joblib (``n_jobs`` of the classifier). Use a
    process backend (joblib's default, loky) when ``n_jobs > 1``: torch's
    global generator is per process, and threads would share it.

    Parameters
    ----------
    n_members : int, default=5
    bootstrap : bool, default=False
        Train each member on a stratified bootstrap sample.
    max_samples : float, default=1.0
        Fraction of rows drawn per member when ``bootstrap=True``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sklearn_activesynth.uncertainty import DeepEnsembleVariance
    >>> X, y = make_classification(n_samples=60, random_state=0)
    >>> scorer = DeepEnsembleVariance(n_members=3)
    >>> members, _ = scorer.fit_committee(MLPClassifier(max_iter=300), X, y, random_state=0)
    >>> scorer.score_committee(members, X[:4], n_classes=2)[0].shape
    (4,)
    """

    _parameter_constraints = {
        **EnsembleVariance._parameter_constraints,
        "bootstrap": ["boolean"],
    }

    def __init__(self, n_members=5, *, bootstrap=False, max_samples=1.0):
        super().__init__(n_members=n_members, max_samples=max_samples)
        self.bootstrap = bootstrap

    def fit_committee(self, estimator, X, y, sample_weight=None, *, fit_params=None,
                      random_state=None, n_jobs=None):
        """Fit ``n_members`` clones of ``estimator`` with different seeds.

        Each member gets its seed in every ``random_state`` parameter and is
        fitted with :func:`~sklearn_activesynth.utils.fit_clone` under that
        seed (torch seeded for a torch net; ``sample_weight`` reaches a
        Pipeline's final step; an estimator without ``sample_weight`` gets a
        weighted resample drawn from the seed, with a warning).

        Parameters
        ----------
        estimator : estimator
            The unfitted template (never fitted itself).
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            Labels encoded as integers ``0..n_classes-1``.
        sample_weight : ndarray of shape (n_samples,) or None, default=None
        fit_params : dict or None, default=None
            Other ``fit`` arguments, passed unchanged to every member.
        random_state : int, RandomState instance or None, default=None
            Seeds the members (and bootstrap samples).
        n_jobs : int or None, default=None
            Members fitted in parallel with joblib.

        Returns
        -------
        members : list of fitted estimators
        in_bag : ndarray of bool, shape (n_members, n_samples)
        """
        self._validate_params()
        if not _seedable_keys(estimator) and not _is_torch_net(estimator):
            raise ValueError(
                f"{type(estimator).__name__} has no random_state and is not a torch "
                "model, so differently seeded members would be identical. Use "
                "EnsembleVariance (bootstrap committee) instead.")
        rng = check_random_state(random_state)
        n = y.shape[0]
        draws = self._bootstrap_draws(y, rng) if self.bootstrap else [None] * self.n_members
        seeds = rng.randint(MAX_SEED, size=self.n_members)
        if sample_weight is not None and not _takes_sample_weight(estimator):
            _warn_resample(estimator)
        members = parallel(n_jobs)(
            delayed(_fit_seeded)(estimator, X, y, sample_weight, idx, fit_params, seed)
            for idx, seed in zip(draws, seeds)
        )
        in_bag = np.ones((self.n_members, n), dtype=bool)
        if self.bootstrap:
            in_bag[:] = False
            for i, idx in enumerate(draws):
                in_bag[i, idx] = True
        return members, in_bag
