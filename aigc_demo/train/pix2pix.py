"""Train a Pix2Pix (U-Net + PatchGAN) for one of three tasks:

    python -m aigc_demo.train pix2pix --task fashion --threads 1   # checkpoints/pix2pix-fashion: complete garments
    python -m aigc_demo.train pix2pix --task photo --threads 1     # checkpoints/pix2pix-photo: fill holes in photos
    python -m aigc_demo.train pix2pix --task restore --threads 1   # checkpoints/restore: remove noise and JPEG artefacts
    python -m aigc_demo.train pix2pix --task fashion --smoke --data-root tiny-idx/ --out-dir /tmp/x   # seconds

The paper's recipe (Isola et al. 2017): a conditional PatchGAN judges (input, output) pairs, the generator
minimises adversarial loss + lambda * L1 to the truth (lambda 100), Adam(2e-4, betas 0.5/0.999), constant
learning rate then linear decay to zero over the second half. Least-squares adversarial loss, as the reference
implementation's default for CycleGAN (more stable on small data than the log loss).

Inpainting (fashion, photo): the input is the picture with the mask's pixels zeroed plus the mask as a channel;
the output is composited (mask pixels from the generator, the rest from the input) before the discriminator and
the L1 see it, so the loss is about what the user would see. The L1 is the mean over the hole plus a tenth of the
mean over the whole picture (early on that teaches copying the context). Masks: random boxes (5-30% of the area),
free-form strokes, or both (aigc_demo/data/masks.py).
Restore: a residual generator (it outputs input + correction). The input is the picture with Gaussian noise
(sigma 0-50 of 255) and, half the time, JPEG compression (quality 10-70) applied, in that order; the target is
the clean picture; L1 over the whole picture.
Photos: random crops (--crop px) of the training photos at a random scale of 0.35-1, random flips (with
--augment also random quarter turns and colour-channel orders); the held-out photos of aigc_demo/data/photos.py
are never used.

Fidelity knobs (defaults: the paper's recipe): --adv-weight scales the adversarial term (lower favours the fill or
clean picture closest to the truth over texture); --ssim-weight gives that share of the reconstruction term to
1 - SSIM (7x7 windows, as the evaluation measures it) instead of L1, the mix of Zhao et al. (2017).
Export knobs (default off): --ema-decay saves an exponential moving average of the generator's weights instead of
the last step's; --precise-bn N recomputes the exported generator's batch-norm statistics at the end of the run as
the mean over N training batches (aigc_demo/train/averaging.py says why).

Resumable (safetensors state for both networks and optimisers under --state-dir; --resume).
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from aigc_demo.data import masks as mask_sets
from aigc_demo.models.pix2pix import NLayerDiscriminator, UnetGenerator, init_weights
from aigc_demo.train.averaging import recalibrate_batch_norm, update_ema
from aigc_demo.train.common import due, log_means, start_run, write_training_record
from aigc_demo.train.cyclegan import draw, learning_rate, lsgan
from aigc_demo.train.images import add_run_arguments, load_split, sample_path, step_generator
from aigc_demo.train_state import load_training_state, save_training_state

CHECKPOINT_NAMES = {"fashion": "pix2pix-fashion", "photo": "pix2pix-photo", "restore": "restore"}
L1_LAMBDA = 100.0  # the paper's weight of the L1 term
CONTEXT_WEIGHT = 0.1  # weight of the whole-picture L1 beside the hole's, for inpainting
FASHION_PAD = 2  # 28x28 garments padded to 32x32, a multiple of 2 ** 5
VALIDATION_COUNT = 32
AVERAGE_FILE = "average.safetensors"  # the --ema-decay weights, beside the generator's training state


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train pix2pix", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=sorted(CHECKPOINT_NAMES), required=True)
    p.add_argument("--out-dir", default="checkpoints", help="writes <out-dir>/<checkpoint name of the task>")
    add_run_arguments(p, "pix2pix", sample_every=500, save_every=200)
    p.add_argument("--ngf", type=int, default=32, help="generator width (first layer's channels)")
    p.add_argument("--max-mult", type=int, default=4, help="inner widths capped at ngf * this")
    p.add_argument("--num-downs", type=int, default=5)
    p.add_argument("--ndf", type=int, default=32, help="discriminator width")
    p.add_argument("--crop", type=int, default=64, help="photo crop side (a multiple of 2 ** num_downs)")
    p.add_argument("--batch-size", type=int, default=None, help="default: 64 for fashion, 12 for photos")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--adv-weight", type=float, default=1.0,
                   help="weight of the adversarial term beside L1 (the paper's 1; lower trades texture for fidelity)")
    p.add_argument("--ssim-weight", type=float, default=0.0,
                   help="share of the reconstruction term given to 1 - SSIM instead of L1 (Zhao et al. 2017 mix 0.84)")
    p.add_argument("--max-box-area", type=float, default=mask_sets.MAX_BOX_AREA,
                   help="photos: the largest share of the crop a training box covers (larger trains for larger holes)")
    p.add_argument("--augment", action="store_true",
                   help="photos: also random quarter turns and colour-channel orders (besides flips)")
    p.add_argument("--ema-decay", type=float, default=0.0,
                   help="save a moving average of the generator's weights with this decay per step (0: off)")
    p.add_argument("--precise-bn", type=int, default=0,
                   help="at the end, batch-norm statistics of the saved generator over this many training batches")
    p.add_argument("--max-steps", type=int, default=3000)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--note", default="", help="a sentence for the training record (e.g. how a run was resumed)")
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(ngf=4, max_mult=2, ndf=4, crop=32, batch_size=4, max_steps=4, log_every=2, sample_every=2,
                       save_every=2)
    args = p.parse_args(argv)
    if args.state_dir == "train_state/pix2pix":
        args.state_dir = f"train_state/{CHECKPOINT_NAMES[args.task]}"
    if args.batch_size is None:
        args.batch_size = 64 if args.task == "fashion" else 12
    return args


def generator_settings(args) -> dict:
    channels = 1 if args.task == "fashion" else 3
    mask_channel = 0 if args.task == "restore" else 1
    settings = {"input_nc": channels + mask_channel, "output_nc": channels, "num_downs": args.num_downs,
                "ngf": args.ngf, "max_mult": args.max_mult}
    return {**settings, "residual": True} if args.task == "restore" else settings


def discriminator_layers(args) -> int:
    """Two stride-2 layers (34 px receptive field) for 32 px garments, three (70 px) for photo crops."""
    return 2 if args.task == "fashion" else 3


# ----------------------------------------------------------------------------- batches
class FashionBatches:
    """Garments padded to 32x32 (black border) with a training mask inside the 28x28 picture."""

    def __init__(self, split: str, root):
        images, _ = load_split(split, root)
        self.images = F.pad(images, [FASHION_PAD] * 4)  # uint8 0 = black, Fashion-MNIST's background

    def draw(self, batch_size: int, rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        clean = draw(self.images, batch_size, rng)
        np_rng = np.random.default_rng(int(torch.randint(0, 2**31, (1,), generator=rng)))
        masks = np.zeros((batch_size, 1, 32, 32), np.float32)
        for mask in masks:
            mask[0, FASHION_PAD:-FASHION_PAD, FASHION_PAD:-FASHION_PAD] = mask_sets.training_mask(28, 28, np_rng)
        return clean, torch.from_numpy(masks)


class PhotoBatches:
    """Random crops of the training photos at a random scale, randomly flipped, as uint8 RGB. With `augment`, also
    turned by a random quarter and with the colour channels in a random order: with a few dozen photos the
    restorer learns their content by heart (on the training photos it beats non-local means by far more than on
    held-out ones), and each turn and colour order is a picture it has not seen."""

    def __init__(self, crop: int, augment: bool = False):
        from aigc_demo.data import photos

        self.keys, self.pictures = photos.load_split("train")
        self.crop, self.augment = crop, augment

    def crops(self, batch_size: int, np_rng: np.random.Generator) -> np.ndarray:
        out = np.empty((batch_size, self.crop, self.crop, 3), np.uint8)
        for i in range(batch_size):
            picture = self.pictures[np_rng.integers(len(self.pictures))]
            h, w = picture.shape[:2]
            scale = max(np_rng.uniform(0.35, 1.0), (self.crop + 1) / min(h, w))
            side = int(self.crop / scale)  # crop this many source pixels, then resize them to `crop`
            top, left = np_rng.integers(0, h - side + 1), np_rng.integers(0, w - side + 1)
            patch = cv2.resize(picture[top:top + side, left:left + side], (self.crop, self.crop),
                               interpolation=cv2.INTER_AREA)
            out[i] = patch[:, ::-1] if np_rng.random() < 0.5 else patch
            if self.augment:
                out[i] = np.rot90(out[i], np_rng.integers(4))[:, :, np_rng.permutation(3)]
        return out

    def draw(self, batch_size: int, rng: torch.Generator) -> tuple[np.ndarray, np.random.Generator]:
        np_rng = np.random.default_rng(int(torch.randint(0, 2**31, (1,), generator=rng)))
        return self.crops(batch_size, np_rng), np_rng


def photo_tensor(pictures: np.ndarray) -> torch.Tensor:
    """uint8 [N, H, W, 3] -> float [N, 3, H, W] in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(pictures)).permute(0, 3, 1, 2).float() / 127.5 - 1


def degrade(picture: np.ndarray, np_rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of a random strength, then (half the time) JPEG at a random quality."""
    sigma = np_rng.uniform(0, 50)
    noisy = np.clip(picture + np_rng.normal(0, sigma, picture.shape), 0, 255).astype(np.uint8)
    if np_rng.random() < 0.5:
        quality = int(np_rng.integers(10, 71))
        ok, encoded = cv2.imencode(".jpg", noisy[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        noisy = cv2.imdecode(encoded, cv2.IMREAD_COLOR)[:, :, ::-1]
    return noisy


def make_pairs(task: str, source, batch_size: int, rng: torch.Generator,
               max_box_area: float = mask_sets.MAX_BOX_AREA):
    """(generator input, target, mask or None) for one step; masks are 1 where the generator must fill."""
    if task == "fashion":
        clean, mask = source.draw(batch_size, rng)
        return torch.cat([clean * (1 - mask), mask], 1), clean, mask
    pictures, np_rng = source.draw(batch_size, rng)
    clean = photo_tensor(pictures)
    if task == "restore":
        return photo_tensor(np.stack([degrade(p, np_rng) for p in pictures])), clean, None
    crop = pictures.shape[1]
    masks = [mask_sets.training_mask(crop, crop, np_rng, max_box_area) for _ in pictures]
    mask = torch.from_numpy(np.stack(masks)).float()
    mask = mask.unsqueeze(1)
    return torch.cat([clean * (1 - mask), mask], 1), clean, mask


# ----------------------------------------------------------------------------- steps
def composite(output: torch.Tensor, inputs: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """What the user sees: the generator's pixels in the hole, the input's elsewhere (restore: all generator)."""
    if mask is None:
        return output
    return output * mask + inputs[:, :output.shape[1]] * (1 - mask)


def reconstruction_loss(output: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    error = (output - target).abs()
    if mask is None:
        return error.mean()
    hole = (error * mask).sum() / (mask.sum() * output.shape[1]).clamp(min=1)
    return hole + CONTEXT_WEIGHT * error.mean()


def ssim_loss(output: torch.Tensor, target: torch.Tensor, window: int = 7) -> torch.Tensor:
    """1 - mean SSIM over 7x7 uniform windows (the evaluation's skimage setting), for pictures in [-1, 1]."""
    c1, c2 = (0.01 * 2) ** 2, (0.03 * 2) ** 2  # K1, K2 with a data range of 2

    def mean(x: torch.Tensor) -> torch.Tensor:  # local means over every full window (skimage crops the border)
        return F.avg_pool2d(x, window, stride=1)

    mu_x, mu_y = mean(output), mean(target)
    var_x, var_y = mean(output * output) - mu_x ** 2, mean(target * target) - mu_y ** 2
    covariance = mean(output * target) - mu_x * mu_y
    ssim = ((2 * mu_x * mu_y + c1) * (2 * covariance + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))
    return 1 - ssim.mean()


def training_step(nets, optimizers, batch, accelerator, adv_weight: float = 1.0,
                  ssim_weight: float = 0.0) -> dict:
    """One generator update, then one discriminator update on (input, output) pairs (none at --adv-weight 0)."""
    generator, discriminator = nets
    g_optimizer, d_optimizer = optimizers
    inputs, target, mask = batch
    output = generator(inputs)
    fake = composite(output, inputs, mask)
    l1 = reconstruction_loss(output, target, mask)
    reconstruction = (1 - ssim_weight) * l1 + (ssim_weight * ssim_loss(fake, target) if ssim_weight else 0.0)
    if not adv_weight:  # reconstruction alone: the critic is neither asked nor trained (a third of a step saved)
        g_optimizer.zero_grad(set_to_none=True)
        accelerator.backward(L1_LAMBDA * reconstruction)
        g_optimizer.step()
        return {"g_adv": 0.0, "l1": l1.item(), "d_loss": 0.0}
    adversarial = lsgan(discriminator(torch.cat([inputs, fake], 1)), True)
    g_optimizer.zero_grad(set_to_none=True)
    accelerator.backward(adv_weight * adversarial + L1_LAMBDA * reconstruction)
    g_optimizer.step()
    d_real = discriminator(torch.cat([inputs, target], 1))
    d_fake = discriminator(torch.cat([inputs, fake.detach()], 1))
    d_loss = 0.5 * (lsgan(d_real, True) + lsgan(d_fake, False))
    d_optimizer.zero_grad(set_to_none=True)
    accelerator.backward(d_loss)
    d_optimizer.step()
    return {"g_adv": adversarial.item(), "l1": l1.item(), "d_loss": d_loss.item()}


@torch.no_grad()
def validation_l1(generator, batch) -> float:
    """Mean absolute error (0-1 pixel units) of the composited output on a fixed validation batch."""
    inputs, target, mask = batch
    generator.eval()
    fake = composite(generator(inputs), inputs, mask)
    generator.train()
    if mask is None:
        return round(float((fake - target).abs().mean() / 2), 5)
    return round(float(((fake - target).abs() * mask).sum() / (mask.sum() * fake.shape[1]) / 2), 5)


def validation_batch(task: str, args):
    """A fixed batch: Fashion-MNIST test garments, or crops of training photos (the held-out photos stay unseen)."""
    rng = torch.Generator().manual_seed(args.seed + 1)
    source = FashionBatches("test", args.data_root) if task == "fashion" else PhotoBatches(args.crop)
    return make_pairs(task, source, VALIDATION_COUNT, rng, args.max_box_area)


# ----------------------------------------------------------------------------- run
def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    torch.manual_seed(args.seed)  # weight init only; this is a training script, not a request path
    settings = generator_settings(args)
    generator = UnetGenerator(**settings)
    discriminator = NLayerDiscriminator(settings["input_nc"] + settings["output_nc"], args.ndf,
                                        n_layers=discriminator_layers(args))
    generator.apply(init_weights)
    discriminator.apply(init_weights)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    progress = {"step": 0, "log": [], "seconds": 0.0}
    state_dir = Path(args.state_dir)
    if args.resume and (state_dir / "generator" / "state.json").exists():
        progress = load_training_state(state_dir / "generator", generator, g_optimizer)
        load_training_state(state_dir / "discriminator", discriminator, d_optimizer)
    average = load_average(generator, state_dir) if args.ema_decay else None
    if args.task == "fashion":
        source = FashionBatches("train", args.data_root)
    else:
        source = PhotoBatches(args.crop, args.augment)
    run((generator, discriminator, average), (g_optimizer, d_optimizer), source, args, argv, accelerator, progress)


def load_average(generator: UnetGenerator, state_dir: Path) -> UnetGenerator:
    """The saved weight average, or (a run that starts --ema-decay) a copy of the generator as it stands."""
    from safetensors.torch import load_file

    average = copy.deepcopy(generator).requires_grad_(False)
    path = state_dir / "generator" / AVERAGE_FILE
    if path.exists():
        average.load_state_dict(load_file(path), strict=True)
    return average


def run(nets, optimizers, source, args, argv, accelerator, progress) -> None:
    generator, discriminator, average = nets
    start, seconds_before = time.time(), progress["seconds"]
    validation = validation_batch(args.task, args)
    sums = {"g_adv": 0.0, "l1": 0.0, "d_loss": 0.0, "steps": 0}
    bar = tqdm(range(progress["step"], args.max_steps), desc=f"pix2pix {args.task}", mininterval=30)
    for step in bar:
        for optimizer in optimizers:
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, args)
        batch = make_pairs(args.task, source, args.batch_size, step_generator(args.seed, step), args.max_box_area)
        losses = training_step((generator, discriminator), optimizers, batch, accelerator, args.adv_weight,
                               args.ssim_weight)
        if average is not None:
            update_ema(average, generator, args.ema_decay, copy_buffers=True)
        for key, value in losses.items():
            sums[key] += value
        sums["steps"] += 1
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        if due(step, args.log_every, args.max_steps):
            log_means(progress, sums, accelerator, val_l1=validation_l1(average or generator, validation))
        if due(step, args.sample_every, args.max_steps):
            save_samples(average or generator, validation, args, progress["step"])
        if due(step, args.save_every, args.max_steps):
            save_everything(nets, optimizers, args, argv, progress, source)


def save_samples(generator, batch, args, step: int) -> None:
    """Rows: inputs (holes grey), outputs composited, truths; 8 validation pictures."""
    from PIL import Image

    inputs, target, mask = batch
    with torch.no_grad():
        generator.eval()
        fake = composite(generator(inputs[:8]), inputs[:8], None if mask is None else mask[:8])
        generator.train()
    shown = inputs[:8, :target.shape[1]]
    if mask is not None:
        shown = shown * (1 - mask[:8])  # zeroed holes show as mid grey
    rows = torch.cat([torch.cat(list(row), 2) for row in (shown, fake, target[:8])], 1)  # [C, 3H, 8W]
    picture = ((rows.clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).squeeze(2).numpy()
    path = sample_path(args.state_dir, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(picture).save(path)


def save_everything(nets, optimizers, args, argv, progress, source) -> None:
    """Training state under --state-dir; the generator (or its average) in half precision under --out-dir, with
    precise batch-norm statistics once the run is done."""
    from safetensors.torch import save_file

    generator, discriminator, average = nets
    state_dir = Path(args.state_dir)
    save_training_state(state_dir / "generator", generator, optimizers[0], progress)
    save_training_state(state_dir / "discriminator", discriminator, optimizers[1], {})
    if average is not None:
        save_file({k: v.contiguous() for k, v in average.state_dict().items()}, state_dir / "generator" / AVERAGE_FILE)
    exported = average or generator
    if args.precise_bn and progress["step"] >= args.max_steps:
        exported = recalibrate_batch_norm(exported, calibration_inputs(args, source))
    out = Path(args.out_dir) / CHECKPOINT_NAMES[args.task]
    save_half(exported, out)
    write_record(args, argv, progress, out, source)


def calibration_inputs(args, source):
    """--precise-bn generator inputs, drawn as training batches are (own seed stream: the training steps' draws
    are not repeated)."""
    for index in range(args.precise_bn):
        yield make_pairs(args.task, source, args.batch_size, step_generator(args.seed + 1, index), args.max_box_area)[0]


def save_half(generator: UnetGenerator, out: Path) -> None:
    """fp16 weights (half the size); batch-norm running statistics kept too, as loading needs them."""
    half = UnetGenerator(**generator._hub_mixin_config)
    half.load_state_dict(generator.state_dict())
    half.half().save_pretrained(out)


def write_record(args, argv, progress, out: Path, source) -> None:
    if args.task == "fashion":
        data = {"source": "fashion_mnist", "train_images": len(source.images)}
    else:
        from aigc_demo.data import photos

        data = {"source": "photos", "train_photos": list(source.keys), "heldout_photos": photos.HELDOUT,
                "license": photos.describe(source.keys), "crop": args.crop, "max_box_area": args.max_box_area,
                "augment": "flips, quarter turns, colour-channel orders" if args.augment else "flips"}
    write_training_record(
        out, "pix2pix", argv, progress, task=args.task, settings=generator_settings(args),
        discriminator={"ndf": args.ndf, "n_layers": discriminator_layers(args)},
        optimisation={"batch_size": args.batch_size, "max_steps": args.max_steps, "seed": args.seed, "lr": args.lr,
                      "adam_betas": [0.5, 0.999], "lr_schedule": "constant, then linear to 0 over the second half",
                      "l1_lambda": L1_LAMBDA, "adversarial_weight": args.adv_weight, "ssim_weight": args.ssim_weight,
                      "weight_average_decay": args.ema_decay or None, "precise_bn_batches": args.precise_bn or None,
                      "gan_loss": "least squares",
                      "context_weight": None if args.task == "restore" else CONTEXT_WEIGHT},
        weights_dtype="float16", data=data, **({"note": args.note} if args.note else {}))


if __name__ == "__main__":
    main(sys.argv[1:])
