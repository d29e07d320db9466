"""The Audio tab: three sections, each built in its own module (speech, vocoder lab, music)."""
import gradio as gr

from aigc_demo.i18n import t


def build_audio_tab() -> None:
    from aigc_demo.ui.music import build_music_section
    from aigc_demo.ui.speech import build_speech_section
    from aigc_demo.ui.vocoder import build_vocoder_section

    with gr.Tabs(elem_id="audio-tabs"):
        with gr.Tab(t("audio.speech_tab"), id="audio-speech"):
            build_speech_section()
        with gr.Tab(t("audio.vocoder_tab"), id="audio-vocoder"):
            build_vocoder_section()
        with gr.Tab(t("audio.music_tab"), id="audio-music"):
            build_music_section()
