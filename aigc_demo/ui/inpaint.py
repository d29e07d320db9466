"""The inpaint tab (not landed yet: it says so)."""
import gradio as gr

from aigc_demo.i18n import t


def build_inpaint_tab() -> None:
    gr.Markdown(t("pending.inpaint"))
