"""sklearn-activesynth: active synthesis for scikit-learn.

Targeted synthetic data where the model is unsure, as a drop-in estimator.
"""

from ._active_synthesis import ActiveSynthesisClassifier
from ._base import FilterContext, GeneratorFailedWarning
from ._regression_sampler import ActiveSynthesisRegressionSampler
from ._regressor import ActiveSynthesisRegressor
from ._sampler import ActiveSynthesisSampler, ResamplingShortfallWarning

__version__ = "0.1.0"

__all__ = [
    "ActiveSynthesisClassifier",
    "ActiveSynthesisRegressionSampler",
    "ActiveSynthesisRegressor",
    "ActiveSynthesisSampler",
    "FilterContext",
    "GeneratorFailedWarning",
    "ResamplingShortfallWarning",
    "__version__",
]
