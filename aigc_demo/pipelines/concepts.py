"""From free text to the image models' classes: the prompt and several descriptions of every Fashion-MNIST class
are embedded by the sentence encoder, and the class whose closest description is most similar wins.

Bare class names match poorly ("running shoes" lands nearest "Ankle boot"), so each class is described several
ways: synonyms, uses and looks. When no description is close enough, the prompt is about something these models
never saw, and the caller says so rather than drawing a random garment.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aigc_demo.data.fashion_mnist import CLASS_NAMES
from aigc_demo.errors import require_words
from aigc_demo.pipelines.encoder import encode
from aigc_demo.registry import registry

MAX_PROMPT_CHARS = 1000
OTHER = len(CLASS_NAMES)  # label of the "things never seen" descriptions

DESCRIPTIONS: dict[str, list[str]] = {
    "T-shirt/top": ["a t-shirt", "a tee shirt", "a short-sleeved cotton top", "a tank top", "a casual top",
                    "a crew neck tee", "a sleeveless vest top", "a plain shirt with short sleeves"],
    "Trouser": ["trousers", "a pair of pants", "jeans", "denim jeans", "slacks", "leggings",
                "long pants with two legs", "chinos", "sweatpants"],
    "Pullover": ["a pullover", "a sweater", "a jumper", "a knitted sweater", "a wool jumper", "a sweatshirt",
                 "a hoodie", "a long-sleeved knit top", "a cardigan"],
    "Dress": ["a dress", "a summer dress", "an evening gown", "a frock", "a skirt", "a party dress",
              "a long flowing gown", "a sundress", "a one-piece garment for women"],
    "Coat": ["a coat", "a winter coat", "a jacket", "an overcoat", "a raincoat", "a parka", "a trench coat",
             "a warm outer garment with buttons", "a blazer"],
    "Sandal": ["a sandal", "sandals", "flip-flops", "open-toed summer shoes", "strappy sandals",
               "high-heeled sandals", "high heels", "beach slippers", "shoes with straps and open toes"],
    "Shirt": ["a shirt", "a button-up shirt", "a dress shirt", "a blouse", "a long-sleeved shirt with a collar",
              "a formal shirt", "a flannel shirt", "an office shirt"],
    "Sneaker": ["a sneaker", "sneakers", "trainers", "running shoes", "sports shoes", "athletic shoes",
                "tennis shoes", "canvas shoes", "low-top shoes for jogging"],
    "Bag": ["a bag", "a handbag", "a purse", "a tote bag", "a backpack", "a shoulder bag", "a satchel",
            "a clutch", "a briefcase"],
    "Ankle boot": ["an ankle boot", "boots", "a leather boot", "a winter boot", "a chelsea boot",
                   "a high-heeled boot", "hiking boots", "a short boot covering the ankle"],
}

# Things the image models never saw. Absolute similarity alone can't tell "a spaceship" (0.41 to "a bag") from a
# garment, so a prompt closer to one of these than to any garment is "unknown" (an open-set check).
OTHER_THINGS = ["an animal", "a pet", "a vehicle", "a car", "an aeroplane", "a rocket", "a building", "a house",
                "food", "a meal", "a drink", "a person", "a face", "a landscape", "the sky", "the sea", "a plant",
                "a flower", "a tree", "an electronic device", "a computer", "a phone", "furniture", "a chair",
                "a hat", "a cap", "a scarf", "gloves", "socks", "jewellery", "a watch", "a toy", "a musical instrument",
                "weather", "a book", "a ball", "a planet", "a star", "a weapon", "a machine", "a tool", "a city",
                "a story about people talking", "an abstract idea", "a colour", "a number", "a word"]


@dataclass
class ConceptMatch:
    label: int | None          # class index, or None when nothing known is close
    name: str                  # the class name, or "" when unknown
    score: float               # cosine similarity of the best description
    description: str           # the description that matched best
    ranking: list[tuple[str, float]]  # every class with its best score, best first

    @property
    def understood(self) -> bool:
        return self.label is not None


def description_table() -> tuple[np.ndarray, list[int], list[str]]:
    """Embeddings of every description with their class index (cached: the same for every request)."""
    def build():
        texts, labels = [], []
        for index, name in enumerate(CLASS_NAMES):
            texts += DESCRIPTIONS[name]
            labels += [index] * len(DESCRIPTIONS[name])
        texts += OTHER_THINGS
        labels += [OTHER] * len(OTHER_THINGS)
        return encode(texts), labels, texts
    return registry.get(("concepts", "descriptions"), build)


def check_prompt(prompt: str | None) -> str:
    return require_words(prompt, "Describe a garment in words, for example 'a pair of running shoes'.",
                         MAX_PROMPT_CHARS)


def match_concepts(prompts: list[str], min_similarity: float) -> list[ConceptMatch]:
    """The Fashion-MNIST class each prompt is about, or an 'unknown' match when no description reaches
    `min_similarity` (checkpoints/text-to-image/config.json; set on aigc_demo/eval/prompts.py's DEV_PROMPTS)."""
    vectors, labels, texts = description_table()
    similarity = encode(prompts) @ vectors.T
    return [best_class(row, labels, texts, min_similarity) for row in similarity]


def match_concept(prompt: str, min_similarity: float) -> ConceptMatch:
    return match_concepts([check_prompt(prompt)], min_similarity)[0]


def best_class(similarity: np.ndarray, labels: list[int], texts: list[str], min_similarity: float) -> ConceptMatch:
    per_class = np.full(len(CLASS_NAMES) + 1, -1.0)  # the last slot is OTHER
    best_text = [""] * len(per_class)
    for score, label, text in zip(similarity, labels, texts):
        if score > per_class[label]:
            per_class[label], best_text[label] = score, text
    order = np.argsort(-per_class[:OTHER])
    ranking = [(CLASS_NAMES[i], round(float(per_class[i]), 3)) for i in order]
    top = int(order[0])
    if per_class[top] < min_similarity or per_class[OTHER] > per_class[top]:
        return ConceptMatch(None, "", float(per_class[top]), best_text[OTHER], ranking)
    return ConceptMatch(top, CLASS_NAMES[top], float(per_class[top]), best_text[top], ranking)
