"""Mel spectrogram to waveform: Griffin-Lim, the neural vocoder trained here, or SpeechT5's HiFi-GAN from the hub.

"neural" is the network trained here followed by a few mel-matching passes (aigc_demo/models/mel_match.py), which
pull its output's band energies back onto the input mel; "neural-raw" is the network's output alone, for the lab.

All three read the same features (SpeechT5's log10 80-band mel at 16 kHz, computed by
aigc_demo.models.vocoder.log_mel), so they can be compared on exactly the same input. Voice conversion edits
those features before vocoding: the log-mel spectrum of each frame is split into a smooth envelope (the first
cepstral coefficients along the mel axis: formants) and the rest (harmonics: pitch); each part is stretched
along frequency by its own factor, so pitch can move with formants kept, or formants with pitch kept.
"""
from __future__ import annotations

import time

import numpy as np
import torch

from aigc_demo.checkpoints import checkpoints_dir, intact, load_pretrained
from aigc_demo.errors import ModelUnavailableError, UserInputError
from aigc_demo.hub import load_hub_model
from aigc_demo.models.mel_match import PASSES as MEL_MATCH_PASSES, match_mel
from aigc_demo.models.vocoder import F_MAX, F_MIN, HOP, N_FFT, N_MELS, SAMPLE_RATE, VocosVocoder, log_mel
from aigc_demo.registry import registry

GRIFFIN_LIM_ITERATIONS = 32
HUB_VOCODERS = {"speecht5-hifigan": "microsoft/speecht5_hifigan"}
NEURAL_VOCODERS = {"neural": MEL_MATCH_PASSES, "neural-raw": 0}  # name -> mel-matching passes
VOCODERS = ("griffin-lim", *NEURAL_VOCODERS, *HUB_VOCODERS)
ENVELOPE_COEFFICIENTS = 12  # cepstral coefficients (along the 80 mel bands) that make the formant envelope
SHIFT_RANGE = (-12.0, 12.0)  # semitones


def mel_spectrogram(audio: np.ndarray) -> np.ndarray:
    """16 kHz float audio -> log10 mel [80, frames] (SpeechT5's features)."""
    return log_mel(torch.from_numpy(np.ascontiguousarray(audio, np.float32))[None])[0].numpy()


def fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    """Trim or zero-pad to `length` samples (vocoders return whole hops)."""
    audio = np.asarray(audio, np.float32)
    return audio[:length] if len(audio) >= length else np.pad(audio, (0, length - len(audio)))


def least_squares_magnitude(mel: np.ndarray) -> np.ndarray:
    """Librosa's mel inversion (non-negative least squares): log10 mel [80, T] -> linear magnitude [513, T]."""
    import librosa

    return librosa.feature.inverse.mel_to_stft(10.0 ** mel, sr=SAMPLE_RATE, n_fft=N_FFT, power=1.0,
                                               fmin=F_MIN, fmax=F_MAX, htk=False, norm="slaney")


def griffin_lim_from_mel(mel: np.ndarray, length: int | None = None) -> np.ndarray:
    """Librosa's mel inversion (non-negative least squares) then 32 Griffin-Lim iterations, seeded."""
    import librosa

    return librosa.griffinlim(least_squares_magnitude(mel), n_iter=GRIFFIN_LIM_ITERATIONS, hop_length=HOP,
                              win_length=N_FFT, center=True, length=length, random_state=0).astype(np.float32)


def griffin_lim(audio: np.ndarray) -> np.ndarray:
    return griffin_lim_from_mel(mel_spectrogram(audio), len(audio))


@torch.no_grad()
def neural_from_mel(model: VocosVocoder, mel: np.ndarray, passes: int = MEL_MATCH_PASSES) -> np.ndarray:
    """The network's waveform, then `passes` mel-matching passes (aigc_demo/models/mel_match.py; 0: the network's
    output as it is)."""
    features = torch.from_numpy(mel).float()
    audio = model(features[None])[0]
    return match_mel(audio, features, lambda spectrum: model.waveform(spectrum[None])[0], passes).numpy()


def neural_vocode(model: VocosVocoder, audio: np.ndarray, passes: int = MEL_MATCH_PASSES) -> np.ndarray:
    return fit_length(neural_from_mel(model, mel_spectrogram(audio), passes), len(audio))


def load_neural(name: str = "vocoder") -> VocosVocoder:
    """The bundled vocoder (fp16 on disk, run in float32), cached in the registry."""
    folder = checkpoints_dir() / name

    def load() -> VocosVocoder:
        if not intact(folder):
            raise ModelUnavailableError("The neural vocoder checkpoint is missing or damaged; train it with "
                                        "`python -m aigc_demo.train vocoder`, or pick griffin-lim.")
        return load_pretrained(VocosVocoder, folder, name, "pick griffin-lim.").float().eval()

    return registry.get(("vocoder", str(folder)), load)


def load_hub_vocoder(name: str):
    def load():
        from transformers import SpeechT5HifiGan

        return load_hub_model(lambda **kw: SpeechT5HifiGan.from_pretrained(HUB_VOCODERS[name], **kw).eval(),
                              HUB_VOCODERS[name], "neural or griffin-lim")

    return registry.get(("hub-vocoder", name), load)


@torch.no_grad()
def hub_from_mel(name: str, mel: np.ndarray) -> np.ndarray:
    # SpeechT5HifiGan takes [frames, 80] log10 mel (it applies its own stored normalisation).
    return load_hub_vocoder(name)(torch.from_numpy(mel.T).float()).numpy()


def mel_band_frequencies() -> np.ndarray:
    import librosa

    return librosa.mel_frequencies(N_MELS + 2, fmin=F_MIN, fmax=F_MAX, htk=False)[1:-1]


def stretch_bands(part: np.ndarray, factor: float) -> np.ndarray:
    """Move every frame's spectrum up (factor > 1) or down along frequency, in Hz, by resampling the bands."""
    if abs(factor - 1.0) < 1e-6:
        return part
    freqs = mel_band_frequencies()
    return np.stack([np.interp(freqs / factor, freqs, frame) for frame in part.T], axis=1)


def convert_voice(mel: np.ndarray, pitch_semitones: float, formant_semitones: float) -> np.ndarray:
    """Shift harmonics (pitch) and the smooth envelope (formants) of a log-mel spectrogram independently."""
    from scipy.fft import dct, idct

    cepstrum = dct(mel, axis=0, norm="ortho")
    cepstrum[ENVELOPE_COEFFICIENTS:] = 0
    envelope = idct(cepstrum, axis=0, norm="ortho")
    fine = mel - envelope
    return (stretch_bands(envelope, 2 ** (formant_semitones / 12))
            + stretch_bands(fine, 2 ** (pitch_semitones / 12))).astype(np.float32)


class VocoderPipeline:
    """16 kHz audio -> (mel it was rebuilt from, rebuilt audio, seconds the vocoder took)."""

    def __call__(self, audio: np.ndarray, vocoder: str = "neural", pitch_semitones: float = 0.0,
                 formant_semitones: float = 0.0) -> tuple[np.ndarray, np.ndarray, float]:
        if vocoder not in VOCODERS:
            raise UserInputError(f"Unknown vocoder {vocoder!r}; choose one of: {', '.join(VOCODERS)}.")
        # 1. features, edited when converting the voice
        mel = mel_spectrogram(audio)
        if pitch_semitones or formant_semitones:
            mel = convert_voice(mel, pitch_semitones, formant_semitones)
        # 2. the model loads outside the timing (first use only), so the time is the vocoder's own
        model = load_neural() if vocoder in NEURAL_VOCODERS else None
        if vocoder in HUB_VOCODERS:
            load_hub_vocoder(vocoder)
        start = time.perf_counter()
        if vocoder == "griffin-lim":
            rebuilt = griffin_lim_from_mel(mel, len(audio))
        elif vocoder in NEURAL_VOCODERS:
            rebuilt = neural_from_mel(model, mel, NEURAL_VOCODERS[vocoder])
        else:
            rebuilt = hub_from_mel(vocoder, mel)
        seconds = time.perf_counter() - start
        # 3. same length as the input; clipped, since a vocoder may overshoot full scale slightly
        return mel, np.clip(fit_length(rebuilt, len(audio)), -1.0, 1.0), seconds
