"""The evaluation dashboard: every bundled checkpoint's card figures in one table, and a quick re-measure.

Card figures come from checkpoints/<name>/README.md front matter and training.json (both written by
`python -m aigc_demo.train` / `python -m aigc_demo.eval`); re-measuring runs the same evaluators as
`python -m aigc_demo.eval <folder> --quick`, so the two columns differ by the quick subset and by any
change to the weights or code since the card was written.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from aigc_demo.checkpoints import checkpoints_dir, model_card
from aigc_demo.errors import UserInputError
from aigc_demo.lab.data import austen_heldout_text, fashion_mnist_root
from aigc_demo.model_card import FAMILY_MODULES

NOT_MEASURED = "not measured"
# The figures a reader compares first, per training family (the card holds more).
KEY_METRICS = {
    "gpt2": ("perplexity", "bits_per_char"),
    "dcgan": ("label_accuracy", "frechet_distance", "diversity"),
    "vae": ("label_accuracy", "frechet_distance", "diversity"),
    "diffusion": ("label_accuracy", "frechet_distance", "diversity"),
    "stylegan": ("label_accuracy", "frechet_distance", "diversity"),
    "cyclegan": ("target_share", "cycle_error"),
    "classifier": ("test_accuracy",),
}
DASHBOARD_COLUMNS = ["model", "family", "data", "license", "key metrics", "training minutes", "hardware"]
REMEASURE_COLUMNS = ["metric", "model card", "re-measured (quick)", "difference"]


def checkpoint_names() -> list[str]:
    """Every folder under checkpoints/ that holds a model (a config.json at its top or one level down)."""
    root = checkpoints_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (any(p.glob("config.json")) or any(p.glob("*/config.json"))))


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def family_of(name: str) -> str:
    """The training family from training.json, else config.json's model_type, else the folder's name (the
    hub-mixin configs of custom models carry no type, and a checkpoint without a card has no training.json)."""
    folder = checkpoints_dir() / name
    family = read_json(folder / "training.json").get("family") or read_json(folder / "config.json").get("model_type")
    if family:
        return family
    if name == "fashion-judge":
        return "classifier"
    return next((known for known in KEY_METRICS if name.startswith(known)), "unknown")


def hardware_kind(training: dict) -> str:
    hardware = training.get("hardware", "")
    if not hardware:
        return NOT_MEASURED
    return "GPU" if "GPU" in hardware or "CUDA" in hardware else "CPU"


def dashboard_row(name: str) -> list:
    front, _ = model_card(name)
    training = read_json(checkpoints_dir() / name / "training.json")
    family = family_of(name)
    metrics = front.get("metrics") or {}
    keys = KEY_METRICS.get(family) or list(metrics)[:3]  # newer families: their card's first three figures
    shown = [f"{key} {metrics[key]}" for key in keys if key in metrics]
    minutes = round(training["wall_seconds"] / 60, 1) if "wall_seconds" in training else NOT_MEASURED
    return [name, family, front.get("data", NOT_MEASURED), front.get("license", NOT_MEASURED),
            ", ".join(shown) or NOT_MEASURED, minutes, hardware_kind(training)]


def dashboard_rows() -> list[list]:
    """One row per bundled checkpoint, in DASHBOARD_COLUMNS order; missing cards read 'not measured'."""
    return [dashboard_row(name) for name in checkpoint_names()]


def quick_metrics(name: str) -> dict:
    """The checkpoint's figures from its family's evaluator in quick mode (a subset of the held-out data)."""
    folder = checkpoints_dir() / name
    family = family_of(name)
    if family == "gpt2":
        from aigc_demo.eval.language import evaluate_language_model

        return evaluate_language_model(folder, austen_heldout_text(), quick=True)["metrics"]
    if family in ("dcgan", "vae", "diffusion", "stylegan"):
        from aigc_demo.eval.image import evaluate_image_model

        return evaluate_image_model(family, fashion_mnist_root(), quick=True, folder=folder)["metrics"]
    if family == "cyclegan":
        if not (folder / "training.json").is_file():
            raise UserInputError(f"'{name}' has no training record, so its translation direction is unknown: "
                                 "there is no quick evaluation for it.")
        from aigc_demo.eval.style import evaluate_cyclegan

        return evaluate_cyclegan(folder, fashion_mnist_root(), quick=True)["metrics"]
    if family == "classifier":
        from aigc_demo.eval.image import evaluate_judge

        # The judge has no quick mode: its figure is accuracy on all 10,000 test images (seconds anyway).
        return evaluate_judge(fashion_mnist_root())["metrics"]
    if family in FAMILY_MODULES:  # newer families keep their evaluator beside their card renderer
        import argparse
        import importlib

        from aigc_demo.data import fashion_mnist

        args = argparse.Namespace(quick=True, data_root=os.environ.get("AIGC_FASHION_MNIST", fashion_mnist.DEFAULT_ROOT))
        return importlib.import_module(FAMILY_MODULES[family]).evaluate(folder, args)["metrics"]
    raise UserInputError(f"There is no evaluator for '{name}' (family {family}); pick another model.")


def difference(card_value, measured) -> object:
    if isinstance(card_value, (int, float)) and isinstance(measured, (int, float)):
        return round(measured - card_value, 4)
    return "-"


def remeasure(name: str) -> list[list]:
    """Rows of REMEASURE_COLUMNS: every key figure as the card states it, re-measured now, and the difference."""
    if name not in checkpoint_names():
        raise UserInputError(f"Pick a bundled model from the table; '{str(name)[:40]}' is not one.")
    measured = quick_metrics(name)
    card = model_card(name)[0].get("metrics") or {}
    keys = KEY_METRICS.get(family_of(name)) or [k for k, v in measured.items() if isinstance(v, (int, float))]
    return [[key, card.get(key, NOT_MEASURED), measured.get(key, NOT_MEASURED),
             difference(card.get(key), measured.get(key))] for key in keys]
