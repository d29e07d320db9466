"""python -m aigc_demo.bench.music: real-time factor of chorale generation (seconds of work per second of music).

For 8 and 32 bars (4/4, 80 bpm, church organ, temperature 1.0, seed 0): the median of --repeats runs after one
warm-up, split into sampling the notes (the LSTM) and rendering them to audio (FluidSynth when installed, and
the built-in synthesiser). RTF below 1 means faster than real time. `music_rows()` gives the rows to other
benchmarks (`python -m aigc_demo.bench audio` includes them).
"""
from __future__ import annotations

import os
import sys

from aigc_demo.bench.timing import bench_parser, median_seconds, use_threads
from aigc_demo.data import chorales
from aigc_demo.pipelines import synth
from aigc_demo.pipelines.midi import grid_notes, midi_bytes
from aigc_demo.pipelines.music import INSTRUMENTS, cached_music_model, sample_grid
from aigc_demo.seeding import torch_generator

BARS = (8, 32)
BPM = 80.0
PROGRAM = INSTRUMENTS["church organ"]


def renderers() -> dict[str, str | None]:
    """Renderer label -> the AIGC_MUSIC_RENDERER value that selects it."""
    found = {"built-in synthesiser": "builtin"}
    if synth.fluidsynth_available():
        found = {synth.renderer_name(): None, **found}
    return found


def render_seconds(notes, midi: bytes, choice: str | None, repeats: int) -> tuple[float, float]:
    """(median seconds to render, seconds of audio) with the renderer that `choice` selects."""
    previous = os.environ.pop("AIGC_MUSIC_RENDERER", None)
    if choice:
        os.environ["AIGC_MUSIC_RENDERER"] = choice
    try:
        seconds_per_frame = 60.0 / BPM / chorales.FRAMES_PER_QUARTER
        audio, _ = synth.render(notes, midi, seconds_per_frame, PROGRAM)
        return median_seconds(lambda: synth.render(notes, midi, seconds_per_frame, PROGRAM), repeats), \
            len(audio) / synth.SAMPLE_RATE
    finally:
        os.environ.pop("AIGC_MUSIC_RENDERER", None)
        if previous is not None:
            os.environ["AIGC_MUSIC_RENDERER"] = previous


def music_rows(repeats: int = 3, bars: tuple[int, ...] = BARS) -> list[dict]:
    """One row per (stage, length): {"task", "seconds", "audio_seconds", "rtf"}; RTF = seconds / audio_seconds."""
    model = cached_music_model()
    rows = []
    for count in bars:
        music_seconds = count * 4 * 60 / BPM
        sampling = median_seconds(lambda: sample_grid(model, count, 1.0, torch_generator(0)), repeats)
        rows.append({"task": f"music: sampling {count} bars (LSTM)", "seconds": sampling,
                     "audio_seconds": music_seconds, "rtf": sampling / music_seconds})
        notes = grid_notes(sample_grid(model, count, 1.0, torch_generator(0)))
        midi = midi_bytes(notes, PROGRAM, BPM)
        for label, choice in renderers().items():
            seconds, audio_seconds = render_seconds(notes, midi, choice, repeats)
            rows.append({"task": f"music: rendering {count} bars ({label})", "seconds": seconds,
                         "audio_seconds": audio_seconds, "rtf": seconds / audio_seconds})
    return rows


def main(argv: list[str]) -> None:
    parser = bench_parser("music", __doc__)
    args = parser.parse_args(argv)
    machine = use_threads(args.threads)
    print(machine + f"; median of {args.repeats} runs after a warm-up")
    print("| task | seconds | audio seconds | real-time factor |\n|---|---:|---:|---:|")
    for row in music_rows(args.repeats):
        print(f"| {row['task']} | {row['seconds']:.3f} | {row['audio_seconds']:.1f} | {row['rtf']:.4f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
