"""Class-conditional image generation with a DDPM-trained UNet and classifier-free guidance.

Shaped like diffusers' DDPMPipeline (one `__call__`, numbered steps, a generator passed in),
plus what the Image tab needs: a label per image, a choice of sampler per request, guidance,
and a per-step callback that can stream previews and stop early.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from aigc_demo.device import check_finite
from aigc_demo.errors import UserInputError
from aigc_demo.models.diffusion import SCHEDULERS, make_scheduler
from aigc_demo.pipelines.convert import to_uint8
from aigc_demo.pipelines.latent import resolve_labels, seeded_after_label, slerp

MAX_STEPS = 1000
MAX_GUIDANCE = 20.0

# on_step(step_index, total_steps, x0_prediction in [-1, 1], CPU float32 [B, 1, H, W]) -> True to stop
StepCallback = Callable[[int, int, torch.Tensor], bool | None]


class ClassConditionalDiffusionPipeline:
    def __init__(self, unet, scheduler_config):
        self.unet, self.scheduler_config = unet, scheduler_config
        self.num_classes = unet.config.num_class_embeds - 1  # the last embedding is the null class

    @torch.inference_mode()
    def __call__(self, labels: list[int | None], generator: torch.Generator, scheduler: str = "ddim",
                 steps: int = 25, guidance_scale: float = 1.5,
                 on_step: StepCallback | None = None) -> list[np.ndarray]:
        """One uint8 [H, W] image per label; a None label means a class drawn from `generator`."""
        self.check_inputs(labels, scheduler, steps, guidance_scale)
        return self.render([self.draw(labels, generator)], generator, scheduler, steps, guidance_scale, on_step)

    def draw(self, labels: list[int | None], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Labels, then starting noise, from the request's CPU generator so every host draws the same."""
        if not labels:
            raise UserInputError("Ask for at least one image.")
        return {"labels": resolve_labels(labels, self.num_classes, generator),
                "noise": self.initial_noise(len(labels), generator)}

    @torch.inference_mode()
    def render(self, draws: list[dict[str, torch.Tensor]], generator: torch.Generator, scheduler: str = "ddim",
               steps: int = 25, guidance_scale: float = 1.5, on_step: StepCallback | None = None) -> list[np.ndarray]:
        """Denoise one or more requests' draws as one batch. DDPM's per-step noise comes from `generator`, so
        batching several requests keeps each one's images only with the deterministic samplers."""
        self.check_inputs([None], scheduler, steps, guidance_scale)
        noise, labels = (torch.cat([d[key] for d in draws]) for key in ("noise", "labels"))
        return self.denoise(noise, labels.to(self.unet.device), generator, scheduler, steps, guidance_scale, on_step)

    @torch.inference_mode()
    def interpolate(self, seed_a: int, seed_b: int, frames: int, label: int | None, scheduler: str = "ddim",
                    steps: int = 25, guidance_scale: float = 1.5,
                    on_step: StepCallback | None = None) -> list[np.ndarray]:
        """Frames from seed A's image to seed B's: the starting noise moves along a great circle, and a
        deterministic sampler (DDIM, DPM-Solver++) maps each noise to an image, so neighbours look alike."""
        if not 2 <= int(frames) <= 64:
            raise UserInputError("Use between 2 and 64 interpolation steps.")
        if scheduler == "ddpm":
            raise UserInputError("Interpolation needs a deterministic sampler: pick ddim or dpm-solver++.")
        self.check_inputs([label], scheduler, steps, guidance_scale)
        first = torch.Generator().manual_seed(int(seed_a))
        class_label = resolve_labels([label], self.num_classes, first)
        noise_a = self.initial_noise(1, first).flatten(1)
        noise_b = self.initial_noise(1, seeded_after_label(seed_b, self.num_classes)).flatten(1)
        noise = torch.cat([slerp(noise_a, noise_b, i / (frames - 1)) for i in range(frames)])
        noise = noise.view(frames, *self.initial_shape())
        labels = class_label.repeat(frames).to(self.unet.device)
        return self.denoise(noise, labels, torch.Generator().manual_seed(int(seed_a)), scheduler, steps,
                            guidance_scale, on_step)

    def denoise(self, sample: torch.Tensor, class_labels: torch.Tensor, generator: torch.Generator, scheduler: str,
                steps: int, guidance_scale: float, on_step: StepCallback | None) -> list[np.ndarray]:
        # 1. A fresh sampler for this request (schedulers keep per-run state).
        sampler = make_scheduler(scheduler, self.scheduler_config)
        sampler.set_timesteps(int(steps))
        x0 = sample
        # 2. Denoise: predict the noise, guide it, step the sampler; show the x0 estimate after each step.
        for index, t in enumerate(sampler.timesteps):
            noise = self.guided_noise(sample, t, class_labels, guidance_scale)
            x0 = predicted_original(sampler, sample, noise, t)
            sample = sampler.step(noise, t, sample, generator=generator).prev_sample
            if on_step is not None and on_step(index, len(sampler.timesteps), x0.float().cpu()):
                return to_uint8(x0)
        # 3. Back to 0..255; NaN/inf here (half precision) triggers the caller's float32 retry.
        return to_uint8(check_finite(sample, "image"))

    def check_inputs(self, labels, scheduler: str, steps: int, guidance_scale: float) -> None:
        if not labels:
            raise UserInputError("Ask for at least one image.")
        if scheduler not in SCHEDULERS:
            raise UserInputError(f"Pick a scheduler from {', '.join(SCHEDULERS)}; {scheduler!r} is not one.")
        train_steps = self.scheduler_config["num_train_timesteps"]
        limit = train_steps if scheduler == "ddpm" else min(MAX_STEPS, train_steps)
        if not 1 <= int(steps) <= limit:
            raise UserInputError(f"Set the number of steps between 1 and {limit} for {scheduler}.")
        if not 0 <= float(guidance_scale) <= MAX_GUIDANCE:
            raise UserInputError(f"Set the guidance scale between 0 and {MAX_GUIDANCE:g} (1.5 works well).")

    def initial_shape(self) -> tuple[int, int, int]:
        size = self.unet.config.sample_size
        return self.unet.config.in_channels, size, size

    def initial_noise(self, batch: int, generator: torch.Generator) -> torch.Tensor:
        noise = torch.randn((batch, *self.initial_shape()), generator=generator)
        # The sampler's arithmetic stays in float32 even for a half-precision UNet.
        return noise.to(self.unet.device)

    def guided_noise(self, sample: torch.Tensor, t: torch.Tensor, class_labels: torch.Tensor,
                     guidance_scale: float) -> torch.Tensor:
        """Classifier-free guidance: null + scale * (conditional - null); scale 1 is plain conditional."""
        if guidance_scale == 1.0:
            return self.predict_noise(sample, t, class_labels)
        null = torch.full_like(class_labels, self.num_classes)
        # Conditional and null inputs in one forward pass.
        both = self.predict_noise(torch.cat([sample, sample]), t, torch.cat([class_labels, null]))
        conditional, unconditional = both.chunk(2)
        return unconditional + guidance_scale * (conditional - unconditional)

    def predict_noise(self, sample: torch.Tensor, t: torch.Tensor, class_labels: torch.Tensor) -> torch.Tensor:
        model_input = sample.to(self.unet.dtype)
        return self.unet(model_input, t.to(sample.device), class_labels=class_labels).sample.float()


def predicted_original(sampler, sample: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x0 = (x_t - sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_bar_t): the clean image the noise implies.

    Computed here rather than read from the sampler's output because DPM-Solver++ does not report it.
    """
    alpha_bar = sampler.alphas_cumprod[int(t)].to(sample.device)
    return ((sample - (1 - alpha_bar).sqrt() * noise) / alpha_bar.sqrt()).clamp(-1, 1)
