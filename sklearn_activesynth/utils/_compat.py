"""The few scikit-learn internals we use, with fallbacks if they move.

Modules of the package import private scikit-learn names from here only, so
that a move in a new scikit-learn release is fixed in one place.
"""

import functools

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)

try:  # scikit-learn >= 1.3
    from sklearn.base import _fit_context
except ImportError:  # pragma: no cover
    def _fit_context(*, prefer_skip_nested_validation):
        def decorator(fit_method):
            @functools.wraps(fit_method)
            def wrapper(estimator, *args, **kwargs):
                estimator._validate_params()
                return fit_method(estimator, *args, **kwargs)
            return wrapper
        return decorator

__all__ = [
    "_fit_context",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "validate_params",
]
