"""Per-request randomness: a seed the user can see and reuse, and a generator only this request touches."""
from __future__ import annotations

import secrets

import torch

MAX_SEED = 2**32 - 1


def resolve_seed(seed: int | float | None) -> int:
    """-1 (or None) means 'pick one for me'; anything else is clamped into [0, 2**32 - 1]."""
    if seed is None or int(seed) < 0:
        return secrets.randbelow(MAX_SEED)
    return min(int(seed), MAX_SEED)


def torch_generator(seed: int) -> torch.Generator:
    """A CPU generator: sampling draws on it, so results match across CPU and GPU hosts."""
    return torch.Generator(device="cpu").manual_seed(seed)
