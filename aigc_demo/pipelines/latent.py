"""Image generation from a latent vector: DCGAN's generator and the VAE's decoder share this pipeline.

z ~ N(0, I) from the request's generator, a label per image, one decoder call. Also spherical
interpolation between the latents of two seeds, for the latent explorer.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from aigc_demo.device import check_finite
from aigc_demo.errors import UserInputError
from aigc_demo.pipelines.convert import to_uint8

Decoder = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (z [N, D], labels [N]) -> images [N, 1, H, W]


def resolve_labels(labels: list[int | None], num_classes: int, generator: torch.Generator) -> torch.Tensor:
    """Given labels kept, None replaced by a class drawn from the generator.

    One draw per position whether or not it is used, so the noise that follows is the same for
    a seed with or without chosen labels.
    """
    if any(label is not None and not 0 <= int(label) < num_classes for label in labels):
        raise UserInputError(f"Pick a class label from 0 to {num_classes - 1}, or none for a random class.")
    drawn = torch.randint(0, num_classes, (len(labels),), generator=generator).tolist()
    return torch.tensor([d if label is None else int(label) for label, d in zip(labels, drawn)], dtype=torch.long)


def slerp(a: torch.Tensor, b: torch.Tensor, fraction: float) -> torch.Tensor:
    """Spherical interpolation: stays on the shell where Gaussian latents live, unlike a straight line."""
    cos = torch.nn.functional.cosine_similarity(a, b, dim=-1).clamp(-1, 1)
    angle = torch.arccos(cos).unsqueeze(-1)
    if float(angle.abs().max()) < 1e-4:
        return torch.lerp(a, b, fraction)
    return (torch.sin((1 - fraction) * angle) * a + torch.sin(fraction * angle) * b) / torch.sin(angle)


def seeded_after_label(seed: int, num_classes: int) -> torch.Generator:
    """A generator for `seed` past its label draw, so what it draws next is the latent a one-image request
    with that seed gets: each end of an interpolation is the image the Generate tab shows for its seed."""
    generator = torch.Generator().manual_seed(int(seed))
    resolve_labels([None], num_classes, generator)
    return generator


class LatentImagePipeline:
    def __init__(self, decode: Decoder, latent_dim: int, num_classes: int, device: torch.device, dtype: torch.dtype):
        self.decode, self.latent_dim, self.num_classes = decode, latent_dim, num_classes
        self.device, self.dtype = device, dtype

    @torch.inference_mode()
    def __call__(self, labels: list[int | None], generator: torch.Generator, truncation: float = 1.0) -> list[np.ndarray]:
        """One uint8 [H, W] image per label. truncation < 1 shrinks z towards the mean: cleaner, less varied."""
        return self.render([self.draw(labels, generator)], truncation)

    def draw(self, labels: list[int | None], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Everything random about a request, from its own CPU generator (same images on every host):
        labels first, then latents. Kept apart from `render` so requests batched together keep their seeds."""
        if not labels:
            raise UserInputError("Ask for at least one image.")
        class_labels = resolve_labels(labels, self.num_classes, generator)
        return {"labels": class_labels, "z": torch.randn((len(labels), self.latent_dim), generator=generator)}

    @torch.inference_mode()
    def render(self, draws: list[dict[str, torch.Tensor]], truncation: float = 1.0) -> list[np.ndarray]:
        """Decode one or more requests' draws in one batch; NaN/inf (half precision) triggers the float32 retry."""
        z, labels = (torch.cat([d[key] for d in draws]) for key in ("z", "labels"))
        return to_uint8(check_finite(self.run(z, labels, truncation), "image"))

    @torch.inference_mode()
    def interpolate(self, seed_a: int, seed_b: int, steps: int, label: int | None,
                    truncation: float = 1.0) -> list[np.ndarray]:
        """Frames along the great circle from seed_a's latent to seed_b's, for one class."""
        if not 2 <= int(steps) <= 64:
            raise UserInputError("Use between 2 and 64 interpolation steps.")
        first = torch.Generator().manual_seed(int(seed_a))
        class_label = resolve_labels([label], self.num_classes, first)
        z_a = torch.randn((1, self.latent_dim), generator=first)
        second = seeded_after_label(seed_b, self.num_classes)
        z_b = torch.randn((1, self.latent_dim), generator=second)
        z = torch.cat([slerp(z_a, z_b, i / (steps - 1)) for i in range(steps)])
        return to_uint8(check_finite(self.run(z, class_label.repeat(steps), truncation), "image"))

    def run(self, z: torch.Tensor, labels: torch.Tensor, truncation: float = 1.0) -> torch.Tensor:
        z = z * float(truncation)
        return self.decode(z.to(self.device, self.dtype), labels.to(self.device)).float().cpu()
