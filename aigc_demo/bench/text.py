"""python -m aigc_demo.bench text: the Text tab's speed against its baselines, in one run.

1. Tokens/s through the app's pipeline vs raw `model.generate` on the same weights and sampling
   settings (goal: at least 0.9x).
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


def tokens_per_second(model_name: str, new_tokens: int, repeats: int) -> tuple[float, float, int]:
    from aigc_demo.pipelines.text import GenerationSettings, text_pipeline
    from aigc_demo.seeding import torch_generator

    pipeline = text_pipeline(model_name)
    prompt = "It is a truth universally acknowledged, that"
    ids = pipeline.tokenizer(prompt, return_tensors="pt").input_ids.to(next(pipeline.model.parameters()).device)
    new_tokens = min(new_tokens, pipeline.context_length - ids.shape[1])
    settings = GenerationSettings(max_new_tokens=new_tokens)
    app_rates, raw_rates = [], []
    for seed in range(repeats + 1):  # the first round warms both paths up and is not counted
        chunk = pipeline(prompt, settings, torch_generator(seed))
        start = time.perf_counter()
        with torch.inference_mode():
            out = pipeline.model.generate(
                ids, do_sample=True, max_new_tokens=new_tokens, min_new_tokens=new_tokens, temperature=0.8,
                top_k=50, top_p=0.95, repetition_penalty=1.1, pad_token_id=pipeline.tokenizer.eos_token_id)
        raw_seconds = time.perf_counter() - start
        if seed:
            app_rates.append(chunk.tokens_per_second)
            raw_rates.append((out.shape[1] - ids.shape[1]) / raw_seconds)
    return statistics.median(app_rates), statistics.median(raw_rates), new_tokens


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
    parser.add_argument("--model", default="gpt2-austen")
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    app_rate, raw_rate, new_tokens = tokens_per_second(args.model, args.new_tokens, args.repeats)
    app_start, bare_start = cold_starts(args.repeats)
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("| measure | app | baseline | ratio | goal |\n|---|---:|---:|---:|---|")
    print(f"| tokens/s, {args.model}, {new_tokens} new tokens (median of {args.repeats}) "
          f"| {app_rate:.1f} | {raw_rate:.1f} (model.generate) | {app_rate / raw_rate:.2f}x | >= 0.9x |")
    print(f"| cold start to first HTTP 200, s (median of {args.repeats}) "
          f"| {app_start:.2f} | {bare_start:.2f} (bare gr.Blocks, six tabs) | {app_start / bare_start:.2f}x | <= 2x |")
