"""Former private home of :mod:`sklearn_activesynth.utils.tabular`.

Kept as an alias so that modules not yet moved to the public module keep
importing; import from ``sklearn_activesynth.utils`` (or ``.utils.tabular``).
"""

from .tabular import TabularSchema, concat_rows, take_concat, take_rows  # noqa: F401

__all__ = ["TabularSchema", "take_rows", "take_concat", "concat_rows"]
