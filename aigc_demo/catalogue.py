"""The catalogue of model families: for each, how it is evaluated, how its card is rendered and which figures are
its headline. `python -m aigc_demo.eval`, the model cards and the Model Lab's dashboard all read this one table.

A checkpoint folder's family comes from `family_of`; adding a family is one entry here plus its evaluator and card.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Family:
    name: str
    task: str
    evaluator: str        # "module:function", called with (folder, args) -> {"metrics": ..., ...}
    card: str             # "module:function", called with (folder, training, evaluation) -> Markdown
    key_metrics: tuple[str, ...] = ()  # the dashboard's figures; empty: the card's first three
    data: str = ""        # the data its evaluation needs on this server: "fashion-mnist", "austen" or "" (its own)
    folders: tuple[str, ...] = ()  # bundled folder names of this family whose records don't name it

    def evaluate(self, folder: Path, args) -> dict:
        return resolve(self.evaluator)(folder, args)

    def render_card(self, folder: Path, training: dict, evaluation: dict) -> str:
        return resolve(self.card)(folder, training, evaluation)


GENERATOR_METRICS = ("label_accuracy", "frechet_distance", "diversity")
IMAGE_CARD = "aigc_demo.model_card:render_image_card"
FAMILIES = {family.name: family for family in [
    Family("gpt2", "text", "aigc_demo.eval.language:evaluate", "aigc_demo.model_card:render_language_card",
           ("perplexity", "bits_per_char"), "austen"),
    Family("instruct-lm", "text", "aigc_demo.eval.instruct:evaluate", "aigc_demo.eval.instruct:render_card",
           ("austen_heldout_bits_per_char", "answers_correct"), "austen"),
    *[Family(name, "image", "aigc_demo.eval.image:evaluate", IMAGE_CARD, GENERATOR_METRICS, "fashion-mnist")
      for name in ("dcgan", "vae", "diffusion", "stylegan")],
    Family("cyclegan", "style", "aigc_demo.eval.style:evaluate", IMAGE_CARD, ("target_share", "cycle_error"),
           "fashion-mnist"),
    Family("classifier", "judge", "aigc_demo.eval.image:evaluate_classifier", IMAGE_CARD, ("test_accuracy",),
           "fashion-mnist", ("fashion-judge",)),
    Family("pix2pix", "inpaint", "aigc_demo.eval.inpaint:evaluate", "aigc_demo.eval.inpaint:render_card"),
    Family("vocoder", "audio", "aigc_demo.eval.vocoder:evaluate", "aigc_demo.eval.vocoder:render_card"),
    Family("music", "audio", "aigc_demo.eval.music:evaluate", "aigc_demo.eval.music:render_card"),
    Family("text-to-image", "multimodal", "aigc_demo.eval.multimodal:evaluate", "aigc_demo.eval.multimodal:render_card"),
    Family("latent-diffusion", "text-to-image", "aigc_demo.eval.text_to_image:evaluate",
           "aigc_demo.eval.text_to_image:render_card"),
]}
IMAGE_GENERATORS = tuple(name for name, family in FAMILIES.items() if family.task == "image")


def resolve(reference: str) -> Callable:
    module, function = reference.split(":")
    return getattr(importlib.import_module(module), function)


def family_of(folder: Path) -> str:
    """A checkpoint folder's family: a diffusers pipeline folder is latent diffusion; else its training record says,
    else its config's model_type, else the family its folder name starts with or is listed under (hub-mixin
    configs of custom models carry no type); "unknown" when none does."""
    folder = Path(folder)
    if (folder / "model_index.json").is_file():
        return "latent-diffusion"
    for record, key in (("training.json", "family"), ("config.json", "model_type")):
        try:
            found = json.loads((folder / record).read_text(encoding="utf-8")).get(key)
        except (OSError, json.JSONDecodeError):
            found = None
        if found:
            return found
    return next((name for name, entry in FAMILIES.items()
                 if folder.name.startswith(name) or folder.name in entry.folders), "unknown")


def family(folder: Path) -> Family | None:
    return FAMILIES.get(family_of(folder))
