"""BERT-style replies: rank candidate replies from a corpus of dialogue by sentence similarity.

The corpus is pairs of consecutive quoted lines from Jane Austen's novels (assets/replies/, built by
aigc_demo.data.dialogue). A message is embedded by the MiniLM sentence encoder and compared with every corpus
line; the lines most like the message lend their answers as the candidate replies (retrieval, as in the
seed's "BERT generates answers similar to the user's input"). GPT-2 can then continue the best one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aigc_demo.data.dialogue import DIALOGUE_FILE, load_dialogue, load_line_embeddings
from aigc_demo.errors import ModelUnavailableError, require_words
from aigc_demo.pipelines.encoder import encode
from aigc_demo.registry import registry

MAX_MESSAGE_CHARS = 2000


@dataclass
class Reply:
    reply: str
    score: float     # cosine similarity between the message and the line this reply answered
    line: str        # the corpus line that was most like the message
    book: str


def dialogue_index() -> tuple[list[dict], np.ndarray]:
    """The corpus pairs and their lines' embeddings: the bundled ones, or encoded here (a minute on a CPU)."""
    def build():
        if not DIALOGUE_FILE.is_file():
            raise ModelUnavailableError("The dialogue corpus is missing (run python -m aigc_demo.data.dialogue).")
        pairs = load_dialogue()
        vectors = load_line_embeddings(pairs)
        return pairs, vectors if vectors is not None else encode([pair["line"] for pair in pairs])
    return registry.get(("replies", "austen"), build)


def check_message(message: str | None) -> str:
    return require_words(message, "Write a message in words first, for example 'Shall we walk to the village?'.",
                         MAX_MESSAGE_CHARS)


def rank_replies(message: str, top: int = 5) -> list[Reply]:
    """The `top` candidate replies, best first. Replies that repeat are shown once."""
    pairs, lines = dialogue_index()
    scores = lines @ encode([check_message(message)])[0]
    replies, seen = [], set()
    for index in np.argsort(-scores):
        pair = pairs[int(index)]
        if pair["reply"] in seen:
            continue
        seen.add(pair["reply"])
        replies.append(Reply(pair["reply"], round(float(scores[index]), 3), pair["line"], pair["book"]))
        if len(replies) == top:
            break
    return replies
