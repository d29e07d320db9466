"""Class-conditional DCGAN for 28x28 grey Fashion-MNIST (Radford et al. 2016, arXiv:1511.06434).

The generator is what a checkpoint holds (config.json + model.safetensors through
huggingface_hub's PyTorchModelHubMixin); the discriminator exists only while training.

    generator:      z [N, latent] ++ label embedding [N, 16]
                    -> linear -> [N, 4c, 7, 7] -> up -> [N, 2c, 14, 14] -> up -> [N, 1, 28, 28], tanh
    discriminator:  image [N, 1, 28, 28] -> down -> [N, c, 14, 14] -> down -> [N, 2c, 7, 7]
                    -> one logit, plus a projection term <embed(label), features> (Miyato & Koyama 2018)

With the defaults (latent 64, c = 64) the generator has about 1.5 M parameters and the
discriminator about 0.2 M.
"""
from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

# ----------------------------------------------------------------------------- config
IMAGE_SIZE = 28  # Fashion-MNIST; two stride-2 steps from a 7x7 seed
SEED_SIZE = IMAGE_SIZE // 4
LABEL_DIM = 16  # width of the generator's label embedding; ten classes need no more
LEAK = 0.2  # LeakyReLU slope in the discriminator, as in the DCGAN paper


def _norm(channels: int, batch_norm: bool) -> nn.Module:
    """BatchNorm2d, or nothing (a layer without parameters keeps the state_dict honest: strict loading
    of a batch-norm checkpoint into a model without it fails instead of silently dropping statistics)."""
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


class DCGANGenerator(nn.Module, PyTorchModelHubMixin):
    def __init__(self, latent_dim: int = 64, num_classes: int = 10, base_channels: int = 64, batch_norm: bool = True):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        wide, mid = 4 * base_channels, 2 * base_channels
        self.label_embedding = nn.Embedding(num_classes, LABEL_DIM)
        # A convolution's bias is redundant right before batch norm, which subtracts the mean anyway.
        self.project = nn.Linear(latent_dim + LABEL_DIM, wide * SEED_SIZE * SEED_SIZE, bias=not batch_norm)
        self.project_norm = _norm(wide, batch_norm)
        # kernel 4, stride 2, padding 1 doubles the size with even overlap (kernel 3 or 5 gives checkerboards).
        self.up1 = nn.ConvTranspose2d(wide, mid, 4, stride=2, padding=1, bias=not batch_norm)
        self.up1_norm = _norm(mid, batch_norm)
        self.up2 = nn.ConvTranspose2d(mid, 1, 4, stride=2, padding=1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """z [N, latent_dim], labels int64 [N] -> images [N, 1, 28, 28] in [-1, 1]."""
        h = torch.cat([z, self.label_embedding(labels)], dim=1)  # [N, latent + 16]
        h = self.project(h).view(len(z), -1, SEED_SIZE, SEED_SIZE)  # [N, 4c, 7, 7]
        h = torch.relu(self.project_norm(h))
        h = torch.relu(self.up1_norm(self.up1(h)))  # [N, 2c, 14, 14]
        return torch.tanh(self.up2(h))  # [N, 1, 28, 28]


class DCGANDiscriminator(nn.Module):
    """Returns logits (no sigmoid), so the same network serves the non-saturating GAN loss and WGAN-GP.

    Keep batch_norm off with a gradient penalty: the penalty is defined per sample, and batch norm
    makes each sample's score depend on the rest of the batch (Gulrajani et al. 2017, section 4).
    """

    def __init__(self, num_classes: int = 10, base_channels: int = 64, batch_norm: bool = True):
        super().__init__()
        wide = 2 * base_channels
        features = wide * SEED_SIZE * SEED_SIZE
        self.down1 = nn.Conv2d(1, base_channels, 4, stride=2, padding=1)  # no norm on the input layer (DCGAN)
        self.down2 = nn.Conv2d(base_channels, wide, 4, stride=2, padding=1, bias=not batch_norm)
        self.down2_norm = _norm(wide, batch_norm)
        self.score = nn.Linear(features, 1)
        # Projection conditioning: the class enters as an inner product with the features, which
        # trains more stably than feeding the label in as an extra input channel.
        self.label_projection = nn.Embedding(num_classes, features)
        # nn.Embedding starts at N(0, 1), which makes <embed, features> about sqrt(features) times larger
        # than the score head's output: logits in the hundreds, a saturated discriminator and a first few
        # hundred steps wasted. Start it on nn.Linear's scale instead.
        bound = features ** -0.5
        nn.init.uniform_(self.label_projection.weight, -bound, bound)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """images [N, 1, 28, 28] in [-1, 1], labels int64 [N] -> logits [N]."""
        h = nn.functional.leaky_relu(self.down1(images), LEAK)  # [N, c, 14, 14]
        h = nn.functional.leaky_relu(self.down2_norm(self.down2(h)), LEAK)  # [N, 2c, 7, 7]
        h = h.flatten(1)  # [N, 2c * 49]
        return self.score(h).squeeze(1) + (self.label_projection(labels) * h).sum(1)
