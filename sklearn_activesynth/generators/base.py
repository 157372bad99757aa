"""The Generator protocol and its base class.

A generator learns the real training rows once (``fit``) and then produces
labelled synthetic rows on request (``generate``), using what the loop's
:class:`~sklearn_activesynth.targeting.Targets` tells it: anchor rows,
region descriptions, class counts. It is deliberately not called
``fit_resample``: imbalanced-learn would take it for a sampler.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils._tabular import TabularSchema

__all__ = ["BaseGenerator", "GeneratorTags", "get_generator_tags"]


@dataclass
class GeneratorTags:
    """Capabilities of a generator, read by the loop (not by try/except).

    Attributes
    ----------
    conditional : bool
        Can produce an exact number of rows per class.
    uses_anchors : bool
        Uses the anchor rows in ``targets`` (interpolation, latent sampling).
    uses_descriptions : bool
        Uses the regions' text descriptions (an LLM).
    requires_torch : bool
    accepts_sparse : bool
    deterministic : bool
        Same ``random_state`` gives the same rows.
    image : bool
        Learns images: ``(n, C, H, W)`` arrays, or rows of flattened pixels
        with a declared ``image_shape``. The public generator checks then run
        their image variant (digits instead of the mixed-type frame).
    """

    conditional: bool = True
    uses_anchors: bool = False
    uses_descriptions: bool = False
    requires_torch: bool = False
    accepts_sparse: bool = False
    deterministic: bool = True
    image: bool = False


def get_generator_tags(generator):
    """Tags of ``generator`` (defaults for duck-typed generators without them)."""
    if hasattr(generator, "__generator_tags__"):
        return generator.__generator_tags__()
    return GeneratorTags()


class BaseGenerator(BaseEstimator):
    """Base class for generators: validation and container handling around
    ``_fit`` and ``_generate``.

    Subclasses implement

    - ``_fit(self, X, y)``: learn the data; ``self.schema_`` (a
      ``TabularSchema``) and ``self.classes_`` are set before it is called;
    - ``_generate(self, n_samples, targets, random_state)`` returning
      ``(X_new, y_new)`` in the training container (``self.schema_.restore``
      builds a DataFrame with the training dtypes).

    The public methods check inputs, keep the caller's data untouched and
    check that the output keeps the training schema.

    During ``_generate`` a generator may set, for the loop to record:

    - ``last_anchor_positions_``: per generated row, the training-row position
      of the anchor it was made for (-1 for none);
    - ``last_report_``: a dict of per-call figures merged into the round's
      ``history_`` row (requests, tokens, cache hits, invalid rows by reason);
    - ``last_provenance_``: a dict of per-row arrays added as columns of
      ``synthetic_provenance_`` (e.g. the request that produced each row).

    ``generate`` resets them before each call.
    """

    def __generator_tags__(self):
        return GeneratorTags()

    def fit(self, X, y):
        """Learn the real rows ``X`` with labels ``y``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        if sp.issparse(X) and not self.__generator_tags__().accepts_sparse:
            raise TypeError(
                f"{type(self).__name__} does not accept sparse input; densify X or "
                "use InterpolationGenerator."
            )
        if not (isinstance(X, pd.DataFrame) or sp.issparse(X)):
            X = np.asarray(X)
            if X.ndim != 2:
                raise ValueError(f"X must be 2-D, got shape {X.shape}.")
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must be 1-D with one label per row of X: X has {X.shape[0]} rows, "
                f"y has shape {y.shape}."
            )
        if X.shape[0] == 0:
            raise ValueError(f"{type(self).__name__}.fit needs at least one row.")
        self.schema_ = TabularSchema(X)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self._fit(X, y)
        return self

    def generate(self, n_samples=None, *, targets=None, random_state=None):
        """Produce labelled synthetic rows.

        Parameters
        ----------
        n_samples : int, optional
            Number of rows. Defaults to ``targets.n_samples`` when targets are
            given; required otherwise.
        targets : Targets, optional
            What the loop wants: anchors, regions, class counts. Without it the
            generator samples untargeted rows with the training class mix.
        random_state : int, RandomState or None
            Same value, same rows.

        Returns
        -------
        X_new : same container as the training X
        y_new : ndarray of shape (n_new,)
        """
        check_is_fitted(self, "schema_")
        if n_samples is None:
            if targets is None:
                raise ValueError("generate needs n_samples or targets.")
            n_samples = targets.n_samples
        if not isinstance(n_samples, Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        rng = check_random_state(random_state)
        self.last_anchor_positions_ = None
        self.last_report_ = {}
        self.last_provenance_ = {}
        X_new, y_new = self._generate(int(n_samples), targets, rng)
        y_new = np.asarray(y_new)
        if X_new.shape[0] != y_new.shape[0]:
            raise RuntimeError(
                f"{type(self).__name__} returned {X_new.shape[0]} rows but "
                f"{y_new.shape[0]} labels."
            )
        return X_new, y_new

    def _class_counts(self, n_samples, targets, y_train):
        """Per-class counts: the targets' if given, else the training class mix."""
        if targets is not None and targets.class_counts:
            return dict(targets.class_counts)
        from ..targeting import allocate_classes

        return allocate_classes(n_samples, y_train, allocation="proportional",
                                classes=self.classes_)
