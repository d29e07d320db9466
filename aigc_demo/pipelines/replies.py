"""Retrieval-augmented replies: the MiniLM sentence encoder finds the passages closest to a question, and the
instruct model answers from those passages only.

Passages come from the bundled corpus of Jane Austen's dialogue (assets/replies/, built by aigc_demo.data.dialogue:
a quoted line and the line that answered it) or from a text the user pastes, cut into passages of a few sentences.
Retrieval is the seed's "BERT finds the lines most like your message"; the answer is the instruct model's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from aigc_demo.data.dialogue import DIALOGUE_FILE, load_dialogue, load_line_embeddings
from aigc_demo.errors import ModelUnavailableError, UserInputError, require_words
from aigc_demo.pipelines.encoder import encode
from aigc_demo.registry import registry

MAX_MESSAGE_CHARS = 2000
MAX_PASTED_CHARS = 100_000
SENTENCES_PER_PASSAGE = 3
TOP_PASSAGES = 4
SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"'”’)]*\s+")
INSTRUCTION = ("Answer the question using only the passages below. If they do not contain the answer, say so. "
               "Keep the answer to a few sentences.")


@dataclass
class Passage:
    text: str
    score: float   # cosine similarity between the question and what was indexed for this passage
    source: str    # the novel, or "your text"


def austen_index() -> tuple[list[Passage], np.ndarray]:
    """The dialogue corpus as passages (a line and its answer), indexed by the line's embedding."""
    def build():
        if not DIALOGUE_FILE.is_file():
            raise ModelUnavailableError("The dialogue corpus is missing (run python -m aigc_demo.data.dialogue).")
        pairs = load_dialogue()
        vectors = load_line_embeddings(pairs)
        if vectors is None:
            vectors = encode([pair["line"] for pair in pairs])
        passages = [Passage(f"\u201c{p['line']}\u201d \u2014 \u201c{p['reply']}\u201d", 0.0, p["book"]) for p in pairs]
        return passages, vectors
    return registry.get(("replies", "austen"), build)


def split_passages(text: str) -> list[str]:
    """A pasted text cut into passages of a few sentences (paragraph breaks always end a passage)."""
    passages = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences = [s.strip() for s in SENTENCE_END.split(" ".join(paragraph.split())) if s.strip()]
        for start in range(0, len(sentences), SENTENCES_PER_PASSAGE):
            passages.append(" ".join(sentences[start:start + SENTENCES_PER_PASSAGE]))
    return passages


def pasted_index(text: str) -> tuple[list[Passage], np.ndarray]:
    text = text or ""
    if len(text) > MAX_PASTED_CHARS:
        raise UserInputError(f"The pasted text is {len(text):,} characters; keep it under {MAX_PASTED_CHARS:,}.")
    pieces = [piece for piece in split_passages(text) if any(c.isalnum() for c in piece)]
    if not pieces:
        raise UserInputError("Paste a text to answer from first, or choose Austen's dialogue lines.")
    return [Passage(piece, 0.0, "your text") for piece in pieces], encode(pieces)


def check_message(message: str | None) -> str:
    return require_words(message, "Write a message in words first, for example 'Shall we walk to the village?'.",
                         MAX_MESSAGE_CHARS)


def find_passages(question: str, pasted_text: str | None = None, top: int = TOP_PASSAGES) -> list[Passage]:
    """The `top` passages most like the question, best first, each shown once."""
    question = check_message(question)
    passages, vectors = pasted_index(pasted_text) if pasted_text is not None else austen_index()
    scores = vectors @ encode([question])[0]
    found, seen = [], set()
    for index in np.argsort(-scores):
        passage = passages[int(index)]
        if passage.text in seen:
            continue
        seen.add(passage.text)
        found.append(Passage(passage.text, round(float(scores[index]), 3), passage.source))
        if len(found) == top:
            break
    return found


def answer_messages(question: str, passages: list[Passage]) -> list[dict]:
    """The chat that asks the instruct model to answer from the passages."""
    numbered = "\n".join(f"[{number}] {p.text} ({p.source})" for number, p in enumerate(passages, 1))
    return [{"role": "user", "content": f"{INSTRUCTION}\n\nPassages:\n{numbered}\n\nQuestion: {check_message(question)}"}]
