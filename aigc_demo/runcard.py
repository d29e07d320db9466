"""Run cards: everything needed to reproduce an output (model, checkpoint, seed, settings, device)."""
from __future__ import annotations

import json
import time
from pathlib import Path

from aigc_demo import __version__
from aigc_demo.tempfiles import new_output_path


def run_card(task: str, model: str, checkpoint: str, seed: int, settings: dict, device: dict, **results) -> dict:
    return {
        "task": task, "model": model, "checkpoint": checkpoint, "seed": seed,
        "settings": settings, **device, **results,
        "app_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_run_card(card: dict, folder: str | Path | None = None) -> str:
    """Save a card as JSON for download (in the pruned output folder)."""
    path = new_output_path(f"runcard-{card['task']}-", ".json", folder)
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    return str(path)
