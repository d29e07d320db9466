"""python -m aigc_demo.bench <area> [options]: speed figures measured on this machine."""
import sys

from aigc_demo.cli import dispatch

AREAS = {area: f"aigc_demo.bench.{area}"
         for area in ("text", "image", "style", "lab", "inpaint", "audio", "music", "multimodal", "load")}

if __name__ == "__main__":
    dispatch("bench", AREAS, sys.argv[1:])
