"""build_demo(): the whole studio as one gr.Blocks; launch_options(): how to serve it safely."""
from __future__ import annotations

import gradio as gr

from aigc_demo.checkpoints import REPO_ROOT
from aigc_demo.i18n import i18n, t

MAX_FILE_SIZE = "20mb"
CSS = "footer {visibility: hidden} .gradio-container {max-width: 1280px !important}"


def build_demo() -> gr.Blocks:
    # Imported here so `import aigc_demo.ui` stays light; tab modules import no model code at import time.
    from aigc_demo.ui.audio import build_audio_tab
    from aigc_demo.ui.crosstab import wire_send_buttons
    from aigc_demo.ui.image import build_image_tab
    from aigc_demo.ui.inpaint import build_inpaint_tab
    from aigc_demo.ui.lab import build_lab_tab
    from aigc_demo.ui.multimodal import build_multimodal_tab
    from aigc_demo.ui.style import build_style_tab
    from aigc_demo.ui.text import build_text_tab

    # delete_cache: every hour, remove served temp files (run cards, outputs) older than an hour.
    with gr.Blocks(title="AIGC Studio", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# AIGC Studio")
        gr.Markdown(t("app.tagline"))
        # This browser session's own models (the Lab trains and compresses; Text and Image offer them).
        session_models = gr.State({})
        with gr.Tabs() as tabs:
            with gr.Tab(t("tab.text"), id="text"):
                build_text_tab(session_models)
            with gr.Tab(t("tab.image"), id="image"):
                build_image_tab(session_models)
            with gr.Tab(t("tab.style"), id="style"):
                build_style_tab()
            with gr.Tab(t("tab.inpaint"), id="inpaint"):
                build_inpaint_tab()
            with gr.Tab(t("tab.audio"), id="audio"):
                build_audio_tab()
            with gr.Tab(t("tab.multimodal"), id="multimodal"):
                build_multimodal_tab()
            with gr.Tab(t("tab.lab"), id="lab"):
                build_lab_tab(session_models)
        wire_send_buttons(demo, tabs)
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


def launch_options() -> dict:
    """Keyword arguments for demo.launch(): limits and paths that keep a public server safe."""
    return {
        "i18n": i18n,
        "theme": gr.themes.Soft(),
        "css": CSS,
        "max_file_size": MAX_FILE_SIZE,
        "allowed_paths": [str(REPO_ROOT / "assets")],
        "show_error": False,
    }
