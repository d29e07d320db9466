"""The Image tab's models by name: one cached pipeline per (model, device, dtype), loaded on first use."""
from __future__ import annotations

from typing import Callable, Iterator

import torch

from aigc_demo.checkpoints import checkpoints_dir
from aigc_demo.device import pick_device, pick_dtype, stream_with_precision_fallback
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.registry import registry

IMAGE_MODELS = ("dcgan", "vae", "diffusion", "stylegan")


def available_image_models() -> list[str]:
    """Models whose checkpoint is bundled here, in the tab's order."""
    root = checkpoints_dir()
    present = {"dcgan": root / "dcgan" / "config.json", "vae": root / "vae" / "config.json",
               "diffusion": root / "diffusion" / "unet" / "config.json", "stylegan": root / "stylegan" / "config.json"}
    return [name for name in IMAGE_MODELS if present[name].is_file()]


def load_image_pipeline(name: str, device: torch.device, dtype: torch.dtype):
    from aigc_demo.pipelines.latent import LatentImagePipeline

    folder = checkpoints_dir() / name
    if name not in IMAGE_MODELS:
        raise UserInputError(f"Pick a model from {', '.join(IMAGE_MODELS)}; '{str(name)[:40]}' is not one.")
    if name not in available_image_models():
        raise ModelUnavailableError(f"The {name} model is not bundled in this build yet.")
    try:
        if name == "diffusion":
            from aigc_demo.models.diffusion import load_diffusion
            from aigc_demo.pipelines.diffusion import ClassConditionalDiffusionPipeline

            return ClassConditionalDiffusionPipeline(*load_diffusion(folder, device, dtype))
        if name == "dcgan":
            from aigc_demo.models.dcgan import DCGANGenerator

            model = DCGANGenerator.from_pretrained(folder, strict=True).to(device, dtype).eval()
            return LatentImagePipeline(model.forward, model.latent_dim, model.num_classes, device, dtype)
        from aigc_demo.models.vae import ConditionalVAE

        model = ConditionalVAE.from_pretrained(folder, strict=True).to(device, dtype).eval()
        pipeline = LatentImagePipeline(model.decode, model.latent_dim, model.num_classes, device, dtype)
        pipeline.vae = model  # reconstruction needs the encoder too
        return pipeline
    except (OSError, RuntimeError, ValueError) as error:
        raise ModelUnavailableError(f"The {name} checkpoint failed to load ({type(error).__name__}); "
                                    "the other models still work.") from error


def image_pipeline(name: str, dtype: torch.dtype | None = None):
    device = pick_device()
    dtype = dtype or pick_dtype(device)
    return registry.get(("image", name, str(device), dtype), lambda: load_image_pipeline(name, device, dtype))


def run_image_model(name: str, call: Callable, warn: Callable[[str], object] = print) -> Iterator:
    """Stream whatever `call(pipeline)` yields, with the half-precision fallback around it."""
    def attempt(dtype: torch.dtype):
        yield from call(image_pipeline(name, dtype))

    yield from stream_with_precision_fallback(("image", name), attempt, pick_dtype(pick_device()), warn)
