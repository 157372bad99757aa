"""The one seed constant of the package, and scoped seeding of global generators.

Every seed the loop hands on (to a clone, a fold split, a generator, a filter)
is drawn as ``rng.randint(MAX_SEED)`` from the estimator's own generator, so
one ``random_state`` fixes a whole fit.

Some libraries draw from global generators and take no generator of their own
(skorch's module initialisation and batch shuffling, ``nn.Dropout``, SDV's
training). :func:`seeded_global_rngs` seeds those generators for one block and
puts the caller's states back afterwards, so a fit is reproducible from its
seed without touching the user's own streams.
"""

import contextlib
import numbers
import random
import threading

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["MAX_SEED", "check_random_state", "seeded_global_rngs", "seed_unset_random_states"]

#: Largest seed drawn for a component (numpy's legacy seeds are 32-bit).
MAX_SEED = np.iinfo(np.int32).max


@contextlib.contextmanager
def seeded_global_rngs(seed, *, numpy=True, python=True, torch_devices=None):
    """Seed global random generators for the block, then restore them.

    Parameters
    ----------
    seed : int
        Seed given to every generator named below.
    numpy : bool, default=True
        Seed numpy's global (legacy) generator, ``np.random.seed``.
    python : bool, default=True
        Seed the standard library's ``random`` module.
    torch_devices : list of int or None, default=None
        ``None`` leaves torch alone (and does not import it). Otherwise torch's
        CPU generator is forked and seeded, and so is the generator of each
        CUDA device listed (``[]``: the CPU generator only; seeding a device
        that is not listed would queue a seed for a GPU the caller has not
        initialised and never restore it).

    Notes
    -----
    The global generators are process-wide: the block is not thread-safe
    (another thread drawing from them meanwhile sees the seeded streams).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.utils._seeding import seeded_global_rngs
    >>> state = np.random.get_state()[1][:3].copy()
    >>> with seeded_global_rngs(0):
    ...     a = np.random.rand()
    >>> with seeded_global_rngs(0):
    ...     b = np.random.rand()
    >>> a == b, bool((np.random.get_state()[1][:3] == state).all())
    (True, True)
    """
    seed = int(seed)
    np_state = np.random.get_state() if numpy else None
    py_state = random.getstate() if python else None
    try:
        with contextlib.ExitStack() as stack:
            if torch_devices is not None:
                import torch

                devices = [int(d) for d in torch_devices]
                stack.enter_context(torch.random.fork_rng(devices=devices))
                torch.random.default_generator.manual_seed(seed)
                for d in devices:
                    with torch.cuda.device(d):
                        torch.cuda.manual_seed(seed)
            if numpy:
                np.random.seed(seed)
            if python:
                random.seed(seed)
            yield
    finally:
        if numpy:
            np.random.set_state(np_state)
        if python:
            random.setstate(py_state)


def seed_unset_random_states(estimator, random_state):
    """Give every unset ``random_state`` parameter of ``estimator`` a seed.

    Every parameter named ``random_state`` (nested ones included, e.g. a
    Pipeline step's ``clf__random_state``) whose value is ``None`` is set to a
    seed drawn from ``random_state``, in sorted name order, as scikit-learn's
    ensembles seed their members; parameters the user set are kept. The
    estimator is changed in place and returned.

    Parameters
    ----------
    estimator : estimator
    random_state : int or RandomState

    Returns
    -------
    estimator : estimator

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_activesynth.utils._seeding import seed_unset_random_states
    >>> pipe = make_pipeline(StandardScaler(), HistGradientBoostingClassifier())
    >>> seed_unset_random_states(pipe, 0).get_params()["histgradientboostingclassifier__random_state"]
    209652396
    >>> kept = HistGradientBoostingClassifier(random_state=7)
    >>> seed_unset_random_states(kept, 0).random_state
    7
    """
    rng = random_state if isinstance(random_state, np.random.RandomState) else \
        _reseeded(random_state)
    params = estimator.get_params(deep=True)
    to_set = {key: int(rng.randint(MAX_SEED)) for key in sorted(params)
              if (key == "random_state" or key.endswith("__random_state"))
              and params[key] is None}
    if not to_set:
        return estimator
    if type(estimator).set_params is BaseEstimator.set_params and \
            not any("__" in key for key in to_set):
        # what BaseEstimator.set_params does for parameters get_params has just
        # listed, without listing them again first (~0.1 ms per base fit)
        for key, value in to_set.items():
            setattr(estimator, key, value)
        return estimator
    estimator.set_params(**to_set)
    return estimator


_THREAD = threading.local()


def _reseeded(seed):
    """A generator in the state ``np.random.RandomState(seed)`` starts in, for
    draws that are over before this thread calls again (it is this thread's
    one generator, reseeded).

    A new ``RandomState`` first seeds itself from the operating system and only
    then takes ``seed`` (~0.15 ms); the loop seeds a clone per base fit, and
    that was a noticeable share of a small fit. ``seed()`` sets the same state
    (the legacy seeding, no cached Gaussian) without the first step."""
    if not isinstance(seed, numbers.Integral):
        return np.random.RandomState(seed)
    rng = getattr(_THREAD, "rng", None)
    if rng is None:
        rng = _THREAD.rng = np.random.RandomState()
    rng.seed(seed)
    return rng


def check_random_state(seed):
    """A ``RandomState`` from ``seed`` that is never numpy's global one.

    Like :func:`sklearn.utils.check_random_state`, except for ``None``: a new
    generator seeded from the operating system's entropy instead of numpy's
    global singleton, so that nothing in the package draws from (or moves) the
    caller's global stream.

    Parameters
    ----------
    seed : None, int or RandomState

    Returns
    -------
    rng : RandomState

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_activesynth.utils._seeding import check_random_state
    >>> check_random_state(0).randint(10), check_random_state(None) is np.random.mtrand._rand
    (5, False)
    """
    if seed is None:
        return np.random.RandomState()
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, (int, np.integer)):
        return np.random.RandomState(seed)
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.RandomState instance")
