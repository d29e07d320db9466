"""Controls the Text tab's panels share: the model menu, the sampling sliders, the speed line and the run card."""
from __future__ import annotations

import gradio as gr

from aigc_demo.i18n import t
from aigc_demo.pipelines.text import RANGES, GenerationSettings, TextChunk
from aigc_demo.runcard import run_card

DEFAULTS = GenerationSettings()


def model_dropdown(label_key: str, choices: list[str], value: str) -> gr.Dropdown:
    return gr.Dropdown(choices=choices, value=value if value in choices else (choices[0] if choices else None),
                       label=t(label_key), info=t("text.model_info"), allow_custom_value=True)


def sampling_controls() -> list[gr.components.Component]:
    """Sliders for GenerationSettings' fields, in its order, with its defaults and RANGES."""
    def slider(name: str, label_key: str) -> gr.Slider:
        low, high, step = RANGES[name]
        return gr.Slider(low, high, value=getattr(DEFAULTS, name), step=step, label=t(label_key))

    with gr.Accordion(t("text.settings"), open=False):
        with gr.Row():
            max_new = slider("max_new_tokens", "text.max_new_tokens")
            temperature = slider("temperature", "text.temperature")
            top_k = slider("top_k", "text.top_k")
        with gr.Row():
            top_p = slider("top_p", "text.top_p")
            repetition = slider("repetition_penalty", "text.repetition_penalty")
    return [max_new, temperature, top_k, top_p, repetition]


def speed_line(chunk: TextChunk, model: str) -> str:
    note = " · prompt cut from the left to fit the context" if chunk.prompt_truncated else ""
    return f"**{model}**: {chunk.new_tokens} tokens in {chunk.seconds:.2f} s, {chunk.tokens_per_second:.1f} tokens/s{note}"


def card_for(chunk: TextChunk, pipeline, seed: int, settings: GenerationSettings, prompt, task: str = "text") -> dict:
    """The run card of one generation; `prompt` is text or the chat's messages (each kept to its last 2,000 chars)."""
    if isinstance(prompt, list):
        kept = {"messages": [dict(m, content=m["content"][-2000:]) for m in prompt[-20:]]}
    else:
        kept = {"prompt": prompt[-2000:]}
    return run_card(task, pipeline.name, pipeline.checkpoint, seed, settings.as_dict(),
                    {"device": pipeline.device, "dtype": pipeline.precision, "engine": pipeline.engine}, **kept,
                    new_tokens=chunk.new_tokens, tokens_per_second=round(chunk.tokens_per_second, 2),
                    prompt_truncated=chunk.prompt_truncated)
