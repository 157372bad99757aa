"""Helpers for writing generators (and other components) of the package.

Row containers (DataFrame, ndarray, sparse matrix) are kept as they are:

- :class:`TabularSchema`: what each column of the training data is
  (numeric, integer, categorical, free text), a standardised numeric
  encoding for distances (:meth:`~TabularSchema.encode`), the raw numeric
  values (:meth:`~TabularSchema.numeric_values`), a per-column summary
  (:meth:`~TabularSchema.describe`), and new rows back in the training
  container and dtypes (:meth:`~TabularSchema.restore`);
- :func:`take_rows`: rows by position, in the input's container;
- :func:`concat_rows`: stack row blocks of one container type;
- :func:`take_concat`: rows by position followed by other blocks, in one copy;

and for components that fit models:

- :func:`fit_clone`: a clone of an estimator fitted with sample weights (routed
  to a Pipeline's final step, or applied by weighted resampling when the
  estimator takes none), seeded.

The public generator checks live in
:mod:`sklearn_activesynth.utils.estimator_checks`.

Examples
--------
>>> import numpy as np
>>> from sklearn_activesynth.utils import TabularSchema, concat_rows, take_rows
>>> X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
>>> schema = TabularSchema(X)
>>> new = schema.restore(schema.numeric_values(take_rows(X, [0, 2])).mean(0, keepdims=True))
>>> concat_rows([X, new]).shape
(4, 2)
"""

from ._fitting import fit_clone
from .tabular import TabularSchema, concat_rows, take_concat, take_rows

__all__ = ["TabularSchema", "take_rows", "take_concat", "concat_rows", "fit_clone"]
