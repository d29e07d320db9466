"""Train the emoji judge (the subcategory classifier the colour generators are measured with).

    python -m aigc_demo.train emoji-judge --out checkpoints/emoji-judge --threads 1 --max-minutes 20
    python -m aigc_demo.train emoji-judge --smoke --out /tmp/judge     # seconds, no emoji data needed

Trained on the training concepts in all three styles and checked on the held-out concepts, which it has never
seen in any style. Augmentations (shifts, scale, blur, colour) keep it reading generated pictures, which are
softer and less centred than the real ones.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
import torch
import torch.nn.functional as F

from aigc_demo.models.emoji_judge import EmojiJudge
from aigc_demo.train.common import start_run, warmup_cosine, write_training_record
from aigc_demo.pipelines.convert import from_uint8_rgb
from aigc_demo.train.loop import Loop, Progress, add_run_options, load_state, save_state, state_folder


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train emoji-judge", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(p, out="checkpoints/emoji-judge", max_steps=3000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    if "--smoke" in argv:
        p.set_defaults(batch_size=4, max_steps=3, log_every=1, save_every=3)
    return p.parse_args(argv)


def labelled_split(heldout: bool, smoke: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(images uint8 [N, 64, 64, 3], subcategory indices, class names)."""
    if smoke:
        rng = np.random.default_rng(int(heldout))
        return rng.integers(0, 256, (8, 64, 64, 3), dtype=np.uint8), rng.integers(0, 3, 8), ["a", "b", "c"]
    from aigc_demo.data import emoji

    classes = emoji.subcategories()
    records, images = emoji.split(heldout)
    return images, np.array([classes.index(r.subcategory) for r in records]), classes


def augment(batch: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Random scale and shift (one affine per image), a blur for a third of them, and brightness jitter."""
    n = len(batch)
    scale = 0.8 + 0.35 * torch.rand(n, generator=g)
    shift = (torch.rand(n, 2, generator=g) - 0.5) * 0.25
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, batch.shape, align_corners=False)
    out = F.grid_sample(batch, grid, align_corners=False)
    out = torch.where(  # what the shift uncovers is white, like the emoji's background
grid.abs().amax(-1, keepdim=True).permute(0, 3, 1, 2) > 1, torch.ones_like(out), out)
    blurred = F.avg_pool2d(out, 3, stride=1, padding=1, count_include_pad=False)
    blur = (torch.rand(n, 1, 1, 1, generator=g) < 0.33).float()
    out = blur * blurred + (1 - blur) * out
    return (out * (0.85 + 0.3 * torch.rand(n, 1, 1, 1, generator=g))).clamp(-1, 1)


@torch.no_grad()
def accuracy(model: EmojiJudge, images: np.ndarray, labels: np.ndarray, device) -> float:
    model.eval()
    predictions = torch.cat([model(from_uint8_rgb(images[i:i + 256]).to(device)).argmax(1).cpu()
                             for i in range(0, len(images), 256)])
    model.train()
    return float((predictions.numpy() == labels).mean())


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    images, labels, classes = labelled_split(False, args.smoke)
    held_images, held_labels, _ = labelled_split(True, args.smoke)
    torch.manual_seed(args.seed)  # init only; this is a training script
    model = EmojiJudge(num_classes=len(classes), classes=tuple(classes))
    if args.init_from:
        model.load_state_dict(EmojiJudge.from_pretrained(args.init_from).state_dict())
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    state_dir = state_folder(args)
    progress = load_state(state_dir, model, optimizer) if args.resume else Progress()
    wrapped, optimizer = accelerator.prepare(model, optimizer)
    g = torch.Generator().manual_seed(args.seed + progress.step)
    labels_t = torch.from_numpy(labels)

    def step(index: int) -> dict:
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(index, args.lr, 100, args.max_steps)
        rows = torch.randint(0, len(images), (args.batch_size,), generator=g)
        batch = augment(from_uint8_rgb(images[rows.numpy()]), g).to(accelerator.device)
        loss = F.cross_entropy(wrapped(batch), labels_t[rows].to(accelerator.device), label_smoothing=0.1)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        optimizer.step()
        return {"loss": loss.item()}

    def evaluate(progress: Progress) -> dict:
        return {"heldout_concept_accuracy": round(accuracy(model, held_images, held_labels, accelerator.device), 4)}

    def save(progress: Progress) -> None:
        if not accelerator.is_main_process:
            return
        save_state(state_dir, model, optimizer, progress)
        model.eval().save_pretrained(args.out)
        model.train()
        write_training_record(args.out, "emoji-judge", argv, progress.as_dict(), images=len(images),
                              heldout_images=len(held_images), classes=len(classes))

    Loop(step, save, args.max_steps, args.max_minutes, args.log_every, args.save_every, evaluate,
         accelerator.print).run(progress)


if __name__ == "__main__":
    main(sys.argv[1:])
