"""python -m aigc_demo.bench image: image generation speed on this machine, and diffusion's speed/quality trade.

1. Images/s per bundled model at batch 1 and batch 16 (CPU or the default device, default dtype).
2. Diffusion: label accuracy (judge classifier) and seconds for 100 images at DDPM-1000, DDIM-50,
   DDIM-20 and DPM-Solver++-20, guidance 1.5 (DDPM-1000 on --ddpm-images images only: it is slow).
"""
from __future__ import annotations

import argparse
import os
import time

import torch

from aigc_demo.eval.image import load_judge
from aigc_demo.eval.metrics import judge_images
from aigc_demo.pipelines.convert import from_uint8
from aigc_demo.pipelines.image import available_image_models, image_pipeline
from aigc_demo.seeding import torch_generator

DIFFUSION_SETTINGS = [("ddpm", 1000), ("ddim", 50), ("ddim", 20), ("dpm-solver++", 20)]


def images_per_second(name: str, batch: int, repeats: int) -> float:
    pipeline = image_pipeline(name)
    options = {"scheduler": "ddim", "steps": 25, "guidance_scale": 1.5} if name == "diffusion" else {}
    pipeline([0] * batch, torch_generator(0), **options)  # warm-up
    start = time.perf_counter()
    for seed in range(repeats):
        pipeline([None] * batch, torch_generator(seed), **options)
    return batch * repeats / (time.perf_counter() - start)


def diffusion_trade_off(count: int, ddpm_count: int) -> list[tuple[str, int, int, float, float]]:
    judge, pipeline, rows = load_judge(), image_pipeline("diffusion"), []
    limit = pipeline.scheduler_config["num_train_timesteps"]
    for scheduler, steps in DIFFUSION_SETTINGS:
        steps = min(steps, limit)
        n = ddpm_count if scheduler == "ddpm" else count
        labels = [i % 10 for i in range(n)]
        start = time.perf_counter()
        images = pipeline(labels, torch_generator(0), scheduler=scheduler, steps=steps, guidance_scale=1.5)
        seconds = time.perf_counter() - start
        _, predicted = judge_images(judge, from_uint8(images))
        accuracy = float((predicted == torch.tensor(labels)).float().mean())
        rows.append((scheduler, steps, n, accuracy, seconds))
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.bench image", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=100, help="images per diffusion setting")
    parser.add_argument("--ddpm-images", type=int, default=20)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("| model | images/s at batch 1 | images/s at batch 16 |\n|---|---:|---:|")
    for name in available_image_models():
        print(f"| {name} | {images_per_second(name, 1, args.repeats):.1f} "
              f"| {images_per_second(name, 16, args.repeats):.1f} |")
    if "diffusion" in available_image_models():
        print("\n| diffusion sampler | steps | images | label accuracy | seconds | seconds/image |\n|---|---:|---:|---:|---:|---:|")
        for scheduler, steps, n, accuracy, seconds in diffusion_trade_off(args.images, args.ddpm_images):
            print(f"| {scheduler} | {steps} | {n} | {accuracy:.3f} | {seconds:.1f} | {seconds / n:.3f} |")
