"""python -m aigc_demo.bench load: requests per second and p50/p95 latency for text and image generation at 1, 8
and 32 concurrent gradio_client clients, against the app served here with the bundled checkpoints.

Each client sends --requests requests one after another (different seeds); latency is from submit to result.
The app's own queue settings apply (concurrency limit 2 per model family on this CPU), so beyond 2 clients
requests wait in the queue: throughput flattens and latency grows with the number of clients.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import torch

WORKLOADS = {
    "text (gpt2-austen, 32 tokens)": ("/generate_text", lambda seed: {"prompt": "It is a truth universally acknowledged",
                                                                       "max_new_tokens": 32, "seed": seed}),
    "image (stylegan, 4 images)": ("/generate_image", lambda seed: {"model": "stylegan", "num_images": 4, "seed": seed}),
}


def run_clients(url: str, endpoint: str, arguments, clients: int, per_client: int) -> tuple[float, list[float]]:
    from gradio_client import Client

    connections = [Client(url, verbose=False) for _ in range(clients)]

    def one_client(index: int) -> list[float]:
        latencies = []
        for k in range(per_client):
            start = time.perf_counter()
            connections[index].predict(api_name=endpoint, **arguments(index * 1000 + k))
            latencies.append(time.perf_counter() - start)
        return latencies

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [x for batch in pool.map(one_client, range(clients)) for x in batch]
    return time.perf_counter() - start, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.bench load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=4, help="requests per client")
    args = parser.parse_args(argv)
    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options())
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}; {args.requests} requests per client\n")
    print("| workload | clients | requests/s | p50 latency (s) | p95 latency (s) |\n|---|---:|---:|---:|---:|")
    try:
        for name, (endpoint, arguments) in WORKLOADS.items():
            run_clients(url, endpoint, arguments, 1, 1)  # warm-up: the model is loaded
            for clients in args.clients:
                seconds, latencies = run_clients(url, endpoint, arguments, clients, args.requests)
                print(f"| {name} | {clients} | {len(latencies) / seconds:.2f} | {statistics.median(latencies):.2f} | "
                      f"{percentile(latencies, 0.95):.2f} |", flush=True)
    finally:
        demo.close()


if __name__ == "__main__":
    main(sys.argv[1:])
