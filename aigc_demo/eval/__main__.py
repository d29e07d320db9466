"""python -m aigc_demo.eval <checkpoint folder> [--quick]: recompute a checkpoint's metrics and its model card.

Writes <folder>/eval.json and re-renders <folder>/README.md from training.json + eval.json, so
every number in a model card comes from this command.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aigc_demo.model_card import render_model_card


def heldout_text(args) -> str:
    if args.text_file:
        text = Path(args.text_file).read_text(encoding="utf-8")
        return text[int(len(text) * 0.95):]
    from aigc_demo.data.austen import train_heldout_split

    return train_heldout_split(args.rdb)[1]


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.eval", description=__doc__)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--quick", action="store_true", help="a subset of the held-out data (seconds, not minutes)")
    parser.add_argument("--rdb", default="ja/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb")
    parser.add_argument("--text-file", help="held-out = the last 5%% of this file (as in training)")
    parser.add_argument("--no-card", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    config = json.loads((args.checkpoint / "config.json").read_text())
    if config.get("model_type") != "gpt2":
        sys.exit(f"no evaluator for model_type {config.get('model_type')!r} yet")
    from aigc_demo.eval.language import evaluate_language_model

    result = evaluate_language_model(args.checkpoint, heldout_text(args), quick=args.quick)
    print(json.dumps(result["metrics"], indent=1))
    if not args.no_card and not args.quick:
        (args.checkpoint / "eval.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
        render_model_card(args.checkpoint)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
