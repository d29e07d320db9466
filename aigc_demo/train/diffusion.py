"""Train a class-conditional DDPM on Fashion-MNIST, ready for classifier-free guidance.

    python -m aigc_demo.train diffusion --out checkpoints/diffusion
    python -m aigc_demo.train diffusion --smoke --data-root some/idx --out /tmp/tiny   # seconds

Epsilon prediction with an MSE loss on images scaled to [-1, 1]. Labels are replaced by the
null class with probability --cond-drop, so the same UNet also learns the unconditional model
that guidance needs. An exponential moving average (EMA) of the weights is what gets saved:
it samples far better than the raw weights after a short run.

Runs through Hugging Face Accelerate (`accelerate launch -m aigc_demo.train diffusion ...`).
Resumable: weights, optimizer and EMA are saved (safetensors) to --state-dir every --save-every
steps and picked up again with --resume. The checkpoint is diffusers' own format:
<out>/unet (UNet2DModel) and <out>/scheduler (DDPMScheduler), plus <out>/training.json.
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from aigc_demo.data import fashion_mnist
from aigc_demo.models.diffusion import BETA_SCHEDULES, NULL_CLASS, NUM_CLASSES, build_training_scheduler, build_unet
from aigc_demo.train.averaging import update_ema
from aigc_demo.train.common import due, start_run, warmup_cosine, write_training_record as write_record
from aigc_demo.train.images import save_image_grid
from aigc_demo.train_state import load_training_state, save_training_state

def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train diffusion", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/diffusion")
    p.add_argument("--data-root", default=str(fashion_mnist.DEFAULT_ROOT), help="folder of Fashion-MNIST IDX files")
    p.add_argument("--state-dir", default="train_state/diffusion")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--smoke", action="store_true", help="tiny model and a few steps, for tests")
    p.add_argument("--block-out-channels", type=int, nargs=3, default=[32, 64, 64], metavar="C")
    p.add_argument("--layers-per-block", type=int, default=1)
    p.add_argument("--num-train-timesteps", type=int, default=1000)
    p.add_argument("--beta-schedule", choices=BETA_SCHEDULES, default="squaredcos_cap_v2")
    p.add_argument("--cond-drop", type=float, default=0.1, help="chance a label becomes the null class")
    p.add_argument("--ema-decay", type=float, default=0.999)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--max-steps", type=int, default=600)  # about 25 minutes on one CPU thread
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--sample-every", type=int, default=200, help="sample grid every N steps and at the end (0 = never)")
    p.add_argument("--grid-samples", type=int, default=8, help="samples per class (grid row) in each sample grid")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(block_out_channels=[8, 16, 16], layers_per_block=1, num_train_timesteps=50,
                       batch_size=8, max_steps=4, warmup=2, log_every=1, save_every=2, sample_every=4,
                       grid_samples=1)
    return p.parse_args(argv)


def settings_from(args) -> dict:
    return {"sample_size": 28, "block_out_channels": list(args.block_out_channels),
            "layers_per_block": args.layers_per_block, "num_classes": NUM_CLASSES, "null_class": NULL_CLASS,
            "num_train_timesteps": args.num_train_timesteps, "beta_schedule": args.beta_schedule,
            "prediction_type": "epsilon", "cond_drop": args.cond_drop, "ema_decay": args.ema_decay}


def ema_decay(step: int, args) -> float:
    """Ramp the decay up from 0.1 so early, near-random weights don't dominate a short run's average."""
    return min(args.ema_decay, (1 + step) / (10 + step))


def training_loss(unet, scheduler, images: torch.Tensor, labels: torch.Tensor, args,
                  generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """One random batch: noise it to random timesteps, predict the noise, mean squared error."""
    index = torch.randint(0, len(images), (args.batch_size,), generator=generator)
    clean = images[index].unsqueeze(1).float() / 127.5 - 1  # [B, 1, 28, 28] in [-1, 1]
    noise = torch.randn(clean.shape, generator=generator)
    timesteps = torch.randint(0, args.num_train_timesteps, (args.batch_size,), generator=generator)
    dropped = torch.rand(args.batch_size, generator=generator) < args.cond_drop
    class_labels = torch.where(dropped, NULL_CLASS, labels[index])
    noisy = scheduler.add_noise(clean, noise, timesteps)
    prediction = unet(noisy.to(device), timesteps.to(device), class_labels=class_labels.to(device)).sample
    return F.mse_loss(prediction, noise.to(device))


def sample_grid(ema, scheduler_config, path: Path, seed: int, per_class: int) -> None:
    """A PNG with one row per class, `per_class` samples each (DDIM-25, guidance 1.5)."""
    from aigc_demo.pipelines.diffusion import ClassConditionalDiffusionPipeline

    labels = [c for c in range(NUM_CLASSES) for _ in range(per_class)]
    pipeline = ClassConditionalDiffusionPipeline(ema.eval(), scheduler_config)
    images = pipeline(labels, torch.Generator().manual_seed(seed), scheduler="ddim", steps=25, guidance_scale=1.5)
    save_image_grid(images, path, columns=per_class, padding=0)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    images, labels = fashion_mnist.load("train", args.data_root)
    images, labels = torch.from_numpy(images.copy()), torch.from_numpy(labels)
    torch.manual_seed(args.seed)  # weight init only; this is a training script, not a request path
    unet = build_unet(block_out_channels=tuple(args.block_out_channels), layers_per_block=args.layers_per_block)
    ema = copy.deepcopy(unet).requires_grad_(False)
    optimizer = torch.optim.AdamW(unet.parameters(), lr=args.lr, weight_decay=0.01)
    progress = {"step": 0, "log": [], "seconds": 0.0, "running_loss": None}
    if args.resume and (Path(args.state_dir) / "state.json").exists():
        progress = resume(args.state_dir, unet, ema, optimizer)
    unet, optimizer = accelerator.prepare(unet, optimizer)
    ema.to(accelerator.device)
    scheduler = build_training_scheduler(args.num_train_timesteps, args.beta_schedule)
    generator = torch.Generator().manual_seed(args.seed + progress["step"])
    run(unet, ema, optimizer, scheduler, images, labels, args, argv, accelerator, generator, progress)


def resume(state_dir: str, unet, ema, optimizer) -> dict:
    from safetensors.torch import load_file

    progress = load_training_state(state_dir, unet, optimizer)
    ema.load_state_dict(load_file(Path(state_dir) / "ema.safetensors"), strict=True)
    return progress


def run(unet, ema, optimizer, scheduler, images, labels, args, argv, accelerator, generator, progress):
    start, seconds_before = time.time(), progress["seconds"]
    bar = tqdm(range(progress["step"], args.max_steps), desc="diffusion", disable=not accelerator.is_main_process)
    for step in bar:
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(step, args.lr, args.warmup, args.max_steps)
        loss = training_loss(unet, scheduler, images, labels, args, generator, accelerator.device)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(unet.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        update_ema(ema, accelerator.unwrap_model(unet), ema_decay(step, args))
        running = progress["running_loss"]
        progress["running_loss"] = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        bar.set_postfix(loss=f"{progress['running_loss']:.4f}")
        if due(step, args.log_every, args.max_steps):
            progress["log"].append({"step": step + 1, "seconds": round(progress["seconds"], 1),
                                    "loss": round(progress["running_loss"], 5)})
        if due(step, args.sample_every, args.max_steps):
            path = Path(args.state_dir) / "samples" / f"step_{step + 1:06d}.png"
            sample_grid(ema, scheduler.config, path, args.seed, args.grid_samples)
        if due(step, args.save_every, args.max_steps):
            save(accelerator.unwrap_model(unet), ema, optimizer, scheduler, args, argv, progress, len(images))


def save(unet, ema, optimizer, scheduler, args, argv, progress, train_images: int) -> None:
    """Training state (to resume) and the EMA checkpoint with its training.json (to use now)."""
    from safetensors.torch import save_file

    state_dir, out = Path(args.state_dir), Path(args.out)
    state_dir.mkdir(parents=True, exist_ok=True)
    # EMA first: state.json, written last by save_training_state, marks a complete save.
    save_file({k: v.detach().contiguous().clone() for k, v in ema.state_dict().items()}, state_dir / "ema.safetensors")
    save_training_state(state_dir, unet, optimizer, progress)
    ema.save_pretrained(out / "unet", safe_serialization=True)
    scheduler.save_pretrained(out / "scheduler")
    write_training_record(args, argv, progress, train_images, out)


def write_training_record(args, argv, progress, train_images: int, out: Path) -> None:
    write_record(out, "diffusion", argv, progress, settings=settings_from(args),
                 optimisation={k: getattr(args, k) for k in ("batch_size", "lr", "warmup", "max_steps", "seed")}
                 | {"optimizer": "AdamW", "weight_decay": 0.01, "grad_clip": 1.0, "ema_weights_saved": True},
                 data={"source": "fashion_mnist", "train_images": train_images})


if __name__ == "__main__":
    main(sys.argv[1:])
