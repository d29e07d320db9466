"""Tensor <-> picture conversions shared by the image pipelines (kept free of heavy imports)."""
from __future__ import annotations

import numpy as np
import torch


def to_uint8(images: torch.Tensor) -> list[np.ndarray]:
    """[B, 1, H, W] in [-1, 1] -> B uint8 arrays [H, W] in 0..255."""
    scaled = ((images.float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return [image[0].numpy() for image in scaled]
