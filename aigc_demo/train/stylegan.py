"""Train the class-conditional style-based GAN on Fashion-MNIST.

    python -m aigc_demo.train stylegan --out checkpoints/stylegan
    python -m aigc_demo.train stylegan --smoke --data-root tiny-idx/ --out /tmp/tiny   # seconds

StyleGAN2's recipe at small scale: non-saturating logistic loss, R1 penalty on real images applied
lazily every --r1-every steps, style-mixing regularisation (two latents, a random crossover layer)
with probability --mixing, Adam betas (0, 0.99), equalised learning rate, and an exponential moving
average of the generator (half-life --ema-images images), which is what gets saved. After training
the mean w of each class is measured and stored for the truncation trick.

Runs through Hugging Face Accelerate; resumable (safetensors state for the generator, its average and
the discriminator under --state-dir, picked up with --resume). Every random draw of a step comes from a
generator seeded by (--seed, step), so a resumed run repeats an uninterrupted one.
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
from aigc_demo.models.stylegan import StyleGANDiscriminator, StyleGANGenerator
from aigc_demo.pipelines.convert import from_uint8
from aigc_demo.train.averaging import update_ema
from aigc_demo.train.common import due, log_means, start_run, write_training_record as write_record
from aigc_demo.train.images import add_run_arguments, load_split, sample_path, save_prior_samples, step_generator
from aigc_demo.train_state import load_training_state, save_training_state


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train stylegan", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/stylegan")
    add_run_arguments(p, "stylegan", sample_every=500, save_every=250)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--w-dim", type=int, default=128)
    p.add_argument("--channels", type=int, nargs=3, default=[128, 96, 32], metavar="C",
                   help="generator widths at 7, 14 and 28 pixels (the discriminator mirrors them)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--r1-gamma", type=float, default=1.0, help="R1 penalty weight (gamma / 2 * |grad D(real)|^2)")
    p.add_argument("--r1-every", type=int, default=4, help="apply R1 every N steps, scaled by N (lazy regularisation)")
    p.add_argument("--mixing", type=float, default=0.5, help="share of generator batches trained with two latents")
    p.add_argument("--ema-images", type=float, default=10_000, help="half-life of the generator average, in images")
    p.add_argument("--max-steps", type=int, default=5000)
    p.add_argument("--log-every", type=int, default=100)
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(latent_dim=8, w_dim=16, channels=[8, 8, 8], batch_size=8, max_steps=4,
                       log_every=2, sample_every=2, save_every=2, r1_every=2)
    return p.parse_args(argv)


def generator_settings(args) -> dict:
    return {"latent_dim": args.latent_dim, "num_classes": len(fashion_mnist.CLASS_NAMES), "w_dim": args.w_dim,
            "channels": list(args.channels)}


def discriminator_settings(args) -> dict:
    c7, c14, c28 = args.channels
    return {"num_classes": len(fashion_mnist.CLASS_NAMES), "channels": [c28, c14, c7]}


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    state_dir = Path(args.state_dir)
    images, labels = load_split("train", args.data_root)
    torch.manual_seed(args.seed)  # weight init only; this is a training script, not a request path
    generator = StyleGANGenerator(**generator_settings(args))
    discriminator = StyleGANDiscriminator(**discriminator_settings(args))
    average = copy.deepcopy(generator).requires_grad_(False)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=(0.0, 0.99))
    # Lazy R1 regularisation changes D's effective step; StyleGAN2 rescales lr and betas to match.
    ratio = args.r1_every / (args.r1_every + 1)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=args.lr * ratio, betas=(0.0, 0.99 ** ratio))
    progress = {"step": 0, "log": [], "seconds": 0.0}
    if args.resume and (state_dir / "generator" / "state.json").exists():
        progress = resume(state_dir, generator, discriminator, average, g_optimizer, d_optimizer)
    generator, discriminator, g_optimizer, d_optimizer = accelerator.prepare(
        generator, discriminator, g_optimizer, d_optimizer)
    average.to(accelerator.device)
    nets = (generator, discriminator, average, g_optimizer, d_optimizer)
    run(nets, images.to(accelerator.device), labels.to(accelerator.device), args, argv, accelerator, progress)


def resume(state_dir: Path, generator, discriminator, average, g_optimizer, d_optimizer) -> dict:
    from safetensors.torch import load_file

    progress = load_training_state(state_dir / "generator", generator, g_optimizer)
    load_training_state(state_dir / "discriminator", discriminator, d_optimizer)
    average.load_state_dict(load_file(state_dir / "average.safetensors"), strict=True)
    return progress


def run(nets, images, labels, args, argv, accelerator, progress) -> None:
    generator, discriminator, average, g_optimizer, d_optimizer = nets
    start, seconds_before = time.time(), progress["seconds"]
    sums = {"d_loss": 0.0, "g_loss": 0.0, "r1": 0.0, "steps": 0}
    bar = tqdm(range(progress["step"], args.max_steps), desc="stylegan", disable=not accelerator.is_main_process)
    for step in bar:
        rng = step_generator(args.seed, step)
        d_loss, r1 = discriminator_step(generator, discriminator, d_optimizer, images, labels, args, step, rng,
                                        accelerator)
        g_loss = generator_step(generator, discriminator, g_optimizer, args, rng, accelerator)
        update_average(average, accelerator.unwrap_model(generator), step, args)
        for key, value in (("d_loss", d_loss), ("g_loss", g_loss), ("r1", r1)):
            sums[key] += value
        sums["steps"] += 1
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        bar.set_postfix(d_loss=f"{d_loss:.3f}", g_loss=f"{g_loss:.3f}")
        if due(step, args.log_every, args.max_steps):
            log_means(progress, sums, accelerator)
        if due(step, args.sample_every, args.max_steps):
            save_prior_samples(average, average.latent_dim, average.num_classes, images.device, args.seed,
                               sample_path(args.state_dir, progress["step"]))
        if due(step, args.save_every, args.max_steps):
            save_everything(nets, args, argv, accelerator, progress, len(images))


def random_latents(args, rng, device) -> tuple[torch.Tensor, torch.Tensor]:
    z = torch.randn(args.batch_size, args.latent_dim, generator=rng).to(device)
    fake_labels = torch.randint(0, len(fashion_mnist.CLASS_NAMES), (args.batch_size,), generator=rng).to(device)
    return z, fake_labels


def generate(generator, z: torch.Tensor, labels: torch.Tensor, args, rng) -> torch.Tensor:
    """Fakes with style-mixing regularisation: for a share of batches, layers from a random crossover
    on take their style from a second latent, so neighbouring layers don't learn to depend on each other."""
    model = generator.module if hasattr(generator, "module") else generator
    w = model.styles(z, labels)
    ws = w[:, None].repeat(1, model.num_ws, 1)
    if float(torch.rand((), generator=rng)) < args.mixing:
        z2 = torch.randn(z.shape, generator=rng).to(z.device)
        crossover = int(torch.randint(1, model.num_ws, (), generator=rng))
        ws[:, crossover:] = model.styles(z2, labels)[:, None]
    noise = [torch.randn(shape, generator=rng).to(z.device) for shape in model.noise_shapes(len(z))]
    return model.synthesize(ws, noise)


def discriminator_step(generator, discriminator, optimizer, images, labels, args, step, rng, accelerator):
    index = torch.randint(0, len(images), (args.batch_size,), generator=rng).to(images.device)
    real, real_labels = from_uint8(images[index]), labels[index]
    z, fake_labels = random_latents(args, rng, real.device)
    with torch.no_grad():
        fake = generate(generator, z, fake_labels, args, rng)
    loss = F.softplus(-discriminator(real, real_labels)).mean() + F.softplus(discriminator(fake, fake_labels)).mean()
    r1 = torch.zeros(())
    if step % args.r1_every == 0:
        r1 = r1_penalty(discriminator, real, real_labels)
        loss = loss + args.r1_gamma / 2 * r1 * args.r1_every
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()
    return loss.item(), r1.item()


def r1_penalty(discriminator, real: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean squared gradient norm of D at real images (Mescheder et al. 2018): keeps D smooth where the data is."""
    real = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(real, labels).sum(), real, create_graph=True)
    return grad.square().flatten(1).sum(1).mean()


def generator_step(generator, discriminator, optimizer, args, rng, accelerator) -> float:
    z, fake_labels = random_latents(args, rng, accelerator.device)
    loss = F.softplus(-discriminator(generate(generator, z, fake_labels, args, rng), fake_labels)).mean()
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()
    return loss.item()


@torch.no_grad()
def update_average(average, generator, step: int, args) -> None:
    # Ramp: early on the half-life is at most 5% of the images seen so far, so the average isn't stuck
    # on the first random weights of a short run.
    half_life = min(args.ema_images, max(1.0, 0.05 * step * args.batch_size))
    update_ema(average, generator, 0.5 ** (args.batch_size / half_life))


def save_everything(nets, args, argv, accelerator, progress, train_images: int) -> None:
    """Training state under --state-dir; the averaged generator (with its class mean styles) and record under --out."""
    from safetensors.torch import save_file

    generator, discriminator, average, g_optimizer, d_optimizer = nets
    if not accelerator.is_main_process:
        return
    state_dir, out = Path(args.state_dir), Path(args.out)
    state_dir.mkdir(parents=True, exist_ok=True)
    # The average first: state.json, written last by save_training_state, marks a complete save.
    save_file({k: v.detach().contiguous().clone() for k, v in average.state_dict().items()},
              state_dir / "average.safetensors")
    save_training_state(state_dir / "discriminator", accelerator.unwrap_model(discriminator), d_optimizer, {})
    save_training_state(state_dir / "generator", accelerator.unwrap_model(generator), g_optimizer, progress)
    average.measure_w_avg()
    average.save_pretrained(out)
    write_training_record(args, argv, progress, train_images, out)


def write_training_record(args, argv, progress, train_images: int, out: Path) -> None:
    write_record(
        out, "stylegan", argv, progress, settings=generator_settings(args),
        discriminator=discriminator_settings(args),
        optimisation={"batch_size": args.batch_size, "max_steps": args.max_steps, "seed": args.seed, "lr": args.lr,
                      "adam_betas": [0.0, 0.99], "r1_gamma": args.r1_gamma, "r1_every": args.r1_every,
                      "mixing": args.mixing, "ema_images": args.ema_images, "average_saved": True},
        data={"source": "fashion_mnist", "train_images": train_images})


if __name__ == "__main__":
    main(sys.argv[1:])
