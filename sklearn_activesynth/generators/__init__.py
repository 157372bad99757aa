"""Generators of labelled synthetic rows.

``InterpolationGenerator`` is built in. Deep tabular (SDV), LLM and image
generators are optional extras imported lazily.
"""

from ._interpolation import InterpolationGenerator
from ._llm import LLMGenerationError, LLMGenerator, LLMGeneratorWarning
from ._skorch_image import SkorchImageGenerator
from .base import BaseGenerator, GeneratorTags, get_generator_tags

__all__ = [
    "BaseGenerator",
    "GeneratorTags",
    "get_generator_tags",
    "InterpolationGenerator",
    "SkorchImageGenerator",
    "LLMGenerator",
    "LLMGeneratorWarning",
    "LLMGenerationError",
]
