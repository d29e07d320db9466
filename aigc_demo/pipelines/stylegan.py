"""Image generation with the style-based GAN: truncation in w space, per-layer noise from the request's
generator, style mixing, and interpolation with the noise held still.

Shares the latent pipeline's interface (labels + generator -> uint8 images, `interpolate`), so the
Image tab, evaluation and benchmarks treat it like DCGAN and the VAE.
"""
from __future__ import annotations

import numpy as np
import torch

from aigc_demo.device import check_finite
from aigc_demo.errors import UserInputError
from aigc_demo.pipelines.convert import to_uint8
from aigc_demo.pipelines.latent import LatentImagePipeline, resolve_labels

# Style-mixing crossovers: styles from this index on come from the second latent. Index per synthesis
# step: 0 conv at 7x7; 1 upsampling conv to 14x14 (and the 7x7 to-grey); 2 conv at 14x14; 3 upsampling
# conv to 28x28 (and the 14x14 to-grey); 4 conv at 28x28; 5 the 28x28 to-grey. Coarse layers set
# shape and silhouette, the finest ones shading.
CROSSOVERS = {"coarse": 2, "middle": 4, "fine": 5}


class StyleImagePipeline(LatentImagePipeline):
    def __init__(self, net):
        parameter = next(net.parameters())
        super().__init__(net, net.latent_dim, net.num_classes, parameter.device, parameter.dtype)
        self.net = net

    def draw(self, labels: list[int | None], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Labels, latents, then one noise map per styled layer, all from the request's CPU generator."""
        draw = super().draw(labels, generator)
        for index, noise in enumerate(self.draw_noise(len(labels), generator)):
            draw[f"noise{index}"] = noise
        return draw

    @torch.inference_mode()
    def render(self, draws: list[dict[str, torch.Tensor]], truncation: float = 1.0) -> list[np.ndarray]:
        """truncation < 1 pulls each w towards its class's mean w (not z towards 0, as for DCGAN)."""
        z, labels = (torch.cat([d[key] for d in draws]) for key in ("z", "labels"))
        noise = [torch.cat([d[f"noise{i}"] for d in draws]) for i in range(len(self.net.noise_shapes(1)))]
        w = self.net.styles(z.to(self.device, self.dtype), labels.to(self.device), float(truncation))
        return self.synthesize(self.broadcast(w), noise)

    def run(self, z: torch.Tensor, labels: torch.Tensor, truncation: float = 1.0) -> torch.Tensor:
        """Decode latents with one fixed noise map shared by all of them, so interpolation frames differ only by
        the latent (fresh noise per frame would make the texture flicker)."""
        noise = [n.expand(len(z), -1, -1, -1) for n in self.draw_noise(1, torch.Generator().manual_seed(0))]
        ws = self.broadcast(self.net.styles(z.to(self.device, self.dtype), labels.to(self.device), float(truncation)))
        return self.net.synthesize(ws, noise).float().cpu()

    @torch.inference_mode()
    def style_mix(self, row_seeds: list[int], column_seeds: list[int], label: int | None,
                  crossover: str = "coarse", truncation: float = 1.0) -> list[np.ndarray]:
        """The StyleGAN mixing grid, row-major: each cell takes its coarse layers (below the crossover) from its
        row's seed and the rest from its column's seed. Row and column sources come first (row 0 is the
        column sources, column 0 the row sources; the corner is blank)."""
        if crossover not in CROSSOVERS:
            raise UserInputError(f"Pick a crossover from {', '.join(CROSSOVERS)}.")
        if not (1 <= len(row_seeds) <= 8 and 1 <= len(column_seeds) <= 8):
            raise UserInputError("Use between 1 and 8 seeds for the rows and for the columns.")
        rows = torch.stack([self.seed_style(seed, label, truncation) for seed in row_seeds])
        columns = torch.stack([self.seed_style(seed, label, truncation) for seed in column_seeds])
        cut = CROSSOVERS[crossover]
        mixed = self.broadcast(rows.repeat_interleave(len(columns), 0))
        mixed[:, cut:] = columns.repeat(len(rows), 1)[:, None]
        ws = torch.cat([self.broadcast(columns), self.broadcast(rows), mixed])
        noise = [n.expand(len(ws), -1, -1, -1) for n in self.draw_noise(1, torch.Generator().manual_seed(0))]
        images = to_uint8(check_finite(self.net.synthesize(ws, noise), "image"))
        blank = np.zeros_like(images[0])
        top, left, cells = images[:len(columns)], images[len(columns):len(columns) + len(rows)], images[len(columns) + len(rows):]
        grid = [blank, *top]
        for r in range(len(rows)):
            grid += [left[r], *cells[r * len(columns):(r + 1) * len(columns)]]
        return grid

    def seed_style(self, seed: int, label: int | None, truncation: float) -> torch.Tensor:
        """w of a seed's latent, drawn as a one-image generate call with that seed draws it."""
        generator = torch.Generator().manual_seed(int(seed))
        class_label = resolve_labels([label], self.num_classes, generator)
        z = torch.randn((1, self.latent_dim), generator=generator)
        return self.net.styles(z.to(self.device, self.dtype), class_label.to(self.device), float(truncation))[0]

    def draw_noise(self, batch: int, generator: torch.Generator) -> list[torch.Tensor]:
        return [torch.randn(shape, generator=generator).to(self.device, self.dtype)
                for shape in self.net.noise_shapes(batch)]

    def broadcast(self, w: torch.Tensor) -> torch.Tensor:
        """[N, w_dim] -> [N, num_ws, w_dim], a writable copy (style mixing edits it)."""
        return w[:, None].repeat(1, self.net.num_ws, 1)

    def synthesize(self, ws: torch.Tensor, noise: list[torch.Tensor]) -> list[np.ndarray]:
        # NaN/inf (half precision) triggers the caller's float32 retry.
        return to_uint8(check_finite(self.net.synthesize(ws, noise), "image"))
