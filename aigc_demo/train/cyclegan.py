"""Train CycleGAN on Fashion-MNIST sneakers (domain A, class 7) and ankle boots (domain B, class 9), both ways.

    python -m aigc_demo.train cyclegan --threads 1          # checkpoints/cyclegan-sneaker2boot + -boot2sneaker
    python -m aigc_demo.train cyclegan --smoke --data-root tiny-idx/ --out-dir /tmp/tiny   # seconds

The paper's recipe (Zhu et al. 2017): least-squares adversarial loss, cycle loss (lambda 10), identity
loss (0.5 * lambda), a 50-image pool per discriminator, Adam(2e-4, betas 0.5/0.999), learning rate
constant for the first half of the steps and decayed linearly to zero over the second. Unpaired: every
step draws a batch of sneakers and an independent batch of boots.

One step updates both generators, then both discriminators. Runs through Hugging Face Accelerate;
resumable (safetensors state for the networks, optimisers and image pools under --state-dir, picked
up with --resume). Each direction is saved as its own checkpoint folder (fp16 generator weights,
config.json, training.json naming its partner, which evaluation needs for the cycle).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn
from tqdm.auto import tqdm

from aigc_demo.data import fashion_mnist
from aigc_demo.models.cyclegan import ImagePool, NLayerDiscriminator, ResnetGenerator
from aigc_demo.pipelines.convert import from_uint8, to_uint8
from aigc_demo.train.common import due, log_means, start_run, write_training_record as write_record
from aigc_demo.train.images import add_run_arguments, load_split, sample_path, save_image_grid, step_generator
from aigc_demo.train_state import load_training_state, save_training_state

SNEAKER, ANKLE_BOOT = 7, 9
DIRECTIONS = {"ab": ("cyclegan-sneaker2boot", SNEAKER, ANKLE_BOOT), "ba": ("cyclegan-boot2sneaker", ANKLE_BOOT, SNEAKER)}
CYCLE_LAMBDA = 10.0  # the paper's weight of the cycle loss
IDENTITY_WEIGHT = 0.5  # identity loss weight, as a fraction of CYCLE_LAMBDA (the reference's lambda_identity)
POOL_SIZE = 50
SAMPLE_COUNT = 8  # test images per domain in the step grids


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train cyclegan", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", default="checkpoints", help="writes <out-dir>/cyclegan-sneaker2boot and -boot2sneaker")
    add_run_arguments(p, "cyclegan", sample_every=500, save_every=250)
    p.add_argument("--ngf", type=int, default=24, help="generator width (first layer's channels)")
    p.add_argument("--n-blocks", type=int, default=6, help="residual blocks at 7x7")
    p.add_argument("--ndf", type=int, default=32, help="discriminator width")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max-steps", type=int, default=3000)
    p.add_argument("--log-every", type=int, default=50)
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(ngf=4, n_blocks=1, ndf=4, batch_size=4, max_steps=4, log_every=2, sample_every=2, save_every=2)
    return p.parse_args(argv)


def generator_settings(args) -> dict:
    return {"input_nc": 1, "output_nc": 1, "ngf": args.ngf, "n_blocks": args.n_blocks, "n_downsampling": 2}


def build_networks(args) -> tuple[nn.ModuleDict, nn.ModuleDict]:
    """Generators {ab: sneaker -> boot, ba: boot -> sneaker}; discriminators {a: real sneaker?, b: real boot?}."""
    generators = nn.ModuleDict({key: ResnetGenerator(**generator_settings(args)) for key in DIRECTIONS})
    discriminators = nn.ModuleDict({key: NLayerDiscriminator(1, args.ndf, n_layers=2) for key in ("a", "b")})
    for net in (*generators.values(), *discriminators.values()):
        net.apply(init_weights)
    return generators, discriminators


def init_weights(module: nn.Module) -> None:
    """N(0, 0.02) weights and zero biases, the reference's 'normal' init."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


def domains(split: str, root) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 [N, 1, 28, 28] sneakers (A) and ankle boots (B) of one split."""
    images, labels = load_split(split, root)
    return images[labels == SNEAKER], images[labels == ANKLE_BOOT]


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    torch.manual_seed(args.seed)  # weight init only; this is a training script, not a request path
    generators, discriminators = build_networks(args)
    g_optimizer = torch.optim.Adam(generators.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminators.parameters(), lr=args.lr, betas=(0.5, 0.999))
    pools = {"a": ImagePool(POOL_SIZE), "b": ImagePool(POOL_SIZE)}
    progress = {"step": 0, "log": [], "seconds": 0.0}
    state_dir = Path(args.state_dir)
    if args.resume and (state_dir / "generators" / "state.json").exists():
        progress = load_training_state(state_dir / "generators", generators, g_optimizer)
        load_training_state(state_dir / "discriminators", discriminators, d_optimizer)
        for key, images in load_file(state_dir / "pools.safetensors").items():
            pools[key].restore(images)
    generators, discriminators, g_optimizer, d_optimizer = accelerator.prepare(
        generators, discriminators, g_optimizer, d_optimizer)
    train_a, train_b = (d.to(accelerator.device) for d in domains("train", args.data_root))
    nets = (generators, discriminators, g_optimizer, d_optimizer, pools)
    run(nets, (train_a, train_b), args, argv, accelerator, progress)


def learning_rate(step: int, args) -> float:
    """Constant for the first half, then linearly to zero (the paper: 100 + 100 epochs)."""
    half = args.max_steps // 2
    return args.lr if step < half else args.lr * (1 - (step - half) / max(1, args.max_steps - half))


def run(nets, data, args, argv, accelerator, progress) -> None:
    generators, discriminators, g_optimizer, d_optimizer, pools = nets
    start, seconds_before = time.time(), progress["seconds"]
    sums = {"g_adv": 0.0, "cycle": 0.0, "identity": 0.0, "d_loss": 0.0, "steps": 0}
    bar = tqdm(range(progress["step"], args.max_steps), desc="cyclegan", disable=not accelerator.is_main_process)
    for step in bar:
        rng = step_generator(args.seed, step)
        for optimizer in (g_optimizer, d_optimizer):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, args)
        real = {key: draw(images, args.batch_size, rng) for key, images in zip("ab", data)}
        fakes, losses = generator_step(generators, discriminators, g_optimizer, real, accelerator)
        losses["d_loss"] = discriminator_step(discriminators, d_optimizer, real, fakes, pools, rng, accelerator)
        for key, value in losses.items():
            sums[key] += value
        sums["steps"] += 1
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        bar.set_postfix(cycle=f"{losses['cycle']:.3f}", d=f"{losses['d_loss']:.3f}")
        if due(step, args.log_every, args.max_steps):
            log_means(progress, sums, accelerator)
        if due(step, args.sample_every, args.max_steps):
            save_samples(accelerator.unwrap_model(generators), args, progress["step"])
        if due(step, args.save_every, args.max_steps):
            save_everything(nets, args, argv, accelerator, progress, (len(data[0]), len(data[1])))


def draw(images: torch.Tensor, batch_size: int, rng: torch.Generator) -> torch.Tensor:
    index = torch.randint(0, len(images), (batch_size,), generator=rng).to(images.device)
    return from_uint8(images[index])


def lsgan(scores: torch.Tensor, real: bool) -> torch.Tensor:
    """Least-squares GAN loss (Mao et al. 2017): scores pulled towards 1 (real) or 0 (fake)."""
    return F.mse_loss(scores, torch.full_like(scores, 1.0 if real else 0.0))


def generator_step(generators, discriminators, optimizer, real: dict, accelerator) -> tuple[dict, dict]:
    """Both generators: fool the other domain's discriminator, survive the round trip, leave targets alone."""
    fake_b, fake_a = generators["ab"](real["a"]), generators["ba"](real["b"])
    adversarial = lsgan(discriminators["b"](fake_b), True) + lsgan(discriminators["a"](fake_a), True)
    cycle = F.l1_loss(generators["ba"](fake_b), real["a"]) + F.l1_loss(generators["ab"](fake_a), real["b"])
    # Identity: a boot fed to sneaker->boot should come out unchanged (keeps tone and outline stable).
    identity = F.l1_loss(generators["ab"](real["b"]), real["b"]) + F.l1_loss(generators["ba"](real["a"]), real["a"])
    loss = adversarial + CYCLE_LAMBDA * cycle + CYCLE_LAMBDA * IDENTITY_WEIGHT * identity
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()
    losses = {"g_adv": adversarial.item(), "cycle": cycle.item(), "identity": identity.item()}
    return {"a": fake_a.detach(), "b": fake_b.detach()}, losses


def discriminator_step(discriminators, optimizer, real: dict, fakes: dict, pools: dict, rng, accelerator) -> float:
    loss = 0.0
    for key in ("a", "b"):
        pooled = pools[key].query(fakes[key], rng)
        scores_real, scores_fake = discriminators[key](real[key]), discriminators[key](pooled)
        loss = loss + 0.5 * (lsgan(scores_real, True) + lsgan(scores_fake, False))  # halved: D learns slower than G
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()
    return float(loss.item())


@torch.no_grad()
def translation_grid(generators, images: dict[str, torch.Tensor]) -> list:
    """Rows: sneakers, sneaker->boot, back to sneaker, boots, boot->sneaker, back to boot."""
    rows = []
    for source, there, back in (("a", "ab", "ba"), ("b", "ba", "ab")):
        translated = generators[there](images[source])
        rows += [images[source], translated, generators[back](translated)]
    return [picture for row in rows for picture in to_uint8(row)]


def save_samples(generators, args, step: int) -> None:
    test_a, test_b = domains("test", args.data_root)
    device = next(generators.parameters()).device
    images = {"a": from_uint8(test_a[:SAMPLE_COUNT]).to(device), "b": from_uint8(test_b[:SAMPLE_COUNT]).to(device)}
    generators.eval()
    save_image_grid(translation_grid(generators, images), sample_path(args.state_dir, step), columns=SAMPLE_COUNT)
    generators.train()


def save_everything(nets, args, argv, accelerator, progress, train_images: tuple[int, int]) -> None:
    """Training state under --state-dir; one checkpoint folder per direction under --out-dir."""
    generators, discriminators, g_optimizer, d_optimizer, pools = nets
    if not accelerator.is_main_process:
        return
    state_dir = Path(args.state_dir)
    generators = accelerator.unwrap_model(generators)
    save_training_state(state_dir / "generators", generators, g_optimizer, progress)
    save_training_state(state_dir / "discriminators", accelerator.unwrap_model(discriminators), d_optimizer, {})
    save_file({key: pool.state().contiguous() for key, pool in pools.items()}, state_dir / "pools.safetensors")
    for key, (name, source, target) in DIRECTIONS.items():
        out = Path(args.out_dir) / name
        save_half(generators[key], out)
        partner = next(other for k, (other, _, _) in DIRECTIONS.items() if k != key)
        write_training_record(args, argv, progress, train_images, out, source, target, partner)


def save_half(generator: ResnetGenerator, out: Path) -> None:
    """fp16 weights (half the size); loading casts them back to whatever dtype the model runs in."""
    half = ResnetGenerator(**generator._hub_mixin_config).half()
    half.load_state_dict({k: v.detach().half() for k, v in generator.state_dict().items()})
    half.save_pretrained(out)


def write_training_record(args, argv, progress, train_images, out: Path, source: int, target: int,
                          partner: str) -> None:
    names = fashion_mnist.CLASS_NAMES
    write_record(
        out, "cyclegan", argv, progress, settings=generator_settings(args),
        direction={"source_class": source, "target_class": target, "source": names[source],
                   "target": names[target], "partner": partner},
        discriminator={"ndf": args.ndf, "n_layers": 2, "receptive_field": 34},
        optimisation={"batch_size": args.batch_size, "max_steps": args.max_steps, "seed": args.seed, "lr": args.lr,
                      "adam_betas": [0.5, 0.999], "lr_schedule": "constant, then linear to 0 over the second half",
                      "cycle_lambda": CYCLE_LAMBDA, "identity_weight": CYCLE_LAMBDA * IDENTITY_WEIGHT,
                      "gan_loss": "least squares", "pool_size": POOL_SIZE},
        weights_dtype="float16",
        data={"source": "fashion_mnist", "train_images": {"Sneaker": train_images[0], "Ankle boot": train_images[1]}})


if __name__ == "__main__":
    main(sys.argv[1:])
