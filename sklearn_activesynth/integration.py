"""How real and synthetic rows are mixed for a refit (seed 000, §2.4; seed 003, §2.3).

An integration strategy (the ``integration=`` parameter of the estimators)
returns one sample weight per row of ``real ∪ synthetic``:
:class:`ConcatIntegration`, :class:`WeightedIntegration`,
:class:`CurriculumIntegration`, :class:`UncertaintyIntegration`,
:class:`DynamicIntegration` (seed 003's dynamic mixing, driven by the
signals of :func:`consistency_score` and the validation gain), or a user's
function wrapped in :class:`CallableIntegration`. A string names one of them
with its default parameters (:func:`resolve_integration`).
:func:`integration_weights` is the same computation as a function for the
first four. Estimators whose ``fit`` takes no ``sample_weight`` get
:func:`weighted_resample` instead.

:class:`ComplexityCurriculum` (seed 003, §2.3.3) is no weighting: it decides
which synthetic rows are easy enough to join the training set in a round.
"""

import math
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_array

from .utils._compat import Interval, StrOptions
from .utils._seeding import MAX_SEED, check_random_state

__all__ = [
    "INTEGRATIONS",
    "BaseIntegration",
    "ConcatIntegration",
    "WeightedIntegration",
    "CurriculumIntegration",
    "UncertaintyIntegration",
    "DynamicIntegration",
    "CallableIntegration",
    "ComplexityCurriculum",
    "resolve_integration",
    "curriculum_alpha",
    "consistency_score",
    "integration_weights",
    "weighted_resample",
]

INTEGRATIONS = ("concat", "weighted", "curriculum", "uncertainty", "dynamic")
#: The methods :func:`integration_weights` computes itself.
_WEIGHT_METHODS = ("concat", "weighted", "curriculum", "uncertainty")


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
    raise ValueError(f"Unknown integration {method!r}; use one of {_WEIGHT_METHODS}.")


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
    synthetic rows: their anchor's). ``needs_signals`` says whether
    :meth:`weights` takes a ``signals=`` keyword, a dict of the round's
    measurements (see :class:`DynamicIntegration`); when False the loop calls
    :meth:`weights` without it.
    """

    needs_uncertainty = False
    needs_signals = False

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


def _signal(value, default):
    """``value`` as a float, ``default`` when it is missing (None or NaN)."""
    if value is None:
        return default
    value = float(value)
    return default if math.isnan(value) else value


class DynamicIntegration(BaseIntegration):
    r"""Dynamic mixing of real and synthetic rows (``integration="dynamic"``).

    Seed 003, §2.3.1: the refit minimises the mixed loss

    .. math::

        \mathcal{L}_{mixed} = (1 - \beta_t)\,\mathcal{L}_{real} + \beta_t\,\mathcal{L}_{syn},
        \qquad \beta_t = \sigma\left(\gamma\,\frac{r_t - r_{threshold}}{r_{scale}}\right),

    with :math:`\sigma` the logistic function. The seed writes the
    synthetic-to-real ratio both as :math:`|D_{syn,t}| / |D_{real,t}|` and as
    :math:`g(P_t, C_t)` without defining :math:`g`; here (:meth:`ratio`)

    .. math::

        r_t = \frac{|D_{syn,t}|}{|D_{real,t}|}\,(1 + P_t)\,C_t,

    where :math:`P_t \in [-1, 1]` is the normalised validation gain of the
    current model over the model fitted on real rows only and
    :math:`C_t \in [0, 1]` the real–synthetic consistency
    (:func:`consistency_score`, 1 when a discriminator cannot tell the two
    apart). The synthetic rows' share :math:`\beta_t` thus grows with their
    count and with measured progress, and shrinks as they become
    distinguishable from the real rows. Without signals
    (:math:`P_t = 0`, :math:`C_t = 1`) :math:`r_t` is the plain ratio of the
    counts. Subclasses change :math:`g` by overriding :meth:`ratio`.

    The mixed loss is realised as sample weights (:meth:`weights`): the real
    rows share :math:`1 - \beta_t` of the total weight and the synthetic rows
    :math:`\beta_t`, normalised to mean 1 over all rows. :math:`\beta_t` is
    not floored: when it saturates at 1 (a very large :math:`\gamma` or
    ratio), the real rows' weight goes to 0, as the formula says.

    Parameters
    ----------
    gamma : float, default=1.0
        :math:`\gamma`, the steepness of the sigmoid (> 0).
    r_threshold : float, default=1.0
        :math:`r_{threshold}`, the ratio at which :math:`\beta_t = 0.5`, that
        is, at which both groups weigh the same in total (>= 0).
    r_scale : float, default=0.5
        :math:`r_{scale}`, the unit the ratio's distance to the threshold is
        measured in (> 0).

    See Also
    --------
    consistency_score : :math:`C_t` from the encoded real and synthetic rows.

    Examples
    --------
    >>> from sklearn_activesynth.integration import DynamicIntegration
    >>> mix = DynamicIntegration(gamma=1.0, r_threshold=1.0, r_scale=0.5)
    >>> mix.ratio(n_real=100, n_synthetic=50, gain=0.2, consistency=0.5)
    0.3
    >>> round(mix.beta(1.0), 3), round(mix.beta(0.5), 3)
    (0.5, 0.269)

    Two real and two synthetic rows give :math:`r_t = 1`, so
    :math:`\beta_t = 0.5` and every row weighs 1; synthetic rows that a
    discriminator tells apart half of the time lose weight:

    >>> mix.weights(n_real=2, n_synthetic=2, round_=1)
    array([1., 1., 1., 1.])
    >>> mix.weights(n_real=2, n_synthetic=2, round_=1,
    ...             signals={"consistency": 0.5}).round(3)
    array([1.462, 1.462, 0.538, 0.538])
    """

    needs_signals = True
    _parameter_constraints = {
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "r_threshold": [Interval(Real, 0, None, closed="left")],
        "r_scale": [Interval(Real, 0, None, closed="neither")],
    }
    #: The keys :meth:`weights` reads from ``signals``.
    signal_names = ("gain", "consistency")

    def __init__(self, gamma=1.0, r_threshold=1.0, r_scale=0.5):
        self.gamma = gamma
        self.r_threshold = r_threshold
        self.r_scale = r_scale

    def ratio(self, n_real, n_synthetic, gain=0.0, consistency=1.0):
        r"""The adapted synthetic-to-real ratio :math:`r_t = g(P_t, C_t)`.

        :math:`r_t = (n_{synthetic} / n_{real})\,(1 + P_t)\,C_t`.

        Parameters
        ----------
        n_real : int
            Number of real training rows (> 0).
        n_synthetic : int
            Number of synthetic training rows (>= 0).
        gain : float, default=0.0
            :math:`P_t`, the normalised validation gain of the current model
            over the real-only model; clipped to [-1, 1]. None or NaN count as
            0 (no measured progress).
        consistency : float, default=1.0
            :math:`C_t`, the real–synthetic consistency; clipped to [0, 1].
            None or NaN count as 1 (indistinguishable).

        Returns
        -------
        r : float
        """
        if n_real <= 0:
            raise ValueError(f"DynamicIntegration needs real rows, got n_real={n_real}.")
        if n_synthetic < 0:
            raise ValueError(f"n_synthetic must be >= 0, got {n_synthetic}.")
        gain = min(max(_signal(gain, 0.0), -1.0), 1.0)
        consistency = min(max(_signal(consistency, 1.0), 0.0), 1.0)
        return float(n_synthetic / n_real * (1.0 + gain) * consistency)

    def beta(self, r):
        r"""The synthetic rows' share :math:`\beta_t = \sigma(\gamma (r - r_{threshold}) / r_{scale})`.

        Parameters
        ----------
        r : float
            :math:`r_t`, from :meth:`ratio`.

        Returns
        -------
        beta : float in [0, 1]
        """
        self._validate_params()
        return float(expit(self.gamma * (float(r) - self.r_threshold) / self.r_scale))

    def weights(self, *, n_real, n_synthetic, round_, real_uncertainty=None,
                synthetic_uncertainty=None, signals=None):
        r"""One weight per row, real rows first: real rows share
        :math:`1 - \beta_t` of the total weight, synthetic rows :math:`\beta_t`.

        Parameters
        ----------
        n_real, n_synthetic : int
        round_ : int
            Unused: the round enters through the signals.
        real_uncertainty, synthetic_uncertainty : ndarray, optional
            Unused.
        signals : dict, optional
            The round's measurements, keys among ``"gain"`` (:math:`P_t`) and
            ``"consistency"`` (:math:`C_t`); a missing key, None or NaN means
            0.0 and 1.0 respectively. Other keys raise a ``ValueError``.

        Returns
        -------
        weights : ndarray of shape (n_real + n_synthetic,)
            Mean 1; all ones when there are no synthetic rows.
        """
        self._validate_params()
        if n_synthetic == 0:
            return np.ones(n_real)
        signals = {} if signals is None else dict(signals)
        unknown = sorted(set(signals) - set(self.signal_names))
        if unknown:
            raise ValueError(
                f"Unknown signals {unknown}; DynamicIntegration reads {list(self.signal_names)}.")
        r = self.ratio(n_real, n_synthetic, gain=signals.get("gain"),
                       consistency=signals.get("consistency"))
        beta = self.beta(r)
        return _group_shares(n_real, n_synthetic, 1.0 - beta)


def consistency_score(Z_real, Z_synthetic, *, random_state=None, cv=2):
    r"""Real–synthetic consistency :math:`C_t = 1 - 2\,|\mathrm{AUC} - 0.5|`.

    A logistic-regression discriminator (``class_weight="balanced"``) learns
    to tell the real rows from the synthetic ones; its ROC AUC is measured
    out-of-fold (``cross_val_predict`` over a shuffled ``StratifiedKFold``).
    :math:`C_t = 1` when it cannot tell them apart (AUC 0.5) and 0 when it
    separates them perfectly (AUC 0 or 1). Columns are standardised with the
    real rows' mean and standard deviation (a constant column is divided by 1)
    before fitting. This is the :math:`C_t` of :class:`DynamicIntegration`.

    Parameters
    ----------
    Z_real : array-like of shape (n_real, n_features)
        Real rows, numeric (already encoded).
    Z_synthetic : array-like of shape (n_synthetic, n_features)
        Synthetic rows, encoded like ``Z_real``.
    random_state : int, RandomState or None, default=None
        Seeds the fold shuffle (None: fresh entropy, never numpy's global
        generator).
    cv : int, default=2
        Number of folds (>= 2).

    Returns
    -------
    consistency : float in [0, 1]
        1.0 when either side has fewer than ``cv`` rows (too few to measure).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.integration import consistency_score
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(300, 2))
    >>> consistency_score(real, rng.normal(size=(300, 2)), random_state=0) > 0.7
    True
    >>> consistency_score(real, rng.normal(6.0, 1.0, size=(300, 2)), random_state=0) < 0.2
    True
    """
    if not isinstance(cv, Integral) or isinstance(cv, bool) or cv < 2:
        raise ValueError(f"cv must be an int >= 2, got {cv!r}.")
    Z_real = check_array(Z_real, dtype=np.float64, ensure_min_samples=0,
                         input_name="Z_real")
    Z_synthetic = check_array(Z_synthetic, dtype=np.float64, ensure_min_samples=0,
                              input_name="Z_synthetic")
    if Z_real.shape[1] != Z_synthetic.shape[1]:
        raise ValueError(
            f"Z_real has {Z_real.shape[1]} columns and Z_synthetic {Z_synthetic.shape[1]}.")
    if Z_real.shape[0] < cv or Z_synthetic.shape[0] < cv:
        return 1.0
    seed = int(check_random_state(random_state).randint(MAX_SEED))
    mean = Z_real.mean(axis=0)
    std = Z_real.std(axis=0)
    std[std == 0] = 1.0
    Z = (np.vstack([Z_real, Z_synthetic]) - mean) / std
    is_real = np.r_[np.ones(Z_real.shape[0]), np.zeros(Z_synthetic.shape[0])]
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    p_real = cross_val_predict(
        LogisticRegression(class_weight="balanced", max_iter=1000), Z, is_real,
        cv=folds, method="predict_proba")[:, 1]
    auc = roc_auc_score(is_real, p_real)
    return float(1.0 - 2.0 * abs(auc - 0.5))


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
            "curriculum": CurriculumIntegration, "uncertainty": UncertaintyIntegration,
            "dynamic": DynamicIntegration}


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



class ComplexityCurriculum(BaseEstimator):
    r"""Which synthetic rows are easy enough to train on this round.

    Seed 003, §2.3.3: the training set of round :math:`t` is

    .. math::

        D_{train,t} = D_{real,t} \cup \{x \in D_{syn} \mid c(x) \le c_t\},
        \qquad c_t = c_{lo} + (c_{hi} - c_{lo})\,\min\left(1, \frac{t}{T_{curr}}\right),

    so harder synthetic rows join as rounds pass. The bounds are quantiles of
    the real training rows' own complexity,
    :math:`c_{lo} = Q_{real}(c_{min})` and :math:`c_{hi} = Q_{real}(c_{max})`
    (``np.quantile``, linear interpolation), which puts :math:`c(x)` of any
    measure on the real rows' scale. A synthetic row harder than the
    :math:`c_{max}` quantile never joins.

    This is not ``integration="curriculum"`` (:class:`CurriculumIntegration`):
    that one keeps every synthetic row and moves their share of the weight
    across rounds; this one keeps every weight and chooses the rows. The two
    can be combined.

    Parameters
    ----------
    complexity : {"uncertainty", "knn"}, default="uncertainty"
        The measure :math:`c(x)`:

        - "uncertainty": the current model's uncertainty of the row, given by
          the caller;
        - "knn": k-NN hardness, the share of the row's ``n_neighbors``
          nearest real rows (Euclidean, on encoded numeric rows) whose label
          differs from the row's label.
    c_min, c_max : float in [0, 1], default=0.5 and 1.0
        Quantile levels of the real rows' complexity where the threshold
        starts (round 0) and where it ends (round ``n_rounds`` and after);
        ``c_min <= c_max``.
    n_rounds : int, default=3
        :math:`T_{curr}`, the rounds the threshold takes to reach its end
        (>= 1).
    n_neighbors : int, default=5
        k of the "knn" measure (>= 1); fewer when there are fewer real rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.integration import ComplexityCurriculum
    >>> curr = ComplexityCurriculum(c_min=0.0, c_max=1.0, n_rounds=2)
    >>> real_c = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    >>> [round(curr.threshold(t, real_c), 2) for t in (0, 1, 2, 3)]
    [0.1, 0.3, 0.5, 0.5]
    >>> curr.ready(1, np.array([0.05, 0.3, 0.45, 0.9]), real_c)
    array([ True,  True, False, False])

    k-NN hardness of 1-D rows: the synthetic row at 1.4 labelled 1 has the real
    rows 1 (label 0) and 2 (label 1) as its two nearest neighbours:

    >>> Z_real, y_real = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
    >>> knn = ComplexityCurriculum(complexity="knn", n_neighbors=2)
    >>> knn.row_complexity(Z_synthetic=np.array([[1.4], [2.6]]), y_synthetic=np.array([1, 1]),
    ...                    Z_real=Z_real, y_real=y_real)
    array([0.5, 0. ])
    """

    _parameter_constraints = {
        "complexity": [StrOptions({"uncertainty", "knn"})],
        "c_min": [Interval(Real, 0, 1, closed="both")],
        "c_max": [Interval(Real, 0, 1, closed="both")],
        "n_rounds": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, complexity="uncertainty", c_min=0.5, c_max=1.0, n_rounds=3,
                 n_neighbors=5):
        self.complexity = complexity
        self.c_min = c_min
        self.c_max = c_max
        self.n_rounds = n_rounds
        self.n_neighbors = n_neighbors

    def _check_params(self):
        self._validate_params()
        if self.c_min > self.c_max:
            raise ValueError(
                f"c_min must be <= c_max, got c_min={self.c_min} and c_max={self.c_max}.")

    def threshold(self, t, real_complexity):
        r"""The threshold :math:`c_t = c_{lo} + (c_{hi} - c_{lo}) \min(1, t / T_{curr})`.

        Parameters
        ----------
        t : int or float
            The round (>= 0).
        real_complexity : array-like of shape (n_real,)
            Complexity of the real training rows (:meth:`real_complexity`);
            its ``c_min`` and ``c_max`` quantiles are :math:`c_{lo}` and
            :math:`c_{hi}`.

        Returns
        -------
        c_t : float
        """
        self._check_params()
        if t < 0:
            raise ValueError(f"The round t must be >= 0, got {t}.")
        rc = np.asarray(real_complexity, dtype=float).ravel()
        if rc.size == 0 or not np.all(np.isfinite(rc)):
            raise ValueError("real_complexity must be a non-empty array of finite values.")
        c_lo, c_hi = np.quantile(rc, [self.c_min, self.c_max])
        return float(c_lo + (c_hi - c_lo) * min(1.0, t / self.n_rounds))

    def _uncertainty(self, uncertainty, name):
        if uncertainty is None:
            raise ValueError(f"complexity='uncertainty' needs the {name} rows' uncertainty.")
        u = np.asarray(uncertainty, dtype=float)
        if u.ndim != 1:
            raise ValueError(f"uncertainty must be 1-D, got shape {u.shape}.")
        return u

    def _knn_inputs(self, **inputs):
        missing = [name for name, value in inputs.items() if value is None]
        if missing:
            raise ValueError(f"complexity='knn' needs {', '.join(missing)}.")

    def row_complexity(self, *, Z_synthetic=None, y_synthetic=None, Z_real=None, y_real=None,
                       uncertainty=None):
        """:math:`c(x)` of each synthetic row.

        Parameters
        ----------
        Z_synthetic : array-like of shape (n_synthetic, n_features), optional
            Encoded synthetic rows ("knn").
        y_synthetic : array-like of shape (n_synthetic,), optional
            Their labels ("knn").
        Z_real : array-like of shape (n_real, n_features), optional
            Encoded real rows, the neighbours ("knn").
        y_real : array-like of shape (n_real,), optional
            Their labels ("knn").
        uncertainty : array-like of shape (n_synthetic,), optional
            The current model's uncertainty of the synthetic rows
            ("uncertainty").

        Returns
        -------
        complexity : ndarray of shape (n_synthetic,)
        """
        self._check_params()
        if self.complexity == "uncertainty":
            return self._uncertainty(uncertainty, "synthetic")
        self._knn_inputs(Z_synthetic=Z_synthetic, y_synthetic=y_synthetic, Z_real=Z_real,
                         y_real=y_real)
        Z_real, y_real = self._labelled(Z_real, y_real, "Z_real", "y_real", min_rows=1)
        Z_syn, y_syn = self._labelled(Z_synthetic, y_synthetic, "Z_synthetic",
                                      "y_synthetic", min_rows=0)
        if Z_syn.shape[1] != Z_real.shape[1]:
            raise ValueError(
                f"Z_synthetic has {Z_syn.shape[1]} columns and Z_real {Z_real.shape[1]}.")
        if Z_syn.shape[0] == 0:
            return np.zeros(0)
        k = min(self.n_neighbors, Z_real.shape[0])
        ind = NearestNeighbors(n_neighbors=k).fit(Z_real).kneighbors(
            Z_syn, return_distance=False)
        return (y_real[ind] != y_syn[:, None]).mean(axis=1)

    def real_complexity(self, *, Z_real=None, y_real=None, uncertainty=None):
        """The complexity of the real training rows, the scale of the threshold.

        Parameters
        ----------
        Z_real : array-like of shape (n_real, n_features), optional
            Encoded real rows ("knn").
        y_real : array-like of shape (n_real,), optional
            Their labels ("knn").
        uncertainty : array-like of shape (n_real,), optional
            The current model's uncertainty of the real rows ("uncertainty").

        Returns
        -------
        complexity : ndarray of shape (n_real,)
            For "knn", leave-one-out: a row is not its own neighbour.
        """
        self._check_params()
        if self.complexity == "uncertainty":
            return self._uncertainty(uncertainty, "real")
        self._knn_inputs(Z_real=Z_real, y_real=y_real)
        Z_real, y_real = self._labelled(Z_real, y_real, "Z_real", "y_real", min_rows=2)
        k = min(self.n_neighbors, Z_real.shape[0] - 1)
        # kneighbors() without X leaves each row out of its own neighbours
        ind = NearestNeighbors(n_neighbors=k).fit(Z_real).kneighbors(return_distance=False)
        return (y_real[ind] != y_real[:, None]).mean(axis=1)

    @staticmethod
    def _labelled(Z, y, z_name, y_name, *, min_rows):
        Z = check_array(Z, dtype=np.float64, ensure_min_samples=0, input_name=z_name)
        if Z.shape[0] < min_rows:
            raise ValueError(
                f"complexity='knn' needs at least {min_rows} rows in {z_name}, "
                f"got {Z.shape[0]}.")
        y = np.asarray(y).ravel()
        if y.shape[0] != Z.shape[0]:
            raise ValueError(f"{z_name} has {Z.shape[0]} rows and {y_name} {y.shape[0]}.")
        return Z, y

    def ready(self, t, complexity, real_complexity):
        """Which rows may join the training set in round ``t``: ``complexity <= c_t``.

        Parameters
        ----------
        t : int or float
            The round (>= 0).
        complexity : array-like of shape (n_synthetic,)
            :meth:`row_complexity` of the synthetic rows; a NaN never joins.
        real_complexity : array-like of shape (n_real,)
            :meth:`real_complexity` of the real rows.

        Returns
        -------
        mask : ndarray of bool, shape (n_synthetic,)
            Non-decreasing in ``t``: a row that joined stays.
        """
        c_t = self.threshold(t, real_complexity)
        return np.asarray(complexity, dtype=float) <= c_t
