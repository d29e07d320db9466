"""The evaluation dashboard: every bundled checkpoint's card figures in one table, and a quick re-measure.

Card figures come from checkpoints/<name>/README.md front matter and training.json (both written by
`python -m aigc_demo.train` / `python -m aigc_demo.eval`); re-measuring runs the same evaluators as
`python -m aigc_demo.eval <folder> --quick`, so the two columns differ by the quick subset and by any
change to the weights or code since the card was written.
"""
from __future__ import annotations

import argparse
import os

from aigc_demo import catalogue
from aigc_demo.checkpoints import checkpoints_dir, model_card, read_json
from aigc_demo.errors import UserInputError
from aigc_demo.lab.data import austen_heldout_text, fashion_mnist_root

NOT_MEASURED = "not measured"
DASHBOARD_COLUMNS = ["model", "family", "data", "license", "key metrics", "training minutes", "hardware"]
REMEASURE_COLUMNS = ["metric", "model card", "re-measured (quick)", "difference"]


def checkpoint_names() -> list[str]:
    """Every folder under checkpoints/ that holds a model (a config.json at its top or one level down) or the card
    of one whose weights ship in a package (a training.json)."""
    root = checkpoints_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (any(p.glob("config.json")) or any(
        p.glob("*/config.json")) or (p / "training.json").is_file()))


def family_of(name: str) -> str:
    return catalogue.family_of(checkpoints_dir() / name)


def key_metrics(name: str) -> tuple[str, ...]:
    entry = catalogue.FAMILIES.get(family_of(name))
    return entry.key_metrics if entry else ()


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
    keys = key_metrics(name) or list(metrics)[:3]  # families without headline figures: their card's first three
    shown = [f"{key} {metrics[key]}" for key in keys if key in metrics]
    minutes = round(training["wall_seconds"] / 60, 1) if "wall_seconds" in training else NOT_MEASURED
    return [name, family, front.get("data", NOT_MEASURED), front.get("license", NOT_MEASURED),
            ", ".join(shown) or NOT_MEASURED, minutes, hardware_kind(training)]


def dashboard_rows() -> list[list]:
    """One row per bundled checkpoint, in DASHBOARD_COLUMNS order; missing cards read 'not measured'."""
    return [dashboard_row(name) for name in checkpoint_names()]


def quick_metrics(name: str) -> dict:
    """The checkpoint's figures from `python -m aigc_demo.eval`'s own dispatch in quick mode (a subset of the
    held-out data); the Lab only checks first that the data the family needs is on this server, to say so in
    one sentence."""
    from aigc_demo.data import fashion_mnist
    from aigc_demo.eval.__main__ import evaluate

    folder = checkpoints_dir() / name
    family = family_of(name)
    if family == "cyclegan" and not (folder / "training.json").is_file():
        raise UserInputError(f"'{name}' has no training record, so its translation direction is unknown: "
                             "there is no quick evaluation for it.")
    # The Fashion-MNIST families need the test images (said in one sentence when absent); GPT-2 needs the Austen
    # text; the newer families check their own data.
    needs = catalogue.FAMILIES[family].data if family in catalogue.FAMILIES else ""
    needs_fashion = needs == "fashion-mnist"
    args = argparse.Namespace(quick=True, text_file=None, rdb=None,
                              heldout_text=austen_heldout_text() if needs == "austen" else None,
                              data_root=str(fashion_mnist_root() if needs_fashion else
                                            os.environ.get("AIGC_FASHION_MNIST", fashion_mnist.DEFAULT_ROOT)))
    return evaluate(folder, args)["metrics"]


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
    keys = key_metrics(name) or [k for k, v in measured.items() if isinstance(v, (int, float))]
    return [[key, card.get(key, NOT_MEASURED), measured.get(key, NOT_MEASURED),
             difference(card.get(key), measured.get(key))] for key in keys]
