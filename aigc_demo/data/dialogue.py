"""Dialogue pairs from Jane Austen's novels (public domain): a quoted line and the quoted line that answers it.

`python -m aigc_demo.data.dialogue` writes assets/replies/austen_dialogue.jsonl, which the app ships: the
novels themselves come from a Debian package the app does not need at run time.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.data.austen import DEFAULT_RDB, novel_lines, paragraphs

DIALOGUE_FILE = REPO_ROOT / "assets" / "replies" / "austen_dialogue.jsonl"
# The lines' sentence embeddings (fp16), so the first reply doesn't wait a minute for 2,000 lines to be encoded.
EMBEDDINGS_FILE = DIALOGUE_FILE.with_suffix(".safetensors")
QUOTE = re.compile(r'"([^"]+)"')
MIN_CHARS, MAX_CHARS = 12, 300


def spoken(paragraph: str) -> str:
    """Only the words inside quotes, joined ('"Yes," said he, "I do."' -> 'Yes, I do.'), with Gutenberg's
    _italics_ marks and '--' dashes tidied."""
    words = " ".join(part.strip() for part in QUOTE.findall(paragraph))
    words = words.replace("_", "").replace("--", " - ")
    return re.sub(r"\s+", " ", words).strip()


def is_speech(paragraph: str) -> bool:
    return paragraph.startswith('"')


def dialogue_pairs(novels: list[list[str]]) -> list[dict]:
    """Consecutive speech paragraphs: the second is taken as the reply to the first."""
    pairs = []
    for lines in novels:
        book = next(line for line in lines if line.strip()).strip().title()  # each novel opens with its title
        paras = paragraphs(lines)
        for first, second in zip(paras, paras[1:]):
            if not (is_speech(first) and is_speech(second)):
                continue
            line, reply = spoken(first), spoken(second)
            if MIN_CHARS <= len(line) <= MAX_CHARS and MIN_CHARS <= len(reply) <= MAX_CHARS:
                pairs.append({"line": line, "reply": reply, "book": book})
    return pairs


def load_dialogue(path: Path = DIALOGUE_FILE) -> list[dict]:
    with open(path, encoding="utf-8") as file:
        return [json.loads(row) for row in file]


def main(argv: list[str]) -> None:
    rdb = argv[0] if argv else DEFAULT_RDB
    pairs = dialogue_pairs(novel_lines(rdb))
    DIALOGUE_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(DIALOGUE_FILE, "w", encoding="utf-8") as file:
        for pair in pairs:
            file.write(json.dumps(pair, ensure_ascii=False) + "\n")
    save_line_embeddings(pairs)
    print(f"{len(pairs)} pairs -> {DIALOGUE_FILE}, embeddings -> {EMBEDDINGS_FILE}")


def corpus_digest(pairs: list[dict]) -> str:
    return hashlib.sha256("\n".join(pair["line"] for pair in pairs).encode("utf-8")).hexdigest()


def save_line_embeddings(pairs: list[dict]) -> None:
    import torch
    from safetensors.torch import save_file

    from aigc_demo.pipelines.encoder import ENCODER_NAME, encode

    vectors = torch.from_numpy(encode([pair["line"] for pair in pairs])).half()
    save_file({"lines": vectors}, EMBEDDINGS_FILE, metadata={"encoder": ENCODER_NAME, "digest": corpus_digest(pairs)})


def load_line_embeddings(pairs: list[dict]):
    """The bundled embeddings as float32, or None when missing or made for other lines or another encoder."""
    from safetensors import safe_open

    from aigc_demo.pipelines.encoder import ENCODER_NAME

    if not EMBEDDINGS_FILE.is_file():
        return None
    with safe_open(str(EMBEDDINGS_FILE), framework="np") as file:
        meta = file.metadata() or {}
        if meta.get("encoder") != ENCODER_NAME or meta.get("digest") != corpus_digest(pairs):
            return None
        return file.get_tensor("lines").astype("float32")


if __name__ == "__main__":
    main(sys.argv[1:])
