"""The emoji judge: a small CNN trained here to read an emoji's subcategory (99 classes: "animal-mammal",
"food-fruit", ...), used only to measure the colour generators. It is never one of them.

There is no CLIP offline, so alignment is "does the judge read the prompt's subcategory in the picture", and
Frechet distances are measured in its penultimate features.
"""
from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                         nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2))


class EmojiJudge(nn.Module, PyTorchModelHubMixin):
    def __init__(self, channels: tuple[int, ...] = (32, 64, 128), feature_dim: int = 256,
                 num_classes: int = 99, classes: tuple[str, ...] = (), dropout: float = 0.3):
        super().__init__()
        self.classes = list(classes)
        widths = (3, *channels)
        # It reads pictures at 32x32 (an average of each 2x2): enough for the subcategory, four times cheaper.
        self.body = nn.Sequential(nn.AvgPool2d(2), *(conv_block(a, b) for a, b in zip(widths, widths[1:])),  # 32 -> 4
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels[-1], feature_dim), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(feature_dim, num_classes))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """[N, 3, 64, 64] in [-1, 1] -> [N, feature_dim] (the space Frechet distances are measured in)."""
        return self.body(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))
