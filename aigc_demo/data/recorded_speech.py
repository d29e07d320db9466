"""Real recorded human speech for training the vocoder, from Debian packages of free games.

- klettres-data (GPL-2+): letters and syllables spoken by native speakers, /usr/share/klettres/<language>/
  {alpha,syllab}/*.ogg, about 50 minutes in some twenty languages.
- ktuberling-data (GPL-2+): the names of the stamps ("eyes", "hat" ...), /usr/share/ktuberling/sounds/
  <language>/*.ogg, about 23 minutes in some twenty languages.
- fillets-ng-data, -cs, -nl (GPL-2): the spoken dialogue of Fish Fillets NG, whole sentences acted by voice
  actors, /usr/share/games/fillets-ng/sound/<level>/<language>/<level>-<character>-<line>.ogg, about 200
  minutes in Czech and Dutch (6 in English), of which 400 lines per speaker (about 120 minutes) are used. The
  only recorded sentences we found in Debian's archive; the other packages hold words.

A speaker is (package, language), and for the fish game (package, language, character): the two fish carry most
lines in each language. A few speakers are kept out of training to choose checkpoints by (VALIDATION_SPEAKERS);
the held-out human recordings of the evaluation (gradio's clips and alsa-utils' words, aigc_demo/data/speech.py)
come from none of these packages. Install for training only: `apt-get install klettres-data ktuberling-data
fillets-ng-data fillets-ng-data-cs fillets-ng-data-nl` (the app and the tests do not need them).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from aigc_demo.data.speech import load_clips, peak_normalise, save_clips, split_clips, to_16k

LICENSE = "GPL-2+ (Debian klettres-data and ktuberling-data, KDE); GPL-2 (Debian fillets-ng-data, -cs, -nl)"
VALIDATION_SPEAKERS = ("klettres:it", "klettres:nl", "ktuberling:de", "fillets:cs:hs")
SILENCE_DB = 40  # trimmed from both ends of a clip: the words are short and the files pad them with silence
MAX_RATE = 48000  # a few files' headers claim 128 kHz for seconds-long letters: skipped as unreliable


def language_folder(path: Path, root: Path) -> str | None:
    """klettres and ktuberling: the first folder under the root is the language (sr@latin and the like repeat
    sr's recordings: None)."""
    language = path.relative_to(root).parts[0]
    return None if "@" in language else language


def fish_character(path: Path, root: Path) -> str | None:
    """Fish Fillets: <level>/<language>/<level>-<character>-<line>.ogg, or <character>-<line>.ogg in a few levels;
    folders that are not a two-letter language (music, sound effects) are not speech (None)."""
    language = path.parent.name
    if len(language) != 2 or not language.isalpha():
        return None
    parts = path.stem.split("-")
    character = parts[1] if len(parts) >= 3 else parts[0] if len(parts) == 2 else "other"
    return f"{language}:{character}"


# package -> (folder under the prefix, glob, speaker within the package, clips per speaker at most: so that one
# language or character does not dominate; klettres' Malayalam has 521 syllables, each fish 650 lines)
PACKAGES = {"klettres": ("usr/share/klettres", "*/*/*.ogg", language_folder, 200),
            "ktuberling": ("usr/share/ktuberling/sounds", "*/*.ogg", language_folder, 200),
            "fillets": ("usr/share/games/fillets-ng/sound", "**/*.ogg", fish_character, 400)}


def find_speakers(prefix: Path = Path("/")) -> dict[str, list[Path]]:
    """{"package:speaker": sorted .ogg files} under `prefix` (the file system root, or where the .deb files were
    unpacked)."""
    found: dict[str, list[Path]] = {}
    for package, (folder, pattern, speaker_of, most) in PACKAGES.items():
        root = prefix / folder
        speakers: dict[str, list[Path]] = {}
        for path in sorted(root.glob(pattern)) if root.is_dir() else []:
            speaker = speaker_of(path, root)
            if speaker is not None:
                speakers.setdefault(f"{package}:{speaker}", []).append(path)
        found.update({speaker: paths[:most] for speaker, paths in speakers.items()})
    return found


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
