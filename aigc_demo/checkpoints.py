"""Where bundled checkpoints live, and what their model cards say."""
from __future__ import annotations

import contextlib
import functools
import json
import os
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def checkpoints_dir() -> Path:
    """checkpoints/ beside app.py, or AIGC_CHECKPOINTS (tests point it at tiny models)."""
    return Path(os.environ.get("AIGC_CHECKPOINTS", REPO_ROOT / "checkpoints")).resolve()


def intact(folder: Path) -> bool:
    """Whether a checkpoint folder looks loadable without loading it: its config.json parses and every
    safetensors file's header opens (which catches truncated, empty and non-safetensors files).
    Damaged checkpoints are left out of the menus, so one broken model doesn't break its tab. Menus ask on
    every request, so the answer is cached per file state (path, size, modification time)."""
    files = [folder / "config.json", *sorted(folder.rglob("*.safetensors"))]
    try:
        state = tuple((str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in files)
    except OSError:
        return False
    return len(files) > 1 and _files_open(state)


@functools.lru_cache(maxsize=256)
def _files_open(state: tuple) -> bool:
    from safetensors import SafetensorError, safe_open

    config, *weights = (Path(path) for path, _, _ in state)
    try:
        json.loads(config.read_text())
        for path in weights:
            with safe_open(str(path), framework="numpy"):
                pass
    except (OSError, ValueError, SafetensorError):
        return False
    return True


def bundled(model_types: set[str]) -> list[str]:
    """Names of intact checkpoint folders whose config.json has one of `model_types`, sorted."""
    root = checkpoints_dir()
    if not root.is_dir():
        return []
    names = []
    for config in sorted(root.glob("*/config.json")):
        try:
            if json.loads(config.read_text()).get("model_type") in model_types and intact(config.parent):
                names.append(config.parent.name)
        except (OSError, json.JSONDecodeError):
            continue
    return names


def read_json(path: Path) -> dict:
    """A checkpoint's JSON record (training.json, config.json), or {} when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def model_card(name: str) -> tuple[dict, str]:
    """(front matter, markdown body) of checkpoints/<name>/README.md; empty when there is none."""
    path = checkpoints_dir() / name / "README.md"
    if not path.is_file():
        return {}, ""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        _, front, body = text.split("---\n", 2)
        return yaml.safe_load(front) or {}, body
    return {}, text


@contextlib.contextmanager
def load_errors(name: str, hint: str = "the other models still work.", what: str = "checkpoint"):
    """Turn a failed load inside the block (missing, truncated or mismatched files) into one sentence that names
    the model, for every loader here: hub-mixin folders, diffusers folders and package weight files."""
    from aigc_demo.errors import ModelUnavailableError

    try:
        yield
    except (OSError, RuntimeError, ValueError) as error:
        if isinstance(error, ModelUnavailableError):  # already one sentence (a RuntimeError too)
            raise
        raise ModelUnavailableError(f"The {name} {what} failed to load ({type(error).__name__}); {hint}") from error


def load_pretrained(model_class, folder: str | Path, name: str, hint: str = "the other models still work."):
    """`model_class.from_pretrained(folder, strict=True)` for the hub-mixin models here (a local folder is read as
    safetensors only), with a missing or damaged checkpoint turned into one sentence that names the model.
    A folder without model.safetensors is refused before the library sees it: some huggingface_hub releases
    fall back to a pickle there."""
    from aigc_demo.errors import ModelUnavailableError

    if Path(folder).is_dir() and not (Path(folder) / "model.safetensors").is_file():
        raise ModelUnavailableError(f"The {name} checkpoint failed to load (its weights are not safetensors); {hint}")
    with load_errors(name, hint):
        return model_class.from_pretrained(str(folder), strict=True)
