"""Text to image and image to text over the models trained here.

Text to image: the sentence encoder maps a free-text prompt to a Fashion-MNIST class (pipelines/concepts.py),
and a class-conditional generator draws it; with the same model, class and seed the pictures equal the Image
tab's. Image to text: the judge classifier (checkpoints/fashion-judge) says what it recognises, in a sentence.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import torch

from aigc_demo.checkpoints import checkpoints_dir
from aigc_demo.data.fashion_mnist import CLASS_NAMES
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.images import as_fashion_mnist
from aigc_demo.pipelines.concepts import ConceptMatch, match_concept
from aigc_demo.pipelines.convert import from_uint8
from aigc_demo.registry import registry
from aigc_demo.seeding import torch_generator

# Generator, truncation and similarity threshold: checkpoints/text-to-image/config.json (stylegan, the best measured
# label accuracy of the four generators, at truncation 0.8: 0.915 against 0.875 at 1.0 in its card's sweep).
SETTINGS_FOLDER = "text-to-image"
# Classes are nouns in running text: "a sneaker", "an ankle boot", "a pair of trousers".
SPOKEN_NAMES = {"T-shirt/top": "a T-shirt", "Trouser": "a pair of trousers", "Pullover": "a pullover",
                "Dress": "a dress", "Coat": "a coat", "Sandal": "a sandal", "Shirt": "a shirt",
                "Sneaker": "a sneaker", "Bag": "a bag", "Ankle boot": "an ankle boot"}
SURE, UNSURE = 0.7, 0.45  # judge probabilities for "this is" / "this may be" / "not sure"


def unknown_concept_message(match: ConceptMatch) -> str:
    return (f"Nothing these models know is close to that prompt (it reads most like '{match.description}'); "
            f"they draw garments: {', '.join(CLASS_NAMES)}.")


def text_to_image_settings() -> dict:
    path = checkpoints_dir() / SETTINGS_FOLDER / "config.json"
    if not path.is_file():
        raise ModelUnavailableError("Text to image is not set up in this build (checkpoints/text-to-image is missing).")
    return json.loads(path.read_text())


def read_prompt(prompt: str) -> ConceptMatch:
    """The class a prompt is about; raises UserInputError naming what it read when no known class is close."""
    match = match_concept(prompt, text_to_image_settings()["min_similarity"])
    if not match.understood:
        raise UserInputError(unknown_concept_message(match))
    return match


def text_to_images(prompt: str, count: int, seed: int, pipeline=None) -> tuple[list[np.ndarray], ConceptMatch]:
    """(images, match) for a prompt; the images equal the Image tab's for the same generator, class and seed."""
    settings, match = text_to_image_settings(), read_prompt(prompt)
    if pipeline is None:
        from aigc_demo.pipelines.image import image_pipeline

        pipeline = image_pipeline(settings["generator"])
    return pipeline([match.label] * count, torch_generator(seed), truncation=settings["truncation"]), match


def load_judge():
    from aigc_demo.eval.image import load_judge as load

    return registry.get(("judge", "fashion-judge"), load)


@dataclass
class Description:
    sentence: str
    probabilities: list[tuple[str, float]]  # every class with the judge's probability, most likely first


def describe_image(image) -> Description:
    """What the judge classifier recognises in a PIL image, as a sentence and a ranked list."""
    pixels = as_fashion_mnist(image)
    with torch.no_grad():
        logits = load_judge()(from_uint8([pixels]).float())
    probabilities = torch.softmax(logits[0].float(), 0).numpy()
    order = np.argsort(-probabilities)
    ranked = [(CLASS_NAMES[i], float(probabilities[i])) for i in order]
    return Description(describe_in_words(ranked), ranked)


def describe_in_words(ranked: list[tuple[str, float]]) -> str:
    (first, p1), (second, p2) = ranked[0], ranked[1]
    if p1 >= SURE:
        sentence = f"This looks like {SPOKEN_NAMES[first]} ({p1:.0%} sure)."
        if p2 >= 0.1:
            sentence += f" It could also be {SPOKEN_NAMES[second]} ({p2:.0%})."
        return sentence
    if p1 >= UNSURE:
        return f"This may be {SPOKEN_NAMES[first]} ({p1:.0%}) or {SPOKEN_NAMES[second]} ({p2:.0%})."
    return (f"I'm not sure what this is; the closest garment I know is {SPOKEN_NAMES[first]} ({p1:.0%}). "
            "These models only know the ten Fashion-MNIST garments.")
