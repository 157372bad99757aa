"""Uncertainty of a classifier on real rows (seed 000, §2.2).

Pure measures on predicted probabilities, and scorer objects accepted by
``ActiveSynthesisClassifier(uncertainty=...)``. A plain callable
``f(fitted_estimator, X) -> scores`` is accepted there too. The scorers for
torch/skorch classifiers (``MCDropout``, ``DeepEnsembleVariance``,
``BayesianPredictiveVariance``) import torch only when they run.
"""

from ._measures import ensemble_variance, entropy, least_confidence, margin
from ._scorers import EnsembleVariance, SoftmaxUncertainty, predict_proba_like
from ._torch import (
    BayesianPredictiveVariance,
    DeepEnsembleVariance,
    MCDropout,
    sampled_uncertainty,
)

__all__ = [
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
]
