"""The Text tab: GPT-2 trained here, SmolLM2 when installed, any Hub id; streaming, Stop, compare, run cards."""
from __future__ import annotations

import gradio as gr

from aigc_demo.device import describe, pick_device
from aigc_demo.errors import UserInputError
from aigc_demo.i18n import t
from aigc_demo.models.language import DEFAULT_MODEL, available_models
from aigc_demo.pipelines.text import GenerationSettings, TextChunk, stream_text
from aigc_demo.runcard import run_card, write_run_card
from aigc_demo.seeding import resolve_seed
from aigc_demo.ui.common import (clamp, clean_text, friendly_errors, how_it_works, run_card_panel, seed_controls,
                                  seed_used_box, wire_seed_buttons)
from aigc_demo.ui.session import session_entry, session_label, session_picker

EXAMPLES = [
    "It is a truth universally acknowledged, that",
    "\"My dear Mr. Bennet,\" said his lady to him one day,",
    "Emma could not help laughing when",
    "The weather at Hartfield was",
]
MAX_PROMPT_CHARS = 200_000


def read_settings(max_new_tokens, temperature, top_k, top_p, repetition_penalty) -> GenerationSettings:
    """Settings from UI or API values, clamped to the sliders' ranges."""
    return GenerationSettings(
        max_new_tokens=int(clamp(max_new_tokens, 1, 1024, int)),
        temperature=clamp(temperature, 0.0, 2.0),
        top_k=int(clamp(top_k, 0, 1000, int)),
        top_p=clamp(top_p, 0.01, 1.0),
        repetition_penalty=clamp(repetition_penalty, 1.0, 2.0),
    )


def read_prompt(prompt) -> str:
    prompt = clean_text(prompt)
    if not prompt.strip():
        raise UserInputError("Write a prompt first: the text box is empty.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise UserInputError(f"The prompt is {len(prompt):,} characters; keep it under {MAX_PROMPT_CHARS:,}.")
    return prompt


def speed_line(chunk: TextChunk, model: str) -> str:
    note = " · prompt cut from the left to fit the context" if chunk.prompt_truncated else ""
    return f"**{model}**: {chunk.new_tokens} tokens in {chunk.seconds:.2f} s, {chunk.tokens_per_second:.1f} tokens/s{note}"


def card_for(chunk: TextChunk, pipeline, seed: int, settings: GenerationSettings, prompt: str) -> dict:
    return run_card("text", pipeline.name, pipeline.checkpoint, seed, settings.as_dict(),
                    describe(pick_device(), pipeline.model.dtype), prompt=prompt[-2000:],
                    new_tokens=chunk.new_tokens, tokens_per_second=round(chunk.tokens_per_second, 2),
                    prompt_truncated=chunk.prompt_truncated)


@friendly_errors
def generate_text(prompt: str, model: str = DEFAULT_MODEL, max_new_tokens: int = 120, temperature: float = 0.8,
                  top_k: int = 50, top_p: float = 0.95, repetition_penalty: float = 1.1, seed: int = -1):
    """Continue `prompt` with a language model; streams the text, then adds the run card."""
    prompt, settings = read_prompt(prompt), read_settings(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed = resolve_seed(seed)
    chunk = pipeline = None
    for chunk, pipeline in stream_text(model, prompt, settings, seed, warn=gr.Warning):
        if not chunk.finished:
            yield chunk.text, speed_line(chunk, model), gr.skip(), gr.skip(), seed
    card = card_for(chunk, pipeline, seed, settings, prompt)
    yield chunk.text, speed_line(chunk, model), card, write_run_card(card), seed


@friendly_errors
def compare_text(prompt: str, model_a: str = DEFAULT_MODEL, model_b: str = DEFAULT_MODEL, max_new_tokens: int = 120,
                 temperature: float = 0.8, top_k: int = 50, top_p: float = 0.95, repetition_penalty: float = 1.1,
                 seed: int = -1):
    """The same prompt, settings and seed through two models, one after the other, each with its speed."""
    prompt, settings = read_prompt(prompt), read_settings(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed = resolve_seed(seed)
    texts, speeds, cards = ["", ""], ["", ""], {}
    for side, model in enumerate((model_a, model_b)):
        for chunk, pipeline in stream_text(model, prompt, settings, seed, warn=gr.Warning):
            texts[side], speeds[side] = chunk.text, speed_line(chunk, model)
            yield texts[0], speeds[0], texts[1], speeds[1], seed, gr.skip()
        cards["ab"[side]] = card_for(chunk, pipeline, seed, settings, prompt)
    yield texts[0], speeds[0], texts[1], speeds[1], seed, cards


def model_dropdown(label_key: str, value: str) -> gr.Dropdown:
    choices = available_models()
    return gr.Dropdown(choices=choices, value=value if value in choices else (choices[0] if choices else None),
                       label=t(label_key), info=t("text.model_info"), allow_custom_value=True)


def sampling_controls() -> list[gr.components.Component]:
    with gr.Accordion(t("text.settings"), open=False):
        with gr.Row():
            max_new = gr.Slider(1, 1024, value=120, step=1, label=t("text.max_new_tokens"))
            temperature = gr.Slider(0, 2, value=0.8, step=0.05, label=t("text.temperature"))
            top_k = gr.Slider(0, 1000, value=50, step=1, label=t("text.top_k"))
        with gr.Row():
            top_p = gr.Slider(0.01, 1, value=0.95, step=0.01, label=t("text.top_p"))
            repetition = gr.Slider(1, 2, value=1.1, step=0.01, label=t("text.repetition_penalty"))
    return [max_new, temperature, top_k, top_p, repetition]


def build_generate_panel(session_models: gr.State | None = None) -> None:
    with gr.Row():
        with gr.Column(scale=1):
            model = model_dropdown("text.model", DEFAULT_MODEL)
            prompt = gr.Textbox(lines=4, label=t("text.prompt"), placeholder=t("text.prompt_placeholder"))
            controls = sampling_controls()
            seed, randomize, reuse = seed_controls()
            with gr.Row():
                go = gr.Button(t("text.generate"), variant="primary", elem_id="text-generate")
                stop = gr.Button(t("text.stop"), variant="stop")
            gr.Examples(EXAMPLES, inputs=[prompt], label=t("text.examples"))
        with gr.Column(scale=1):
            output = gr.Textbox(lines=12, label=t("text.output"), buttons=["copy"], elem_id="text-output")
            gr.Button(t("text.send_speech"), size="sm", elem_id="text-send-speech")  # wired in ui/crosstab.py
            stats = gr.Markdown(elem_id="text-stats")
            seed_used = seed_used_box()
            card, card_file = run_card_panel()
    inputs = [prompt, model, *controls, seed]
    event = gr.on([go.click, prompt.submit], generate_text, inputs, [output, stats, card, card_file, seed_used],
                  api_name="generate_text", concurrency_id="language_models", concurrency_limit=2,
                  show_progress="minimal", show_progress_on=[output])
    stop.click(None, cancels=[event])
    wire_seed_buttons(seed, randomize, reuse, seed_used)
    if session_models is not None:
        build_session_generate(session_models, [prompt, *controls, seed], [output, stats, card, card_file, seed_used],
                               stop)


def build_session_generate(session_models: gr.State, inputs: list, outputs: list, stop: gr.Button) -> None:
    """Generate with a GPT-2 this session compressed in the Model Lab (UI only: it lives in the browser session)."""
    with gr.Accordion(t("text.session_heading"), open=False):
        with gr.Row():
            picker = session_picker(session_models, SESSION_MODELS, t("text.session_model"))
            go = gr.Button(t("text.session_generate"), elem_id="text-session-generate")
    event = go.click(generate_session_text, [session_models, picker, *inputs], outputs, api_visibility="private",
                     concurrency_id="language_models", show_progress="minimal")
    stop.click(None, cancels=[event])


SESSION_MODELS = (DEFAULT_MODEL,)


@friendly_errors
def generate_session_text(session_models: dict, choice: str, prompt: str, max_new_tokens: int = 120,
                          temperature: float = 0.8, top_k: int = 50, top_p: float = 0.95,
                          repetition_penalty: float = 1.1, seed: int = -1):
    """Like generate_text, with the session's compressed model; streams, then adds the run card."""
    from aigc_demo.pipelines.text import TextGenerationPipeline
    from aigc_demo.seeding import torch_generator

    entry = session_entry(session_models, choice, SESSION_MODELS)
    prompt, settings = read_prompt(prompt), read_settings(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    seed, name = resolve_seed(seed), session_label(entry)
    pipeline = TextGenerationPipeline(entry["model"], entry["subject"].tokenizer, entry["subject"].context, name,
                                      "this browser session (Model Lab)")
    chunk = None
    for chunk in pipeline.stream(prompt, settings, torch_generator(seed)):
        if not chunk.finished:
            yield chunk.text, speed_line(chunk, name), gr.skip(), gr.skip(), seed
    card = card_for(chunk, pipeline, seed, settings, prompt)
    yield chunk.text, speed_line(chunk, name), card, write_run_card(card), seed


def build_compare_panel() -> None:
    with gr.Row():
        model_a = model_dropdown("text.model_a", DEFAULT_MODEL)
        others = [m for m in available_models() if m != DEFAULT_MODEL]
        model_b = model_dropdown("text.model_b", others[0] if others else DEFAULT_MODEL)
    prompt = gr.Textbox(lines=3, label=t("text.prompt"), value=EXAMPLES[0])
    controls = sampling_controls()
    seed, randomize, reuse = seed_controls()
    with gr.Row():
        go = gr.Button(t("text.compare"), variant="primary")
        stop = gr.Button(t("text.stop"), variant="stop")
    with gr.Row():
        with gr.Column():
            out_a = gr.Textbox(lines=10, label=t("text.output_a"), elem_id="compare-a")
            stats_a = gr.Markdown()
        with gr.Column():
            out_b = gr.Textbox(lines=10, label=t("text.output_b"), elem_id="compare-b")
            stats_b = gr.Markdown()
    seed_used = seed_used_box()
    with gr.Accordion(t("common.run_card"), open=False):
        cards = gr.JSON(label=t("common.run_card"))
    event = go.click(compare_text, [prompt, model_a, model_b, *controls, seed],
                     [out_a, stats_a, out_b, stats_b, seed_used, cards], api_name="compare_text",
                     concurrency_id="language_models", concurrency_limit=2,
                     show_progress="minimal", show_progress_on=[out_a, out_b])
    stop.click(None, cancels=[event])
    wire_seed_buttons(seed, randomize, reuse, seed_used)


def build_text_tab(session_models: gr.State | None = None) -> None:
    """`session_models`: this browser session's models from the Model Lab, offered beside the bundled ones."""
    with gr.Tabs():
        with gr.Tab(t("text.generate_tab")):
            build_generate_panel(session_models)
        with gr.Tab(t("text.compare_tab")):
            build_compare_panel()
    with gr.Accordion(t("how"), open=False):
        gr.Markdown(how_it_works([DEFAULT_MODEL], "how.text"))
