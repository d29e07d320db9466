"""Chorale generation: sample the SATB grid from ChoraleLSTM, then MIDI, piano roll and rendered audio.

    pipe = MusicPipeline(load_music_model("checkpoints/music-bach"))
    result = pipe(bars=8, temperature=0.9, generator=torch_generator(0), program=19)
    result.audio, result.sample_rate, result.midi, result.piano_roll

The model runs on the CPU in float32 whatever the host has: sampling feeds one token at a time to a
1M-parameter LSTM, where a GPU's per-call overhead costs more than it saves.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aigc_demo.checkpoints import checkpoints_dir, load_pretrained
from aigc_demo.data import chorales
from aigc_demo.pipelines import synth
from aigc_demo.pipelines.midi import Note, grid_notes, midi_bytes
from aigc_demo.registry import registry

DEFAULT_MODEL = "music-bach"
# General MIDI programs offered (the soundfont's number minus one).
INSTRUMENTS = {"church organ": 19, "choir aahs": 52, "string ensemble": 48, "acoustic grand piano": 0, "flute": 73}
VOICE_COLOURS = ("#d62728", "#2ca02c", "#1f77b4", "#9467bd")


@dataclass
class MusicResult:
    frames: np.ndarray  # int [F, 4] SATB tokens
    notes: list[Note]
    midi: bytes
    audio: np.ndarray  # float32 mono
    sample_rate: int
    renderer: str
    piano_roll: Image.Image
    seconds: dict = field(default_factory=dict)  # time spent sampling and rendering

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sample_rate


def load_music_model(folder: str | Path):
    from aigc_demo.models.music import ChoraleLSTM

    model = load_pretrained(ChoraleLSTM, folder, "music", "train it with `python -m aigc_demo.train music`.")
    return model.float().eval()


def cached_music_model(name: str = DEFAULT_MODEL):
    folder = checkpoints_dir() / name
    return registry.get(("music", str(folder)), lambda: load_music_model(folder))


def allowed_tokens(previous: int | None, vocab_size: int) -> torch.Tensor:
    """Mask [vocab] of tokens that may come next in one voice: never BOS; HOLD only while a note sounds."""
    mask = torch.ones(vocab_size, dtype=torch.bool)
    mask[chorales.BOS] = False
    if previous is None or previous == chorales.REST:
        mask[chorales.HOLD] = False
    return mask


@torch.no_grad()
def sample_grid(model, bars: int, temperature: float, generator: torch.Generator, metre: str = "4/4") -> np.ndarray:
    """Frames [bars * frames_per_bar, 4], one token at a time, carrying the LSTM state (constant cost per token)."""
    n_frames = bars * chorales.frames_per_bar(metre)
    frames = np.zeros((n_frames, 4), dtype=np.int64)
    token, state = chorales.BOS, None
    for frame in range(n_frames):
        beat = chorales.beat_index(frame, metre)
        for voice in range(4):
            logits, state = model.step(token, voice, beat, state)
            previous = int(frames[frame - 1, voice]) if frame else None
            logits = logits.float() / temperature
            logits[~allowed_tokens(previous, logits.numel())] = -float("inf")
            token = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=generator))
            frames[frame, voice] = token
    return frames


def piano_roll(notes: list[Note], n_frames: int, frames_per_bar: int) -> Image.Image:
    """Notes as coloured bars (soprano red, alto green, tenor blue, bass purple) over pitch and time, bar lines dotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.6), dpi=90)
    for note in notes:
        ax.add_patch(plt.Rectangle((note.start / frames_per_bar, note.pitch - 0.4), (note.end - note.start) /
                                   frames_per_bar, 0.8, color=VOICE_COLOURS[note.voice]))
    pitches = [n.pitch for n in notes] or [60]
    ax.set_xlim(0, max(1, n_frames / frames_per_bar))
    ax.set_ylim(min(pitches) - 2, max(pitches) + 2)
    octaves = [p for p in range(24, 108, 12) if min(pitches) - 2 <= p <= max(pitches) + 2]
    ax.set_yticks(octaves, [f"C{p // 12 - 1}" for p in octaves])
    for bar in range(int(n_frames / frames_per_bar) + 1):
        ax.axvline(bar, color="#999", lw=0.5, ls=":")
    ax.set_xlabel("bar")  # no legend: the tab's label names the colours, and Gradio's buttons cover the corners
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return Image.open(buffer).convert("RGB")


class MusicPipeline:
    def __init__(self, model):
        self.model = model

    def __call__(self, bars: int = 8, temperature: float = 1.0, generator: torch.Generator | None = None,
                 metre: str = "4/4", program: int = 19, bpm: float = 80.0) -> MusicResult:
        # 1. sample the token grid
        start = time.perf_counter()
        frames = sample_grid(self.model, bars, temperature, generator or torch.Generator(), metre)
        sampled = time.perf_counter()
        # 2. notes, and the MIDI file they make
        notes = grid_notes(frames)
        beats_per_bar = chorales.frames_per_bar(metre) // chorales.FRAMES_PER_QUARTER
        midi = midi_bytes(notes, program, bpm, beats_per_bar)
        # 3. audio: FluidSynth with a GM soundfont, else the built-in synthesiser
        seconds_per_frame = 60.0 / bpm / chorales.FRAMES_PER_QUARTER
        audio, renderer = synth.render(notes, midi, seconds_per_frame, program)
        rendered = time.perf_counter()
        roll = piano_roll(notes, len(frames), chorales.frames_per_bar(metre))
        return MusicResult(frames, notes, midi, audio, synth.SAMPLE_RATE, renderer, roll,
                           {"sampling": sampled - start, "rendering": rendered - sampled})
