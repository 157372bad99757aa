"""Scoped seeding of global generators: reproducible inside, untouched outside."""

import random

import numpy as np
import pytest

from sklearn_activesynth.utils._seeding import MAX_SEED, seeded_global_rngs


def _draws():
    return np.random.rand(3).tolist(), [random.random() for _ in range(3)]


def test_max_seed_is_the_one_constant():
    from sklearn_activesynth.generators import _llm, _sdv, _skorch_image
    from sklearn_activesynth.utils import _torch

    assert MAX_SEED == np.iinfo(np.int32).max
    for module in (_torch, _llm, _sdv, _skorch_image):
        assert module.MAX_SEED is MAX_SEED, module.__name__


def test_same_seed_same_draws_and_the_caller_streams_are_restored():
    np.random.seed(123)
    random.seed(123)
    expected_after = _draws()
    np.random.seed(123)
    random.seed(123)
    with seeded_global_rngs(7):
        first = _draws()
    with seeded_global_rngs(7):
        again = _draws()
    with seeded_global_rngs(8):
        other = _draws()
    assert first == again and first != other
    # the block did not move the caller's streams
    assert _draws() == expected_after


def test_streams_are_restored_when_the_block_raises():
    state = np.random.get_state()[1].copy()
    py_state = random.getstate()
    with pytest.raises(RuntimeError):
        with seeded_global_rngs(3):
            np.random.rand(10)
            random.random()
            raise RuntimeError("boom")
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert random.getstate() == py_state


def test_only_the_named_generators_are_seeded():
    np.random.seed(0)
    outside = np.random.rand()
    np.random.seed(0)
    with seeded_global_rngs(5, numpy=False):
        inside = np.random.rand()  # numpy is not seeded: the caller's stream goes on
    assert inside == outside


def test_torch_generators_are_forked_and_seeded():
    torch = pytest.importorskip("torch")
    from sklearn_activesynth.utils._torch import seeded_torch

    torch.manual_seed(11)
    expected_after = torch.rand(3)
    np.random.seed(0)
    expected_numpy = np.random.rand()
    torch.manual_seed(11)
    np.random.seed(0)
    with seeded_global_rngs(4, numpy=False, python=False, torch_devices=[]):
        a = torch.rand(3)
    with seeded_torch(4):
        b = torch.rand(3)
        # seeded_torch leaves numpy alone: the caller's stream goes on
        assert np.random.rand() == expected_numpy
    assert torch.equal(a, b)
    assert torch.equal(torch.rand(3), expected_after)
    with seeded_global_rngs(4, torch_devices=None):  # torch left alone
        c = torch.rand(3)
    assert not torch.equal(a, c)


def test_unset_random_states_get_the_draws_of_a_new_randomstate_from_an_int_seed():
    # an int seed is drawn from through this thread's reseeded generator: the
    # seeds are those of np.random.RandomState(seed), in every thread, and a
    # generator the caller passes is drawn from (and moved) as before
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.pipeline import make_pipeline

    from sklearn_activesynth.utils._seeding import (
        MAX_SEED,
        _reseeded,
        seed_unset_random_states,
    )

    def seeds(seed):
        pipe = make_pipeline(RandomForestClassifier(), HistGradientBoostingClassifier())
        params = seed_unset_random_states(pipe, seed).get_params()
        return [params[k] for k in sorted(params) if k.endswith("__random_state")]

    for seed in [0, 7, np.int64(MAX_SEED - 1), 2**32 - 1]:
        rng = np.random.RandomState(seed)
        expected = [int(rng.randint(MAX_SEED)) for _ in range(2)]
        assert seeds(seed) == expected
        # a Gaussian cached by the last use does not leak into the next one
        _reseeded(5).randn()
        assert _reseeded(seed).randn() == np.random.RandomState(seed).randn()
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(seeds, range(200)))
    assert got == [seeds(s) for s in range(200)]
    rng = np.random.RandomState(3)
    first = seeds(rng)
    assert first == seeds(np.random.RandomState(3)) and seeds(rng) != first
    # a flat estimator is seeded as set_params would; its own set_params is used
    flat = seed_unset_random_states(RandomForestClassifier(), 11)
    assert flat.random_state == np.random.RandomState(11).randint(MAX_SEED)

    class Logged(RandomForestClassifier):
        def set_params(self, **params):
            self.logged = sorted(params)
            return super().set_params(**params)

    assert seed_unset_random_states(Logged(), 11).logged == ["random_state"]
