"""Tensor <-> picture conversions shared by pipelines, training and evaluation (kept free of heavy imports)."""
from __future__ import annotations

import numpy as np
import torch


def to_uint8(images: torch.Tensor) -> list[np.ndarray]:
    """[B, 1, H, W] in [-1, 1] -> B uint8 arrays [H, W] in 0..255."""
    scaled = ((images.float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return [image[0].numpy() for image in scaled]


def from_uint8(images) -> torch.Tensor:
    """uint8 pictures ([N, H, W] array, list of [H, W], or a [N, 1, H, W] tensor) -> float [N, 1, H, W] in [-1, 1],
    the range every generator here outputs."""
    if isinstance(images, torch.Tensor):
        return images.float() / 127.5 - 1.0
    return torch.from_numpy(np.stack(list(images))).float().div(127.5).sub(1).unsqueeze(1)


def from_uint8_rgb(images) -> torch.Tensor:
    """uint8 colour pictures [N, H, W, 3] -> float [N, 3, H, W] in [-1, 1]."""
    return torch.from_numpy(np.stack(list(images))).permute(0, 3, 1, 2).float().div(127.5).sub(1)


def tile(images: list[np.ndarray], columns: int, padding: int = 0) -> np.ndarray:
    """uint8 [H, W] pictures -> one grid, `columns` per row, `padding` black pixels between and around tiles."""
    h, w = images[0].shape
    rows = -(-len(images) // columns)
    canvas = np.zeros((rows * (h + padding) + padding, columns * (w + padding) + padding), np.uint8)
    for i, picture in enumerate(images):
        top, left = padding + (i // columns) * (h + padding), padding + (i % columns) * (w + padding)
        canvas[top:top + h, left:left + w] = picture
    return canvas
