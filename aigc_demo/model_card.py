"""Render checkpoints/<name>/README.md from training.json (the training run) and eval.json (the eval run)."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

DATA_NOTES = {
    "fashion_mnist": ("Fashion-MNIST (Zalando Research, MIT): 60,000 training and 10,000 test images, 28x28 grey, "
                      "ten classes, read from Debian's dataset-fashion-mnist package by aigc_demo/data/fashion_mnist.py."),
    "austen": ("Jane Austen's six novels (Emma, Mansfield Park, Northanger Abbey, Persuasion, Pride and Prejudice, "
               "Sense and Sensibility), public domain, read from Debian's r-cran-janeaustenr package (MIT) by "
               "aigc_demo/data/austen.py. The last 5% of each novel's paragraphs is held out."),
}


def learning_curve_png(curve: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    ax.plot([e["tokens_seen"] / 1e6 for e in curve], [e["train_loss"] for e in curve], label="train loss (smoothed)")
    ax.plot([e["tokens_seen"] / 1e6 for e in curve], [e["heldout_loss"] for e in curve], label="held-out loss")
    ax.set_xlabel("training tokens (millions)")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def render_model_card(folder: Path) -> str:
    """Write README.md for the checkpoint in `folder`, with its family's card (aigc_demo.catalogue)."""
    from aigc_demo.catalogue import family

    training = json.loads((folder / "training.json").read_text())
    evaluation = json.loads((folder / "eval.json").read_text())
    card = family(folder).render_card(folder, training, evaluation)
    (folder / "README.md").write_text(card, encoding="utf-8")
    return card


def render_language_card(folder: Path, training: dict, evaluation: dict) -> str:
    metrics, settings = evaluation["metrics"], training["settings"]
    data = DATA_NOTES.get(training["data"]["source"], training["data"]["source"])
    summary = (f"GPT-2 ({settings['n_layer']} layers, {settings['n_embd']} wide, {settings['n_head']} heads, "
               f"{evaluation['parameters'] / 1e6:.1f}M parameters, {settings['vocab_size']}-token byte-level BPE, "
               f"context {settings['n_positions']}) trained from scratch here on a CPU.")
    front = {"license": "mit", "language": ["en"], "library_name": "transformers", "pipeline_tag": "text-generation",
             "tags": ["gpt2", "aigc-studio"], "datasets": ["janeaustenr (Debian r-cran-janeaustenr)"],
             "summary": summary, "data": "Jane Austen's novels (public domain)",
             "metrics": {"bits_per_char": metrics["bits_per_char"], "perplexity": metrics["perplexity"],
                         "heldout_loss": metrics["heldout_loss"]}}
    curve = training["learning_curve"]
    learning_curve_png(curve, folder / "learning_curve.png")
    rows = "\n".join(f"| {e['step']} | {e['tokens_seen'] / 1e6:.2f} | {e['seconds'] / 60:.0f} | {e['train_loss']:.3f} "
                     f"| {e['heldout_loss']:.3f} | {e['bits_per_char']:.3f} |" for e in curve)
    samples = "\n\n".join(f"**Prompt** (seed {s['seed']}): {s['prompt']}\n\n```text\n{s['prompt']}{s['text']}\n```"
                          for s in evaluation["samples"])
    card = f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {folder.name}

{summary} It is the Text tab's default model: small enough to train in about
{training['wall_seconds'] / 3600:.1f} CPU-hours and to run fast on a laptop, so it shows what a language model
learns from 4 MB of text, not what pretraining at scale gives (compare it with SmolLM2 in the tab).

Loads with stock transformers: `transformers.pipeline("text-generation", model="checkpoints/{folder.name}")`.
Weights are stored in float16 (the figures below are measured on exactly these weights, run in float32).

## Data and license
{data} Training text: {training['data']['train_chars']:,} characters; held-out text: {training['data']['heldout_chars']:,}
characters. Weights: MIT, like this project.

## Training
```bash
{training['command']}
```
Hardware: {training['hardware']}.{(chr(10) * 2 + 'Note: ' + training['note'] + chr(10)) if training.get('note') else ''}
Wall time: {training['wall_seconds'] / 60:.0f} minutes for
{curve[-1]['step'] if curve else 0} steps ({curve[-1]['tokens_seen'] / 1e6 if curve else 0:.1f}M tokens); the checkpoint is the step
with the lowest held-out loss (step {training.get('best_step')}). Optimisation: {json.dumps(training['optimisation'])},
AdamW (betas 0.9/0.95, weight decay 0.1), warm-up then cosine decay, dropout {settings['dropout']}.
Via Hugging Face Accelerate, so `accelerate launch -m aigc_demo.train gpt2 ...` runs the same code on GPUs.

![learning curve](learning_curve.png)

| step | tokens (M) | minutes | train loss | held-out loss (subset) | bits/char (subset) |
|---:|---:|---:|---:|---:|---:|
{rows}

## Measured figures
From `python -m aigc_demo.eval checkpoints/{folder.name}` on the whole held-out text
({metrics['heldout_tokens']:,} tokens, {metrics['heldout_chars']:,} characters):

| metric | value |
|---|---:|
| held-out loss (nats/token) | {metrics['heldout_loss']} |
| perplexity (per token) | {metrics['perplexity']} |
| bits per character | {metrics['bits_per_char']} |

Bits per character divide the total negative log-likelihood by the characters covered, so they compare across
tokenizers; per-token perplexity does not.

## Limitations
Trained on six novels only: it writes in Austen's vocabulary, names and dialogue layout, but sentences drift and
there is no plot or factual knowledge. English only; anything modern or non-English comes out as byte soup. It
repeats the biases of early-19th-century English fiction.

## Unedited samples
Temperature 0.8, top-k 50, top-p 0.95, repetition penalty 1.1, 80 new tokens, seeds as shown
(reproduce them in the Text tab with the same settings and seed).

{samples}
"""
    return card


IMAGE_SUMMARIES = {
    "dcgan": "A class-conditional DCGAN (transposed-convolution generator, convolutional projection discriminator).",
    "vae": "A class-conditional convolutional VAE (reconstruction + KL).",
    "diffusion": "A class-conditional DDPM: a diffusers UNet2DModel with classifier-free guidance (null class).",
    "stylegan": "A small style-based generator (mapping network, modulated convolutions, per-layer noise).",
    "cyclegan": ("A CycleGAN direction (ResNet generator in the reference implementation's layout, PatchGAN "
                 "discriminators, least-squares, cycle and identity losses) between unpaired Fashion-MNIST "
                 "sneakers and ankle boots."),
    "classifier": "The judge: a small Fashion-MNIST CNN used only to measure the image generators (it generates nothing).",
}
IMAGE_LIMITATIONS = (
    "28x28 grey images of ten clothing classes only; it cannot draw anything else. Figures come from a "
    "classifier trained here, not from Inception, so they compare the models in this project with each other "
    "and with real test images, not with published FID numbers.")
JUDGE_LIMITATIONS = (
    "About 91% accurate on real test images and weakest on Shirt, Coat and T-shirt/top, which real images "
    "confuse too; so generated images are judged with the same blind spots. It has only seen Fashion-MNIST: "
    "its verdict on anything else means nothing.")
CYCLEGAN_LIMITATIONS = (
    "28x28 grey shoes only: any other picture is first squeezed into that view, and the output is a Fashion-MNIST "
    "shoe. A few translations come out as a noisy textured blob (see the samples). CycleGANs are known to hide what "
    "the round trip needs in faint patterns, so a low cycle error does not prove that the translation keeps the "
    "shoe's details. The target share comes from a classifier trained here, with its blind spots.")
SAMPLE_CAPTIONS = {
    "cyclegan": "Held-out test images: inputs (top row), translations (middle), round trips back (bottom).",
}
METRIC_NOTES = {
    "target_share": "share of translated held-out images the judge assigns to the target class",
    "target_share_identity": "the same for the untranslated inputs (the identity mapping, the baseline)",
    "source_share_after": "share of translated images the judge still assigns to the source class",
    "source_share_identity": "the same for the untranslated inputs",
    "cycle_error": "mean absolute pixel difference (0-1 scale) between an input and its round trip through both generators",
    "cycle_error_identity": "the identity mapping's round-trip error (it changes nothing)",
    "change": "mean absolute pixel difference (0-1 scale) between input and translation",
    "test_images": "held-out Fashion-MNIST test images of the source class used",
    "label_accuracy": "share of samples the judge assigns to the class that was asked for",
    "frechet_distance": "Frechet distance to real test images in the judge's 128-d feature space (lower is better)",
    "frechet_floor_real_vs_real": "the same distance between two disjoint sets of real test images (the floor)",
    "diversity": "mean same-class pairwise distance of samples in judge-feature space",
    "diversity_real": "the same for real test images",
    "real_label_accuracy": "the judge's accuracy on the real images used for comparison",
    "images_per_second": "generation speed on the machine that ran the eval (batch 100, CPU, fp32)",
    "samples": "images generated for these figures (fixed seed 0)",
    "test_accuracy": "accuracy on the 10,000 Fashion-MNIST test images",
}


def sweep_table(metrics: dict) -> str:
    """The same figures at other settings of the model's quality-vs-variety knob (metrics named at_<knob>_<value>)."""
    swept = {k[3:]: v for k, v in metrics.items() if k.startswith("at_") and isinstance(v, dict)}
    if not swept:
        return ""
    rows = "\n".join(f"| {setting.replace('_', ' ')} | {v['label_accuracy']} | {v['frechet_distance']} | {v['diversity']} |"
                     for setting, v in swept.items())
    return ("\n\nThe same samples at other settings (same seeds, same judge):\n\n"
            "| setting | label_accuracy | frechet_distance | diversity |\n|---|---:|---:|---:|\n" + rows)


def switch_comparison(folder: Path) -> str:
    """The optimisation-switch table from <folder>/switches.json (written by `python -m aigc_demo.train
    dcgan-switches`), or nothing."""
    path = folder / "switches.json"
    if not path.is_file():
        return ""
    record = json.loads(path.read_text())
    rows = "\n".join(f"| {r['run']} | {r['switches']['gradient_penalty']} | {r['switches']['lr_schedule']} | "
                     f"{r['switches']['batch_norm']} | {r['wall_seconds'] / 60:.1f} | {r['label_accuracy']} | "
                     f"{r['frechet_distance']} | {r['diversity']} |" for r in record["runs"])
    return f"""
## Optimisation switches on the same budget
Every run: {record['steps']} generator steps, batch 64, seed 1234, one CPU thread, evaluated like the figures
above ({record['samples_per_class']} samples per class). From:

```bash
{record['command'].strip()}
```

| run | gradient penalty | lr schedule | batch norm | minutes | label accuracy | Frechet distance | diversity |
|---|---|---|---|---:|---:|---:|---:|
{rows}
{record.get("note", "")}
"""


def render_image_card(folder: Path, training: dict, evaluation: dict) -> str:
    family, metrics = training["family"], evaluation["metrics"]
    flat = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    front = {"license": "mit", "library_name": "diffusers" if family == "diffusion" else "pytorch",
             "tags": [family, "fashion-mnist", "aigc-studio"], "datasets": ["fashion_mnist"],
             "summary": IMAGE_SUMMARIES[family], "data": "Fashion-MNIST (MIT)", "metrics": flat}
    curve = training.get("learning_curve", [])
    columns = list(curve[0]) if curve else []
    table = ("| " + " | ".join(columns) + " |\n|" + "---:|" * len(columns) + "\n" +
             "\n".join("| " + " | ".join(str(e.get(c, "")) for c in columns) + " |" for e in curve[-12:]))
    rows = "\n".join(f"| {k} | {v} | {METRIC_NOTES.get(k, '')} |" for k, v in flat.items())
    extra = "".join(f"\n\n{k}: {json.dumps(v)}" for k, v in metrics.items()
                    if isinstance(v, dict) and not k.startswith("at_")) + sweep_table(metrics)
    options = f" Sampling: {json.dumps(evaluation['options'])}." if evaluation.get("options") else ""
    caption = SAMPLE_CAPTIONS.get(family, "Seed 0, one row per class (T-shirt/top, Trouser, Pullover, Dress, Coat, "
                                                  "Sandal, Shirt, Sneaker, Bag, Ankle boot).")
    samples = (f"## Unedited samples\n{caption}\n\n![samples](samples.png)" if (folder / "samples.png").is_file() else "")
    limitations = {"classifier": JUDGE_LIMITATIONS, "cyclegan": CYCLEGAN_LIMITATIONS}.get(family, IMAGE_LIMITATIONS)
    note = f"\n\nNote: {training['note']}" if training.get("note") else ""
    settings = f"Settings: {json.dumps(training['settings'])}." if training.get("settings") else ""
    switches = f"\nSwitches: {json.dumps(training['switches'])}." if training.get("switches") else ""
    comparison = switch_comparison(folder)
    return f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {folder.name}

{IMAGE_SUMMARIES[family]} Trained from scratch here on {"a GPU" if "GPU" in training.get("hardware", "") or "CUDA:" in training.get("hardware", "") else "a CPU"}.

## Data and license
{DATA_NOTES['fashion_mnist']} Weights: MIT, like this project.

## Training
```bash
{training['command']}
```
Hardware: {training.get('hardware', '?')}. Wall time: {training.get('wall_seconds', 0) / 60:.0f} minutes.{switches}{note}
{settings}

{table}

## Measured figures
From `python -m aigc_demo.eval checkpoints/{folder.name}`.{options}

| metric | value | meaning |
|---|---:|---|
{rows}{extra}
{comparison}
## Limitations
{limitations}

{samples}
"""
