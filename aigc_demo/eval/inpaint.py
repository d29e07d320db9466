"""Measure an inpainting or restoration checkpoint beside the classical methods, on held-out pictures.

    python -m aigc_demo.eval checkpoints/pix2pix-fashion     # also: pix2pix-photo, restore; --quick for a subset

Inpainting (pix2pix-fashion, pix2pix-photo), two fixed mask sets (aigc_demo/data/masks.py):
    centre: a box of half the height and half the width in the middle (a quarter of the area: the large mask);
    strokes: seeded free-form brush strokes, the same every run.
  Pictures: the first 1,000 Fashion-MNIST test garments (200 with --quick); or the held-out photos of
  aigc_demo/data/photos.py (never trained on), each resized to 256 px on its longest side, with the centre box
  and three stroke masks each. Compared with OpenCV Telea and Navier-Stokes and scikit-image biharmonic, run
  exactly as the tab runs them (aigc_demo.pipelines.inpaint.inpaint).
Restore: the held-out photos at 256 px, degraded in two fixed, seeded ways (Gaussian noise sigma 25; noise
  sigma 15 then JPEG quality 30), compared with the degraded input itself and two classical denoisers
  (OpenCV non-local means, h = 10; scikit-image total-variation, weight 0.1).

Metrics: PSNR (from the mean squared error over the set) and SSIM (mean) over the whole picture (pixels outside a mask are the original's for every method, so
whole-picture figures grow with the unmasked share); L1 over the masked pixels (mean absolute error in 0-1 units;
for restore, over the whole picture); for garments, the share the fashion-judge classifier still assigns to the
garment's true class (and on the untouched garments, the ceiling). Deterministic.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import cv2
import numpy as np
import yaml

from aigc_demo.data import masks as mask_sets
from aigc_demo.pipelines.inpaint import CLASSICAL_MODELS, inpaint, use_checkpoint

EVAL_SIDE = 256
FASHION_COUNT, FASHION_QUICK = 1000, 200
STROKE_SETS_PER_PHOTO = 3
DEGRADATIONS = {"noise-25": (25.0, None), "noise-15+jpeg-30": (15.0, 30)}
DENOISERS = ("input (no restoration)", "nl-means", "tv-chambolle")


# ----------------------------------------------------------------------------- metrics
def picture_metrics(result: np.ndarray, truth: np.ndarray, mask: np.ndarray | None) -> dict:
    from skimage.metrics import structural_similarity

    region = np.ones(truth.shape[:2], bool) if mask is None else mask
    error = result.astype(np.float64) - truth
    return {"mse": float((error ** 2).mean()),
            "ssim": structural_similarity(truth, result, channel_axis=-1, data_range=255),
            "l1_masked": float(np.abs(error)[region].mean() / 255)}


def mean_metrics(rows: list[dict]) -> dict:
    """Means over the set; PSNR from the mean squared error (a per-picture PSNR is infinite when a fill is exact,
    as happens for strokes over a garment's black background)."""
    mse = float(np.mean([r["mse"] for r in rows]))
    return {"psnr": round(10 * np.log10(255 ** 2 / max(mse, 1e-10)), 4),
            **{key: round(float(np.mean([r[key] for r in rows])), 4) for key in ("ssim", "l1_masked")}}


# ----------------------------------------------------------------------------- data
def fashion_cases(args, quick: bool) -> tuple[list, np.ndarray]:
    from aigc_demo.data import fashion_mnist

    images, labels = fashion_mnist.load("test", getattr(args, "data_root", fashion_mnist.DEFAULT_ROOT))
    count = FASHION_QUICK if quick else FASHION_COUNT
    pictures = [image[:, :, None] for image in images[:count]]
    return pictures, labels[:count]


def eval_photos(quick: bool, split: str = "heldout") -> list[np.ndarray]:
    """The held-out (or, to choose between checkpoints, the training) photos, longest side EVAL_SIDE (area
    interpolation, as a user's downscaled upload)."""
    from aigc_demo.data import photos

    _, pictures = photos.load_split(split)
    out = []
    for picture in pictures[:3 if quick else None]:
        scale = EVAL_SIDE / max(picture.shape[:2])
        size = (round(picture.shape[1] * scale), round(picture.shape[0] * scale))
        out.append(cv2.resize(picture, size, interpolation=cv2.INTER_AREA))
    return out


def mask_cases(pictures: list[np.ndarray]) -> dict[str, list[tuple[int, np.ndarray]]]:
    """{'centre': [(picture index, mask)], 'strokes': [...]}; stroke masks seeded per picture."""
    cases = {"centre": [], "strokes": []}
    for index, picture in enumerate(pictures):
        h, w = picture.shape[:2]
        cases["centre"].append((index, mask_sets.centre_box(h, w).astype(bool)))
        per_picture = 1 if len(pictures) > 50 else STROKE_SETS_PER_PHOTO
        for mask in mask_sets.heldout_masks(h, w, per_picture, "strokes", seed=index):
            cases["strokes"].append((index, mask.astype(bool)))
    return cases


# ----------------------------------------------------------------------------- inpainting
def run_inpainting(name: str, pictures: list, cases: dict, labels=None) -> tuple[dict, dict]:
    """({method: {mask set: metrics}}, {method: {mask set: results}}) for this checkpoint and the baselines."""
    table, results = {}, {}
    for method in (name, *CLASSICAL_MODELS):
        table[method], results[method] = {}, {}
        for mask_set, items in cases.items():
            start = time.perf_counter()
            filled = [inpaint(pictures[i], mask, method) for i, mask in items]
            seconds = time.perf_counter() - start
            rows = [picture_metrics(f, pictures[i], mask) for f, (i, mask) in zip(filled, items)]
            table[method][mask_set] = {**mean_metrics(rows), "seconds_per_picture": round(seconds / len(items), 4)}
            if labels is not None:
                table[method][mask_set]["judge_accuracy"] = judge_accuracy(filled, labels[[i for i, _ in items]])
            results[method][mask_set] = filled
    return table, results


def judge_accuracy(garments: list[np.ndarray], labels: np.ndarray) -> float:
    import torch

    from aigc_demo.eval.image import load_judge
    from aigc_demo.eval.metrics import judge_images
    from aigc_demo.registry import registry
    from aigc_demo.pipelines.convert import from_uint8

    images = from_uint8([g[:, :, 0] for g in garments])
    with torch.no_grad():
        _, predicted = judge_images(registry.get(("eval", "fashion-judge"), load_judge), images)
    return round(float((predicted.numpy() == labels).mean()), 4)


# ----------------------------------------------------------------------------- restoration
def degraded(picture: np.ndarray, sigma: float, quality: int | None, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = np.clip(picture + rng.normal(0, sigma, picture.shape), 0, 255).astype(np.uint8)
    if quality is None:
        return noisy
    _, encoded = cv2.imencode(".jpg", noisy[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[:, :, ::-1])


def denoise(method: str, picture: np.ndarray) -> np.ndarray:
    if method == "nl-means":
        return cv2.fastNlMeansDenoisingColored(picture, None, 10, 10, 7, 21)
    if method == "tv-chambolle":
        from skimage.restoration import denoise_tv_chambolle

        smooth = denoise_tv_chambolle(picture.astype(np.float64) / 255, weight=0.1, channel_axis=-1)
        return (np.clip(smooth, 0, 1) * 255).round().astype(np.uint8)
    if method == "restore":
        return inpaint(picture, np.zeros(picture.shape[:2], bool), "restore")
    return picture


def run_restoration(pictures: list) -> tuple[dict, dict]:
    table, results = {}, {}
    for method in ("restore", *DENOISERS):
        table[method], results[method] = {}, {}
        for index, (kind, (sigma, quality)) in enumerate(DEGRADATIONS.items()):
            inputs = [degraded(p, sigma, quality, seed=100 * index + i) for i, p in enumerate(pictures)]
            start = time.perf_counter()
            outputs = [denoise(method, p) for p in inputs]
            seconds = time.perf_counter() - start
            rows = [picture_metrics(o, p, None) for o, p in zip(outputs, pictures)]
            table[method][kind] = {**mean_metrics(rows), "seconds_per_picture": round(seconds / len(pictures), 4)}
            results[method][kind] = (inputs, outputs)
    return table, results


# ----------------------------------------------------------------------------- grids
def strip(tiles: list[np.ndarray], height: int = 160) -> np.ndarray:
    """Pictures side by side at one height, 2 px black between."""
    resized = []
    for tile in tiles:
        tile = tile if tile.ndim == 3 and tile.shape[2] == 3 else np.repeat(tile.reshape(*tile.shape[:2], 1), 3, 2)
        width = round(tile.shape[1] * height / tile.shape[0])
        resized += [cv2.resize(tile, (width, height), interpolation=cv2.INTER_AREA), np.zeros((height, 2, 3), np.uint8)]
    return np.concatenate(resized[:-1], 1)


def stack(rows: list[np.ndarray]) -> np.ndarray:
    width = max(r.shape[1] for r in rows)
    padded = [np.pad(r, ((0, 2), (0, width - r.shape[1]), (0, 0))) for r in rows]
    return np.concatenate(padded, 0)


def with_hole(picture: np.ndarray, mask: np.ndarray) -> np.ndarray:
    shown = picture.copy()
    shown[mask] = 127
    return shown


def inpainting_grid(name: str, pictures: list, cases: dict, results: dict, per_set: int) -> np.ndarray:
    """Per row: the input with its hole grey, this model, the three baselines, the truth."""
    rows = []
    for mask_set, items in cases.items():
        for k, (i, mask) in enumerate(items[:per_set]):
            tiles = [with_hole(pictures[i], mask)] + [results[m][mask_set][k] for m in (name, *CLASSICAL_MODELS)]
            rows.append(strip(tiles + [pictures[i]], height=112 if pictures[i].shape[0] <= 32 else 160))
    return stack(rows)


def restoration_grid(pictures: list, results: dict) -> np.ndarray:
    rows = []
    for kind in DEGRADATIONS:
        inputs, _ = results["restore"][kind]
        for i in range(min(2, len(pictures))):
            outputs = [results[m][kind][1][i] for m in ("restore", "nl-means", "tv-chambolle")]
            rows.append(strip([inputs[i], *outputs, pictures[i]]))
    return stack(rows)


# ----------------------------------------------------------------------------- evaluate
def evaluate(folder: Path, args) -> dict:
    training = json.loads((Path(folder) / "training.json").read_text())
    task, name, quick = training["task"], Path(folder).name, bool(getattr(args, "quick", False))
    split = getattr(args, "photos", "heldout")
    use_checkpoint(name, Path(folder))
    if task == "restore":
        pictures = eval_photos(quick, split)
        table, results = run_restoration(pictures)
        return {"task": task, "table": table, "metrics": restore_metrics(table), "pictures": len(pictures),
                "photos": split,
                "quick": quick, "grid": restoration_grid(pictures, results)}
    labels = None
    if task == "fashion":
        pictures, labels = fashion_cases(args, quick)
    else:
        pictures = eval_photos(quick, split)
    cases = mask_cases(pictures)
    table, results = run_inpainting(name, pictures, cases, labels)
    if labels is not None:
        table["original (no mask)"] = {"centre": {"judge_accuracy": judge_accuracy(pictures, labels)}}
    return {"task": task, "table": table, "metrics": inpainting_metrics(name, table), "pictures": len(pictures),
            "photos": split if task != "fashion" else None, "masks": {k: len(v) for k, v in cases.items()}, "quick": quick,
            "grid": inpainting_grid(name, pictures, cases, results, per_set=4 if task == "fashion" else 2)}


def beats(ours: dict, theirs: dict) -> bool:
    """Better on every fidelity figure the table shows: higher PSNR and SSIM, lower L1."""
    return ours["psnr"] > theirs["psnr"] and ours["ssim"] > theirs["ssim"] and ours["l1_masked"] < theirs["l1_masked"]


def inpainting_metrics(name: str, table: dict) -> dict:
    """The card's headline: this model on the large (centre) mask, and the best baseline there."""
    centre = table[name]["centre"]
    best = max(CLASSICAL_MODELS, key=lambda m: table[m]["centre"]["psnr"])
    metrics = {"psnr_centre": centre["psnr"], "ssim_centre": centre["ssim"], "l1_masked_centre": centre["l1_masked"],
               "psnr_strokes": table[name]["strokes"]["psnr"], "best_baseline_centre": best,
               "best_baseline_psnr_centre": table[best]["centre"]["psnr"],
               "beats_every_baseline_centre": all(beats(centre, table[m]["centre"]) for m in CLASSICAL_MODELS)}
    if "judge_accuracy" in centre:
        metrics["judge_accuracy_centre"] = centre["judge_accuracy"]
    return metrics


def restore_metrics(table: dict) -> dict:
    metrics = {}
    for kind in DEGRADATIONS:
        metrics[f"psnr_{kind}"] = table["restore"][kind]["psnr"]
        metrics[f"ssim_{kind}"] = table["restore"][kind]["ssim"]
    metrics["beats_every_baseline"] = all(beats(table["restore"][kind], table[method][kind])
                                          for kind in DEGRADATIONS for method in DENOISERS)
    return metrics


# ----------------------------------------------------------------------------- card
def markdown_table(table: dict) -> str:
    """One row per (method, mask set or degradation)."""
    columns = ["psnr", "ssim", "l1_masked", "judge_accuracy", "seconds_per_picture"]
    used = [c for c in columns if any(c in cell for sets in table.values() for cell in sets.values())]
    lines = ["| method | case | " + " | ".join(used) + " |", "|---|---|" + "---:|" * len(used)]
    for method, sets in table.items():
        for case, cell in sets.items():
            lines.append(f"| {method} | {case} | " + " | ".join(str(cell.get(c, "")) for c in used) + " |")
    return "\n".join(lines)


SUMMARIES = {
    "fashion": "Pix2Pix (U-Net generator with the mask as an extra input channel, PatchGAN discriminator) trained "
               "here to complete 28x28 Fashion-MNIST garments with random boxes and brush strokes cut out.",
    "photo": "Pix2Pix (U-Net generator with the mask as an extra input channel, PatchGAN discriminator) trained "
             "here to fill holes in photos, on random crops of the offline photo collection. It answers with the "
             "mean over the picture's eight flips and quarter turns (geometric self-ensemble).",
    "restore": "Pix2Pix (U-Net generator, PatchGAN discriminator) trained here to remove noise and JPEG artefacts "
               "from photos. It answers with the mean over the picture's eight flips and quarter turns (geometric "
               "self-ensemble).",
}
LIMITATIONS = {
    "fashion": "Works on 28x28 grey garments only (the tab turns any picture into one first). Trained on one "
               "core for minutes, so fills are plausible but soft; a hole that removes most of a garment leaves "
               "it guessing the class.",
    "photo": "Trained on about forty photos on one CPU core (wall time above): fills continue colours and "
             "coarse structure but invent no objects, and holes wider than its training crop's are filled at "
             "reduced resolution (soft; at 256 px a hole of a quarter of the picture is filled at 0.72 scale). "
             "The held-out photos are few, so the figures are indicative.",
    "restore": "Trained on synthetic Gaussian noise (sigma up to 50) and JPEG (quality 10-70) on about forty "
               "photos; other damage (scratches, blur, real sensor noise) is out of its training distribution. "
               "The held-out photos are few, so differences of a few thousandths of SSIM are within noise.",
}


def render_card(folder: Path, training: dict, evaluation: dict) -> str:
    task, metrics = training["task"], evaluation["metrics"]
    data = ("Fashion-MNIST (Zalando Research, MIT), Debian's dataset-fashion-mnist: 60,000 training garments; "
            "evaluated on the test split." if task == "fashion" else
            f"Photos that ship inside installed packages ({training['data']['license']}). Trained on "
            f"{len(training['data']['train_photos'])} photos; held out, never trained on: "
            f"{', '.join(training['data']['heldout_photos'])}.")
    front = {"license": "mit", "library_name": "pytorch", "tags": ["pix2pix", "inpainting" if task != "restore"
                                                                    else "denoising", "aigc-studio"],
             "datasets": ["fashion_mnist" if task == "fashion" else "skimage.data, sklearn sample images, OpenCV samples"],
             "summary": SUMMARIES[task], "data": "Fashion-MNIST" if task == "fashion" else "offline photo collection",
             "metrics": metrics}
    settings, curve = training["settings"], training["learning_curve"]
    samples = "![samples](samples.png)" if (Path(folder) / "samples.png").is_file() else ""
    return f"""---
{yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip()}
---

# {Path(folder).name}

{SUMMARIES[task]} Generator: {json.dumps(settings)} (reference UnetGenerator layout); discriminator:
{json.dumps(training['discriminator'])}. Weights stored in float16.

## Data and license
{data} Weights: MIT, like this project.

## Training
```bash
{training['command']}
```
Hardware: {training['hardware']}. Wall time: {training['wall_seconds'] / 60:.0f} minutes for
{curve[-1]['step'] if curve else 0} steps. Optimisation: {json.dumps(training['optimisation'])}.
Last logged losses: {json.dumps(curve[-1] if curve else {})}.{(chr(10) * 2 + 'Note: ' + training['note']) if training.get('note') else ''}

## Measured figures
From `python -m aigc_demo.eval checkpoints/{Path(folder).name}` on {evaluation['pictures']} held-out pictures
(see aigc_demo/eval/inpaint.py for the mask sets and the baselines' settings; seconds per picture are as timed
during evaluation on a shared CPU, so only roughly comparable; `python -m aigc_demo.bench inpaint` times latency):

{markdown_table(evaluation['table'])}

## Limitations
{LIMITATIONS[task]}

## Unedited samples
Rows: {'input, restore, nl-means, tv-chambolle, truth' if task == 'restore' else
       'input (hole grey), this model, telea, navier-stokes, biharmonic, truth'}.

{samples}
"""
