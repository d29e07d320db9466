"""python -m aigc_demo.bench lab: the Model Lab's compression table for the defaults, measured on this machine.

Each method at one amount (pruning sparsity, default 0.5) for each model; the uncompressed model is
measured once and printed first. Latency is the median of a few runs of a fixed workload, so other
jobs on the CPU move it: say what else ran when quoting the figures.
"""
from __future__ import annotations

import argparse
import os

import torch

from aigc_demo.lab import compress as compression


def markdown_table(columns: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 2) + "---|"]
    return "\n".join(lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows])


def model_table(name: str, methods: list[str], amount: float) -> str:
    rows = []
    for method in methods:
        result = compression.compress(name, method, amount)
        rows += result.rows if not rows else result.rows[1:]
    return markdown_table(compression.columns(name), rows)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.bench lab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(compression.MODELS), choices=compression.MODELS)
    parser.add_argument("--methods", nargs="+", default=list(compression.METHODS), choices=compression.METHODS)
    parser.add_argument("--amount", type=float, default=0.5, help="pruning sparsity (0 to 0.95)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 leaves the other cores alone)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"latency = median of {compression.LATENCY_RUNS} runs")
    for name in args.models:
        workload = ("one forward pass over a full context (1 sequence)" if name == "gpt2-austen"
                    else "100 images in one batch")
        print(f"\n{name}: latency workload {workload}; amount {args.amount}\n")
        print(model_table(name, args.methods, args.amount))
