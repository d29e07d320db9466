"""Speech for the vocoder, synthesised offline from every engine and voice this machine has, cached as 16 kHz int16.

Text: sentences from Jane Austen's novels (public domain; aigc_demo/data/austen.py): training sentences from the
training part of each novel, evaluation sentences from the held-out end of each novel.

Voices are split by speaker, not by sentence: the held-out voices below never appear in training, so the
evaluation measures how the vocoder does on a voice it has not heard. Real human recordings for evaluation:
the four short speech clips that ship inside the gradio wheel (media_assets/audio; a few seconds each, film
quotes and a recording) and the eight spoken channel names of Debian's alsa-utils (/usr/share/sounds/alsa,
"Front Left" ...; one speaker, about 1.4 s each; GPL-2 like alsa-utils), the only real speech we found offline.
They are never used for training.

Augmentation (training voices only): resampling by a factor (0.85-1.15) shifts pitch and formants together,
like a smaller or larger speaker, without the artefacts of a phase-vocoder pitch shift; gain is randomised at
training time.

Engines' licences: hibari-tts Apache-2.0; piper GPL-3 with the joe voice CC0; espeak-ng GPL-3; flite and the
CMU Arctic voices BSD-style; festival and its voices BSD-style/free. The synthesised audio is only used here.
"""
from __future__ import annotations

import json
import os
import re
import sysconfig
from pathlib import Path

import numpy as np

from aigc_demo.checkpoints import REPO_ROOT

CACHE = Path("/work/data_cache/vocoder")  # AIGC_DATA_CACHE=<folder> puts it in <folder>/vocoder instead


def cache_dir() -> Path:
    root = os.environ.get("AIGC_DATA_CACHE")
    return Path(root) / "vocoder" if root else CACHE
SAMPLE_RATE = 16000
TRAIN_VOICES = {  # voice id in pipelines.speech (or "espeak:<variant>") -> sentences to synthesise
    "hibari-heart": 320, "festival-slt-hts": 90, "festival-kal": 60, "flite-slt": 90, "flite-awb": 90,
    "flite-kal16": 50, "espeak:en-us+m1": 40, "espeak:en-us+m2": 40, "espeak:en-us+f2": 40, "espeak:en-gb+m5": 40,
    "espeak:en-gb-x-rp+f4": 40, "espeak:en-us+klatt2": 30, "espeak:en-gb+f1": 30, "espeak:en-us": 30,
}
VALIDATION_VOICES = {"hibari-heart": 4, "flite-slt": 2, "festival-kal": 2, "espeak:en-us+m1": 2}  # unseen sentences
HELDOUT_VOICES = {"piper-joe": 10, "flite-rms": 10, "espeak:en-gb-scotland+m7": 10, "espeak:en-us+f5": 10}
PERTURB_FACTORS = (0.85, 0.92, 1.08, 1.15)
PERTURB_SHARE = 0.5  # this share of each training voice's sentences also gets one resampled copy
HUMAN_CLIPS = ("cate_blanch.mp3", "cate_blanch_2.mp3", "heath_ledger.mp3", "recording1.wav")
ALSA_SOUNDS = Path("/usr/share/sounds/alsa")  # Debian alsa-utils (packages.txt)
ALSA_WORDS = ("Front_Center", "Front_Left", "Front_Right", "Rear_Center", "Rear_Left", "Rear_Right", "Side_Left",
              "Side_Right")  # the folder's Noise.wav is not speech


def sentences(split: str, count: int, seed: int) -> list[str]:
    """`count` Austen sentences of 40-220 characters from the training or held-out part, in a seeded order."""
    from aigc_demo.data.austen import DEFAULT_RDB, train_heldout_split

    train, heldout = train_heldout_split(REPO_ROOT / DEFAULT_RDB)
    text = train if split == "train" else heldout
    found = [" ".join(s.replace("--", ", ").replace("_", "").split())
             for s in re.split(r"(?<=[.!?])\s+", text)]
    found = [s for s in found if 40 <= len(s) <= 220 and s[0].isupper()]
    order = np.random.default_rng(seed).permutation(len(found))
    return [found[i] for i in order[:count]]


def to_16k(audio: np.ndarray, rate: int, factor: float = 1.0) -> np.ndarray:
    """Resample to 16 kHz; factor > 1 also raises pitch and formants (and tempo) by that factor."""
    import librosa

    return librosa.resample(audio, orig_sr=rate, target_sr=int(round(SAMPLE_RATE / factor)), res_type="soxr_hq")


def speak(voice: str, text: str) -> tuple[np.ndarray, int]:
    from aigc_demo.pipelines import speech

    if voice.startswith("espeak:"):
        return speech.espeak_tts(text, 1.0, voice.split(":", 1)[1])
    return speech.synthesize(text, voice, 1.0)


def peak_normalise(audio: np.ndarray, peak: float = 0.95) -> np.ndarray:
    return audio * (peak / max(float(np.abs(audio).max()), 1e-6))


def synthesise_voice(voice: str, texts: list[str], seed: int, perturb: bool) -> list[np.ndarray]:
    """Each sentence at 16 kHz, peak-normalised; plus resampled copies of a share of them when `perturb`."""
    rng = np.random.default_rng(seed)
    clips = []
    for text in texts:
        audio, rate = speak(voice, text)
        clips.append(peak_normalise(to_16k(audio, rate)))
        if perturb and rng.random() < PERTURB_SHARE:
            clips.append(peak_normalise(to_16k(audio, rate, float(rng.choice(PERTURB_FACTORS)))))
    return clips


def save_clips(path: Path, clips: list[np.ndarray]) -> None:
    audio = np.concatenate(clips)
    offsets = np.cumsum([0] + [len(c) for c in clips])
    np.savez(path, audio=(np.clip(audio, -1, 1) * 32767).astype(np.int16), offsets=offsets)


def load_clips(path: Path) -> list[np.ndarray]:
    """float32 clips of one voice file."""
    data = np.load(path)
    audio = data["audio"].astype(np.float32) / 32767
    offsets = data["offsets"]
    return [audio[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


def build_corpus(cache: Path | None = None, scale: float = 1.0, log=print,
                 splits: tuple[str, ...] = ("train", "validation", "heldout")) -> Path:
    """Synthesise every voice not yet cached; returns the folder with <split>/<voice>.npz."""
    from aigc_demo.pipelines.speech import VOICES, engine_available

    cache = Path(cache or cache_dir())
    # Validation (training voices, held-out sentences) picks the best checkpoint; held-out voices only measure it.
    for split, voices, seed in (("train", TRAIN_VOICES, 0), ("validation", VALIDATION_VOICES, 2),
                                ("heldout", HELDOUT_VOICES, 1)):
        if split not in splits:
            continue
        (cache / split).mkdir(parents=True, exist_ok=True)
        texts = sentences("train" if split == "train" else "heldout", max(voices.values()) * 3, seed)
        for index, (voice, count) in enumerate(voices.items()):
            path = cache / split / f"{voice.replace(':', '_')}.npz"
            if path.exists() or (voice in VOICES and not engine_available(VOICES[voice])):
                continue
            n = max(2, int(count * scale))
            chosen = texts[index * 7 % len(texts):][:n] if split == "train" else texts[:n]
            clips = synthesise_voice(voice, chosen, seed + index, perturb=split == "train")
            save_clips(path, clips)
            log(f"{split}/{voice}: {len(clips)} clips, {sum(map(len, clips)) / SAMPLE_RATE / 60:.1f} min")
    (cache / "manifest.json").write_text(json.dumps(
        {"train": TRAIN_VOICES, "validation": VALIDATION_VOICES, "heldout": HELDOUT_VOICES, "perturb_factors": PERTURB_FACTORS}, indent=1))
    return cache


def human_clips() -> dict[str, list[np.ndarray]]:
    """{speaker: clips} of real human speech found offline, 16 kHz, peak-normalised; empty if absent. Each gradio
    clip counts as a speaker of its own (as before the alsa-utils voice was added); the alsa-utils words are one."""
    import librosa

    folder = Path(sysconfig.get_paths()["purelib"]) / "gradio" / "media_assets" / "audio"
    clips = {}
    for name in HUMAN_CLIPS:
        if (folder / name).is_file():
            audio, _ = librosa.load(folder / name, sr=SAMPLE_RATE, mono=True)
            clips[f"human:{name}"] = [peak_normalise(audio)]
    words = [ALSA_SOUNDS / f"{word}.wav" for word in ALSA_WORDS if (ALSA_SOUNDS / f"{word}.wav").is_file()]
    if words:
        clips["human:alsa-utils"] = [peak_normalise(librosa.load(path, sr=SAMPLE_RATE, mono=True)[0]) for path in words]
    return clips


def split_clips(split: str, cache: Path | None = None) -> dict[str, list[np.ndarray]]:
    return {p.stem: load_clips(p) for p in sorted((Path(cache or cache_dir()) / split).glob("*.npz"))}


def heldout_sets(cache: Path | None = None) -> dict[str, list[np.ndarray]]:
    """{voice: clips} for the held-out synthetic voices plus the human speakers."""
    sets = {f"synthetic:{name}": clips for name, clips in split_clips("heldout", cache).items()}
    sets.update(human_clips())
    return sets
