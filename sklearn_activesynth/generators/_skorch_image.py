"""Conditional image generators (a VAE and a GAN) as skorch nets."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..utils._compat import Interval, StrOptions
from ..utils._seeding import MAX_SEED, check_random_state
from ..utils._torch import import_skorch, import_torch, resolve_device, seeded_torch
from .base import BaseGenerator, GeneratorTags, Synthesized

__all__ = ["SkorchImageGenerator"]

# rows decoded per forward pass: bounds memory on large requests
_CHUNK = 4096
_AUTO_EPOCHS, _AUTO_STEPS = 30, {"cvae": 1000, "cgan": 1500}


class SkorchImageGenerator(BaseGenerator):
    """Class-conditional image generator: a small conditional VAE or GAN in skorch.

    ``fit`` trains a conditional VAE (``kind="cvae"``) or a conditional GAN
    (``kind="cgan"``, seed 000 §2.3 item 3) on the real images, conditioned on
    the label. ``generate`` then aims at what the loop asks for:

    - **targeted** (``targets`` with anchor rows): each anchor is mapped to a
      latent code (the cVAE encoder's mean; for the cGAN, the code whose image
      is nearest the anchor, found by ``inversion_steps`` gradient steps on
      the code), new codes are drawn around it,
      ``z = z_anchor + anchor_noise * eps`` with ``eps ~ N(0, I)``, and decoded
      with the anchor's class as the condition: images like the uncertain
      real ones, of the same class;
    - **untargeted** (no ``targets``, targets without anchors, or
      ``sampling="prior"``): codes from the prior ``N(0, I)``, classes in the
      training mix (or the targets' class counts), the comparison the loop's
      targeting must beat.

    The networks are small multilayer perceptrons on the flattened pixels
    (the seed's lightweight generators, 003 §2.1): on 8x8 digits a fit takes
    seconds on one CPU core. Each is a skorch ``NeuralNet`` (``net_``), so the
    training settings below tune like any other parameter, e.g.
    ``GridSearchCV(clf, {"generator__max_epochs": [20, 50],
    "generator__latent_dim": [4, 8]})`` on an ``ActiveSynthesisClassifier``.

    Needs the ``torch`` extra (torch and skorch), imported at ``fit``.

    Parameters
    ----------
    kind : {"cvae", "cgan"}, default="cvae"
        Conditional VAE (stable, encodes anchors directly) or conditional GAN
        (sharper samples when trained long enough; anchors found by latent
        inversion).
    image_shape : tuple of int or None, default=None
        ``(C, H, W)`` (or ``(H, W)`` for one channel) of each image when ``X``
        holds flattened pixels, one image per row, as it does inside
        :class:`~sklearn_activesynth.ActiveSynthesisClassifier` and any
        scikit-learn pipeline. ``None`` requires ``X`` of shape
        ``(n, C, H, W)``.
    latent_dim : int, default=8
        Size of the latent code ``z``.
    hidden_dim : int, default=128
        Width of the hidden layers (encoder, decoder, discriminator).
    max_epochs : int or "auto", default="auto"
        Training epochs (skorch ``max_epochs``). "auto": as many as make 1,000
        optimizer steps for the cVAE and 1,500 for the cGAN, and at least 30:
        the networks need steps rather than passes, and a few hundred images
        make only a handful of batches per epoch.
    lr : float, default=2e-3
        Adam learning rate (skorch ``lr``; both optimizers of the cGAN).
    batch_size : int, default=32
        Training batch size.
    beta : float, default=1.0
        Weight of the KL term of the cVAE loss (1 is the ELBO; ignored by
        the cGAN).
    anchor_noise : float, default=0.5
        Standard deviation, in units of the prior's, of the latent
        neighbourhood sampled around each anchor: 0 decodes the anchor's own
        code; around 1 the samples are as varied as prior samples of the class.
    sampling : {"anchors", "prior"}, default="anchors"
        Where latent codes come from when ``targets`` carry anchors: around
        the anchors' codes, or from the prior, ignoring the anchors but keeping
        the targets' class counts. "prior" is the untargeted control inside
        the loop, at the same budget, rounds and validation guard (with
        ``ActiveSynthesisClassifier(class_allocation="proportional")`` the
        classes follow the training mix too).
    inversion_steps : int, default=200
        cGAN only: Adam steps (step size 0.05) fitting each anchor's latent
        code to the anchor's pixels. 0 starts from a random code.
    device : str, default="auto"
        Torch device for training and sampling: ``"auto"`` takes a GPU when
        one is visible and the CPU otherwise; or name one (``"cpu"``,
        ``"cuda"``, ``"cuda:1"``...). Results are reproducible for a given
        device.
    verbose : int, default=0
        skorch's per-epoch log.
    random_state : int, RandomState instance or None, default=None
        Seeds the training (weight initialisation, batch order, the VAE's
        reparameterisation noise). torch's global generator is forked for the
        fit and put back afterwards, so the caller's torch seed is untouched.
        Sampling is seeded by ``generate``'s own ``random_state`` through a
        private ``torch.Generator``.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network (``net_.module_``: the cVAE, or the cGAN's
        generator; ``net_.discriminator_`` for the cGAN).
    classes_ : ndarray
        Labels seen in ``fit``; the condition of class ``classes_[k]`` is ``k``.
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images.
    data_min_, data_max_ : float
        Smallest and largest pixel value seen in ``fit``: pixels are scaled
        to ``[0, 1]`` by them for training, and generated pixels lie between
        them.
    n_features_in_ : int
        Pixels per image, ``C * H * W``.
    schema_ : TabularSchema
        Schema of the flattened training pixels.

    See Also
    --------
    InterpolationGenerator : pixel-space interpolation between an anchor and a
        same-class neighbour; no torch, and a strong baseline on small images.

    Notes
    -----
    Output keeps the input's form: ``(n, C, H, W)`` in, ``(n, C, H, W)`` out;
    flattened in, flattened out (a pixel DataFrame gives a DataFrame with the
    same columns); the same dtype (integer images are rounded). Float pixels
    are not rounded to the training data's precision: a decoded intensity of
    7.4 on a 0-16 scale is a valid image, unlike a transaction amount with a
    fraction of a cent.

    ``fit`` takes ``X`` of shape ``(n_samples, C, H, W)``, or
    ``(n_samples, C*H*W)`` (an ndarray or a numeric DataFrame) with
    ``image_shape`` set, and one label per image; each label is a condition
    of the generator. ``generate``'s ``targets`` name anchors by their
    position in the images seen by ``fit``.

    Rows are returned anchor by anchor, in the order of
    ``targets.anchor_indices``; the result's ``anchor_positions`` say which
    anchor each row was made for (-1 for prior samples), so the loop's
    provenance names the uncertain real image behind every synthetic one.

    References
    ----------
    Seed 000, §2.3 (conditional generation aimed at high-uncertainty regions;
    conditional GANs); seed 003, §2.1 (lightweight generators for images).
    Kingma & Welling (2014), Auto-Encoding Variational Bayes; Sohn et al.
    (2015), conditional VAEs; Mirza & Osindero (2014), conditional GANs.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_activesynth.generators import SkorchImageGenerator
    >>> X, y = load_digits(return_X_y=True)
    >>> gen = SkorchImageGenerator(image_shape=(1, 8, 8), max_epochs=2,
    ...                            random_state=0).fit(X[:200], y[:200])
    >>> X_new, y_new = gen.generate(5, random_state=0)
    >>> X_new.shape, X_new.dtype
    ((5, 64), dtype('float64'))
    """

    _parameter_constraints = {
        "kind": [StrOptions({"cvae", "cgan"})],
        "image_shape": [tuple, list, None],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_dim": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "anchor_noise": [Interval(Real, 0, None, closed="left")],
        "sampling": [StrOptions({"anchors", "prior"})],
        "inversion_steps": [Interval(Integral, 0, None, closed="left")],
        "device": [str],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(self, kind="cvae", *, image_shape=None, latent_dim=8, hidden_dim=128,
                 max_epochs="auto", lr=2e-3, batch_size=32, beta=1.0, anchor_noise=0.5,
                 sampling="anchors", inversion_steps=200, device="auto", verbose=0,
                 random_state=None):
        self.kind = kind
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.hidden_dim = hidden_dim
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.beta = beta
        self.anchor_noise = anchor_noise
        self.sampling = sampling
        self.inversion_steps = inversion_steps
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    def __generator_tags__(self):
        return GeneratorTags(conditional=True, uses_anchors=self.sampling == "anchors",
                             requires_torch=True, image=True)

    # ------------------------------------------------------------------ input
    def _declared_shape(self):
        if self.image_shape is None:
            return None
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) == 2:
            shape = (1,) + shape
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(
                f"image_shape must be (C, H, W) or (H, W) with positive sizes, got "
                f"{self.image_shape!r}.")
        return shape

    def _flatten_input(self, X):
        """Validate ``X``; return (pixels (n, P), image shape, form): float64
        for a DataFrame, the array's own dtype otherwise."""
        name = type(self).__name__
        if sp.issparse(X):
            raise TypeError(f"{name} does not accept sparse input; pass a dense array.")
        declared = self._declared_shape()
        if isinstance(X, pd.DataFrame):
            bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])
                   or pd.api.types.is_bool_dtype(X[c])]
            if bad:
                raise TypeError(f"{name} needs numeric pixel columns; {bad[:5]} are not.")
            arr, form = X.to_numpy(dtype=float), "frame"
        else:
            arr = np.asarray(X)
            if arr.dtype.kind not in "iuf":
                raise TypeError(f"{name} needs numeric pixel values, got dtype {arr.dtype}.")
            form = "images" if arr.ndim == 4 else "flat"
        if form == "images":
            shape = tuple(arr.shape[1:])
            if declared is not None and declared != shape:
                raise ValueError(
                    f"X has images of shape {shape} but image_shape={self.image_shape!r}.")
            arr = arr.reshape(arr.shape[0], -1)
        elif arr.ndim == 2:
            if declared is None:
                raise ValueError(
                    f"{name} got a 2-D X of shape {arr.shape}: pass images as an "
                    "(n, C, H, W) array, or declare image_shape=(C, H, W) for rows of "
                    "flattened pixels (as inside ActiveSynthesisClassifier).")
            if int(np.prod(declared)) != arr.shape[1]:
                raise ValueError(
                    f"image_shape={self.image_shape!r} has {int(np.prod(declared))} pixels "
                    f"but X has {arr.shape[1]} columns.")
            shape = declared
        else:
            raise ValueError(
                f"{name} needs X of shape (n, C, H, W), or (n, C*H*W) with image_shape; "
                f"got shape {arr.shape}.")
        if arr.shape[0] == 0:
            raise ValueError(f"{name}.fit needs at least one image.")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: X contains NaN or infinity; images must be finite.")
        return arr, shape, form

    # ------------------------------------------------------------------ fit
    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def _validate_fit_input(self, X, y):
        """Images, or rows of flattened pixels, and one label per image; the
        table the schema is learned from: the pixel DataFrame as given, or
        the pixels as ``(n, C*H*W)`` rows of the input's dtype."""
        flat, shape, form = self._flatten_input(X)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != flat.shape[0]:
            raise ValueError(
                f"y must be 1-D with one label per image: X has {flat.shape[0]} images, "
                f"y has shape {y.shape}.")
        self.image_shape_ = shape
        self._form = form
        return (X if form == "frame" else flat), y

    def _fit(self, X, y):
        name = type(self).__name__
        torch = import_torch(name)
        import_skorch(name)
        from ._torch_modules import (
            CGANNet,
            ConditionalDiscriminator,
            ConditionalGenerator,
            ConditionalVAE,
            CVAENet,
            VAELoss,
        )

        codes = np.unique(y, return_inverse=True)[1]
        if self._form == "frame":
            flat = X.to_numpy(dtype=float)
            self._frame_dtypes = X.dtypes.copy()
            self._dtype = np.dtype(float)
        else:
            flat = X
            self._dtype = X.dtype
        self.data_min_ = float(flat.min())
        self.data_max_ = float(flat.max())
        span = self.data_max_ - self.data_min_
        self._span = span if span > 0 else 1.0
        self._X01 = ((flat - self.data_min_) / self._span).astype(np.float32)
        self._codes = codes.astype(np.int64)
        self._y = y
        self._device = resolve_device(self.device, name)

        common = dict(
            optimizer=torch.optim.Adam, lr=self.lr, max_epochs=self._epochs(len(y)),
            batch_size=self.batch_size, train_split=None, verbose=self.verbose,
            device=self._device, iterator_train__shuffle=True,
            module__n_pixels=self.n_features_in_, module__n_classes=len(self.classes_),
            module__latent_dim=self.latent_dim, module__hidden_dim=self.hidden_dim,
        )
        if self.kind == "cvae":
            net = CVAENet(ConditionalVAE, criterion=VAELoss, criterion__beta=self.beta,
                          **common)
        else:
            net = CGANNet(
                ConditionalGenerator, criterion=torch.nn.BCEWithLogitsLoss,
                discriminator=ConditionalDiscriminator,
                discriminator__n_pixels=self.n_features_in_,
                discriminator__n_classes=len(self.classes_),
                discriminator__hidden_dim=self.hidden_dim,
                optimizer__betas=(0.5, 0.999),
                discriminator_optimizer__betas=(0.5, 0.999),
                **common)
        seed = check_random_state(self.random_state).randint(MAX_SEED)
        with seeded_torch(seed, self._device):
            net.fit({"x": self._X01, "c": self._codes}, self._codes)
        net.module_.eval()
        self.net_ = net
        return self

    def _epochs(self, n):
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        batches = int(np.ceil(n / self.batch_size))
        return max(_AUTO_EPOCHS, int(np.ceil(_AUTO_STEPS[self.kind] / batches)))

    # ------------------------------------------------------------------ generate
    def _generate(self, n_samples, targets, rng):
        torch = import_torch(type(self).__name__)
        device = self._device
        gen = torch.Generator(device=device)
        gen.manual_seed(int(rng.randint(MAX_SEED)))
        module = self.net_.module_
        module.eval()
        L = self.latent_dim
        use_anchors = targets is not None and len(targets.anchor_indices) > 0
        if use_anchors and self.sampling == "anchors" and n_samples > 0:
            anchors = np.asarray(targets.anchor_indices, dtype=int)
            # the per-anchor counts, scaled to the requested total
            counts = self._rows_per_anchor(n_samples, targets, rng)
            keep = counts > 0
            anchors, counts = anchors[keep], counts[keep]
            rows = np.repeat(anchors, counts)
            codes = self._codes[rows]
            z_anchor = self._latent_codes(anchors, gen)
            z = torch.repeat_interleave(z_anchor, torch.as_tensor(counts, device=device), 0)
            z = z + self.anchor_noise * torch.randn(z.shape, generator=gen, device=device)
            positions = rows
        else:
            per_class = self._requested_class_counts(n_samples, targets, self._y)
            codes = np.concatenate(
                [np.full(n, np.searchsorted(self.classes_, c), dtype=np.int64)
                 for c, n in per_class.items()] or [np.empty(0, np.int64)])
            z = torch.randn((len(codes), L), generator=gen, device=device)
            # made for no anchor: the loop must not credit one
            positions = np.full(len(codes), -1)
        pixels = self._decode(z, codes)
        return Synthesized(self._restore(pixels), self.classes_[codes],
                           anchor_positions=positions)

    def _latent_codes(self, anchors, gen):
        """One latent code per anchor (positions in the training images)."""
        torch = import_torch(type(self).__name__)
        device = self._device
        module = self.net_.module_
        x = torch.as_tensor(self._X01[anchors], device=device)
        c = torch.as_tensor(self._codes[anchors], device=device)
        if self.kind == "cvae":
            with torch.no_grad():
                mu, _ = module.encode(x, c)
            return mu
        # cGAN: no encoder; fit each anchor's code by gradient steps on z only
        # (the generator's weights and gradients are not touched)
        z = torch.randn((len(anchors), self.latent_dim), generator=gen, device=device)
        z.requires_grad_(True)
        opt = torch.optim.Adam([z], lr=0.05)
        with torch.enable_grad():
            for _ in range(self.inversion_steps):
                loss = ((module.decode(z, c) - x) ** 2).sum() + 1e-3 * (z ** 2).sum()
                (grad,) = torch.autograd.grad(loss, [z])
                z.grad = grad
                opt.step()
        return z.detach()

    def _decode(self, z, codes):
        torch = import_torch(type(self).__name__)
        module = self.net_.module_
        out = np.empty((len(codes), self.n_features_in_), dtype=np.float64)
        c_all = torch.as_tensor(codes, device=self._device)
        with torch.no_grad():
            for start in range(0, len(codes), _CHUNK):
                sl = slice(start, start + _CHUNK)
                out[sl] = module.decode(z[sl], c_all[sl]).cpu().numpy()
        return out

    def _restore(self, pixels01):
        """Pixels in ``[0, 1]`` -> the training form, range and dtype."""
        X = np.clip(self.data_min_ + self._span * pixels01, self.data_min_, self.data_max_)
        n = X.shape[0]
        if self._form == "frame":
            frame = pd.DataFrame(X, columns=self.feature_names_in_)
            for col, dtype in self._frame_dtypes.items():
                if pd.api.types.is_integer_dtype(dtype):
                    frame[col] = np.rint(frame[col])
                frame[col] = frame[col].astype(dtype)
            return frame
        if self._dtype.kind in "iu":
            X = np.rint(X)
        X = X.astype(self._dtype, copy=False)
        if self._form == "images":
            return X.reshape((n,) + tuple(self.image_shape_))
        return X
