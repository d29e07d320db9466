"""Resumable training state saved as safetensors + JSON (no pickles, so resuming is safe too)."""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file


def save_training_state(folder: str | Path, model, optimizer, extra: dict) -> None:
    """Write model weights, optimizer moments and `extra` (step, RNG seed, log) to `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}, folder / "model.safetensors")
    opt_state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, state in opt_state["state"].items():
        for key, value in state.items():
            if torch.is_tensor(value):
                tensors[f"{index}.{key}"] = value.contiguous()
            else:
                scalars[f"{index}.{key}"] = value
    save_file(tensors, folder / "optimizer.safetensors")
    meta = {"param_groups": opt_state["param_groups"], "scalars": scalars, "extra": extra}
    (folder / "state.json").write_text(json.dumps(meta))


def load_training_state(folder: str | Path, model, optimizer) -> dict:
    """Restore what `save_training_state` wrote; returns its `extra` dict."""
    folder = Path(folder)
    model.load_state_dict(load_file(folder / "model.safetensors"), strict=True)
    meta = json.loads((folder / "state.json").read_text())
    state: dict[int, dict] = {}
    for name, tensor in load_file(folder / "optimizer.safetensors").items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = tensor
    for name, value in meta["scalars"].items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    return meta["extra"]
