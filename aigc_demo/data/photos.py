"""The offline photo collection: pictures that ship inside installed packages, split once into training and a
fixed held-out set that no training ever sees.

    skimage.data (in the wheel; BSD-3, images mostly public domain / CC0: astronaut is NASA's)
    sklearn.datasets.load_sample_images (china.jpg, flower.jpg; CC-BY 2.0, Flickr)
    matplotlib's sample data (grace_hopper.jpg: a US Navy portrait, public domain)
    OpenCV's sample images (Debian opencv-doc, examples/data; BSD/Apache, provenance per image varies), optional:
        apt-get download opencv-doc
        dpkg-deb --fsys-tarfile opencv-doc_*.deb | tar -x -C data_cache --wildcards './usr/share/doc/opencv-doc/examples/data/*'
    The folder is found at $AIGC_OPENCV_SAMPLES, or under data_cache/ beside the repository or one level up;
    without it the collection is the first two sources alone (the split of those does not change).

Every picture is RGB uint8 [H, W, 3]; grey ones are repeated over the three channels (textures such as
brick, grass and gravel still teach structure).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from aigc_demo.checkpoints import REPO_ROOT

SKIMAGE_PHOTOS = ["astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina",
                  "camera", "brick", "grass", "gravel", "moon", "coins", "page", "clock", "text", "stereo_motorcycle"]
SKLEARN_PHOTOS = ["china.jpg", "flower.jpg"]
MATPLOTLIB_PHOTOS = ["grace_hopper.jpg"]
# Renders, diagrams, blurred shots and near-duplicates of a listed view (aloeR, leuvenB, graf3, ...) are left out.
OPENCV_PHOTOS = ["aero1.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "basketball1.png", "board.jpg", "building.jpg",
                 "butterfly.jpg", "chicky_512.png", "ela_original.jpg", "fruits.jpg", "graf1.png", "home.jpg",
                 "leuvenA.jpg", "messi5.jpg", "orange.jpg", "rubberwhale1.png", "smarties.png", "squirrel_cls.jpg",
                 "starry_night.jpg", "stuff.jpg", "HappyFish.jpg", "Blender_Suzanne1.jpg", "aero3.jpg", "sudoku.png",
                 "box_in_scene.png", "left.jpg", "left01.jpg"]
# Never trained on; evaluation and the tab's examples use these. Natural scenes from each source.
HELDOUT = ["skimage:chelsea", "skimage:coffee", "skimage:rocket", "sklearn:china.jpg", "opencv:butterfly.jpg",
           "opencv:messi5.jpg", "opencv:home.jpg"]
OPENCV_SUBDIR = Path("usr/share/doc/opencv-doc/examples/data")
LICENSES = {"skimage": "BSD-3 (skimage.data; images mostly public domain or CC0)",
            "sklearn": "CC-BY 2.0 (scikit-learn sample images, Flickr)",
            "matplotlib": "public domain (matplotlib sample data: US Navy photo of Grace Hopper)",
            "opencv": "BSD/Apache (OpenCV samples, Debian opencv-doc; provenance per image varies)"}


def opencv_samples_dir() -> Path | None:
    candidates = [os.environ.get("AIGC_OPENCV_SAMPLES", "")]
    candidates += [str(root / "data_cache" / OPENCV_SUBDIR) for root in (REPO_ROOT, REPO_ROOT.parent)]
    return next((Path(c) for c in candidates if c and (Path(c) / "fruits.jpg").is_file()), None)


def _rgb(picture: np.ndarray) -> np.ndarray:
    picture = np.asarray(picture)
    if picture.ndim == 2:
        picture = np.repeat(picture[:, :, None], 3, axis=2)
    return np.ascontiguousarray(picture[:, :, :3]).astype(np.uint8)


def load_photo(key: str) -> np.ndarray:
    """One picture by key ('skimage:coffee', 'sklearn:china.jpg', 'opencv:fruits.jpg') as RGB uint8."""
    from PIL import Image

    source, name = key.split(":", 1)
    if source == "skimage":
        import skimage.data

        picture = getattr(skimage.data, name)()
        return _rgb(picture[0] if isinstance(picture, tuple) else picture)  # a stereo pair: its left view
    if source == "sklearn":
        from sklearn.datasets import load_sample_image

        return _rgb(load_sample_image(name))
    if source == "matplotlib":
        import matplotlib.cbook

        return _rgb(np.asarray(Image.open(matplotlib.cbook.get_sample_data(name, asfileobj=False)).convert("RGB")))
    folder = opencv_samples_dir()
    if folder is None:
        raise FileNotFoundError("OpenCV's sample images are not extracted (see aigc_demo/data/photos.py)")
    return _rgb(np.asarray(Image.open(folder / name).convert("RGB")))


def available_keys() -> list[str]:
    keys = [f"skimage:{n}" for n in SKIMAGE_PHOTOS] + [f"sklearn:{n}" for n in SKLEARN_PHOTOS]
    keys += [f"matplotlib:{n}" for n in MATPLOTLIB_PHOTOS]
    if opencv_samples_dir() is not None:
        keys += [f"opencv:{n}" for n in OPENCV_PHOTOS]
    return keys


@lru_cache(maxsize=2)
def load_split(split: str) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """(keys, pictures) of 'train' (everything but HELDOUT) or 'heldout'."""
    keys = [k for k in available_keys() if (k in HELDOUT) == (split == "heldout")]
    return tuple(keys), tuple(load_photo(k) for k in keys)


def describe(keys) -> str:
    sources = sorted({k.split(":")[0] for k in keys})
    return "; ".join(f"{s}: {LICENSES[s]}" for s in sources)
