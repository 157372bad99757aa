"""The few scikit-learn internals we use, with fallbacks if they move."""

import functools

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

__all__ = ["_fit_context"]
