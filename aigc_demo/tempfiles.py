"""Files the app writes for download (run cards, GIFs) in one folder whose old files are pruned.

Gradio copies returned files into its own cache (cleaned by delete_cache); our originals would
otherwise pile up in /tmp, so every new file first removes ours older than an hour.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

OUTPUT_DIR = Path(tempfile.gettempdir()) / "aigc-studio-outputs"
KEEP_SECONDS = 3600


def new_output_path(prefix: str, suffix: str, folder: str | Path | None = None) -> Path:
    folder = Path(folder or OUTPUT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    prune(folder, KEEP_SECONDS)
    handle = tempfile.NamedTemporaryFile(prefix=prefix, suffix=suffix, dir=folder, delete=False)
    handle.close()
    return Path(handle.name)


def prune(folder: Path, older_than_seconds: float) -> None:
    cutoff = time.time() - older_than_seconds
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another request removed it first
