"""How close a rebuilt waveform is to its reference: PESQ-wb, STOI and multi-resolution STFT distance.

PESQ (ITU-T P.862.2, wide band; the pesq package) scores perceived quality from -0.5 to 4.5; STOI (pystoi)
scores intelligibility from 0 to 1; the multi-resolution STFT distance (spectral convergence plus log-magnitude
L1, averaged over three FFT sizes, as in Parallel WaveGAN's loss) is 0 for identical spectra. All at 16 kHz;
the two signals are cut to a common length first.
"""
from __future__ import annotations

import math

import numpy as np

RATE = 16000
RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))


def _common(reference: np.ndarray, degraded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(reference), len(degraded))
    return np.asarray(reference[:n], np.float64), np.asarray(degraded[:n], np.float64)


def pesq_wb(reference: np.ndarray, degraded: np.ndarray) -> float:
    """PESQ wide band, or NaN when PESQ finds no speech (silence, a click)."""
    from pesq import PesqError, pesq

    reference, degraded = _common(reference, degraded)
    try:
        return float(pesq(RATE, reference, degraded, "wb"))
    except (PesqError, ValueError):
        return math.nan


def stoi(reference: np.ndarray, degraded: np.ndarray) -> float:
    from pystoi import stoi as pystoi

    reference, degraded = _common(reference, degraded)
    return float(pystoi(reference, degraded, RATE, extended=False))


def _magnitude(audio: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    import librosa

    return np.abs(librosa.stft(audio, n_fft=n_fft, hop_length=hop, win_length=n_fft))


def mrstft_distance(reference: np.ndarray, degraded: np.ndarray) -> float:
    reference, degraded = _common(reference, degraded)
    total = 0.0
    for n_fft, hop in RESOLUTIONS:
        ref, deg = _magnitude(reference, n_fft, hop), _magnitude(degraded, n_fft, hop)
        convergence = np.linalg.norm(ref - deg) / max(np.linalg.norm(ref), 1e-8)
        log_l1 = np.mean(np.abs(np.log(ref + 1e-5) - np.log(deg + 1e-5)))
        total += convergence + log_l1
    return float(total / len(RESOLUTIONS))


def compare(reference: np.ndarray, degraded: np.ndarray) -> dict[str, float]:
    return {"pesq_wb": pesq_wb(reference, degraded), "stoi": stoi(reference, degraded),
            "mrstft": mrstft_distance(reference, degraded)}
