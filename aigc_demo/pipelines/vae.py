"""What only a VAE can do: reconstruct an image through its latent code, and map its latent space."""
from __future__ import annotations

import numpy as np
import torch

from aigc_demo.device import check_finite
from aigc_demo.errors import UserInputError
from aigc_demo.pipelines.convert import to_uint8


def _device_dtype(vae) -> tuple[torch.device, torch.dtype]:
    parameter = next(vae.parameters())
    return parameter.device, parameter.dtype


@torch.inference_mode()
def reconstruct(vae, image: np.ndarray, label: int) -> np.ndarray:
    """uint8 [28, 28] -> its reconstruction through the posterior mean (deterministic, no sampling)."""
    device, dtype = _device_dtype(vae)
    x = torch.from_numpy(np.array(image)).float().div(127.5).sub(1)[None, None].to(device, dtype)
    labels = torch.tensor([label], device=device)
    mu, _ = vae.encode(x, labels)
    return to_uint8(check_finite(vae.decode(mu, labels), "image"))[0]


@torch.inference_mode()
def latent_map(vae, label: int, size: int = 9, span: float = 2.5, dims: tuple[int, int] = (0, 1)) -> list[np.ndarray]:
    """A size x size grid (row-major) decoding latents that vary along two axes, the rest at the prior mean.

    With a standard-normal prior, +-2.5 covers about 99% of where codes live along each axis.
    """
    if not 2 <= size <= 16:
        raise UserInputError("Use a map size between 2 and 16.")
    device, dtype = _device_dtype(vae)
    steps = torch.linspace(-span, span, size)
    z = torch.zeros(size * size, vae.latent_dim)
    z[:, dims[0]] = steps.repeat_interleave(size)  # rows
    z[:, dims[1]] = steps.repeat(size)  # columns
    labels = torch.full((size * size,), int(label), device=device)
    return to_uint8(check_finite(vae.decode(z.to(device, dtype), labels), "image"))
