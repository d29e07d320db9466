"""What the Fashion-MNIST generator trainings share: data as tensors, per-step randomness, sample grids."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import torch

from aigc_demo.data import fashion_mnist
from aigc_demo.pipelines.convert import tile, to_uint8

GRID_COLUMNS = 8  # sample grids: one row per class, this many samples each


def load_split(split: str, root: str | Path) -> tuple[torch.Tensor, torch.Tensor]:
    """(uint8 images [N, 1, 28, 28], int64 labels [N]); kept as uint8 until a batch is drawn (4x less memory)."""
    images, labels = fashion_mnist.load(split, root)
    return torch.from_numpy(images.copy()).unsqueeze(1), torch.from_numpy(labels)


def step_generator(seed: int, step: int) -> torch.Generator:
    """A CPU generator with its own stream per (seed, step): resuming at step k draws what step k drew before."""
    return torch.Generator().manual_seed(seed * 2**32 + step)


def grid_labels(num_classes: int) -> torch.Tensor:
    """Labels for a sample grid: GRID_COLUMNS of class 0, then of class 1, ... (one row per class)."""
    return torch.arange(num_classes).repeat_interleave(GRID_COLUMNS)


def save_image_grid(images: list, path: Path, columns: int = GRID_COLUMNS, padding: int = 2) -> None:
    """uint8 [H, W] pictures -> a grey PNG of rows of `columns`, with padding between tiles."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(tile(images, columns, padding), mode="L").save(path)


@torch.no_grad()
def prior_samples(decode: Callable, latent_dim: int, num_classes: int, device, seed: int) -> list:
    """Decode the same prior latents every time (one row per class), so grids compare across steps."""
    labels = grid_labels(num_classes)
    z = torch.randn(len(labels), latent_dim, generator=torch.Generator().manual_seed(seed))
    return to_uint8(decode(z.to(device), labels.to(device)))


def save_prior_samples(decode: Callable, latent_dim: int, num_classes: int, device, seed: int, path: Path) -> None:
    save_image_grid(prior_samples(decode, latent_dim, num_classes, device, seed), path)


def sample_path(state_dir: str | Path, step: int) -> Path:
    return Path(state_dir) / "samples" / f"step_{step:06d}.png"
