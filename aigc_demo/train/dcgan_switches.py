"""Compare the DCGAN's optimisation switches on the same budget, and record the result in its model card.

    python -m aigc_demo.train dcgan-switches                 # five runs of 1000 steps, then their evaluation
    python -m aigc_demo.train dcgan-switches --steps 200     # a quicker, rougher comparison

Trains one run per switch setting (the default recipe, WGAN-GP, cosine learning rate, TTUR, no batch
norm), each for the same number of generator steps, batch size and seed, one after the other under
--runs-dir (resumable: a finished run is not retrained). Then evaluates each with the same code as
`python -m aigc_demo.eval` and writes <card>/switches.json, which the DCGAN model card renders as a table.
Wall time is per run on this machine; WGAN-GP's five critic steps per generator step make it the slowest.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from aigc_demo.data import fashion_mnist

SWITCHES = {
    "baseline": [],
    "gradient-penalty": ["--gradient-penalty"],
    "lr-cosine": ["--lr-schedule", "cosine"],
    "lr-ttur": ["--lr-schedule", "ttur"],
    "no-batch-norm": ["--no-batch-norm"],
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m aigc_demo.train dcgan-switches", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=1000, help="generator steps per run (the shared budget)")
    p.add_argument("--runs-dir", default="train_runs", help="where each run's checkpoint and state go")
    p.add_argument("--card", default="checkpoints/dcgan", help="checkpoint folder whose card shows the table")
    p.add_argument("--data-root", default=str(fashion_mnist.DEFAULT_ROOT))
    p.add_argument("--only", nargs="*", choices=list(SWITCHES), help="a subset of the runs")
    p.add_argument("--per-class", type=int, default=100, help="evaluation samples per class")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="tiny networks (tests)")
    p.add_argument("--note", default="", help="a remark for the card, e.g. that the CPU was shared (wall times)")
    return p.parse_args(argv)


def run_argv(name: str, args) -> list[str]:
    runs = Path(args.runs_dir)
    return ["--out", str(runs / f"dcgan-{name}"), "--state-dir", str(runs / f"state-{name}"),
            "--data-root", args.data_root, "--max-steps", str(args.steps), "--threads", str(args.threads),
            "--log-every", "100", "--sample-every", str(args.steps), "--save-every", "500", "--resume",
            *SWITCHES[name], *(["--smoke"] if args.smoke else [])]


def measure(name: str, args) -> dict:
    from aigc_demo.eval.image import evaluate_image_model

    folder = Path(args.runs_dir) / f"dcgan-{name}"
    training = json.loads((folder / "training.json").read_text())
    metrics = evaluate_image_model("dcgan", args.data_root, per_class=args.per_class, folder=folder)["metrics"]
    return {"run": name, "switches": training["switches"], "steps": training["optimisation"]["max_steps"],
            "wall_seconds": training["wall_seconds"], "hardware": training["hardware"],
            "command": training["command"], **{k: metrics[k] for k in
                                               ("label_accuracy", "frechet_distance", "diversity")}}


def rerun_command(argv: list[str]) -> str:
    """The command line that reproduces the table (the --note remark is not part of it)."""
    kept, skip = [], False
    for arg in argv:
        if skip or arg == "--note":
            skip = arg == "--note"
            continue
        kept.append(arg)
    return shlex.join(["python", "-m", "aigc_demo.train", "dcgan-switches", *kept])


def main(argv: list[str]) -> None:
    from aigc_demo.train import dcgan

    args = parse_args(argv)
    names = args.only or list(SWITCHES)
    for name in names:
        dcgan.main(run_argv(name, args))
    rows = [measure(name, args) for name in names]
    record = {"command": rerun_command(argv), "note": args.note, "steps": args.steps,
              "samples_per_class": args.per_class, "runs": rows}
    Path(args.card, "switches.json").write_text(json.dumps(record, indent=1))
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main(sys.argv[1:])
