"""Measure an image generator with the judge classifier: label accuracy, Frechet distance, diversity, speed.

All figures use fixed seeds, so rerunning `python -m aigc_demo.eval checkpoints/<name>` gives the same
numbers on the same machine (speed aside).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from aigc_demo.checkpoints import checkpoints_dir
from aigc_demo.data import fashion_mnist
from aigc_demo.eval.metrics import feature_diversity, frechet_distance, judge_images
from aigc_demo.pipelines.convert import from_uint8, tile

JUDGE = "fashion-judge"
SAMPLE_OPTIONS = {"diffusion": {"scheduler": "ddim", "steps": 25, "guidance_scale": 1.5}}
# Also measured, as a side table in the card: the quality-vs-variety knob at a few settings.
SWEEPS = {"stylegan": ("truncation", (0.8, 0.6)), "dcgan": ("truncation", (0.8, 0.6))}


def load_judge():
    from aigc_demo.models.classifier import FashionClassifier

    return FashionClassifier.from_pretrained(checkpoints_dir() / JUDGE, strict=True).eval()


def stratified_indices(labels: np.ndarray, per_class: int, offset: int = 0) -> np.ndarray:
    """The (offset..offset+per_class)-th test image of every class: disjoint subsets for different offsets."""
    return np.concatenate([np.flatnonzero(labels == c)[offset:offset + per_class] for c in range(10)])


def generate_all(pipeline, labels: list[int], seed: int, options: dict, batch: int = 100) -> tuple[list, float]:
    generator, images = torch.Generator().manual_seed(seed), []
    start = time.perf_counter()
    for first in range(0, len(labels), batch):
        images += pipeline(labels[first:first + batch], generator, **options)
    return images, time.perf_counter() - start


def evaluate(folder: Path, args) -> dict:
    """A generator checkpoint of any image family, on the Fashion-MNIST test set in args.data_root."""
    from aigc_demo.catalogue import family_of

    return evaluate_image_model(family_of(folder), args.data_root, quick=args.quick, folder=folder)


def evaluate_classifier(folder: Path, args) -> dict:
    return evaluate_judge(args.data_root)


def evaluate_image_model(name: str, data_root: str | Path = fashion_mnist.DEFAULT_ROOT, per_class: int = 100,
                         quick: bool = False, folder: Path | None = None) -> dict:
    """Figures for the bundled model `name`, or for the checkpoint in `folder` of family `name`."""
    from aigc_demo.pipelines.image import load_image_pipeline

    per_class = 20 if quick else per_class
    judge = load_judge()
    test_x, test_y = fashion_mnist.load("test", data_root)
    pipeline = load_image_pipeline(name, torch.device("cpu"), torch.float32, folder)
    options = SAMPLE_OPTIONS.get(name, {})
    labels = [c for c in range(10) for _ in range(per_class)]
    images, seconds = generate_all(pipeline, labels, seed=0, options=options)
    fake_features, predicted = judge_images(judge, from_uint8(images))
    real_a = stratified_indices(test_y, per_class, 0)
    real_b = stratified_indices(test_y, per_class, per_class)
    real_features_a, real_predicted = judge_images(judge, from_uint8(test_x[real_a]))
    real_features_b, _ = judge_images(judge, from_uint8(test_x[real_b]))
    metrics = {
        "label_accuracy": round(float((predicted == torch.tensor(labels)).float().mean()), 4),
        "frechet_distance": round(frechet_distance(fake_features, real_features_a), 2),
        "frechet_floor_real_vs_real": round(frechet_distance(real_features_b, real_features_a), 2),
        "diversity": round(feature_diversity(fake_features, labels), 3),
        "diversity_real": round(feature_diversity(real_features_a, test_y[real_a]), 3),
        "real_label_accuracy": round(float((real_predicted == torch.from_numpy(test_y[real_a])).float().mean()), 4),
        "images_per_second": round(len(images) / seconds, 1),
        "samples": len(images),
    }
    if name in SWEEPS:
        knob, values = SWEEPS[name]
        for value in values:
            swept, _ = generate_all(pipeline, labels, seed=0, options={**options, knob: value})
            features, guessed = judge_images(judge, from_uint8(swept))
            metrics[f"at_{knob}_{value}"] = {
                "label_accuracy": round(float((guessed == torch.tensor(labels)).float().mean()), 4),
                "frechet_distance": round(frechet_distance(features, real_features_a), 2),
                "diversity": round(feature_diversity(features, labels), 3)}
    return {"metrics": metrics, "options": options, "quick": quick, "grid": sample_grid(images, per_class)}


def sample_grid(images: list[np.ndarray], per_class: int, columns: int = 8) -> np.ndarray:
    """Rows = classes, the first `columns` samples of each: the card's unedited samples."""
    return tile([image for c in range(10) for image in images[c * per_class:c * per_class + columns]], columns)


def evaluate_judge(data_root: str | Path = fashion_mnist.DEFAULT_ROOT) -> dict:
    """The judge's own accuracy on the 10,000 test images (the ceiling for the generators' label accuracy)."""
    judge = load_judge()
    test_x, test_y = fashion_mnist.load("test", data_root)
    _, predicted = judge_images(judge, from_uint8(test_x))
    per_class = [round(float((predicted[test_y == c] == c).float().mean()), 3) for c in range(10)]
    return {"metrics": {"test_accuracy": round(float((predicted == torch.from_numpy(test_y)).float().mean()), 4),
                        "per_class_accuracy": dict(zip(fashion_mnist.CLASS_NAMES, per_class))}}
