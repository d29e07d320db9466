"""Audio tab, music section (not landed yet: it says so)."""
import gradio as gr

from aigc_demo.i18n import t


def build_music_section() -> None:
    gr.Markdown(t("pending.audio"))
