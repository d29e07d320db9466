"""Audio tab, vocoder section (not landed yet: it says so)."""
import gradio as gr

from aigc_demo.i18n import t


def build_vocoder_section() -> None:
    gr.Markdown(t("pending.audio"))
