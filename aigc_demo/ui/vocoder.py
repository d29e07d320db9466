"""Audio tab, vocoder lab: speech -> mel spectrogram -> Griffin-Lim and the neural vocoder side by side, scored;
voice conversion (pitch / formant shift) through the mel path.

API: /vocode(audio, vocoder, pitch_shift, formant_shift); the first output is the audio.
"""
from __future__ import annotations

import io

import gradio as gr
import numpy as np

from aigc_demo.audio import describe, read_user_audio, to_gradio
from aigc_demo.audio_metrics import compare
from aigc_demo.checkpoints import REPO_ROOT, checkpoints_dir, intact
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.i18n import t
from aigc_demo.models.vocoder import SAMPLE_RATE
from aigc_demo.pipelines.speech import TextToSpeechPipeline, default_voice
from aigc_demo.pipelines.vocoder import NEURAL_VOCODERS, SHIFT_RANGE, VOCODERS, VocoderPipeline
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.tempfiles import new_output_path
from aigc_demo.errors import clean_text
from aigc_demo.ui.common import clamp, friendly_errors, how_it_works, run_card_panel
from aigc_demo.ui.speech import read_voice, voice_choices

EXAMPLES_DIR = REPO_ROOT / "assets" / "vocoder_examples"
SCORE_COLUMNS = ["vocoder", "PESQ-wb", "STOI", "MR-STFT distance", "seconds", "real-time factor"]


def mel_picture(mel: np.ndarray):
    """The log-mel spectrogram as a PNG-ready PIL image (time across, frequency up)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    fig, ax = plt.subplots(figsize=(8, 2.6), dpi=100)
    seconds = mel.shape[1] * 256 / SAMPLE_RATE
    image = ax.imshow(np.maximum(mel, mel.max() - 8), origin="lower", aspect="auto", cmap="magma",
                      extent=(0, seconds, 0, mel.shape[0]))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mel band")
    fig.colorbar(image, ax=ax, label="log10 magnitude")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return Image.open(buffer).convert("RGB")


def read_vocoder(vocoder) -> str:
    vocoder = str(vocoder or "neural")
    if vocoder not in VOCODERS:
        raise UserInputError(f"Unknown vocoder {vocoder[:40]!r}; choose one of: {', '.join(VOCODERS)}.")
    return vocoder


def shifts(pitch_shift, formant_shift) -> dict:
    return {"pitch_semitones": clamp(pitch_shift, *SHIFT_RANGE), "formant_semitones": clamp(formant_shift, *SHIFT_RANGE)}


@friendly_errors
def vocode(audio: str, vocoder: str = "neural", pitch_shift: float = 0.0, formant_shift: float = 0.0):
    """Rebuild (and optionally convert) speech with one vocoder. Returns audio, mel picture, note, card, card file."""
    vocoder, settings = read_vocoder(vocoder), shifts(pitch_shift, formant_shift)
    clip = read_user_audio(audio, SAMPLE_RATE)
    mel, rebuilt, seconds = VocoderPipeline()(clip.audio, vocoder, **settings)
    facts = describe(rebuilt, SAMPLE_RATE)
    results = {"vocoder_seconds": round(seconds, 3), "real_time_factor": round(seconds / clip.seconds, 4),
               "audio": facts}
    if not (settings["pitch_semitones"] or settings["formant_semitones"]):  # scores only mean something unchanged
        results.update({k: round(v, 3) for k, v in compare(clip.audio, rebuilt).items()})
    note = " ".join(clip.notes + [f"{vocoder}: {facts['seconds']:.2f} s rebuilt in {seconds:.3f} s."])
    passes = {"mel_match_passes": NEURAL_VOCODERS[vocoder]} if vocoder in NEURAL_VOCODERS else {}
    card = run_card("vocode", vocoder, checkpoint_of(vocoder), 0, {"vocoder": vocoder, **settings, **passes},
                    {"device": "cpu", "dtype": "float32"}, **results)
    return to_gradio(rebuilt, SAMPLE_RATE), mel_picture(mel), note, card, write_run_card(card)


def checkpoint_of(vocoder: str) -> str:
    return {"neural": "checkpoints/vocoder", "neural-raw": "checkpoints/vocoder",
            "griffin-lim": "librosa"}.get(vocoder, "microsoft/speecht5_hifigan")


@friendly_errors
def compare_vocoders(audio: str):
    """Griffin-Lim and the neural vocoder on the same mel: mel picture, both audios, a score table (with the
    network's output before mel matching as a third row, scored only), note."""
    clip = read_user_audio(audio, SAMPLE_RATE)
    outputs, rows, notes = {"griffin-lim": None, "neural": None, "neural-raw": None}, [], list(clip.notes)
    for vocoder in outputs:
        try:
            mel, rebuilt, seconds = VocoderPipeline()(clip.audio, vocoder)
        except ModelUnavailableError as error:  # no neural checkpoint: still show Griffin-Lim
            if str(error) not in notes:
                notes.append(str(error))
            continue
        scores = compare(clip.audio, rebuilt)
        outputs[vocoder] = to_gradio(rebuilt, SAMPLE_RATE)
        rows.append([vocoder, round(scores["pesq_wb"], 3), round(scores["stoi"], 3), round(scores["mrstft"], 3),
                     round(seconds, 3), round(seconds / clip.seconds, 4)])
    notes.append(f"{clip.seconds:.2f} s of speech at 16 kHz.")
    return mel_picture(mel), outputs["griffin-lim"], outputs["neural"], rows, " ".join(notes)


@friendly_errors
def speak_into_lab(text: str, voice: str):
    """The TTS output as the lab's input (a WAV file path for the input player)."""
    import soundfile

    audio, rate, _ = TextToSpeechPipeline()(clean_text(text), read_voice(voice), 1.0)
    path = new_output_path("tts-", ".wav")
    soundfile.write(path, audio, rate)
    return str(path)


def examples() -> list[list[str]]:
    return [[str(p)] for p in sorted(EXAMPLES_DIR.glob("*.wav"))]


def build_vocoder_section() -> None:
    gr.Markdown(t("vocoder.intro"))
    with gr.Row():
        with gr.Column(scale=1):
            source = gr.Audio(label=t("vocoder.input"), sources=["upload", "microphone"], type="filepath",
                              elem_id="vocoder-input")
            with gr.Accordion(t("vocoder.from_text"), open=False):
                tts_text = gr.Textbox(label=t("vocoder.tts_text"), lines=2, max_length=1000,
                                      value="The vocoder rebuilds this sentence from its mel spectrogram.")
                tts_voice = gr.Dropdown(voice_choices(), value=default_voice(), label=t("vocoder.tts_voice"))
                tts_go = gr.Button(t("vocoder.tts_go"), size="sm")
            go = gr.Button(t("vocoder.compare"), variant="primary", elem_id="vocoder-compare")
            if examples():
                gr.Examples(examples(), [source], label=t("vocoder.examples"))
        with gr.Column(scale=2):
            mel = gr.Image(label=t("vocoder.mel"), type="pil", format="png", interactive=False, elem_id="vocoder-mel")
            with gr.Row():
                griffin = gr.Audio(label=t("vocoder.griffin_lim"), type="numpy", format="wav", interactive=False,
                                   elem_id="vocoder-griffin-lim")
                neural = gr.Audio(label=t("vocoder.neural"), type="numpy", format="wav", interactive=False,
                                  elem_id="vocoder-neural")
            scores = gr.Dataframe(headers=SCORE_COLUMNS, label=t("vocoder.scores"), interactive=False,
                                  elem_id="vocoder-scores")
            note = gr.Markdown(elem_id="vocoder-note")
    gr.Markdown(t("vocoder.convert_heading"))
    with gr.Row():
        with gr.Column(scale=1):
            vocoder = gr.Dropdown(list(VOCODERS), value="neural", label=t("vocoder.vocoder"))
            pitch = gr.Slider(*SHIFT_RANGE, value=0.0, step=0.5, label=t("vocoder.pitch"))
            formant = gr.Slider(*SHIFT_RANGE, value=0.0, step=0.5, label=t("vocoder.formant"))
            convert = gr.Button(t("vocoder.convert"), elem_id="vocoder-convert")
        with gr.Column(scale=2):
            converted = gr.Audio(label=t("vocoder.converted"), type="numpy", format="wav", interactive=False,
                                 elem_id="vocoder-converted")
            converted_mel = gr.Image(label=t("vocoder.mel"), type="pil", format="png", interactive=False)
            converted_note = gr.Markdown()
            card, card_file = run_card_panel()
    tts_go.click(speak_into_lab, [tts_text, tts_voice], source, api_visibility="undocumented")
    go.click(compare_vocoders, source, [mel, griffin, neural, scores, note], api_name="compare_vocoders",
             concurrency_id="vocoder", concurrency_limit=2)
    convert.click(vocode, [source, vocoder, pitch, formant], [converted, converted_mel, converted_note, card, card_file],
                  api_name="vocode", concurrency_id="vocoder", concurrency_limit=2)
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(how_it_works(["vocoder"] if intact(checkpoints_dir() / "vocoder") else [], "how.vocoder"))
