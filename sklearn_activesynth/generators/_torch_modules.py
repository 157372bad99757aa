"""Torch modules and skorch nets behind :class:`SkorchImageGenerator`.

Imported only inside ``SkorchImageGenerator.fit`` (and by ``generate`` on a
fitted generator), so the package imports without torch. Images reach these
modules flattened and scaled to ``[0, 1]``; the condition is the class code
``0..n_classes-1``. The networks are multilayer perceptrons on purpose: the
seed's lightweight generators (003 §2.1) for small images, seconds on a CPU.
"""

import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch import nn
from torch.nn import functional as F

__all__ = [
    "ConditionalVAE",
    "VAELoss",
    "CVAENet",
    "ConditionalGenerator",
    "ConditionalDiscriminator",
    "CGANNet",
]


def _one_hot(c, n_classes, dtype):
    return F.one_hot(c.long(), n_classes).to(dtype)


class ConditionalVAE(nn.Module):
    """Conditional VAE: ``q(z | x, c)`` and ``p(x | z, c)``, two-layer MLPs.

    ``forward(x, c)`` returns ``(reconstruction, mu, logvar)``; the
    reconstruction is pixel intensities in ``[0, 1]``.
    """

    def __init__(self, n_pixels=64, n_classes=10, latent_dim=8, hidden_dim=128):
        super().__init__()
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(
            nn.Linear(n_pixels + n_classes, hidden_dim), nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
        )
        self.mu = nn.Linear(hidden_dim, latent_dim)
        self.logvar = nn.Linear(hidden_dim, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim + n_classes, hidden_dim), nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
            nn.Linear(hidden_dim, n_pixels),
        )

    def encode(self, x, c):
        h = self.encoder(torch.cat([x, _one_hot(c, self.n_classes, x.dtype)], dim=1))
        return self.mu(h), self.logvar(h).clamp(-10.0, 10.0)

    def decode(self, z, c):
        logits = self.decoder(torch.cat([z, _one_hot(c, self.n_classes, z.dtype)], dim=1))
        return torch.sigmoid(logits)

    def forward(self, x, c):
        mu, logvar = self.encode(x, c)
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        else:
            z = mu
        return self.decode(z, c), mu, logvar


class VAELoss(nn.Module):
    """Negative ELBO per image: pixel-wise binary cross-entropy (intensities in
    ``[0, 1]`` as Bernoulli means) summed over pixels, plus ``beta`` times the
    KL divergence of ``q(z | x, c)`` from ``N(0, I)``; averaged over the batch."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, y_pred, x):
        recon, mu, logvar = y_pred
        rec = F.binary_cross_entropy(recon, x, reduction="sum") / x.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
        return rec + self.beta * kl


class CVAENet(NeuralNet):
    """skorch net for :class:`ConditionalVAE`: ``X = {"x": pixels, "c": codes}``;
    the loss compares the reconstruction with ``X["x"]`` (``y`` is unused)."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        x = to_tensor(X["x"], device=self.device)
        return self.criterion_(y_pred, x)


class ConditionalGenerator(nn.Module):
    """cGAN generator ``G(z, c)``: an MLP to pixel intensities in ``[0, 1]``."""

    def __init__(self, n_pixels=64, n_classes=10, latent_dim=8, hidden_dim=128):
        super().__init__()
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.Linear(latent_dim + n_classes, hidden_dim), nn.LeakyReLU(0.2),
            nn.Linear(hidden_dim, hidden_dim), nn.LeakyReLU(0.2),
            nn.Linear(hidden_dim, n_pixels),
        )

    def decode(self, z, c):
        return torch.sigmoid(self.net(torch.cat([z, _one_hot(c, self.n_classes, z.dtype)], 1)))

    def forward(self, z, c):
        return self.decode(z, c)


class ConditionalDiscriminator(nn.Module):
    """cGAN discriminator ``D(x, c)``: an MLP to one logit (real vs synthetic)."""

    def __init__(self, n_pixels=64, n_classes=10, hidden_dim=128):
        super().__init__()
        self.n_classes = n_classes
        self.net = nn.Sequential(
            nn.Linear(n_pixels + n_classes, hidden_dim), nn.LeakyReLU(0.2),
            nn.Linear(hidden_dim, hidden_dim), nn.LeakyReLU(0.2),
            nn.Linear(hidden_dim, 1),
        )

    def forward(self, x, c):
        return self.net(torch.cat([x, _one_hot(c, self.n_classes, x.dtype)], 1)).squeeze(1)


class CGANNet(NeuralNet):
    """skorch net for a conditional GAN (seed 000, §2.3, item 3).

    ``module`` is the generator, ``discriminator`` the discriminator (both
    take ``module__*`` / ``discriminator__*`` parameters); each has its own
    optimizer (``optimizer_`` for G, ``discriminator_optimizer_`` for D, both
    at ``lr`` unless ``discriminator_optimizer__lr`` is set). Each batch makes
    one discriminator step and one generator step with the non-saturating
    loss; real labels are smoothed to 0.9. ``X = {"x": pixels, "c": codes}``.
    """

    def __init__(self, module, *args, discriminator=ConditionalDiscriminator, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.discriminator = discriminator

    def initialize_module(self):
        super().initialize_module()
        kwargs = self.get_params_for("discriminator")
        self.discriminator_ = self.initialized_instance(self.discriminator, kwargs)
        return self

    def initialize_optimizer(self, *args, **kwargs):
        named = self.module_.named_parameters()
        a, kw = self.get_params_for_optimizer("optimizer", named)
        self.optimizer_ = self.optimizer(*a, **kw)
        named = self.discriminator_.named_parameters()
        a, kw = self.get_params_for_optimizer("discriminator_optimizer", named)
        self.discriminator_optimizer_ = self.optimizer(*a, **kw)
        return self

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        Xi, _ = unpack_data(batch)
        x = to_tensor(Xi["x"], device=self.device)
        c = to_tensor(Xi["c"], device=self.device)
        n = x.shape[0]
        z = torch.randn(n, self.module_.latent_dim, device=x.device)
        fake = self.module_(z, c)

        d_real = self.discriminator_(x, c)
        d_fake = self.discriminator_(fake.detach(), c)
        loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, 0.9))
                  + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
        self.discriminator_optimizer_.zero_grad()
        loss_d.backward()
        self.discriminator_optimizer_.step()

        d_fake = self.discriminator_(fake, c)
        loss_g = F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
        self.optimizer_.zero_grad()
        loss_g.backward()
        self.optimizer_.step()
        self.history.record_batch("discriminator_loss", loss_d.item())
        return {"loss": loss_g, "y_pred": fake}
