"""Train the text-to-image model's autoencoder (diffusers AutoencoderKL) on the training emoji.

    python -m aigc_demo.train emoji-vae --out train_runs/emoji-vae --threads 1 --max-minutes 30
    python -m aigc_demo.train emoji-vae --smoke --out /tmp/vae     # seconds, no emoji data needed

64x64x3 -> 16x16x4 latents. Loss: L1 on pixels plus Stable Diffusion's tiny KL weight (1e-6), which keeps the
latents near a unit Gaussian without blurring them. The latents' spread on training images sets
`scaling_factor` in the saved config, so the UNet sees unit variance as in Stable Diffusion.
Runs unchanged under `accelerate launch -m aigc_demo.train emoji-vae ...`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from aigc_demo.models.latent_diffusion import build_vae
from aigc_demo.pipelines.convert import from_uint8_rgb
from aigc_demo.train.common import start_run, warmup_cosine, write_training_record
from aigc_demo.train.loop import Loop, Progress, add_run_options, load_state, save_state, state_folder


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train emoji-vae", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(p, out="train_runs/emoji-vae", max_steps=4000)
    p.add_argument("--block-out-channels", type=int, nargs=3, default=[32, 64, 128], metavar="C")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--kl-weight", type=float, default=1e-6)
    p.add_argument("--decoder-only", action="store_true",
                   help="train the decoder alone (with --init-from): the latents, and a UNet trained on them, stay valid")
    if "--smoke" in argv:
        p.set_defaults(block_out_channels=[8, 16, 16], batch_size=4, max_steps=3, log_every=1, save_every=3)
    return p.parse_args(argv)


def training_images(smoke: bool) -> np.ndarray:
    """uint8 [N, 64, 64, 3]: the training concepts' emoji, or (smoke) random colour blocks."""
    if smoke:
        rng = np.random.default_rng(0)
        return np.repeat(np.repeat(rng.integers(0, 256, (16, 8, 8, 3), dtype=np.uint8), 8, 1), 8, 2)
    from aigc_demo.data import emoji

    return emoji.split(heldout=False)[1]


@torch.no_grad()
def latent_scaling(vae, images: np.ndarray, device) -> float:
    """1 / the standard deviation of the latents of up to 512 training images."""
    latents = vae.encode(from_uint8_rgb(images[:512]).to(device)).latent_dist.mean
    return float(1.0 / latents.std())


class Reconstruction(torch.nn.Module):
    """encode -> sample -> decode in one forward, so distributed training syncs gradients through it."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        posterior = self.vae.encode(images).latent_dist
        return self.vae.decode(posterior.sample()).sample, posterior.kl().mean()


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    images = training_images(args.smoke)
    vae = build_vae(args.block_out_channels)
    if args.init_from:
        from diffusers import AutoencoderKL

        start = AutoencoderKL.from_pretrained(args.init_from, subfolder="vae")
        vae.load_state_dict(start.state_dict())
        vae.register_to_config(scaling_factor=start.config.scaling_factor)
    if args.decoder_only:
        vae.encoder.requires_grad_(False)
        vae.quant_conv.requires_grad_(False)
    optimizer = torch.optim.AdamW([p for p in vae.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.0)
    state_dir = state_folder(args)
    progress = load_state(state_dir, vae, optimizer) if args.resume else Progress()
    model, optimizer = accelerator.prepare(Reconstruction(vae), optimizer)
    rng = np.random.default_rng(args.seed + progress.step)

    def step(index: int) -> dict:
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(index, args.lr, 100, args.max_steps)
        batch = from_uint8_rgb(images[rng.integers(0, len(images), args.batch_size)]).to(accelerator.device)
        recon, kl = model(batch)
        l1 = F.l1_loss(recon, batch)
        loss = l1 + args.kl_weight * kl
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        optimizer.step()
        return {"l1": l1.item(), "kl": kl.item()}

    def save(progress: Progress) -> None:
        if not accelerator.is_main_process:
            return
        save_state(state_dir, vae, optimizer, progress)
        if not args.decoder_only:  # a frozen encoder keeps the scaling the UNet was trained with
            vae.register_to_config(scaling_factor=latent_scaling(vae, images, accelerator.device))
        vae.save_pretrained(Path(args.out) / "vae")
        write_training_record(args.out, "emoji-vae", argv, progress.as_dict(), images=len(images),
                              settings={k: getattr(args, k) for k in ("block_out_channels", "batch_size", "lr",
                                                                       "kl_weight", "max_steps")})

    Loop(step, save, args.max_steps, args.max_minutes, args.log_every, args.save_every,
         print_fn=accelerator.print).run(progress)


if __name__ == "__main__":
    main(sys.argv[1:])
