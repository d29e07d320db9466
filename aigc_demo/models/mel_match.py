"""Mel matching: pull a vocoder's waveform back onto the mel spectrogram it was asked to voice.

Why: the neural vocoder's predicted STFT is not consistent (only 70-85% of its energy survives its own
iSTFT -> STFT round trip: overlapping frames partly cancel), and on real, reverberant speech what comes out has a
raised floor in pauses and between words. That flattens each band's loudness over time, which is exactly what
STOI listens to and what PESQ hears as noise. The input mel says how much energy every band should carry in every
frame, so each pass:

    STFT of the waveform -> its mel -> log ratio of the wanted mel to it, per band and frame (clamped to
    LOG_GAIN_RANGE: at most 10x down, 2x up) -> spread over the STFT bins as the mean of the bands covering each
    bin, weighted by their mel triangles (bins below 80 Hz and above 7600 Hz, which no band covers, take their
    nearest covered bin's gain) -> scale the bins, keep their phase -> iSTFT

Only band energies move: the harmonics and the phase stay the network's. Each pass costs one STFT, one 80 x 513
matrix product and one iSTFT (about a third of the network's own time, by `python -m aigc_demo.bench audio`;
Griffin-Lim runs 32 such round trips after a least-squares mel inversion). The number of passes and the clamp were chosen on the vocoder's
validation sets (the model card and README give the measured figures with and without it).
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from aigc_demo.models.vocoder import N_FFT, mel_filters, stft

PASSES = 6
LOG_GAIN_RANGE = (-2.3, 0.7)  # natural log: x0.1 .. x2 per pass

_SPREAD: dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}


def band_to_bin_weights(device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mel filters [80, 513], triangle weights [80, 513] peaking at 1, each bin's nearest covered bin [513])."""
    key = str(device)
    if key not in _SPREAD:
        filters = mel_filters().to(device)
        weights = filters / filters.max(dim=1, keepdim=True).values
        bins = torch.arange(filters.shape[1], device=device)
        covered = bins[weights.sum(0) > 0]
        nearest = covered[(bins[:, None] - covered[None]).abs().argmin(dim=1)]
        _SPREAD[key] = (filters, weights, nearest)
    return _SPREAD[key]


def bin_log_gains(band_log_gains: torch.Tensor) -> torch.Tensor:
    """[..., 80, T] log gains per mel band -> [..., 513, T] per STFT bin (triangle-weighted mean of the covering
    bands)."""
    _, weights, nearest = band_to_bin_weights(band_log_gains.device)
    spread = (weights.T @ band_log_gains) / weights.sum(0).clamp(min=1e-8)[:, None]
    return spread[..., nearest, :]


def match_mel(audio: torch.Tensor, log10_mel: torch.Tensor, inverse_stft: Callable[[torch.Tensor], torch.Tensor],
              passes: int = PASSES) -> torch.Tensor:
    """audio [..., N] rebuilt from log10_mel [..., 80, T] -> audio whose mel is closer to it, after `passes` passes.
    `inverse_stft` turns a complex STFT [..., 513, T] back into samples (the vocoder's own, so the lengths agree).
    Differentiable, so a network can be trained through it (the vocoder trainer's --mel-match-passes)."""
    if passes == 0 or audio.shape[-1] <= N_FFT // 2:  # under 33 ms is too short for the STFT's reflect padding
        return audio
    filters, _, _ = band_to_bin_weights(audio.device)
    wanted = log10_mel.float() * math.log(10)
    for _ in range(passes):
        spectrum = stft(audio)
        frames = min(spectrum.shape[-1], wanted.shape[-1])
        spectrum = spectrum[..., :frames]
        magnitude = torch.sqrt(spectrum.real ** 2 + spectrum.imag ** 2 + 1e-12)  # |z| with a gradient at 0
        have = torch.log(torch.clamp(filters @ magnitude, min=1e-10))
        band_gains = (wanted[..., :frames] - have).clamp(*LOG_GAIN_RANGE)
        audio = inverse_stft(spectrum * torch.exp(bin_log_gains(band_gains)))
    return audio
