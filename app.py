"""AIGC Studio: `python app.py [--host H] [--port P] [--share] [--mcp] [--device D] [--dtype T]`."""
from __future__ import annotations

import argparse
import importlib.util
import logging
import os

log = logging.getLogger("aigc_demo")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve AIGC Studio.")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument("--share", action="store_true", help="ask Gradio for a temporary public link")
    parser.add_argument("--mcp", action="store_true", help="also serve every tab's API as MCP tools (needs gradio[mcp])")
    parser.add_argument("--device", help="cuda, mps or cpu (default: the best available; env AIGC_DEVICE)")
    parser.add_argument("--dtype", help="float32, float16 or bfloat16 (default: fp16/bf16 on GPU, fp32 on CPU)")
    return parser.parse_args(argv)


def mcp_available() -> bool:
    return importlib.util.find_spec("mcp") is not None


def serve_options(args: argparse.Namespace) -> dict:
    """launch() keywords from the flags; an MCP request without the extra installed is dropped with a message."""
    options = {"server_name": args.host, "server_port": args.port, "share": args.share}
    if args.mcp:
        if mcp_available():
            options["mcp_server"] = True
        else:
            log.warning("--mcp needs Gradio's MCP extra (pip install 'gradio[mcp]'); serving without MCP tools.")
    return options


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # The device module reads these; setting them before anything loads keeps one source of truth.
    if args.device:
        os.environ["AIGC_DEVICE"] = args.device
    if args.dtype:
        os.environ["AIGC_DTYPE"] = args.dtype
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from aigc_demo.ui import build_demo, launch_options

    demo = build_demo()
    _, local_url, share_url = demo.launch(prevent_thread_lock=True, **serve_options(args), **launch_options())
    if args.share and not share_url:
        log.warning("The public share link could not be created (the share server is unreachable from here); "
                    "the studio is still served at %s.", local_url)
    demo.block_thread()


if __name__ == "__main__":
    main()
