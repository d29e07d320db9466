"""Small pieces every training script shares: the learning-rate schedule and the training record's facts."""
from __future__ import annotations

import json
import math
import platform
import shlex

import torch


def warmup_cosine(step: int, peak: float, warmup: int, max_steps: int) -> float:
    """Linear warm-up to `peak`, then cosine decay to a tenth of it at `max_steps`."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, max_steps - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def hardware() -> str:
    """What the run ran on, for the model card (the GPU's name when there is one)."""
    accelerator = f"CUDA: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "CPU only"
    return f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads, {accelerator}"


def training_command(family: str, argv: list[str]) -> str:
    return f"python -m aigc_demo.train {family} " + shlex.join(argv)


def write_training_record(out, family: str, argv: list[str], progress: dict, **fields) -> None:
    """<out>/training.json, what the model card's training section is rendered from: the family's own
    fields (settings, optimisation, data, ...) plus the facts every run shares."""
    from pathlib import Path

    record = {"family": family, "command": training_command(family, argv), **fields, "hardware": hardware(),
              "wall_seconds": round(progress["seconds"]), "learning_curve": progress["log"]}
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "training.json").write_text(json.dumps(record, indent=1))


def earlier_runs(init_from) -> list[dict]:
    """The runs behind an --init-from checkpoint, oldest first, as its training.json records them (the card's
    training section lists every run a model's weights went through)."""
    from pathlib import Path

    if not init_from or not (Path(init_from) / "training.json").is_file():
        return []
    record = json.loads((Path(init_from) / "training.json").read_text())
    curve = record.get("learning_curve") or [{}]
    summary = {"command": record.get("command"), "wall_seconds": record.get("wall_seconds"),
               "steps": curve[-1].get("step"), "hardware": record.get("hardware"), "settings": record.get("settings")}
    return record.get("earlier_runs", []) + [summary]


def due(step: int, every: int, max_steps: int) -> bool:
    """Whether a job run every `every` steps (0 = never) falls after 0-based `step`; jobs always run at the end."""
    return bool(every) and ((step + 1) % every == 0 or step + 1 == max_steps)


def start_run(args):
    """Thread count, then the Accelerator (one code path for this CPU, one GPU or many)."""
    from accelerate import Accelerator

    if getattr(args, "threads", 0):
        torch.set_num_threads(args.threads)
    return Accelerator()


def log_means(progress: dict, sums: dict, accelerator, **extra) -> None:
    """Append the mean of each running sum since the last entry (plus `extra`) to the learning curve, then reset."""
    steps = max(1, sums["steps"])
    entry = {"step": progress["step"], "seconds": round(progress["seconds"], 1),
             **{k: round(v / steps, 4) for k, v in sums.items() if k != "steps"}, **extra}
    progress["log"].append(entry)
    accelerator.print(json.dumps(entry))
    sums.update({k: 0.0 for k in sums if k != "steps"}, steps=0)
