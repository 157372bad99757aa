"""Generators of labelled synthetic rows.

``InterpolationGenerator`` is built in. Deep tabular (SDV), LLM and image
generators are optional extras imported lazily.
"""

from ._interpolation import InterpolationGenerator
from ._llm import LLMGenerationError, LLMGenerator, LLMGeneratorWarning
from .base import BaseGenerator, GeneratorTags, get_generator_tags

__all__ = [
    "BaseGenerator",
    "GeneratorTags",
    "get_generator_tags",
    "InterpolationGenerator",
    "LLMGenerator",
    "LLMGeneratorWarning",
    "LLMGenerationError",
]
