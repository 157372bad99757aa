"""Utilities: public generator checks live in ``estimator_checks``."""

from ._fitting import fit_clone

__all__ = ["fit_clone"]
