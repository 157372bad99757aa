"""Lazy torch/skorch imports, device choice and seeding without global side effects.

Nothing here imports torch at module import: the helpers do it when called,
so the package imports (and every torch-free feature works) without the
``torch`` extra.
"""

from ._seeding import MAX_SEED, seeded_global_rngs

__all__ = ["import_torch", "import_skorch", "resolve_device", "seeded_torch", "MAX_SEED"]

_EXTRA = "pip install torch==2.13.0 'sklearn-activesynth[torch]'"


def import_torch(owner):
    """``torch``, or an ImportError that names ``owner`` and the extra."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            f"{owner} needs torch and skorch: {_EXTRA} (install the pinned CPU "
            "build of torch first; an unpinned torch pulls a multi-GB CUDA build)."
        ) from exc
    return torch


def import_skorch(owner):
    """``skorch`` (after torch), or an ImportError that names the extra."""
    import_torch(owner)
    try:
        import skorch
    except ImportError as exc:
        raise ImportError(f"{owner} needs skorch: {_EXTRA}") from exc
    return skorch


def resolve_device(device, owner="this estimator"):
    """``"auto"`` -> ``"cuda"`` when a GPU is visible, else ``"cpu"``."""
    torch = import_torch(owner)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(device)


def cuda_device_indices(device):
    """The CUDA device index behind a device name (``[]`` for the CPU, or when
    no GPU is visible): the generators a seeded block must fork."""
    import torch

    if str(device).startswith("cuda") and torch.cuda.is_available():
        dev = torch.device(device)
        return [dev.index if dev.index is not None else torch.cuda.current_device()]
    return []


def seeded_torch(seed, device="cpu"):
    """Seed torch's global generator(s) for the block, then restore them.

    skorch (module initialisation, DataLoader shuffling) and ``nn.Dropout``
    draw from torch's global generators and take no ``torch.Generator``.
    Forking them here makes a fit or a set of dropout passes reproducible
    from ``seed`` while the caller's own torch stream is left exactly where it
    was (no global seeding, seed 000's reproducibility without side effects).
    Only the CPU generator is forked unless ``device`` is a CUDA device.
    numpy's and Python's generators are left alone: this is
    :func:`~sklearn_activesynth.utils._seeding.seeded_global_rngs` with torch
    only.
    """
    return seeded_global_rngs(seed, numpy=False, python=False,
                              torch_devices=cuda_device_indices(device))
