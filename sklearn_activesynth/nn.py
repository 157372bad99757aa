"""Small torch modules for image and tabular classifiers inside the active synthesis loop.

Needs the ``torch`` extra (torch and skorch); importing this module without
them raises an ImportError that names it. Nothing else in the package imports
it.

- :class:`ImageCNN`: a two-convolution network with dropout for images that
  arrive flattened (as ``ActiveSynthesisClassifier`` passes them: one image per
  row) or as ``(n, C, H, W)``; use it with ``skorch.NeuralNetClassifier(...,
  criterion=torch.nn.CrossEntropyLoss)`` and score it with
  :class:`~sklearn_activesynth.uncertainty.MCDropout`.
- :class:`VariationalImageCNN` with :class:`VariationalLinear`: the same
  network with a mean-field Gaussian last layer; it exposes posterior samples
  through ``sample_predictions``, the hook
  :class:`~sklearn_activesynth.uncertainty.BayesianPredictiveVariance` reads.
- :class:`VariationalNetClassifier`: a ``NeuralNetClassifier`` whose training
  loss adds the module's KL divergence (the negative ELBO).
- :class:`TabularMLP`: a ReLU multilayer perceptron with dropout for tabular
  rows; with ``n_features=None`` its first layer is a ``torch.nn.LazyLinear``
  that takes the width of the first batch, so the same net fits whatever
  ``X`` it is given. Score it with
  :class:`~sklearn_activesynth.uncertainty.MCDropout`.
- :func:`make_tabular_mlp`: a scikit-learn ``Pipeline`` (standardisation,
  float32 cast, skorch ``NeuralNetClassifier`` around :class:`TabularMLP`)
  that can be cloned, pickled and seeded, ready for
  ``ActiveSynthesisClassifier``.
"""

import math

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from .utils._seeding import MAX_SEED, check_random_state
from .utils._torch import seeded_torch

try:
    import torch
    from skorch import NeuralNetClassifier
    from torch import nn
    from torch.nn import functional as F
except ImportError as exc:  # pragma: no cover - exercised with torch hidden
    raise ImportError(
        "sklearn_activesynth.nn needs torch and skorch: pip install torch==2.13.0 "
        "'sklearn-activesynth[torch]'"
    ) from exc

__all__ = ["ImageCNN", "VariationalLinear", "VariationalImageCNN", "VariationalNetClassifier",
           "TabularMLP", "make_tabular_mlp"]


class ImageCNN(nn.Module):
    """Two 3x3 convolutions, max pooling, and a dropout MLP head; returns logits.

    Parameters
    ----------
    image_shape : tuple of int, default=(1, 8, 8)
        ``(C, H, W)``; rows of ``C*H*W`` pixels are reshaped to it, so the
        module works on flattened images inside scikit-learn pipelines.
    n_classes : int, default=10
    channels : int, default=16
        Channels of the first convolution (the second has twice as many).
    hidden_dim : int, default=64
    dropout : float, default=0.25
        Dropout before each linear layer (what MC dropout samples).
    batch_norm : bool, default=False
        Batch normalisation after each convolution.
    input_scale : float, default=1.0
        Inputs are multiplied by this first (e.g. ``1/16`` for digits'
        0..16 pixels, ``1/255`` for 8-bit images).

    Examples
    --------
    >>> import torch
    >>> from sklearn_activesynth.nn import ImageCNN
    >>> ImageCNN()(torch.zeros(2, 64)).shape
    torch.Size([2, 10])
    """

    def __init__(self, image_shape=(1, 8, 8), n_classes=10, channels=16, hidden_dim=64,
                 dropout=0.25, batch_norm=False, input_scale=1.0):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.input_scale = input_scale
        c, h, w = self.image_shape
        norm = (lambda k: nn.BatchNorm2d(k)) if batch_norm else (lambda k: nn.Identity())
        self.features = nn.Sequential(
            nn.Conv2d(c, channels, 3, padding=1), norm(channels), nn.ReLU(),
            nn.Conv2d(channels, 2 * channels, 3, padding=1), norm(2 * channels), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(2 * channels * (h // 2) * (w // 2), hidden_dim), nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.head = self._make_head(hidden_dim, n_classes)

    def _make_head(self, hidden_dim, n_classes):
        return nn.Linear(hidden_dim, n_classes)

    def embed(self, x):
        """Features before the last layer; ``x`` flattened or ``(n, C, H, W)``."""
        x = x.to(torch.get_default_dtype()).reshape((-1,) + self.image_shape)
        return self.features(x * self.input_scale)

    def forward(self, x):
        return self.head(self.embed(x))


class VariationalLinear(nn.Module):
    r"""Linear layer with a mean-field Gaussian posterior over its weights.

    ``q(w) = N(mu, sigma^2)`` per weight and bias, prior ``N(0, prior_std^2)``
    (Blundell et al., 2015, "Weight Uncertainty in Neural Networks"). In
    training mode each row gets its own weight sample through the local
    reparameterisation trick; in evaluation mode the posterior mean is used.
    ``sample_forward`` draws whole weight samples (one function per sample),
    the posterior samples of seed 000 §2.2.3.

    Parameters
    ----------
    in_features, out_features : int
    prior_std : float, default=1.0
    init_log_std : float, default=-5.0
        Initial ``log(sigma)``: start near the deterministic layer.
    """

    def __init__(self, in_features, out_features, prior_std=1.0, init_log_std=-5.0):
        super().__init__()
        self.prior_std = prior_std
        bound = 1.0 / math.sqrt(in_features)
        shape = (out_features, in_features)
        self.weight_mu = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        self.weight_rho = nn.Parameter(torch.full(shape, float(init_log_std)))
        self.bias_mu = nn.Parameter(torch.zeros(out_features))
        self.bias_rho = nn.Parameter(torch.full((out_features,), float(init_log_std)))

    @staticmethod
    def _std(rho):
        # softplus keeps sigma positive with a smooth gradient
        return F.softplus(rho) + 1e-8

    def forward(self, x):
        if not self.training:
            return F.linear(x, self.weight_mu, self.bias_mu)
        mean = F.linear(x, self.weight_mu, self.bias_mu)
        var = F.linear(x.pow(2), self._std(self.weight_rho).pow(2)) + \
            self._std(self.bias_rho).pow(2)
        return mean + var.sqrt() * torch.randn_like(mean)

    def sample_forward(self, x, n_samples, generator=None):
        """Outputs under ``n_samples`` weight samples: shape (n_samples, n, out)."""
        w_std, b_std = self._std(self.weight_rho), self._std(self.bias_rho)
        eps_w = torch.randn((n_samples,) + tuple(self.weight_mu.shape), generator=generator,
                            device=x.device, dtype=x.dtype)
        eps_b = torch.randn((n_samples,) + tuple(self.bias_mu.shape), generator=generator,
                            device=x.device, dtype=x.dtype)
        w = self.weight_mu + w_std * eps_w                      # (S, out, in)
        b = self.bias_mu + b_std * eps_b                        # (S, out)
        return torch.einsum("ni,soi->sno", x, w) + b[:, None, :]

    def kl_divergence(self):
        """KL(q || prior), summed over weights and biases (torch.distributions'
        closed form for two Gaussians)."""
        from torch.distributions import Normal, kl_divergence

        total = 0.0
        for mu, rho in ((self.weight_mu, self.weight_rho), (self.bias_mu, self.bias_rho)):
            prior = Normal(torch.zeros_like(mu), torch.full_like(mu, self.prior_std))
            total = total + kl_divergence(Normal(mu, self._std(rho)), prior).sum()
        return total


class VariationalImageCNN(ImageCNN):
    """:class:`ImageCNN` with a :class:`VariationalLinear` last layer.

    Implements the posterior-sample protocol of
    :class:`~sklearn_activesynth.uncertainty.BayesianPredictiveVariance`:
    ``sample_predictions(x, n_samples, generator=None)`` returns logits of
    shape ``(n_samples, n, n_classes)``, one weight sample of the last layer
    each (features computed once, dropout off). Train it with
    :class:`VariationalNetClassifier`, which adds the KL term.

    Parameters
    ----------
    image_shape, n_classes, channels, hidden_dim, batch_norm, input_scale
        As :class:`ImageCNN`.
    dropout : float, default=0.0
        Off by default: the posterior comes from the last layer.
    prior_std : float, default=1.0
        Prior standard deviation of the last layer's weights.
    """

    def __init__(self, image_shape=(1, 8, 8), n_classes=10, channels=16, hidden_dim=64,
                 dropout=0.0, batch_norm=False, input_scale=1.0, prior_std=1.0):
        self.prior_std = prior_std
        super().__init__(image_shape=image_shape, n_classes=n_classes, channels=channels,
                         hidden_dim=hidden_dim, dropout=dropout, batch_norm=batch_norm,
                         input_scale=input_scale)

    def _make_head(self, hidden_dim, n_classes):
        return VariationalLinear(hidden_dim, n_classes, prior_std=self.prior_std)

    def sample_predictions(self, x, n_samples, generator=None):
        return self.head.sample_forward(self.embed(x), n_samples, generator=generator)

    def kl_divergence(self):
        return self.head.kl_divergence()


class VariationalNetClassifier(NeuralNetClassifier):
    """``NeuralNetClassifier`` trained on the negative ELBO.

    The training loss is the criterion (cross-entropy on logits by default)
    plus ``kl_weight * module_.kl_divergence()``; validation loss and
    predictions are unchanged. ``kl_weight="auto"`` is one over the number of
    training rows, the ELBO's per-row scale.

    Parameters
    ----------
    module : torch module class or instance
        One with a ``kl_divergence()`` method, e.g. :class:`VariationalImageCNN`.
    kl_weight : float or "auto", default="auto"
    criterion : default=torch.nn.CrossEntropyLoss
    **kwargs
        Any other ``NeuralNetClassifier`` parameter.
    """

    def __init__(self, module, *args, criterion=torch.nn.CrossEntropyLoss, kl_weight="auto",
                 **kwargs):
        super().__init__(module, *args, criterion=criterion, **kwargs)
        self.kl_weight = kl_weight

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset_train, dataset_valid = super().get_split_datasets(X, y, **fit_params)
        self.n_train_rows_ = len(dataset_train)
        return dataset_train, dataset_valid

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if training and hasattr(self.module_, "kl_divergence"):
            w = (1.0 / max(1, getattr(self, "n_train_rows_", 1))
                 if self.kl_weight == "auto" else float(self.kl_weight))
            loss = loss + w * self.module_.kl_divergence()
        return loss


class TabularMLP(nn.Module):
    """Multilayer perceptron for tabular rows: ``Linear -> ReLU -> Dropout`` per
    hidden layer, then a linear layer to the logits.

    Parameters
    ----------
    n_features : int or None, default=None
        Columns of ``X``. None makes the first layer a ``torch.nn.LazyLinear``
        whose input width is set by the first forward pass (inside
        ``ActiveSynthesisClassifier`` the width is known only at fit time);
        its weights are then initialised from torch's global generator at
        that first pass.
    n_classes : int, default=2
        Output logits (the classes are the integers ``0..n_classes-1``).
    hidden_dims : tuple of int, default=(64, 64)
        Width of each hidden layer; ``()`` gives a linear model.
    dropout : float, default=0.2
        Dropout after each hidden layer (what MC dropout samples).

    Examples
    --------
    >>> import torch
    >>> from sklearn_activesynth.nn import TabularMLP
    >>> TabularMLP(n_classes=3)(torch.zeros(5, 8)).shape
    torch.Size([5, 3])
    """

    def __init__(self, n_features=None, n_classes=2, hidden_dims=(64, 64), dropout=0.2):
        super().__init__()
        self.n_features = n_features
        self.n_classes = n_classes
        self.hidden_dims = tuple(int(h) for h in hidden_dims)
        self.dropout = dropout
        layers = []
        width = n_features
        for h in self.hidden_dims:
            layers += [self._linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
            width = h
        layers.append(self._linear(width, n_classes))
        self.layers = nn.Sequential(*layers)

    @staticmethod
    def _linear(n_in, n_out):
        return nn.LazyLinear(n_out) if n_in is None else nn.Linear(n_in, n_out)

    def forward(self, X):
        return self.layers(X.to(torch.get_default_dtype()))


def _to_float32(X):
    """The float32 matrix torch's default dtype wants (module level: picklable)."""
    return np.asarray(X, dtype=np.float32)


class _SeededNetClassifier(NeuralNetClassifier):
    """``NeuralNetClassifier`` with a scikit-learn ``random_state``.

    With ``random_state`` set, ``fit`` runs with torch's global generator
    forked and seeded (initialisation, including a lazy layer's, batch order
    and dropout draw from it), so the caller's torch stream is not advanced
    and equal seeds give equal nets. ``None``: torch's global stream, as skorch
    does. Integer targets are cast to int64, the type ``CrossEntropyLoss``
    needs.
    """

    def __init__(self, module, *args, random_state=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.random_state = random_state

    def fit(self, X, y=None, **fit_params):
        if y is not None and not isinstance(y, torch.Tensor):
            y_arr = np.asarray(y)
            if y_arr.dtype.kind in "iub":
                y = y_arr.astype(np.int64, copy=False)
        if self.random_state is None:
            return super().fit(X, y, **fit_params)
        seed = int(check_random_state(self.random_state).randint(MAX_SEED))
        with seeded_torch(seed, self.device or "cpu"):
            return super().fit(X, y, **fit_params)


def make_tabular_mlp(*, hidden_dims=(64, 64), dropout=0.2, max_epochs=60, lr=1e-2,
                     batch_size=64, random_state=None, n_classes=2):
    """A standardised :class:`TabularMLP` classifier as a scikit-learn Pipeline.

    Steps: ``"scale"`` (``StandardScaler``), ``"to32"`` (cast to float32) and
    ``"net"`` (a skorch ``NeuralNetClassifier`` of :class:`TabularMLP` with a
    lazy first layer, cross-entropy loss, Adam, no internal validation split,
    silent). The input width is taken at fit time, so one pipeline fits any
    number of columns; it can be cloned and pickled before and after fitting.
    :class:`~sklearn_activesynth.uncertainty.MCDropout` reaches the net
    through the pipeline.

    Parameters
    ----------
    hidden_dims : tuple of int, default=(64, 64)
    dropout : float, default=0.2
    max_epochs : int, default=60
    lr : float, default=1e-2
        Adam's learning rate.
    batch_size : int, default=64
    random_state : int, RandomState instance or None, default=None
        Seeds each fit (initialisation, batch order, dropout) on a fork of
        torch's global generator, which is left untouched; an int gives the
        same net on every fit. Settable as ``net__random_state`` (what
        :class:`~sklearn_activesynth.uncertainty.DeepEnsembleVariance` sets
        per member). None: torch's global stream.
    n_classes : int, default=2
        Targets must be the integers ``0..n_classes-1`` (as
        ``ActiveSynthesisClassifier`` passes them); ``predict`` returns them.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_activesynth.nn import make_tabular_mlp
    >>> from sklearn_activesynth.uncertainty import MCDropout
    >>> X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    >>> clf = make_tabular_mlp(max_epochs=10, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> MCDropout(n_passes=5, random_state=0)(clf, X[:3]).shape
    (3,)
    """
    net = _SeededNetClassifier(
        TabularMLP,
        module__n_features=None,
        module__n_classes=n_classes,
        module__hidden_dims=tuple(hidden_dims),
        module__dropout=dropout,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        train_split=None,
        verbose=0,
        random_state=random_state,
    )
    return Pipeline([
        ("scale", StandardScaler()),
        ("to32", FunctionTransformer(_to_float32, feature_names_out="one-to-one")),
        ("net", net),
    ])
