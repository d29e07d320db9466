"""Conditional variational autoencoder for 28x28 grey Fashion-MNIST (Kingma & Welling 2014; Sohn et al. 2015).

Saved and loaded with huggingface_hub's PyTorchModelHubMixin (config.json + model.safetensors).

    encode: image [N, 1, 28, 28] -> [N, c, 14, 14] -> [N, 2c, 7, 7] -> [N, 4c, 7, 7]
            flattened ++ label embedding -> linear -> mu, logvar [N, latent]
    decode: z [N, latent] ++ label embedding -> linear -> [N, 4c, 7, 7]
            -> up -> [N, 2c, 14, 14] -> up -> [N, c, 28, 28] -> 3x3 conv -> [N, 1, 28, 28], tanh

The label goes to both halves, so z is free to hold style (shape, thickness, brightness) rather
than class. With the defaults (latent 16, c = 32) it has about 0.68 M parameters.
"""
from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

# ----------------------------------------------------------------------------- config
IMAGE_SIZE = 28
SEED_SIZE = IMAGE_SIZE // 4  # two stride-2 steps
LABEL_DIM = 16  # one embedding, shared by encoder and decoder


class ConditionalVAE(nn.Module, PyTorchModelHubMixin):
    def __init__(self, latent_dim: int = 16, num_classes: int = 10, base_channels: int = 32):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        c = base_channels
        features = 4 * c * SEED_SIZE * SEED_SIZE
        self.label_embedding = nn.Embedding(num_classes, LABEL_DIM)
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 4, stride=2, padding=1), nn.SiLU(),  # [N, c, 14, 14]
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.SiLU(),  # [N, 2c, 7, 7]
            nn.Conv2d(2 * c, 4 * c, 3, padding=1), nn.SiLU(),  # [N, 4c, 7, 7]
            nn.Flatten(),  # [N, 4c * 49]
        )
        self.posterior = nn.Linear(features + LABEL_DIM, 2 * latent_dim)
        self.project = nn.Linear(latent_dim + LABEL_DIM, features)
        self.decoder = nn.Sequential(
            nn.SiLU(), nn.Unflatten(1, (4 * c, SEED_SIZE, SEED_SIZE)),  # [N, 4c, 7, 7]
            nn.ConvTranspose2d(4 * c, 2 * c, 4, stride=2, padding=1), nn.SiLU(),  # [N, 2c, 14, 14]
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.SiLU(),  # [N, c, 28, 28]
            nn.Conv2d(c, 1, 3, padding=1),  # [N, 1, 28, 28]
        )

    def encode(self, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x [N, 1, 28, 28] in [-1, 1], labels int64 [N] -> (mu, logvar), each [N, latent_dim]."""
        h = torch.cat([self.encoder(x), self.label_embedding(labels)], dim=1)  # [N, 4c * 49 + 16]
        mu, logvar = self.posterior(h).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """z [N, latent_dim], labels int64 [N] -> images [N, 1, 28, 28] in [-1, 1]."""
        h = self.project(torch.cat([z, self.label_embedding(labels)], dim=1))  # [N, 4c * 49]
        return torch.tanh(self.decoder(h))

    def forward(self, x: torch.Tensor, labels: torch.Tensor,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(reconstruction [N, 1, 28, 28], mu, logvar) with z = mu + sigma * noise (reparameterisation).

        The noise is drawn on the generator's own device (a CPU generator, per the project's seeding
        convention) and then moved, so the same seed gives the same result on CPU and GPU hosts.
        """
        mu, logvar = self.encode(x, labels)
        device = generator.device if generator is not None else mu.device
        noise = torch.randn(mu.shape, generator=generator, device=device, dtype=mu.dtype).to(mu.device)
        z = mu + torch.exp(0.5 * logvar) * noise
        return self.decode(z, labels), mu, logvar
