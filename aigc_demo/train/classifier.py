"""Train the Fashion-MNIST judge classifier (used by the image metrics, not by the app's generators).

    python -m aigc_demo.train classifier --out checkpoints/fashion-judge
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from aigc_demo.data import fashion_mnist
from aigc_demo.models.classifier import FashionClassifier
from aigc_demo.pipelines.convert import from_uint8
from aigc_demo.train.common import hardware, training_command


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train classifier", description=__doc__)
    p.add_argument("--out", default="checkpoints/fashion-judge")
    p.add_argument("--data-root", default=str(fashion_mnist.DEFAULT_ROOT))
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    p.add_argument("--smoke", action="store_true")
    if "--smoke" in argv:
        p.set_defaults(epochs=1, batch_size=16)
    return p.parse_args(argv)


@torch.no_grad()
def accuracy(model: FashionClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    predictions = torch.cat([model(batch).argmax(1) for batch in images.split(500)])
    return float((predictions == labels).float().mean())


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    train_x, train_y = fashion_mnist.load("train", args.data_root)
    test_x, test_y = fashion_mnist.load("test", args.data_root)
    train_x, test_x = from_uint8(train_x), from_uint8(test_x)
    train_y, test_y = torch.from_numpy(train_y), torch.from_numpy(test_y)
    torch.manual_seed(args.seed)  # init only; this is a training script
    model = FashionClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * (len(train_x) // args.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=max(1, steps))
    generator = torch.Generator().manual_seed(args.seed)
    start, curve = time.time(), []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        for index in tqdm(order.split(args.batch_size)[: len(train_x) // args.batch_size], desc=f"epoch {epoch + 1}"):
            # Small random shifts: generated images are rarely centred exactly like the data.
            batch = torch.roll(train_x[index], shifts=tuple(torch.randint(-2, 3, (2,), generator=generator).tolist()),
                               dims=(2, 3))
            loss = torch.nn.functional.cross_entropy(model(batch), train_y[index], label_smoothing=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        curve.append({"epoch": epoch + 1, "seconds": round(time.time() - start), "loss": round(loss.item(), 4),
                      "test_accuracy": round(accuracy(model, test_x, test_y), 4)})
        print(json.dumps(curve[-1]))
    out = Path(args.out)
    model.eval().save_pretrained(out)
    (out / "training.json").write_text(json.dumps({
        "family": "classifier", "command": training_command("classifier", argv),
        "data": {"source": "fashion_mnist", "train_images": len(train_x), "test_images": len(test_x)},
        "hardware": hardware(),
        "wall_seconds": round(time.time() - start), "learning_curve": curve}, indent=1))
