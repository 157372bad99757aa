"""How real and synthetic rows are mixed for a refit (seed 000, §2.4).

An integration strategy (the ``integration=`` parameter of the estimators)
returns one sample weight per row of ``real ∪ synthetic``:
:class:`ConcatIntegration`, :class:`WeightedIntegration`,
:class:`CurriculumIntegration`, :class:`UncertaintyIntegration`, or a user's
function wrapped in :class:`CallableIntegration`. A string names one of them
with its default parameters (:func:`resolve_integration`).
:func:`integration_weights` is the same computation as a function. Estimators
whose ``fit`` takes no ``sample_weight`` get :func:`weighted_resample` instead.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator

from .utils._compat import Interval

__all__ = [
    "INTEGRATIONS",
    "BaseIntegration",
    "ConcatIntegration",
    "WeightedIntegration",
    "CurriculumIntegration",
    "UncertaintyIntegration",
    "CallableIntegration",
    "resolve_integration",
    "curriculum_alpha",
    "integration_weights",
    "weighted_resample",
]

INTEGRATIONS = ("concat", "weighted", "curriculum", "uncertainty")


def curriculum_alpha(t, *, alpha_start=1.0, alpha_end=0.5, rate=1.0):
    r"""Share of the training weight given to real rows at round ``t``.

    :math:`\alpha(t) = \alpha_{start} e^{-\lambda t} + \alpha_{end}(1 - e^{-\lambda t})`
    (seed 000, §2.4, curriculum learning): training starts (almost) on real
    rows only and moves the synthetic rows' share towards ``1 - alpha_end``.

    Examples
    --------
    >>> from sklearn_activesynth.integration import curriculum_alpha
    >>> [round(curriculum_alpha(t, alpha_end=0.5), 3) for t in (0, 1, 3)]
    [1.0, 0.684, 0.525]
    """
    decay = np.exp(-rate * t)
    return float(alpha_start * decay + alpha_end * (1.0 - decay))


def _group_shares(n_real, n_syn, alpha):
    """Per-row weights giving real rows total share ``alpha``, synthetic ``1-alpha``,
    normalised to mean 1 over all rows."""
    n = n_real + n_syn
    w = np.empty(n)
    w[:n_real] = alpha * n / n_real
    w[n_real:] = (1.0 - alpha) * n / n_syn
    return w


def integration_weights(method, *, n_real, n_synthetic, round_=1, synthetic_weight=0.5,
                        curriculum_rate=1.0, real_uncertainty=None,
                        synthetic_uncertainty=None, floor=0.1):
    """Sample weights for ``real ∪ synthetic`` (real rows first).

    Parameters
    ----------
    method : {"concat", "weighted", "curriculum", "uncertainty"} or callable
        - "concat": every row weighs 1 (:math:`D_{real} \\cup D_{synth}`);
        - "weighted": real rows share ``1 - synthetic_weight`` of the total
          weight and synthetic rows ``synthetic_weight`` (seed's α is
          ``1 - synthetic_weight``);
        - "curriculum": the same with the real share following
          :func:`curriculum_alpha` from 1 towards ``1 - synthetic_weight``
          across rounds;
        - "uncertainty": weights proportional to each row's uncertainty
          (real rows: their own, synthetic rows: their anchor's), floored at
          ``floor`` times the mean so that no real row is dropped;
        - a callable ``f(n_real, n_synthetic, round_, real_uncertainty,
          synthetic_uncertainty) -> weights``.
    n_real, n_synthetic : int
    round_ : int, default=1
    synthetic_weight : float, default=0.5
    curriculum_rate : float, default=1.0
        λ of the curriculum.
    real_uncertainty, synthetic_uncertainty : ndarray, optional
        Needed by "uncertainty".
    floor : float, default=0.1

    Returns
    -------
    weights : ndarray of shape (n_real + n_synthetic,)

    Examples
    --------
    >>> from sklearn_activesynth.integration import integration_weights
    >>> integration_weights("weighted", n_real=3, n_synthetic=1, synthetic_weight=0.5)
    array([0.66666667, 0.66666667, 0.66666667, 2.        ])
    """
    n = n_real + n_synthetic
    if callable(method):
        w = np.asarray(method(n_real, n_synthetic, round_, real_uncertainty,
                              synthetic_uncertainty), dtype=float)
        if w.shape != (n,) or np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ValueError(
                f"The integration callable must return {n} finite non-negative weights, "
                f"got shape {w.shape}."
            )
        return w
    if method == "concat" or n_synthetic == 0:
        return np.ones(n)
    if method == "weighted":
        return _group_shares(n_real, n_synthetic, 1.0 - synthetic_weight)
    if method == "curriculum":
        alpha = curriculum_alpha(round_, alpha_start=1.0, alpha_end=1.0 - synthetic_weight,
                                 rate=curriculum_rate)
        return _group_shares(n_real, n_synthetic, alpha)
    if method == "uncertainty":
        u = np.concatenate([np.asarray(real_uncertainty, dtype=float),
                            np.asarray(synthetic_uncertainty, dtype=float)])
        mean = u.mean()
        if not np.isfinite(mean) or mean <= 0:
            return np.ones(n)
        w = np.maximum(u / mean, floor)
        return w * n / w.sum()
    raise ValueError(f"Unknown integration {method!r}; use one of {INTEGRATIONS}.")


def weighted_resample(weights, rng):
    """Row indices drawn with replacement with probability ∝ ``weights``
    (the fallback for estimators whose ``fit`` takes no ``sample_weight``)."""
    p = np.asarray(weights, dtype=float)
    p = p / p.sum()
    return rng.choice(len(p), size=len(p), replace=True, p=p)


class BaseIntegration(BaseEstimator):
    """How a refit weighs real and synthetic rows: the ``integration=`` protocol.

    Subclasses implement :meth:`weights`. ``needs_uncertainty`` says whether
    the loop must pass each row's uncertainty (real rows: their own,
    synthetic rows: their anchor's).
    """

    needs_uncertainty = False

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None):
        """One non-negative weight per row, real rows first.

        Parameters
        ----------
        n_real, n_synthetic : int
        round_ : int
            The round whose refit the weights are for (0 before any synthesis).
        real_uncertainty, synthetic_uncertainty : ndarray, optional

        Returns
        -------
        weights : ndarray of shape (n_real + n_synthetic,)
        """
        raise NotImplementedError


class ConcatIntegration(BaseIntegration):
    """Every row weighs 1: :math:`D_{real} \\cup D_{synth}` (``integration="concat"``).

    Examples
    --------
    >>> from sklearn_activesynth.integration import ConcatIntegration
    >>> ConcatIntegration().weights(n_real=2, n_synthetic=1, round_=1)
    array([1., 1., 1.])
    """

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None):
        return integration_weights("concat", n_real=n_real, n_synthetic=n_synthetic)


class WeightedIntegration(BaseIntegration):
    """Real rows share ``1 - synthetic_weight`` of the weight (``integration="weighted"``).

    Parameters
    ----------
    synthetic_weight : float, default=0.5
        Share of the total training weight given to synthetic rows (the
        seed's ``1 - alpha``, seed 000 §2.4).

    Examples
    --------
    >>> from sklearn_activesynth.integration import WeightedIntegration
    >>> WeightedIntegration(0.5).weights(n_real=3, n_synthetic=1, round_=1)
    array([0.66666667, 0.66666667, 0.66666667, 2.        ])
    """

    _parameter_constraints = {"synthetic_weight": [Interval(Real, 0, 1, closed="neither")]}

    def __init__(self, synthetic_weight=0.5):
        self.synthetic_weight = synthetic_weight

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None):
        self._validate_params()
        return integration_weights("weighted", n_real=n_real, n_synthetic=n_synthetic,
                                   synthetic_weight=self.synthetic_weight)


class CurriculumIntegration(BaseIntegration):
    """The real rows' share follows :func:`curriculum_alpha` from 1 towards
    ``1 - synthetic_weight`` across rounds (``integration="curriculum"``).

    Parameters
    ----------
    synthetic_weight : float, default=0.5
        The synthetic rows' share the schedule moves towards.
    rate : float, default=1.0
        λ of the schedule.

    Examples
    --------
    >>> from sklearn_activesynth.integration import CurriculumIntegration
    >>> CurriculumIntegration(rate=1.0).weights(n_real=1, n_synthetic=1, round_=0)
    array([2., 0.])
    """

    _parameter_constraints = {
        "synthetic_weight": [Interval(Real, 0, 1, closed="neither")],
        "rate": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, synthetic_weight=0.5, rate=1.0):
        self.synthetic_weight = synthetic_weight
        self.rate = rate

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None):
        self._validate_params()
        return integration_weights("curriculum", n_real=n_real, n_synthetic=n_synthetic,
                                   round_=round_, synthetic_weight=self.synthetic_weight,
                                   curriculum_rate=self.rate)


class UncertaintyIntegration(BaseIntegration):
    """Weights proportional to each row's uncertainty (``integration="uncertainty"``).

    Real rows weigh by their own uncertainty, synthetic rows by their
    anchor's; floored at ``floor`` times the mean so that no real row is
    dropped.

    Parameters
    ----------
    floor : float, default=0.1

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.integration import UncertaintyIntegration
    >>> UncertaintyIntegration().weights(
    ...     n_real=2, n_synthetic=1, round_=1, real_uncertainty=np.array([0.1, 0.3]),
    ...     synthetic_uncertainty=np.array([0.2]))
    array([0.5, 1.5, 1. ])
    """

    needs_uncertainty = True
    _parameter_constraints = {"floor": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, floor=0.1):
        self.floor = floor

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None):
        self._validate_params()
        return integration_weights(
            "uncertainty", n_real=n_real, n_synthetic=n_synthetic,
            real_uncertainty=real_uncertainty, synthetic_uncertainty=synthetic_uncertainty,
            floor=self.floor)


class CallableIntegration(BaseIntegration):
    """A user's ``func(n_real, n_synthetic, round_, real_uncertainty,
    synthetic_uncertainty) -> weights`` as an integration strategy.

    Parameters
    ----------
    func : callable

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.integration import CallableIntegration
    >>> half = CallableIntegration(lambda n_r, n_s, t, u_r, u_s: np.r_[np.ones(n_r),
    ...                                                              np.full(n_s, .5)])
    >>> half.weights(n_real=2, n_synthetic=1, round_=1)
    array([1. , 1. , 0.5])
    """

    needs_uncertainty = True

    def __init__(self, func):
        self.func = func

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None):
        return integration_weights(
            self.func, n_real=n_real, n_synthetic=n_synthetic, round_=round_,
            real_uncertainty=real_uncertainty, synthetic_uncertainty=synthetic_uncertainty)


_BY_NAME = {"concat": ConcatIntegration, "weighted": WeightedIntegration,
            "curriculum": CurriculumIntegration, "uncertainty": UncertaintyIntegration}


def resolve_integration(spec):
    """The strategy object for ``spec``: a name (its class with default
    parameters), a :class:`BaseIntegration` (itself) or a callable
    (:class:`CallableIntegration`)."""
    if isinstance(spec, str):
        if spec not in _BY_NAME:
            raise ValueError(f"Unknown integration {spec!r}; use one of {INTEGRATIONS}.")
        return _BY_NAME[spec]()
    if isinstance(spec, BaseIntegration):
        return spec
    if callable(spec):
        return CallableIntegration(spec)
    raise TypeError(
        f"integration must be a name in {INTEGRATIONS}, a BaseIntegration or a callable, "
        f"got {type(spec).__name__}.")
