"""Discriminators for the vocoder's adversarial training (used only while training; never bundled).

The reconstruction losses (multi-resolution STFT, mel, APNet's phase terms) teach the vocoder the right
magnitudes, but its phases stay only roughly right: with the true phase put back, its magnitudes score far
better than Griffin-Lim, with its own phase they score worse. A critic that looks at the waveform itself judges
whether the frames join up as real speech does, which is what the phase decides:

    MultiPeriodDiscriminator (HiFi-GAN, Kong et al. 2020): the waveform folded into [T / p, p] for periods
        2, 3, 5, 7, 11, so each 2-D conv column sees every p-th sample (periodic structure of voiced speech).

Vocos (Siuzdak 2023) pairs it with UnivNet's multi-resolution discriminator (2-D convs over magnitude
spectrograms). That one is left out: it sees magnitudes only, which are already good, and on this CPU one of
its three sub-critics took 1.1 s per forward and backward pass on a batch against 0.04-0.15 s for a period
critic. The period critic is slimmed too (HiFi-GAN: 32-1024 channels; here 16-128). Each sub-critic returns
(logits, feature maps): the feature maps feed the feature-matching loss.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

PERIODS = (2, 3, 5, 7, 11)
PERIOD_CHANNELS = (16, 32, 64, 128)
SLOPE = 0.1  # leaky ReLU slope, HiFi-GAN's


class PeriodCritic(nn.Module):
    def __init__(self, period: int):
        super().__init__()
        self.period = period
        widths = (1, *PERIOD_CHANNELS)
        self.convs = nn.ModuleList(
            weight_norm(nn.Conv2d(widths[i], widths[i + 1], (5, 1), (3, 1), padding=(2, 0)))
            for i in range(len(PERIOD_CHANNELS)))
        self.convs.append(weight_norm(nn.Conv2d(widths[-1], widths[-1], (5, 1), 1, padding=(2, 0))))
        self.post = weight_norm(nn.Conv2d(widths[-1], 1, (3, 1), 1, padding=(1, 0)))

    def forward(self, audio: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:  # audio [B, N]
        pad = (-audio.shape[-1]) % self.period
        x = F.pad(audio, (0, pad), mode="reflect")
        x = x.view(x.shape[0], 1, -1, self.period)
        features = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), SLOPE)
            features.append(x)
        x = self.post(x)
        features.append(x)
        return x.flatten(1), features


class VocoderCritics(nn.Module):
    """One period critic per period; forward returns one (logits, features) pair per sub-critic."""

    def __init__(self, periods: tuple[int, ...] = PERIODS):
        super().__init__()
        self.critics = nn.ModuleList(PeriodCritic(p) for p in periods)

    def forward(self, audio: torch.Tensor) -> list[tuple[torch.Tensor, list[torch.Tensor]]]:
        return [critic(audio) for critic in self.critics]


# --- losses (hinge, as Vocos; each averaged over the sub-critics so the weights read the same at any count) --


def critic_loss(real: list, fake: list) -> torch.Tensor:
    terms = [F.relu(1 - r_logits).mean() + F.relu(1 + f_logits).mean()
             for (r_logits, _), (f_logits, _) in zip(real, fake)]
    return sum(terms) / len(terms)


def generator_adversarial_loss(fake: list) -> torch.Tensor:
    return sum(F.relu(1 - logits).mean() for logits, _ in fake) / len(fake)


def feature_matching_loss(real: list, fake: list) -> torch.Tensor:
    """L1 between the critics' feature maps on real and generated audio (real side detached)."""
    terms = [torch.stack([F.l1_loss(f, r.detach()) for r, f in zip(r_features, f_features)]).mean()
             for (_, r_features), (_, f_features) in zip(real, fake)]
    return sum(terms) / len(terms)
