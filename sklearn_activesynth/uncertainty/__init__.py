"""Uncertainty of a classifier on real rows (seed 000, §2.2).

Pure measures on predicted probabilities, and scorer objects accepted by
``ActiveSynthesisClassifier(uncertainty=...)``. Every scorer subclasses
:class:`BaseUncertaintyScorer` and declares in ``requires`` what the loop must
hand it: predicted probabilities (``"proba"``), a committee it fits itself
(``"committee"``) or the fitted model (``"model"``). A plain callable
``f(fitted_estimator, X) -> scores`` is accepted there too (as a
:class:`CallableUncertainty`; :func:`resolve_uncertainty` maps every accepted
value to its scorer). The scorers for
torch/skorch classifiers (``MCDropout``, ``DeepEnsembleVariance``,
``BayesianPredictiveVariance``) import torch only when they run. For a
regressor (``ActiveSynthesisRegressor``): :func:`committee_variance`,
:class:`CommitteeVariance`, :class:`PredictiveStd`, :class:`MCDropoutVariance`
(torch/skorch regressors; torch imported only when it runs) and
:class:`QuantileIntervalWidth`.
"""

from ._base import BaseUncertaintyScorer, CallableUncertainty, predict_proba_like
from ._measures import ensemble_variance, entropy, least_confidence, margin
from ._regression import (
    CommitteeVariance,
    MCDropoutVariance,
    PredictiveStd,
    QuantileIntervalWidth,
    committee_variance,
    resolve_regression_uncertainty,
)
from ._scorers import EnsembleVariance, SoftmaxUncertainty, resolve_uncertainty
from ._torch import (
    BayesianPredictiveVariance,
    DeepEnsembleVariance,
    MCDropout,
    sampled_uncertainty,
)

__all__ = [
    "BaseUncertaintyScorer",
    "CallableUncertainty",
    "resolve_uncertainty",
    "entropy",
    "margin",
    "least_confidence",
    "ensemble_variance",
    "SoftmaxUncertainty",
    "EnsembleVariance",
    "predict_proba_like",
    "sampled_uncertainty",
    "MCDropout",
    "DeepEnsembleVariance",
    "BayesianPredictiveVariance",
    "committee_variance",
    "CommitteeVariance",
    "PredictiveStd",
    "MCDropoutVariance",
    "QuantileIntervalWidth",
    "resolve_regression_uncertainty",
]
