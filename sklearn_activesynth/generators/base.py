"""The Generator protocol and its base class.

A generator learns the real training rows once (``fit``) and then produces
labelled synthetic rows on request (``generate``), using what the loop's
:class:`~sklearn_activesynth.targeting.Targets` tells it: anchor rows,
region descriptions, class counts. ``generate`` returns a :class:`Synthesized`:
the rows and labels (it unpacks as ``X_new, y_new``), the anchor each row was
made for, per-call figures and per-row provenance. It is deliberately not called
``fit_resample``: imbalanced-learn would take it for a sampler.
"""

from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..utils._seeding import check_random_state
from ..utils.tabular import TabularSchema

__all__ = [
    "BaseGenerator",
    "GeneratorTags",
    "Synthesized",
    "as_synthesized",
    "get_generator_tags",
]


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
    retries_internally : bool
        The generator retries failed calls itself under its own budget; the
        loop then calls ``generate`` once per round instead of retrying.
    continuous_target : bool
        Also makes rows with a continuous target: it has a ``target_type``
        parameter that takes ``"continuous"`` (which
        :class:`~sklearn_activesynth.ActiveSynthesisRegressor` sets on its
        copy). The public generator checks then run their regression variant
        (:func:`~sklearn_activesynth.utils.estimator_checks.check_generator_regression`).
    """

    conditional: bool = True
    uses_anchors: bool = False
    uses_descriptions: bool = False
    requires_torch: bool = False
    accepts_sparse: bool = False
    deterministic: bool = True
    image: bool = False
    retries_internally: bool = False
    continuous_target: bool = False


def get_generator_tags(generator):
    """Tags of ``generator`` (defaults for duck-typed generators without them)."""
    if hasattr(generator, "__generator_tags__"):
        return generator.__generator_tags__()
    return GeneratorTags()


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


@dataclass(eq=False)
class Synthesized:
    """One ``generate`` call's result: the rows and what the loop records about them.

    It unpacks like the ``(X_new, y_new)`` pair generators used to return,
    so ``X_new, y_new = gen.generate(...)`` keeps working.

    Parameters
    ----------
    X : DataFrame, ndarray or sparse matrix
        The rows, in the training container (columns and dtypes of the
        training ``X``).
    y : ndarray of shape (n_samples,)
        Their labels, in the original label space.
    anchor_positions : ndarray of int of shape (n_samples,) or None, default=None
        Per row, the position (in the training rows given to ``fit``) of the
        anchor it was made for; -1 for a row made for no anchor. ``None``:
        not known; :func:`as_synthesized` fills it in.
    report : dict, default={}
        Per-call figures (requests, tokens, shortfalls, timings...); the
        loop merges them into the round's ``history_`` row.
    provenance : dict, default={}
        Name -> array with one entry per row (e.g. the request that produced
        it); the loop adds each as a column of ``synthetic_provenance_``.

    Attributes
    ----------
    n_samples : int
        Number of rows.

    See Also
    --------
    as_synthesized : builds one from any generator's output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.generators import InterpolationGenerator
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
    >>> result = InterpolationGenerator(k_neighbors=3).fit(X, y).generate(6, random_state=0)
    >>> result.n_samples, result.anchor_positions.tolist(), result.report
    (6, [-1, -1, -1, -1, -1, -1], {'n_rows_small_classes': 0, 'n_rows_without_partners': 0})
    >>> X_new, y_new = result
    >>> X_new.shape, y_new.shape
    ((6, 3), (6,))
    """

    X: object
    y: np.ndarray
    anchor_positions: np.ndarray | None = None
    report: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    def __iter__(self):
        yield self.X
        yield self.y

    @property
    def n_samples(self):
        """Number of rows."""
        return int(_n_rows(self.y))

    def __repr__(self):
        shape = getattr(self.X, "shape", None)
        kind = type(self.X).__name__
        positions = None if self.anchor_positions is None else \
            f"<{len(self.anchor_positions)} positions>"
        return (f"Synthesized(n_samples={self.n_samples}, X=<{kind} of shape {shape}>, "
                f"anchor_positions={positions}, report={sorted(self.report)}, "
                f"provenance={sorted(self.provenance)})")


def as_synthesized(out, *, targets=None, generator=None):
    """Normalise a generator's output into a :class:`Synthesized`.

    The loop calls it on whatever ``generate`` returned, so that duck-typed
    generators returning ``(X_new, y_new)`` work as well as those returning
    a ``Synthesized``. ``anchor_positions`` is always set in the result:

    1. the positions ``out`` carries, if they have one entry per row;
    2. otherwise, if ``generator``'s tags say ``uses_anchors`` and ``targets``
       is given and the row count equals ``targets.n_samples``, the rows are
       taken to come anchor by anchor, in the order of
       ``targets.anchor_indices`` with ``targets.anchor_counts`` rows each:
       ``np.repeat(targets.anchor_indices, targets.anchor_counts)``;
    3. otherwise -1 (no anchor known) for every row.

    Parameters
    ----------
    out : Synthesized or tuple (X_new, y_new)
        What a generator's ``generate`` (or ``_generate``) returned.
    targets : Targets, optional
        The targets the rows were asked for.
    generator : object, optional
        The generator that made them (its tags are read, see
        :func:`get_generator_tags`).

    Returns
    -------
    result : Synthesized
        A new object (``out`` is not modified) with ``y`` as an ndarray,
        ``anchor_positions`` an int ndarray of one entry per row, and each
        provenance value as an ndarray. Provenance arrays are passed on as
        they are, whatever their length.

    Raises
    ------
    TypeError
        If ``out`` is neither a ``Synthesized`` nor an ``(X, y)`` pair.
    ValueError
        If ``y`` is not 1-D or ``X`` and ``y`` have different numbers of rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.generators import as_synthesized
    >>> X_new, y_new = np.zeros((3, 2)), np.array([0, 1, 1])
    >>> as_synthesized((X_new, y_new)).anchor_positions
    array([-1, -1, -1])
    >>> as_synthesized(Synthesized(X_new, y_new, anchor_positions=[4, 4, 7])).anchor_positions
    array([4, 4, 7])
    """
    if isinstance(out, Synthesized):
        X, y = out.X, out.y
        positions, report, provenance = out.anchor_positions, out.report, out.provenance
    else:
        try:
            X, y = out
        except (TypeError, ValueError):
            raise TypeError(
                "A generator must return a Synthesized or an (X_new, y_new) pair; got "
                f"{type(out).__name__}.") from None
        positions, report, provenance = None, {}, {}
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"Generated labels must be 1-D; got an array of shape {y.shape}.")
    n = _n_rows(X)
    if n != y.shape[0]:
        raise ValueError(
            f"Generated rows and labels differ in number: X has {n} rows, y has "
            f"{y.shape[0]} labels. A generator returns one label per row.")
    if positions is not None and len(positions) == n:
        positions = np.asarray(positions, dtype=int)
    elif generator is not None and get_generator_tags(generator).uses_anchors and \
            targets is not None and targets.n_samples == n:
        positions = np.repeat(np.asarray(targets.anchor_indices, dtype=int),
                              np.asarray(targets.anchor_counts, dtype=int))
    else:
        positions = np.full(n, -1, dtype=int)
    return Synthesized(
        X=X, y=y, anchor_positions=positions, report=dict(report or {}),
        provenance={k: np.asarray(v) for k, v in (provenance or {}).items()},
    )


class BaseGenerator(BaseEstimator):
    """Base class for generators: validation and container handling around
    ``_fit`` and ``_generate``.

    Subclasses implement

    - ``_fit(self, X, y)``: learn the data. Parameters are validated (against
      ``_parameter_constraints``) and ``self.schema_`` (a ``TabularSchema``),
      ``self.classes_``, ``self.n_features_in_`` (and ``feature_names_in_``
      for a DataFrame) are set before it is called;
    - ``_generate(self, n_samples, targets, random_state)``, ``random_state``
      being a ``RandomState``, returning a :class:`Synthesized` (rows,
      labels and, optionally, anchor positions, a report and provenance) or
      an ``(X_new, y_new)`` pair, in the training container
      (``self.schema_.restore`` builds a DataFrame with the training dtypes).

    The public ``fit`` and ``generate`` check inputs, keep the caller's data
    untouched and normalise the output with :func:`as_synthesized`; a
    subclass does not override them. Hooks for generators whose input is
    not a plain table:

    - ``_validate_fit_input(self, X, y)``: check fit's input and return the
      ``(X, y)`` that ``_fit`` gets; ``X`` must be a 2-D table (DataFrame,
      ndarray or sparse matrix), from which the schema is learned. An image
      generator flattens its images here; a text generator turns a list of
      strings into a one-column DataFrame.
    - ``_generate_random_state(self, random_state)``: the ``RandomState``
      ``_generate`` draws from (default: ``check_random_state(random_state)``).
    - ``__sklearn_is_fitted__``: whether ``generate`` may be called (default:
      ``fit`` has set ``schema_``).

    Helpers for subclasses: ``_requested_class_counts`` (the per-class counts
    to make, summing to the requested total) and ``_rows_per_anchor`` (the
    rows to make per anchor, summing to it).
    """

    _parameter_constraints: dict = {}

    def __generator_tags__(self):
        return GeneratorTags()

    def __sklearn_is_fitted__(self):
        return hasattr(self, "schema_")

    def fit(self, X, y):
        """Learn the real rows ``X`` with labels ``y``.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
            Training rows (image and text generators accept other forms: see
            their class documentation).
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        self._validate_params()
        X_given = X
        X, y = self._validate_fit_input(X, y)
        self.schema_ = TabularSchema(X)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        if isinstance(X_given, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X_given.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_  # from an earlier fit on a DataFrame
        self._fit(X, y)
        return self

    def _validate_fit_input(self, X, y):
        """Check ``fit``'s input; return ``(X, y)`` as ``_fit`` gets them.

        The default takes a table: a DataFrame, a 2-D array-like or (with the
        ``accepts_sparse`` tag) a sparse matrix, and one label per row.
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
        return X, y

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
        result : Synthesized
            The rows (``result.X``, in the training container) and labels
            (``result.y``); unpacks as ``X_new, y_new = result``. Also the
            anchor each row was made for (``anchor_positions``, -1 for none),
            per-call figures (``report``) and per-row ``provenance``.
        """
        check_is_fitted(self)
        self._validate_params()  # parameters may have been set since fit
        if n_samples is None:
            if targets is None:
                raise ValueError("generate needs n_samples or targets.")
            n_samples = targets.n_samples
        if not isinstance(n_samples, Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        rng = self._generate_random_state(random_state)
        out = self._generate(int(n_samples), targets, rng)
        X_new, y_new = out
        n_rows, n_labels = _n_rows(X_new), np.asarray(y_new).shape[0]
        if n_rows != n_labels:
            raise RuntimeError(
                f"{type(self).__name__} returned {n_rows} rows but {n_labels} labels."
            )
        return as_synthesized(out, targets=targets, generator=self)

    def _generate_random_state(self, random_state):
        """The ``RandomState`` that ``_generate`` draws from."""
        return check_random_state(random_state)

    def _class_counts(self, n_samples, targets, y_train):
        """Per-class counts: the targets' if given, else the training class mix."""
        if targets is not None and targets.class_counts:
            return dict(targets.class_counts)
        from ..targeting import allocate_classes

        return allocate_classes(n_samples, y_train, allocation="proportional",
                                classes=self.classes_)

    def _requested_class_counts(self, n_samples, targets, y_train):
        """Rows to make per class: ``{label: count > 0}`` summing to ``n_samples``.

        The targets' class counts when they have any, else the training class
        mix (``y_train``). Counts that sum to another total (``n_samples``
        given with targets asking for a different number) are rescaled to
        ``n_samples`` by largest remainders; counts that are all zero give
        the training class mix. A class not seen in ``fit`` is an error.
        """
        counts = self._class_counts(n_samples, targets, y_train)
        unknown = set(counts) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"targets ask for classes {sorted(map(str, unknown))} not seen in fit "
                f"({self.classes_.tolist()}).")
        total = sum(counts.values())
        if total != n_samples:
            from ..targeting import allocate_classes

            counts = allocate_classes(n_samples, y_train, allocation=dict(counts),
                                      classes=self.classes_) if total > 0 else \
                self._class_counts(n_samples, None, y_train)
        return {c: int(n) for c, n in counts.items() if n > 0}

    def _rows_per_anchor(self, n_samples, targets, rng):
        """Rows to make per anchor of ``targets`` (an int array, in the order
        of ``targets.anchor_indices``) summing to ``n_samples``: the targets'
        ``anchor_counts``, or, when they sum to another total, a multinomial
        draw of ``n_samples`` rows with their shares (equal shares when they
        are all zero)."""
        counts = np.asarray(targets.anchor_counts, dtype=int)
        total = counts.sum()
        if total != n_samples:
            p = counts / total if total > 0 else np.full(len(counts), 1.0 / len(counts))
            counts = rng.multinomial(n_samples, p)
        return counts
