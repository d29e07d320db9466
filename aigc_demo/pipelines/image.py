"""The Image tab's models by name: one cached model per (name, device, dtype), loaded on first use,
wrapped in a thin pipeline per call."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import torch

from aigc_demo.checkpoints import checkpoints_dir, intact, load_errors, load_pretrained
from aigc_demo.device import pick_device, pick_dtype, stream_with_precision_fallback
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.registry import registry

IMAGE_MODELS = ("dcgan", "vae", "diffusion", "stylegan")
CONFIG_FILES = {"dcgan": "config.json", "vae": "config.json", "diffusion": "unet/config.json",
                "stylegan": "config.json"}


def weights_folder(name: str) -> Path:
    return checkpoints_dir() / name / Path(CONFIG_FILES[name]).parent


def available_image_models() -> list[str]:
    """Models whose checkpoint is bundled here and intact, in the tab's order."""
    return [name for name in IMAGE_MODELS if intact(weights_folder(name))]


def damaged_image_models() -> list[str]:
    """Bundled but unloadable (truncated or non-safetensors weights): left out of the menu, named in a note."""
    return [name for name in IMAGE_MODELS if weights_folder(name).is_dir() and not intact(weights_folder(name))]


def load_image_model(name: str, device: torch.device, dtype: torch.dtype):
    """The network(s) behind a model name: a generator module, or (unet, scheduler config) for diffusion."""
    if name not in IMAGE_MODELS:
        raise UserInputError(f"Pick a model from {', '.join(IMAGE_MODELS)}; '{str(name)[:40]}' is not one.")
    if name in damaged_image_models():
        raise ModelUnavailableError(f"The {name} checkpoint is damaged, so that model is switched off; "
                                    "the other models still work.")
    if name not in available_image_models():
        raise ModelUnavailableError(f"The {name} model is not bundled in this build yet.")
    return load_from_folder(name, checkpoints_dir() / name, device, dtype)


def load_from_folder(family: str, folder: Path, device: torch.device, dtype: torch.dtype):
    """A family's network(s) from any checkpoint folder (the bundled ones, or a training run's for evaluation)."""
    if family != "diffusion":
        return load_pretrained(generator_class(family), folder, family).to(device, dtype).eval()
    from aigc_demo.models.diffusion import load_diffusion

    with load_errors(family):
        return load_diffusion(folder, device, dtype)


def generator_class(family: str):
    if family == "dcgan":
        from aigc_demo.models.dcgan import DCGANGenerator

        return DCGANGenerator
    if family == "stylegan":
        from aigc_demo.models.stylegan import StyleGANGenerator

        return StyleGANGenerator
    from aigc_demo.models.vae import ConditionalVAE

    return ConditionalVAE


def image_model(name: str, dtype: torch.dtype | None = None):
    device = pick_device()
    dtype = dtype or pick_dtype(device)
    return registry.get(("image", name, str(device), dtype), lambda: load_image_model(name, device, dtype))


def image_pipeline(name: str, dtype: torch.dtype | None = None):
    """A generation pipeline around the cached model."""
    return wrap(name, image_model(name, dtype))


def load_image_pipeline(name: str, device: torch.device, dtype: torch.dtype, folder: Path | None = None):
    """An uncached pipeline on an explicit device and dtype (evaluation and benchmarks); `folder` (a checkpoint
    of family `name` outside checkpoints/, e.g. a training run) instead of the bundled one."""
    model = load_image_model(name, device, dtype) if folder is None else load_from_folder(name, folder, device, dtype)
    return wrap(name, model)


def wrap(name: str, model):
    """Diffusion gets its sampling pipeline, the style-based GAN its own; DCGAN's generator and the VAE's
    decoder the latent one."""
    from aigc_demo.pipelines.diffusion import ClassConditionalDiffusionPipeline
    from aigc_demo.pipelines.latent import LatentImagePipeline
    from aigc_demo.pipelines.stylegan import StyleImagePipeline

    if name == "diffusion":
        return ClassConditionalDiffusionPipeline(*model)
    if name == "stylegan":
        return StyleImagePipeline(model)
    parameter = next(model.parameters())
    decode = model.forward if name == "dcgan" else model.decode
    return LatentImagePipeline(decode, model.latent_dim, model.num_classes, parameter.device, parameter.dtype)


def run_image_model(name: str, call: Callable, warn: Callable[[str], object] = print,
                    make: Callable = image_pipeline) -> Iterator:
    """Stream whatever `call(make(name, dtype))` yields, with the half-precision fallback around it."""
    def attempt(dtype: torch.dtype):
        yield from call(make(name, dtype))

    yield from stream_with_precision_fallback(("image", name), attempt, pick_dtype(pick_device()), warn)
