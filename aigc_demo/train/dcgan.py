"""Train the class-conditional DCGAN on Fashion-MNIST.

    python -m aigc_demo.train dcgan --out checkpoints/dcgan
    python -m aigc_demo.train dcgan --out checkpoints/dcgan-wgan-gp --gradient-penalty
    python -m aigc_demo.train dcgan --smoke --data-root tiny-idx/ --out /tmp/tiny   # seconds

Switches the model card compares:
  --gradient-penalty   WGAN-GP loss (Gulrajani et al. 2017): lambda 10, --n-critic critic steps per
                       generator step, Adam betas (0, 0.9); otherwise the non-saturating GAN loss with
                       Adam betas (0.5, 0.999) (Radford et al. 2016)
  --lr-schedule        none (constant --lr), cosine (--lr decayed to 0 over --max-steps), or ttur
                       (two time-scale update rule, Heusel et al. 2017: discriminator 4e-4, generator 1e-4)
  --no-batch-norm      no batch norm in either network (the discriminator never has it with a penalty)

One step is one generator update. Runs through Hugging Face Accelerate; resumable (safetensors state
for generator and discriminator under --state-dir, picked up with --resume). Every random draw of a
step comes from a generator seeded by (--seed, step), so a resumed run repeats an uninterrupted one.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from aigc_demo.data import fashion_mnist
from aigc_demo.models.dcgan import DCGANDiscriminator, DCGANGenerator
from aigc_demo.pipelines.convert import from_uint8
from aigc_demo.train.common import due, log_means, start_run, write_training_record as write_record
from aigc_demo.train.images import add_run_arguments, load_split, sample_path, save_prior_samples, step_generator
from aigc_demo.train_state import load_training_state, save_training_state

GP_LAMBDA = 10.0  # Gulrajani et al.'s value; they found it robust across architectures and data sets
TTUR_LR = {"generator": 1e-4, "discriminator": 4e-4}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train dcgan", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/dcgan")
    add_run_arguments(p, "dcgan", sample_every=500, save_every=500)
    p.add_argument("--gradient-penalty", action="store_true", help="WGAN-GP loss instead of the non-saturating loss")
    p.add_argument("--n-critic", type=int, help="discriminator steps per generator step (default 5 with "
                                                "--gradient-penalty, else 1)")
    p.add_argument("--lr-schedule", choices=["none", "cosine", "ttur"], default="none")
    p.add_argument("--no-batch-norm", dest="batch_norm", action="store_false")
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--base-channels", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, help="peak learning rate of both networks (default 2e-4, or 1e-4 with "
                                            "--gradient-penalty; ignored by --lr-schedule ttur)")
    p.add_argument("--max-steps", type=int, default=3000)
    p.add_argument("--log-every", type=int, default=50, help="add a learning-curve entry every this many steps")
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(latent_dim=8, base_channels=8, batch_size=16, max_steps=4,
                       log_every=2, sample_every=2, save_every=2)
    args = p.parse_args(argv)
    args.n_critic = args.n_critic or (5 if args.gradient_penalty else 1)
    args.lr = args.lr or (1e-4 if args.gradient_penalty else 2e-4)
    return args


# ----------------------------------------------------------------------------- DCGAN
def learning_rates(step: int, args) -> tuple[float, float]:
    """(generator, discriminator) learning rates at `step`."""
    if args.lr_schedule == "ttur":
        return TTUR_LR["generator"], TTUR_LR["discriminator"]
    scale = 0.5 * (1 + math.cos(math.pi * step / args.max_steps)) if args.lr_schedule == "cosine" else 1.0
    return args.lr * scale, args.lr * scale


def generator_settings(args) -> dict:
    return {"latent_dim": args.latent_dim, "num_classes": len(fashion_mnist.CLASS_NAMES),
            "base_channels": args.base_channels, "batch_norm": args.batch_norm}


def discriminator_settings(args) -> dict:
    return {"num_classes": len(fashion_mnist.CLASS_NAMES), "base_channels": args.base_channels,
            "batch_norm": args.batch_norm and not args.gradient_penalty}


def adam_betas(args) -> tuple[float, float]:
    return (0.0, 0.9) if args.gradient_penalty else (0.5, 0.999)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    state_dir, out = Path(args.state_dir), Path(args.out)
    images, labels = load_split("train", args.data_root)
    torch.manual_seed(args.seed)  # weight init only; this is a training script, not a request path
    generator = DCGANGenerator(**generator_settings(args))
    discriminator = DCGANDiscriminator(**discriminator_settings(args))
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=adam_betas(args))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=adam_betas(args))
    progress = {"step": 0, "log": [], "seconds": 0.0}
    if args.resume and (state_dir / "generator" / "state.json").exists():
        progress = load_training_state(state_dir / "generator", generator, g_optimizer)
        load_training_state(state_dir / "discriminator", discriminator, d_optimizer)
    generator, discriminator, g_optimizer, d_optimizer = accelerator.prepare(
        generator, discriminator, g_optimizer, d_optimizer)
    nets = (generator, discriminator, g_optimizer, d_optimizer)
    run(nets, images.to(accelerator.device), labels.to(accelerator.device), args, argv, accelerator, progress, out)


def run(nets, images, labels, args, argv, accelerator, progress, out: Path) -> None:
    generator = nets[0]
    start, seconds_before = time.time(), progress["seconds"]
    sums = {"d_loss": 0.0, "g_loss": 0.0, "steps": 0}
    bar = tqdm(range(progress["step"], args.max_steps), desc="dcgan", disable=not accelerator.is_main_process)
    for step in bar:
        d_loss, g_loss = training_step(nets, images, labels, args, step, accelerator)
        sums["d_loss"] += d_loss  # the last critic step's loss when --n-critic > 1
        sums["g_loss"] += g_loss
        sums["steps"] += 1
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        bar.set_postfix(d_loss=f"{d_loss:.3f}", g_loss=f"{g_loss:.3f}")
        if due(step, args.log_every, args.max_steps):
            log_means(progress, sums, accelerator)
        if due(step, args.sample_every, args.max_steps):
            save_samples(accelerator.unwrap_model(generator), args, progress["step"])
        if due(step, args.save_every, args.max_steps):
            save_everything(nets, args, argv, accelerator, progress, len(images), out)


def training_step(nets, images, labels, args, step: int, accelerator) -> tuple[float, float]:
    """One generator update after --n-critic discriminator updates; (last discriminator loss, generator loss).
    Also what the Model Lab's live training runs, step by step."""
    generator, discriminator, g_optimizer, d_optimizer = nets
    rng = step_generator(args.seed, step)
    g_lr, d_lr = learning_rates(step, args)
    for optimizer, lr in ((g_optimizer, g_lr), (d_optimizer, d_lr)):
        for group in optimizer.param_groups:
            group["lr"] = lr
    for _ in range(args.n_critic):
        d_loss = discriminator_step(generator, discriminator, d_optimizer, images, labels, args, rng, accelerator)
    return d_loss, generator_step(generator, discriminator, g_optimizer, args, rng, accelerator)


def discriminator_step(generator, discriminator, optimizer, images, labels, args, rng, accelerator) -> float:
    index = torch.randint(0, len(images), (args.batch_size,), generator=rng).to(images.device)
    real, real_labels = from_uint8(images[index]), labels[index]
    z = torch.randn(args.batch_size, args.latent_dim, generator=rng).to(real.device)
    with torch.no_grad():
        # Fakes share the real batch's labels: the gradient penalty interpolates real/fake pairs of one class.
        fake = generator(z, real_labels)
    real_scores, fake_scores = discriminator(real, real_labels), discriminator(fake, real_labels)
    if args.gradient_penalty:
        loss = fake_scores.mean() - real_scores.mean()
        loss = loss + GP_LAMBDA * gradient_penalty(discriminator, real, fake, real_labels, rng)
    else:
        loss = F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()  # BCE on logits
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()
    return loss.item()


def gradient_penalty(discriminator, real, fake, labels, rng) -> torch.Tensor:
    """Mean of (|grad_x D(x)| - 1)^2 at random points between real and fake images (WGAN-GP)."""
    mix = torch.rand(len(real), 1, 1, 1, generator=rng).to(real.device)
    between = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(between, labels).sum(), between, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def generator_step(generator, discriminator, optimizer, args, rng, accelerator) -> float:
    z = torch.randn(args.batch_size, args.latent_dim, generator=rng).to(accelerator.device)
    fake_labels = torch.randint(0, len(fashion_mnist.CLASS_NAMES), (args.batch_size,), generator=rng)
    fake_labels = fake_labels.to(accelerator.device)
    scores = discriminator(generator(z, fake_labels), fake_labels)
    # Non-saturating loss: -log D(G(z)) keeps gradients alive while D easily rejects early fakes.
    loss = -scores.mean() if args.gradient_penalty else F.softplus(-scores).mean()
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()
    return loss.item()


def save_samples(generator, args, step: int) -> None:
    generator.eval()  # batch norm's running statistics, as at inference
    save_prior_samples(generator, generator.latent_dim, generator.num_classes, next(generator.parameters()).device,
                       args.seed, sample_path(args.state_dir, step))
    generator.train()


def save_everything(nets, args, argv, accelerator, progress, train_images: int, out: Path) -> None:
    """Training state (both networks) under --state-dir, and the generator checkpoint + record under --out."""
    generator, discriminator, g_optimizer, d_optimizer = nets
    if not accelerator.is_main_process:
        return
    state_dir = Path(args.state_dir)
    save_training_state(state_dir / "generator", accelerator.unwrap_model(generator), g_optimizer, progress)
    save_training_state(state_dir / "discriminator", accelerator.unwrap_model(discriminator), d_optimizer, {})
    accelerator.unwrap_model(generator).save_pretrained(out)
    write_training_record(args, argv, progress, train_images, out)


def write_training_record(args, argv, progress, train_images: int, out: Path) -> None:
    g_lr, d_lr = learning_rates(0, args)
    write_record(
        out, "dcgan", argv, progress, settings=generator_settings(args),
        switches={"gradient_penalty": args.gradient_penalty, "lr_schedule": args.lr_schedule,
                  "batch_norm": args.batch_norm},
        discriminator=discriminator_settings(args),
        optimisation={"batch_size": args.batch_size, "max_steps": args.max_steps, "seed": args.seed,
                      "generator_lr": g_lr, "discriminator_lr": d_lr, "adam_betas": list(adam_betas(args)),
                      "n_critic": args.n_critic, "gp_lambda": GP_LAMBDA if args.gradient_penalty else None},
        data={"source": "fashion_mnist", "train_images": train_images})


if __name__ == "__main__":
    main(sys.argv[1:])
