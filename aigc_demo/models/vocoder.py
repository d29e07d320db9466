"""A Vocos-style neural vocoder (Siuzdak 2023, arXiv:2306.00814): log-mel frames in, waveform out.

The mel front end is SpeechT5's (microsoft/speecht5_hifigan): 16 kHz audio, 1024-point STFT (Hann window
of 1024, periodic), hop 256, centred with reflect padding, magnitude (not power) spectrum, 80 Slaney mel
bands from 80 to 7600 Hz, log10 with a floor of 1e-10. Because the features match, the public SpeechT5
HiFi-GAN is a drop-in alternative to this model, and Griffin-Lim inverts exactly the same features.

Instead of upsampling convolutions (HiFi-GAN), the network stays at the frame rate and predicts each
frame's STFT, which torch.istft turns into samples:

    log-mel [B, 80, T] -> 7-tap conv -> [B, dim, T] -> LayerNorm -> N ConvNeXt blocks -> LayerNorm
    -> linear -> [B, T, n_fft + 2] = log-magnitude (513) and phase angle (513) per frame
    -> complex STFT [B, 513, T] -> istft(n_fft 1024, hop 256) -> audio [B, 256 * (T - 1)]

One forward pass costs a few matrix products per 16 ms frame, so it runs far faster than real time on a CPU.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

SAMPLE_RATE = 16000
N_FFT = 1024
HOP = 256
N_MELS = 80
F_MIN, F_MAX = 80.0, 7600.0
MEL_FLOOR = 1e-10




def mel_filters() -> torch.Tensor:
    """[80, 513] Slaney-normalised mel filter bank, the same matrix transformers' SpeechT5 feature extractor uses."""
    import librosa

    bank = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=F_MIN, fmax=F_MAX, htk=False,
                               norm="slaney")
    return torch.from_numpy(bank.astype(np.float32))


_FILTERS: dict[str, torch.Tensor] = {}


def stft(audio: torch.Tensor, n_fft: int = N_FFT, hop: int = HOP) -> torch.Tensor:
    """Complex STFT [..., n_fft // 2 + 1, frames]: periodic Hann window of n_fft, centred with reflect padding
    (the front end's analysis; the training losses use it at other sizes too)."""
    window = torch.hann_window(n_fft, periodic=True, device=audio.device)
    return torch.stft(audio, n_fft, hop, n_fft, window, center=True, pad_mode="reflect", return_complex=True)


def log_mel(audio: torch.Tensor) -> torch.Tensor:
    """audio [B, N] (16 kHz, in [-1, 1]) -> log10 mel [B, 80, 1 + N // 256]."""
    key = str(audio.device)
    if key not in _FILTERS:
        _FILTERS[key] = mel_filters().to(audio.device)
    return torch.log10(torch.clamp(_FILTERS[key] @ stft(audio).abs(), min=MEL_FLOOR))


@dataclass
class VocoderConfig:
    n_mels: int = N_MELS
    dim: int = 256
    intermediate: int = 768
    layers: int = 6
    kernel: int = 7
    n_fft: int = N_FFT
    hop: int = HOP
    sample_rate: int = SAMPLE_RATE
    input_floor: float = -7.0  # log10 mel below this carries no audible signal; clamping keeps digital silence
    # (log10 1e-10 = -10) from dominating the first layer's input range


class ConvNeXtBlock(nn.Module):
    """Depthwise conv over time, LayerNorm, pointwise MLP, layer scale, residual (ConvNeXt, 1-D)."""

    def __init__(self, dim: int, intermediate: int, kernel: int, layer_scale: float):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel, padding=kernel // 2, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, intermediate)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(intermediate, dim)
        self.gamma = nn.Parameter(layer_scale * torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [B, dim, T]
        residual = x
        x = self.dwconv(x).transpose(1, 2)  # [B, T, dim]
        x = self.pwconv2(self.act(self.pwconv1(self.norm(x))))
        return residual + (self.gamma * x).transpose(1, 2)


class VocosVocoder(nn.Module, PyTorchModelHubMixin, library_name="aigc-studio", tags=["vocoder", "aigc-studio"]):
    def __init__(self, n_mels: int = N_MELS, dim: int = 256, intermediate: int = 768, layers: int = 6,
                 kernel: int = 7, n_fft: int = N_FFT, hop: int = HOP, sample_rate: int = SAMPLE_RATE,
                 input_floor: float = -7.0):
        super().__init__()
        self.config = VocoderConfig(n_mels, dim, intermediate, layers, kernel, n_fft, hop, sample_rate, input_floor)
        self.embed = nn.Conv1d(n_mels, dim, kernel, padding=kernel // 2)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.blocks = nn.ModuleList(ConvNeXtBlock(dim, intermediate, kernel, 1.0 / layers) for _ in range(layers))
        self.final_norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, n_fft + 2)
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def spectrum(self, mel: torch.Tensor) -> torch.Tensor:
        """log-mel [B, 80, T] -> complex STFT [B, n_fft // 2 + 1, T]."""
        x = self.embed(mel.clamp(min=self.config.input_floor))
        x = self.norm(x.transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        x = self.head(self.final_norm(x.transpose(1, 2))).transpose(1, 2)  # [B, n_fft + 2, T]
        log_magnitude, phase = x.float().chunk(2, dim=1)
        magnitude = torch.exp(log_magnitude).clamp(max=1e2)  # Vocos' cap: keeps early training from blowing up
        return torch.polar(magnitude, phase)

    def waveform(self, spec: torch.Tensor, length: int | None = None) -> torch.Tensor:
        """complex STFT [B, n_fft // 2 + 1, T] (this model's or any other) -> audio, by the model's own istft."""
        return torch.istft(spec, self.config.n_fft, self.config.hop, self.config.n_fft, self.window.float(),
                           center=True, length=length)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """log-mel [B, 80, T] -> audio [B, hop * (T - 1)]."""
        return self.waveform(self.spectrum(mel))

    def settings(self) -> dict:
        return asdict(self.config)
