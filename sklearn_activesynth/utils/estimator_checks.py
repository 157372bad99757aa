"""Public checks every generator must pass.

Like scikit-learn's ``parametrize_with_checks``, these run a generator
through the Generator protocol: the result object, schema and container kept,
targets honoured, determinism, the unfitted error, clone. Generators tagged ``image=True``
(see :class:`~sklearn_activesynth.generators.GeneratorTags`) run the same
checks on small digit images instead of the mixed-type frame: arrays of
shape ``(n, C, H, W)``, or rows of flattened pixels when the generator
declares an ``image_shape`` parameter. Generators tagged
``continuous_target=True`` also run :func:`check_generator_regression`, the
regression variant (``target_type="continuous"`` on a frame with a numeric
target). Use them in your own generator's
tests::

    from sklearn_activesynth.utils.estimator_checks import parametrize_generator_checks

    @parametrize_generator_checks([MyGenerator(epochs=2)])
    def test_my_generator(generator, check):
        check(generator)
"""

import functools

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ..generators.base import Synthesized, get_generator_tags
from ..targeting import Targets, find_regions
from .tabular import TabularSchema, take_rows

__all__ = [
    "make_check_frame",
    "make_check_regression_frame",
    "make_check_images",
    "make_targets",
    "check_generator",
    "parametrize_generator_checks",
    "check_generator_unfitted",
    "check_generator_clone",
    "check_generator_result",
    "check_generator_dataframe_schema",
    "check_generator_array_schema",
    "check_generator_image_schema",
    "check_generator_class_counts",
    "check_generator_anchor_targets",
    "check_generator_determinism",
    "check_generator_input_unchanged",
    "check_generator_regression",
]


def make_check_frame(n_samples=240, random_state=0):
    """A small mixed-type DataFrame with a binary label for the checks.

    Columns: ``amount`` (float), ``count`` (int64), ``kind`` (category),
    ``city`` (object strings). Two classes that differ in every column.
    """
    rng = np.random.RandomState(random_state)
    y = (rng.uniform(size=n_samples) < 0.35).astype(int)
    amount = np.round(np.where(y, rng.normal(80, 15, n_samples),
                               rng.normal(40, 10, n_samples)), 2)
    count = np.where(y, rng.poisson(6, n_samples), rng.poisson(2, n_samples)).astype(np.int64)
    kind = np.where(rng.uniform(size=n_samples) < np.where(y, 0.7, 0.2), "online", "store")
    kind = np.where(rng.uniform(size=n_samples) < 0.1, "phone", kind)
    city = rng.choice(["Lyon", "Oslo", "Porto"], size=n_samples, p=[0.5, 0.3, 0.2])
    X = pd.DataFrame({
        "amount": amount.astype(float),
        "count": count,
        "kind": pd.Categorical(kind, categories=["online", "phone", "store", "atm"]),
        "city": pd.Series(city, dtype=object),
    })
    return X, y


def make_check_regression_frame(n_samples=240, random_state=0):
    """The checks' mixed-type DataFrame with a continuous target.

    The columns of :func:`make_check_frame`; the target is a noisy linear
    function of ``amount``, ``count`` and ``kind``, so nearby rows have
    nearby targets.

    Returns
    -------
    X : DataFrame of shape (n_samples, 4)
    y : ndarray of float of shape (n_samples,)
    """
    X, _ = make_check_frame(n_samples, random_state)
    rng = np.random.RandomState(random_state + 1)
    y = (0.5 * X["amount"].to_numpy() + 3.0 * X["count"].to_numpy()
         + 10.0 * (X["kind"].astype(str).to_numpy() == "online")
         + rng.normal(scale=2.0, size=n_samples))
    return X, y.astype(float)


def make_check_images(n_samples=240, *, flat=False, random_state=0):
    """Small labelled images for the image variant of the checks.

    scikit-learn's bundled 8x8 digits (no download), classes 0, 1 and 2,
    ``n_samples`` of them drawn at random; pixel values 0..16 as float64.

    Parameters
    ----------
    n_samples : int, default=240
    flat : bool, default=False
        Rows of 64 pixels instead of ``(n, 1, 8, 8)`` images.
    random_state : int, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, 1, 8, 8) or (n_samples, 64)
    y : ndarray of shape (n_samples,)
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(n_class=3, return_X_y=True)
    idx = np.random.RandomState(random_state).permutation(len(y))[:n_samples]
    X, y = X[idx], y[idx]
    return (X if flat else X.reshape(-1, 1, 8, 8)), y


def _is_image_generator(generator):
    return bool(getattr(get_generator_tags(generator), "image", False))


def _check_data(generator, n_samples=240):
    """The checks' data: the mixed-type frame, or digits for image generators
    (flattened when the generator declares an ``image_shape``)."""
    if not _is_image_generator(generator):
        return make_check_frame(n_samples)
    shape = generator.get_params(deep=False).get("image_shape")
    if shape is not None and int(np.prod(shape)) != 64:
        raise ValueError(
            f"The image checks use 8x8 one-channel digits; {type(generator).__name__} "
            f"declares image_shape={shape!r}. Run them with image_shape=(1, 8, 8) or None.")
    return make_check_images(n_samples, flat=shape is not None)


def _same(a, b):
    if isinstance(a, pd.DataFrame):
        return a.reset_index(drop=True).equals(b.reset_index(drop=True))
    return np.array_equal(np.asarray(a), np.asarray(b))


def make_targets(X, y, anchor_indices, counts, scores=None):
    """Build a :class:`~sklearn_activesynth.targeting.Targets` by hand.

    ``X`` may also be an ``(n, C, H, W)`` image array (regions are then found
    on the flattened pixels; ``anchors`` keeps the images' shape).
    """
    anchor_indices = np.asarray(anchor_indices, dtype=int)
    counts = np.asarray(counts, dtype=int)
    y = np.asarray(y)
    scores = np.ones(len(y)) if scores is None else np.asarray(scores, dtype=float)
    X_tab = X.reshape(X.shape[0], -1) if isinstance(X, np.ndarray) and X.ndim > 2 else X
    schema = TabularSchema(X_tab)
    regions_of, regions = find_regions(
        anchor_indices, X=X_tab, X_encoded=None, y=y, scores=scores, schema=schema,
        rng=np.random.RandomState(0), n_regions=1,
    )
    class_counts = {}
    for c, n in zip(y[anchor_indices].tolist(), counts.tolist()):
        class_counts[c] = class_counts.get(c, 0) + n
    return Targets(
        anchor_indices=anchor_indices, anchors=take_rows(X, anchor_indices),
        anchor_y=y[anchor_indices], anchor_scores=scores[anchor_indices],
        anchor_counts=counts, anchor_regions=regions_of, regions=regions,
        class_counts=class_counts,
    )


def _frames_equal(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def check_generator_unfitted(generator):
    """``generate`` before ``fit`` raises NotFittedError."""
    gen = clone(generator)
    try:
        gen.generate(5, random_state=0)
    except NotFittedError:
        return
    raise AssertionError(f"{type(gen).__name__}.generate did not raise NotFittedError before fit.")


def check_generator_clone(generator):
    """``clone`` gives an unfitted copy with the same parameters."""
    X, y = _check_data(generator)
    fitted = clone(generator).fit(X, y)
    copy = clone(fitted)
    assert copy.get_params() .keys() == generator.get_params().keys()
    for k, v in generator.get_params(deep=False).items():
        assert repr(copy.get_params(deep=False)[k]) == repr(v), k
    check_generator_unfitted(copy)


def check_generator_result(generator):
    """``generate`` returns a :class:`~sklearn_activesynth.generators.Synthesized`
    the loop can record.

    Untargeted and targeted: rows and labels of one length (and it unpacks as
    ``X_new, y_new``); ``anchor_positions`` an int array with one entry per
    row, each -1 or a training-row position (-1 for every untargeted row;
    an anchor of the targets for a targeted row that names one);
    ``report`` a dict; every ``provenance`` value one entry per row.
    """
    name = type(generator).__name__
    X, y = _check_data(generator)
    gen = clone(generator).fit(X, y)
    n_train = len(y)
    anchors = np.concatenate([np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:2]])
    targets = make_targets(X, y, anchors, [2, 2, 2, 3, 3])
    for n_samples, t in ((12, None), (None, targets)):
        result = gen.generate(n_samples, targets=t, random_state=0)
        assert isinstance(result, Synthesized), (
            f"{name}.generate returned {type(result).__name__}, not a Synthesized "
            "(BaseGenerator.generate builds one from what _generate returns).")
        X_new, y_new = result
        assert X_new is result.X and y_new is result.y
        n = result.n_samples
        assert isinstance(y_new, np.ndarray) and y_new.shape == (n,), (type(y_new), n)
        assert X_new.shape[0] == n, (X_new.shape, n)
        pos = result.anchor_positions
        assert isinstance(pos, np.ndarray) and pos.dtype.kind in "iu", (
            f"anchor_positions must be an int ndarray, got {type(pos).__name__} "
            f"{getattr(pos, 'dtype', '')}")
        assert pos.shape == (n,), f"anchor_positions has shape {pos.shape}, {n} rows"
        assert np.all((pos == -1) | ((pos >= 0) & (pos < n_train))), (
            f"anchor_positions must be -1 or a training-row position in [0, {n_train}); "
            f"got {sorted(set(pos.tolist()))}")
        if t is None:
            assert np.all(pos == -1), "untargeted rows were credited to an anchor"
        else:
            assert set(pos[pos >= 0].tolist()) <= set(anchors.tolist()), (
                "targeted rows were credited to rows that are not anchors")
        assert isinstance(result.report, dict), type(result.report)
        assert isinstance(result.provenance, dict), type(result.provenance)
        for key, values in result.provenance.items():
            assert len(values) == n, (
                f"provenance[{key!r}] has {len(values)} entries for {n} rows")


def check_generator_dataframe_schema(generator):
    """A mixed DataFrame in, a DataFrame with the same schema out (not for
    image generators: see :func:`check_generator_image_schema`)."""
    if _is_image_generator(generator):
        return
    X, y = make_check_frame()
    gen = clone(generator).fit(X, y)
    X_new, y_new = gen.generate(60, random_state=0)
    assert isinstance(X_new, pd.DataFrame), type(X_new)
    assert list(X_new.columns) == list(X.columns)
    assert len(X_new) == len(y_new) == 60, (len(X_new), len(y_new))
    for col in X.columns:
        assert X_new[col].dtype == X[col].dtype, (col, X_new[col].dtype, X[col].dtype)
    assert not X_new.isna().any().any(), "generated rows contain NaN; the input had none"
    assert set(X_new["city"]) <= set(X["city"]), "object strings must come from training values"
    assert set(X_new["kind"].astype(str)) <= set(X["kind"].astype(str))
    assert set(np.unique(y_new)) <= set(np.unique(y))


def check_generator_array_schema(generator):
    """An ndarray in, an ndarray of the same width and dtype out (image
    generators: see :func:`check_generator_image_schema`)."""
    if _is_image_generator(generator):
        return
    if not getattr(generator, "_accepts_arrays", True):
        return
    X, y = make_check_frame()
    Xa = X[["amount", "count"]].to_numpy(dtype=float)
    gen = clone(generator).fit(Xa, y)
    X_new, y_new = gen.generate(30, random_state=0)
    assert isinstance(X_new, np.ndarray), type(X_new)
    assert X_new.shape == (30, 2) and X_new.dtype == Xa.dtype, (X_new.shape, X_new.dtype)
    assert np.isfinite(X_new).all()


def check_generator_class_counts(generator):
    """Conditional generators produce exactly the class counts asked for."""
    if not get_generator_tags(generator).conditional:
        return
    X, y = _check_data(generator)
    gen = clone(generator).fit(X, y)
    anchors = np.concatenate([np.flatnonzero(y == 0)[:4], np.flatnonzero(y == 1)[:2]])
    counts = [2, 2, 2, 2, 5, 5]  # 8 rows of class 0, 10 of class 1
    targets = make_targets(X, y, anchors, counts)
    X_new, y_new = gen.generate(targets=targets, random_state=0)
    got = {c: int(np.sum(y_new == c)) for c in (0, 1)}
    assert got == {0: 8, 1: 10}, got


def check_generator_anchor_targets(generator):
    """Generators that use anchors put rows nearer the anchors than untargeted rows."""
    if not get_generator_tags(generator).uses_anchors:
        return
    if _is_image_generator(generator):
        return _check_image_anchor_targets(generator)
    X, y = make_check_frame(n_samples=300)
    gen = clone(generator).fit(X, y)
    schema = TabularSchema(X)
    # anchors: the class-1 rows with the smallest amounts (one corner of the data)
    ones = np.flatnonzero(y == 1)
    anchors = ones[np.argsort(X["amount"].to_numpy()[ones])[:5]]
    targets = make_targets(X, y, anchors, [8] * 5)
    X_t, _ = gen.generate(targets=targets, random_state=0)
    X_u, _ = gen.generate(40, targets=None, random_state=0)
    Za = schema.encode(take_rows(X, anchors))

    def dist(Xn):
        Z = schema.encode(Xn)
        return np.sqrt(((Z[:, None, :] - Za[None]) ** 2).sum(-1)).min(1).mean()

    d_t, d_u = dist(X_t), dist(X_u)
    assert d_t < 0.75 * d_u, f"targeted rows not nearer the anchors: {d_t:.3f} vs {d_u:.3f}"


def check_generator_image_schema(generator):
    """Images in, images out: the same shape per image, dtype and form.

    ``(n, 1, 8, 8)`` arrays, or ``(n, 64)`` rows when the generator declares
    an ``image_shape``; float64 and float32 pixels both keep their dtype.
    """
    if not _is_image_generator(generator):
        return
    X, y = _check_data(generator)
    for Xd in (X, X.astype(np.float32)):
        gen = clone(generator).fit(Xd, y)
        X_new, y_new = gen.generate(30, random_state=0)
        assert isinstance(X_new, np.ndarray), type(X_new)
        assert X_new.shape == (30,) + Xd.shape[1:], (X_new.shape, Xd.shape)
        assert X_new.dtype == Xd.dtype, (X_new.dtype, Xd.dtype)
        assert len(y_new) == 30 and set(np.unique(y_new)) <= set(np.unique(y))
        assert np.isfinite(X_new).all(), "generated pixels contain NaN or inf"


def _check_image_anchor_targets(generator):
    X, y = _check_data(generator, n_samples=300)
    flat = X.reshape(len(X), -1).astype(float)
    gen = clone(generator).fit(X, y)
    # anchors: the most atypical class-1 image and its 4 nearest class-1
    # neighbours (one corner of the class)
    ones = np.flatnonzero(y == 1)
    far = ones[np.argmax(((flat[ones] - flat[ones].mean(0)) ** 2).sum(1))]
    anchors = ones[np.argsort(((flat[ones] - flat[far]) ** 2).sum(1))[:5]]
    targets = make_targets(X, y, anchors, [8] * 5)
    X_t, _ = gen.generate(targets=targets, random_state=0)
    X_u, _ = gen.generate(40, targets=None, random_state=0)
    Za = flat[anchors]

    def dist(Xn):
        Z = np.asarray(Xn, dtype=float).reshape(len(Xn), -1)
        return np.sqrt(((Z[:, None, :] - Za[None]) ** 2).sum(-1)).min(1).mean()

    d_t, d_u = dist(X_t), dist(X_u)
    assert d_t < 0.75 * d_u, f"targeted images not nearer the anchors: {d_t:.3f} vs {d_u:.3f}"


def check_generator_determinism(generator):
    """The same random_state gives the same rows; another gives others."""
    if not get_generator_tags(generator).deterministic:
        return
    X, y = _check_data(generator)
    Xa, ya = clone(generator).fit(X, y).generate(20, random_state=3)
    Xb, yb = clone(generator).fit(X, y).generate(20, random_state=3)
    _frames_equal(Xa, Xb)
    np.testing.assert_array_equal(ya, yb)
    Xc, _ = clone(generator).fit(X, y).generate(20, random_state=4)
    assert not _same(Xa, Xc), "different random_state gave identical rows"


def check_generator_input_unchanged(generator):
    """fit and generate leave the caller's X and y untouched."""
    X, y = _check_data(generator)
    X0, y0 = X.copy(), y.copy()
    gen = clone(generator).fit(X, y)
    gen.generate(10, random_state=0)
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, X0)
    else:
        np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def check_generator_regression(generator):
    """The regression variant, for generators tagged ``continuous_target``.

    With ``target_type="continuous"`` on the mixed frame of
    :func:`make_check_regression_frame`: the rows asked for come back (the
    schema and dtypes of ``X`` kept), with float targets that are finite and
    inside the training range widened by a quarter of its width, untargeted
    and targeted; rows targeted at the five largest targets have targets
    nearer them than untargeted rows; the same ``random_state`` gives the same
    rows (for ``deterministic`` generators); and a ``y`` that is not numeric
    is refused with a ``ValueError``.
    """
    if not getattr(get_generator_tags(generator), "continuous_target", False):
        return
    name = type(generator).__name__
    X, y = make_check_regression_frame()
    gen = clone(generator).set_params(target_type="continuous").fit(X, y)
    lo, hi = float(y.min()), float(y.max())
    slack = 0.25 * (hi - lo)
    anchors = np.argsort(-y, kind="stable")[:5]
    targets = make_targets(X, y, anchors, [6] * 5)
    results = {}
    for kind, t in (("untargeted", None), ("targeted", targets)):
        result = gen.generate(30, targets=t, random_state=0)
        X_new, y_new = result
        assert isinstance(X_new, pd.DataFrame), (name, kind, type(X_new))
        assert list(X_new.columns) == list(X.columns), (name, kind)
        for col in X.columns:
            assert X_new[col].dtype == X[col].dtype, (name, kind, col, X_new[col].dtype)
        assert len(X_new) == len(y_new) == 30, (
            f"{name}: {kind} call returned {len(y_new)} rows for 30 asked")
        assert np.asarray(y_new).dtype.kind == "f", (
            f"{name}: continuous targets must be floats, got {np.asarray(y_new).dtype}")
        assert np.isfinite(y_new).all(), f"{name}: {kind} targets contain NaN or inf"
        assert np.all((y_new >= lo - slack) & (y_new <= hi + slack)), (
            f"{name}: {kind} targets outside the training range [{lo:.3g}, {hi:.3g}] "
            f"(+/- {slack:.3g}): {np.round(np.sort(y_new), 3).tolist()}")
        results[kind] = np.asarray(y_new, dtype=float)
    centre = float(np.median(y[anchors]))
    d_t = np.mean(np.abs(results["targeted"] - centre))
    d_u = np.mean(np.abs(results["untargeted"] - centre))
    assert d_t < 0.75 * d_u, (
        f"{name}: targets of rows aimed at the largest targets are not nearer them "
        f"than untargeted ones: {d_t:.3g} vs {d_u:.3g}")
    if get_generator_tags(generator).deterministic:
        again = clone(generator).set_params(target_type="continuous").fit(X, y)
        Xa, ya = gen.generate(20, random_state=3)
        Xb, yb = again.generate(20, random_state=3)
        _frames_equal(Xa, Xb)
        np.testing.assert_array_equal(ya, yb)
    bad = np.where(y > np.median(y), "high", "low").astype(object)
    try:
        clone(generator).set_params(target_type="continuous").fit(X, bad)
    except ValueError:
        pass
    else:
        raise AssertionError(f"{name}(target_type='continuous') accepted a y of strings.")


_CHECKS = [
    check_generator_unfitted,
    check_generator_clone,
    check_generator_result,
    check_generator_dataframe_schema,
    check_generator_array_schema,
    check_generator_image_schema,
    check_generator_class_counts,
    check_generator_anchor_targets,
    check_generator_determinism,
    check_generator_input_unchanged,
    check_generator_regression,
]


def _yield_checks(generator):
    for check in _CHECKS:
        yield functools.partial(check), check.__name__


def check_generator(generator):
    """Run every generator check on ``generator``; raise on the first failure.

    Examples
    --------
    >>> from sklearn_activesynth.generators import InterpolationGenerator
    >>> from sklearn_activesynth.utils.estimator_checks import check_generator
    >>> check_generator(InterpolationGenerator(k_neighbors=3))
    """
    for check, _ in _yield_checks(generator):
        check(generator)


def parametrize_generator_checks(generators):
    """A ``pytest.mark.parametrize`` over (generator, check) pairs.

    Parameters
    ----------
    generators : list of generator instances

    Returns
    -------
    decorator
        Parametrizes a test taking ``generator`` and ``check``.
    """
    import pytest

    params, ids = [], []
    for gen in generators:
        for check, name in _yield_checks(gen):
            params.append((gen, check))
            ids.append(f"{type(gen).__name__}-{name}")
    return pytest.mark.parametrize("generator, check", params, ids=ids)
