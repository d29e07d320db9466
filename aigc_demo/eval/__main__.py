"""python -m aigc_demo.eval <checkpoint folder> [--quick]: recompute a checkpoint's metrics and its model card.

Writes <folder>/eval.json and re-renders <folder>/README.md from training.json + eval.json, so
every number in a model card comes from this command.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aigc_demo.catalogue import IMAGE_GENERATORS, family, family_of
from aigc_demo.errors import UserInputError
from aigc_demo.model_card import render_model_card

def evaluate(folder: Path, args) -> dict:
    entry = family(folder)
    if entry is None:
        raise UserInputError(f"There is no evaluator for '{folder.name}' (family {family_of(folder)}); "
                             "pick another model.")
    return entry.evaluate(folder, args)


SUMMARY_METRICS = ["label_accuracy", "frechet_distance", "frechet_floor_real_vs_real", "diversity", "diversity_real",
                   "images_per_second"]


def summary_table() -> str:
    """Markdown table of every bundled image generator's measured figures, read from its eval.json."""
    from aigc_demo.checkpoints import checkpoints_dir

    lines = ["| model | " + " | ".join(SUMMARY_METRICS) + " | training |", "|---|" + "---:|" * len(SUMMARY_METRICS) + "---|"]
    for name in IMAGE_GENERATORS:
        folder = checkpoints_dir() / name
        if not (folder / "eval.json").is_file():
            continue
        metrics = json.loads((folder / "eval.json").read_text())["metrics"]
        training = json.loads((folder / "training.json").read_text())
        where = "GPU" if "GPU" in training.get("hardware", "") else "CPU"
        lines.append(f"| {name} | " + " | ".join(str(metrics.get(m, "")) for m in SUMMARY_METRICS) +
                     f" | {training.get('wall_seconds', 0) / 60:.0f} min on {where} |")
    return "\n".join(lines)


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m aigc_demo.eval", description=__doc__)
    parser.add_argument("checkpoint", type=Path, nargs="?")
    parser.add_argument("--summary", action="store_true",
                        help="print the image models' figures side by side from their eval.json (the README table)")
    parser.add_argument("--quick", action="store_true", help="a subset of the held-out data (seconds, not minutes)")
    parser.add_argument("--rdb", default="ja/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb")
    parser.add_argument("--text-file", help="held-out = the last 5%% of this file (as in training)")
    parser.add_argument("--data-root", default="/usr/share/datasets/fashion-mnist", help="Fashion-MNIST IDX files")
    parser.add_argument("--no-card", action="store_true", help="print the figures only")
    parser.add_argument("--photos", choices=("heldout", "train"), default="heldout",
                        help="photo models only: measure on the held-out photos (default, the card's figures) or on "
                             "the training photos (to choose between checkpoints without looking at the held-out "
                             "ones; figures printed only, never written to a card)")
    args = parser.parse_args(argv)
    if args.summary:
        print(summary_table())
        return {}
    if args.checkpoint is None:
        parser.error("give a checkpoint folder, or --summary")
    try:
        result = evaluate(args.checkpoint, args)
    except UserInputError as error:
        sys.exit(str(error))
    print(json.dumps(result["metrics"], indent=1))
    if args.photos == "train" and "table" in result:  # the whole table: there is no card to read it in
        print(json.dumps(result["table"], indent=1))
    if not args.no_card and not args.quick and args.photos == "heldout":
        grid = result.pop("grid", None)
        if grid is not None:
            from PIL import Image

            Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST).save(
                args.checkpoint / "samples.png")
        (args.checkpoint / "eval.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
        render_model_card(args.checkpoint)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
