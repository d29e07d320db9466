"""Captioned colour emoji in three styles, from the npm registry: the text-to-image and colour GAN data.

    python -m aigc_demo.data.emoji fetch      # npm pack + unpack into data_cache/emoji (about 180 MB, once)

    emoji-datasource-google@16.0.0   Noto emoji, 64x64 PNG          images Apache-2.0, emoji.json MIT   style "flat"
    emoji-datasource-twitter@16.0.0  Twemoji, 64x64 PNG             CC-BY-4.0 ("Twemoji by Twitter")    style "twemoji"
    @lobehub/fluent-emoji-3d@1.1.0   Microsoft Fluent 3D, 256x256   MIT                                 style "3d"
    emojilib@4.0.3                   keyword lists for the captions MIT

The folder is $AIGC_EMOJI_CACHE or data_cache/emoji beside the repository. Only training and evaluation read
it; the app and its tests never do. Every image is RGB uint8 [64, 64, 3], composited on white, and every record
names its source and licence.

Splits, fixed by a hash so every machine draws the same: one concept in twenty (a base emoji with all its skin
tones and styles) is held out of training; and the caption template "an icon showing ..." is never used in
training, so evaluation can ask for training concepts in words the model never saw with them.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tarfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from aigc_demo.checkpoints import REPO_ROOT

SIZE = 64
PACKAGES = {"google": "emoji-datasource-google@16.0.0", "twitter": "emoji-datasource-twitter@16.0.0",
            "fluent": "@lobehub/fluent-emoji-3d@1.1.0", "emojilib": "emojilib@4.0.3"}
STYLES = {"google": "flat", "twitter": "twemoji", "fluent": "3d"}
LICENSES = {"google": "Apache-2.0 (Noto Emoji, Google)", "twitter": "CC-BY-4.0 (Twemoji by Twitter)",
            "fluent": "MIT (Microsoft Fluent Emoji 3D, via @lobehub/fluent-emoji-3d)"}
SKIN_TONES = {"1F3FB": "light skin tone", "1F3FC": "medium-light skin tone", "1F3FD": "medium skin tone",
              "1F3FE": "medium-dark skin tone", "1F3FF": "dark skin tone"}
HELDOUT_CONCEPT_EVERY = 20
HELDOUT_TEMPLATE = "an icon showing {desc}, {style} style"
TRAIN_TEMPLATES = ("{desc}, {style} emoji", "{style} emoji of {desc}", "{desc}", "a {style} picture of {desc}")


@dataclass(frozen=True)
class EmojiRecord:
    concept: str        # the base emoji's code points, e.g. "1F385" (skin tones share it)
    unified: str        # this image's code points, e.g. "1F385-1F3FB"
    source: str         # google, twitter or fluent
    name: str           # "father christmas"
    short_names: tuple[str, ...]
    keywords: tuple[str, ...]
    tone: str           # "" or "light skin tone", ...
    category: str
    subcategory: str

    @property
    def style(self) -> str:
        return STYLES[self.source]

    @property
    def license(self) -> str:
        return LICENSES[self.source]

    @property
    def heldout(self) -> bool:
        return is_heldout_concept(self.concept)

    def description(self, rng: random.Random | None = None) -> str:
        """The words for what it shows: the name, or a short name, plus a few keywords and the skin tone."""
        words = [self.name]
        if rng is not None:
            words = [rng.choice([self.name, *self.short_names])]
            extra = [k for k in self.keywords if k not in words[0]]
            words += rng.sample(extra, k=min(len(extra), rng.randint(0, 2)))
        if self.tone:
            words.append(self.tone)
        return ", ".join(words)

    def caption(self, rng: random.Random | None = None) -> str:
        """A training caption; without `rng`, the plainest one."""
        template = TRAIN_TEMPLATES[0] if rng is None else rng.choice(TRAIN_TEMPLATES)
        return template.format(desc=self.description(rng), style=self.style)

    def heldout_caption(self) -> str:
        return HELDOUT_TEMPLATE.format(desc=self.description(), style=self.style)


def is_heldout_concept(concept: str) -> bool:
    return zlib.crc32(concept.encode()) % HELDOUT_CONCEPT_EVERY == 7


def cache_dir() -> Path:
    return Path(os.environ.get("AIGC_EMOJI_CACHE", REPO_ROOT / "data_cache" / "emoji"))


def package_dir(key: str, root: Path | None = None) -> Path:
    name = PACKAGES[key].rsplit("@", 1)[0].lstrip("@").replace("/", "-")
    return (root or cache_dir()) / name / "package"


def available(root: Path | None = None) -> bool:
    return all((package_dir(key, root) / "package.json").is_file() for key in PACKAGES)


def fetch(root: Path | None = None) -> Path:
    """npm pack each package by name and unpack it; a training-time fetch, never run by the app or tests."""
    root = root or cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    for key, spec in PACKAGES.items():
        if (package_dir(key, root) / "package.json").is_file():
            continue
        tgz = subprocess.run(["npm", "pack", spec, "--silent"], cwd=root, check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(root / tgz) as archive:
            archive.extractall(package_dir(key, root).parent, filter="data")
        (root / tgz).unlink()
    return root


def _human(text: str) -> str:
    return text.replace("_", " ").replace("-", " ").strip().lower()


def _characters(unified: str) -> str:
    return "".join(chr(int(part, 16)) for part in unified.split("-"))


def _keywords(entry: dict, emojilib: dict) -> tuple[str, ...]:
    words = emojilib.get(_characters(entry["unified"])) or emojilib.get(_characters(entry["unified"]).replace("\ufe0f", ""))
    return tuple(dict.fromkeys(_human(w) for w in (words or [])[1:] if w.isascii() and w.replace("_", "").isalpha()))


def _tone(skin_key: str) -> str:
    tones = [SKIN_TONES[part] for part in skin_key.split("-") if part in SKIN_TONES]
    return " and ".join(dict.fromkeys(tones))


def _image_files(source: str, root: Path) -> dict[str, Path]:
    """Lower-case code points -> image file, for one source."""
    if source == "fluent":
        return {p.stem.lower(): p for p in (package_dir("fluent", root) / "assets").glob("*.webp")}
    folder = package_dir(source, root) / "img" / source / "64"
    return {p.stem.lower(): p for p in folder.glob("*.png")}


@lru_cache(maxsize=2)
def records(root: Path | None = None) -> tuple[tuple[EmojiRecord, Path], ...]:
    """Every (record, image file) across the three styles, base emoji and skin tones, in a fixed order."""
    root = root or cache_dir()
    if not available(root):
        raise FileNotFoundError(f"The emoji sets are not in {root}; run: python -m aigc_demo.data.emoji fetch")
    entries = json.loads((package_dir("google", root) / "emoji.json").read_text(encoding="utf-8"))
    emojilib = json.loads((package_dir("emojilib", root) / "dist" / "emoji-en-US.json").read_text(encoding="utf-8"))
    found = []
    for source in STYLES:
        files = _image_files(source, root)
        for entry in sorted(entries, key=lambda e: e["sort_order"]):
            base = dict(concept=entry["unified"], source=source, name=_human(entry["name"]),
                        short_names=tuple(dict.fromkeys(_human(s) for s in entry["short_names"])),
                        keywords=_keywords(entry, emojilib), category=entry["category"],
                        subcategory=entry["subcategory"])
            variants = [("", entry)] + sorted((entry.get("skin_variations") or {}).items())
            for skin_key, variant in variants:
                path = files.get(variant["unified"].lower()) or files.get(variant["image"].rsplit(".", 1)[0])
                if path is not None:
                    found.append((EmojiRecord(unified=variant["unified"], tone=_tone(skin_key), **base), path))
    return tuple(found)


def load_image(path: Path) -> np.ndarray:
    """RGB uint8 [64, 64, 3]: the emoji's alpha composited on white, downscaled with a box filter when larger."""
    from PIL import Image

    with Image.open(path) as image:
        rgba = image.convert("RGBA")
        if rgba.size != (SIZE, SIZE):
            rgba = rgba.resize((SIZE, SIZE), Image.Resampling.BOX)
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))


def image_array(root: Path | None = None) -> np.ndarray:
    """All images as one uint8 [N, 64, 64, 3] array, in `records()` order, cached beside the packages as .npy."""
    root = root or cache_dir()
    items = records(root)
    cached = root / f"images{SIZE}_{len(items)}.npy"
    if cached.is_file():
        return np.load(cached, allow_pickle=False)
    images = np.stack([load_image(path) for _, path in items])
    np.save(cached, images, allow_pickle=False)
    return images


def split(heldout: bool, root: Path | None = None) -> tuple[list[EmojiRecord], np.ndarray]:
    """(records, images) of the training concepts, or of the held-out ones."""
    items = records(root)
    keep = np.array([record.heldout == heldout for record, _ in items])
    return [record for (record, _), k in zip(items, keep) if k], image_array(root)[keep]


def subcategories(root: Path | None = None) -> list[str]:
    """The 99 subcategories, in emoji.json's order (the judge's classes)."""
    return list(dict.fromkeys(record.subcategory for record, _ in records(root)))


SUBJECTS_FILE = "subjects.json"


def subject_names(items: list[EmojiRecord]) -> list[str]:
    """The names of the concepts a model saw in training, each once: what a story can ask it to draw."""
    return sorted({record.name for record in items if not record.heldout})


def write_subjects(folder: Path, names: list[str]) -> Path:
    path = Path(folder) / SUBJECTS_FILE
    path.write_text(json.dumps(names, indent=0, ensure_ascii=False), encoding="utf-8")
    return path


def main(argv: list[str]) -> None:
    if argv[:1] == ["subjects"] and len(argv) == 2:
        path = write_subjects(Path(argv[1]), subject_names([record for record, _ in records()]))
        print(f"{len(json.loads(path.read_text()))} subject names in {path}")
        return
    if argv[:1] != ["fetch"]:
        sys.exit("usage: python -m aigc_demo.data.emoji fetch | subjects <checkpoint folder>")
    root = fetch()
    items = records(root)
    print(f"{len(items)} images in {root}: " + ", ".join(
        f"{source} {sum(r.source == source for r, _ in items)}" for source in STYLES))


if __name__ == "__main__":
    main(sys.argv[1:])
