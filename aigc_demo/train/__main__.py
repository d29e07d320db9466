"""python -m aigc_demo.train <family> [options]: train a model family and write its checkpoint."""
import sys

from aigc_demo.cli import dispatch

FAMILIES = {"gpt2": "aigc_demo.train.gpt2", "diffusion": "aigc_demo.train.diffusion",
            "dcgan": "aigc_demo.train.dcgan", "vae": "aigc_demo.train.vae",
            "classifier": "aigc_demo.train.classifier", "stylegan": "aigc_demo.train.stylegan",
            "dcgan-switches": "aigc_demo.train.dcgan_switches",
            "cyclegan": "aigc_demo.train.cyclegan", "pix2pix": "aigc_demo.train.pix2pix",
            "vocoder": "aigc_demo.train.vocoder", "music": "aigc_demo.train.music",
            "emoji-vae": "aigc_demo.train.emoji_vae", "text-to-image": "aigc_demo.train.text_to_image",
            "emoji-judge": "aigc_demo.train.emoji_judge"}

if __name__ == "__main__":
    dispatch("train", FAMILIES, sys.argv[1:])
