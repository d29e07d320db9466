"""Audio coming in from users (uploads, microphone, the API) made safe for models; audio going back out.

Anything in: a file path (WAV, FLAC, OGG, MP3, ... through soundfile, then ffmpeg via librosa), or a
(sample rate, array) pair as gr.Audio(type="numpy") gives it: int16, int32, uint8 or float; mono or any
number of channels (either axis). Out of `read_user_audio`: float32 mono in [-1, 1] at the rate asked for,
cut to a length limit (with a note saying so). Too short, empty, silent, corrupt or non-audio input gets a
UserInputError with one sentence saying what to do.

Reusable by every tab that takes audio (speech, vocoder lab, music, multimodal).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aigc_demo.errors import UserInputError

MAX_SECONDS = 60.0
MIN_SECONDS = 0.1
SILENCE_PEAK = 10 ** (-60 / 20)  # below -60 dBFS peak there is nothing to hear or to rebuild
FORMATS_HINT = "upload a WAV, FLAC, OGG or MP3 file, or record with the microphone"


@dataclass
class UserAudio:
    audio: np.ndarray  # float32 mono, [-1, 1]
    rate: int
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return len(self.audio) / self.rate


def _decode_file(path: str | Path) -> tuple[int, np.ndarray]:
    """(rate, float32 [samples, channels]); soundfile first (exact, fast), ffmpeg via librosa for the rest."""
    import soundfile

    try:
        audio, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        return int(rate), audio
    except Exception:  # not a format libsndfile knows: try ffmpeg
        pass
    try:
        import librosa

        audio, rate = librosa.load(str(path), sr=None, mono=False)
        return int(rate), np.atleast_2d(audio).T
    except Exception as error:
        raise UserInputError(f"That file could not be read as audio; {FORMATS_HINT}.") from error


def to_float(data: np.ndarray) -> np.ndarray:
    """Integer PCM scaled by its type's full scale; floats kept, unless they are PCM values stored as floats."""
    data = np.asarray(data)
    if data.dtype.kind == "u":
        full_scale = 2 ** (8 * data.dtype.itemsize - 1)
        return (data.astype(np.float64) - full_scale) / full_scale
    if data.dtype.kind == "i":
        return data.astype(np.float64) / 2 ** (8 * data.dtype.itemsize - 1)
    if data.dtype.kind != "f":
        raise UserInputError(f"Audio samples must be numbers; {FORMATS_HINT}.")
    data = np.nan_to_num(data.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(np.abs(data).max()) if data.size else 0.0
    return data / peak if peak > 1.0 else data  # e.g. int16 values handed over as floats


def to_mono(data: np.ndarray) -> np.ndarray:
    """Average the channels; the channel axis is the short one (gradio gives [samples, channels])."""
    if data.ndim == 1:
        return data
    if data.ndim != 2:
        raise UserInputError(f"Audio must be one or more channels of samples; {FORMATS_HINT}.")
    return data.mean(axis=1 if data.shape[0] >= data.shape[1] else 0)


def resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return audio.astype(np.float32)
    import librosa

    return librosa.resample(audio.astype(np.float32), orig_sr=rate, target_sr=target, res_type="soxr_hq")


def read_user_audio(source, rate: int = 16000, max_seconds: float = MAX_SECONDS,
                    allow_silence: bool = False) -> UserAudio:
    """Any user audio -> UserAudio at `rate`; refuses what cannot be used, trims what is too long."""
    if source is None:
        raise UserInputError(f"No audio given; {FORMATS_HINT}.")
    if isinstance(source, (str, Path)):
        source_rate, data = _decode_file(source)
    elif isinstance(source, (tuple, list)) and len(source) == 2:
        source_rate, data = int(source[0]), np.asarray(source[1])
    else:
        raise UserInputError(f"Unrecognised audio input; {FORMATS_HINT}.")
    if source_rate <= 0:
        raise UserInputError("The audio's sample rate must be a positive number.")
    audio, notes = to_mono(to_float(data)), []
    if len(audio) < MIN_SECONDS * source_rate:
        raise UserInputError(f"The clip is {len(audio) / source_rate:.2f} s long; give at least {MIN_SECONDS} s.")
    if len(audio) > max_seconds * source_rate:
        notes.append(f"The clip was {len(audio) / source_rate:.1f} s long; only its first {max_seconds:.0f} s are used.")
        audio = audio[:int(max_seconds * source_rate)]
    if not allow_silence and float(np.abs(audio).max()) < SILENCE_PEAK:
        raise UserInputError("The clip is silent (quieter than -60 dBFS); record or upload some sound.")
    if source_rate != rate:
        notes.append(f"Resampled from {source_rate} Hz to {rate} Hz.")
    return UserAudio(np.clip(resample(audio, source_rate, rate), -1.0, 1.0), rate, notes)


def to_gradio(audio: np.ndarray, rate: int) -> tuple[int, np.ndarray]:
    """(rate, int16 samples) for gr.Audio: exact, and gradio then does no lossy conversion of its own."""
    return int(rate), (np.clip(np.nan_to_num(audio), -1.0, 1.0) * 32767).astype(np.int16)


def describe(audio: np.ndarray, rate: int) -> dict:
    """Measured facts about a clip (duration, RMS and peak in dBFS), for run cards and tests."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0
    peak = float(np.abs(audio).max()) if len(audio) else 0.0
    return {"seconds": round(len(audio) / rate, 3), "sample_rate": int(rate),
            "rms_dbfs": round(float(20 * np.log10(max(rms, 1e-10))), 1),
            "peak_dbfs": round(float(20 * np.log10(max(peak, 1e-10))), 1)}
