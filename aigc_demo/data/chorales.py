"""J. S. Bach's four-part chorales from the music21 corpus, encoded as an eighth-note grid of SATB tokens.

Source: music21's bundled corpus (`music21.corpus.chorales.Iterator()`, 371 chorales, the Riemenschneider
numbering). music21 is BSD-3; the corpus files are "public domain or licensed for use" (music21's
corpus/license.txt); Bach's chorales themselves are public domain.

Encoding (the BachBot / DeepBach family of time-step grids, at eighth-note resolution):
    each eighth-note frame holds one token per voice, Soprano, Alto, Tenor, Bass, in that order;
    a token is REST, HOLD (the voice's previous note goes on sounding) or a new note at a MIDI pitch.
    A chorale becomes an int array [frames, 4]. Sixteenth notes fall between frames: a note that starts
    off the grid is sounded from the next frame (passing notes are lost, harmony is kept).
Only chorales with exactly four voices in 4/4 or 3/4 are kept. Every frame also knows its place in the
bar (`beat_index`), so a model can learn metre. A fixed tenth of the chorales (every tenth in corpus
order) is held out. The encoding is cached in /work/data_cache (or $AIGC_DATA_CACHE).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BOS, REST, HOLD = 0, 1, 2  # BOS starts every sequence, before the first frame's soprano token
LOWEST_PITCH, HIGHEST_PITCH = 28, 91  # MIDI E1..G6: the chorales' range (about C2..A5) plus room to transpose
PITCH_OFFSET = 3 - LOWEST_PITCH  # token = MIDI pitch + PITCH_OFFSET
VOCAB_SIZE = HIGHEST_PITCH + PITCH_OFFSET + 1
VOICES = ("soprano", "alto", "tenor", "bass")
FRAMES_PER_QUARTER = 2  # eighth-note grid
METRES = {"4/4": 0, "3/4": 8}  # a metre's first beat index; 4/4 bars use indices 0..7, 3/4 bars 8..13
BEAT_INDICES = 14
HELD_OUT_EVERY = 10  # chorales 0, 10, 20, ... (corpus order) are the held-out split
CACHE_NAME = "chorales_v1.npz"
SOURCE = ("J. S. Bach's four-part chorales, music21 corpus (music21 10.x, BSD-3; the corpus files are public "
          "domain or licensed for use; Bach's music is public domain), read by aigc_demo/data/chorales.py")


@dataclass
class Chorale:
    name: str
    tokens: np.ndarray  # int16 [frames, 4] SATB tokens
    metre: str  # "4/4" or "3/4"
    pickup_frames: int  # frames before the first full bar (the anacrusis)


def pitch_token(midi: int) -> int:
    return int(midi) + PITCH_OFFSET


def token_pitch(token: int) -> int | None:
    """MIDI pitch of a note token, None for BOS, REST and HOLD."""
    return int(token) - PITCH_OFFSET if token > HOLD else None


def frames_per_bar(metre: str) -> int:
    return int(metre.split("/")[0]) * FRAMES_PER_QUARTER


def beat_index(frame: int, metre: str, pickup_frames: int = 0) -> int:
    """Index of the frame's place in its bar, distinct per metre (what a model's beat embedding looks up)."""
    per_bar = frames_per_bar(metre)
    return METRES[metre] + (frame - pickup_frames) % per_bar


def cache_dir() -> Path:
    return Path(os.environ.get("AIGC_DATA_CACHE", "/work/data_cache"))


def encode_part(part, frames: int) -> np.ndarray:
    """One voice as tokens [frames]: its sounding note (or rest) at each frame's start."""
    tokens = np.full(frames, REST, dtype=np.int16)
    previous = None
    for element in part.flatten().notesAndRests:
        start, end = float(element.offset), float(element.offset + element.quarterLength)
        first, last = int(np.ceil(start * FRAMES_PER_QUARTER - 1e-6)), int(np.ceil(end * FRAMES_PER_QUARTER - 1e-6))
        if first >= last or first >= frames:
            continue  # shorter than the grid between two frames (a sixteenth passing note)
        if element.isRest:
            tokens[first:last] = REST
            previous = None
            continue
        midi = max(p.midi for p in element.pitches)  # the rare divisi chord: keep its top note
        tied = element.tie is not None and element.tie.type in ("stop", "continue") and previous == midi
        tokens[first] = HOLD if tied else pitch_token(min(max(midi, LOWEST_PITCH), HIGHEST_PITCH))
        tokens[first + 1:last] = HOLD
        previous = midi
    return tokens


def encode_score(score) -> Chorale | None:
    """A parsed chorale as a Chorale, or None when it is not a four-voice 4/4 or 3/4 chorale."""
    if len(score.parts) != 4:
        return None
    signatures = score.parts[0].recurse().getElementsByClass("TimeSignature")
    metre = signatures[0].ratioString if signatures else None
    if metre not in METRES or any(s.ratioString != metre for s in signatures):
        return None
    first_measure = score.parts[0].getElementsByClass("Measure")[0]
    pad = float(first_measure.paddingLeft or 0.0)
    per_bar = frames_per_bar(metre)
    pickup = (per_bar - int(round(pad * FRAMES_PER_QUARTER))) % per_bar if pad else 0
    frames = int(np.ceil(float(score.highestTime) * FRAMES_PER_QUARTER))
    tokens = np.stack([encode_part(part, frames) for part in score.parts], axis=1)
    name = score.metadata.title if score.metadata and score.metadata.title else "chorale"
    return Chorale(name=str(name), tokens=tokens, metre=metre, pickup_frames=pickup)


def parse_corpus() -> list[Chorale]:
    """Every usable chorale in corpus order (about a minute of music21 parsing)."""
    import music21

    chorales = []
    for score in music21.corpus.chorales.Iterator():
        chorale = encode_score(score)
        if chorale is not None:
            chorales.append(chorale)
    return chorales


def save_cache(chorales: list[Chorale], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, tokens=np.concatenate([c.tokens for c in chorales]),
        lengths=np.array([len(c.tokens) for c in chorales]), metres=np.array([c.metre for c in chorales]),
        pickups=np.array([c.pickup_frames for c in chorales]), names=np.array([c.name for c in chorales]))


def read_cache(path: Path) -> list[Chorale]:
    with np.load(path, allow_pickle=False) as data:
        splits = np.cumsum(data["lengths"])[:-1]
        return [Chorale(str(name), tokens, str(metre), int(pickup)) for tokens, name, metre, pickup in
                zip(np.split(data["tokens"], splits), data["names"], data["metres"], data["pickups"])]


def load(split: str = "train", cache: Path | None = None) -> list[Chorale]:
    """The chorales of one split ("train", "heldout" or "all"), parsing the corpus once and caching it."""
    path = (cache or cache_dir()) / CACHE_NAME
    if not path.is_file():
        save_cache(parse_corpus(), path)
    chorales = read_cache(path)
    if split == "all":
        return chorales
    held_out = split == "heldout"
    return [c for i, c in enumerate(chorales) if (i % HELD_OUT_EVERY == 0) == held_out]


def transposition_range(tokens: np.ndarray) -> tuple[int, int]:
    """The semitone shifts (lowest, highest) that keep every note of `tokens` inside the vocabulary."""
    pitches = tokens[tokens > HOLD].astype(int) - PITCH_OFFSET
    if len(pitches) == 0:
        return 0, 0
    return LOWEST_PITCH - int(pitches.min()), HIGHEST_PITCH - int(pitches.max())


def transpose(tokens: np.ndarray, semitones: int) -> np.ndarray:
    """Shift every note token by `semitones` (REST and HOLD stay); callers keep it inside the range."""
    shifted = tokens.copy()
    shifted[tokens > HOLD] += semitones
    return shifted
