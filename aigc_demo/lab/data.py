"""Where the Lab finds its evaluation data, and one clear sentence when it is missing.

AIGC_FASHION_MNIST (IDX files), AIGC_AUSTEN_RDB (janeaustenr's Rdata.rdb) and AIGC_AUSTEN_TEXT (a plain
text file whose last 5% is held out, as `python -m aigc_demo.eval --text-file` does) override the defaults;
tests point them at tiny files.
"""
from __future__ import annotations

import os
from pathlib import Path

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.data import fashion_mnist
from aigc_demo.data.austen import DEFAULT_RDB
from aigc_demo.errors import ModelUnavailableError


class DataUnavailableError(ModelUnavailableError):
    """The evaluation data is not installed on this server: the message says how to get it."""


def fashion_mnist_root(split: str = "test") -> Path:
    root = Path(os.environ.get("AIGC_FASHION_MNIST", fashion_mnist.DEFAULT_ROOT))
    prefix, use = {"test": ("t10k", "measured"), "train": ("train", "trained")}[split]
    if not any(root.glob(f"{prefix}-images-idx3-ubyte*")):
        raise DataUnavailableError(f"The Fashion-MNIST {split} images are not on this server, so the image models "
                                   f"can't be {use} here (apt-get install dataset-fashion-mnist).")
    return root


def austen_heldout_text() -> str:
    """The held-out Austen text the GPT-2 card was measured on (the last 5% of every novel)."""
    text_file = os.environ.get("AIGC_AUSTEN_TEXT")
    if text_file and Path(text_file).is_file():
        text = Path(text_file).read_text(encoding="utf-8")
        return text[int(len(text) * 0.95):]
    rdb = Path(os.environ.get("AIGC_AUSTEN_RDB", REPO_ROOT / DEFAULT_RDB))
    if not rdb.is_file():
        raise DataUnavailableError("The Jane Austen texts are not on this server, so the language model can't be "
                                   "measured here (see aigc_demo/data/austen.py for the one-line download).")
    from aigc_demo.data.austen import train_heldout_split

    return train_heldout_split(rdb)[1]
