"""Generators of labelled synthetic rows.

``InterpolationGenerator`` is built in. The SDV generators (``CTGANGenerator``,
``TVAEGenerator``, ``GaussianCopulaGenerator``) need the ``sdv`` extra, which
is imported only when one of them is fitted; LLM and image generators are
optional extras too.
"""

from ._interpolation import InterpolationGenerator
from ._llm import LLMGenerationError, LLMGenerator, LLMGeneratorWarning
from ._sdv import CTGANGenerator, GaussianCopulaGenerator, TVAEGenerator
from ._skorch_image import SkorchImageGenerator
from .base import BaseGenerator, GeneratorTags, get_generator_tags

__all__ = [
    "BaseGenerator",
    "GeneratorTags",
    "get_generator_tags",
    "InterpolationGenerator",
    "CTGANGenerator",
    "TVAEGenerator",
    "GaussianCopulaGenerator",
    "SkorchImageGenerator",
    "LLMGenerator",
    "LLMGeneratorWarning",
    "LLMGenerationError",
]
