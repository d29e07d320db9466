"""AIGC Studio: `python app.py [--host H] [--port P] [--share] [--device D] [--dtype T]`."""
from __future__ import annotations

import argparse
import logging
import os


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve AIGC Studio.")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument("--share", action="store_true", help="ask Gradio for a temporary public link")
    parser.add_argument("--device", help="cuda, mps or cpu (default: the best available; env AIGC_DEVICE)")
    parser.add_argument("--dtype", help="float32, float16 or bfloat16 (default: fp16/bf16 on GPU, fp32 on CPU)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # The device module reads these; setting them before anything loads keeps one source of truth.
    if args.device:
        os.environ["AIGC_DEVICE"] = args.device
    if args.dtype:
        os.environ["AIGC_DTYPE"] = args.dtype
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from aigc_demo.ui import build_demo, launch_options

    build_demo().launch(server_name=args.host, server_port=args.port, share=args.share, **launch_options())


if __name__ == "__main__":
    main()
