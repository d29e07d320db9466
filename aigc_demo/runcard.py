"""Run cards: everything needed to reproduce an output (model, checkpoint, seed, settings, device)."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from aigc_demo import __version__


def run_card(task: str, model: str, checkpoint: str, seed: int, settings: dict, device: dict, **results) -> dict:
    return {
        "task": task, "model": model, "checkpoint": checkpoint, "seed": seed,
        "settings": settings, **device, **results,
        "app_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_run_card(card: dict, folder: str | Path | None = None) -> str:
    """Save a card as JSON for download; the file lands in a temp folder Gradio serves and cleans."""
    folder = Path(folder or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", suffix=".json", prefix=f"runcard-{card['task']}-",
                                         dir=folder, delete=False, encoding="utf-8")
    with handle:
        json.dump(card, handle, indent=2, ensure_ascii=False)
    return handle.name
