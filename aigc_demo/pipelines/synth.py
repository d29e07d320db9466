"""MIDI -> audio: FluidSynth (Debian fluidsynth CLI) with a General MIDI soundfont when both are installed,
else a small additive synthesiser in numpy. Both are deterministic: the same notes give the same samples.

Soundfont: $AIGC_SOUNDFONT, else the first of SOUNDFONTS that exists (Debian timgm6mb-soundfont, GPL-2;
fluid-soundfont-gm, MIT). AIGC_MUSIC_RENDERER=builtin forces the built-in synthesiser.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from aigc_demo.pipelines.midi import Note

SAMPLE_RATE = 22050
SOUNDFONTS = ("/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
              "/usr/share/sounds/sf2/default-GM.sf2")
FLUIDSYNTH_TIMEOUT = 60  # seconds; a 64-bar piece renders in about a second
RELEASE_SECONDS = 0.6  # the built-in synthesiser's tail after the last note
# Built-in timbres by General MIDI program: harmonic amplitudes, attack and decay (seconds; decay 0 = sustained).
TIMBRES = {
    0: {"harmonics": (1.0, 0.45, 0.25, 0.12, 0.08, 0.04), "attack": 0.005, "decay": 0.9},  # piano: struck, dies away
    19: {"harmonics": (1.0, 0.6, 0.45, 0.3, 0.25, 0.15, 0.1, 0.08), "attack": 0.03, "decay": 0.0},  # church organ
    48: {"harmonics": (1.0, 0.5, 0.33, 0.25, 0.2, 0.16, 0.14), "attack": 0.12, "decay": 0.0},  # strings: sawtooth-like
    52: {"harmonics": (1.0, 0.3, 0.12, 0.05), "attack": 0.15, "decay": 0.0},  # choir: soft, few overtones
    73: {"harmonics": (1.0, 0.15, 0.05), "attack": 0.06, "decay": 0.0},  # flute: nearly a sine
}


def soundfont() -> Path | None:
    wanted = os.environ.get("AIGC_SOUNDFONT")
    candidates = [wanted] if wanted else list(SOUNDFONTS)
    return next((Path(p) for p in candidates if p and Path(p).is_file()), None)


def fluidsynth_available() -> bool:
    return (os.environ.get("AIGC_MUSIC_RENDERER", "").lower() != "builtin" and shutil.which("fluidsynth") is not None
            and soundfont() is not None)


def renderer_name() -> str:
    return f"fluidsynth ({soundfont().name})" if fluidsynth_available() else "built-in additive synthesiser"


def render_fluidsynth(midi: bytes, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The FluidSynth CLI, offline (-n no MIDI input, -i no shell, -F file): float32 mono in [-1, 1]."""
    import soundfile

    with tempfile.TemporaryDirectory(prefix="aigc-music-") as folder:
        source, target = Path(folder) / "in.mid", Path(folder) / "out.wav"
        source.write_bytes(midi)
        # Float samples (-O float): no clipping or 16-bit rounding before we set the level ourselves.
        subprocess.run(["fluidsynth", "-ni", "-q", "-O", "float", "-T", "wav", "-F", str(target),
                        "-r", str(sample_rate), str(soundfont()), str(source)],
                       check=True, capture_output=True, timeout=FLUIDSYNTH_TIMEOUT)
        audio, _ = soundfile.read(target, dtype="float32", always_2d=True)
    return normalised(audio.mean(axis=1))


def normalised(audio: np.ndarray, peak: float = 0.8) -> np.ndarray:
    """Scale to a fixed peak (FluidSynth's default gain leaves chorales near -37 dBFS)."""
    top = float(np.abs(audio).max()) if len(audio) else 0.0
    return (audio * (peak / top if top > 0 else 1.0)).astype(np.float32)


def envelope(length: int, timbre: dict, sample_rate: int) -> np.ndarray:
    """Linear attack, then either sustain (organ-like) or exponential decay (piano-like), and a short release."""
    t = np.arange(length) / sample_rate
    shape = np.minimum(1.0, t / timbre["attack"])
    if timbre["decay"]:
        shape = shape * np.exp(-t / timbre["decay"])
    release = min(length, int(0.03 * sample_rate))  # 30 ms fade so notes do not click
    shape[length - release:] *= np.linspace(1.0, 0.0, release)
    return shape


def render_builtin(notes: list[Note], seconds_per_frame: float, program: int,
                   sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Additive synthesis: each note a sum of harmonics under an envelope; float32 mono peaking at 0.8."""
    timbre = TIMBRES.get(program, TIMBRES[19])
    end = max((n.end for n in notes), default=0) * seconds_per_frame + RELEASE_SECONDS
    audio = np.zeros(int(end * sample_rate) + 1)
    for note in notes:
        start = int(note.start * seconds_per_frame * sample_rate)
        length = int((note.end - note.start) * seconds_per_frame * sample_rate)
        frequency = 440.0 * 2 ** ((note.pitch - 69) / 12)
        t = np.arange(length) / sample_rate
        tone = sum(a * np.sin(2 * np.pi * frequency * (k + 1) * t) for k, a in enumerate(timbre["harmonics"])
                   if frequency * (k + 1) < sample_rate / 2)
        audio[start:start + length] += tone * envelope(length, timbre, sample_rate)
    return normalised(audio)


def render(notes: list[Note], midi: bytes, seconds_per_frame: float, program: int,
           sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, str]:
    """(float32 mono audio, which renderer made it); FluidSynth when it is here and works, else built-in."""
    if fluidsynth_available():
        try:
            return render_fluidsynth(midi, sample_rate), renderer_name()
        except (OSError, subprocess.SubprocessError, RuntimeError):
            pass  # a broken install or soundfont: the built-in synthesiser still gives an answer
    return render_builtin(notes, seconds_per_frame, program, sample_rate), "built-in additive synthesiser"
