"""Evaluate a causal LM checkpoint: held-out loss, perplexity, bits per character, and samples."""
from __future__ import annotations

import time
from pathlib import Path

import torch

from aigc_demo.eval.metrics import language_model_metrics
from aigc_demo.pipelines.text import GenerationSettings, TextGenerationPipeline

SAMPLE_PROMPTS = ["It is a truth universally acknowledged, that", "\"My dear Mr. Bennet,\" said his lady to him one day,",
                  "Emma could not help laughing when"]


def heldout_text(args) -> str:
    """The held-out Austen text: given ready (the Lab passes it), else the last 5% of --text-file, else from --rdb."""
    if getattr(args, "heldout_text", None):
        return args.heldout_text
    if getattr(args, "text_file", None):
        text = Path(args.text_file).read_text(encoding="utf-8")
        return text[int(len(text) * 0.95):]
    from aigc_demo.data.austen import train_heldout_split

    return train_heldout_split(args.rdb)[1]


def evaluate(folder: Path, args) -> dict:
    return evaluate_language_model(folder, heldout_text(args), quick=args.quick)


def evaluate_language_model(folder: Path, heldout_text: str, quick: bool = False) -> dict:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    context = model.config.n_positions
    start = time.perf_counter()
    metrics = language_model_metrics(model, tokenizer, heldout_text, context, max_windows=16 if quick else None)
    metrics["eval_seconds"] = round(time.perf_counter() - start, 1)
    pipeline = TextGenerationPipeline(model, tokenizer, context, folder.name, str(folder))
    settings = GenerationSettings(max_new_tokens=80)
    samples = [{"prompt": prompt, "seed": seed, "settings": settings.as_dict(),
                "text": pipeline(prompt, settings, torch.Generator().manual_seed(seed)).text}
               for seed, prompt in enumerate(SAMPLE_PROMPTS, start=1)]
    return {"metrics": metrics, "samples": samples, "quick": quick,
            "parameters": sum(p.numel() for p in model.parameters())}
