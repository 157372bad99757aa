"""The few scikit-learn internals we use, with fallbacks if they move.

Every private scikit-learn name the package needs is imported here, so a
scikit-learn release that moves one breaks (and is fixed in) one place.
"""

import functools

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
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

__all__ = ["_fit_context", "HasMethods", "Interval", "StrOptions", "validate_params"]
