"""python -m aigc_demo.bench style: seconds per picture for each Style transfer model at 256, 512 and 1024 px.

Square crops of assets/style_examples/astronaut.jpg resized to each size; the median of --repeats runs
after one warm-up run (model loaded, sessions and kernels ready). The CycleGANs trained here always run
at 28x28 (any picture is first made Fashion-MNIST-like), so they are timed once, at that size.
Photos bigger than 1024 px are capped by the tab before any model sees them.
"""
from __future__ import annotations

from typing import Callable

from PIL import Image

from aigc_demo.bench.timing import bench_parser, median_seconds, use_threads
from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.images import as_fashion_mnist, open_user_image
from aigc_demo.pipelines.style import (GARMENT_MODELS, NEURAL_STYLE, VINTAGE, available_style_models, stylize,
                                       translate_garments, translate_photo)

SIZES = (256, 512, 1024)
PHOTO = REPO_ROOT / "assets" / "style_examples" / "astronaut.jpg"
STYLE_PHOTO = REPO_ROOT / "assets" / "style_examples" / "chelsea.jpg"


def photo_runs(model: str, photo: Image.Image) -> dict[str, Callable[[], object]]:
    """The ways a photo model is used in the tab, each one row of the table."""
    if model == VINTAGE:
        return {VINTAGE: lambda: translate_photo(photo)}
    style = open_user_image(STYLE_PHOTO)
    return {f"{NEURAL_STYLE} (preset)": lambda: stylize(photo, preset=7),
            f"{NEURAL_STYLE} (style image, strength 0.5)": lambda: stylize(photo, style_image=style, strength=0.5)}


def main(argv: list[str]) -> None:
    parser = bench_parser("style", __doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args(argv)
    machine = use_threads(args.threads)
    print(machine + f"; median of {args.repeats} runs after a warm-up, seconds per picture")
    print("| model | " + " | ".join(f"{s} px" for s in args.sizes) + " |\n|---|" + "---:|" * len(args.sizes))
    models = available_style_models()
    source = open_user_image(PHOTO)
    for model in [m for m in models if m in GARMENT_MODELS]:
        garment = as_fashion_mnist(source)
        seconds = median_seconds(lambda: translate_garments(model, [garment]), args.repeats)
        print(f"| {model} (always 28x28) | " + " | ".join(f"{seconds:.4f}" for _ in args.sizes) + " |")
    for model in [m for m in models if m not in GARMENT_MODELS]:
        photos = {size: source.resize((size, size), Image.LANCZOS) for size in args.sizes}
        rows = {name: [] for name in photo_runs(model, photos[args.sizes[0]])}
        for size in args.sizes:
            for name, run in photo_runs(model, photos[size]).items():
                rows[name].append(median_seconds(run, args.repeats))
        for name, seconds in rows.items():
            print(f"| {name} | " + " | ".join(f"{s:.3f}" for s in seconds) + " |")
