"""Fashion-MNIST (70,000 28x28 grey images, 10 classes; MIT) from Debian's dataset-fashion-mnist package.

    apt-get install dataset-fashion-mnist     # IDX files under /usr/share/datasets/fashion-mnist/
"""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

DEFAULT_ROOT = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049


def read_idx(path: Path, magic: int) -> np.ndarray:
    """An IDX file (optionally gzipped) as a uint8 array; the header's magic and sizes are checked."""
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    (found,) = struct.unpack(">I", raw[:4])
    if found != magic:
        raise ValueError(f"{path} is not an IDX file of the expected kind (magic {found}, wanted {magic})")
    dims = struct.unpack(f">{raw[3]}I", raw[4:4 + 4 * raw[3]])
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3])
    return data.reshape(dims)


def load(split: str = "train", root: str | Path = DEFAULT_ROOT) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N, 28, 28], labels int64 [N]) for split 'train' (60,000) or 'test' (10,000)."""
    prefix = {"train": "train", "test": "t10k"}[split]
    root = Path(root)
    images = read_idx(_find(root, f"{prefix}-images-idx3-ubyte"), IMAGES_MAGIC)
    labels = read_idx(_find(root, f"{prefix}-labels-idx1-ubyte"), LABELS_MAGIC).astype(np.int64)
    if len(images) != len(labels):
        raise ValueError(f"{split}: {len(images)} images but {len(labels)} labels")
    return images, labels


def _find(root: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (root / name).is_file():
            return root / name
    raise FileNotFoundError(f"{root / stem}[.gz] not found: apt-get install dataset-fashion-mnist")


def write_idx(path: Path, array: np.ndarray, magic: int) -> None:
    """Write an IDX file (used by tests to make small Fashion-MNIST-shaped data sets)."""
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
