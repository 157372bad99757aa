"""Every private scikit-learn name the package uses, imported here and only here.

scikit-learn does not promise these names; if one moves, this is the one file
to change (imbalanced-learn does the same through the ``sklearn-compat``
package; our list is short enough to keep by hand).
"""

import functools

from sklearn.utils._param_validation import (  # noqa: F401
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
