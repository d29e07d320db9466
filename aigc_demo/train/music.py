"""Train ChoraleLSTM on Bach's chorales (music21 corpus), eighth-note SATB grid, transposition augmentation.

    python -m aigc_demo.train music --threads 1                 # checkpoints/music-bach, ~30 min on one core
    python -m aigc_demo.train music --smoke --out /tmp/tiny     # seconds

Each step draws windows of --window-bars bars that start on a bar line (BOS first, so the model learns
to open a phrase from nothing, as the app's sampler does), each chorale transposed by a random number of
semitones that keeps all four voices inside the vocabulary. Held-out NLL per token (the held-out tenth of
the chorales, untransposed, whole pieces) is measured every --eval-every steps; the checkpoint is the step
where it was lowest. Resumable: safetensors state under --state-dir every --save-every steps, --resume.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from aigc_demo.data import chorales
from aigc_demo.eval.music import heldout_nll
from aigc_demo.models.music import ChoraleLSTM, sequence_inputs
from aigc_demo.train.common import due, log_means, start_run, warmup_cosine, write_training_record as write_record
from aigc_demo.train_state import load_training_state, save_training_state

IGNORE = -100  # target value of padding, skipped by the loss


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train music", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="checkpoints/music-bach")
    p.add_argument("--state-dir", default="train_state/music")
    p.add_argument("--data-cache", default=None, help="folder of the encoded-chorale cache (default /work/data_cache)")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--smoke", action="store_true", help="tiny model and a few steps, for tests")
    p.add_argument("--d-embed", type=int, default=128)
    p.add_argument("--d-hidden", type=int, default=256)
    p.add_argument("--n-layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--window-bars", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--max-steps", type=int, default=2500)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--save-every", type=int, default=250)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    p.add_argument("--note", default="", help="a sentence for the model card (e.g. how a resumed run was changed)")
    if "--smoke" in argv:  # tiny defaults; options given explicitly still win
        p.set_defaults(d_embed=8, d_hidden=16, n_layers=1, window_bars=2, batch_size=4, max_steps=4,
                       log_every=2, eval_every=2, save_every=2, warmup=1)
    return p.parse_args(argv)


def model_settings(args) -> dict:
    return {"d_embed": args.d_embed, "d_hidden": args.d_hidden, "n_layers": args.n_layers, "dropout": args.dropout}


def bar_starts(chorale: chorales.Chorale) -> np.ndarray:
    per_bar = chorales.frames_per_bar(chorale.metre)
    return np.arange(chorale.pickup_frames, len(chorale.tokens), per_bar)


def frame_beats(chorale: chorales.Chorale, start: int, count: int) -> np.ndarray:
    return np.array([chorales.beat_index(f, chorale.metre, chorale.pickup_frames) for f in range(start, start + count)])


def random_window(chorale: chorales.Chorale, bars: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(frames [W, 4] with IGNORE padding past the chorale's end, beats [W]) of `bars` bars from a random
    bar line, transposed by a random allowed shift."""
    per_bar = chorales.frames_per_bar(chorale.metre)
    width = bars * per_bar
    starts = bar_starts(chorale)
    fitting = starts[starts + width <= len(chorale.tokens)]
    start = int(rng.choice(fitting if len(fitting) else starts[:1]))
    frames = chorale.tokens[start:start + width]
    low, high = chorales.transposition_range(frames)
    frames = chorales.transpose(frames, int(rng.integers(max(low, -6), min(high, 6) + 1)))
    window = np.full((width, 4), IGNORE, dtype=np.int64)
    window[:len(frames)] = frames
    return window, frame_beats(chorale, start, width)


def random_batch(pieces: list[chorales.Chorale], args, rng: np.random.Generator) -> tuple[torch.Tensor, ...]:
    """(inputs, targets, next_voice, next_beat) [B, T]; metres are not mixed within a batch (windows differ in width)."""
    metre = "3/4" if rng.random() < sum(c.metre == "3/4" for c in pieces) / len(pieces) else "4/4"
    pool = [c for c in pieces if c.metre == metre] or pieces
    weights = np.array([len(c.tokens) for c in pool], dtype=float)
    picks = rng.choice(len(pool), size=args.batch_size, p=weights / weights.sum())
    windows = [random_window(pool[i], args.window_bars, rng) for i in picks]
    frames = torch.from_numpy(np.stack([w for w, _ in windows]))
    beats = torch.from_numpy(np.stack([b for _, b in windows]))
    inputs, targets, next_voice, next_beat = sequence_inputs(frames.clamp(min=0), beats)
    inputs = inputs.clone()
    targets = frames.reshape(len(frames), -1)  # keeps IGNORE where the window ran past the chorale's end
    inputs[:, 1:][targets[:, :-1] == IGNORE] = chorales.REST
    return inputs, targets, next_voice, next_beat


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    accelerator = start_run(args)
    torch.manual_seed(args.seed)  # weight init and dropout; a training script, not a request path
    cache = Path(args.data_cache) if args.data_cache else None
    train, heldout = chorales.load("train", cache), chorales.load("heldout", cache)
    model = ChoraleLSTM(**model_settings(args))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    progress = {"step": 0, "log": [], "seconds": 0.0, "best_nll": float("inf")}
    if args.resume and (Path(args.state_dir) / "state.json").exists():
        progress = load_training_state(args.state_dir, model, optimizer)
    model, optimizer = accelerator.prepare(model, optimizer)
    run(model, optimizer, (train, heldout), args, argv, accelerator, progress)


def run(model, optimizer, data, args, argv, accelerator, progress) -> None:
    train, heldout = data
    start, seconds_before = time.time(), progress["seconds"]
    sums = {"train_loss": 0.0, "steps": 0}
    bar = tqdm(range(progress["step"], args.max_steps), desc="music", disable=not accelerator.is_main_process)
    for step in bar:
        rng = np.random.default_rng([args.seed, step])  # resuming at step k draws what step k drew before
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(step, args.lr, args.warmup, args.max_steps)
        inputs, targets, voices, beats = (t.to(accelerator.device) for t in random_batch(train, args, rng))
        logits, _ = model(inputs, voices, beats)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        sums["train_loss"] += loss.item()
        sums["steps"] += 1
        progress["step"], progress["seconds"] = step + 1, seconds_before + time.time() - start
        bar.set_postfix(loss=f"{loss.item():.3f}")
        evaluating = due(step, args.eval_every, args.max_steps)
        if evaluating:
            evaluate_and_keep_best(accelerator.unwrap_model(model), heldout, args, argv, progress, len(train))
        if due(step, args.log_every, args.max_steps):
            extra = {"heldout_nll": progress["log_nll"]} if evaluating else {}
            log_means(progress, sums, accelerator, **extra)
        if due(step, args.save_every, args.max_steps) and accelerator.is_main_process:
            save_training_state(args.state_dir, accelerator.unwrap_model(model), optimizer, progress)
    if accelerator.is_main_process and "best_step" in progress:  # the record covers the whole run, not just the best step
        write_training_record(args, argv, progress, len(train), len(heldout))


def evaluate_and_keep_best(model, heldout, args, argv, progress, train_count: int) -> None:
    """Held-out NLL now; when it is the lowest so far, this step becomes the checkpoint."""
    model.eval()
    nll = heldout_nll(model, heldout)["nll_per_token"]
    model.train()
    progress["log_nll"] = round(nll, 4)
    if nll < progress["best_nll"]:
        progress["best_nll"], progress["best_step"] = nll, progress["step"]
        save_checkpoint(model, args)
        write_training_record(args, argv, progress, train_count, len(heldout))


def save_checkpoint(model: ChoraleLSTM, args) -> None:
    """fp16 weights (half the size; eval measures exactly these, run in float32)."""
    half = ChoraleLSTM(**model._hub_mixin_config).half()
    half.load_state_dict({k: v.detach().half() for k, v in model.state_dict().items()})
    half.save_pretrained(args.out)


def write_training_record(args, argv, progress, train_count: int, heldout_count: int) -> None:
    write_record(
        args.out, "music", argv, progress, settings=model_settings(args), weights_dtype="float16",
        note=args.note or None, best_step=progress.get("best_step"), best_heldout_nll=round(progress["best_nll"], 4),
        optimisation={"batch_size": args.batch_size, "window_bars": args.window_bars, "max_steps": args.max_steps,
                      "lr": args.lr, "warmup": args.warmup, "schedule": "warm-up then cosine to lr/10",
                      "optimizer": "AdamW (weight decay 0.01), gradient clipping 1.0", "seed": args.seed,
                      "augmentation": "random transposition within +-6 semitones that stays in range"},
        data={"source": "bach_chorales", "description": chorales.SOURCE, "train_chorales": train_count,
              "heldout_chorales": heldout_count, "encoding": "eighth-note grid, SATB tokens per frame",
              "heldout_rule": f"every {chorales.HELD_OUT_EVERY}th usable chorale in corpus order"})


if __name__ == "__main__":
    main(sys.argv[1:])
