"""Real recorded human speech for training the vocoder, from two Debian packages of KDE's educational games.

- klettres-data (GPL-2+): letters and syllables spoken by native speakers, /usr/share/klettres/<language>/
  {alpha,syllab}/*.ogg, about 50 minutes in some twenty languages.
- ktuberling-data (GPL-2+): the names of the stamps ("eyes", "hat" ...), /usr/share/ktuberling/sounds/
  <language>/*.ogg, about 23 minutes in some twenty languages.

Each (package, language) counts as one speaker. A few of them are kept out of training to choose checkpoints by
(VALIDATION_SPEAKERS); the held-out human recordings of the evaluation (gradio's clips and alsa-utils' words,
aigc_demo/data/speech.py) come from neither package. Install for training only:
`apt-get install klettres-data ktuberling-data` (the app and the tests do not need them).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from aigc_demo.data.speech import load_clips, peak_normalise, save_clips, split_clips, to_16k

PACKAGES = {"klettres": ("usr/share/klettres", "*/*/*.ogg"), "ktuberling": ("usr/share/ktuberling/sounds", "*/*.ogg")}
LICENSE = "GPL-2+ (Debian klettres-data and ktuberling-data, KDE)"
VALIDATION_SPEAKERS = ("klettres:it", "klettres:nl", "ktuberling:de")
SILENCE_DB = 40  # trimmed from both ends of a clip: the words are short and the files pad them with silence
MAX_CLIPS = 200  # per speaker, so that one language (klettres' Malayalam has 521 syllables) does not dominate
MAX_RATE = 48000  # a few files' headers claim 128 kHz for seconds-long letters: skipped as unreliable


def find_speakers(prefix: Path = Path("/")) -> dict[str, list[Path]]:
    """{"package:language": sorted .ogg files} under `prefix` (the file system root, or where the .deb files were
    unpacked)."""
    speakers: dict[str, list[Path]] = {}
    for package, (folder, pattern) in PACKAGES.items():
        root = prefix / folder
        for path in sorted(root.glob(pattern)) if root.is_dir() else []:
            language = path.relative_to(root).parts[0]
            if "@" not in language:  # sr@latin and the like repeat sr's recordings
                speakers.setdefault(f"{package}:{language}", []).append(path)
    return {speaker: paths[:MAX_CLIPS] for speaker, paths in speakers.items()}


def read_clip(path: Path) -> np.ndarray | None:
    """One recording at 16 kHz mono, silence trimmed, peak-normalised; None if it is unreadable or silent."""
    import librosa
    import soundfile

    try:
        audio, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError):
        return None
    if rate > MAX_RATE:
        return None
    audio = librosa.effects.trim(audio.mean(axis=1), top_db=SILENCE_DB)[0]
    if len(audio) < rate // 10 or not np.abs(audio).max() > 0:
        return None
    return peak_normalise(to_16k(audio, rate)).astype(np.float32)


def build(cache: Path, prefix: Path = Path("/"), log=print) -> dict[str, int]:
    """Cache every speaker once as cache/recorded_{train,validation}/<speaker>.npz; {split: clips} found."""
    counts = {"train": 0, "validation": 0}
    for speaker, paths in find_speakers(prefix).items():
        split = "validation" if speaker in VALIDATION_SPEAKERS else "train"
        target = cache / f"recorded_{split}" / f"{speaker.replace(':', '_')}.npz"
        if not target.exists():
            clips = [clip for clip in map(read_clip, paths) if clip is not None]
            if not clips:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            save_clips(target, clips)
            log(f"recorded speech: {speaker}, {len(clips)} clips")
        counts[split] += len(load_clips(target))
    return counts


def recorded_clips(cache: Path, split: str) -> dict[str, list[np.ndarray]]:
    """{speaker: clips} of one split, as build() cached them (the synthetic corpus' cache layout)."""
    return split_clips(f"recorded_{split}", cache)
