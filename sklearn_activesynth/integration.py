"""How real and synthetic rows are mixed for a refit (seed 000, §2.4).

:func:`integration_weights` returns one sample weight per row of
``real ∪ synthetic``; estimators whose ``fit`` takes no ``sample_weight`` get
:func:`weighted_resample` instead.
"""

import numpy as np

__all__ = ["INTEGRATIONS", "curriculum_alpha", "integration_weights", "weighted_resample"]

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
