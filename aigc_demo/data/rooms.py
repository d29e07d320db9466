"""Simulated rooms and background noise for speech: what separates a real recording from clean synthetic speech.

Every voice the vocoder trains on is synthesised, so it is dry and silent between words; real recordings carry a
room's reverberation and some hiss or hum. A vocoder that has only heard dry speech rebuilds reverberant speech
poorly (on held-out synthetic voices passed through a room of RT60 0.6 s, the step-76500 model lost PESQ-wb while
Griffin-Lim, which knows nothing of speech, did not; an ad-hoc check, figures in the session notes). So training
windows are passed, with some probability, through a random room and given random coloured noise:

  room: an impulse response of a direct path plus an exponentially decaying Gaussian tail (the standard
        statistical model of late reverberation, Polack 1988), RT60 0.1-0.8 s, direct-to-reverberant ratio
        -3..12 dB; the speech before the window reverberates into it, as it would in a room;
  noise: Gaussian noise with a spectral slope between white (0) and brown (-6 dB per octave), at an SNR of
        15-45 dB against the window.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from aigc_demo.data.speech import SAMPLE_RATE

RT60_SECONDS = (0.1, 0.8)
DIRECT_TO_REVERBERANT_DB = (-3.0, 12.0)
SNR_DB = (15.0, 45.0)
SLOPE_DB_PER_OCTAVE = (-6.0, 0.0)
LONGEST_RESPONSE = int(RT60_SECONDS[1] * SAMPLE_RATE)  # samples of context a window needs before it


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio ** 2)))


def room_impulse(rng: np.random.Generator) -> np.ndarray:
    """A random room's impulse response: 1 at t = 0, then a decaying noise tail (-60 dB at RT60)."""
    rt60 = rng.uniform(*RT60_SECONDS)
    t = np.arange(1, int(rt60 * SAMPLE_RATE)) / SAMPLE_RATE
    tail = rng.normal(size=len(t)) * 10 ** (-3 * t / rt60)
    tail *= 10 ** (-rng.uniform(*DIRECT_TO_REVERBERANT_DB) / 20) / max(np.linalg.norm(tail), 1e-9)
    return np.concatenate([[1.0], tail])


def coloured_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS Gaussian noise whose spectrum falls by a random 0-6 dB per octave."""
    spectrum = np.fft.rfft(rng.normal(size=length))
    frequencies = np.maximum(np.fft.rfftfreq(length, 1 / SAMPLE_RATE), 20.0)
    spectrum *= (frequencies / 1000.0) ** (rng.uniform(*SLOPE_DB_PER_OCTAVE) / (20 * np.log10(2)))
    noise = np.fft.irfft(spectrum, length)
    return noise / max(rms(noise), 1e-9)


def reverberate(audio: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """The last `length` samples of `audio` heard through a random room (what came before rings into them),
    at the dry signal's RMS."""
    wet = fftconvolve(audio, room_impulse(rng))[len(audio) - length:len(audio)]
    return wet * rms(audio[-length:]) / max(rms(wet), 1e-9)


def add_noise(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return audio + coloured_noise(len(audio), rng) * rms(audio) * 10 ** (-rng.uniform(*SNR_DB) / 20)


def as_recorded(audio: np.ndarray, length: int, rng: np.random.Generator, probability: float = 1.0) -> np.ndarray:
    """The last `length` samples of `audio`, through a random room with `probability` and with random noise
    with `probability` (independently), as float32."""
    out = reverberate(audio, length, rng) if rng.random() < probability else audio[-length:]
    if rng.random() < probability:
        out = add_noise(out, rng)
    return out.astype(np.float32)
