"""The generator protocol: Synthesized, as_synthesized and BaseGenerator's template."""

import re
from numbers import Real

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from sklearn_activesynth.generators import (
    BaseGenerator,
    GeneratorTags,
    InterpolationGenerator,
    Synthesized,
    as_synthesized,
)
from sklearn_activesynth.utils._compat import Interval, InvalidParameterError
from sklearn_activesynth.utils.estimator_checks import make_check_frame, make_targets


class _AnchorCopies(BaseGenerator):
    """Copies of the anchor rows (or of random rows when untargeted), returned
    as an (X, y) pair: the rule of as_synthesized places them."""

    _parameter_constraints = {"scale": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, scale=1.0, uses_anchors=True):
        self.scale = scale
        self.uses_anchors = uses_anchors

    def __generator_tags__(self):
        return GeneratorTags(uses_anchors=self.uses_anchors)

    def _fit(self, X, y):
        self._X, self._y = np.asarray(X, dtype=float), np.asarray(y)

    def _generate(self, n_samples, targets, rng):
        if targets is not None and len(targets.anchor_indices):
            rows = np.repeat(targets.anchor_indices,
                             self._rows_per_anchor(n_samples, targets, rng))
        else:
            rows = rng.randint(len(self._y), size=n_samples)
        return self._X[rows] * self.scale, self._y[rows]


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(30, 2)), np.repeat([0, 1, 2], 10)


# ---------------------------------------------------------------- Synthesized
def test_synthesized_unpacks_as_the_pair_and_counts_its_rows():
    X, y = np.zeros((4, 2)), np.array([0, 1, 1, 0])
    result = Synthesized(X, y)
    X_new, y_new = result
    assert X_new is X and y_new is y and result.n_samples == 4
    assert result.anchor_positions is None
    assert result.report == {} and result.provenance == {}
    # each result has its own dicts
    other = Synthesized(X, y)
    other.report["n"] = 1
    assert result.report == {}


def test_synthesized_repr_is_short():
    result = Synthesized(pd.DataFrame({"a": range(500)}), np.zeros(500),
                         report={"requests": 2}, provenance={"request_id": np.zeros(500)})
    text = repr(result)
    assert text.startswith("Synthesized(n_samples=500, X=<DataFrame of shape (500, 1)>")
    assert "['requests']" in text and "['request_id']" in text and len(text) < 200


# ---------------------------------------------------------------- as_synthesized
def test_as_synthesized_from_a_tuple_without_a_generator():
    X, y = np.zeros((3, 2)), [0, 1, 1]
    result = as_synthesized((X, y))
    assert isinstance(result, Synthesized) and result.X is X
    assert isinstance(result.y, np.ndarray) and result.y.tolist() == [0, 1, 1]
    assert result.anchor_positions.dtype.kind == "i"
    np.testing.assert_array_equal(result.anchor_positions, [-1, -1, -1])
    assert result.report == {} and result.provenance == {}


def test_as_synthesized_keeps_explicit_positions_report_and_provenance():
    X, y = _data()
    targets = make_targets(X, y, [1, 12], [1, 2])
    given = Synthesized(X[:3], y[:3], anchor_positions=[5, 5, 7],
                        report={"requests": 3}, provenance={"request_id": ["a", "b", "c"]})
    result = as_synthesized(given, targets=targets, generator=_AnchorCopies())
    # explicit positions win over the anchor-by-anchor rule
    np.testing.assert_array_equal(result.anchor_positions, [5, 5, 7])
    assert result.anchor_positions.dtype.kind == "i"
    assert result.report == {"requests": 3}
    np.testing.assert_array_equal(result.provenance["request_id"], ["a", "b", "c"])
    # a new object: the input is left as it was
    assert result is not given and given.anchor_positions == [5, 5, 7]
    result.report["more"] = 1
    assert given.report == {"requests": 3}


def test_as_synthesized_uses_anchors_rule():
    X, y = _data()
    targets = make_targets(X, y, [1, 12, 25], [2, 0, 3])
    out = (X[:5], y[:5])
    # a generator that uses anchors emits rows anchor by anchor
    pos = as_synthesized(out, targets=targets, generator=_AnchorCopies()).anchor_positions
    np.testing.assert_array_equal(pos, [1, 1, 25, 25, 25])
    # not without the tag, not without targets, not with another row count
    for kw in (dict(targets=targets, generator=_AnchorCopies(uses_anchors=False)),
               dict(targets=None, generator=_AnchorCopies()),
               dict(targets=targets, generator=None)):
        np.testing.assert_array_equal(as_synthesized(out, **kw).anchor_positions, -1)
    pos = as_synthesized((X[:4], y[:4]), targets=targets,
                         generator=_AnchorCopies()).anchor_positions
    np.testing.assert_array_equal(pos, [-1, -1, -1, -1])
    # explicit positions of the wrong length are not trusted: the rule applies
    given = Synthesized(X[:5], y[:5], anchor_positions=np.array([3, 3]))
    pos = as_synthesized(given, targets=targets, generator=_AnchorCopies()).anchor_positions
    np.testing.assert_array_equal(pos, [1, 1, 25, 25, 25])
    pos = as_synthesized(given).anchor_positions
    np.testing.assert_array_equal(pos, [-1] * 5)


def test_as_synthesized_takes_every_container():
    X, y = make_check_frame(20)
    assert as_synthesized((X, y)).n_samples == 20
    Xs = sp.random(6, 3, density=0.5, format="csr", random_state=0)
    result = as_synthesized((Xs, np.zeros(6)))
    assert sp.issparse(result.X) and result.anchor_positions.shape == (6,)
    texts = np.array(["a b", "c d"], dtype=object)  # a text generator's 1-D output
    assert as_synthesized((texts, [0, 1])).n_samples == 2


def test_as_synthesized_wrong_lengths_and_shapes_are_errors():
    with pytest.raises(ValueError, match=r"X has 3 rows, y has 2 labels"):
        as_synthesized((np.zeros((3, 2)), [0, 1]))
    with pytest.raises(ValueError, match=r"X has 2 rows, y has 3 labels"):
        as_synthesized(Synthesized(np.zeros((2, 2)), np.array([0, 1, 1])))
    with pytest.raises(ValueError, match=r"labels must be 1-D.*\(3, 1\)"):
        as_synthesized((np.zeros((3, 2)), np.zeros((3, 1))))
    with pytest.raises(TypeError, match="Synthesized or an \\(X_new, y_new\\) pair"):
        as_synthesized(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="got NoneType"):
        as_synthesized(None)


# ---------------------------------------------------------------- BaseGenerator
def test_generate_returns_a_synthesized_with_positions():
    X, y = _data()
    gen = _AnchorCopies().fit(X, y)
    targets = make_targets(X, y, [1, 12, 25], [2, 0, 3])
    result = gen.generate(targets=targets, random_state=0)
    assert isinstance(result, Synthesized)
    np.testing.assert_array_equal(result.anchor_positions, [1, 1, 25, 25, 25])
    np.testing.assert_array_equal(result.X, X[[1, 1, 25, 25, 25]])
    untargeted = gen.generate(7, random_state=0)
    np.testing.assert_array_equal(untargeted.anchor_positions, -1)
    # the old side channels are gone
    assert not any(hasattr(gen, a) for a in
                   ("last_report_", "last_provenance_", "last_anchor_positions_"))


def test_generate_checks_what_the_subclass_returns():
    class _Broken(_AnchorCopies):
        def _generate(self, n_samples, targets, rng):
            X_new, y_new = super()._generate(n_samples, targets, rng)
            return X_new, y_new[:-1]

    X, y = _data()
    with pytest.raises(RuntimeError, match="_Broken returned 5 rows but 4 labels"):
        _Broken().fit(X, y).generate(5, random_state=0)


def test_parameters_are_validated_at_fit_and_at_generate():
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="scale"):
        _AnchorCopies(scale=-1.0).fit(X, y)
    gen = _AnchorCopies().fit(X, y)
    gen.set_params(scale=-2.0)
    with pytest.raises(InvalidParameterError, match="scale"):
        gen.generate(3, random_state=0)


def test_fit_input_is_checked_before_fit_runs():
    gen = _AnchorCopies()
    with pytest.raises(ValueError, match="X must be 2-D"):
        gen.fit(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="X has 4 rows, y has shape \\(3,\\)"):
        gen.fit(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="needs at least one row"):
        gen.fit(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(TypeError, match="does not accept sparse input"):
        gen.fit(sp.eye(4, format="csr"), np.zeros(4))
    assert not hasattr(gen, "schema_")
    with pytest.raises(NotFittedError):
        gen.generate(3)


def test_fit_sets_input_attributes_and_forgets_old_feature_names():
    X, y = make_check_frame(40)
    num = X[["amount", "count"]]
    gen = _AnchorCopies().fit(num, y)
    assert gen.n_features_in_ == 2 and gen.feature_names_in_.tolist() == ["amount", "count"]
    np.testing.assert_array_equal(gen.classes_, [0, 1])
    gen.fit(num.to_numpy(), y)
    assert not hasattr(gen, "feature_names_in_")


def test_hooks_change_input_validation_and_the_random_state():
    class _Seeded(_AnchorCopies):
        def __init__(self, scale=1.0, uses_anchors=True, random_state=None):
            super().__init__(scale, uses_anchors)
            self.random_state = random_state

        def _validate_fit_input(self, X, y):
            X = np.asarray(X)
            return super()._validate_fit_input(X.reshape(len(X), -1), y)

        def _generate_random_state(self, random_state):
            return np.random.RandomState(self.random_state if random_state is None
                                         else random_state)

    images = np.random.RandomState(0).normal(size=(30, 1, 2, 2))
    gen = _Seeded(random_state=3).fit(images, np.repeat([0, 1, 2], 10))
    assert gen.n_features_in_ == 4 and gen.schema_.n_features == 4
    a, b = gen.generate(6).X, gen.generate(6).X
    np.testing.assert_array_equal(a, b)  # seeded by the parameter
    np.testing.assert_array_equal(a, gen.generate(6, random_state=3).X)


# ---------------------------------------------------------------- count helpers
def test_requested_class_counts():
    X, y = _data()
    y = np.array([0] * 15 + [1] * 10 + [2] * 5)
    gen = _AnchorCopies().fit(X, y)
    targets = make_targets(X, y, [0, 20, 26], [4, 0, 2])  # class 1: 0 rows
    assert gen._requested_class_counts(6, targets, y) == {0: 4, 2: 2}
    # another total: rescaled by largest remainders, zeros dropped
    assert gen._requested_class_counts(9, targets, y) == {0: 6, 2: 3}
    # no targets: the training mix
    assert gen._requested_class_counts(6, None, y) == {0: 3, 1: 2, 2: 1}
    # all-zero counts for a positive total: the training mix too
    empty = make_targets(X, y, [0], [0])
    assert gen._requested_class_counts(6, empty, y) == {0: 3, 1: 2, 2: 1}
    assert gen._requested_class_counts(0, targets, y) == {}
    targets.class_counts = {0: 2, 7: 4}
    with pytest.raises(ValueError, match=re.escape("classes ['7'] not seen in fit ([0, 1, 2])")):
        gen._requested_class_counts(6, targets, y)


def test_rows_per_anchor():
    X, y = _data()
    gen = _AnchorCopies().fit(X, y)
    targets = make_targets(X, y, [0, 12, 25], [3, 0, 1])
    rng = np.random.RandomState(0)
    state = rng.get_state()[2]
    np.testing.assert_array_equal(gen._rows_per_anchor(4, targets, rng), [3, 0, 1])
    assert rng.get_state()[2] == state  # nothing drawn when the total matches
    counts = gen._rows_per_anchor(40, targets, rng)
    assert counts.sum() == 40 and counts[1] == 0 and counts[0] > counts[2]
    zeros = make_targets(X, y, [0, 12], [0, 0])
    counts = gen._rows_per_anchor(10, zeros, np.random.RandomState(0))
    assert counts.sum() == 10 and (counts > 0).all()  # equal shares


def test_interpolation_names_the_anchor_of_every_targeted_row():
    X, y = _data()
    gen = InterpolationGenerator(k_neighbors=3).fit(X, y)
    targets = make_targets(X, y, [1, 12, 25], [2, 1, 3])
    result = gen.generate(targets=targets, random_state=0)
    np.testing.assert_array_equal(result.anchor_positions, [1, 1, 12, 25, 25, 25])
    # another total than the targets': rows still name their own anchor
    result = gen.generate(20, targets=targets, random_state=0)
    assert set(result.anchor_positions.tolist()) <= {1, 12, 25}
    np.testing.assert_array_equal(result.y, y[result.anchor_positions])
