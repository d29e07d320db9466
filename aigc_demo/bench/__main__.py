"""python -m aigc_demo.bench <area> [options]: speed figures measured on this machine."""
import sys

from aigc_demo.cli import dispatch

AREAS = {"text": "aigc_demo.bench.text", "image": "aigc_demo.bench.image", "style": "aigc_demo.bench.style",
         "lab": "aigc_demo.bench.lab", "inpaint": "aigc_demo.bench.inpaint", "audio": "aigc_demo.bench.audio", "music": "aigc_demo.bench.music",
         "multimodal": "aigc_demo.bench.multimodal", "load": "aigc_demo.bench.load"}

if __name__ == "__main__":
    dispatch("bench", AREAS, sys.argv[1:])
