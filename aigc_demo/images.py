"""Uploaded images, made safe and uniform before any model sees them.

EXIF orientation applied; any mode (RGBA, palette, CMYK, 1-bit, 16-bit) converted; decompression
bombs and non-images refused with one sentence; the longest side capped.
"""
from __future__ import annotations

import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from aigc_demo.errors import UserInputError

MAX_PIXELS = 40_000_000  # a 6,000 x 6,000 photo is fine; a decompression bomb is not
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def open_user_image(source) -> Image.Image:
    """A path or PIL image -> an RGB PIL image, EXIF-rotated, alpha composited on white."""
    if source is None:
        raise UserInputError("Upload an image first.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = source if isinstance(source, Image.Image) else Image.open(source)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UserInputError(f"That image is too large to open safely (over {MAX_PIXELS // 1_000_000} megapixels).") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UserInputError("That file isn't an image this app can read; upload a PNG, JPEG or WebP.") from None
    return to_rgb(ImageOps.exif_transpose(image))


def to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit or float grey: rescale to 8 bits
        values = np.asarray(image, dtype=np.float64)
        span = values.max() - values.min()
        values = (values - values.min()) / span * 255 if span else np.zeros_like(values)
        image = Image.fromarray(values.astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def as_fashion_mnist(image: Image.Image, size: int = 28) -> np.ndarray:
    """A photo -> a Fashion-MNIST-like uint8 [size, size]: grey, light object on a dark background, padded square.

    Product photos are usually dark-on-white while Fashion-MNIST is light-on-black, so the image
    is inverted when its border is brighter than its middle.
    """
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]).mean()
    if border > grey.mean():
        grey = 255 - grey
    square = ImageOps.pad(Image.fromarray(grey.astype(np.uint8)), (max(grey.shape),) * 2, color=0)
    return np.asarray(square.resize((size, size), Image.LANCZOS), dtype=np.uint8)


MAX_ASPECT = 20  # sides further apart than this are a strip, not a picture: scaling it either way fails


def fit_photo(image: Image.Image, max_side: int = 1024, min_side: int = 64) -> tuple[Image.Image, str]:
    """(image, note): the longest side capped at `max_side`, a shortest side under `min_side` scaled up to it;
    the note says what was done ('' when nothing was), for the user."""
    w, h = image.size
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise UserInputError(f"That image is {w}x{h} pixels; use one whose sides are at most {MAX_ASPECT} times "
                             "apart (crop it first).")
    if max(w, h) > max_side:
        scale = max_side / max(w, h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        return image.resize(size, Image.LANCZOS), f"Resized from {w}x{h} to {size[0]}x{size[1]} (longest side capped at {max_side})."
    if min(w, h) < min_side:
        scale = min_side / min(w, h)
        size = (round(w * scale), round(h * scale))
        return image.resize(size, Image.BICUBIC), f"Scaled up from {w}x{h} to {size[0]}x{size[1]} (shortest side at least {min_side})."
    return image, ""
