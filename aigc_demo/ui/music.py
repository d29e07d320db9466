"""Audio tab, music section: chorales from the LSTM trained here; audio, MIDI download, piano roll, run card.

API: /generate_music(seed, temperature, length, instrument, metre, tempo); the first output is the audio.
"""
from __future__ import annotations

import time

import gradio as gr
import numpy as np

from aigc_demo.checkpoints import checkpoints_dir, intact
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.pipelines.music import DEFAULT_MODEL, INSTRUMENTS, MusicPipeline, cached_music_model
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.seeding import resolve_seed, torch_generator
from aigc_demo.tempfiles import new_output_path
from aigc_demo.ui.common import (clamp, examples_table, friendly_errors, how_it_works, run_card_panel, seed_controls,
                                 seed_used_box, wire_seed_buttons)

# (low, high) of each number; the API clamps to these, the sliders cannot leave them.
TEMPERATURE_RANGE = (0.1, 2.0)
BARS_RANGE = (1, 64)  # 64 bars at 80 bpm is over three minutes; sampling it takes a few seconds on a CPU
TEMPO_RANGE = (40, 160)
METRES = ("4/4", "3/4")
EXAMPLES = [[0, 1.0, 8, "church organ"], [7, 0.8, 16, "choir aahs"], [42, 1.2, 8, "string ensemble"],
            [2026, 0.9, 4, "acoustic grand piano"]]


def clamped(name: str, value, bounds: tuple, cast) -> tuple:
    """(value inside bounds, a sentence saying what changed or '')."""
    used = clamp(value, *bounds, cast=cast)
    try:
        changed = float(value) != used
    except (TypeError, ValueError):
        changed = True
    note = f"{name} {value} is outside {bounds[0]} to {bounds[1]}; used {used}." if changed else ""
    return used, note


def read_settings(temperature, length, instrument, metre, tempo) -> tuple[dict, list[str]]:
    if instrument not in INSTRUMENTS:
        raise UserInputError(f"Pick an instrument from {', '.join(INSTRUMENTS)}; '{str(instrument)[:40]}' is not one.")
    if metre not in METRES:
        raise UserInputError(f"Pick a metre from {', '.join(METRES)}; '{str(metre)[:20]}' is not one.")
    temperature, note_t = clamped("Temperature", temperature, TEMPERATURE_RANGE, float)
    bars, note_b = clamped("Length", length, BARS_RANGE, lambda v: int(round(float(v))))
    bpm, note_bpm = clamped("Tempo", tempo, TEMPO_RANGE, float)
    settings = {"temperature": round(temperature, 4), "bars": bars, "instrument": instrument,
                "program": INSTRUMENTS[instrument], "metre": metre, "tempo_bpm": bpm}
    return settings, [n for n in (note_t, note_b, note_bpm) if n]


def midi_download(midi: bytes, seed: int) -> str:
    path = new_output_path(f"chorale-seed{seed}-", ".mid")
    path.write_bytes(midi)
    return str(path)


@friendly_errors
def generate_music(seed: float = -1, temperature: float = 1.0, length: float = 8, instrument: str = "church organ",
                   metre: str = "4/4", tempo: float = 80):
    """A chorale of `length` bars. Returns audio, MIDI file, piano roll, note, seed used, run card, card file."""
    settings, notes = read_settings(temperature, length, instrument, metre, tempo)
    for note in notes:
        gr.Warning(note)
    seed = resolve_seed(seed)
    start = time.perf_counter()
    result = MusicPipeline(cached_music_model())(settings["bars"], settings["temperature"], torch_generator(seed),
                                                 metre, settings["program"], settings["tempo_bpm"])
    summary = (f"{len(result.notes)} notes, {result.duration:.1f} s, rendered by {result.renderer}; "
               f"sampling {result.seconds['sampling']:.2f} s, rendering {result.seconds['rendering']:.2f} s.")
    card = run_card("generate_music", DEFAULT_MODEL, f"checkpoints/{DEFAULT_MODEL}", seed, settings,
                    {"device": "cpu", "dtype": "float32"}, renderer=result.renderer, notes=len(result.notes),
                    audio_seconds=round(result.duration, 2), seconds=round(time.perf_counter() - start, 2),
                    sampling_seconds=round(result.seconds["sampling"], 3),
                    rendering_seconds=round(result.seconds["rendering"], 3))
    audio = (result.sample_rate, np.round(result.audio * 32767).astype(np.int16))  # what the WAV holds
    return (audio, midi_download(result.midi, seed), result.piano_roll, " ".join(notes + [summary]), seed, card,
            write_run_card(card))


def build_music_section() -> None:
    if not intact(checkpoints_dir() / DEFAULT_MODEL):
        gr.Markdown(t("music.missing"))
        return
    gr.Markdown(t("music.intro"))
    with gr.Row():
        with gr.Column(scale=1):
            seed, randomize, reuse = seed_controls()
            temperature = gr.Slider(*TEMPERATURE_RANGE, value=1.0, step=0.05, label=t("music.temperature"))
            length = gr.Slider(*BARS_RANGE, value=8, step=1, label=t("music.length"))
            instrument = gr.Dropdown(list(INSTRUMENTS), value="church organ", label=t("music.instrument"))
            with gr.Row():
                metre = gr.Radio(list(METRES), value="4/4", label=t("music.metre"))
                tempo = gr.Slider(*TEMPO_RANGE, value=80, step=1, label=t("music.tempo"))
            go = gr.Button(t("music.generate"), variant="primary", elem_id="music-generate")
        with gr.Column(scale=2):
            audio = gr.Audio(label=t("music.audio"), type="numpy", format="wav", interactive=False,
                             elem_id="music-audio")
            roll = gr.Image(label=t("music.piano_roll"), type="pil", format="png", interactive=False,
                            elem_id="music-roll")
            midi = gr.File(label=t("music.midi"), elem_id="music-midi")
            note = gr.Markdown(elem_id="music-note")
            seed_used = seed_used_box()
            card, card_file = run_card_panel()
    examples_table(EXAMPLES, [seed, temperature, length, instrument], ["seed", "temperature", "bars", "instrument"],
                   label=t("music.examples"))
    go.click(generate_music, [seed, temperature, length, instrument, metre, tempo],
             [audio, midi, roll, note, seed_used, card, card_file], api_name="generate_music",
             concurrency_id="music", concurrency_limit=2)
    wire_seed_buttons(seed, randomize, reuse, seed_used)
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(how_it_works([DEFAULT_MODEL]))
        gr.Markdown(t("music.how_extra"))
