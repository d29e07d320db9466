"""Measure a Fashion-MNIST CycleGAN direction on held-out test images of its source class.

- target share: how many translated images the judge classifier assigns to the target class, against the
  untranslated inputs (the identity mapping: what 'doing nothing' scores);
- source share after: how many still look like the source class to the judge;
- cycle error: mean absolute difference, in [0, 1] pixel units, between an input and its round trip through
  this direction and its partner (the identity mapping's is 0: the cycle loss alone is trivially met by
  doing nothing, which is why the target share must be read beside it);
- change: the same difference between input and translation (how much the generator alters a picture).

Outputs are rounded to uint8 first, as the app shows them. Deterministic: no randomness at all.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from aigc_demo.data import fashion_mnist
from aigc_demo.eval.image import load_judge
from aigc_demo.eval.metrics import judge_images
from aigc_demo.pipelines.convert import from_uint8, tile, to_uint8
from aigc_demo.pipelines.style import load_generator

GRID_COLUMNS = 8


@torch.inference_mode()
def translate(generator, images: torch.Tensor, batch: int = 100) -> torch.Tensor:
    """[N, 1, 28, 28] in [-1, 1] -> the generator's output, rounded to uint8 levels as the app shows it."""
    outputs = [torch.stack([torch.from_numpy(p) for p in to_uint8(generator(part))]) for part in images.split(batch)]
    return from_uint8(torch.cat(outputs).unsqueeze(1))


def share(predicted: torch.Tensor, label: int) -> float:
    return round(float((predicted == label).float().mean()), 4)


def evaluate(folder: Path, args) -> dict:
    return evaluate_cyclegan(folder, args.data_root, quick=args.quick)


def evaluate_cyclegan(folder: Path, data_root: str | Path = fashion_mnist.DEFAULT_ROOT, quick: bool = False) -> dict:
    direction = json.loads((folder / "training.json").read_text())["direction"]
    source, target = direction["source_class"], direction["target_class"]
    partner_folder = folder.parent / direction["partner"]
    cpu = torch.device("cpu")
    forward = load_generator(folder.name, cpu, torch.float32, folder)
    backward = load_generator(partner_folder.name, cpu, torch.float32, partner_folder)
    test_x, test_y = fashion_mnist.load("test", data_root)
    inputs = from_uint8(test_x[test_y == source][:200 if quick else None])
    start = time.perf_counter()
    translated = translate(forward, inputs)
    seconds = time.perf_counter() - start
    round_trip = translate(backward, translated)
    judge = load_judge()
    with torch.no_grad():
        _, predicted = judge_images(judge, translated)
        _, predicted_inputs = judge_images(judge, inputs)
    metrics = {
        "target_share": share(predicted, target),
        "target_share_identity": share(predicted_inputs, target),
        "source_share_after": share(predicted, source),
        "source_share_identity": share(predicted_inputs, source),
        "cycle_error": round(float((round_trip - inputs).abs().mean() / 2), 4),
        "cycle_error_identity": 0.0,
        "change": round(float((translated - inputs).abs().mean() / 2), 4),
        "images_per_second": round(len(inputs) / seconds, 1),
        "test_images": len(inputs),
    }
    names = fashion_mnist.CLASS_NAMES
    return {"metrics": metrics, "direction": f"{names[source]} -> {names[target]}", "partner": direction["partner"],
            "quick": quick, "grid": sample_grid(inputs, translated, round_trip)}


def sample_grid(inputs: torch.Tensor, translated: torch.Tensor, round_trip: torch.Tensor) -> np.ndarray:
    """Rows: the first test inputs, their translations, their round trips."""
    rows = [to_uint8(images[:GRID_COLUMNS]) for images in (inputs, translated, round_trip)]
    return tile([picture for row in rows for picture in row], GRID_COLUMNS, padding=1)
