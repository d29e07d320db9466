"""The scaffold every newer trainer shares: run options, resume, a time budget, and the cadence of logging,
sampling and saving. A trainer supplies its own step; this runs it.

Run options: --out, --resume, --init-from, --max-steps, --max-minutes, --threads, --seed, --smoke.
Resume reads the state folder (weights, optimizer, step, learning curve: safetensors + JSON, no pickles); --init-from
starts new optimisation from a committed checkpoint's weights, so a fresh machine carries on where one stopped.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm


def add_run_options(p: argparse.ArgumentParser, out: str, max_steps: int, max_minutes: float = 0) -> None:
    p.add_argument("--out", default=out, help="checkpoint folder to write")
    p.add_argument("--resume", action="store_true", help="continue from the state folder")
    p.add_argument("--state-dir", default="", help="resumable state (default: train_state/<name of --out>)")
    p.add_argument("--init-from", default=None, help="start from this checkpoint folder's weights")
    p.add_argument("--max-steps", type=int, default=max_steps, help="total optimisation steps")
    p.add_argument("--max-minutes", type=float, default=max_minutes, help="stop (and save) after this long; 0 = no limit")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--smoke", action="store_true", help="tiny model and a few steps, for tests")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--save-every", type=int, default=500, help="write the checkpoint every N steps and at the end")


def state_folder(args) -> Path:
    return Path(args.state_dir or Path("train_state") / Path(args.out).name)


@dataclass
class Progress:
    step: int = 0
    seconds: float = 0.0
    log: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"step": self.step, "seconds": self.seconds, "log": self.log}


@dataclass
class Loop:
    """`step_fn(step) -> {metric: float}` runs one optimisation step; `save_fn(progress)` writes the checkpoint
    and the resumable state; `evaluate_fn(progress) -> {metric: float}` runs at each save (optional)."""
    step_fn: Callable[[int], dict]
    save_fn: Callable[[Progress], None]
    max_steps: int
    max_minutes: float = 0
    log_every: int = 50
    save_every: int = 500
    evaluate_fn: Callable[[Progress], dict] | None = None
    print_fn: Callable[[str], None] = print

    def run(self, progress: Progress) -> Progress:
        sums: dict[str, float] = {}
        count, started, base = 0, time.time(), progress.seconds
        bar = tqdm(range(progress.step, self.max_steps), initial=progress.step, total=self.max_steps,
                   mininterval=30, disable=None)
        for step in bar:
            for key, value in self.step_fn(step).items():
                sums[key] = sums.get(key, 0.0) + float(value)
            count += 1
            progress.step, progress.seconds = step + 1, base + time.time() - started
            out_of_time = self.max_minutes and progress.seconds - base > 60 * self.max_minutes
            last = progress.step == self.max_steps or out_of_time
            if progress.step % self.log_every == 0 or last:
                entry = {"step": progress.step, "seconds": round(progress.seconds, 1),
                         **{k: round(v / max(1, count), 5) for k, v in sums.items()}}
                if self.evaluate_fn is not None and (progress.step % self.save_every == 0 or last):
                    entry.update(self.evaluate_fn(progress))
                progress.log.append(entry)
                self.print_fn(json.dumps(entry))
                sums, count = {}, 0
            if progress.step % self.save_every == 0 or last:
                self.save_fn(progress)
            if out_of_time:
                break
        return progress


def read_progress(state_dir: Path) -> Progress:
    meta = json.loads((state_dir / "progress.json").read_text())
    return Progress(meta["step"], meta["seconds"], meta["log"])


def write_progress(state_dir: Path, progress: Progress) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "progress.json").write_text(json.dumps(progress.as_dict()))


def save_state(state_dir: Path, model: torch.nn.Module, optimizer, progress: Progress,
               ema: torch.nn.Module | None = None) -> None:
    """Weights, EMA, optimizer moments and progress, all safetensors or JSON."""
    from aigc_demo.train_state import save_training_state
    from safetensors.torch import save_file

    save_training_state(state_dir, model, optimizer, {"step": progress.step})
    if ema is not None:
        save_file({k: v.detach().contiguous().clone() for k, v in ema.state_dict().items()}, state_dir / "ema.safetensors")
    write_progress(state_dir, progress)


def load_state(state_dir: Path, model: torch.nn.Module, optimizer, ema: torch.nn.Module | None = None) -> Progress:
    from aigc_demo.train_state import load_training_state
    from safetensors.torch import load_file

    load_training_state(state_dir, model, optimizer)
    if ema is not None:
        ema.load_state_dict(load_file(state_dir / "ema.safetensors"), strict=True)
    return read_progress(state_dir)
