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


def add_run_arguments(p, family: str, sample_every: int = 500, save_every: int = 500) -> None:
    """The options every Fashion-MNIST trainer shares: data, resumable state, smoke mode, cadence, seed, threads."""
    p.add_argument("--data-root", default=str(fashion_mnist.DEFAULT_ROOT), help="folder of Fashion-MNIST IDX files")
    p.add_argument("--state-dir", default=f"train_state/{family}")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--smoke", action="store_true", help="tiny networks and a few steps, for tests")
    p.add_argument("--sample-every", type=int, default=sample_every, help="sample grid every N steps and at the end")
    p.add_argument("--save-every", type=int, default=save_every)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")


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
