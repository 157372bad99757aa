"""The one seed constant of the package.

Every seed the loop hands on (to a clone, a fold split, a generator, a filter)
is drawn as ``rng.randint(MAX_SEED)`` from the estimator's own generator, so
one ``random_state`` fixes a whole fit.
"""

import numpy as np

__all__ = ["MAX_SEED"]

#: Largest seed drawn for a component (numpy's legacy seeds are 32-bit).
MAX_SEED = np.iinfo(np.int32).max
