"""python -m aigc_demo.train <family> [options]: train a model family and write its checkpoint."""
import importlib
import sys

FAMILIES = {"gpt2": "aigc_demo.train.gpt2"}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in FAMILIES:
        sys.exit(f"usage: python -m aigc_demo.train {{{','.join(FAMILIES)}}} [options]   (--help for options)")
    importlib.import_module(FAMILIES[sys.argv[1]]).main(sys.argv[2:])


if __name__ == "__main__":
    main()
