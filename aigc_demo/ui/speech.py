"""Audio tab, speech section: text to speech with offline voices (Hibari by default) and hub voices when reachable.

API: /text_to_speech(text, voice, speed); the first output is the audio.
"""
from __future__ import annotations

import time

import gradio as gr

from aigc_demo.audio import describe, to_gradio
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.pipelines.speech import SPEED_RANGE, VOICES, TextToSpeechPipeline, available_voices, default_voice
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.errors import clean_text
from aigc_demo.ui.common import clamp, examples_table, friendly_errors, run_card_panel

EXAMPLES = [
    ["It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in "
     "want of a wife.", "hibari-heart", 1.0],
    ["The quick brown fox jumps over the lazy dog. Then it runs away!", "espeak-en-us", 1.0],
    ["Good morning. This sentence is spoken a little faster than usual.", "hibari-heart", 1.3],
    ["Speech synthesis has come a long way since the nineteen sixties.", "flite-slt", 0.9],
]
def voice_choices() -> list[tuple[str, str]]:
    return [(VOICES[name].label, name) for name in available_voices()]


def read_voice(voice) -> str:
    voice = str(voice or default_voice())
    if voice not in VOICES:
        raise UserInputError(f"Unknown voice {voice[:40]!r}; choose one of: {', '.join(available_voices())}.")
    return voice


@friendly_errors
def text_to_speech(text: str, voice: str = "hibari-heart", speed: float = 1.0):
    """Speak `text`. Returns audio (rate, int16), a note with measured figures, run card, card file."""
    voice, speed = read_voice(voice), clamp(speed, *SPEED_RANGE)
    start = time.perf_counter()
    audio, rate, sentences = TextToSpeechPipeline()(clean_text(text), voice, speed)
    seconds = time.perf_counter() - start
    facts = describe(audio, rate)
    note = (f"{sentences} sentence(s), {facts['seconds']:.2f} s of audio at {rate} Hz in {seconds:.2f} s "
            f"(real-time factor {seconds / max(facts['seconds'], 1e-9):.3f}); RMS {facts['rms_dbfs']} dBFS.")
    card = run_card("text_to_speech", voice, f"{VOICES[voice].engine}:{VOICES[voice].option}", None,
                    {"voice": voice, "speed": speed, "characters": len(text or "")},
                    {"device": "cpu", "dtype": "float32"}, sentences=sentences, synthesis_seconds=round(seconds, 3),
                    audio={k: v for k, v in facts.items()})
    return to_gradio(audio, rate), note, card, write_run_card(card)


def build_speech_section() -> None:
    gr.Markdown(t("speech.intro"))
    with gr.Row():
        with gr.Column(scale=1):
            text = gr.Textbox(label=t("speech.text"), placeholder=t("speech.placeholder"), lines=4, max_length=1000,
                              elem_id="speech-text")
            voice = gr.Dropdown(voice_choices(), value=default_voice(), label=t("speech.voice"), elem_id="speech-voice")
            speed = gr.Slider(*SPEED_RANGE, value=1.0, step=0.05, label=t("speech.speed"))
            go = gr.Button(t("speech.speak"), variant="primary", elem_id="speech-speak")
        with gr.Column(scale=1):
            audio = gr.Audio(label=t("speech.audio"), type="numpy", format="wav", interactive=False,
                             buttons=["download"], elem_id="speech-audio")
            note = gr.Markdown(elem_id="speech-note")
            card, card_file = run_card_panel()
    examples_table(EXAMPLES, [text, voice, speed], ["text", "voice", "speed"], label=t("speech.examples"))
    go.click(text_to_speech, [text, voice, speed], [audio, note, card, card_file], api_name="text_to_speech",
             concurrency_id="speech", concurrency_limit=2)
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(t("how.speech"))
