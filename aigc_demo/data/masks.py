"""Inpainting masks (uint8 [H, W], 1 = fill here): random boxes and free-form strokes for training,
and the fixed held-out sets evaluation uses (a centre box of a quarter of the area; seeded strokes).

Free-form strokes follow the DeepFill v2 recipe (Yu et al. 2019): a few random walks of thick lines,
the kind of mask a person paints with a brush.
"""
from __future__ import annotations

import cv2
import numpy as np


def centre_box(height: int, width: int) -> np.ndarray:
    """A box of half the height and half the width in the middle: a quarter of the area."""
    mask = np.zeros((height, width), np.uint8)
    top, left = height // 4, width // 4
    mask[top:top + height // 2, left:left + width // 2] = 1
    return mask


def random_box(height: int, width: int, rng: np.random.Generator, area=(0.05, 0.3)) -> np.ndarray:
    """A box covering a random share `area` of the picture, random aspect, random place."""
    share = rng.uniform(*area)
    aspect = np.exp(rng.uniform(-0.7, 0.7))
    h = int(np.clip(round(np.sqrt(share * height * width * aspect)), 1, height))
    w = int(np.clip(round(share * height * width / h), 1, width))
    top, left = rng.integers(0, height - h + 1), rng.integers(0, width - w + 1)
    mask = np.zeros((height, width), np.uint8)
    mask[top:top + h, left:left + w] = 1
    return mask


def random_strokes(height: int, width: int, rng: np.random.Generator, strokes=(1, 4),
                   thickness=(0.04, 0.12)) -> np.ndarray:
    """1-4 random walks of 2-6 segments, each drawn as a line `thickness` (share of the side) thick."""
    side = min(height, width)
    mask = np.zeros((height, width), np.uint8)
    for _ in range(rng.integers(strokes[0], strokes[1] + 1)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        brush = max(1, int(round(rng.uniform(*thickness) * side)))
        for _ in range(rng.integers(2, 7)):
            angle, length = rng.uniform(0, 2 * np.pi), rng.uniform(0.1, 0.4) * side
            nx = float(np.clip(x + length * np.cos(angle), 0, width - 1))
            ny = float(np.clip(y + length * np.sin(angle), 0, height - 1))
            cv2.line(mask, (int(x), int(y)), (int(nx), int(ny)), 1, brush)
            x, y = nx, ny
    return mask


MAX_BOX_AREA = 0.3  # the largest share of the picture a training box covers, unless the trainer asks for more


def training_mask(height: int, width: int, rng: np.random.Generator, max_box_area: float = MAX_BOX_AREA) -> np.ndarray:
    """What training draws: a box (covering 5% to `max_box_area` of the picture), strokes, or both (never empty)."""
    kind = rng.integers(0, 3)
    mask = random_box(height, width, rng, (0.05, max_box_area)) if kind != 1 else np.zeros((height, width), np.uint8)
    if kind != 0:
        mask |= random_strokes(height, width, rng)
    return mask


def heldout_masks(height: int, width: int, count: int, kind: str, seed: int = 2026) -> list[np.ndarray]:
    """The evaluation's fixed masks: `count` of one kind ('centre' or 'strokes'), the same every run."""
    if kind == "centre":
        return [centre_box(height, width)] * count
    rng = np.random.default_rng(seed)
    return [random_strokes(height, width, rng) for _ in range(count)]
