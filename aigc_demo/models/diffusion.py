"""A class-conditional UNet for 28x28 grey Fashion-MNIST, built from diffusers, and its samplers.

The UNet is diffusers' own `UNet2DModel`, so checkpoints save and load with stock diffusers:

    unet/       config.json + diffusion_pytorch_model.safetensors   (UNet2DModel)
    scheduler/  scheduler_config.json                                (DDPMScheduler, the training schedule)

Conditioning: a class embedding (`num_class_embeds`) added to the timestep embedding. There is one
embedding more than there are classes: index `num_classes` (NULL_CLASS for Fashion-MNIST) means
"no label". Training swaps real labels for it now and then, so one network predicts both the
conditional and the unconditional noise, which is what classifier-free guidance mixes.
"""
from __future__ import annotations

import math
from pathlib import Path

import torch
from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, UNet2DModel

NUM_CLASSES = 10
NULL_CLASS = NUM_CLASSES  # the "no label" class embedding used for classifier-free guidance

SCHEDULERS = {"ddpm": DDPMScheduler, "ddim": DDIMScheduler, "dpm-solver++": DPMSolverMultistepScheduler}


def build_unet(sample_size: int = 28, block_out_channels: tuple[int, ...] = (32, 64, 64),
               num_classes: int = NUM_CLASSES, layers_per_block: int = 1) -> UNet2DModel:
    """About 1.1 M parameters at the defaults; resolutions 28 -> 14 -> 7, self-attention only at 7x7."""
    return UNet2DModel(
        sample_size=sample_size,
        in_channels=1,
        out_channels=1,
        block_out_channels=tuple(block_out_channels),
        layers_per_block=layers_per_block,
        # The last down block does not downsample, so three blocks give 28, 14, 7; 7x7 is
        # the only size where attention is cheap enough (49 tokens) to be worth it on a CPU.
        down_block_types=("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
        # GroupNorm groups must divide every width; tiny test models have 8 channels.
        norm_num_groups=math.gcd(32, *block_out_channels),
        num_class_embeds=num_classes + 1,  # + the NULL_CLASS ("no label") embedding
    )


BETA_SCHEDULES = ("linear", "squaredcos_cap_v2")


def build_training_scheduler(num_train_timesteps: int = 1000, beta_schedule: str = "squaredcos_cap_v2") -> DDPMScheduler:
    """The noise schedule the UNet is trained on; every sampler is made from its config.

    "squaredcos_cap_v2" (cosine, Nichol & Dhariwal 2021) stays sensible at any number of timesteps (the
    smoke run uses 50); "linear" is DDPM's original (betas 1e-4 to 0.02 over 1000 steps), which spends more
    of training on low noise levels, where 28x28 images get their detail.
    """
    return DDPMScheduler(num_train_timesteps=num_train_timesteps, beta_schedule=beta_schedule,
                         prediction_type="epsilon")


def make_scheduler(name: str, config) -> DDPMScheduler | DDIMScheduler | DPMSolverMultistepScheduler:
    """A fresh sampler for one request: schedulers keep per-run state, so requests must not share one.

    "trailing" timestep spacing starts sampling at the last training timestep (pure noise); the
    older "leading" spacing starts short of it and leaves few-step samples washed out. DPM-Solver++
    is the exception: under the cosine schedule alpha_bar at the last timestep is 2.4e-9, and its
    log-SNR step diverges there, so it starts one spacing short of the end ("leading").
    """
    if name == "dpm-solver++":
        return SCHEDULERS[name].from_config(config, algorithm_type="dpmsolver++", timestep_spacing="leading",
                                            steps_offset=1)
    return SCHEDULERS[name].from_config(config, timestep_spacing="trailing")


def load_diffusion(folder: str | Path, device: torch.device | str = "cpu",
                   dtype: torch.dtype = torch.float32) -> tuple[UNet2DModel, dict]:
    """(unet on device in eval mode, training scheduler config) from a checkpoint folder."""
    folder = Path(folder)
    unet = UNet2DModel.from_pretrained(folder / "unet", torch_dtype=dtype, use_safetensors=True)
    scheduler = DDPMScheduler.from_pretrained(folder / "scheduler")
    return unet.to(device).eval(), scheduler.config
