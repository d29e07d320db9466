"""The audio tab (not landed yet: it says so)."""
import gradio as gr

from aigc_demo.i18n import t


def build_audio_tab() -> None:
    gr.Markdown(t("pending.audio"))
