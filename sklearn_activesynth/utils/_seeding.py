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
import random

import numpy as np

__all__ = ["MAX_SEED", "seeded_global_rngs"]

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
