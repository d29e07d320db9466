"""python -m aigc_demo.bench text: the Text tab's speed against its baselines, in one run.

1. Tokens/s through the app's pipeline vs transformers' `generate` on the same weights and sampling settings:
   for the default model (SmolLM2 on llama.cpp) the goal is at least 4x; for a model on transformers itself
   (a GPT-2 trained here) at least 0.9x, the cost of streaming and Stop.
2. App cold start (process start to first HTTP 200) vs a bare gr.Blocks app with the same six
   tabs and no models (goal: at most 2x).
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import torch

from aigc_demo.checkpoints import REPO_ROOT

BARE_APP = '''
import gradio as gr
with gr.Blocks() as demo:
    for name in ["Text", "Image", "Style transfer", "Inpainting", "Audio", "Multimodal"]:
        with gr.Tab(name):
            gr.Markdown(name)
demo.launch(server_name="127.0.0.1", server_port={port})
'''


def tokens_per_second(model_name: str, new_tokens: int, repeats: int) -> tuple[float, float, int, str]:
    """Median tokens/s of the app's pipeline and of transformers' `generate` on the same weights, same settings.

    For a GGUF model the app runs llama.cpp and the baseline is transformers on the same file, dequantised."""
    from aigc_demo.models.language import load_with_transformers, resolve_source
    from aigc_demo.pipelines.text import GenerationSettings, text_pipeline
    from aigc_demo.seeding import torch_generator

    pipeline = text_pipeline(model_name)
    baseline = pipeline.model
    if pipeline.engine != "transformers":
        source, extra, checkpoint = resolve_source(model_name)
        baseline = load_with_transformers(model_name, source, extra, checkpoint, torch.float32)[1].eval()
    prompt = "Write a long story about a dragon who learns to bake bread." if pipeline.chat else \
        "It is a truth universally acknowledged, that"
    ids, _, new_tokens = pipeline.encode_prompt(prompt, new_tokens)
    ids = torch.tensor([ids])
    settings = GenerationSettings(max_new_tokens=new_tokens)
    app_rates, raw_rates = [], []
    for seed in range(repeats + 1):  # the first round warms both paths up and is not counted
        chunk = pipeline(prompt, settings, torch_generator(seed))
        start = time.perf_counter()
        with torch.inference_mode():
            out = baseline.generate(
                ids, do_sample=True, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                temperature=settings.temperature, top_k=settings.top_k, top_p=settings.top_p,
                repetition_penalty=settings.repetition_penalty, pad_token_id=pipeline.tokenizer.eos_token_id)
        raw_seconds = time.perf_counter() - start
        if seed:
            app_rates.append(chunk.tokens_per_second)
            raw_rates.append((out.shape[1] - ids.shape[1]) / raw_seconds)
    return statistics.median(app_rates), statistics.median(raw_rates), new_tokens, pipeline.engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds_to_first_200(command: list[str], port: int, timeout: float = 180) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    try:
        while time.perf_counter() - start < timeout:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).status == 200:
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"{command} did not answer within {timeout} s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def cold_starts(repeats: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        app_times, bare_times = [], []
        for _ in range(repeats):
            port = free_port()
            app_times.append(seconds_to_first_200([sys.executable, "app.py", "--port", str(port)], port))
            port = free_port()
            bare = Path(folder) / "bare_app.py"
            bare.write_text(BARE_APP.format(port=port))
            bare_times.append(seconds_to_first_200([sys.executable, str(bare)], port))
    return statistics.median(app_times), statistics.median(bare_times)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.bench text", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="", help="default: the Text tab's default model")
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from aigc_demo.models.language import default_model

    model = args.model or default_model()
    app_rate, raw_rate, new_tokens, engine = tokens_per_second(model, args.new_tokens, args.repeats)
    goal = ">= 0.9x" if engine == "transformers" else ">= 4x"
    app_start, bare_start = cold_starts(args.repeats)
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("| measure | app | baseline | ratio | goal |\n|---|---:|---:|---:|---|")
    print(f"| tokens/s, {model} ({engine}), {new_tokens} new tokens (median of {args.repeats}) "
          f"| {app_rate:.1f} | {raw_rate:.1f} (transformers generate, same weights) | {app_rate / raw_rate:.2f}x "
          f"| {goal} |")
    print(f"| cold start to first HTTP 200, s (median of {args.repeats}) "
          f"| {app_start:.2f} | {bare_start:.2f} (bare gr.Blocks, six tabs) | {app_start / bare_start:.2f}x | <= 2x |")
