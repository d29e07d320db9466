"""Statistics that compare generated chorales with Bach's: key-relative pitch-class, melodic-interval and
vertical-interval histograms, their total-variation distance, and a check that rendered audio holds the
pitches its MIDI asks for.

Pitch classes are counted relative to each piece's key (Krumhansl-Kessler key finding on duration-weighted
pitch classes), because the corpus and the samples are in many keys: an absolute histogram would mostly
measure which keys occur, not whether a piece stays in one.
"""
from __future__ import annotations

import numpy as np

from aigc_demo.pipelines.midi import Note, grid_notes

# Krumhansl & Kessler (1982) key profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAX_LEAP = 12  # melodic intervals beyond an octave share the end bins


def pitch_class_durations(notes: list[Note]) -> np.ndarray:
    """[12] total duration (frames) of each pitch class."""
    histogram = np.zeros(12)
    for note in notes:
        histogram[note.pitch % 12] += note.end - note.start
    return histogram


def key_of(histogram: np.ndarray) -> tuple[int, str]:
    """(tonic pitch class, 'major' or 'minor') whose profile correlates best with the histogram."""
    best = max(((np.corrcoef(histogram, np.roll(profile, tonic))[0, 1], tonic, mode)
                for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)) for tonic in range(12)),
               key=lambda candidate: candidate[0] if np.isfinite(candidate[0]) else -2)
    return best[1], best[2]


def key_relative_pitch_classes(notes: list[Note]) -> np.ndarray:
    """[12] duration-weighted pitch classes counted from the piece's tonic (index 0 = tonic)."""
    histogram = pitch_class_durations(notes)
    if not histogram.any():
        return histogram
    tonic, _ = key_of(histogram)
    return np.roll(histogram, -tonic)


def melodic_intervals(notes: list[Note]) -> np.ndarray:
    """[2 * MAX_LEAP + 1] counts of the step from each note to the next in the same voice, -12..+12 semitones."""
    histogram = np.zeros(2 * MAX_LEAP + 1)
    for voice in range(4):
        pitches = [n.pitch for n in sorted(notes, key=lambda n: n.start) if n.voice == voice]
        for leap in np.clip(np.diff(pitches), -MAX_LEAP, MAX_LEAP):
            histogram[int(leap) + MAX_LEAP] += 1
    return histogram


def sounding_pitches(frames: np.ndarray) -> np.ndarray:
    """[F, 4] MIDI pitch sounding in each voice at each frame (0 = silent)."""
    sounding = np.zeros(frames.shape, dtype=int)
    for note in grid_notes(frames):
        sounding[note.start:note.end, note.voice] = note.pitch
    return sounding


def vertical_intervals(frames: np.ndarray) -> np.ndarray:
    """[12] interval classes between every pair of sounding voices, frame by frame (harmony)."""
    sounding = sounding_pitches(frames)
    histogram = np.zeros(12)
    for upper in range(4):
        for lower in range(upper + 1, 4):
            both = (sounding[:, upper] > 0) & (sounding[:, lower] > 0)
            np.add.at(histogram, np.abs(sounding[both, upper] - sounding[both, lower]) % 12, 1)
    return histogram


def histograms(pieces: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Normalised histograms of a set of token grids [F, 4]."""
    totals = {"pitch_class": np.zeros(12), "melodic_interval": np.zeros(2 * MAX_LEAP + 1),
              "vertical_interval": np.zeros(12)}
    for frames in pieces:
        notes = grid_notes(frames)
        totals["pitch_class"] += key_relative_pitch_classes(notes)
        totals["melodic_interval"] += melodic_intervals(notes)
        totals["vertical_interval"] += vertical_intervals(frames)
    return {name: h / max(h.sum(), 1e-12) for name, h in totals.items()}


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Half the L1 distance between two distributions: 0 identical, 1 disjoint."""
    return float(0.5 * np.abs(p - q).sum())


def distances(pieces: list[np.ndarray], reference: dict[str, np.ndarray]) -> dict[str, float]:
    ours = histograms(pieces)
    return {f"{name}_tv": round(total_variation(ours[name], reference[name]), 4) for name in reference}


def audio_pitch_check(audio: np.ndarray, sample_rate: int, notes: list[Note]) -> dict:
    """Does the audio sound the MIDI's pitches? Correlation of its chroma (summed over time) with the notes'
    duration-weighted pitch classes, beside its duration and loudness."""
    import librosa

    chroma = librosa.feature.chroma_stft(y=audio.astype(np.float32), sr=sample_rate, n_fft=4096,
                                         hop_length=1024, tuning=0.0).sum(axis=1)
    expected = pitch_class_durations(notes)
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    return {"duration_seconds": round(len(audio) / sample_rate, 2),
            "rms_dbfs": round(float(20 * np.log10(max(rms, 1e-9))), 1),
            "chroma_correlation": round(float(np.corrcoef(chroma, expected)[0, 1]), 3)}


def parallel_perfect_rate(frames: np.ndarray) -> tuple[int, int]:
    """(parallel fifths and octaves, voice pairs that both moved), counted frame to frame over every pair of
    voices: both move the same way and stand a perfect fifth or octave (or unison) apart before and after."""
    sounding = sounding_pitches(frames)
    parallels = moves = 0
    for upper in range(4):
        for lower in range(upper + 1, 4):
            a, b = sounding[:, upper], sounding[:, lower]
            both = (a[:-1] > 0) & (b[:-1] > 0) & (a[1:] > 0) & (b[1:] > 0) & (a[1:] != a[:-1]) & (b[1:] != b[:-1])
            same_way = np.sign(a[1:] - a[:-1]) == np.sign(b[1:] - b[:-1])
            before, after = np.abs(a[:-1] - b[:-1]) % 12, np.abs(a[1:] - b[1:]) % 12
            perfect = ((before == 7) & (after == 7)) | ((before == 0) & (after == 0))
            moves += int(both.sum())
            parallels += int((both & same_way & perfect).sum())
    return parallels, moves


def parallels_per_100_moves(pieces: list[np.ndarray]) -> float:
    counts = np.array([parallel_perfect_rate(frames) for frames in pieces]).sum(axis=0)
    return round(100 * counts[0] / max(1, counts[1]), 2)


def major_share(pieces: list[np.ndarray]) -> float:
    """Share of pieces whose Krumhansl-Kessler key is major."""
    modes = [key_of(pitch_class_durations(grid_notes(frames)))[1] for frames in pieces]
    return round(sum(mode == "major" for mode in modes) / max(1, len(modes)), 3)
