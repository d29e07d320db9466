"""Weight averaging and batch-norm statistics for the exported networks.

update_ema: an exponential moving average of a model's weights (the diffusion, style-based GAN and Pix2Pix
trainers save the average; it smooths over the last steps' noise, Polyak averaging).
recalibrate_batch_norm: batch norm's running statistics are themselves an average over only the last few dozen
batches (momentum 0.1), so they swing from checkpoint to checkpoint with what those batches held; recomputing
them as the plain mean over many training batches ("precise BN", Wu & Johnson 2021) removes that swing. An
averaged model needs it too: its statistics were never measured on its own weights.
"""
from __future__ import annotations

import copy
from typing import Iterable

import torch


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float, copy_buffers: bool = False) -> None:
    """ema <- decay * ema + (1 - decay) * model, parameter by parameter; buffers (batch-norm statistics) are
    copied when `copy_buffers`, so the average is usable as it stands between recalibrations."""
    for ema_param, param in zip(ema.parameters(), model.parameters()):
        ema_param.lerp_(param.detach(), 1 - decay)
    if copy_buffers:
        for ema_buffer, buffer in zip(ema.buffers(), model.buffers()):
            ema_buffer.copy_(buffer)


@torch.no_grad()
def recalibrate_batch_norm(model: torch.nn.Module, batches: Iterable[torch.Tensor]) -> torch.nn.Module:
    """A copy of `model` (in eval mode) whose batch-norm statistics are the mean over `batches` of inputs."""
    model = copy.deepcopy(model)
    device = next(model.parameters()).device
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # None: a cumulative (equal-weight) average over every batch seen
    model.train()
    for inputs in batches:
        model(inputs.to(device))
    return model.eval()
