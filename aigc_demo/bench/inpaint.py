"""python -m aigc_demo.bench inpaint: seconds per picture for each Inpainting model at 256 and 1024 px.

assets/inpaint/coffee.jpg (a held-out photo) resized to a square of each size, with two masks: the centre box
of a quarter of the area (the large mask) and seeded brush strokes. restore runs with an empty mask (the whole
picture). pix2pix-fashion always works at 28x28 (any picture is first made a garment), so it is timed on the
way the tab runs it, from the photo. The median of --repeats runs after one warm-up run (model loaded).
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from aigc_demo.bench.timing import bench_parser, median_seconds, use_threads
from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.data.masks import centre_box, heldout_masks
from aigc_demo.images import open_user_image
from aigc_demo.pipelines.inpaint import available_models, garment_view, inpaint

SIZES = (256, 1024)
PHOTO = REPO_ROOT / "assets" / "inpaint" / "coffee.jpg"


def timed_call(model: str, photo: Image.Image, mask: np.ndarray):
    if model == "pix2pix-fashion":
        def run():
            garment, small = garment_view(photo, mask)
            return inpaint(garment[:, :, None], small, model)
        return run
    pixels = np.asarray(photo)
    used = np.zeros_like(mask) if model == "restore" else mask
    return lambda: inpaint(pixels, used, model)


def main(argv: list[str]) -> None:
    parser = bench_parser("inpaint", __doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args(argv)
    machine = use_threads(args.threads)
    print(machine + f"; median of {args.repeats} runs after a warm-up, seconds per picture")
    columns = [f"{size} px {kind}" for size in args.sizes for kind in ("centre box", "strokes")]
    print("| model | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns))
    source = open_user_image(PHOTO)
    photos = {size: source.resize((size, size), Image.LANCZOS) for size in args.sizes}
    masks = {size: {"centre": centre_box(size, size).astype(bool),
                    "strokes": heldout_masks(size, size, 1, "strokes")[0].astype(bool)} for size in args.sizes}
    for model in available_models():
        cells = []
        for size in args.sizes:
            for kind in ("centre", "strokes"):
                cells.append(median_seconds(timed_call(model, photos[size], masks[size][kind]), args.repeats))
        note = " (whole picture)" if model == "restore" else ""
        print(f"| {model}{note} | " + " | ".join(f"{s:.3f}" for s in cells) + " |")
