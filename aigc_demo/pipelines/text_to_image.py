"""Text to image with the emoji latent-diffusion model: a thin wrapper around the stock diffusers
StableDiffusionPipeline in checkpoints/emoji-sd, adding what the app needs on top: a style word, per-request
samplers and generators, previews through `callback_on_step_end`, Stop, and batching of several requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from aigc_demo.checkpoints import checkpoints_dir, intact, load_errors
from aigc_demo.device import check_finite, pick_device, pick_dtype
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.registry import registry

MODEL_NAME = "emoji-sd"
STYLES = {"any": "", "flat": "flat", "twemoji": "twemoji", "3d": "3d"}
MAX_PROMPT_CHARS = 2000


@dataclass(frozen=True)
class TextToImageSettings:
    """Defaults and ranges that the sliders, the API's defaults, the clamps and the pipeline's checks all read."""
    num_images: int = 4
    max_images: int = 16
    steps: int = 20
    max_steps: int = 100
    guidance_scale: float = 4.0
    max_guidance: float = 20.0
    scheduler: str = "dpm-solver++"
    schedulers: tuple[str, ...] = ("dpm-solver++", "ddim", "euler", "ddpm")
    style: str = "any"
    display_scale: int = 4
    preview_every: int = 2
    max_batch: int = 16  # requests Gradio gathers into one denoising batch on /text_to_image_batched


SETTINGS = TextToImageSettings()

# on_step(step_index, total_steps, preview uint8 images) -> True to stop
StepCallback = Callable[[int, int, list], bool | None]


@dataclass
class Request:
    """One user's prompt and its starting noise, drawn from that user's own generator."""
    prompt: str
    negative_prompt: str
    noise: torch.Tensor


def styled(prompt: str, style: str) -> str:
    """The prompt with the style word the model was trained on ("flat", "twemoji", "3d") unless it has one."""
    if style not in STYLES:
        raise UserInputError(f"Pick a style from {', '.join(STYLES)}; {str(style)[:40]!r} is not one.")
    word = STYLES[style]
    if not word or word in prompt.lower().split():
        return prompt
    return f"{prompt}, {word} emoji"


def check_prompt(prompt: str) -> str:
    """Refuse what no model can draw from (empty, or no letters at all); trim the rest to what's read."""
    text = (prompt or "").strip()
    if not text:
        raise UserInputError("Type a prompt that describes a picture, for example: a red apple.")
    if not any(ch.isalpha() for ch in text):
        raise UserInputError("That prompt has no words in it; describe a picture, for example: a smiling sun.")
    return text[:MAX_PROMPT_CHARS]


def model_folder(name: str = MODEL_NAME) -> Path:
    return checkpoints_dir() / name


def is_available(name: str = MODEL_NAME) -> bool:
    """A complete diffusers folder whose every part has an intact config and safetensors weights."""
    folder = model_folder(name)
    parts = ("unet", "vae", "text_encoder")
    return (folder / "model_index.json").is_file() and all(intact(folder / part) for part in parts)


def load(name: str, device: torch.device, dtype: torch.dtype):
    from diffusers import StableDiffusionPipeline

    if not is_available(name):
        raise ModelUnavailableError(f"The {name} model is not bundled in this build (or its files are damaged); "
                                    "the other models still work.")
    with load_errors(name):
        pipe = StableDiffusionPipeline.from_pretrained(str(model_folder(name)), torch_dtype=dtype,
                                                       use_safetensors=True, safety_checker=None,
                                                       feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return EmojiDiffusionPipeline(pipe.to(device), name)


def text_to_image_pipeline(name: str = MODEL_NAME, dtype: torch.dtype | None = None) -> "EmojiDiffusionPipeline":
    device = pick_device()
    dtype = dtype or pick_dtype(device)
    return registry.get(("text-to-image", name, str(device), dtype), lambda: load(name, device, dtype))


class EmojiDiffusionPipeline:
    """Knows its checkpoint, device and dtype, so a run card never guesses them."""

    def __init__(self, pipe, name: str = MODEL_NAME):
        self.pipe, self.name = pipe, name
        self.checkpoint = str(model_folder(name))

    @property
    def device(self) -> torch.device:
        return self.pipe.unet.device

    @property
    def dtype(self) -> torch.dtype:
        return self.pipe.unet.dtype

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        size = self.pipe.unet.config.sample_size
        return self.pipe.unet.config.in_channels, size, size

    @property
    def image_size(self) -> int:
        return self.pipe.unet.config.sample_size * self.pipe.vae_scale_factor

    def draw(self, prompt: str, negative_prompt: str, count: int, generator: torch.Generator) -> list[Request]:
        """`count` requests for one prompt, their noise from the request's CPU generator, so every host draws alike."""
        noise = torch.randn((count, *self.latent_shape), generator=generator)
        return [Request(prompt, negative_prompt, n[None]) for n in noise]

    def __call__(self, prompt: str, generator: torch.Generator, negative_prompt: str = "", num_images: int = 4,
                 steps: int = SETTINGS.steps, guidance_scale: float = SETTINGS.guidance_scale,
                 scheduler: str = SETTINGS.scheduler, on_step: StepCallback | None = None) -> list[np.ndarray]:
        """uint8 [H, W, 3] images for one prompt."""
        if not 1 <= int(num_images) <= SETTINGS.max_images:
            raise UserInputError(f"Ask for between 1 and {SETTINGS.max_images} images.")
        requests = self.draw(check_prompt(prompt), negative_prompt or "", int(num_images), generator)
        return self.render(requests, steps, guidance_scale, scheduler, on_step, generator)

    @torch.inference_mode()
    def render(self, requests: list[Request], steps: int = SETTINGS.steps,
               guidance_scale: float = SETTINGS.guidance_scale, scheduler: str = SETTINGS.scheduler,
               on_step: StepCallback | None = None, generator: torch.Generator | None = None) -> list[np.ndarray]:
        """Denoise several requests (different prompts) as one batch. With the deterministic samplers (DPM-Solver++,
        DDIM, Euler) each request's images are the same as when it runs alone; DDPM's per-step noise comes from
        `generator`."""
        self.check_settings(steps, guidance_scale, scheduler)
        # 1. A per-request pipeline object sharing the networks: its own sampler and its own interrupt flag.
        from aigc_demo.models.latent_diffusion import make_scheduler

        pipe = type(self.pipe)(**{**self.pipe.components, "scheduler": make_scheduler(scheduler, self.pipe.scheduler.config)},
                               requires_safety_checker=False)
        pipe.set_progress_bar_config(disable=True)
        latents = torch.cat([r.noise for r in requests]).to(self.device, self.dtype)
        callback = None if on_step is None else self.previews(pipe, int(steps), on_step)
        # 2. Stable Diffusion's own loop: text encoding, classifier-free guidance, sampler steps, VAE decode.
        images = pipe(prompt=[r.prompt for r in requests], negative_prompt=[r.negative_prompt for r in requests],
                      latents=latents, num_inference_steps=int(steps), guidance_scale=float(guidance_scale),
                      height=self.image_size, width=self.image_size, output_type="pt",
                      generator=generator, callback_on_step_end=callback).images
        # 3. Back to 0..255; NaN/inf here (half precision) triggers the caller's float32 retry.
        return to_uint8_rgb(check_finite(images.float(), "image"))

    def previews(self, pipe, steps: int, on_step: StepCallback):
        """A callback_on_step_end that decodes the current latents every few steps and stops when told."""
        def callback(pipeline, index: int, timestep, tensors: dict) -> dict:
            preview = None
            if index % SETTINGS.preview_every == 0 or index + 1 == steps:
                preview = self.decode(tensors["latents"])
            if on_step(index, steps, preview):
                pipeline._interrupt = True
            return tensors
        return callback

    @torch.inference_mode()
    def decode(self, latents: torch.Tensor) -> list[np.ndarray]:
        vae = self.pipe.vae
        images = vae.decode(latents.to(vae.dtype) / vae.config.scaling_factor).sample
        return to_uint8_rgb((images.float() / 2 + 0.5).clamp(0, 1))

    def check_settings(self, steps: int, guidance_scale: float, scheduler: str) -> None:
        if scheduler not in SETTINGS.schedulers:
            raise UserInputError(f"Pick a scheduler from {', '.join(SETTINGS.schedulers)}; {str(scheduler)[:40]!r} is not one.")
        if not 1 <= int(steps) <= SETTINGS.max_steps:
            raise UserInputError(f"Set the number of steps between 1 and {SETTINGS.max_steps}.")
        if not 0 <= float(guidance_scale) <= SETTINGS.max_guidance:
            raise UserInputError(f"Set the guidance scale between 0 and {SETTINGS.max_guidance:g} "
                                 f"({SETTINGS.guidance_scale:g} works well).")


def to_uint8_rgb(images: torch.Tensor) -> list[np.ndarray]:
    """[B, 3, H, W] in [0, 1] -> B uint8 arrays [H, W, 3]."""
    return list((images.cpu().clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy())

