"""Generators of labelled synthetic rows.

``InterpolationGenerator`` is built in. The SDV generators (``CTGANGenerator``,
``TVAEGenerator``, ``GaussianCopulaGenerator``) need the ``sdv`` extra, which
is imported only when one of them is fitted; LLM and image generators are
optional extras too.

``generate`` returns a :class:`Synthesized` (it unpacks as ``X_new, y_new``);
:func:`as_synthesized` turns any generator's output into one. Helpers for
writing a generator are in :mod:`sklearn_activesynth.utils`; the checks it
should pass are in :mod:`sklearn_activesynth.utils.estimator_checks`.
"""

from ._interpolation import InterpolationGenerator, SmallClassWarning
from ._llm import LLMGenerationError, LLMGenerator, LLMGeneratorWarning
from ._sdv import CTGANGenerator, GaussianCopulaGenerator, TVAEGenerator
from ._skorch_image import SkorchImageGenerator
from .base import BaseGenerator, GeneratorTags, Synthesized, as_synthesized, get_generator_tags

__all__ = [
    "BaseGenerator",
    "GeneratorTags",
    "Synthesized",
    "as_synthesized",
    "get_generator_tags",
    "InterpolationGenerator",
    "SmallClassWarning",
    "CTGANGenerator",
    "TVAEGenerator",
    "GaussianCopulaGenerator",
    "SkorchImageGenerator",
    "LLMGenerator",
    "LLMGeneratorWarning",
    "LLMGenerationError",
]
