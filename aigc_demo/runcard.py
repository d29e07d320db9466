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


RUN_CARD_DIR = Path(tempfile.gettempdir()) / "aigc-studio-runcards"
KEEP_SECONDS = 3600


def write_run_card(card: dict, folder: str | Path | None = None) -> str:
    """Save a card as JSON for download. Gradio copies it into its own cache (cleaned by delete_cache),
    so our copies older than an hour are removed here to keep the temp folder bounded."""
    folder = Path(folder or RUN_CARD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    prune(folder, KEEP_SECONDS)
    handle = tempfile.NamedTemporaryFile("w", suffix=".json", prefix=f"runcard-{card['task']}-",
                                         dir=folder, delete=False, encoding="utf-8")
    with handle:
        json.dump(card, handle, indent=2, ensure_ascii=False)
    return handle.name


def prune(folder: Path, older_than_seconds: float) -> None:
    cutoff = time.time() - older_than_seconds
    for path in folder.glob("runcard-*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another request removed it first
