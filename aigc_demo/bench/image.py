"""python -m aigc_demo.bench image: image generation speed on this machine, and diffusion's speed/quality trade.

1. Images/s per bundled model at batch 1 and batch 16 (CPU or the default device, default dtype).
2. Diffusion: label accuracy (judge classifier) and seconds for 100 images at DDPM-1000, DDIM-50,
   DDIM-20 and DPM-Solver++-20, guidance 1.5 (DDPM-1000 on --ddpm-images images only: it is slow).
3. Serving: 16 concurrent one-image requests through gradio_client to the app running here, to
   /generate_image (one request per call) and to /generate_image_batched (Gradio batching, up to 16
   requests per call): requests/s each, after a warm-up, and the largest pixel difference between the
   two endpoints' images for the same seeds.
4. Text to image (emoji-sd): the same for /text_to_image (one picture each, previews included) and
   /text_to_image_batched (goal: at least 3x).
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


def serving_throughput(models: list[str], concurrent: int) -> list[tuple[str, float, float, int]]:
    """(model, requests/s unbatched, requests/s batched, max pixel difference) from the app served in-process."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options())
    client, rows = Client(url, verbose=False), []

    def plain(seed: int, model: str) -> str:
        return client.predict(model=model, num_images=1, seed=seed, label="Sneaker", api_name="/generate_image")[0][0]["image"]

    def batched(seed: int, model: str) -> str:
        return client.predict(model=model, seed=seed, label="Sneaker", api_name="/generate_image_batched")

    try:
        for model in models:
            timings = {}
            for name, call in (("plain", plain), ("batched", batched)):
                call(0, model)  # warm-up: model loaded, code paths compiled
                start = time.perf_counter()
                with ThreadPoolExecutor(concurrent) as pool:
                    timings[name] = list(pool.map(lambda seed: call(seed, model), range(1, concurrent + 1)))
                timings[name + "_seconds"] = time.perf_counter() - start
            rows.append((model, concurrent / timings["plain_seconds"], concurrent / timings["batched_seconds"],
                         max_pixel_difference(timings["plain"], timings["batched"])))
    finally:
        demo.close()
    return rows


def text_to_image_serving(concurrent: int) -> tuple[float, float, int]:
    """(requests/s through /text_to_image with one picture each, through /text_to_image_batched, max pixel
    difference) for `concurrent` simultaneous one-picture requests, from the app served in-process."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options())
    client = Client(url, verbose=False)
    prompts = ["a red apple", "a smiling sun", "a cat face", "a rocket"]
    calls = {"plain": lambda seed: client.predict(prompts[seed % 4], 1, seed, api_name="/text_to_image")[0][0]["image"],
             "batched": lambda seed: client.predict(prompts[seed % 4], seed, api_name="/text_to_image_batched")}
    timings = {}
    try:
        for name, call in calls.items():
            call(0)  # warm-up: model loaded
            start = time.perf_counter()
            with ThreadPoolExecutor(concurrent) as pool:
                timings[name] = list(pool.map(call, range(1, concurrent + 1)))
            timings[name + "_seconds"] = time.perf_counter() - start
    finally:
        demo.close()
    return (concurrent / timings["plain_seconds"], concurrent / timings["batched_seconds"],
            max_pixel_difference(timings["plain"], timings["batched"]))


def max_pixel_difference(paths_a: list[str], paths_b: list[str]) -> int:
    import numpy as np
    from PIL import Image

    return max(int(np.abs(np.asarray(Image.open(a), dtype=int) - np.asarray(Image.open(b), dtype=int)).max())
               for a, b in zip(paths_a, paths_b))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.bench image", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=100, help="images per diffusion setting")
    parser.add_argument("--ddpm-images", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=16, help="simultaneous requests in the serving test")
    parser.add_argument("--only", choices=["speed", "samplers", "serving", "text-to-image"], nargs="*",
                        help="a subset of the tables")
    args = parser.parse_args(argv)
    tables = set(args.only or ["speed", "samplers", "serving", "text-to-image"])
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads")
    if "speed" in tables:
        print("| model | images/s at batch 1 | images/s at batch 16 |\n|---|---:|---:|")
        for name in available_image_models():
            print(f"| {name} | {images_per_second(name, 1, args.repeats):.1f} "
                  f"| {images_per_second(name, 16, args.repeats):.1f} |")
    if "samplers" in tables and "diffusion" in available_image_models():
        print("\n| diffusion sampler | steps | images | label accuracy | seconds | seconds/image |\n|---|---:|---:|---:|---:|---:|")
        for scheduler, steps, n, accuracy, seconds in diffusion_trade_off(args.images, args.ddpm_images):
            print(f"| {scheduler} | {steps} | {n} | {accuracy:.3f} | {seconds:.1f} | {seconds / n:.3f} |")
    if "serving" in tables:
        print(f"\n| model | {args.concurrent} concurrent requests: requests/s without batching | with Gradio batching "
              "| speed-up | max pixel difference |\n|---|---:|---:|---:|---:|")
        for model, plain, batched, difference in serving_throughput(available_image_models(), args.concurrent):
            print(f"| {model} | {plain:.2f} | {batched:.2f} | {batched / plain:.2f}x | {difference} |")
    if "text-to-image" in tables:
        plain, batched, difference = text_to_image_serving(args.concurrent)
        print(f"\n| emoji-sd, {args.concurrent} concurrent one-picture requests | requests/s | speed-up | max pixel "
              f"difference |\n|---|---:|---:|---:|\n| /text_to_image | {plain:.2f} | 1.00x | |\n"
              f"| /text_to_image_batched (Gradio batching) | {batched:.2f} | {batched / plain:.2f}x | {difference} |")
