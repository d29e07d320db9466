"""`python -m aigc_demo.<command> <area> [options]`: route to the module that handles <area>."""
import importlib
import sys


def dispatch(command: str, areas: dict[str, str], argv: list[str]) -> None:
    if not argv or argv[0] not in areas:
        sys.exit(f"usage: python -m aigc_demo.{command} {{{','.join(areas)}}} [options]   (--help for options)")
    importlib.import_module(areas[argv[0]]).main(argv[1:])
