"""python -m aigc_demo.bench multimodal: seconds per story stage and in total for a three-paragraph story, plus
the other Multimodal features (text to image, image to text, replies), on this machine's CPU.

Each story is told with a different seed after one warm-up story (models loaded); the table gives the
median over --repeats stories. The story stage times are the ones the run card reports.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from PIL import Image

from aigc_demo.bench.timing import bench_parser, median_seconds, use_threads

PROMPT = "Elizabeth bought a new pair of running shoes and a warm winter coat."
STAGES = ("text", "pictures", "narration", "music", "video")


def story_seconds(paragraphs: int, seed: int, folder: Path) -> dict[str, float]:
    from aigc_demo.pipelines.story import tell_story

    story = [event for event in tell_story(PROMPT, paragraphs, seed, folder=folder)][-1][1]
    return {**story.seconds, "total": sum(story.seconds.values()),
            "audio": len(story.audio) / story.sample_rate}


def feature_rows(repeats: int) -> list[tuple[str, float]]:
    from aigc_demo.pipelines.multimodal import describe_image, text_to_images
    from aigc_demo.pipelines.replies import find_passages

    garment = Image.fromarray(text_to_images("sneakers", 1, 0)[0][0]).convert("RGB")
    return [("text to image (4 images)", median_seconds(lambda: text_to_images("a pair of trainers", 4, 1), repeats)),
            ("image to text", median_seconds(lambda: describe_image(garment), repeats)),
            ("passages (rank 2,266 lines)", median_seconds(lambda: find_passages("What do you think of him?"), repeats))]


def main(argv: list[str]) -> None:
    parser = bench_parser("multimodal", __doc__)
    parser.add_argument("--paragraphs", type=int, default=3)
    args = parser.parse_args(argv)
    machine = use_threads(args.threads)
    print(machine)
    with tempfile.TemporaryDirectory() as folder:
        story_seconds(args.paragraphs, 0, Path(folder))  # warm-up: every model loaded once
        runs = [story_seconds(args.paragraphs, seed, Path(folder)) for seed in range(1, args.repeats + 1)]
    print(f"\nStory of {args.paragraphs} paragraphs, median of {args.repeats} stories (seconds):\n")
    columns = list(STAGES) + ["total", "audio"]
    print("| " + " | ".join(columns[:-1]) + " | length of the story's audio |\n|" + "---:|" * len(columns))
    print("| " + " | ".join(f"{statistics.median(r[c] for r in runs):.2f}" for c in columns) + " |")
    print(f"\nOther features, median of {args.repeats} runs after a warm-up (seconds):\n")
    print("| feature | seconds |\n|---|---:|")
    for name, seconds in feature_rows(args.repeats):
        print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
