"""Inpainting and restoration: the Pix2Pix models trained here and three classical inpainters, by name.

    pix2pix-fashion   completes 28x28 Fashion-MNIST garments (any picture is first made one, as in Style transfer)
    pix2pix-photo     fills holes in photos of any size
    restore           removes noise and JPEG artefacts (inside the mask, or everywhere when the mask is empty)
    telea, navier-stokes   OpenCV's cv2.inpaint (Telea 2004 fast marching; Bertalmio et al. 2001 fluid dynamics)
    biharmonic        scikit-image's inpaint_biharmonic (smooth continuation of the surroundings)

Masks are boolean [H, W] arrays, True = fill here. Pictures are uint8 [H, W, C] (C = 3, or 1 for garments).
Every inpainter returns the picture with only the masked pixels changed.

Working scale: the photo model is trained on square crops (the checkpoint's training.json says how big: 64 or
128 px) with holes up to about half the crop across, so a bigger hole is filled at a reduced scale: the region
around the mask (the hole plus a margin of context) is shrunk until the hole's widest point is within what
training saw, filled, enlarged back and pasted into the masked pixels only; pixels outside the mask are never
touched. (A sweep on training photos favoured full scale, but the model has seen those; on the held-out photos
full scale was worse for the first checkpoint, PSNR 19.36 against 19.92 dB on the centre box. The ratios below
were set from the training masks before either measurement.)
biharmonic, whose cost grows with the number of masked pixels, uses the same scaling above a pixel budget.

Self-ensemble: the two photo models answer with the mean of their outputs on the picture's eight flips and
quarter turns, each turned back (the "geometric self-ensemble" of EDSR+, Lim et al. 2017). Residual grain
and checkerboard traces differ between the eight views and average away; the cost is eight passes. Chosen as
the literature's standard setting, not tuned: the x8 mean, nothing else tried.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import torch
from PIL import Image, ImageOps

from aigc_demo.checkpoints import checkpoints_dir, intact, load_pretrained, read_json
from aigc_demo.device import check_finite, pick_device, pick_dtype, with_precision_fallback
from aigc_demo.errors import UserInputError
from aigc_demo.registry import registry

LEARNED_MODELS = ("pix2pix-fashion", "pix2pix-photo", "restore")
CLASSICAL_MODELS = ("telea", "navier-stokes", "biharmonic")
INPAINT_MODELS = LEARNED_MODELS + CLASSICAL_MODELS
# Both in units of the training crop's side, so they hold for a checkpoint trained on 64 px crops and one on 128.
# The hole radius (largest distance from a hole pixel to its edge) a model is run at, as a share of its training
# crop: about the largest its training boxes reach, since wider holes than it saw come out grey in the middle.
HOLE_RADIUS = 0.36
CONTEXT_MARGIN = 1 / 2  # surrounding picture, at the working scale, given to the model around the hole (half a crop)
DEFAULT_TRAINING_CROP = 64  # for a checkpoint whose training.json does not say
SELF_ENSEMBLE_MODELS = ("pix2pix-photo", "restore")  # answered by the mean over the eight flips/turns
BIHARMONIC_MAX_PIXELS = 20_000  # masked pixels above which biharmonic works at a reduced scale (it is superlinear)
BIHARMONIC_MARGIN = 32  # px of surrounding picture, at its working scale, that biharmonic continues into the hole
INPAINT_RADIUS = 5  # cv2.inpaint's neighbourhood radius, OpenCV's documented example value
FULL_MASK_SHARE = 0.995


# ----------------------------------------------------------------------------- which models are here
def available_models() -> list[str]:
    """The menu: learned models whose checkpoint is bundled, then the classical ones (always there)."""
    learned = [name for name in LEARNED_MODELS if intact(checkpoints_dir() / name)]
    return learned + list(CLASSICAL_MODELS)


def read_model(name) -> str:
    if name not in available_models():
        raise UserInputError(f"Pick a model from {', '.join(available_models())}; '{str(name)[:40]}' is not one.")
    return name


# ----------------------------------------------------------------------------- masks
def read_mask(mask: Image.Image, size: tuple[int, int]) -> tuple[np.ndarray, str]:
    """(bool [H, W] for an image of `size` = (W, H), note). White = fill. A mask with transparency is a painted
    layer: its painted (opaque) pixels are the mask, whatever their colour. EXIF orientation applied; a mask of
    another size is resized to the image's and binarised at half."""
    mask = ImageOps.exif_transpose(mask)
    if mask.mode in ("RGBA", "LA", "PA") or (mask.mode == "P" and "transparency" in mask.info):
        alpha = np.asarray(mask.convert("RGBA"))[:, :, 3]
        values = alpha if alpha.min() < 255 else np.asarray(mask.convert("L"))
    else:
        values = np.asarray(mask.convert("L"))
    note = ""
    if mask.size != tuple(size):
        note = f"The mask ({mask.size[0]}x{mask.size[1]}) was resized to the picture's {size[0]}x{size[1]}."
        values = np.asarray(Image.fromarray(values).resize(size, Image.BILINEAR))
    return values >= 128, note


def check_mask(mask: np.ndarray, model: str) -> str:
    """'' when the mask can be used as it is; 'empty' when it selects nothing (the caller decides what that means).
    A mask that selects everything leaves an inpainter nothing to fill from: refused."""
    if not mask.any():
        return "empty"
    if model != "restore" and mask.mean() >= FULL_MASK_SHARE:
        raise UserInputError("The mask covers the whole picture, so there is nothing left to fill from; "
                             "leave part of the picture unpainted.")
    return ""


def overlay(picture: Image.Image, mask: np.ndarray, colour=(255, 40, 40), alpha: float = 0.5) -> Image.Image:
    """The picture with the mask tinted in, to show what will be filled."""
    pixels = np.asarray(picture.convert("RGB"), dtype=np.float32)
    pixels[mask] = pixels[mask] * (1 - alpha) + np.array(colour, np.float32) * alpha
    return Image.fromarray(pixels.round().astype(np.uint8))


def mask_picture(mask: np.ndarray) -> Image.Image:
    return Image.fromarray(mask.astype(np.uint8) * 255, mode="L")


def garment_view(picture: Image.Image, mask: np.ndarray, size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """A picture and its mask as Fashion-MNIST sees them: (uint8 [28, 28] garment, bool [28, 28] mask). The mask
    goes through the same square padding and resize as the picture (aigc_demo.images.as_fashion_mnist); a
    28x28 pixel is filled when a fifth of it was painted, so thin strokes survive the shrinking."""
    from aigc_demo.images import as_fashion_mnist

    side = max(mask.shape)
    square = ImageOps.pad(Image.fromarray(mask.astype(np.uint8) * 255), (side, side), color=0)
    small = np.asarray(square.resize((size, size), Image.BOX))
    return as_fashion_mnist(picture, size), small >= 51


# ----------------------------------------------------------------------------- classical
def classical_inpaint(picture: np.ndarray, mask: np.ndarray, model: str) -> np.ndarray:
    if model == "biharmonic":
        scale = min(1.0, float(np.sqrt(BIHARMONIC_MAX_PIXELS / max(1, mask.sum()))))
        return fill_scaled(picture, mask, scale, biharmonic, BIHARMONIC_MARGIN)
    flag = cv2.INPAINT_TELEA if model == "telea" else cv2.INPAINT_NS
    filled = cv2.inpaint(np.ascontiguousarray(picture), mask.astype(np.uint8), INPAINT_RADIUS, flag)
    return paste(picture, filled.reshape(picture.shape), mask)


def biharmonic(picture: np.ndarray, mask: np.ndarray) -> np.ndarray:
    from skimage.restoration import inpaint_biharmonic

    filled = inpaint_biharmonic(picture.astype(np.float64) / 255, mask, channel_axis=-1)
    return (np.clip(filled, 0, 1) * 255).round().astype(np.uint8)


# ----------------------------------------------------------------------------- scaling and pasting
def paste(picture: np.ndarray, filled: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`filled` inside the mask, `picture` everywhere else."""
    return np.where(mask[:, :, None], filled, picture).astype(np.uint8)


def hole_radius(mask: np.ndarray) -> float:
    """The largest distance from a masked pixel to the nearest unmasked one (half the hole's widest point)."""
    padded = np.pad(mask.astype(np.uint8), 1)  # the picture's border counts as known context
    return float(cv2.distanceTransform(padded, cv2.DIST_L2, 5).max())


def fill_scaled(picture: np.ndarray, mask: np.ndarray, scale: float,
                fill: Callable[[np.ndarray, np.ndarray], np.ndarray], margin: int) -> np.ndarray:
    """Fill the region around the mask (its bounding box plus `margin` working pixels) at `scale`, then enlarge
    the fill back and paste it into the masked pixels only."""
    rows, cols = np.nonzero(mask)
    pad = int(np.ceil(margin / scale))
    top, bottom = max(0, rows.min() - pad), min(mask.shape[0], rows.max() + 1 + pad)
    left, right = max(0, cols.min() - pad), min(mask.shape[1], cols.max() + 1 + pad)
    region, region_mask = picture[top:bottom, left:right], mask[top:bottom, left:right]
    if scale < 1:
        size = (max(1, round(region.shape[1] * scale)), max(1, round(region.shape[0] * scale)))
        small = cv2.resize(region, size, interpolation=cv2.INTER_AREA).reshape(size[1], size[0], -1)
        # A working pixel is a hole if any of it was masked, so no masked pixel is left without a fill.
        small_mask = cv2.resize(region_mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
        filled = fill(small, small_mask)
        filled = cv2.resize(filled, (region.shape[1], region.shape[0]), interpolation=cv2.INTER_CUBIC)
        filled = filled.reshape(region.shape)
    else:
        filled = fill(region, region_mask)
    out = picture.copy()
    out[top:bottom, left:right] = paste(region, filled, region_mask)
    return out


# ----------------------------------------------------------------------------- learned
def load_generator(name: str, device: torch.device, dtype: torch.dtype, folder: Path | None = None):
    """The generator, with `training_crop` (px) set from its training record: it sets the working scale."""
    from aigc_demo.models.pix2pix import UnetGenerator

    folder = folder or checkpoints_dir() / name
    generator = load_pretrained(UnetGenerator, folder, name).to(device, dtype).eval()
    generator.training_crop = training_crop(folder)
    return generator


def training_crop(folder: Path) -> int:
    return int(read_json(folder / "training.json").get("data", {}).get("crop", DEFAULT_TRAINING_CROP))


def cached_generator(name: str, dtype: torch.dtype):
    device = pick_device()
    return registry.get(("inpaint", name, str(device), dtype), lambda: load_generator(name, device, dtype))


def use_checkpoint(name: str, folder: Path) -> None:
    """Serve `name` from `folder` (evaluation of a checkpoint that may live outside checkpoints/)."""
    device = pick_device()
    dtype = pick_dtype(device)
    registry.put(("inpaint", name, str(device), dtype), load_generator(name, device, dtype, folder))


def dihedral_views(array: np.ndarray | None) -> list[np.ndarray | None]:
    """The eight flips and quarter turns of an [H, W, ...] array (identity first)."""
    if array is None:
        return [None] * 8
    turns = [np.rot90(array, k) for k in range(4)]
    return [np.ascontiguousarray(view) for turn in turns for view in (turn, turn[:, ::-1])]


def undo_dihedral(views: list[np.ndarray]) -> list[np.ndarray]:
    """Turn each of dihedral_views' eight outputs back to the original orientation."""
    return [np.rot90(view[:, ::-1] if index % 2 else view, -(index // 2)) for index, view in enumerate(views)]


def pad_to_multiple(array: np.ndarray, multiple: int) -> np.ndarray:
    """`array` [H, W, ...] mirrored past its bottom and right edges to sides that are multiples of `multiple`
    (repeated instead where it is too small to mirror)."""
    pad_h, pad_w = (-array.shape[0]) % multiple, (-array.shape[1]) % multiple
    mode = "reflect" if pad_h < array.shape[0] and pad_w < array.shape[1] else "edge"
    return np.pad(array, [(0, pad_h), (0, pad_w)] + [(0, 0)] * (array.ndim - 2), mode=mode)


class Pix2PixPipeline:
    """One U-Net on one picture: [-1, 1] input (masked picture + mask channel, or the picture alone for restore),
    reflect-padded to a multiple of 2 ** num_downs, cropped back; uint8 out. With `self_ensemble`, the mean of
    the eight flipped/turned views' outputs."""

    def __init__(self, generator, self_ensemble: bool = False, on_pass: Callable[[int, int], object] | None = None):
        self.generator, self.self_ensemble, self.on_pass = generator, self_ensemble, on_pass
        parameter = next(generator.parameters())
        self.device, self.dtype = parameter.device, parameter.dtype
        self.uses_mask = generator._hub_mixin_config["input_nc"] > generator._hub_mixin_config["output_nc"]

    def __call__(self, picture: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        if not self.self_ensemble:
            return self.single(picture, mask)
        # Padded first to the network's multiple (a multiple of 8), every view keeps the picture's 8x8 JPEG block
        # grid and the U-Net's stride-2 phases where the original has them; a flipped view of a picture whose
        # side is not a multiple of 8 would shift its blocks off the grid the restorer learned them on.
        height, width = picture.shape[:2]
        picture, mask = (None if a is None else pad_to_multiple(a, self.generator.multiple) for a in (picture, mask))
        views, outputs = list(zip(dihedral_views(picture), dihedral_views(mask))), []
        for view, view_mask in views:
            outputs.append(self.single(view, view_mask).astype(np.float32))
            if self.on_pass:
                self.on_pass(len(outputs), len(views))
        return np.mean(undo_dihedral(outputs), axis=0)[:height, :width].round().astype(np.uint8)

    @torch.inference_mode()
    def single(self, picture: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        h, w = picture.shape[:2]
        picture = pad_to_multiple(picture, self.generator.multiple)
        x = torch.from_numpy(picture.astype(np.float32) / 127.5 - 1).permute(2, 0, 1).unsqueeze(0)  # [1, C, H, W]
        if self.uses_mask:
            hole = torch.from_numpy(pad_to_multiple(mask, self.generator.multiple).astype(np.float32))[None, None]
            x = torch.cat([x * (1 - hole), hole], 1)
        y = check_finite(self.generator(x.to(self.device, self.dtype)))[0, :, :h, :w]
        return ((y.float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(1, 2, 0).numpy()


def run_learned(name: str, picture: np.ndarray, mask: np.ndarray, warn: Callable[[str], object] = print,
                on_pass: Callable[[int, int], object] | None = None) -> np.ndarray:
    """A learned model on one picture, reloading it in float32 if half precision fails on this device.
    `on_pass(done, total)` hears of each finished self-ensemble pass (a progress bar)."""
    def attempt(dtype: torch.dtype) -> np.ndarray:
        generator = cached_generator(name, dtype)
        pipeline = Pix2PixPipeline(generator, self_ensemble=name in SELF_ENSEMBLE_MODELS, on_pass=on_pass)
        if name == "restore":
            restored = pipeline(picture)
            return restored if not mask.any() else paste(picture, restored, mask)
        if name == "pix2pix-fashion":
            return paste(picture, pipeline(picture, mask), mask)
        crop = generator.training_crop
        scale = min(1.0, HOLE_RADIUS * crop / max(1.0, hole_radius(mask)))
        return fill_scaled(picture, mask, scale, pipeline, margin=round(CONTEXT_MARGIN * crop))

    return with_precision_fallback(("inpaint", name), attempt, pick_dtype(pick_device()), warn)


def inpaint(picture: np.ndarray, mask: np.ndarray, model: str, warn: Callable[[str], object] = print,
            on_pass: Callable[[int, int], object] | None = None) -> np.ndarray:
    """Fill the masked pixels of `picture` (uint8 [H, W, C]) with `model`; restore with an empty mask restores
    everything. Call check_mask first: an inpainter given an empty mask returns the picture unchanged."""
    if model != "restore" and not mask.any():
        return picture.copy()
    if model in CLASSICAL_MODELS:
        return classical_inpaint(picture, mask, model)
    return run_learned(model, picture, mask, warn, on_pass)
