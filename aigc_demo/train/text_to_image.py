"""Train the text-to-image UNet (diffusers UNet2DConditionModel) on captioned emoji, in the latent space of the
autoencoder that `emoji-vae` trained, and write a stock StableDiffusionPipeline folder.

    python -m aigc_demo.train text-to-image --vae train_runs/emoji-vae --out checkpoints/emoji-sd --threads 1
    python -m aigc_demo.train text-to-image --resume ...                      # the same run, where it stopped
    python -m aigc_demo.train text-to-image --init-from checkpoints/emoji-sd  # a new run from the committed one
    accelerate launch -m aigc_demo.train text-to-image ...                    # one or several GPUs, unchanged
    python -m aigc_demo.train text-to-image --smoke --out /tmp/t2i            # seconds, no emoji data needed

Latents (the encoder's mean and spread) and the caption embeddings are computed once and cached under
data_cache/, so a step is one UNet forward and backward. v-prediction with Min-SNR-5 loss weights; captions
are dropped to the empty prompt with probability --caption-drop, which teaches the unconditional model that
classifier-free guidance needs. The exponential moving average of the weights is what gets saved. Each save
also measures the loss on two fixed held-out sets (unseen concepts; seen concepts in an unseen caption
template) at fixed noise, which is the learning curve in the card.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import random
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from aigc_demo.data import emoji
from aigc_demo.models import latent_diffusion as ld
from aigc_demo.train.averaging import update_ema
from aigc_demo.train.common import earlier_runs, start_run, warmup_cosine, write_training_record
from aigc_demo.train.loop import Loop, Progress, add_run_options, load_state, save_state, state_folder

CAPTIONS_PER_IMAGE = 3
VALIDATION_SIZE = 256


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train text-to-image", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(p, out="checkpoints/emoji-sd", max_steps=20000)
    p.add_argument("--vae", default="train_runs/emoji-vae", help="folder holding vae/ (a run of emoji-vae)")
    p.add_argument("--block-out-channels", type=int, nargs=3, default=[64, 128, 192], metavar="C")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--caption-drop", type=float, default=0.1)
    p.add_argument("--ema-decay", type=float, default=0.999)
    p.add_argument("--min-snr", type=float, default=5.0)
    if "--smoke" in argv:
        p.set_defaults(block_out_channels=[8, 16, 16], batch_size=4, max_steps=3, log_every=1, save_every=3)
    return p.parse_args(argv)


def cache_path(vae_folder: Path, n_images: int) -> Path:
    weights = vae_folder / "vae" / "diffusion_pytorch_model.safetensors"
    key = hashlib.sha1(weights.read_bytes() + f"{n_images}-{CAPTIONS_PER_IMAGE}-{ld.MAX_TOKENS}".encode()).hexdigest()
    return emoji.cache_dir() / f"t2i_features_{key[:12]}.safetensors"


@torch.no_grad()
def encode_images(vae, images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean, std) of the latent posterior for each image, already multiplied by the scaling factor."""
    from aigc_demo.pipelines.convert import from_uint8_rgb

    means, stds = [], []
    for start in range(0, len(images), 128):
        dist = vae.encode(from_uint8_rgb(images[start:start + 128])).latent_dist
        means.append(dist.mean * vae.config.scaling_factor)
        stds.append(dist.std * vae.config.scaling_factor)
    return torch.cat(means), torch.cat(stds)


@torch.no_grad()
def encode_texts(tokenizer, encoder, texts: list[str]) -> torch.Tensor:
    return torch.cat([ld.encode_prompts(tokenizer, encoder, texts[i:i + 128]) for i in range(0, len(texts), 128)])


def emoji_features(vae_folder: Path, seed: int) -> dict[str, torch.Tensor]:
    """Training latents and K caption embeddings per image, plus the two validation sets; cached once per VAE."""
    from diffusers import AutoencoderKL
    from safetensors.torch import load_file, save_file

    train_records, train_images = emoji.split(heldout=False)
    path = cache_path(vae_folder, len(train_records))
    if path.is_file():
        return load_file(path)
    vae = AutoencoderKL.from_pretrained(str(vae_folder), subfolder="vae").eval()
    tokenizer, encoder = ld.load_text_encoder()
    rng = random.Random(seed)
    captions = [record.caption(rng) for record in train_records for _ in range(CAPTIONS_PER_IMAGE)]
    held_records, held_images = emoji.split(heldout=True)
    pick = np.random.default_rng(seed)
    unseen = pick.choice(len(held_records), VALIDATION_SIZE, replace=False)
    reworded = pick.choice(len(train_records), VALIDATION_SIZE, replace=False)
    mean, std = encode_images(vae, train_images)
    features = {
        "mean": mean, "std": std,
        "text": encode_texts(tokenizer, encoder, captions).view(len(train_records), CAPTIONS_PER_IMAGE, ld.MAX_TOKENS, -1),
        "empty": encode_texts(tokenizer, encoder, [""]),
        "unseen_latents": encode_images(vae, held_images[unseen])[0],
        "unseen_text": encode_texts(tokenizer, encoder, [held_records[i].caption() for i in unseen]),
        "reworded_latents": mean[reworded],
        "reworded_text": encode_texts(tokenizer, encoder, [train_records[i].heldout_caption() for i in reworded]),
    }
    features = {k: v.half().contiguous() for k, v in features.items()}
    save_file(features, path)
    return features


SMOKE_SUBJECTS = ["cat face", "dragon", "grinning face", "red apple", "sun"]


def smoke_features() -> dict[str, torch.Tensor]:
    """Random stand-ins with the real shapes, so the smoke run needs no emoji data or encoder."""
    g = torch.Generator().manual_seed(0)
    latents, text = torch.randn(8, 4, 16, 16, generator=g), torch.randn(8, CAPTIONS_PER_IMAGE, ld.MAX_TOKENS, ld.TEXT_DIM, generator=g)
    return {"mean": latents, "std": torch.full_like(latents, 0.1), "text": text, "empty": text[:1, 0],
            "unseen_latents": latents[:4], "unseen_text": text[:4, 0], "reworded_latents": latents[4:],
            "reworded_text": text[4:, 0]}


def v_loss(unet, scheduler, latents, text, timesteps, noise, min_snr: float) -> torch.Tensor:
    """Min-SNR-weighted v-prediction MSE (Hang et al. 2023: weight min(SNR, gamma) / (SNR + 1) for v)."""
    noisy = scheduler.add_noise(latents, noise, timesteps)
    target = scheduler.get_velocity(latents, noise, timesteps)
    prediction = unet(noisy, timesteps, encoder_hidden_states=text).sample
    alpha_bar = scheduler.alphas_cumprod.to(latents.device)[timesteps]
    snr = alpha_bar / (1 - alpha_bar)
    weight = torch.clamp(snr, max=min_snr) / (snr + 1)
    per_sample = F.mse_loss(prediction.float(), target.float(), reduction="none").mean(dim=(1, 2, 3))
    return (weight * per_sample).mean()


@torch.no_grad()
def validation_loss(unet, scheduler, latents, text, device) -> float:
    """The loss at fixed noise and timesteps, so checkpoints compare on the same draws."""
    g = torch.Generator().manual_seed(0)
    noise = torch.randn(latents.shape, generator=g)
    timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (len(latents),), generator=g)
    total = 0.0
    for start in range(0, len(latents), 64):
        part = slice(start, start + 64)
        total += v_loss(unet, scheduler, latents[part].float().to(device), text[part].float().to(device),
                        timesteps[part].to(device), noise[part].to(device), 1e9).item() * len(latents[part])
    return total / len(latents)


def save_pipeline(out: Path, vae_folder: Path | None, unet, scheduler, smoke: bool) -> None:
    """A stock StableDiffusionPipeline folder, in float16 (the app casts back to float32 on a CPU)."""
    from diffusers import AutoencoderKL, StableDiffusionPipeline

    vae = ld.build_vae((8, 16, 16)) if smoke else AutoencoderKL.from_pretrained(str(vae_folder), subfolder="vae")
    tokenizer, encoder = ld.load_text_encoder()
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=encoder, tokenizer=tokenizer, unet=copy.deepcopy(unet),
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.to(dtype=torch.float16).save_pretrained(str(out))


def build_model(args):
    unet = ld.build_unet(args.block_out_channels)
    if args.init_from:
        from diffusers import UNet2DConditionModel

        unet.load_state_dict(UNet2DConditionModel.from_pretrained(args.init_from, subfolder="unet").state_dict())
    return unet


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    features = smoke_features() if args.smoke else emoji_features(Path(args.vae), args.seed)
    earlier = earlier_runs(args.init_from)  # read now: --out may be the --init-from folder itself
    subjects = SMOKE_SUBJECTS if args.smoke else emoji.subject_names([record for record, _ in emoji.records()])
    scheduler = ld.build_training_scheduler()
    unet = build_model(args)
    ema = copy.deepcopy(unet).requires_grad_(False)
    optimizer = torch.optim.AdamW(unet.parameters(), lr=args.lr, weight_decay=1e-2)
    state_dir = state_folder(args)
    progress = load_state(state_dir, unet, optimizer, ema) if args.resume else Progress()
    unet, optimizer = accelerator.prepare(unet, optimizer)
    device, n = accelerator.device, len(features["mean"])
    g = torch.Generator().manual_seed(args.seed + progress.step + accelerator.process_index)

    def step(index: int) -> dict:
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(index, args.lr, args.warmup, args.max_steps)
        rows = torch.randint(0, n, (args.batch_size,), generator=g)
        latents = features["mean"][rows].float() + features["std"][rows].float() * torch.randn(
            (args.batch_size, *features["mean"].shape[1:]), generator=g)
        text = features["text"][rows, torch.randint(0, CAPTIONS_PER_IMAGE, (args.batch_size,), generator=g)].float()
        dropped = torch.rand(args.batch_size, generator=g) < args.caption_drop
        text[dropped] = features["empty"].float()
        timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (args.batch_size,), generator=g)
        noise = torch.randn(latents.shape, generator=g)
        loss = v_loss(unet, scheduler, latents.to(device), text.to(device), timesteps.to(device), noise.to(device),
                      args.min_snr)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(unet.parameters(), 1.0)
        optimizer.step()
        update_ema(ema, accelerator.unwrap_model(unet), min(args.ema_decay, (1 + index) / (10 + index)))
        return {"loss": loss.item()}

    def evaluate(progress: Progress) -> dict:
        ema.to(device)
        return {f"val_{name}": round(validation_loss(ema, scheduler, features[f"{name}_latents"],
                                                     features[f"{name}_text"], device), 5)
                for name in ("unseen", "reworded")}

    def save(progress: Progress) -> None:
        if not accelerator.is_main_process:
            return
        save_state(state_dir, accelerator.unwrap_model(unet), optimizer, progress, ema)
        save_pipeline(Path(args.out), Path(args.vae), ema, scheduler, args.smoke)
        emoji.write_subjects(Path(args.out), subjects)  # what the stories may ask this model to draw
        write_training_record(args.out, "text-to-image", argv, progress.as_dict(), images=n,
                              captions_per_image=CAPTIONS_PER_IMAGE, init_from=args.init_from, earlier_runs=earlier,
                              settings={k: getattr(args, k) for k in ("block_out_channels", "batch_size", "lr",
                                                                       "caption_drop", "ema_decay", "min_snr",
                                                                       "max_steps")})

    Loop(step, save, args.max_steps, args.max_minutes, args.log_every, args.save_every, evaluate,
         accelerator.print).run(progress)


if __name__ == "__main__":
    main(sys.argv[1:])
