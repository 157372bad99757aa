"""Utilities: public generator checks live in ``estimator_checks``."""
